"""Bulk registration writer: legacy imports and the synthetic country.

Thousands of registrations per second instead of one at a time: rows are validated with the
same rules as every other intake path, placed with one vectorised point lookup per batch,
core objects are resolved in sets on their **exact** keys (BSN, name + first name + date of
birth, frame number / plate / IMEI, KvK, organisation name) with one query per key and batch,
and everything is inserted without the ORM's per-object work: ``COPY`` with ids drawn from
the table's sequence on PostgreSQL, ``INSERT`` per row on SQLite. Fuzzy matching is for the
desk, where a person confirms a suggestion; near-duplicates left by an import are the work of
entity resolution.

A batch is one transaction. When a concurrent writer registers the same core object (or the
same row) between the lookup and the insert, the unique index refuses the batch and it is
simply done again: the second time the object is found.

Rows are identified by ``(source, source_ref)``: a rerun skips rows already imported, so an
interrupted import can simply be started again. Per batch, one audit entry lists the created
registrations and one per core-object type the created persons, goods and organisations.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone

from regie.audit.models import Action, Purpose
from regie.audit.services import audit_batch, audit_log
from regie.organisation.models import BaseTeam, Municipality, Neighbourhood
from regie.registration.inputs import GoodIn, OrganisationIn, PersonIn, RegistrationIn
from regie.registration.matching import GOOD_IDENTIFIERS, good_identity
from regie.registration.models import (
    Good,
    Involvement,
    Offence,
    Organisation,
    Person,
    Registration,
)
from regie.registration.normalise import (
    name_key,
    normalise_bsn,
    normalise_frame_number,
    normalise_imei,
    normalise_plate,
    normalise_serial,
    organisation_name_key,
    phonetic,
    split_particle,
)
from regie.registration.services import (
    RETENTION,
    _codes,
    _pick_code,
    core_object_usable,
    location_resolve,
    payload_hash,
    registration_number,
    reserve_numbers,
)
from regie.registration.signals import NewInvolvement, NewRegistration, registrations_created
from regie.registration.validation import RD_BOUNDS, Errors, validate

#: Attempts of a batch that collides with a concurrent writer on a unique key.
ATTEMPTS = 3
#: PostgreSQL errors after which a batch is simply done again: deadlock detected,
#: serialisation failure.
RETRY_STATES = frozenset({"40P01", "40001"})


@dataclass
class BatchResult:
    created: list[int] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    errors: dict[str, Errors] = field(default_factory=dict)


REGISTRATION_COLUMNS = (
    "number",
    "kind",
    "occurred_from",
    "occurred_to",
    "reported_at",
    "location_id",
    "x",
    "y",
    "neighbourhood_id",
    "municipality_id",
    "base_team_id",
    "channel",
    "narrative",
    "modus_operandi",
    "damage_amount",
    "extra",
    "confidentiality",
    "source",
    "source_ref",
    "idempotency_key",
    "payload_hash",
    "created_by_id",
    "created_at",
    "purpose",
    "retain_until",
)
OFFENCE_COLUMNS = ("registration_id", "seq", "incident_code_id", "category_id", "attempt", "status")
INVOLVEMENT_COLUMNS = (
    "registration_id",
    "role",
    "person_id",
    "organisation_id",
    "good_id",
    "location_id",
    "match_score",
    "identifiers_entered",
)
PERSON_COLUMNS = (
    "first_names",
    "particle",
    "surname",
    "date_of_birth",
    "bsn",
    "nationality",
    "surname_key",
    "phonetic_key",
    "identity_key",
    "purpose",
    "retain_until",
    "confidentiality",
    "created_at",
)
GOOD_COLUMNS = (
    "kind",
    "brand",
    "description",
    "frame_number",
    "plate",
    "imei",
    "serial_number",
    "purpose",
    "retain_until",
    "confidentiality",
    "created_at",
)
ORGANISATION_COLUMNS = (
    "name",
    "name_key",
    "kvk_number",
    "purpose",
    "retain_until",
    "confidentiality",
    "created_at",
)


# --- Raw SQL helpers ---------------------------------------------------------------------------


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def _qn(name: str) -> str:
    return str(connection.ops.quote_name(name))


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def insert_rows(model: Any, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    """Insert many rows without the ORM's per-object work: COPY on PostgreSQL, executemany
    elsewhere. Values must already be what the columns hold (ids, not objects)."""
    if not rows:
        return
    table = _qn(model._meta.db_table)
    cols = ", ".join(_qn(c) for c in columns)
    with connection.cursor() as cur:
        if _postgres():
            # The raw cursor's errors as Django's (IntegrityError, ...), like execute().
            with (
                connection.wrap_database_errors,
                cur.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cur.executemany(
                f"INSERT INTO {table} ({cols}) VALUES ({marks})",  # noqa: S608
                [tuple(map(_sqlite_value, row)) for row in rows],
            )


def create_rows(model: Any, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> list[int]:
    """Insert new rows and return their ids, in order. PostgreSQL: ids drawn from the
    table's sequence in one query, then one COPY; elsewhere one INSERT per row."""
    if not rows:
        return []
    if _postgres():
        with connection.cursor() as cur:
            cur.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [_qn(model._meta.db_table), len(rows)],
            )
            ids = [int(r[0]) for r in cur.fetchall()]
        insert_rows(
            model, ("id", *columns), [(pk, *row) for pk, row in zip(ids, rows, strict=True)]
        )
        return ids
    table = _qn(model._meta.db_table)
    cols = ", ".join(_qn(c) for c in columns)
    sql = f"INSERT INTO {table} ({cols}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608
    ids = []
    with connection.cursor() as cur:
        for row in rows:
            cur.execute(sql, tuple(map(_sqlite_value, row)))
            ids.append(int(cur.lastrowid))
    return ids


