"""# LIRC message schema (version 1)

The messages that reach the international legal-assistance desk (LIRC): Interpol notices and
diffusions, SIRENE alerts and supplementary information, Europol messages, incoming mutual
legal assistance (MLA) requests and PNR hits. One schema for all of them, modelled on the
fields of Interpol's public notices (entity id, forename, name, date and place of birth,
nationalities, sex, distinguishing marks, languages, arrest warrants with charge and issuing
country), with the references, deadlines and attachments the desk works with.

Pure Python, no Django: `regie.legal_assistance.messages`. A message is read from JSON
(`parse_json`) or XML (`parse_xml`; `parse` picks by the first character) or from an
already decoded JSON value (`from_dict`) into frozen dataclasses (`Message`, `Subject`,
`ArrestWarrant`, `Address`, `Attachment`, `References`, `PartialDate`). `to_dict`,
`to_json` and `to_xml` write them back (round trip: parsing what they write gives an equal
message).

## Errors

Bad input raises `MessageError` and nothing else, whatever the bytes: invalid UTF-8, JSON
syntax, XML syntax, a DTD, nesting, types, values and rules. `MessageError.errors` holds
*all* errors found (not only the first), each a `FieldError` with

* `path`: where, in the JSON structure: `kind`, `references.interpol`,
  `subjects[0].date_of_birth`, `subjects[1].arrest_warrants[0].issuing_country`; the empty
  path is the whole message;
* `code`: a stable identifier (`required`, `country`, `date`, ...), one English and one
  Dutch message template per code (`MESSAGES`);
* `params`: the values filled into the template (`%(max)s`);
* `message` (English) and `message_nl` (Dutch): the rendered texts.

The application quarantines a message that fails with its errors; nothing is dropped.

## Fields

A message is a JSON object (or an XML `<message>` element, below). Text is trimmed;
single-line texts have their whitespace collapsed; an empty text or `null` is "absent".
Control characters (other than tab and newline) are refused everywhere. Unknown fields are
errors (a misspelled field would otherwise be lost without notice).

* `schema_version` (text): optional; `"1"`.
* `kind` (text): required; see *Kinds*.
* `purpose` (text): `arrest`, `locate`, `missing`, `identify`, `information`, `warning` or
  `sanctions`. Required for a diffusion. Notices and SIRENE alerts imply it by their colour
  or article; if given anyway it must agree.
* `sirene_article` (integer): the SIS article (Regulation (EU) 2018/1862): 26 arrest,
  32 missing person, 34 whereabouts for a judicial procedure, 36 discreet or specific
  check, 38 objects, 40 unknown wanted person. Required for `sirene_alert`, optional for
  `sirene_supplementary`, not allowed otherwise.
* `channel` (text): required; `interpol` (I-24/7), `sirene` (SIS), `europol` (SIENA),
  `judicial`, `pnr` (passenger information unit), `liaison` or `other`.
* `references` (object): `own` (ours), `issuing` (the issuing country's) and `interpol`
  (Interpol file number `YYYY/NUMBER`, e.g. `2019/12345`); at least one of them; at most
  64 characters each.
* `issuing_country` (text): required; ISO 3166-1 alpha-2 (any case, stored upper case),
  plus `XK` (Kosovo) and, as issuer only, `EU` and `UN`.
* `received_at` (text): required; ISO 8601 date and time *with* time zone, years
  1950-2199; at most five minutes after `now` when the caller passes one.
* `deadline` (text): optional; as `received_at`, not before it.
* `summary` (text): optional; at most 20,000 characters, several lines.
* `flags` (list of text): optional; `terrorism`, `imminent_threat`, `armed_dangerous`,
  `minor`, `urgent` (the sender marked the message urgent).
* `subjects` (list of objects): at most 50, see *Subject*; at least one for the kinds that
  concern a person (see *Kinds*).
* `attachments` (list of objects): at most 100, see *Attachment*.
* `related_references` (list of text): at most 100; references of earlier messages this
  one relates to.

### Subject

* `entity_id` (text): optional; Interpol entity id `YYYY/NUMBER`.
* `forename`, `name` (text): optional, at most 200 characters each; a subject needs a
  `name`, a `forename` or an `entity_id`, except in a black notice (unidentified body).
* `date_of_birth` (text): optional; `YYYY`, `YYYY-MM` or `YYYY-MM-DD` (or with slashes,
  as Interpol writes `1980/05/04`). A partial date stays partial (`PartialDate`). The year
  is 1880 or later and the date not after the message was received.
* `place_of_birth` (text), `country_of_birth` (alpha-2): optional.
* `nationalities` (list of text): optional; alpha-2 codes (stored sorted, without
  duplicates).
* `sex` (text): optional; `M`, `F` or `U` (unknown).
* `distinguishing_marks` (text): optional; several lines.
* `languages` (list of text): optional; ISO 639 codes of two or three letters (`nl`,
  `rus`), stored lower case.
* `addresses` (list of objects): optional; `country` (required, alpha-2), `locality`,
  `text`.
* `arrest_warrants` (list of objects): see *Arrest warrant*.

### Arrest warrant

`charge` (required, at most 2,000 characters), `charge_translation` (optional, English or
Dutch), `issuing_country` (optional, alpha-2; the message's issuing country when absent),
`issuing_authority` (optional), `date` (optional, `YYYY-MM-DD`, not after receipt).

A red notice, a diffusion for arrest and a SIRENE alert under article 26 need at least one
arrest warrant (on any subject).

### Attachment

`filename` (required, no directory), `media_type` (required, `type/subtype`, stored lower
case), `size` (required, bytes, 0 to 10 GiB), `sha256` (required, 64 hex characters, stored
lower case). Attachments are referenced, not embedded: the file travels separately.

## Kinds

| `kind` | what | subjects | implied purpose |
|---|---|---|---|
| `red_notice` | Interpol Red Notice | required | `arrest` |
| `yellow_notice` | Interpol Yellow Notice | required | `missing` |
| `blue_notice` | Interpol Blue Notice | required | `information` |
| `black_notice` | Interpol Black Notice (unidentified body) | required | `identify` |
| `green_notice` | Interpol Green Notice | required | `warning` |
| `orange_notice` | Interpol Orange Notice (imminent threat) | optional | `warning` |
| `purple_notice` | Interpol Purple Notice (modus operandi) | optional | `information` |
| `un_special_notice` | Interpol-UN Security Council Special Notice | required | `sanctions` |
| `diffusion` | Interpol diffusion | required | given in `purpose` |
| `sirene_alert` | SIRENE alert (SIS) | required, except article 38 | by article |
| `sirene_supplementary` | SIRENE supplementary information | optional | by article, if any |
| `europol_message` | Europol (SIENA) message | optional | - |
| `mla_request` | incoming mutual legal assistance request | optional | - |
| `pnr_hit` | PNR hit (passenger data matched a list) | required | - |

## XML

The same structure as elements, without namespaces: the root is `<message>` (with an
optional `schema_version` attribute); an object field is an element with child elements; a
list is an element with one child per item, named in the singular: `<subjects><subject>`,
`<nationalities><nationality>`, `<languages><language>`, `<addresses><address>`,
`<arrest_warrants><arrest_warrant>`, `<attachments><attachment>`, `<flags><flag>`,
`<related_references><reference>`. Integers are written as text. A field may appear once.

```xml
<message schema_version="1">
  <kind>red_notice</kind>
  <channel>interpol</channel>
  <references><interpol>2019/12345</interpol><issuing>RU-77/2019-0042</issuing></references>
  <issuing_country>RU</issuing_country>
  <received_at>2019-11-04T09:30:00+01:00</received_at>
  <subjects>
    <subject>
      <entity_id>2019/12345</entity_id>
      <forename>Aleksandr</forename><name>Ivanov</name>
      <date_of_birth>1980</date_of_birth>
      <nationalities><nationality>RU</nationality></nationalities>
      <sex>M</sex>
      <arrest_warrants>
        <arrest_warrant><charge>Мошенничество</charge><charge_translation>Fraud</charge_translation></arrest_warrant>
      </arrest_warrants>
    </subject>
  </subjects>
</message>
```

XML is read with the standard library's expat parser; document type declarations (and so
any entity declaration, internal or external) are refused, so entity expansion attacks and
external entities cannot occur (`defusedxml` is not a dependency). Input is limited to
`MAX_BYTES` (5 MB) and elements to a depth of 32.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final, Literal, NoReturn
from xml.parsers import expat

SCHEMA_VERSION: Final = "1"
MAX_BYTES: Final = 5_000_000
MAX_XML_DEPTH: Final = 32
#: Received messages may be stamped slightly ahead of the server clock.
CLOCK_SKEW: Final = dt.timedelta(minutes=5)

MAX_SHORT_TEXT: Final = 200
MAX_REFERENCE: Final = 64
MAX_SUMMARY: Final = 20_000
MAX_LONG_TEXT: Final = 2_000
MAX_FILENAME: Final = 255
MAX_SUBJECTS: Final = 50
MAX_WARRANTS: Final = 50
MAX_ADDRESSES: Final = 20
MAX_SMALL_LIST: Final = 20
MAX_ATTACHMENTS: Final = 100
MAX_RELATED: Final = 100
MAX_ATTACHMENT_SIZE: Final = 10 * 1024**3
EARLIEST_BIRTH_YEAR: Final = 1880
MOMENT_YEARS: Final = (1950, 2199)


# --------------------------------------------------------------------------------------------
# Vocabularies
# --------------------------------------------------------------------------------------------


class MessageKind(StrEnum):
    RED_NOTICE = "red_notice"
    YELLOW_NOTICE = "yellow_notice"
    BLUE_NOTICE = "blue_notice"
    BLACK_NOTICE = "black_notice"
    GREEN_NOTICE = "green_notice"
    ORANGE_NOTICE = "orange_notice"
    PURPLE_NOTICE = "purple_notice"
    UN_SPECIAL_NOTICE = "un_special_notice"
    DIFFUSION = "diffusion"
    SIRENE_ALERT = "sirene_alert"
    SIRENE_SUPPLEMENTARY = "sirene_supplementary"
    EUROPOL_MESSAGE = "europol_message"
    MLA_REQUEST = "mla_request"
    PNR_HIT = "pnr_hit"


#: Dutch labels for screens and triage reasons.
KIND_LABELS: Final[Mapping[MessageKind, str]] = {
    MessageKind.RED_NOTICE: "rode notice",
    MessageKind.YELLOW_NOTICE: "gele notice",
    MessageKind.BLUE_NOTICE: "blauwe notice",
    MessageKind.BLACK_NOTICE: "zwarte notice",
    MessageKind.GREEN_NOTICE: "groene notice",
    MessageKind.ORANGE_NOTICE: "oranje notice",
    MessageKind.PURPLE_NOTICE: "paarse notice",
    MessageKind.UN_SPECIAL_NOTICE: "Interpol-VN-Veiligheidsraad special notice",
    MessageKind.DIFFUSION: "diffusie",
    MessageKind.SIRENE_ALERT: "SIRENE-signalering",
    MessageKind.SIRENE_SUPPLEMENTARY: "SIRENE aanvullende informatie",
    MessageKind.EUROPOL_MESSAGE: "Europol-bericht",
    MessageKind.MLA_REQUEST: "rechtshulpverzoek",
    MessageKind.PNR_HIT: "PNR-hit",
}


class Purpose(StrEnum):
    ARREST = "arrest"
    LOCATE = "locate"
    MISSING = "missing"
    IDENTIFY = "identify"
    INFORMATION = "information"
    WARNING = "warning"
    SANCTIONS = "sanctions"


class Channel(StrEnum):
    INTERPOL = "interpol"
    SIRENE = "sirene"
    EUROPOL = "europol"
    JUDICIAL = "judicial"
    PNR = "pnr"
    LIAISON = "liaison"
    OTHER = "other"


class Flag(StrEnum):
    TERRORISM = "terrorism"
    IMMINENT_THREAT = "imminent_threat"
    ARMED_DANGEROUS = "armed_dangerous"
    MINOR = "minor"
    URGENT = "urgent"


class Sex(StrEnum):
    MALE = "M"
    FEMALE = "F"
    UNKNOWN = "U"


#: Purposes implied by the notice colour.
NOTICE_PURPOSE: Final[Mapping[MessageKind, Purpose]] = {
    MessageKind.RED_NOTICE: Purpose.ARREST,
    MessageKind.YELLOW_NOTICE: Purpose.MISSING,
    MessageKind.BLUE_NOTICE: Purpose.INFORMATION,
    MessageKind.BLACK_NOTICE: Purpose.IDENTIFY,
    MessageKind.GREEN_NOTICE: Purpose.WARNING,
    MessageKind.ORANGE_NOTICE: Purpose.WARNING,
    MessageKind.PURPLE_NOTICE: Purpose.INFORMATION,
    MessageKind.UN_SPECIAL_NOTICE: Purpose.SANCTIONS,
}
#: SIS articles (Regulation (EU) 2018/1862) and the purpose they imply.
SIRENE_ARTICLES: Final[Mapping[int, Purpose]] = {
    26: Purpose.ARREST,
    32: Purpose.MISSING,
    34: Purpose.LOCATE,
    36: Purpose.INFORMATION,
    38: Purpose.INFORMATION,
    40: Purpose.IDENTIFY,
}
#: Kinds that concern a person and so need at least one subject (SIRENE: not article 38).
SUBJECT_REQUIRED: Final[frozenset[MessageKind]] = frozenset(
    {
        MessageKind.RED_NOTICE,
        MessageKind.YELLOW_NOTICE,
        MessageKind.BLUE_NOTICE,
        MessageKind.BLACK_NOTICE,
        MessageKind.GREEN_NOTICE,
        MessageKind.UN_SPECIAL_NOTICE,
        MessageKind.DIFFUSION,
        MessageKind.SIRENE_ALERT,
        MessageKind.PNR_HIT,
    }
)

# ISO 3166-1 alpha-2, all 249 officially assigned codes (iso-codes 4.x).
_ISO_COUNTRY_CODES: Final = (
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ "
    "BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM "
    "DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS "
    "GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN "
    "KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ "
    "MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM "
    "PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV "
    "SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI "
    "VN VU WF WS YE YT ZA ZM ZW"
)
ISO_COUNTRIES: Final[frozenset[str]] = frozenset(_ISO_COUNTRY_CODES.split())
#: Countries (nationality, birth, address): ISO plus Kosovo's user-assigned code.
COUNTRIES: Final[frozenset[str]] = ISO_COUNTRIES | {"XK"}
#: Issuers: countries plus the exceptionally reserved codes of the EU and the UN.
ISSUERS: Final[frozenset[str]] = COUNTRIES | {"EU", "UN"}


# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------

#: code -> (English template, Dutch template). ``%(name)s`` placeholders take ``params``.
MESSAGES: Final[Mapping[str, tuple[str, str]]] = {
    "required": ("This field is required.", "Dit veld is verplicht."),
    "unknown_field": ("Unknown field.", "Onbekend veld."),
    "not_object": ("Must be an object.", "Moet een object zijn."),
    "not_list": ("Must be a list.", "Moet een lijst zijn."),
    "not_text": ("Must be text.", "Moet tekst zijn."),
    "not_integer": ("Must be a whole number.", "Moet een geheel getal zijn."),
    "too_long": (
        "Too long: at most %(max)s characters.",
        "Te lang: hoogstens %(max)s tekens.",
    ),
    "too_many": ("Too many items: at most %(max)s.", "Te veel elementen: hoogstens %(max)s."),
    "bad_characters": (
        "Contains control characters or other characters that are not allowed.",
        "Bevat stuurtekens of andere tekens die niet zijn toegestaan.",
    ),
    "choice": (
        "Unknown value “%(value)s”; expected one of: %(choices)s.",
        "Onbekende waarde “%(value)s”; verwacht een van: %(choices)s.",
    ),
    "country": (
        "Enter an ISO 3166-1 alpha-2 country code (two letters, e.g. “NL”).",
        "Geef een ISO 3166-1 alpha-2-landcode (twee letters, bijv. “NL”).",
    ),
    "language": (
        "Enter an ISO 639 language code of two or three letters (e.g. “nl”, “rus”).",
        "Geef een ISO 639-taalcode van twee of drie letters (bijv. “nl”, “rus”).",
    ),
    "datetime": (
        "Enter a date and time in ISO 8601 with a time zone, e.g. “2019-11-04T09:30:00+01:00”.",
        "Geef datum en tijd in ISO 8601 met tijdzone, bijv. “2019-11-04T09:30:00+01:00”.",
    ),
    "datetime_range": (
        "The year must lie between %(min)s and %(max)s.",
        "Het jaar moet tussen %(min)s en %(max)s liggen.",
    ),
    "date": (
        "Enter a date as YYYY, YYYY-MM or YYYY-MM-DD.",
        "Geef een datum als JJJJ, JJJJ-MM of JJJJ-MM-DD.",
    ),
    "full_date": ("Enter a date as YYYY-MM-DD.", "Geef een datum als JJJJ-MM-DD."),
    "date_invalid": ("This date does not exist.", "Deze datum bestaat niet."),
    "birth_year": (
        "The year of birth must lie between %(min)s and the date of receipt.",
        "Het geboortejaar moet tussen %(min)s en de ontvangstdatum liggen.",
    ),
    "after_received": (
        "Lies after the moment the message was received.",
        "Ligt na het moment waarop het bericht is ontvangen.",
    ),
    "deadline_before_received": (
        "The deadline lies before the moment the message was received.",
        "De termijn ligt vóór het moment waarop het bericht is ontvangen.",
    ),
    "future": ("Lies in the future.", "Ligt in de toekomst."),
    "interpol_reference": (
        "Enter an Interpol number as YYYY/NUMBER, e.g. “2019/12345”.",
        "Geef een Interpol-nummer als JJJJ/NUMMER, bijv. “2019/12345”.",
    ),
    "reference_required": (
        "At least one reference number is required (own, issuing or Interpol).",
        "Minstens één referentienummer is verplicht (eigen, verzoekend land of Interpol).",
    ),
    "purpose_required": ("A diffusion needs a purpose.", "Een diffusie heeft een doel nodig."),
    "purpose_conflict": (
        "This message always has purpose “%(expected)s”.",
        "Dit bericht heeft altijd doel “%(expected)s”.",
    ),
    "article_required": (
        "A SIRENE alert needs the article of the SIS regulation (26, 32, 34, 36, 38 or 40).",
        "Een SIRENE-signalering heeft het artikel van de SIS-verordening nodig "
        "(26, 32, 34, 36, 38 of 40).",
    ),
    "article_not_allowed": (
        "Only SIRENE messages have an article.",
        "Alleen SIRENE-berichten hebben een artikel.",
    ),
    "subjects_required": (
        "This kind of message needs at least one subject.",
        "Dit soort bericht heeft minstens één persoon nodig.",
    ),
    "warrant_required": (
        "A message for arrest needs at least one arrest warrant.",
        "Een bericht voor aanhouding heeft minstens één arrestatiebevel nodig.",
    ),
    "subject_identity": (
        "A subject needs a name, a forename or an entity id.",
        "Een persoon heeft een achternaam, voornaam of entity-id nodig.",
    ),
    "sha256": (
        "Enter a SHA-256 digest as 64 hexadecimal characters.",
        "Geef een SHA-256-hash als 64 hexadecimale tekens.",
    ),
    "media_type": (
        "Enter a media type such as “application/pdf”.",
        "Geef een mediatype zoals “application/pdf”.",
    ),
    "filename": (
        "Enter a file name without a directory.",
        "Geef een bestandsnaam zonder map.",
    ),
    "range": (
        "Must lie between %(min)s and %(max)s.",
        "Moet tussen %(min)s en %(max)s liggen.",
    ),
    "schema_version": (
        "Unsupported schema version; expected “%(expected)s”.",
        "Schemaversie wordt niet ondersteund; verwacht “%(expected)s”.",
    ),
    "empty": ("The message is empty.", "Het bericht is leeg."),
    "too_large": (
        "The message is too large: at most %(max)s bytes.",
        "Het bericht is te groot: hoogstens %(max)s bytes.",
    ),
    "encoding": ("The message is not valid UTF-8.", "Het bericht is geen geldige UTF-8."),
    "json_syntax": ("Not valid JSON: %(detail)s.", "Geen geldige JSON: %(detail)s."),
    "json_duplicate_key": (
        "The key “%(key)s” appears more than once in an object.",
        "De sleutel “%(key)s” komt meer dan eens voor in een object.",
    ),
    "json_constant": (
        "NaN and Infinity are not allowed.",
        "NaN en Infinity zijn niet toegestaan.",
    ),
    "too_deep": ("The message is nested too deeply.", "Het bericht is te diep genest."),
    "xml_syntax": ("Not well-formed XML: %(detail)s.", "Geen welgevormde XML: %(detail)s."),
    "xml_forbidden": (
        "Document type declarations and entity declarations are not allowed.",
        "Documenttypedeclaraties en entiteitdeclaraties zijn niet toegestaan.",
    ),
    "xml_root": ("The root element must be <message>.", "Het hoofdelement moet <message> zijn."),
    "xml_attribute": ("Unknown attribute “%(name)s”.", "Onbekend attribuut “%(name)s”."),
    "xml_repeated": ("Appears more than once.", "Komt meer dan eens voor."),
    "xml_elements_expected": (
        "Expected elements, not text.",
        "Verwacht elementen, geen tekst.",
    ),
    "xml_text_expected": ("Expected text, not elements.", "Verwacht tekst, geen elementen."),
    "xml_item": (
        "Expected <%(expected)s>, found <%(found)s>.",
        "Verwacht <%(expected)s>, gevonden <%(found)s>.",
    ),
}


@dataclass(frozen=True, slots=True)
class FieldError:
    """One problem in a message: where (``path``), what (``code``) and the template values."""

    path: str
    code: str
    params: tuple[tuple[str, str], ...] = ()

    @property
    def template(self) -> str:
        """The English template (a msgid for translation)."""
        return MESSAGES[self.code][0]

    @property
    def message(self) -> str:
        """English, with the parameters filled in."""
        return self.template % dict(self.params) if self.params else self.template

    @property
    def message_nl(self) -> str:
        """Dutch, with the parameters filled in."""
        template = MESSAGES[self.code][1]
        return template % dict(self.params) if self.params else template

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (for storing with a quarantined message)."""
        return {
            "path": self.path,
            "code": self.code,
            "params": dict(self.params),
            "message": self.message,
        }


