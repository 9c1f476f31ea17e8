"""Identifiers in the search index and in queries, normalised with the registration app's
own rules (:mod:`regie.registration.normalise`) so that "AB-12-CD", "ab12cd" and "AB 12 CD"
find the same vehicle. Pure computation.

Index values are ``type:value``: ``bsn:111222333``, ``kvk:12345678``, ``plate:AB12CD``,
``frame:GZ123456``, ``imei:490154203237518``, ``serial:SN123``, ``pc:3511AB|12`` (postcode and
house number) and ``reg:RG2026-00000123`` (registration number). A query is matched exactly
against them after the same normalisation; ambiguous candidates (eight digits: a BSN or a KvK
number) are all tried, the index decides.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator
from typing import Final

from regie.registration.normalise import (
    house_number_parts,
    normalise_bsn,
    normalise_frame_number,
    normalise_imei,
    normalise_kvk,
    normalise_plate,
    normalise_postcode,
    normalise_serial,
    valid_plate_nl,
)

_REGISTRATION_NUMBER: Final = re.compile(r"\bRG\s*(\d{4})\s*-?\s*(\d{1,8})\b", re.IGNORECASE)
_POSTCODE_NUMBER: Final = re.compile(
    r"\b([1-9][0-9]{3})\s?([A-Za-z]{2})\b[\s,]*(?:nr\.?\s*)?(\d{1,5})(?:\s*([A-Za-z]|-\s*\w{1,4}))?\b"
)
_CHUNK: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9.\-/]*")


def registration_value(number: str) -> str:
    return f"reg:{number.upper()}"


def address_value(postcode: str, house_number: str | int | None, suffix: str | None = "") -> str:
    """``pc:3511AB|12`` (the house-number suffix is left out: "12" finds "12A" too)."""
    pc = normalise_postcode(postcode or "")
    number, _ = house_number_parts(house_number, suffix)
    return f"pc:{pc}|{number}" if pc and number else ""


def good_values(
    *, frame_number: str | None, plate: str | None, imei: str | None, serial_number: str | None
) -> list[str]:
    out = []
    if frame_number:
        out.append(f"frame:{normalise_frame_number(frame_number)}")
    if plate:
        out.append(f"plate:{normalise_plate(plate)}")
    if imei:
        out.append(f"imei:{normalise_imei(imei) or normalise_serial(imei)}")
    if serial_number:
        out.append(f"serial:{normalise_serial(serial_number)}")
    return out


def _has_digit_and_letter(value: str) -> bool:
    return any(c.isdigit() for c in value) and any(c.isalpha() for c in value)


def _candidates(chunk: str) -> Iterator[str]:
    """Index values one piece of query text could be."""
    digits = re.sub(r"[\s.\-/]", "", chunk)
    if digits.isascii() and digits.isdigit():
        if bsn := normalise_bsn(digits):
            yield f"bsn:{bsn}"
        if kvk := normalise_kvk(digits):
            yield f"kvk:{kvk}"
        if imei := normalise_imei(digits):
            yield f"imei:{imei}"
    if valid_plate_nl(chunk):
        yield f"plate:{normalise_plate(chunk)}"
    frame = normalise_frame_number(chunk)
    if len(frame) >= 6 and frame.isascii() and frame.isalnum() and any(c.isdigit() for c in frame):
        yield f"frame:{frame}"
    if any(c.isdigit() for c in chunk) and len(chunk) <= 64 and not any(c.isspace() for c in chunk):
        yield f"ref:{chunk.upper()}"
    serial = normalise_serial(chunk)
    if len(serial) >= 5 and _has_digit_and_letter(serial):
        yield f"serial:{serial}"


def recognise(text: str) -> list[str]:
    """The identifier index values ``text`` may stand for, most specific first, without
    duplicates. Tried: registration numbers, postcode + house number, the whole text, every
    word and every pair of adjacent words (a frame number typed with a space)."""
    found: list[str] = []
    for m in _REGISTRATION_NUMBER.finditer(text):
        found.append(f"reg:RG{m.group(1)}-{int(m.group(2)):08d}")
    for m in _POSTCODE_NUMBER.finditer(text):
        value = address_value(m.group(1) + m.group(2), m.group(3))
        if value:
            found.append(value)
    chunks = _CHUNK.findall(text)
    pieces: Iterable[str] = [
        text.strip(),
        *chunks,
        *(a + b for a, b in itertools.pairwise(chunks)),
        *(a + b + c for a, b, c in zip(chunks, chunks[1:], chunks[2:], strict=False)),
    ]
    for piece in pieces:
        if piece and len(piece) <= 40:
            found.extend(_candidates(piece))
    return list(dict.fromkeys(found))