def select_in(
    model: Any,
    key: str,
    values: Iterable[Any],
    columns: Sequence[str],
    where: str = "",
    params: Sequence[Any] = (),
) -> list[tuple[Any, ...]]:
    """``(key, *columns)`` of the rows whose ``key`` is one of ``values`` (and the raw SQL
    condition ``where`` with ``params``), in one query.

    PostgreSQL: one index probe per value (``unnest`` of an array, joined ``LATERAL``). A
    plain ``key = ANY(array)`` leaves the plan to the table's statistics, which lag behind
    during a large import: the planner then scans what it believes is a small table, or
    reads every row of a source per batch. Elsewhere ``IN``, in chunks."""
    wanted = list(dict.fromkeys(values))
    if not wanted:
        return []
    table = _qn(model._meta.db_table)
    cols = ", ".join(_qn(c) for c in (key, *columns))
    extra = f" AND {where}" if where else ""
    with connection.cursor() as cur:
        if _postgres():
            kind = "bigint" if all(isinstance(v, int) for v in wanted) else "text"
            found = ", ".join(f"found.{_qn(c)}" for c in (key, *columns))
            cur.execute(
                f"SELECT {found} FROM unnest(%s::{kind}[]) AS wanted(value) "  # noqa: S608
                f"CROSS JOIN LATERAL (SELECT {cols} FROM {table} "
                # OFFSET 0 keeps the planner from turning the probes back into a join.
                f"WHERE {_qn(key)} = wanted.value{extra} OFFSET 0) AS found",
                [wanted, *params],
            )
            return list(cur.fetchall())
        out: list[tuple[Any, ...]] = []
        for start in range(0, len(wanted), 900):
            part = wanted[start : start + 900]
            marks = ", ".join(["%s"] * len(part))
            cur.execute(
                f"SELECT {cols} FROM {table} WHERE {_qn(key)} IN ({marks}){extra}",  # noqa: S608
                [*part, *params],
            )
            out.extend(cur.fetchall())
        return out


def _survivors(found: dict[int, int | None]) -> dict[int, int]:
    """id -> id of the surviving object of any merge, given id -> merged_into_id."""
    out = {pk: pk for pk in found}
    pending = {pk: into for pk, into in found.items() if into is not None}
    seen: set[int] = set()
    while pending:
        seen.update(pending)
        nxt = dict(select_in(Person, "id", set(pending.values()), ("merged_into_id",)))
        for pk, into in pending.items():
            out[pk] = into
        pending = {pk: nxt[into] for pk, into in pending.items() if nxt.get(into) is not None}
        pending = {pk: into for pk, into in pending.items() if into not in seen}
    return out


# --- Placement ---------------------------------------------------------------------------------

Place = tuple[int | None, int, int | None]