class MessageError(ValueError):
    """The only exception the parsers raise for bad input; ``errors`` holds all errors."""

    def __init__(self, errors: Sequence[FieldError]) -> None:
        self.errors: tuple[FieldError, ...] = tuple(errors)
        super().__init__("; ".join(f"{e.path or '(message)'}: {e.message}" for e in self.errors))

    @classmethod
    def single(cls, code: str, path: str = "", **params: object) -> MessageError:
        return cls([FieldError(path, code, _params(params))])

    def as_dicts(self) -> list[dict[str, Any]]:
        return [e.as_dict() for e in self.errors]


def _params(params: Mapping[str, object]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((k, str(v)) for k, v in params.items()))


# --------------------------------------------------------------------------------------------
# The message
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, order=True)
class PartialDate:
    """A date of which only the year, or year and month, may be known."""

    year: int
    month: int | None = None
    day: int | None = None

    def __str__(self) -> str:
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    @property
    def is_complete(self) -> bool:
        return self.day is not None

    def as_date(self) -> dt.date | None:
        """The date when complete, else ``None``."""
        if self.month is None or self.day is None:
            return None
        return dt.date(self.year, self.month, self.day)

    def earliest(self) -> dt.date:
        """The first day this date may be."""
        return dt.date(self.year, self.month or 1, self.day or 1)


