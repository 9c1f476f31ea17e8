"""Normalisation and validation of the identifying data of core objects.

Pure Python, no Django: used by intake validation, by the stored search keys of core objects
and by :mod:`regie.registration.matching`.

* Names: :func:`split_particle` keeps Dutch *tussenvoegsels* apart ("van der", "in 't");
  :func:`name_key` is the comparison key (casefolded, transliterated with ``anyascii``,
  letters and digits only, "ij" and "y" unified); :func:`phonetic` is a metaphone code of it.
* Identifiers: BSN (elfproef), IMEI (Luhn), KvK number, Dutch licence plate, frame and serial
  numbers. ``valid_*`` answers yes/no; ``normalise_*`` returns the canonical form (``None``
  where the value cannot be valid).
* Addresses: :func:`normalise_postcode` and :func:`address_key`.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final

import jellyfish
from anyascii import anyascii

# --------------------------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------------------------

#: Dutch *tussenvoegsels* and common foreign name particles, lowercase, written out; the
#: abbreviations that desks type ("v.d.", "v/d") are included. Matched longest first.
# fmt: off
PARTICLES: Final[frozenset[str]] = frozenset(
    {
        # Dutch (after the BRP table of voorvoegsels), one word
        "van", "de", "den", "der", "het", "'t", "'s", "te", "ten", "ter", "op", "in", "uit",
        "aan", "bij", "onder", "over", "voor", "tot",
        # Dutch, several words
        "van der", "van den", "van de", "van het", "van 't", "van ter", "van ten", "van te",
        "van van de", "in 't", "in het", "in de", "in den", "in der", "op de", "op den",
        "op der", "op het", "op 't", "op ten", "uit den", "uit de", "uit het", "uit 't",
        "uit te de", "aan de", "aan den", "aan der", "aan het", "aan 't", "bij de", "bij den",
        "bij het", "bij 't", "onder de", "onder den", "onder het", "onder 't", "over de",
        "over den", "over het", "over 't", "voor de", "voor den", "voor 't", "voor in 't",
        "de la", "de l'", "de le", "de las", "de los", "de van der", "de die",
        # abbreviations typed at desks
        "v.", "v.d.", "v/d", "vd", "v.d", "v. d.", "v.der", "v.den",
        # other languages
        "del", "della", "dalla", "degli", "dei", "di", "da", "dal", "das", "dos", "do", "du",
        "des", "le", "la", "les", "lo", "los", "el", "al", "von", "vom", "von der", "von den",
        "von dem", "zu", "zum", "zur",
    }
)
# fmt: on
_PARTICLES_BY_LENGTH: Final = tuple(
    sorted((tuple(p.split()) for p in PARTICLES), key=lambda words: (-len(words), words))
)
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'"})


def _words(text: str) -> list[str]:
    return text.translate(_APOSTROPHES).split()


def _leading_particle(words: list[str]) -> int:
    """How many of ``words`` form a leading particle (0 if none); longest particle first.

    At least one word is left over for the surname itself."""
    lowered = [w.casefold() for w in words]
    for particle in _PARTICLES_BY_LENGTH:
        n = len(particle)
        if n < len(words) and tuple(lowered[:n]) == particle:
            return n
    return 0


@lru_cache(maxsize=65536)
def split_particle(surname_with_particle: str) -> tuple[str, str]:
    """Split a surname into (particle, surname): "van der Berg" -> ("van der", "Berg").

    The particle is returned lowercase ("De Vries" -> ("de", "Vries")); the surname keeps its
    case. Without particle: ("", "Berg"). The inverted form of alphabetical lists is also
    understood: "Berg, van der" -> ("van der", "Berg"). Whitespace is collapsed.
    """
    text = surname_with_particle.translate(_APOSTROPHES)
    if "," in text:
        surname, _, particle = text.partition(",")
        particle_words = particle.split()
        if particle_words and tuple(w.casefold() for w in particle_words) in _PARTICLES_BY_LENGTH:
            return " ".join(particle_words).casefold(), " ".join(surname.split())
    words = text.split()
    n = _leading_particle(words)
    return " ".join(words[:n]).casefold(), " ".join(words[n:])


def join_particle(particle: str, surname: str) -> str:
    """The inverse of :func:`split_particle` (up to the case of the particle)."""
    return " ".join(p for p in (particle.strip(), surname.strip()) if p)


def split_full_name(full_name: str) -> tuple[str, str, str]:
    """Split "Jan van der Berg" into first names, particle and surname (best effort).

    The surname starts at the first particle after the first word ("J. v.d. Berg" ->
    ("J.", "v.d.", "Berg")); without a particle it is the last word.
    """
    words = _words(full_name)
    if not words:
        return "", "", ""
    for i in range(1, len(words) - 1):
        n = _leading_particle(words[i:])
        if n:
            return (
                " ".join(words[:i]),
                " ".join(words[i : i + n]).casefold(),
                " ".join(words[i + n :]),
            )
    return " ".join(words[:-1]), "", words[-1]


_NON_ALNUM = re.compile(r"[^a-z0-9]+")


@lru_cache(maxsize=65536)
def name_key(text: str) -> str:
    """The comparison key of a name: "Öztürk" -> "ozturk", "van der Bijl" -> "vanderbyl".

    Transliterated to ASCII (``anyascii``), casefolded, everything but letters and digits
    removed (spaces, hyphens, apostrophes, dots), and "ij" written as "y" so that "Bijl" and
    "Byl" get the same key.
    """
    key = _NON_ALNUM.sub("", anyascii(text).casefold())
    return key.replace("ij", "y")


#: Dutch spelling variants folded before metaphone (which is made for English).
_PHONETIC_FOLDS: Final = (("dt", "t"), ("ck", "k"), ("ae", "a"), ("y", "i"), ("ph", "f"))


@lru_cache(maxsize=65536)
def phonetic(text: str) -> str:
    """A phonetic code (metaphone) of :func:`name_key`, after a few Dutch spelling folds
    ("dt" -> "t", "ck" -> "k", "y"/"ij" -> "i"): "Meijer", "Meyer" and "Meier" share a code."""
    key = name_key(text)
    for old, new in _PHONETIC_FOLDS:
        key = key.replace(old, new)
    return jellyfish.metaphone(key) if key else ""


# --------------------------------------------------------------------------------------------
# Identifiers
# --------------------------------------------------------------------------------------------

_SEPARATORS = re.compile(r"[\s.\-/_]+")
_BSN_WEIGHTS: Final = (9, 8, 7, 6, 5, 4, 3, 2, -1)


def _strip_separators(value: str) -> str:
    return _SEPARATORS.sub("", value)


def elfproef_sum(digits: str) -> int:
    """The weighted sum of the BSN elfproef (weights 9..2 and -1) of nine digits."""
    return sum(int(d) * w for d, w in zip(digits, _BSN_WEIGHTS, strict=True))


@lru_cache(maxsize=65536)
def normalise_bsn(bsn: str) -> str | None:
    """Nine digits (spaces and dots removed, eight digits left-padded with 0); ``None`` when
    the elfproef fails or the value is all zeros."""
    digits = _strip_separators(bsn)
    if not digits.isascii() or not digits.isdigit() or len(digits) not in (8, 9):
        return None
    digits = digits.zfill(9)
    if digits == "000000000" or elfproef_sum(digits) % 11 != 0:
        return None
    return digits


def valid_bsn(bsn: str) -> bool:
    """Whether ``bsn`` passes the elfproef (see :func:`normalise_bsn` for accepted forms)."""
    return normalise_bsn(bsn) is not None


def luhn_valid(digits: str) -> bool:
    """The Luhn check over a string of ASCII digits."""
    if not digits or not digits.isascii() or not digits.isdigit():
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def normalise_imei(imei: str) -> str | None:
    """Fifteen digits (spaces, dashes, dots and slashes removed); ``None`` when invalid."""
    digits = _strip_separators(imei)
    if len(digits) != 15 or not luhn_valid(digits):
        return None
    return digits


def valid_imei(imei: str) -> bool:
    """Fifteen digits with a correct Luhn check digit."""
    return normalise_imei(imei) is not None


def normalise_kvk(kvk: str) -> str | None:
    """Eight digits (spaces and dots removed); ``None`` otherwise."""
    digits = _strip_separators(kvk)
    if len(digits) != 8 or not digits.isascii() or not digits.isdigit():
        return None
    return digits


def valid_kvk(kvk: str) -> bool:
    """A KvK number has eight digits (no check digit)."""
    return normalise_kvk(kvk) is not None


_NOT_ALNUM_UPPER = re.compile(r"[^A-Z0-9]+")


def normalise_plate(plate: str) -> str:
    """Uppercase without dashes and spaces: "12-ab-34" -> "12AB34"."""
    return _NOT_ALNUM_UPPER.sub("", plate.upper())


def valid_plate_nl(plate: str) -> bool:
    """A loose check of Dutch licence plates (all side codes): six letters and digits with
    at least one of each."""
    p = normalise_plate(plate)
    return (
        len(p) == 6 and p.isascii() and any(c.isdigit() for c in p) and any(c.isalpha() for c in p)
    )


def normalise_frame_number(frame_number: str) -> str:
    """Uppercase, spaces, dashes, dots and slashes removed."""
    return _strip_separators(frame_number).upper()


def normalise_serial(serial: str) -> str:
    """Uppercase ASCII letters and digits only."""
    return _NOT_ALNUM_UPPER.sub("", anyascii(serial).upper())


#: Legal-form words that do not distinguish organisations (compared without dots).
# fmt: off
LEGAL_FORMS: Final[frozenset[str]] = frozenset(
    {
        "bv", "nv", "vof", "cv", "stichting", "vereniging", "cooperatie", "ua", "ba", "wa",
        "maatschap", "eenmanszaak", "io",
        "ltd", "limited", "gmbh", "ag", "inc", "llc", "plc", "sa", "sarl", "bvba", "srl",
    }
)
# fmt: on


def organisation_name_key(name: str) -> str:
    """:func:`name_key` of an organisation name without legal-form words: "Bakkerij Jansen
    B.V." and "bakkerij jansen bv" -> "bakkeryjansen"; "Stichting Het Buurthuis" ->
    "hetbuurthuis"."""
    text = anyascii(name).casefold().replace(".", "")
    words = [w for w in re.split(r"[^a-z0-9&]+", text) if w and w not in LEGAL_FORMS]
    return name_key(" ".join(words))


# --------------------------------------------------------------------------------------------
# Addresses
# --------------------------------------------------------------------------------------------

_POSTCODE = re.compile(r"[1-9][0-9]{3}[A-Z]{2}")


def normalise_postcode(postcode: str) -> str | None:
    """The canonical postcode: "1234 ab" -> "1234AB"; ``None`` unless four digits (not
    starting with 0) and two letters."""
    p = _strip_separators(postcode).upper()
    return p if p.isascii() and _POSTCODE.fullmatch(p) else None


#: Street-name abbreviations, as the end of a word ("Kerkstr." -> "Kerkstraat").
_STREET_ABBREVIATIONS: Final = (
    ("str", "straat"),
    ("ln", "laan"),
    ("pl", "plein"),
    ("wg", "weg"),
    ("gr", "gracht"),
    ("kd", "kade"),
    ("sngl", "singel"),
)
#: Whole-word abbreviations before the last word of street names ("Burg. de Withstraat").
_STREET_WORDS: Final = {
    "burg": "burgemeester",
    "mr": "meester",
    "prof": "professor",
    "st": "sint",
}
#: Place names with an official and a common name share a key.
_CITY_ALIASES: Final = {
    "sgravenhage": "denhaag",
    "shertogenbosch": "denbosch",
}


def street_key(street: str) -> str:
    """A comparison key of a street name: transliterated, casefolded, abbreviations written
    out ("str." -> "straat", "ln" -> "laan", "pl." -> "plein", "wg" -> "weg"), then
    :func:`name_key` (so "Kerk straat" and "Kerkstraat" are equal)."""
    words = anyascii(street).casefold().split()
    out: list[str] = []
    for i, word in enumerate(words):
        bare = word.rstrip(".")
        if i < len(words) - 1 and bare in _STREET_WORDS:
            out.append(_STREET_WORDS[bare])
            continue
        for short, long in _STREET_ABBREVIATIONS:
            if bare.endswith(short):
                bare = bare[: -len(short)] + long
                break
        out.append(bare)
    return name_key(" ".join(out))


def city_key(city: str) -> str:
    """:func:`name_key` of a place name; "'s-Gravenhage" and "Den Haag" are equal."""
    key = name_key(city)
    return _CITY_ALIASES.get(key, key)


def house_number_parts(house_number: str | int | None, suffix: str | None = "") -> tuple[str, str]:
    """(number, suffix) normalised: leading zeros removed, suffix uppercase letters and digits;
    a suffix typed into the number ("12a", "12-2") is moved to the suffix."""
    raw = str(house_number if house_number is not None else "").strip()
    m = re.match(r"0*(\d+)(.*)$", raw)
    number, rest = (m.group(1), m.group(2)) if m else ("", raw)
    return number, normalise_serial(rest + (suffix or ""))


def address_key(
    street: str,
    house_number: str | int | None,
    suffix: str | None,
    postcode: str | None,
    city: str,
) -> str:
    """The canonical key of an address.

    With a valid postcode: ``"pc:1234AB|12|A"`` (postcode, number, suffix), because a Dutch
    postcode and house number identify an address. Otherwise ``"st:kerkstraat|12|A|utrecht"``
    (:func:`street_key`, number, suffix, :func:`city_key`).
    """
    number, suffix_key = house_number_parts(house_number, suffix)
    pc = normalise_postcode(postcode or "")
    if pc:
        return f"pc:{pc}|{number}|{suffix_key}"
    return f"st:{street_key(street)}|{number}|{suffix_key}|{city_key(city)}"