def _placements(regs: Sequence[RegistrationIn]) -> list[Place | None]:
    """(neighbourhood id, municipality id, base team id) per registration, or None (no or
    invalid coordinates, or outside the Netherlands). The same rule as the single lookup
    (``organisation.selectors.locate_ids``): the neighbourhood, else the municipality."""
    from regie.organisation.selectors import locator

    x0, y0, x1, y1 = RD_BOUNDS
    idx: list[int] = []
    xs: list[float] = []
    ys: list[float] = []
    for i, r in enumerate(regs):
        if r.x is not None and r.y is not None and x0 <= r.x <= x1 and y0 <= r.y <= y1:
            idx.append(i)
            xs.append(r.x)
            ys.append(r.y)
    out: list[Place | None] = [None] * len(regs)
    if not idx:
        return out
    hits = locator().locate_many(xs, ys)
    wijken = {
        code: (pk, mun, team)
        for code, pk, mun, team in select_in(
            Neighbourhood,
            "code",
            {h.neighbourhood_code for h in hits if h is not None and h.neighbourhood_code},
            ("id", "municipality_id", "base_team_id"),
        )
    }
    muns = _municipalities(
        {h.municipality_code for h in hits if h is not None and h.neighbourhood_code not in wijken}
    )
    for i, hit in zip(idx, hits, strict=True):
        if hit is None:
            continue
        if hit.neighbourhood_code in wijken:
            out[i] = wijken[hit.neighbourhood_code]
        elif hit.municipality_code in muns:
            mun_id, team_id = muns[hit.municipality_code]
            out[i] = (None, mun_id, team_id)
    return out


def _municipalities(codes: set[str]) -> dict[str, tuple[int, int | None]]:
    return {
        code: (pk, team)
        for code, pk, team in select_in(Municipality, "code", codes, ("id", "base_team_id"))
    }


# --- Core objects ------------------------------------------------------------------------------


#: (BSN, identity key, the fields to store) of a person.
PersonKeys = tuple[str | None, str | None, dict[str, Any]]


def _person_keys(p: PersonIn) -> PersonKeys:
    particle, surname = p.particle.strip(), p.surname.strip()
    if not particle:
        particle, surname = split_particle(surname)
    bsn = normalise_bsn(p.bsn) if p.bsn else None
    first_names = p.first_names.strip()
    surname_key = name_key(surname)
    identity = None
    # Persons with a BSN are identified by it; the identity key is for those without.
    if not bsn and p.date_of_birth is not None and first_names:
        identity = f"{surname_key}|{name_key(first_names.split()[0])}|{p.date_of_birth.isoformat()}"
    fields = {
        "first_names": first_names,
        "particle": particle,
        "surname": surname,
        "date_of_birth": p.date_of_birth,
        "bsn": bsn,
        "nationality": p.nationality.strip().upper(),
        "surname_key": surname_key,
        "phonetic_key": phonetic(surname)[:40],
        "identity_key": identity,
    }
    return bsn, identity, fields


def _person_row(f: dict[str, Any], purpose: str, retain: dt.date, now: dt.datetime) -> tuple:
    return (
        f["first_names"],
        f["particle"],
        f["surname"],
        f["date_of_birth"],
        f["bsn"],
        f["nationality"],
        f["surname_key"],
        f["phonetic_key"],
        f["identity_key"],
        purpose,
        retain,
        1,
        now,
    )


@dataclass
class _Resolved:
    """Index in the batch's list of core objects -> id, and the ids created."""

    ids: dict[int, int] = field(default_factory=dict)
    created: list[int] = field(default_factory=list)
    #: Of each created object, what opening a case needs (a person's date of birth,
    #: whether a good is identifiable).
    known: dict[int, Any] = field(default_factory=dict)