@dataclass(frozen=True, slots=True)
class ArrestWarrant:
    charge: str
    charge_translation: str = ""
    #: Empty: the message's issuing country.
    issuing_country: str = ""
    issuing_authority: str = ""
    date: dt.date | None = None


@dataclass(frozen=True, slots=True)
class Address:
    country: str
    locality: str = ""
    text: str = ""


@dataclass(frozen=True, slots=True)
class Subject:
    entity_id: str = ""
    forename: str = ""
    name: str = ""
    date_of_birth: PartialDate | None = None
    place_of_birth: str = ""
    country_of_birth: str = ""
    nationalities: tuple[str, ...] = ()
    sex: Sex | None = None
    distinguishing_marks: str = ""
    languages: tuple[str, ...] = ()
    addresses: tuple[Address, ...] = ()
    arrest_warrants: tuple[ArrestWarrant, ...] = ()

    @property
    def display_name(self) -> str:
        """The name as the desk writes it: "IVANOV, Aleksandr" (empty parts left out)."""
        if self.name and self.forename:
            return f"{self.name.upper()}, {self.forename}"
        return self.name.upper() or self.forename or self.entity_id


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str
    media_type: str
    size: int
    sha256: str


@dataclass(frozen=True, slots=True)
class References:
    own: str = ""
    issuing: str = ""
    interpol: str = ""


