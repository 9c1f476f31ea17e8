"""Turning raw records into the normalised columns that the Splink model compares.

Pure Python and pandas, no Django.

Every input column gets a *role* from its name (:func:`field_role`): a first name, a
surname, a name particle, a date of birth, a code (postcode, house number, identifiers) or
plain text. The roles decide the derived columns and, in :mod:`regie.intelligence.er.model`,
the comparisons and blocking rules:

* Names reuse the project's Dutch normalisation (:mod:`regie.registration.normalise`): the
  particle ("van der") is split off the surname and kept as its own column; ``surname`` is
  the :func:`~regie.registration.normalise.name_key` *without* the particle and
  ``surname_full`` the key *with* it, so the model compares both ("van der Berg" ~ "Berg").
  Keys are transliterated with ``anyascii`` (ISC licence, not the GPL ``unidecode``) and
  casefolded, "ij" and "y" unified.
* Phonetic codes: the primary Double Metaphone code (``metaphone`` package, BSD licence;
  jellyfish has only the single metaphone) of the name key after the Dutch spelling folds of
  the registration app ("dt" -> "t", "ck" -> "k", "ij"/"y" -> "i").
* First names: the first given name only (``first_name``), the rest is dropped; an initial
  ("J.") stays a one-letter key, which the model compares as an initial.
* Dates of birth: eight digits ``YYYYMMDD`` as a *string* (not a date), so a typo that makes
  an impossible date (31 February) can still be compared digit by digit; a date that cannot be
  read becomes null.
* Other fields: ``anyascii`` + casefold + collapsed whitespace; codes also lose spaces,
  dashes and dots ("1234 AB" -> "1234ab").

Empty values become null: Splink's null levels then leave them out of the evidence.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Any, Final

import pandas as pd
from anyascii import anyascii
from metaphone import doublemetaphone

from regie.registration.normalise import name_key, split_particle

#: The column with the record id in every prepared frame (Splink's default name).
UNIQUE_ID: Final = "unique_id"
#: The column naming the input of a record when two files are linked.
SOURCE_DATASET: Final = "source_dataset"


class Role(StrEnum):
    FIRST_NAME = "first_name"
    SURNAME = "surname"
    PARTICLE = "particle"
    DATE_OF_BIRTH = "date_of_birth"
    CODE = "code"
    TEXT = "text"


_FIRST_NAME_COLUMNS = ("givenname", "givennames", "firstname", "firstnames", "forename")
_FIRST_NAME_COLUMNS_NL = ("forenames", "voornaam", "voornamen", "roepnaam")
_SURNAME_COLUMNS = ("surname", "lastname", "familyname", "achternaam", "geslachtsnaam")
_PARTICLE_COLUMNS = ("particle", "tussenvoegsel", "voorvoegsel", "voorvoegsels")
_DOB_COLUMNS = ("dateofbirth", "dob", "birthdate", "geboortedatum", "birthday")
_ROLE_NAMES: Final[dict[Role, frozenset[str]]] = {
    Role.FIRST_NAME: frozenset(_FIRST_NAME_COLUMNS + _FIRST_NAME_COLUMNS_NL),
    Role.SURNAME: frozenset(_SURNAME_COLUMNS),
    Role.PARTICLE: frozenset(_PARTICLE_COLUMNS),
    Role.DATE_OF_BIRTH: frozenset(_DOB_COLUMNS),
}
_CODE_HINTS: Final = (
    "postcode", "zip", "number", "nummer", "nr", "code", "plate", "kenteken", "imei",
    "serial", "bsn", "kvk", "phone", "telefoon",
)  # fmt: skip


def field_role(column: str) -> Role:
    """The role of an input column, from its name (case, spaces, "_" and "-" ignored)."""
    key = re.sub(r"[^a-z0-9]", "", column.casefold())
    for role, names in _ROLE_NAMES.items():
        if key in names:
            return role
    if any(hint in key for hint in _CODE_HINTS):
        return Role.CODE
    return Role.TEXT


@dataclass(frozen=True)
class Schema:
    """Which prepared columns exist, so the model builder knows what to compare."""

    has_first_name: bool
    has_surname: bool
    has_date_of_birth: bool
    #: Other prepared columns (``f_<name>``) with their role (CODE or TEXT), in input order.
    others: tuple[tuple[str, Role], ...]

    @property
    def has_names(self) -> bool:
        return self.has_first_name and self.has_surname


_DM_FOLDS: Final = (("ij", "i"), ("dt", "t"), ("ck", "k"), ("ae", "a"), ("y", "i"), ("ph", "f"))


@lru_cache(maxsize=262144)
def double_metaphone(key: str) -> str | None:
    """Primary Double Metaphone code of a name key after the Dutch spelling folds."""
    for old, new in _DM_FOLDS:
        key = key.replace(old, new)
    if not key:
        return None
    code: str = doublemetaphone(key)[0]
    return code or None


def _blank(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value != value:  # NaN
        return ""
    if value is pd.NA or value is pd.NaT:
        return ""
    return str(value).strip()


@lru_cache(maxsize=262144)
def first_name_key(first_names: str) -> str | None:
    """The key of the first given name: "Jan Willem" -> "jan"; "J.W." -> "j"."""
    words = first_names.replace(".", ". ").split()
    return (name_key(words[0]) or None) if words else None


@lru_cache(maxsize=262144)
def surname_parts(surname: str, particle: str = "") -> tuple[str | None, str | None, str | None]:
    """(particle key, surname key without particle, surname key with particle).

    A particle in its own field wins; otherwise it is split off the surname ("van der Berg",
    "Berg, van der"). Keys are :func:`~regie.registration.normalise.name_key`: "Bijl" and "Byl"
    are equal."""
    text = surname.strip()
    own = particle.strip()
    if not own and text:
        own, text = split_particle(text)
    bare = name_key(text) or None
    part = name_key(own) or None
    full = name_key(f"{own} {text}") or None
    return part, bare, full


_DIGITS = re.compile(r"\d+")


@lru_cache(maxsize=262144)
def dob_key(value: str) -> str | None:
    """``YYYYMMDD`` from "19800504", "1980-05-04", "4-5-1980" or "04/05/1980" (day first, the
    Dutch order); ``None`` when it cannot be read. Impossible dates with the right shape
    (typos such as "19800231") are kept: they still agree digit by digit."""
    text = value.strip()
    if not text:
        return None
    parts = _DIGITS.findall(text)
    if len(parts) == 1 and len(parts[0]) == 8:
        return parts[0]
    if len(parts) == 3:
        a, b, c = parts
        if len(a) == 4:
            return f"{a}{b.zfill(2)}{c.zfill(2)}"
        if len(c) == 4:
            return f"{c}{b.zfill(2)}{a.zfill(2)}"
    return None


def _dob(value: Any) -> str | None:
    if isinstance(value, dt.date):
        return value.strftime("%Y%m%d")
    return dob_key(_blank(value))


_CODE_STRIP = re.compile(r"[\s.\-/_]+")


@lru_cache(maxsize=262144)
def text_key(value: str) -> str | None:
    """Transliterated, casefolded, whitespace collapsed."""
    key = " ".join(anyascii(value).casefold().split())
    return key or None


@lru_cache(maxsize=262144)
def code_key(value: str) -> str | None:
    """Like :func:`text_key` without spaces, dashes, dots and slashes; leading zeros of a
    number dropped ("007" -> "7")."""
    key = _CODE_STRIP.sub("", anyascii(value).casefold())
    if key.isdigit():
        key = key.lstrip("0") or "0"
    return key or None


def other_column(field: str) -> str:
    """The prepared column of a field that is not a name or a date of birth."""
    return "f_" + re.sub(r"[^a-z0-9]+", "_", field.casefold()).strip("_")


class FieldError(ValueError):
    """An id column or a field that the input does not have."""


def check_columns(
    columns: Iterable[str], id_col: str, fields: Sequence[str] | None, *, source: str = "input"
) -> list[str]:
    """The fields to compare (all but ``id_col`` when ``fields`` is None), after checking that
    they exist; raises :class:`FieldError` with the missing names and the columns present."""
    present = list(columns)
    if id_col not in present:
        raise FieldError(
            f"{source}: id column {id_col!r} not found; columns are: {', '.join(present)}"
        )
    chosen = [c for c in present if c != id_col] if fields is None else list(fields)
    missing = [f for f in chosen if f not in present]
    if missing:
        raise FieldError(
            f"{source}: field(s) {', '.join(map(repr, missing))} not found; "
            f"columns are: {', '.join(present)}"
        )
    if id_col in chosen:
        raise FieldError(f"{source}: the id column {id_col!r} cannot also be a field")
    if not chosen:
        raise FieldError(f"{source}: no fields to compare")
    return chosen


def schema_for(fields: Sequence[str]) -> Schema:
    roles = {f: field_role(f) for f in fields}
    name_roles = {Role.FIRST_NAME, Role.SURNAME, Role.PARTICLE, Role.DATE_OF_BIRTH}
    return Schema(
        has_first_name=Role.FIRST_NAME in roles.values(),
        has_surname=Role.SURNAME in roles.values(),
        has_date_of_birth=Role.DATE_OF_BIRTH in roles.values(),
        others=tuple((other_column(f), r) for f, r in roles.items() if r not in name_roles),
    )


def prepare_frame(
    records: pd.DataFrame, id_col: str, fields: Sequence[str] | None = None
) -> tuple[pd.DataFrame, Schema]:
    """The prepared frame (``unique_id`` as string, derived columns, nulls for empty values)
    and its :class:`Schema`. ``id_col`` may be the index name of ``records``."""
    if id_col not in records.columns and records.index.name == id_col:
        records = records.reset_index()
    chosen = check_columns(records.columns, id_col, fields)
    ids = records[id_col].map(_blank)
    if (ids == "").any():
        raise FieldError(f"id column {id_col!r} has empty values")
    if ids.duplicated().any():
        dupes = ", ".join(ids[ids.duplicated()].head(5))
        raise FieldError(f"id column {id_col!r} has duplicate values: {dupes}")
    schema = schema_for(chosen)
    roles = {f: field_role(f) for f in chosen}
    out: dict[str, Any] = {UNIQUE_ID: ids.to_numpy()}
    n = len(records)

    def column(role: Role) -> list[str]:
        col = next((f for f, r in roles.items() if r == role), None)
        return [""] * n if col is None else [_blank(v) for v in records[col]]

    if schema.has_first_name:
        firsts = [first_name_key(v) for v in column(Role.FIRST_NAME)]
        out["first_name"] = firsts
        out["first_name_dm"] = [double_metaphone(k) if k else None for k in firsts]
    if schema.has_surname:
        parts = [
            surname_parts(s, p)
            for s, p in zip(column(Role.SURNAME), column(Role.PARTICLE), strict=True)
        ]
        out["particle"] = [p[0] for p in parts]
        out["surname"] = [p[1] for p in parts]
        out["surname_full"] = [p[2] for p in parts]
        out["surname_dm"] = [double_metaphone(p[1]) if p[1] else None for p in parts]
    if schema.has_date_of_birth:
        col = next(f for f, r in roles.items() if r == Role.DATE_OF_BIRTH)
        out["dob"] = [_dob(v) for v in records[col]]
    for field, role in roles.items():
        if role in (Role.CODE, Role.TEXT):
            keyer = code_key if role == Role.CODE else text_key
            out[other_column(field)] = [keyer(_blank(v)) for v in records[field]]
    frame = pd.DataFrame(out)
    return frame.astype(object).where(frame.notna(), None), schema