def _resolve_persons(
    people: list[PersonIn], keyed: list[PersonKeys], retain: dt.date, purpose: str, now: dt.datetime
) -> _Resolved:
    out = _Resolved()
    found: dict[str, int] = {}
    merged: dict[int, int | None] = {}
    for bsn, pk, into in select_in(
        Person, "bsn", (k[0] for k in keyed if k[0]), ("id", "merged_into_id")
    ):
        found[f"b:{bsn}"] = pk
        merged[pk] = into
    for identity, pk, into in select_in(
        Person, "identity_key", (k[1] for k in keyed if k[1]), ("id", "merged_into_id")
    ):
        found[f"i:{identity}"] = pk
        merged[pk] = into
    # Links go to the surviving person of a merge, as everywhere else.
    survivor = _survivors(merged)
    new: dict[str, dict[str, Any]] = {}
    anonymous: list[int] = []
    keys: list[str | None] = []
    for i, (p, (bsn, identity, fields)) in enumerate(zip(people, keyed, strict=True)):
        key = f"b:{bsn}" if bsn else f"i:{identity}" if identity else None
        keys.append(key)
        if p.existing_id is not None:
            out.ids[i] = p.existing_id
        elif key is None:
            anonymous.append(i)
        elif key in found:
            out.ids[i] = survivor[found[key]]
        else:
            new.setdefault(key, fields)
    new = dict(sorted(new.items()))  # one lock order for concurrent importers
    made = create_rows(
        Person,
        PERSON_COLUMNS,
        [_person_row(f, purpose, retain, now) for f in new.values()]
        + [_person_row(keyed[i][2], purpose, retain, now) for i in anonymous],
    )
    out.created = made
    stored = [*new.values(), *(keyed[i][2] for i in anonymous)]
    out.known = {pk: f["date_of_birth"] for pk, f in zip(made, stored, strict=True)}
    made_by_key = dict(zip(new, made, strict=False))
    for i, key in enumerate(keys):
        if i not in out.ids and key is not None:
            out.ids[i] = made_by_key[key]
    for i, pk in zip(anonymous, made[len(new) :], strict=True):
        out.ids[i] = pk
    return out


def _good_identifiers(g: GoodIn) -> dict[str, str]:
    """The normalised unique identifiers entered for ``g``, by field."""
    entered = {
        "frame_number": normalise_frame_number(g.frame_number) if g.frame_number else "",
        "plate": normalise_plate(g.plate) if g.plate else "",
        "imei": (normalise_imei(g.imei) or "") if g.imei else "",
    }
    return {f: v for f, v in entered.items() if v}


@dataclass
class _ResolvedGoods(_Resolved):
    #: Index -> identifiers entered that another good holds (kept with the involvement).
    elsewhere: dict[int, dict[str, str]] = field(default_factory=dict)


def _resolve_goods(
    goods: list[GoodIn], retain: dt.date, purpose: str, now: dt.datetime
) -> _ResolvedGoods:
    """The same rule as the desk (:func:`matching.good_identity`), over the whole batch:
    goods earlier in the batch count as holders for the later ones, so two rows with the
    same frame number share one new good."""
    out = _ResolvedGoods()
    entered = [_good_identifiers(g) for g in goods]
    #: Holder of each identifier: an existing good (id > 0) or a new one of this batch
    #: (-1 - its index in ``new``), with that holder's identifiers.
    held: dict[tuple[str, str], int] = {}
    identifiers: dict[int, dict[str, str | None]] = {}
    for fname in GOOD_IDENTIFIERS:
        values = {e[fname] for e in entered if fname in e}
        others = tuple(f for f in GOOD_IDENTIFIERS if f != fname)
        for value, pk, *rest in select_in(Good, fname, values, ("id", *others)):
            theirs = {fname: value, **dict(zip(others, rest, strict=True))}
            identifiers[pk] = theirs
            for f, v in theirs.items():
                if v:
                    held[(f, v)] = pk
    new: list[int] = []  # index in ``goods`` of each new good
    added: dict[int, dict[str, str]] = {}  # existing good -> identifiers it gets
    for i, (g, wanted) in enumerate(zip(goods, entered, strict=True)):
        if g.existing_id is not None:
            out.ids[i] = g.existing_id
            continue
        holders = {
            f: (held[(f, v)], identifiers[held[(f, v)]])
            for f, v in wanted.items()
            if (f, v) in held
        }
        decision = good_identity(wanted, holders)
        if decision.elsewhere:
            out.elsewhere[i] = decision.elsewhere
        target = decision.link
        if target is None:
            target = -1 - len(new)
            new.append(i)
            identifiers[target] = {f: None for f in GOOD_IDENTIFIERS}
        elif target > 0 and decision.store:
            added.setdefault(target, {}).update(decision.store)
        for f, v in decision.store.items():
            identifiers[target][f] = v
            held[(f, v)] = target
        out.ids[i] = target

    def good_row(g: GoodIn, ident: dict[str, str | None]) -> tuple[Any, ...]:
        return (
            g.kind,
            g.brand.strip(),
            g.description.strip(),
            ident.get("frame_number"),
            ident.get("plate"),
            ident.get("imei"),
            normalise_serial(g.serial_number) if g.serial_number else None,
            purpose,
            retain,
            1,
            now,
        )

    # One lock order for concurrent importers: the new goods go in sorted by identifiers.
    order = sorted(
        range(len(new)),
        key=lambda k: tuple(identifiers[-1 - k][f] or "" for f in GOOD_IDENTIFIERS),
    )
    made_sorted = create_rows(
        Good, GOOD_COLUMNS, [good_row(goods[new[k]], identifiers[-1 - k]) for k in order]
    )
    made = [0] * len(new)
    for k, pk in zip(order, made_sorted, strict=True):
        made[k] = pk
    out.created = made
    out.known = {
        pk: any(identifiers[-1 - k].values()) or bool(goods[i].serial_number)
        for k, (i, pk) in enumerate(zip(new, made, strict=True))
    }
    for i, target in out.ids.items():
        if target < 0:
            out.ids[i] = made[-1 - target]
    with connection.cursor() as cur:
        for pk, store in added.items():
            for f, v in store.items():
                cur.execute(
                    f"UPDATE {_qn(Good._meta.db_table)} SET {_qn(f)} = %s "  # noqa: S608
                    f"WHERE id = %s AND {_qn(f)} IS NULL",
                    [v, pk],
                )
    return out