@dataclass(frozen=True, slots=True)
class Message:
    kind: MessageKind
    channel: Channel
    references: References
    issuing_country: str
    received_at: dt.datetime
    deadline: dt.datetime | None = None
    purpose: Purpose | None = None
    sirene_article: int | None = None
    summary: str = ""
    flags: frozenset[Flag] = field(default_factory=frozenset)
    subjects: tuple[Subject, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    related_references: tuple[str, ...] = ()
    schema_version: str = SCHEMA_VERSION

    @property
    def effective_purpose(self) -> Purpose | None:
        """The purpose given, else the one implied by the notice colour or SIRENE article."""
        if self.purpose is not None:
            return self.purpose
        if self.kind in NOTICE_PURPOSE:
            return NOTICE_PURPOSE[self.kind]
        if self.sirene_article is not None:
            return SIRENE_ARTICLES.get(self.sirene_article)
        return None

    @property
    def warrants(self) -> tuple[ArrestWarrant, ...]:
        """All arrest warrants of all subjects."""
        return tuple(w for s in self.subjects for w in s.arrest_warrants)


# --------------------------------------------------------------------------------------------
# Validation of a decoded JSON value
# --------------------------------------------------------------------------------------------


class _Reported:
    """The XML reader put this where it already reported an error: not reported again."""

    __slots__ = ()


_REPORTED: Final = _Reported()

_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_INTERPOL_NUMBER = re.compile(r"[0-9]{4}/[0-9]{1,7}")
_PARTIAL_DATE = re.compile(r"([0-9]{4})(?:([-/])([0-9]{1,2})(?:\2([0-9]{1,2}))?)?")
_FULL_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_LANGUAGE = re.compile(r"[a-z]{2,3}")
_SHA256 = re.compile(r"[0-9a-f]{64}")
_MEDIA_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]{0,126}/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}")

_MESSAGE_FIELDS: Final = frozenset(
    {
        "schema_version",
        "kind",
        "purpose",
        "sirene_article",
        "channel",
        "references",
        "issuing_country",
        "received_at",
        "deadline",
        "summary",
        "flags",
        "subjects",
        "attachments",
        "related_references",
    }
)
_REFERENCE_FIELDS: Final = frozenset({"own", "issuing", "interpol"})
_SUBJECT_FIELDS: Final = frozenset(
    {
        "entity_id",
        "forename",
        "name",
        "date_of_birth",
        "place_of_birth",
        "country_of_birth",
        "nationalities",
        "sex",
        "distinguishing_marks",
        "languages",
        "addresses",
        "arrest_warrants",
    }
)
_ADDRESS_FIELDS: Final = frozenset({"country", "locality", "text"})
_WARRANT_FIELDS: Final = frozenset(
    {"charge", "charge_translation", "issuing_country", "issuing_authority", "date"}
)
_ATTACHMENT_FIELDS: Final = frozenset({"filename", "media_type", "size", "sha256"})


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


