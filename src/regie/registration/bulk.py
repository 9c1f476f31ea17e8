"""Bulk registration writer: legacy imports and the synthetic country.

Thousands of registrations per second instead of one at a time: rows are validated with the
same rules as every other intake path, placed with the vectorised point lookup, core objects
are resolved in sets on their **exact** keys (BSN, name + first name + date of birth, frame
number / plate / IMEI, KvK, postcode + house number) and everything is inserted with
``bulk_create`` in one transaction per batch. Fuzzy matching is for the desk, where a person
confirms a suggestion; near-duplicates left by an import are the work of entity resolution.

Rows are identified by ``(source, source_ref)``: a rerun skips rows already imported, so an
interrupted import can simply be started again. One audit entry per batch lists the ids.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from regie.audit.models import Action, Purpose
from regie.audit.services import audit_log
from regie.organisation.models import Municipality, Neighbourhood
from regie.registration.inputs import GoodIn, OrganisationIn, PersonIn, RegistrationIn
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
from regie.registration.validation import Errors, validate


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


def insert_rows(
    model: Any,
    columns: Sequence[str],
    rows: list[tuple[Any, ...]],
    *,
    ignore_conflicts: bool = False,
) -> None:
    """Insert many rows without the ORM's per-object work: COPY on PostgreSQL, executemany
    elsewhere (``ignore_conflicts``: skip rows that hit a unique constraint). Values must
    already be what the columns hold (ids, not objects)."""
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    cols = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql" and ignore_conflicts:
            marks = ", ".join(["%s"] * len(columns))
            cur.executemany(
                f"INSERT INTO {table} ({cols}) VALUES ({marks}) ON CONFLICT DO NOTHING",  # noqa: S608
                rows,
            )
            return
        if connection.vendor == "postgresql":
            with cur.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        adapt = connection.ops.adapt_datetimefield_value

        def db(value: Any) -> Any:
            if isinstance(value, dt.datetime):
                return adapt(value)
            if isinstance(value, dt.date):
                return value.isoformat()
            if isinstance(value, Decimal):
                return str(value)
            return value

        marks = ", ".join(["%s"] * len(columns))
        cur.executemany(
            f"INSERT INTO {table} ({cols}) VALUES ({marks})",  # noqa: S608
            [tuple(db(v) for v in row) for row in rows],
        )


def _placements(
    regs: Sequence[RegistrationIn],
) -> list[tuple[int | None, int, int | None] | None]:
    """(neighbourhood id, municipality id, base team id) per registration, or None."""
    from regie.organisation.selectors import locator

    idx = [i for i, r in enumerate(regs) if r.x is not None and r.y is not None]
    out: list[tuple[int | None, int, int | None] | None] = [None] * len(regs)
    if not idx:
        return out
    xs = [float(regs[i].x) for i in idx]  # type: ignore[arg-type]
    ys = [float(regs[i].y) for i in idx]  # type: ignore[arg-type]
    hits = locator().locate_many(xs, ys)
    wijk_ids = {
        code: (pk, mun_id, team_id)
        for code, pk, mun_id, team_id in Neighbourhood.objects.values_list(
            "code", "pk", "municipality_id", "base_team_id"
        )
    }
    for i, hit in zip(idx, hits, strict=True):
        if hit is not None and hit.neighbourhood_code in wijk_ids:
            out[i] = wijk_ids[hit.neighbourhood_code]
    return out


def _person_keys(p: PersonIn) -> tuple[str | None, str | None, dict[str, Any]]:
    particle, surname = p.particle.strip(), p.surname.strip()
    if not particle:
        particle, surname = split_particle(surname)
    bsn = normalise_bsn(p.bsn) if p.bsn else None
    identity = None
    # Persons with a BSN are identified by it; the identity key is for those without.
    if not bsn and p.date_of_birth is not None and p.first_names.strip():
        identity = (
            f"{name_key(surname)}|{name_key(p.first_names.split()[0])}|"
            f"{p.date_of_birth.isoformat()}"
        )
    fields = {
        "first_names": p.first_names.strip(),
        "particle": particle,
        "surname": surname,
        "date_of_birth": p.date_of_birth,
        "bsn": bsn,
        "nationality": p.nationality.strip().upper(),
        "surname_key": name_key(surname),
        "phonetic_key": phonetic(surname)[:40],
        "identity_key": identity,
    }
    return bsn, identity, fields


def _good_key(g: GoodIn) -> tuple[str, str] | None:
    if g.frame_number:
        return "frame_number", normalise_frame_number(g.frame_number)
    if g.plate:
        return "plate", normalise_plate(g.plate)
    if g.imei:
        imei = normalise_imei(g.imei)
        if imei:
            return "imei", imei
    return None


def _resolve_persons(people: list[PersonIn], retain: dt.date, purpose: str) -> dict[int, int]:
    """Map index in ``people`` -> Person id, creating what does not exist yet."""
    keyed = [_person_keys(p) for p in people]
    bsns = {k[0] for k in keyed if k[0]}
    identities = {k[1] for k in keyed if k[1] and not k[0]}
    by_bsn = dict(Person.objects.filter(bsn__in=bsns).values_list("bsn", "pk"))
    by_identity = dict(
        Person.objects.filter(identity_key__in=identities).values_list("identity_key", "pk")
    )
    result: dict[int, int] = {}
    new: dict[str, tuple[int, dict[str, Any]]] = {}
    anonymous: list[tuple[int, dict[str, Any]]] = []
    for i, (p, (bsn, identity, fields)) in enumerate(zip(people, keyed, strict=True)):
        if p.existing_id is not None:
            result[i] = p.existing_id
        elif bsn and bsn in by_bsn:
            result[i] = by_bsn[bsn]
        elif not bsn and identity and identity in by_identity:
            result[i] = by_identity[identity]
        elif bsn or identity:
            new.setdefault(f"b:{bsn}" if bsn else f"i:{identity}", (i, fields))
        else:
            anonymous.append((i, fields))
    if new:
        now = timezone.now()
        insert_rows(
            Person,
            PERSON_COLUMNS,
            [
                (
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
                for _, f in new.values()
            ],
            ignore_conflicts=True,
        )
        by_bsn.update(Person.objects.filter(bsn__in=bsns).values_list("bsn", "pk"))
        by_identity.update(
            Person.objects.filter(identity_key__in=identities).values_list("identity_key", "pk")
        )
        for i, (bsn, identity, _) in enumerate(keyed):
            if i not in result and people[i].existing_id is None and (bsn or identity):
                result[i] = by_bsn[bsn] if bsn else by_identity[str(identity)]
    # Links go to the surviving person of a merge, as everywhere else.
    redirect = dict(
        Person.objects.filter(pk__in=set(result.values()), merged_into__isnull=False).values_list(
            "pk", "merged_into_id"
        )
    )
    while redirect:
        result = {i: redirect.get(pk, pk) for i, pk in result.items()}
        redirect = dict(
            Person.objects.filter(
                pk__in=set(redirect.values()), merged_into__isnull=False
            ).values_list("pk", "merged_into_id")
        )
    if anonymous:
        made = Person.objects.bulk_create(
            [Person(**f, purpose=purpose, retain_until=retain) for _, f in anonymous]
        )
        for (i, _), person in zip(anonymous, made, strict=True):
            result[i] = person.pk
    return result


def _resolve_goods(goods: list[GoodIn], retain: dt.date, purpose: str) -> dict[int, int]:
    result: dict[int, int] = {}
    keys = [_good_key(g) for g in goods]
    wanted: dict[str, set[str]] = {}
    for k in keys:
        if k is not None:
            wanted.setdefault(k[0], set()).add(k[1])

    def lookup() -> dict[tuple[str, str], int]:
        found: dict[tuple[str, str], int] = {}
        for fname, values in wanted.items():
            for value, pk in Good.objects.filter(**{f"{fname}__in": values}).values_list(
                fname, "pk"
            ):
                found[(fname, value)] = pk
        return found

    found = lookup()
    new: dict[tuple[str, str], GoodIn] = {}
    keyless: list[int] = []
    for i, (g, k) in enumerate(zip(goods, keys, strict=True)):
        if g.existing_id is not None:
            result[i] = g.existing_id
        elif k is None:
            keyless.append(i)
        elif k not in found:
            new.setdefault(k, g)
    if new:
        Good.objects.bulk_create(
            [
                Good(
                    kind=g.kind,
                    brand=g.brand,
                    description=g.description,
                    serial_number=g.serial_number,
                    purpose=purpose,
                    retain_until=retain,
                    **{k[0]: k[1]},
                )
                for k, g in new.items()
            ],
            ignore_conflicts=True,
        )
        found = lookup()
    for i, k in enumerate(keys):
        if i not in result and k is not None:
            result[i] = found[k]
    if keyless:
        made = Good.objects.bulk_create(
            [
                Good(
                    kind=goods[i].kind,
                    brand=goods[i].brand,
                    description=goods[i].description,
                    serial_number=goods[i].serial_number,
                    purpose=purpose,
                    retain_until=retain,
                )
                for i in keyless
            ]
        )
        for i, good in zip(keyless, made, strict=True):
            result[i] = good.pk
    return result


def _resolve_organisations(
    orgs: list[OrganisationIn], retain: dt.date, purpose: str
) -> dict[int, int]:
    result: dict[int, int] = {}
    by_kvk = dict(
        Organisation.objects.filter(
            kvk_number__in={o.kvk_number for o in orgs if o.kvk_number}
        ).values_list("kvk_number", "pk")
    )
    by_name: dict[str, int] = {}
    for i, o in enumerate(orgs):
        if o.existing_id is not None:
            result[i] = o.existing_id
            continue
        key = organisation_name_key(o.name)[:200]
        if o.kvk_number and o.kvk_number in by_kvk:
            result[i] = by_kvk[o.kvk_number]
        elif not o.kvk_number and key in by_name:
            result[i] = by_name[key]
        else:
            try:
                with transaction.atomic():
                    org = Organisation.objects.create(
                        name=o.name.strip(),
                        name_key=key,
                        kvk_number=o.kvk_number or None,
                        purpose=purpose,
                        retain_until=retain,
                    )
            except IntegrityError:
                org = Organisation.objects.get(kvk_number=o.kvk_number)
            result[i] = org.pk
            if o.kvk_number:
                by_kvk[o.kvk_number] = org.pk
            else:
                by_name[key] = org.pk
    return result


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
    result = BatchResult()
    now = now or timezone.now()
    refs = [ref for ref, _ in rows]
    done = set(
        Registration.objects.filter(source=source, source_ref__in=refs).values_list(
            "source_ref", flat=True
        )
    )
    todo: list[tuple[str, RegistrationIn]] = []
    seen: set[str] = set()
    for ref, reg in rows:
        if ref in done or ref in seen:
            result.skipped.append(ref)
            continue
        seen.add(ref)
        todo.append((ref, reg))
    if not todo:
        return result
    placements = _placements([reg for _, reg in todo])
    municipalities = {
        code: (pk, team)
        for code, pk, team in Municipality.objects.values_list("code", "pk", "base_team_id")
    }
    codes = _codes()
    valid: list[tuple[str, RegistrationIn, tuple[int | None, int, int | None] | None]] = []
    for (ref, reg), place in zip(todo, placements, strict=True):
        errors = validate(reg, now=now, known_codes=codes.keys())
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
            result.errors[ref] = errors
        else:
            valid.append((ref, reg, place))
    if not valid:
        return result
    # Numbers are reserved in their own short transaction (gaps are possible on failure), so
    # concurrent writers never queue on the counter row.
    by_year: dict[int, list[int]] = {}
    for k, (_, reg, _) in enumerate(valid):
        by_year.setdefault(reg.reported_at.year, []).append(k)
    numbers: dict[int, str] = {}
    for year, ks in by_year.items():
        for k, seq in zip(ks, reserve_numbers(year, len(ks)), strict=True):
            numbers[k] = registration_number(year, seq)
    with transaction.atomic():
        people: list[PersonIn] = []
        goods: list[GoodIn] = []
        orgs: list[OrganisationIn] = []
        for _, reg, _ in valid:
            for inv in reg.involvements:
                if inv.person is not None:
                    people.append(inv.person)
                elif inv.good is not None:
                    goods.append(inv.good)
                elif inv.organisation is not None:
                    orgs.append(inv.organisation)
        retain = (now + RETENTION).date()
        person_ids = _resolve_persons(people, retain, purpose)
        good_ids = _resolve_goods(goods, retain, purpose)
        org_ids = _resolve_organisations(orgs, retain, purpose)
        created_by = actor if getattr(actor, "is_authenticated", False) else None
        locations: dict[int, int] = {}
        for k, (_, reg, _) in enumerate(valid):
            if reg.address is not None and any(vars(reg.address).values()):
                locations[k] = location_resolve(
                    reg.address, x=reg.x, y=reg.y, actor=actor, purpose=purpose, retain_until=retain
                ).pk
        now_ts = timezone.now()
        created_by_id = created_by.pk if created_by is not None else None
        insert_rows(
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
                    reg.confidentiality,
                    source,
                    ref,
                    None,
                    payload_hash(reg),
                    created_by_id,
                    now_ts,
                    purpose,
                    (reg.reported_at + RETENTION).date(),
                )
                for k, (ref, reg, place) in enumerate(valid)
            ],
        )
        ids = dict(
            Registration.objects.filter(number__in=numbers.values()).values_list("number", "pk")
        )
        offence_rows: list[tuple[Any, ...]] = []
        involvement_rows: list[tuple[Any, ...]] = []
        pi = gi = oi = 0
        for k, (_, reg, _) in enumerate(valid):
            reg_id = ids[numbers[k]]
            for seq, o in enumerate(reg.offences, start=1):
                ic_id, cat_id, _code = _pick_code(codes[o.incident_code], o.category_code)
                offence_rows.append((reg_id, seq, ic_id, cat_id, o.attempt, "registered"))
            if k in locations:
                involvement_rows.append(
                    (reg_id, "crime_scene", None, None, None, locations[k], None)
                )
            for inv in reg.involvements:
                if inv.person is not None:
                    involvement_rows.append(
                        (reg_id, inv.role, person_ids[pi], None, None, None, None)
                    )
                    pi += 1
                elif inv.good is not None:
                    involvement_rows.append(
                        (reg_id, inv.role, None, None, good_ids[gi], None, None)
                    )
                    gi += 1
                elif inv.organisation is not None:
                    involvement_rows.append((reg_id, inv.role, None, org_ids[oi], None, None, None))
                    oi += 1
        insert_rows(Offence, OFFENCE_COLUMNS, offence_rows)
        insert_rows(Involvement, INVOLVEMENT_COLUMNS, involvement_rows)
        result.created = [ids[numbers[k]] for k in range(len(valid))]
        audit_log(
            actor=actor,
            action=Action.CREATE,
            object_type="registration.registration",
            object_id="batch",
            purpose=purpose,
            detail={"source": source, "count": len(result.created), "ids": result.created},
        )
    return result
