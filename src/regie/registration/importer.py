"""Reading legacy registrations from CSV or JSON Lines (``regie import registrations``).

JSON Lines: one JSON object per line, in the shape of the API's ``POST /api/v1/registrations/``
body plus ``"ref"``: the row's identifier in the source system (required, unique; a rerun skips
refs already imported).

CSV (UTF-8, header): one registration per row, the common fields flat:

``ref, kind, occurred_from, occurred_to, reported_at, channel, x, y, street, house_number,
house_number_suffix, postcode, city, municipality_code, narrative, modus_operandi,
damage_amount, offences`` — ``offences`` is ``A72;C40`` (``A20!`` marks an attempt) —
then optionally persons ``reporter_*``, ``victim_*``, ``suspect_*`` (``first_names, particle,
surname, date_of_birth, bsn, nationality``) and one good ``good_role, good_kind, good_brand,
good_description, good_frame_number, good_plate, good_imei, good_serial_number``.
Timestamps are ISO 8601 (``2019-03-01T14:30:00+01:00``; without offset: Europe/Amsterdam).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from regie.registration.inputs import (
    AddressIn,
    GoodIn,
    InvolvementIn,
    OffenceIn,
    OrganisationIn,
    PersonIn,
    RegistrationIn,
)

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
PERSON_FIELDS = ("first_names", "particle", "surname", "date_of_birth", "bsn", "nationality")
GOOD_FIELDS = ("kind", "brand", "description", "frame_number", "plate", "imei", "serial_number")


class RowError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class FileFormatError(ValueError):
    """The file as a whole cannot be read."""


def _text(d: dict[str, Any], key: str, *, required: bool = False, max_len: int = 200) -> str:
    value = d.get(key)
    if value is None:
        value = ""
    if not isinstance(value, str):
        value = str(value)
    value = value.strip()
    if required and not value:
        raise RowError(key, "verplicht veld ontbreekt")
    if len(value) > max_len:
        raise RowError(key, f"langer dan {max_len} tekens")
    return value


def _datetime(d: dict[str, Any], key: str) -> dt.datetime:
    raw = _text(d, key, required=True, max_len=40)
    try:
        value = dt.datetime.fromisoformat(raw)
    except ValueError:
        raise RowError(key, f"geen geldig tijdstip (ISO 8601): {raw!r}") from None
    return value if value.tzinfo is not None else value.replace(tzinfo=AMSTERDAM)


def _date(d: dict[str, Any], key: str, field: str) -> dt.date | None:
    raw = _text(d, key, max_len=20)
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise RowError(field, f"geen geldige datum: {raw!r}") from None


def _float(d: dict[str, Any], key: str) -> float | None:
    raw = d.get(key)
    if raw is None or raw == "":
        return None
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise RowError(key, f"geen getal: {raw!r}") from None
    if not math.isfinite(value):
        raise RowError(key, "geen eindig getal")
    return value


def _decimal(d: dict[str, Any], key: str) -> Decimal | None:
    raw = d.get(key)
    if raw is None or raw == "":
        return None
    try:
        value = Decimal(str(raw).replace(",", "."))
        if not value.is_finite() or abs(value) >= Decimal("1e12"):
            raise RowError(key, "geen eindig bedrag onder 1 biljoen")
        return value.quantize(Decimal("0.01"))
    except InvalidOperation:
        raise RowError(key, f"geen bedrag: {raw!r}") from None


def _person(d: dict[str, Any], path: str) -> PersonIn:
    return PersonIn(
        first_names=_text(d, "first_names", max_len=100),
        particle=_text(d, "particle", max_len=20),
        surname=_text(d, "surname", max_len=100),
        date_of_birth=_date(d, "date_of_birth", f"{path}.date_of_birth"),
        bsn=_text(d, "bsn", max_len=11) or None,
        nationality=_text(d, "nationality", max_len=3),
    )


def _good(d: dict[str, Any]) -> GoodIn:
    return GoodIn(
        kind=_text(d, "kind", required=True, max_len=16),
        brand=_text(d, "brand", max_len=100),
        description=_text(d, "description"),
        frame_number=_text(d, "frame_number") or None,
        plate=_text(d, "plate", max_len=10) or None,
        imei=_text(d, "imei", max_len=20) or None,
        serial_number=_text(d, "serial_number", max_len=60) or None,
    )


def parse_object(d: dict[str, Any]) -> tuple[str, RegistrationIn]:
    """A JSON Lines object (the API shape plus ``ref``)."""
    if not isinstance(d, dict):
        raise RowError("(regel)", "verwacht een JSON-object")
    ref = _text(d, "ref", required=True, max_len=64)
    offences = []
    for name in ("offences", "involvements"):
        if d.get(name) is not None and not isinstance(d.get(name), list):
            raise RowError(name, "verwacht een lijst")
    for i, o in enumerate(d.get("offences") or []):
        if not isinstance(o, dict):
            raise RowError(f"offences[{i}]", "verwacht een object")
        attempt = o.get("attempt", False)
        if not isinstance(attempt, bool):
            raise RowError(f"offences[{i}].attempt", "verwacht true of false")
        offences.append(
            OffenceIn(
                _text(o, "incident_code", required=True, max_len=8),
                attempt=attempt,
                category_code=_text(o, "category_code", max_len=8) or None,
            )
        )
    involvements = []
    for i, inv in enumerate(d.get("involvements") or []):
        if not isinstance(inv, dict):
            raise RowError(f"involvements[{i}]", "verwacht een object")
        role = _text(inv, "role", required=True, max_len=24)
        if isinstance(inv.get("person"), dict):
            involvements.append(
                InvolvementIn(role, person=_person(inv["person"], f"involvements[{i}].person"))
            )
        elif isinstance(inv.get("good"), dict):
            involvements.append(InvolvementIn(role, good=_good(inv["good"])))
        elif isinstance(inv.get("organisation"), dict):
            o = inv["organisation"]
            involvements.append(
                InvolvementIn(
                    role,
                    organisation=OrganisationIn(
                        _text(o, "name", required=True), _text(o, "kvk_number", max_len=8) or None
                    ),
                )
            )
        else:
            raise RowError(f"involvements[{i}]", "geen person, good of organisation")
    address = d.get("address")
    return ref, RegistrationIn(
        kind=_text(d, "kind", required=True, max_len=12),
        occurred_from=_datetime(d, "occurred_from"),
        occurred_to=_datetime(d, "occurred_to"),
        reported_at=_datetime(d, "reported_at"),
        channel=_text(d, "channel", required=True, max_len=12),
        offences=tuple(offences),
        involvements=tuple(involvements),
        narrative=_text(d, "narrative", max_len=20_000),
        modus_operandi=_text(d, "modus_operandi"),
        damage_amount=_decimal(d, "damage_amount"),
        x=_float(d, "x"),
        y=_float(d, "y"),
        address=AddressIn(
            **{
                k: _text(address, k, max_len=100)
                for k in ("street", "house_number", "house_number_suffix", "postcode", "city")
            }
        )
        if isinstance(address, dict)
        else None,
        municipality_code=_text(d, "municipality_code", max_len=6) or None,
        confidentiality=_confidentiality(d),
        extra=_extra(d),
    )


def _extra(d: dict[str, Any]) -> dict[str, str]:
    """Type-specific answers: an object of short texts (question -> answer)."""
    raw = d.get("extra")
    if raw in (None, ""):
        return {}
    if not isinstance(raw, dict) or len(raw) > 50:
        raise RowError("extra", "verwacht een object met hooguit 50 antwoorden")
    out = {}
    for key, value in raw.items():
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise RowError(f"extra.{key}"[:60], "verwacht een tekst")
        if len(str(key)) > 60 or len(str(value)) > 2000:
            raise RowError(f"extra.{key}"[:60], "vraag of antwoord te lang")
        out[str(key)] = str(value)
    return out


def _confidentiality(d: dict[str, Any]) -> int:
    raw = d.get("confidentiality", 1)
    if raw in (None, ""):
        return 1
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise RowError("confidentiality", f"geen rubricering 0-3: {raw!r}") from None
    if not 0 <= value <= 3:
        raise RowError("confidentiality", "rubricering moet 0, 1, 2 of 3 zijn")
    return value


def parse_csv_row(row: dict[str, Any]) -> tuple[str, RegistrationIn]:
    """A flat CSV row (see the module docstring), via the JSON shape."""
    offences = []
    for code in filter(None, (c.strip() for c in (row.get("offences") or "").split(";"))):
        attempt = code.endswith("!")
        offences.append({"incident_code": code.rstrip("!"), "attempt": attempt})
    involvements = []
    for role in ("reporter", "victim", "suspect"):
        person = {f: row.get(f"{role}_{f}") or "" for f in PERSON_FIELDS}
        if person["surname"] or person["bsn"]:
            involvements.append({"role": role, "person": person})
    if row.get("good_kind"):
        involvements.append(
            {
                "role": row.get("good_role") or "stolen_good",
                "good": {f: row.get(f"good_{f}") or "" for f in GOOD_FIELDS},
            }
        )
    address_keys = ("street", "house_number", "house_number_suffix", "postcode", "city")
    address = {k: row.get(k) or "" for k in address_keys}
    obj = {
        **row,
        "offences": offences,
        "involvements": involvements,
        "address": address if any(address.values()) else None,
    }
    return parse_object(obj)


def _check(path: Path) -> str:
    suffix = path.suffix.lower()
    if not path.exists():
        raise FileFormatError(f"{path}: bestand bestaat niet")
    if suffix not in (".jsonl", ".csv"):
        raise FileFormatError(f"{path}: onbekend formaat {suffix!r}; gebruik .csv of .jsonl")
    return suffix


def read_rows(
    path: Path, *, decode: bool = True
) -> Iterator[tuple[int, dict[str, Any] | str | None, str | None]]:
    """(line or row number, raw record, error) per record; the error is set when a line is
    not valid JSON. ``decode=False`` leaves JSON lines as text (see :func:`decode_line`), so
    that a worker process can decode them."""
    suffix = _check(path)
    if suffix == ".jsonl":
        with path.open(encoding="utf-8") as fh:
            for n, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                if decode:
                    yield n, *decode_line(line)
                else:
                    yield n, line, None
    else:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            missing = {
                "ref",
                "kind",
                "occurred_from",
                "occurred_to",
                "reported_at",
                "channel",
            } - set(reader.fieldnames or [])
            if missing:
                raise FileFormatError(f"{path}: kolommen ontbreken: {', '.join(sorted(missing))}")
            for n, row in enumerate(reader, start=2):
                yield n, row, None


def decode_line(line: str) -> tuple[dict[str, Any] | None, str | None]:
    """A JSON line as (object, None), or (None, error)."""
    try:
        return json.loads(line), None
    except json.JSONDecodeError as exc:
        return None, f"geen geldige JSON: {exc.msg}"


def count_rows(path: Path) -> int:
    """How many records :func:`read_rows` will yield (for a progress bar): JSON lines are
    counted without decoding them."""
    if _check(path) == ".jsonl":
        with path.open("rb") as fh:
            return sum(1 for line in fh if line.strip())
    return sum(1 for _ in read_rows(path))