def _resolve_organisations(
    orgs: list[OrganisationIn], retain: dt.date, purpose: str, now: dt.datetime
) -> _Resolved:
    """By KvK number; without one by name (legal form left out), as the desk does."""
    out = _Resolved()
    keys: list[str] = []
    for o in orgs:
        kvk = (o.kvk_number or "").strip()
        keys.append(f"k:{kvk}" if kvk else f"n:{organisation_name_key(o.name)[:200]}")
    found = {
        f"k:{kvk}": pk
        for kvk, pk in select_in(
            Organisation, "kvk_number", (k[2:] for k in keys if k[0] == "k"), ("id",)
        )
    }
    for name, pk in select_in(
        Organisation,
        "name_key",
        (k[2:] for k in keys if k[0] == "n"),
        ("id",),
        where=f"{_qn('kvk_number')} IS NULL AND {_qn('merged_into_id')} IS NULL",
    ):
        found.setdefault(f"n:{name}", pk)  # the oldest first is not promised; any will do
    new: dict[str, OrganisationIn] = {}
    for i, (o, key) in enumerate(zip(orgs, keys, strict=True)):
        if o.existing_id is not None:
            out.ids[i] = o.existing_id
        elif key in found:
            out.ids[i] = found[key]
        else:
            new.setdefault(key, o)
    new = dict(sorted(new.items()))  # one lock order for concurrent importers
    made = create_rows(
        Organisation,
        ORGANISATION_COLUMNS,
        [
            (
                o.name.strip(),
                key[2:] if key[0] == "n" else organisation_name_key(o.name)[:200],
                key[2:] if key[0] == "k" else None,
                purpose,
                retain,
                1,
                now,
            )
            for key, o in new.items()
        ],
    )
    out.created = made
    made_by_key = dict(zip(new, made, strict=True))
    for i, key in enumerate(keys):
        if i not in out.ids:
            out.ids[i] = made_by_key[key]
    return out


def _already_imported(source: str, refs: list[str]) -> set[str]:
    """The refs of ``source`` that are in already."""
    return {
        ref
        for ref, _ in select_in(
            Registration,
            "source_ref",
            refs,
            ("id",),
            # The unique index on (source, source_ref) is partial (source_ref <> ''): the
            # planner uses it only when the query says so.
            where=f"{_qn('source')} = %s AND {_qn('source_ref')} <> ''",
            params=[source],
        )
    }


# --- Batches -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Prepared:
    """A row checked against the rules that need no database (``validation.validate``
    without the point lookup), with its payload fingerprint: the CPU-bound part of an
    import, which ``regie import`` does in a worker process while the batch before is
    written."""

    ref: str
    reg: RegistrationIn
    errors: Errors
    digest: str
    #: The exact keys and stored fields of the persons involved, in order.
    persons: tuple[PersonKeys, ...] = ()


