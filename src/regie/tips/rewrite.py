"""Identifying details in a tip, and the check of the desk's rewrite.

A tip is never forwarded in the reporter's own words: the desk rewrites it so the reporter
cannot be recognised by style or by details only they know. This module finds identifying
details (:func:`find_details`) - for highlighting in the original - and checks the rewrite
(:func:`check_rewrite`): which details of the original still appear in it, and which new ones
it contains.

Detection is rule-based (regular expressions, check digits, a few word lists), tuned to
flag too much rather than too little: the tool highlights, a person decides. Kinds
(:class:`Kind`): phone numbers (Dutch mobile, landline, +31/0031, and other international
numbers), e-mail addresses, IBANs (mod-97), BSNs (elfproef), Dutch licence plates (side
codes with dashes, or six characters in capitals), postcodes (with house number), street
addresses (street name with a Dutch street suffix, with or without number), dates
(numeric, "12 maart 2024", weekdays), times ("21:30", "half tien" is not recognised, "om 9
uur"), ages ("34 jaar", "17-jarige"), URLs, social-media handles, and person names
(capitalised word sequences with *tussenvoegsels*, names after titles such as "meneer" and
"mevrouw", and names after cues such as "heet", "genaamd", "bijnaam"). Single capitalised
words inside a sentence are flagged as names too (they are often places or nicknames);
known non-names (months, weekdays, common brands and institutions) are not.

Comparison is by normalised key: "06-12345678", "06 123 456 78" and "+31 6 12345678" are
the same number; "12-ABC-3" and "12abc3" the same plate; names compare case-insensitively
by their significant words (not particles and titles) - so "Jan de Vries" in the original
is found in the rewrite as "de heer De Vries" or "vries".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final

from regie.registration.normalise import (
    PARTICLES,
    normalise_bsn,
    normalise_plate,
    normalise_postcode,
    street_key,
    valid_plate_nl,
)


class Kind(StrEnum):
    EMAIL = "email"
    URL = "url"
    IBAN = "iban"
    PHONE = "phone"
    BSN = "bsn"
    HANDLE = "handle"
    POSTCODE = "postcode"
    ADDRESS = "address"
    PLATE = "plate"
    DATE = "date"
    TIME = "time"
    AGE = "age"
    NAME = "name"


#: Dutch labels (with article) for messages.
LABELS: Final = {
    Kind.EMAIL: "het e-mailadres",
    Kind.URL: "de internetlink",
    Kind.IBAN: "het rekeningnummer (IBAN)",
    Kind.PHONE: "het telefoonnummer",
    Kind.BSN: "het burgerservicenummer",
    Kind.HANDLE: "de gebruikersnaam",
    Kind.POSTCODE: "de postcode",
    Kind.ADDRESS: "het adres",
    Kind.PLATE: "het kenteken",
    Kind.DATE: "de datum",
    Kind.TIME: "het tijdstip",
    Kind.AGE: "de leeftijd",
    Kind.NAME: "de naam",
}
#: Priority when candidates overlap: earlier wins.
_PRIORITY: Final = {kind: i for i, kind in enumerate(Kind)}


@dataclass(frozen=True, slots=True)
class Span:
    """A detected detail: ``text[start:end]``; ``keys`` are its normalised comparison keys
    (an address has the street and street + number; a name one key per significant word)."""

    kind: Kind
    start: int
    end: int
    text: str
    keys: frozenset[str] = field(compare=False)

    @property
    def label(self) -> str:
        return LABELS[self.kind]


# --------------------------------------------------------------------------------------------
# Word lists
# --------------------------------------------------------------------------------------------

MONTHS: Final = {
    "januari": 1, "jan": 1, "februari": 2, "feb": 2, "maart": 3, "mrt": 3, "april": 4,
    "apr": 4, "mei": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7, "augustus": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9, "oktober": 10, "okt": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}  # fmt: skip
WEEKDAYS: Final = (
    "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag",
)  # fmt: skip
TITLES: Final = (
    "meneer", "mevrouw", "mevr.", "mevr", "mw.", "mw", "dhr.", "dhr", "de heer", "mr.", "dr.",
    "ir.", "drs.", "ing.", "oom", "tante", "opa", "oma", "neef", "nicht", "buurman",
    "buurvrouw",
)  # fmt: skip
NAME_CUES: Final = (
    "heet", "heten", "genaamd", "bijnaam", "alias", "roepnaam", "noemen hem", "noemen haar",
    "noemt zich", "naam is", "bekend als", "luistert naar de naam",
)  # fmt: skip
#: Capitalised words that are not names (sentence starters, institutions, brands, ...).
# fmt: off
_NOT_NAME_WORDS: Final = (
    "de", "het", "een", "ik", "jij", "je", "u", "hij", "zij", "ze", "wij", "we", "jullie", "hun",
    "hem", "haar", "mijn", "zijn", "onze", "ons", "die", "dat", "deze", "dit", "daar", "hier",
    "er", "wat", "wie", "waar", "wanneer", "hoe", "waarom", "welke", "want", "maar", "en", "of",
    "als", "omdat", "toen", "nadat", "voordat", "sinds", "tijdens", "na", "voor", "om", "op",
    "in", "bij", "met", "van", "naar", "uit", "over", "onder", "tegen", "door", "ook", "nog",
    "al", "niet", "geen", "wel", "elke", "iedere", "iedereen", "niemand", "alle", "vorige",
    "volgende", "afgelopen", "gisteren", "vandaag", "morgen", "vanavond", "vannacht",
    "vanmorgen", "vanochtend", "vanmiddag", "laatst", "soms", "vaak", "altijd", "nooit",
    "meestal", "sindsdien", "daarna", "daarom", "verder", "volgens", "misschien",
    "waarschijnlijk", "ongeveer", "rond", "sinds", "dus", "toch", "zo", "dan", "nu", "inmiddels",
    "bovendien", "helaas", "gelukkig", "politie", "gemeente", "meld", "misdaad", "anoniem",
    "marktplaats", "whatsapp", "facebook", "instagram", "snapchat", "telegram", "signal",
    "tiktok", "twitter", "google", "youtube", "albert", "heijn", "jumbo", "lidl", "aldi",
    "action", "hema", "kruidvat", "bmw", "audi", "mercedes", "volkswagen", "golf", "opel",
    "toyota", "renault", "peugeot", "fiat", "ford", "tesla", "nederland", "nederlands",
    "nederlandse", "marokkaans", "marokkaanse", "turks", "turkse", "pools", "poolse", "duits",
    "duitse", "engels", "engelse", "belgisch", "belgische", "surinaams", "surinaamse",
    "antilliaans", "coke", "cocaïne", "cocaine", "xtc", "mdma", "wiet", "hasj", "heroïne",
    "speed", "ghb",
)
# fmt: on
NOT_NAMES: Final = frozenset(
    [*_NOT_NAME_WORDS] + [m for m in MONTHS if len(m) > 3 and m != "mei"] + list(WEEKDAYS)
)
#: Street-name endings that are rarely surnames: a street without house number counts.
_STRONG_STREET_SUFFIX: Final = (
    "straat", "laan", "weg", "plein", "gracht", "kade", "singel", "steeg", "dreef",
    "plantsoen", "boulevard", "allee", "straatje", "laantje", "str.", "ln.",
)  # fmt: skip
#: Endings shared with many surnames ("Van Dijk", "Bakker"): only with a house number.
_WEAK_STREET_SUFFIX: Final = (
    "dijk", "pad", "hof", "park", "markt", "ring", "baan", "wal", "haven", "kanaal", "erf",
    "burgwal", "veld", "hoek", "dam", "poort", "brug", "pier", "zijde", "weide", "kamp",
)  # fmt: skip
_STREET_SUFFIX: Final = (
    "(?:" + "|".join(re.escape(x) for x in (*_STRONG_STREET_SUFFIX, *_WEAK_STREET_SUFFIX)) + ")"
)
_PARTICLE_WORDS: Final = frozenset(w for p in PARTICLES for w in p.split())
_TITLE_WORDS: Final = frozenset(t.rstrip(".") for t in TITLES if " " not in t) | {"heer"}

# --------------------------------------------------------------------------------------------
# Patterns
# --------------------------------------------------------------------------------------------

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"']+", re.IGNORECASE)
_HANDLE = re.compile(r"(?<![\w@.])@[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?")
_PLATFORM_HANDLE = re.compile(
    r"\b(?:snapchat|snap|insta(?:gram)?|telegram|tiktok|signal|twitter|facebook|fb|x)"
    r"(?:\s*(?:naam|account))?\s*[:=]\s*@?([A-Za-z0-9_][A-Za-z0-9_.]{1,29})",
    re.IGNORECASE,
)
_IBAN = re.compile(
    r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,3})?\b", re.IGNORECASE
)
_PHONE = re.compile(r"(?<![\w+])(?:\+|00)?\d[\d \-.()/]{7,18}\d(?!\w)")
_BSN = re.compile(r"(?<![\w.])\d{4}[. ]?\d{2}[. ]?\d{3}(?![\w])|(?<![\w.])\d{8,9}(?!\w)")
_POSTCODE = re.compile(
    r"\b([1-9]\d{3})(?:[ ]?([A-Z]{2})|([a-z]{2}))\b"
    r"(?:[ ,]+(\d{1,5}(?:-?[A-Za-z]\b|[ ][A-Z]\b|-\d{1,3})?)(?![\d:]|[.]\d))?"
)
_ADDRESS = re.compile(
    r"\b((?:[A-Z][\w'’-]*\.?[ ](?:(?:van|de|der|den|het|'t|ter|ten|te)[ ])*)*"
    r"[A-Z]?[\w'’-]*" + _STREET_SUFFIX + r")(?![\w])"
    r"(?:[ ]+(\d{1,5}(?:-?[A-Za-z]\b|[ ][A-Z]\b|-\d{1,3}|[ ]?(?:hs|bis|I{1,3}|huis|boven|bv)\b)?)"
    r"(?![\d:.]\d))?",
)
#: "woont op Laan van Meerdervoort 233-B": any capitalised name plus number after a cue.
_ADDRESS_CUE = re.compile(
    r"\b(?i:woont|wonen|woonachtig|adres|verblijft|verblijven|huis)[ ]*:?[ ]+"
    r"(?:(?i:op|aan|in|bij)[ ]+)?(?:(?:de|het|het)[ ]+)?"
    r"((?:[A-Z][\w'’.-]*[ ](?:(?:van|de|der|den|het|'t|ter|ten|te)[ ])*)*[A-Z][\w'’.-]*)"
    r"[ ]+(\d{1,5}(?:-?[A-Za-z]\b|[ ][A-Z]\b|-\d{1,3})?)(?![\d:.]\d)"
)
_PLATE_GROUP = r"(?:[A-Za-z]{1,3}|\d{1,3})"
_PLATE = re.compile(
    rf"(?<![\w-])({_PLATE_GROUP})([- ]?)({_PLATE_GROUP})([- ]?)({_PLATE_GROUP})(?![\w-])"
)
_MONTH_RE = "|".join(sorted(MONTHS, key=len, reverse=True))
_DATE_NUMERIC = re.compile(r"\b(\d{1,2})[-/.](\d{1,2})(?:[-/.](\d{4}|\d{2}))?\b")
_DATE_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_DATE_WORDS = re.compile(
    rf"\b(\d{{1,2}})(?:e|ste|de)?[ ]+({_MONTH_RE})\.?(?:[ ]+(\d{{4}}))?\b", re.IGNORECASE
)
_WEEKDAY = re.compile(rf"\b({'|'.join(WEEKDAYS)})(?:avond|ochtend|middag|nacht)?\b", re.IGNORECASE)
_TIME = re.compile(
    r"\b([01]?\d|2[0-3])[:.]([0-5]\d)(?:[ ]?uur)?\b|\b([01]?\d|2[0-3])[ ]?uur\b", re.IGNORECASE
)
_AGE = re.compile(
    r"\b(\d{1,2})[ -]?(?:jarige|jarig)\b|\b(\d{1,2})[ ]?(?:jaar[ ]+oud|jr\b\.?)"
    r"|\b(?:is|ongeveer|rond de|van|circa|ca\.|zo'n|leeftijd|leeftijd van)[ ]+(\d{1,2})[ ]+jaar\b",
    re.IGNORECASE,
)
_WORD = r"[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ'’]+(?:-[A-ZÀ-ÖØ-Þ]?[a-zß-öø-ÿ'’]+)*(?![\w])"
_PARTICLE_RE = r"(?:van|de|der|den|het|'t|ter|ten|te|in|op|la|le|el|al|von|da|di|du|v\.d\.)"
#: Between capitalised words only particles that rarely join a name to a following place.
_INNER_PARTICLE_RE = r"(?:van|de|der|den|het|'t|ter|ten|te|la|le|von|da|di|du|v\.d\.)"
_NAME_SEQ = re.compile(rf"\b{_WORD}(?:[ ](?:(?:{_INNER_PARTICLE_RE})[ ])*{_WORD})*")
_TITLE_NAME = re.compile(
    rf"\b(?i:{'|'.join(re.escape(t) for t in sorted(TITLES, key=len, reverse=True))})[ ]+"
    rf"((?:(?:{_PARTICLE_RE})[ ])*[A-ZÀ-Þ][\w'’-]+(?:[ ](?:(?:{_PARTICLE_RE})[ ])*{_WORD})*)",
)
_CUE_NAME = re.compile(
    rf"\b(?i:{'|'.join(re.escape(c) for c in NAME_CUES)})[ ]*[:]?[ ]+[\"'“‘]?"
    rf"([A-Za-zÀ-ÿ][\w'’-]+(?:[ ](?:(?:{_PARTICLE_RE})[ ])*{_WORD})*)",
)
_SENTENCE_START = re.compile(r"(?:^|[.!?…:]\s+|\n\s*|[\"“(]\s*)$")


# --------------------------------------------------------------------------------------------
# Normalisation helpers
# --------------------------------------------------------------------------------------------


def phone_key(text: str) -> str | None:
    """The canonical form of a phone number: Dutch numbers "0" + 9 digits ("0612345678"),
    others "+" + country code and number; ``None`` when not a plausible number."""
    raw = text.strip()
    plus = raw.startswith("+")
    digits = re.sub(r"\D", "", raw.replace("(0)", ""))
    if plus or digits.startswith("00"):
        digits = digits[2:] if digits.startswith("00") and not plus else digits
        if digits.startswith("31"):
            digits = "0" + digits[2:].removeprefix("0")
        else:
            return "+" + digits if 8 <= len(digits) <= 15 else None
    if len(digits) == 10 and digits.startswith("0") and digits[1] != "0":
        return digits
    return None


def iban_valid(iban: str) -> bool:
    """The ISO 13616 mod-97 check."""
    s = re.sub(r"\s", "", iban).upper()
    if not 15 <= len(s) <= 34 or not s[:2].isalpha() or not s[2:4].isdigit():
        return False
    rearranged = s[4:] + s[:4]
    number = "".join(str(int(c, 36)) for c in rearranged)
    return int(number) % 97 == 1


def _plate_ok(groups: tuple[str, str, str], separators: tuple[str, str], text: str) -> bool:
    joined = "".join(groups)
    if len(joined) != 6 or not valid_plate_nl(joined):
        return False
    kinds = [g.isdigit() for g in groups]
    if kinds[0] == kinds[1] or kinds[1] == kinds[2]:
        if not all(separators):  # "AB12CD" style needs alternating groups
            return False
        if kinds[0] == kinds[1] == kinds[2]:
            return False
    if separators == ("-", "-"):
        return True
    # Without dashes only capitals count (so "om 12 uur" or "de 3 van" never do).
    letters = [c for c in joined if c.isalpha()]
    return all(c.isupper() for c in letters) and not text.isdigit()


def _date_key(day: int, month: int, year: int | None) -> str | None:
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return None
    if year is not None and year < 100:
        year += 2000 if year < 70 else 1900
    return f"{year:04d}-{month:02d}-{day:02d}" if year else f"--{month:02d}-{day:02d}"


def _fold(text: str) -> str:
    return text.casefold().replace("’", "'")


def name_words(name: str) -> frozenset[str]:
    """The significant words of a name: casefolded, without titles and particles."""
    words = re.findall(r"[\w'’-]+", _fold(name))
    return frozenset(
        w for w in words if w not in _PARTICLE_WORDS and w not in _TITLE_WORDS and len(w) > 1
    )


# --------------------------------------------------------------------------------------------
# Detection
# --------------------------------------------------------------------------------------------


def _candidates(text: str) -> Iterable[Span]:
    def span(kind: Kind, start: int, end: int, keys: Iterable[str]) -> Span:
        return Span(kind, start, end, text[start:end], frozenset(k for k in keys if k))

    for m in _EMAIL.finditer(text):
        yield span(Kind.EMAIL, m.start(), m.end(), [_fold(m.group())])
    for m in _URL.finditer(text):
        url = m.group().rstrip(".,;:!?)")
        key = _fold(re.sub(r"^(?:https?://)?(?:www\.)?", "", url, flags=re.I)).rstrip("/")
        yield span(Kind.URL, m.start(), m.start() + len(url), [key])
    for m in _HANDLE.finditer(text):
        yield span(Kind.HANDLE, m.start(), m.end(), [_fold(m.group()[1:])])
    for m in _PLATFORM_HANDLE.finditer(text):
        handle = m.group(1).rstrip(".")
        yield span(Kind.HANDLE, m.start(1), m.start(1) + len(handle), [_fold(handle)])
    for m in _IBAN.finditer(text):
        if iban_valid(m.group()):
            yield span(Kind.IBAN, m.start(), m.end(), [re.sub(r"\s", "", m.group()).upper()])
    for m in _PHONE.finditer(text):
        candidate = m.group().rstrip(".-/ ")
        number = phone_key(candidate)
        if number is not None:
            yield span(Kind.PHONE, m.start(), m.start() + len(candidate), [number])
    for m in _BSN.finditer(text):
        bsn = normalise_bsn(m.group())
        if bsn is not None and len(re.sub(r"\D", "", m.group())) == 9:
            yield span(Kind.BSN, m.start(), m.end(), [bsn])
    for m in _POSTCODE.finditer(text):
        letters = (m.group(2) or m.group(3)).upper()
        postcode = normalise_postcode(m.group(1) + letters)
        if postcode is None or letters in ("SA", "SD", "SS"):
            continue
        keys = [postcode]
        if m.group(4):
            keys.append(f"{postcode} {re.sub(r'[^0-9A-Z]', '', m.group(4).upper())}")
        yield span(Kind.POSTCODE, m.start(), m.end(), keys)
    for m in _ADDRESS.finditer(text):
        street, start = m.group(1), m.start(1)
        # "In de Kerkstraat", "De Kerkstraat": drop leading function words.
        while " " in street and _fold(street.split(" ", 1)[0]) in NOT_NAMES | _PARTICLE_WORDS:
            word, rest = street.split(" ", 1)
            start += len(word) + 1
            street = rest
        if not street or not street[0].isupper():
            continue
        if not m.group(2) and not _fold(street).endswith(_STRONG_STREET_SUFFIX):
            continue
        key = street_key(street)
        keys = [key]
        if m.group(2):
            keys.append(f"{key} {re.sub(r'[^0-9a-z]', '', m.group(2).lower())}")
        yield span(Kind.ADDRESS, start, m.end(), keys)
    for m in _ADDRESS_CUE.finditer(text):
        key = street_key(m.group(1))
        number = re.sub(r"[^0-9a-z]", "", m.group(2).lower())
        yield span(Kind.ADDRESS, m.start(1), m.end(2), [key, f"{key} {number}"])
    for m in _PLATE.finditer(text):
        groups = (m.group(1), m.group(3), m.group(5))
        if _plate_ok(groups, (m.group(2), m.group(4)), m.group()):
            yield span(Kind.PLATE, m.start(), m.end(), [normalise_plate(m.group())])
    for m in _DATE_ISO.finditer(text):
        iso = _date_key(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        yield span(Kind.DATE, m.start(), m.end(), [iso or ""])
    for m in _DATE_NUMERIC.finditer(text):
        year = int(m.group(3)) if m.group(3) else None
        if year is None and m.group().count(".") == 1:
            continue  # "21.30" is a time
        day = _date_key(int(m.group(1)), int(m.group(2)), year)
        if day is not None:
            yield span(Kind.DATE, m.start(), m.end(), [day])
    for m in _DATE_WORDS.finditer(text):
        year = int(m.group(3)) if m.group(3) else None
        day = _date_key(int(m.group(1)), MONTHS[m.group(2).lower()], year)
        if day is not None:
            yield span(Kind.DATE, m.start(), m.end(), [day])
    for m in _WEEKDAY.finditer(text):
        yield span(Kind.DATE, m.start(), m.end(), [_fold(m.group(1))])
    for m in _TIME.finditer(text):
        hour = m.group(1) or m.group(3)
        minutes = m.group(2) or "00"
        yield span(Kind.TIME, m.start(), m.end(), [f"{int(hour):02d}:{minutes}"])
    for m in _AGE.finditer(text):
        age = m.group(1) or m.group(2) or m.group(3)
        start = m.start(3) if m.group(3) else m.start()
        yield span(Kind.AGE, start, m.end(), [f"age:{int(age)}"])
    yield from _names(text)


def _names(text: str) -> Iterable[Span]:
    def name_span(start: int, end: int) -> Span | None:
        # Trim trailing particles ("Jan de" in "Jan de ...").
        while True:
            words = text[start:end].split(" ")
            if len(words) > 1 and _fold(words[-1]) in _PARTICLE_WORDS:
                end -= len(words[-1]) + 1
                continue
            break
        keys = name_words(text[start:end]) - NOT_NAMES
        if not keys:
            return None
        return Span(Kind.NAME, start, end, text[start:end], frozenset(keys))

    for pattern in (_TITLE_NAME, _CUE_NAME):
        for m in pattern.finditer(text):
            s = name_span(m.start(1), m.end(1))
            if s is not None:
                yield s
    for m in _NAME_SEQ.finditer(text):
        start, end = m.start(), m.end()
        words = m.group().split(" ")
        at_sentence_start = bool(_SENTENCE_START.search(text[:start]))
        # Drop leading non-name words and titles ("Gisteren Jan" -> "Jan", "Mevrouw Bakker"
        # -> "Bakker"); a particle before a name stays ("De Vries", not "De Politie").
        while words and (
            _fold(words[0].rstrip(".")) in _TITLE_WORDS
            or (
                _fold(words[0]) in NOT_NAMES
                and not (
                    len(words) > 1
                    and _fold(words[0]) in _PARTICLE_WORDS
                    and _fold(words[1]) not in NOT_NAMES
                )
            )
        ):
            start += len(words[0]) + 1
            words = words[1:]
            at_sentence_start = False
        if not words:
            continue
        if len(words) == 1 and at_sentence_start:
            continue  # a single capitalised word opening a sentence is usually not a name
        s = name_span(start, end)
        if s is not None:
            yield s


def _trim_name(text: str, name: Span, cut: int) -> Span | None:
    """The part of ``name`` before ``cut`` (another detail), if a name is left."""
    end = min(name.end, cut)
    words = text[name.start : end].rstrip().split(" ")
    while words and (not words[-1] or _fold(words[-1]) in _PARTICLE_WORDS):
        words.pop()
    part = " ".join(words)
    keys = name_words(part) - NOT_NAMES
    if not part or not keys:
        return None
    return Span(Kind.NAME, name.start, name.start + len(part), part, frozenset(keys))


def find_details(text: str, places: frozenset[frozenset[str]] = frozenset()) -> list[Span]:
    """The identifying details of ``text``, without overlaps, in text order.

    Overlapping candidates are resolved by kind priority (the order of :class:`Kind`) and
    then by length, so "06-12345678" is a phone number and not a date. ``places``: the
    :func:`name_words` of each place name (municipality); a "name" that is exactly a place
    name is not a person's, and a municipality identifies nobody (routing to municipalities
    needs it in the forwarded text)."""
    candidates = sorted(
        _candidates(text), key=lambda s: (_PRIORITY[s.kind], -(s.end - s.start), s.start)
    )
    taken: list[Span] = []
    for cand in candidates:
        if cand.end <= cand.start:
            continue
        clashes = [t for t in taken if cand.start < t.end and t.start < cand.end]
        if clashes and cand.kind is Kind.NAME:
            trimmed = _trim_name(text, cand, min(t.start for t in clashes))
            if trimmed is None or any(
                trimmed.start < t.end and t.start < trimmed.end for t in taken
            ):
                continue
            cand = trimmed
        elif clashes:
            continue
        taken.append(cand)
    if places:
        taken = [t for t in taken if not (t.kind is Kind.NAME and t.keys in places)]
    return sorted(taken, key=lambda s: s.start)


# --------------------------------------------------------------------------------------------
# The rewrite check
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Finding:
    """``original`` is the detail in the original (``None`` for a new detail); ``rewrite``
    the matching places in the rewrite (for highlighting)."""

    kind: Kind
    original: Span | None
    rewrite: tuple[Span, ...]
    message: str

    @property
    def is_new(self) -> bool:
        return self.original is None


@dataclass(frozen=True, slots=True)
class RewriteReport:
    original_details: tuple[Span, ...]
    rewrite_details: tuple[Span, ...]
    remaining: tuple[Finding, ...]
    new: tuple[Finding, ...]

    @property
    def ok(self) -> bool:
        """No identifying detail left in the rewrite."""
        return not self.remaining and not self.new

    @property
    def messages(self) -> list[str]:
        return [f.message for f in (*self.remaining, *self.new)]


def _compact(text: str) -> str:
    return re.sub(r"[^0-9A-Za-z+]", "", text).upper()


def _compact_with_positions(text: str) -> tuple[str, list[int]]:
    """:func:`_compact` of ``text`` and, per kept character, its index in ``text``."""
    kept = [(i, c) for i, c in enumerate(text) if c.isascii() and (c.isalnum() or c == "+")]
    return "".join(c for _, c in kept).upper(), [i for i, _ in kept]


def _loose_hits(detail: Span, rewrite: str) -> list[Span]:
    """Places in ``rewrite`` that the detector did not type but that contain the detail:
    lowercase names, numbers written differently, an address without capitals."""
    hits: list[Span] = []
    if detail.kind is Kind.NAME:
        for word in detail.keys:
            for m in re.finditer(rf"(?<!\w){re.escape(word)}(?!\w)", _fold(rewrite)):
                hits.append(Span(Kind.NAME, m.start(), m.end(), rewrite[m.start() : m.end()],
                                 frozenset({word})))  # fmt: skip
    elif detail.kind in (Kind.EMAIL, Kind.URL, Kind.HANDLE):
        for key in detail.keys:
            for m in re.finditer(re.escape(key), _fold(rewrite)):
                hits.append(Span(detail.kind, m.start(), m.end(), rewrite[m.start() : m.end()],
                                 frozenset({key})))  # fmt: skip
    elif detail.kind in (Kind.PHONE, Kind.BSN, Kind.IBAN, Kind.PLATE, Kind.POSTCODE):
        compact, positions = _compact_with_positions(rewrite)
        for key in detail.keys:
            needle = _compact(key)
            if len(needle) < 6:
                continue
            if needle.startswith("0") and detail.kind is Kind.PHONE:
                # "+31 6 1234 5678" in the rewrite for "06-12345678" in the original.
                alternatives = [needle, "+31" + needle[1:], "0031" + needle[1:]]
            else:
                alternatives = [needle]
            for alt in alternatives:
                for m in re.finditer(re.escape(alt), compact):
                    start, end = positions[m.start()], positions[m.end() - 1] + 1
                    hits.append(Span(detail.kind, start, end, rewrite[start:end], detail.keys))
    elif detail.kind is Kind.ADDRESS:
        for key in detail.keys:
            if " " in key:
                continue
            for m in re.finditer(r"[\w'’.-]+(?: [\w'’.-]+){0,4}", rewrite):
                words = m.group().split()
                for i in range(len(words)):
                    for j in range(i + 1, len(words) + 1):
                        if street_key(" ".join(words[i:j])) == key:
                            hits.append(Span(Kind.ADDRESS, m.start(), m.end(), m.group(),
                                             frozenset({key})))  # fmt: skip
    return hits


def check_rewrite(
    original: str, rewrite: str, places: frozenset[frozenset[str]] = frozenset()
) -> RewriteReport:
    """Which identifying details of ``original`` still appear in ``rewrite``, and which
    identifying details ``rewrite`` adds; Dutch messages per finding. ``places`` as for
    :func:`find_details`."""
    before = find_details(original, places)
    after = find_details(rewrite, places)
    remaining: list[Finding] = []
    matched_after: set[int] = set()
    for detail in before:
        hits = [
            (i, s)
            for i, s in enumerate(after)
            if s.keys & detail.keys
            and (s.kind is detail.kind or {s.kind, detail.kind} <= {Kind.ADDRESS, Kind.POSTCODE})
        ]
        matched_after.update(i for i, _ in hits)
        spans = [s for _, s in hits]
        if not spans:
            spans = _loose_hits(detail, rewrite)
        if spans:
            unique = tuple(
                sorted({(s.start, s.end): s for s in spans}.values(), key=lambda s: s.start)
            )
            shown = ", ".join(f"'{s.text}'" for s in unique[:3])
            remaining.append(
                Finding(
                    detail.kind,
                    detail,
                    unique,
                    f"{detail.label.capitalize()} '{detail.text}' uit de oorspronkelijke melding "
                    f"staat nog in de herschrijving ({shown}).",
                )
            )
    new = [
        Finding(
            s.kind,
            None,
            (s,),
            f"De herschrijving bevat {s.label} '{s.text}', die niet in de oorspronkelijke "
            "melding staat; controleer of dit herleidbaar is.",
        )
        for i, s in enumerate(after)
        if i not in matched_after and not any(s.keys & d.keys for d in before)
    ]
    return RewriteReport(tuple(before), tuple(after), tuple(remaining), tuple(new))