class _Checker:
    """Collects every error while reading a decoded message."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def add(self, path: str, code: str, **params: object) -> None:
        self.errors.append(FieldError(path, code, _params(params)))

    # --- structure ----------------------------------------------------------------------

    def obj(self, value: object, path: str, allowed: frozenset[str]) -> Mapping[str, Any] | None:
        if isinstance(value, _Reported):
            return None
        if not isinstance(value, Mapping):
            self.add(path, "not_object")
            return None
        for key in value:
            if key not in allowed:
                self.add(_join(path, str(key)), "unknown_field")
        return value

    def items(self, d: Mapping[str, Any], key: str, path: str, limit: int) -> list[tuple[str, Any]]:
        p = _join(path, key)
        value = d.get(key)
        if value is None or isinstance(value, _Reported):
            return []
        if not isinstance(value, list | tuple):
            self.add(p, "not_list")
            return []
        if len(value) > limit:
            self.add(p, "too_many", max=limit)
            value = value[:limit]
        return [(f"{p}[{i}]", item) for i, item in enumerate(value)]

    # --- values -------------------------------------------------------------------------

    def clean_text(
        self, value: object, path: str, *, required: bool, max_length: int, multiline: bool
    ) -> str:
        """The trimmed text, or "" when absent or invalid (the error is added)."""
        if isinstance(value, _Reported):
            return ""
        if value is None:
            if required:
                self.add(path, "required")
            return ""
        if not isinstance(value, str):
            self.add(path, "not_text")
            return ""
        if _BAD_CHARS.search(value.replace("\r", "")):
            self.add(path, "bad_characters")
            return ""
        text = value.replace("\r\n", "\n").replace("\r", "\n").strip()
        if not multiline:
            text = " ".join(text.split())
        if not text:
            if required:
                self.add(path, "required")
            return ""
        if len(text) > max_length:
            self.add(path, "too_long", max=max_length)
            return ""
        return text

    def text(
        self,
        d: Mapping[str, Any],
        key: str,
        path: str,
        *,
        required: bool = False,
        max_length: int = MAX_SHORT_TEXT,
        multiline: bool = False,
    ) -> str:
        return self.clean_text(
            d.get(key),
            _join(path, key),
            required=required,
            max_length=max_length,
            multiline=multiline,
        )

    def choice[E: StrEnum](
        self, d: Mapping[str, Any], key: str, path: str, enum: type[E], *, required: bool = False
    ) -> E | None:
        p = _join(path, key)
        return self.clean_choice(d.get(key), p, enum, required=required)

    def clean_choice[E: StrEnum](
        self, value: object, path: str, enum: type[E], *, required: bool = False
    ) -> E | None:
        text = self.clean_text(value, path, required=required, max_length=100, multiline=False)
        if not text:
            return None
        try:
            return enum(text)
        except ValueError:
            self.add(path, "choice", value=text, choices=", ".join(e.value for e in enum))
            return None

    def clean_country(
        self, value: object, path: str, *, allowed: frozenset[str], required: bool = False
    ) -> str:
        text = self.clean_text(value, path, required=required, max_length=10, multiline=False)
        if not text:
            return ""
        code = text.upper()
        if not (text.isascii() and code in allowed):
            self.add(path, "country")
            return ""
        return code

    def country(
        self,
        d: Mapping[str, Any],
        key: str,
        path: str,
        *,
        allowed: frozenset[str] = COUNTRIES,
        required: bool = False,
    ) -> str:
        return self.clean_country(d.get(key), _join(path, key), allowed=allowed, required=required)

    def interpol_number(self, d: Mapping[str, Any], key: str, path: str) -> str:
        p = _join(path, key)
        text = self.text(d, key, path, max_length=MAX_REFERENCE)
        if text and not _INTERPOL_NUMBER.fullmatch(text):
            self.add(p, "interpol_reference")
            return ""
        return text

    def moment(
        self, d: Mapping[str, Any], key: str, path: str, *, required: bool = False
    ) -> dt.datetime | None:
        p = _join(path, key)
        text = self.text(d, key, path, required=required, max_length=64)
        if not text:
            return None
        try:
            value = dt.datetime.fromisoformat(text)
        except (ValueError, OverflowError):
            self.add(p, "datetime")
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            self.add(p, "datetime")
            return None
        lo, hi = MOMENT_YEARS
        if not lo <= value.year <= hi:
            self.add(p, "datetime_range", min=lo, max=hi)
            return None
        return value

    def partial_date(self, d: Mapping[str, Any], key: str, path: str) -> PartialDate | None:
        p = _join(path, key)
        text = self.text(d, key, path, max_length=20)
        if not text:
            return None
        m = _PARTIAL_DATE.fullmatch(text)
        if m is None:
            self.add(p, "date")
            return None
        year = int(m.group(1))
        month = int(m.group(3)) if m.group(3) else None
        day = int(m.group(4)) if m.group(4) else None
        try:
            dt.date(year if year >= 1 else 1, month or 1, day or 1)
        except ValueError:
            self.add(p, "date_invalid")
            return None
        if year < EARLIEST_BIRTH_YEAR:
            self.add(p, "birth_year", min=EARLIEST_BIRTH_YEAR)
            return None
        return PartialDate(year, month, day)

    def full_date(self, d: Mapping[str, Any], key: str, path: str) -> dt.date | None:
        p = _join(path, key)
        text = self.text(d, key, path, max_length=20)
        if not text:
            return None
        m = _FULL_DATE.fullmatch(text)
        if m is None:
            self.add(p, "full_date")
            return None
        try:
            value = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            self.add(p, "date_invalid")
            return None
        if value.year < MOMENT_YEARS[0] - 100:
            self.add(p, "datetime_range", min=MOMENT_YEARS[0] - 100, max=MOMENT_YEARS[1])
            return None
        return value

    def integer(
        self, d: Mapping[str, Any], key: str, path: str, *, lo: int, hi: int, required: bool
    ) -> int | None:
        p = _join(path, key)
        value = d.get(key)
        if isinstance(value, _Reported):
            return None
        if value is None or value == "":
            if required:
                self.add(p, "required")
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(p, "not_integer")
            return None
        if not lo <= value <= hi:
            self.add(p, "range", min=lo, max=hi)
            return None
        return value


def _read_subject(c: _Checker, value: object, path: str) -> Subject | None:
    d = c.obj(value, path, _SUBJECT_FIELDS)
    if d is None:
        return None
    entity_id = c.interpol_number(d, "entity_id", path)
    forename = c.text(d, "forename", path)
    name = c.text(d, "name", path)
    dob = c.partial_date(d, "date_of_birth", path)
    place = c.text(d, "place_of_birth", path)
    country_of_birth = c.country(d, "country_of_birth", path)
    nationalities = sorted(
        {
            code
            for p, item in c.items(d, "nationalities", path, MAX_SMALL_LIST)
            if (code := c.clean_country(item, p, allowed=COUNTRIES, required=True))
        }
    )
    sex_text = c.text(d, "sex", path, max_length=10).upper()
    sex: Sex | None = None
    if sex_text:
        try:
            sex = Sex(sex_text)
        except ValueError:
            c.add(_join(path, "sex"), "choice", value=sex_text, choices=", ".join(s for s in Sex))
    marks = c.text(d, "distinguishing_marks", path, max_length=MAX_LONG_TEXT, multiline=True)
    languages: list[str] = []
    for p, item in c.items(d, "languages", path, MAX_SMALL_LIST):
        code = c.clean_text(item, p, required=True, max_length=10, multiline=False).lower()
        if not code:
            continue
        if not (code.isascii() and _LANGUAGE.fullmatch(code)):
            c.add(p, "language")
        elif code not in languages:
            languages.append(code)
    addresses: list[Address] = []
    for p, item in c.items(d, "addresses", path, MAX_ADDRESSES):
        a = c.obj(item, p, _ADDRESS_FIELDS)
        if a is None:
            continue
        country = c.country(a, "country", p, required=True)
        locality = c.text(a, "locality", p)
        text = c.text(a, "text", p, max_length=MAX_LONG_TEXT)
        if country:
            addresses.append(Address(country, locality, text))
    warrants: list[ArrestWarrant] = []
    for p, item in c.items(d, "arrest_warrants", path, MAX_WARRANTS):
        w = c.obj(item, p, _WARRANT_FIELDS)
        if w is None:
            continue
        charge = c.text(w, "charge", p, required=True, max_length=MAX_LONG_TEXT, multiline=True)
        translation = c.text(w, "charge_translation", p, max_length=MAX_LONG_TEXT, multiline=True)
        issuer = c.country(w, "issuing_country", p, allowed=ISSUERS)
        authority = c.text(w, "issuing_authority", p)
        date = c.full_date(w, "date", p)
        if charge:
            warrants.append(ArrestWarrant(charge, translation, issuer, authority, date))
    return Subject(
        entity_id=entity_id,
        forename=forename,
        name=name,
        date_of_birth=dob,
        place_of_birth=place,
        country_of_birth=country_of_birth,
        nationalities=tuple(nationalities),
        sex=sex,
        distinguishing_marks=marks,
        languages=tuple(languages),
        addresses=tuple(addresses),
        arrest_warrants=tuple(warrants),
    )


def _read_attachment(c: _Checker, value: object, path: str) -> Attachment | None:
    d = c.obj(value, path, _ATTACHMENT_FIELDS)
    if d is None:
        return None
    filename = c.text(d, "filename", path, required=True, max_length=MAX_FILENAME)
    if filename and ("/" in filename or "\\" in filename or filename in (".", "..")):
        c.add(_join(path, "filename"), "filename")
        filename = ""
    media_type = c.text(d, "media_type", path, required=True, max_length=255).lower()
    if media_type and not (media_type.isascii() and _MEDIA_TYPE.fullmatch(media_type)):
        c.add(_join(path, "media_type"), "media_type")
        media_type = ""
    size = c.integer(d, "size", path, lo=0, hi=MAX_ATTACHMENT_SIZE, required=True)
    sha = c.text(d, "sha256", path, required=True, max_length=64).lower()
    if sha and not (sha.isascii() and _SHA256.fullmatch(sha)):
        c.add(_join(path, "sha256"), "sha256")
        sha = ""
    if not (filename and media_type and size is not None and sha):
        return None
    return Attachment(filename, media_type, size, sha)


def _check_rules(
    c: _Checker,
    kind: MessageKind | None,
    purpose: Purpose | None,
    article: int | None,
    subjects: Sequence[tuple[str, Subject]],
    received_at: dt.datetime | None,
) -> None:
    """The rules between fields (see the module docstring)."""
    if kind is None:
        return
    implied: Purpose | None = NOTICE_PURPOSE.get(kind)
    if kind in (MessageKind.SIRENE_ALERT, MessageKind.SIRENE_SUPPLEMENTARY):
        if article is None and kind is MessageKind.SIRENE_ALERT:
            c.add("sirene_article", "article_required")
        if article is not None:
            implied = SIRENE_ARTICLES[article]
    elif article is not None:
        c.add("sirene_article", "article_not_allowed")
    if kind is MessageKind.DIFFUSION and purpose is None:
        c.add("purpose", "purpose_required")
    if purpose is not None and implied is not None and purpose is not implied:
        c.add("purpose", "purpose_conflict", expected=implied.value)
    effective = purpose or implied

    needs_subject = kind in SUBJECT_REQUIRED and not (
        kind is MessageKind.SIRENE_ALERT and article == 38
    )
    if needs_subject and not subjects:
        c.add("subjects", "subjects_required")
    needs_warrant = (
        kind is MessageKind.RED_NOTICE
        or (kind is MessageKind.DIFFUSION and effective is Purpose.ARREST)
        or (kind is MessageKind.SIRENE_ALERT and article == 26)
    )
    if needs_warrant and subjects and not any(s.arrest_warrants for _, s in subjects):
        c.add("subjects", "warrant_required")
    for path, s in subjects:
        if kind is not MessageKind.BLACK_NOTICE and not (s.name or s.forename or s.entity_id):
            c.add(path, "subject_identity")
        if received_at is not None:
            received = received_at.date()
            if s.date_of_birth is not None and s.date_of_birth.earliest() > received:
                c.add(_join(path, "date_of_birth"), "after_received")
            for i, w in enumerate(s.arrest_warrants):
                if w.date is not None and w.date > received:
                    c.add(f"{path}.arrest_warrants[{i}].date", "after_received")


def from_dict(data: object, *, now: dt.datetime | None = None) -> Message:
    """Validate a decoded JSON value and build the message; raises :class:`MessageError`
    with all errors. ``now`` (aware) refuses messages received in the future."""
    c = _Checker()
    message = _read_message(c, data, now)
    if c.errors or message is None:
        raise MessageError(c.errors or [FieldError("", "not_object")])
    return message


def _read_message(c: _Checker, data: object, now: dt.datetime | None) -> Message | None:
    d = c.obj(data, "", _MESSAGE_FIELDS)
    if d is None:
        return None
    version = d.get("schema_version")
    if version is not None and not isinstance(version, _Reported) and str(version) != "1":
        c.add("schema_version", "schema_version", expected=SCHEMA_VERSION)
    kind = c.choice(d, "kind", "", MessageKind, required=True)
    purpose = c.choice(d, "purpose", "", Purpose)
    article = c.integer(d, "sirene_article", "", lo=0, hi=10_000, required=False)
    if article is not None and article not in SIRENE_ARTICLES:
        c.add(
            "sirene_article",
            "choice",
            value=article,
            choices=", ".join(str(a) for a in SIRENE_ARTICLES),
        )
        article = None
    channel = c.choice(d, "channel", "", Channel, required=True)

    references = References()
    if d.get("references") is None:
        c.add("references", "reference_required")
    else:
        r = c.obj(d.get("references"), "references", _REFERENCE_FIELDS)
        if r is not None:
            references = References(
                own=c.text(r, "own", "references", max_length=MAX_REFERENCE),
                issuing=c.text(r, "issuing", "references", max_length=MAX_REFERENCE),
                interpol=c.interpol_number(r, "interpol", "references"),
            )
            if not (references.own or references.issuing or references.interpol) and not any(
                isinstance(v, _Reported) or (v is not None and v != "") for v in r.values()
            ):
                c.add("references", "reference_required")

    issuing_country = c.country(d, "issuing_country", "", allowed=ISSUERS, required=True)
    received_at = c.moment(d, "received_at", "", required=True)
    if received_at is not None and now is not None and received_at > now + CLOCK_SKEW:
        c.add("received_at", "future")
    deadline = c.moment(d, "deadline", "")
    if deadline is not None and received_at is not None and deadline < received_at:
        c.add("deadline", "deadline_before_received")
    summary = c.text(d, "summary", "", max_length=MAX_SUMMARY, multiline=True)
    flags = frozenset(
        flag
        for p, item in c.items(d, "flags", "", len(Flag) * 2)
        if (flag := c.clean_choice(item, p, Flag, required=True)) is not None
    )
    subjects = [
        (p, s)
        for p, item in c.items(d, "subjects", "", MAX_SUBJECTS)
        if (s := _read_subject(c, item, p)) is not None
    ]
    attachments = [
        a
        for p, item in c.items(d, "attachments", "", MAX_ATTACHMENTS)
        if (a := _read_attachment(c, item, p)) is not None
    ]
    related: list[str] = []
    for p, item in c.items(d, "related_references", "", MAX_RELATED):
        ref = c.clean_text(item, p, required=True, max_length=MAX_REFERENCE, multiline=False)
        if ref and ref not in related:
            related.append(ref)

    _check_rules(c, kind, purpose, article, subjects, received_at)
    if c.errors or kind is None or channel is None or received_at is None:
        return None
    return Message(
        kind=kind,
        channel=channel,
        references=references,
        issuing_country=issuing_country,
        received_at=received_at,
        deadline=deadline,
        purpose=purpose,
        sirene_article=article,
        summary=summary,
        flags=flags,
        subjects=tuple(s for _, s in subjects),
        attachments=tuple(attachments),
        related_references=tuple(related),
    )


# --------------------------------------------------------------------------------------------
# JSON
# --------------------------------------------------------------------------------------------


class _DuplicateKeyError(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


class _ConstantError(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKeyError(key)
        out[key] = value
    return out


def _refuse_constant(_name: str) -> NoReturn:
    raise _ConstantError


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        if len(data) > MAX_BYTES:
            raise MessageError.single("too_large", max=MAX_BYTES)
        return data
    if not isinstance(data, bytes | bytearray | memoryview):
        raise MessageError.single("not_text")
    raw = bytes(data)
    if len(raw) > MAX_BYTES:
        raise MessageError.single("too_large", max=MAX_BYTES)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise MessageError.single("encoding") from None


def parse_json(data: bytes | str, *, now: dt.datetime | None = None) -> Message:
    """A message from JSON (UTF-8 bytes or text); raises only :class:`MessageError`."""
    text = _decode(data)
    if not text.strip():
        raise MessageError.single("empty")
    try:
        value = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_refuse_constant)
    except _DuplicateKeyError as exc:
        raise MessageError.single("json_duplicate_key", key=exc.key[:100]) from None
    except _ConstantError:
        raise MessageError.single("json_constant") from None
    except RecursionError:
        raise MessageError.single("too_deep") from None
    except json.JSONDecodeError as exc:
        raise MessageError.single("json_syntax", detail=_json_detail(exc)) from None
    except ValueError as exc:  # e.g. an integer with more digits than Python converts
        raise MessageError.single("json_syntax", detail=str(exc)[:200]) from None
    return from_dict(value, now=now)


def _json_detail(exc: json.JSONDecodeError) -> str:
    return f"{exc.msg} (line {exc.lineno}, column {exc.colno})"


def to_dict(message: Message) -> dict[str, Any]:
    """The JSON-ready form of ``message`` (absent values left out)."""
    out: dict[str, Any] = {"schema_version": message.schema_version, "kind": message.kind.value}
    if message.purpose is not None:
        out["purpose"] = message.purpose.value
    if message.sirene_article is not None:
        out["sirene_article"] = message.sirene_article
    out["channel"] = message.channel.value
    out["references"] = _drop_empty(
        {
            "own": message.references.own,
            "issuing": message.references.issuing,
            "interpol": message.references.interpol,
        }
    )
    out["issuing_country"] = message.issuing_country
    out["received_at"] = message.received_at.isoformat()
    if message.deadline is not None:
        out["deadline"] = message.deadline.isoformat()
    if message.summary:
        out["summary"] = message.summary
    if message.flags:
        out["flags"] = sorted(f.value for f in message.flags)
    if message.subjects:
        out["subjects"] = [_subject_dict(s) for s in message.subjects]
    if message.attachments:
        out["attachments"] = [
            {"filename": a.filename, "media_type": a.media_type, "size": a.size, "sha256": a.sha256}
            for a in message.attachments
        ]
    if message.related_references:
        out["related_references"] = list(message.related_references)
    return out


def _drop_empty(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v not in ("", None, [], ())}


def _subject_dict(s: Subject) -> dict[str, Any]:
    return _drop_empty(
        {
            "entity_id": s.entity_id,
            "forename": s.forename,
            "name": s.name,
            "date_of_birth": str(s.date_of_birth) if s.date_of_birth else None,
            "place_of_birth": s.place_of_birth,
            "country_of_birth": s.country_of_birth,
            "nationalities": list(s.nationalities),
            "sex": s.sex.value if s.sex else None,
            "distinguishing_marks": s.distinguishing_marks,
            "languages": list(s.languages),
            "addresses": [
                _drop_empty({"country": a.country, "locality": a.locality, "text": a.text})
                for a in s.addresses
            ],
            "arrest_warrants": [
                _drop_empty(
                    {
                        "charge": w.charge,
                        "charge_translation": w.charge_translation,
                        "issuing_country": w.issuing_country,
                        "issuing_authority": w.issuing_authority,
                        "date": w.date.isoformat() if w.date else None,
                    }
                )
                for w in s.arrest_warrants
            ],
        }
    )


def to_json(message: Message, *, indent: int | None = None) -> str:
    return json.dumps(to_dict(message), ensure_ascii=False, indent=indent)


# --------------------------------------------------------------------------------------------
# XML
# --------------------------------------------------------------------------------------------

#: List fields and the element name of their items.
XML_LIST_ITEMS: Final[Mapping[str, str]] = {
    "flags": "flag",
    "subjects": "subject",
    "nationalities": "nationality",
    "languages": "language",
    "addresses": "address",
    "arrest_warrants": "arrest_warrant",
    "attachments": "attachment",
    "related_references": "reference",
}
#: Elements that hold an object (child elements).
_XML_OBJECTS: Final = frozenset(
    {"references", "subject", "address", "arrest_warrant", "attachment"}
)
#: Leaf elements whose text is an integer.
_XML_INTEGERS: Final = frozenset({"size", "sirene_article"})
_DIGITS = re.compile(r"[0-9]{1,20}")


class _XmlRefusedError(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(slots=True)
class _Node:
    tag: str
    attrs: dict[str, str]
    children: list[_Node] = field(default_factory=list)
    text: list[str] = field(default_factory=list)


def _refuse_declaration(*_args: object) -> NoReturn:
    raise _XmlRefusedError("xml_forbidden")


def _read_xml_tree(raw: bytes) -> _Node:
    """Parse with expat into plain nodes; DTDs and entity declarations are refused."""
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _refuse_declaration
    parser.EntityDeclHandler = _refuse_declaration
    parser.UnparsedEntityDeclHandler = _refuse_declaration
    parser.NotationDeclHandler = _refuse_declaration
    parser.ExternalEntityRefHandler = _refuse_declaration
    stack: list[_Node] = []
    roots: list[_Node] = []

    def start(tag: str, attrs: dict[str, str]) -> None:
        if len(stack) >= MAX_XML_DEPTH:
            raise _XmlRefusedError("too_deep")
        node = _Node(tag, attrs)
        (stack[-1].children if stack else roots).append(node)
        stack.append(node)

    def end(_tag: str) -> None:
        stack.pop()

    def text(data: str) -> None:
        if stack:
            stack[-1].text.append(data)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    parser.Parse(raw, True)
    if len(roots) != 1:  # expat already refuses documents without exactly one root
        raise _XmlRefusedError("xml_root")
    return roots[0]


def parse_xml(data: bytes | str, *, now: dt.datetime | None = None) -> Message:
    """A message from XML (see the module docstring); raises only :class:`MessageError`."""
    if isinstance(data, str):
        if len(data) > MAX_BYTES:
            raise MessageError.single("too_large", max=MAX_BYTES)
        try:
            raw = data.encode("utf-8")
        except UnicodeEncodeError:
            raise MessageError.single("encoding") from None
        if raw.lstrip()[:5].lower() == b"<?xml":
            # Text is already decoded: drop a declaration that names another encoding.
            raw = re.sub(rb"^\s*<\?xml[^>]*\?>", b"", raw, count=1)
    elif isinstance(data, bytes | bytearray | memoryview):
        raw = bytes(data)
    else:
        raise MessageError.single("not_text")
    if len(raw) > MAX_BYTES:
        raise MessageError.single("too_large", max=MAX_BYTES)
    if not raw.strip():
        raise MessageError.single("empty")
    try:
        root = _read_xml_tree(raw)
    except _XmlRefusedError as exc:
        raise MessageError.single(exc.code) from None
    except expat.ExpatError as exc:
        detail = expat.ErrorString(exc.code) if exc.code else str(exc)
        raise MessageError.single(
            "xml_syntax", detail=f"{detail} (line {exc.lineno}, column {exc.offset})"
        ) from None
    except (ValueError, RecursionError, LookupError):  # unknown encoding and the like
        raise MessageError.single("xml_syntax", detail="unreadable document") from None
    if root.tag != "message":
        raise MessageError.single("xml_root")
    c = _Checker()
    value = _xml_object(c, root, "")
    for name, attr in root.attrs.items():
        if name == "schema_version":
            value["schema_version"] = attr
        else:
            c.add("", "xml_attribute", name=name[:100])
    message = _read_message(c, value, now)
    if c.errors or message is None:
        raise MessageError(c.errors or [FieldError("", "not_object")])
    return message


def _xml_value(c: _Checker, node: _Node, path: str) -> object:
    if node.attrs:
        for name in node.attrs:
            c.add(path, "xml_attribute", name=name[:100])
    if node.tag in XML_LIST_ITEMS:
        item_tag = XML_LIST_ITEMS[node.tag]
        if "".join(node.text).strip():
            c.add(path, "xml_elements_expected")
            return _REPORTED
        out: list[object] = []
        for i, child in enumerate(node.children):
            item_path = f"{path}[{i}]"
            if child.tag != item_tag:
                c.add(item_path, "xml_item", expected=item_tag, found=child.tag[:100])
                out.append(_REPORTED)
            else:
                out.append(_xml_value(c, child, item_path))
        return out
    if node.tag in _XML_OBJECTS:
        if "".join(node.text).strip():
            c.add(path, "xml_elements_expected")
            return _REPORTED
        return _xml_object(c, node, path)
    if node.children:
        c.add(path, "xml_text_expected")
        return _REPORTED
    text = "".join(node.text)
    if node.tag in _XML_INTEGERS and _DIGITS.fullmatch(text.strip()):
        return int(text.strip())
    return text


def _xml_object(c: _Checker, node: _Node, path: str) -> dict[str, object]:
    out: dict[str, object] = {}
    if "".join(node.text).strip():
        c.add(path, "xml_elements_expected")
    for child in node.children:
        child_path = _join(path, child.tag)
        if child.tag in out:
            if not isinstance(out[child.tag], _Reported):
                c.add(child_path, "xml_repeated")
            out[child.tag] = _REPORTED
            continue
        out[child.tag] = _xml_value(c, child, child_path)
    return out


def _escape(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def _xml_lines(tag: str, value: object, indent: int, out: list[str]) -> None:
    pad = "  " * indent
    if value is None:
        return
    if isinstance(value, Mapping):
        out.append(f"{pad}<{tag}>")
        for key, item in value.items():
            _xml_lines(str(key), item, indent + 1, out)
        out.append(f"{pad}</{tag}>")
    elif isinstance(value, list | tuple):
        out.append(f"{pad}<{tag}>")
        for item in value:
            _xml_lines(XML_LIST_ITEMS.get(tag, "item"), item, indent + 1, out)
        out.append(f"{pad}</{tag}>")
    else:
        out.append(f"{pad}<{tag}>{_escape(str(value))}</{tag}>")


def dict_to_xml(data: Mapping[str, Any]) -> str:
    """The XML form of a message in its JSON form (see the module docstring); keys must be
    valid XML names. Used by :func:`to_xml` and by the synthetic traffic, which also writes
    invalid messages."""
    body = dict(data)
    version = body.pop("schema_version", None)
    attribute = f' schema_version="{_escape(str(version))}"' if version is not None else ""
    out = ['<?xml version="1.0" encoding="UTF-8"?>', f"<message{attribute}>"]
    for key, value in body.items():
        _xml_lines(key, value, 1, out)
    out.append("</message>")
    return "\n".join(out) + "\n"


def to_xml(message: Message) -> str:
    """The XML form of ``message`` (UTF-8 declaration; see the module docstring)."""
    return dict_to_xml(to_dict(message))


# --------------------------------------------------------------------------------------------
# Either
# --------------------------------------------------------------------------------------------


def parse(
    data: bytes | str,
    *,
    syntax: Literal["json", "xml"] | None = None,
    now: dt.datetime | None = None,
) -> Message:
    """A message from JSON or XML; without ``syntax`` XML when the first character after
    whitespace (and a byte-order mark) is ``<``. Raises only :class:`MessageError`."""
    if syntax is None:
        if isinstance(data, str):
            head: str = data[:64].lstrip("\ufeff \t\r\n")
            syntax = "xml" if head.startswith("<") else "json"
        elif isinstance(data, bytes | bytearray | memoryview):
            head_bytes = bytes(data[:64]).removeprefix(b"\xef\xbb\xbf").lstrip()
            syntax = "xml" if head_bytes.startswith(b"<") else "json"
        else:
            raise MessageError.single("not_text")
    if syntax == "xml":
        return parse_xml(data, now=now)
    return parse_json(data, now=now)


__all__ = [
    "COUNTRIES",
    "ISO_COUNTRIES",
    "ISSUERS",
    "KIND_LABELS",
    "MAX_BYTES",
    "MESSAGES",
    "NOTICE_PURPOSE",
    "SIRENE_ARTICLES",
    "SUBJECT_REQUIRED",
    "Address",
    "ArrestWarrant",
    "Attachment",
    "Channel",
    "FieldError",
    "Flag",
    "Message",
    "MessageError",
    "MessageKind",
    "PartialDate",
    "Purpose",
    "References",
    "Sex",
    "Subject",
    "dict_to_xml",
    "from_dict",
    "parse",
    "parse_json",
    "parse_xml",
    "to_dict",
    "to_json",
    "to_xml",
]