def prepare(
    ref: str, reg: RegistrationIn, *, now: dt.datetime, known_codes: Collection[str]
) -> Prepared:
    errors = validate(reg, now=now, known_codes=known_codes)
    return Prepared(
        ref,
        reg,
        errors,
        payload_hash(reg),
        ()
        if errors
        else tuple(_person_keys(inv.person) for inv in reg.involvements if inv.person is not None),
    )


def import_batch(
    rows: Sequence[tuple[str, RegistrationIn]],
    *,
    actor: Any,
    source: str,
    purpose: str = Purpose.WPG8,
    now: dt.datetime | None = None,
) -> BatchResult:
    """Validate and store one batch. Invalid rows are reported (and skipped); valid rows are
    stored together in one transaction."""
    now = now or timezone.now()
    codes = _codes()
    return import_prepared(
        [prepare(ref, reg, now=now, known_codes=codes) for ref, reg in rows],
        actor=actor,
        source=source,
        purpose=purpose,
        now=now,
    )


def import_prepared(
    rows: Sequence[Prepared],
    *,
    actor: Any,
    source: str,
    purpose: str = Purpose.WPG8,
    now: dt.datetime | None = None,
) -> BatchResult:
    """:func:`import_batch` for rows already :func:`prepare`-d: the database rules (place,
    municipality, existing objects), then one transaction for the valid rows."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return _import_prepared(
                rows, actor=actor, source=source, purpose=purpose, now=now or timezone.now()
            )
        except IntegrityError:
            # A concurrent writer registered one of our new objects (or rows) first; the
            # next attempt finds it.
            if attempt == ATTEMPTS:
                raise
        except OperationalError as exc:
            # Deadlock or serialisation failure with a concurrent writer: the transaction
            # was rolled back; go again. (New core objects go in sorted by key, so two
            # importers take their locks in the same order and should not deadlock.)
            if attempt == ATTEMPTS or getattr(exc.__cause__, "sqlstate", None) not in RETRY_STATES:
                raise
    raise AssertionError("unreachable")


def _import_prepared(
    rows: Sequence[Prepared],
    *,
    actor: Any,
    source: str,
    purpose: str,
    now: dt.datetime,
) -> BatchResult:
    result = BatchResult()
    done = _already_imported(source, [row.ref for row in rows])
    todo: list[Prepared] = []
    seen: set[str] = set()
    for row in rows:
        if row.ref in done or row.ref in seen:
            result.skipped.append(row.ref)
            continue
        seen.add(row.ref)
        todo.append(row)
    if not todo:
        return result
    placements = _placements([row.reg for row in todo])
    municipalities = _municipalities(
        {
            row.reg.municipality_code
            for row, place in zip(todo, placements, strict=True)
            if place is None and row.reg.municipality_code
        }
    )
    valid: list[tuple[Prepared, Place | None]] = []
    for row, place in zip(todo, placements, strict=True):
        reg = row.reg
        errors = {field: list(messages) for field, messages in row.errors.items()}
        if reg.x is not None and place is None and "x" not in errors:
            errors["x"] = ["Deze RD-coördinaten liggen buiten Nederland."]
        if place is None and reg.municipality_code:
            mun = municipalities.get(reg.municipality_code)
            if mun is None:
                errors.setdefault("municipality_code", []).append(
                    f"Onbekende gemeente {reg.municipality_code!r}."
                )
            else:
                place = (None, mun[0], mun[1])
        for i, inv in enumerate(reg.involvements):
            for kind, obj in (
                ("person", inv.person),
                ("organisation", inv.organisation),
                ("good", inv.good),
            ):
                existing_id = getattr(obj, "existing_id", None) if obj is not None else None
                if existing_id is not None and not core_object_usable(actor, kind, existing_id):
                    errors.setdefault(f"involvements[{i}].{kind}.existing_id", []).append(
                        "Dit bestaande object bestaat niet of valt buiten uw bevoegdheid."
                    )
        if errors:
            result.errors[row.ref] = errors
        else:
            valid.append((row, place))
    if not valid:
        return result
    # Numbers are reserved in their own short transaction (gaps are possible on failure), so
    # concurrent writers never queue on the counter row.
    by_year: dict[int, list[int]] = {}
    for k, (row, _) in enumerate(valid):
        by_year.setdefault(row.reg.reported_at.year, []).append(k)
    numbers: dict[int, str] = {}
    for year, ks in by_year.items():
        for k, seq in zip(ks, reserve_numbers(year, len(ks)), strict=True):
            numbers[k] = registration_number(year, seq)
    with transaction.atomic(), audit_batch():
        result.created, new = _store(
            valid, numbers, actor=actor, source=source, purpose=purpose, now=now
        )
        registrations_created.send(
            sender=Registration, ids=list(result.created), actor=actor, source=source, new=new
        )
    return result


def _store(
    valid: list[tuple[Prepared, Place | None]],
    numbers: dict[int, str],
    *,
    actor: Any,
    source: str,
    purpose: str,
    now: dt.datetime,
) -> tuple[list[int], list[NewRegistration]]:
    """Store the valid rows; returns their ids and what ``registrations_created``'s
    receivers need of them."""
    people: list[PersonIn] = []
    keyed: list[PersonKeys] = []
    goods: list[GoodIn] = []
    orgs: list[OrganisationIn] = []
    for row, _ in valid:
        keyed.extend(row.persons)
        for inv in row.reg.involvements:
            if inv.person is not None:
                people.append(inv.person)
            elif inv.good is not None:
                goods.append(inv.good)
            elif inv.organisation is not None:
                orgs.append(inv.organisation)
    retain = (now + RETENTION).date()
    now_ts = timezone.now()
    persons = _resolve_persons(people, keyed, retain, purpose, now_ts)
    good_ids = _resolve_goods(goods, retain, purpose, now_ts)
    org_ids = _resolve_organisations(orgs, retain, purpose, now_ts)
    created_by = actor if getattr(actor, "is_authenticated", False) else None
    locations: dict[int, int] = {}
    for k, (row, _) in enumerate(valid):
        reg = row.reg
        if reg.address is not None and any(vars(reg.address).values()):
            locations[k] = location_resolve(
                reg.address, x=reg.x, y=reg.y, actor=actor, purpose=purpose, retain_until=retain
            ).pk
    created_by_id = created_by.pk if created_by is not None else None
    ids = create_rows(
        Registration,
        REGISTRATION_COLUMNS,
        [
            (
                numbers[k],
                reg.kind,
                reg.occurred_from,
                reg.occurred_to,
                reg.reported_at,
                locations.get(k),
                reg.x,
                reg.y,
                place[0] if place else None,
                place[1] if place else None,
                place[2] if place else None,
                reg.channel,
                reg.narrative,
                reg.modus_operandi,
                reg.damage_amount,
                json.dumps(reg.extra) if reg.extra else None,
                reg.confidentiality,
                source,
                row.ref,
                None,
                row.digest,
                created_by_id,
                now_ts,
                purpose,
                (reg.reported_at + RETENTION).date(),
            )
            for k, (row, place) in enumerate(valid)
            for reg in (row.reg,)
        ],
    )
    codes = _codes()
    facts = _ObjectFacts.read(persons, good_ids, org_ids, dict(persons.known), dict(good_ids.known))
    teams = _team_facts({place[2] for _, place in valid if place is not None and place[2]})
    offence_rows: list[tuple[Any, ...]] = []
    involvement_rows: list[tuple[Any, ...]] = []
    new: list[NewRegistration] = []
    pi = gi = oi = 0
    for k, (row, place) in enumerate(valid):
        reg = row.reg
        reg_id = ids[k]
        offences: list[tuple[int, int]] = []
        for seq, o in enumerate(reg.offences, start=1):
            ic_id, cat_id, _code = _pick_code(codes[o.incident_code], o.category_code)
            offence_rows.append((reg_id, seq, ic_id, cat_id, o.attempt, "registered"))
            offences.append((seq, cat_id))
        involved: list[NewInvolvement] = []
        if k in locations:
            involvement_rows.append(
                (reg_id, "crime_scene", None, None, None, locations[k], None, None)
            )
            involved.append(NewInvolvement("crime_scene", "location_id", locations[k], False))
        for inv in reg.involvements:
            if inv.person is not None:
                pk = persons.ids[pi]
                involvement_rows.append((reg_id, inv.role, pk, None, None, None, None, None))
                involved.append(facts.person(inv.role, pk))
                pi += 1
            elif inv.good is not None:
                pk = good_ids.ids[gi]
                elsewhere = good_ids.elsewhere.get(gi)
                involvement_rows.append(
                    (
                        reg_id,
                        inv.role,
                        None,
                        None,
                        pk,
                        None,
                        None,
                        json.dumps(elsewhere) if elsewhere else None,
                    )
                )
                involved.append(facts.good(inv.role, pk))
                gi += 1
            elif inv.organisation is not None:
                pk = org_ids.ids[oi]
                involvement_rows.append((reg_id, inv.role, None, pk, None, None, None, None))
                involved.append(
                    NewInvolvement(inv.role, "organisation_id", pk, pk in facts.created_orgs)
                )
                oi += 1
        team = place[2] if place is not None else None
        unit_id, team_code = teams.get(team, (None, None)) if team else (None, None)
        new.append(
            NewRegistration(
                id=reg_id,
                kind=reg.kind,
                reported_at=reg.reported_at,
                occurred_from=reg.occurred_from,
                damage_amount=reg.damage_amount,
                neighbourhood_id=place[0] if place else None,
                base_team_id=team,
                unit_id=unit_id,
                base_team_code=team_code,
                offences=tuple(offences),
                involvements=tuple(involved),
            )
        )
    insert_rows(Offence, OFFENCE_COLUMNS, offence_rows)
    insert_rows(Involvement, INVOLVEMENT_COLUMNS, involvement_rows)
    # One entry per batch and object type: every created record is traceable.
    audit_log(
        actor=actor,
        action=Action.CREATE,
        object_type="registration.registration",
        object_id="batch",
        purpose=purpose,
        detail={"source": source, "count": len(ids), "ids": ids},
    )
    for name, made in (
        ("person", persons.created),
        ("good", good_ids.created),
        ("organisation", org_ids.created),
    ):
        if made:
            audit_log(
                actor=actor,
                action=Action.CREATE,
                object_type=f"registration.{name}",
                object_id="batch",
                purpose=purpose,
                detail={"source": source, "count": len(made), "ids": made},
            )
    return ids, new


def _team_facts(team_ids: set[int]) -> dict[int, tuple[int, str]]:
    """Base team id -> (its unit's id, its code)."""
    if not team_ids:
        return {}
    return {
        pk: (unit, code)
        for pk, unit, code in BaseTeam.objects.filter(pk__in=team_ids).values_list(
            "pk", "district__unit_id", "code"
        )
    }


@dataclass
class _ObjectFacts:
    """What opening a case needs of the batch's core objects: which were created now, the
    stored date of birth of each person, whether each good is identifiable. Objects created
    now are known from memory; existing ones are read in one query per kind."""

    created_persons: set[int]
    created_goods: set[int]
    created_orgs: set[int]
    born: dict[int, dt.date | None]
    identifiable: dict[int, bool]

    @classmethod
    def read(
        cls,
        persons: _Resolved,
        goods: _Resolved,
        orgs: _Resolved,
        born: dict[int, dt.date | None],
        identifiable: dict[int, bool],
    ) -> _ObjectFacts:
        """``born``/``identifiable``: what is known of the objects created now."""
        facts = cls(set(persons.created), set(goods.created), set(orgs.created), born, identifiable)
        existing_persons = set(persons.ids.values()) - facts.created_persons
        existing_goods = set(goods.ids.values()) - facts.created_goods
        facts.born.update(select_in(Person, "id", existing_persons, ("date_of_birth",)))
        for pk, *idents in select_in(
            Good, "id", existing_goods, ("frame_number", "plate", "imei", "serial_number")
        ):
            facts.identifiable[pk] = any(idents)
        return facts

    def person(self, role: str, pk: int) -> NewInvolvement:
        return NewInvolvement(
            role,
            "person_id",
            pk,
            pk in self.created_persons,
            date_of_birth=self.born.get(pk),
        )

    def good(self, role: str, pk: int) -> NewInvolvement:
        return NewInvolvement(
            role,
            "good_id",
            pk,
            pk in self.created_goods,
            identifiable_good=self.identifiable.get(pk, False),
        )
