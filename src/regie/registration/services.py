"""Writes of the registration app: every write is one transaction, validated and audited.

* :func:`registration_create` stores a registration with its offences and involvements,
  resolving each core object to an existing one (confirmed by the user, an exact identifier,
  or a match above the matcher's auto-link threshold) or creating it. Idempotent under an
  idempotency key, also for concurrent retries.
* :func:`core_object_merge` / :func:`core_object_split` merge and un-merge core objects,
  keeping the history (:class:`MergeEvent`) and the audit trail.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
from collections.abc import Collection
from dataclasses import asdict
from functools import lru_cache
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from regie.audit.models import Action, Purpose
from regie.audit.retention import RetentionPolicy, register
from regie.audit.services import audit_batch, audit_log
from regie.core.db import insert_unless_taken
from regie.organisation.models import Municipality
from regie.registration.inputs import (
    AddressIn,
    GoodIn,
    InvolvementIn,
    OrganisationIn,
    PersonIn,
    RegistrationIn,
)
from regie.registration.matching import (
    GOOD_IDENTIFIERS,
    PersonRecord,
    good_identity,
)
from regie.registration.models import (
    Good,
    IncidentCode,
    Involvement,
    Location,
    MergeEvent,
    NumberSequence,
    Offence,
    OffenceCategory,
    Organisation,
    Person,
    Registration,
)
from regie.registration.normalise import (
    address_key,
    name_key,
    normalise_bsn,
    normalise_frame_number,
    normalise_imei,
    normalise_plate,
    normalise_postcode,
    normalise_serial,
    organisation_name_key,
    phonetic,
    split_particle,
)
from regie.registration.resolution import person_matcher
from regie.registration.signals import (
    NewInvolvement,
    NewRegistration,
    core_objects_changed,
    registrations_created,
)
from regie.registration.validation import Errors, validate

#: Police Data Act art. 8 data: kept at most five years (art. 14 Wpg) in this model.
RETENTION = dt.timedelta(days=5 * 365)


class RegistrationInvalid(Exception):
    """Field-level validation errors: ``errors`` maps field paths to Dutch messages."""

    def __init__(self, errors: Errors) -> None:
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


class IdempotencyConflict(Exception):
    """The idempotency key was used before for a different request."""


@lru_cache(maxsize=1)
def _codes() -> dict[str, list[tuple[int, int, str]]]:
    """incident code -> [(incident code id, category id, category code)]"""
    out: dict[str, list[tuple[int, int, str]]] = {}
    for ic in IncidentCode.objects.select_related("category"):
        out.setdefault(ic.code, []).append((ic.pk, ic.category_id, ic.category.code))
    return out


@lru_cache(maxsize=1)
def offence_categories() -> dict[int, OffenceCategory]:
    """Offence categories by id (reference data: cached with the codes)."""
    return {c.pk: c for c in OffenceCategory.objects.all()}


def clear_code_cache() -> None:
    _codes.cache_clear()
    offence_categories.cache_clear()


def known_incident_codes() -> set[str]:
    return set(_codes())


def _inside_netherlands(x: float, y: float) -> bool:
    from regie.organisation.selectors import locator

    return locator().locate(x, y) is not None


def payload_hash(reg: RegistrationIn) -> str:
    """Fingerprint of a request, to recognise a retry (the dataclass repr is deterministic:
    it spells out every field, datetimes and decimals included)."""
    return hashlib.sha256(repr(reg).encode()).hexdigest()


def registration_validate(
    reg: RegistrationIn,
    *,
    now: dt.datetime | None = None,
    actor: Any = None,
    offered: Collection[int] = (),
) -> Errors:
    """All rules, including the database ones: known municipality, and existing objects
    chosen by id must exist and be within the actor's need-to-know (visible through a
    registration in scope, or offered to them as a match suggestion: ``offered``)."""
    errors = validate(
        reg,
        now=now or timezone.now(),
        known_codes=known_incident_codes(),
        inside_netherlands=_inside_netherlands,
    )
    if (
        reg.municipality_code
        and not Municipality.objects.filter(code=reg.municipality_code).exists()
    ):
        errors.setdefault("municipality_code", []).append(
            f"Onbekende gemeente {reg.municipality_code!r}."
        )
    for i, inv in enumerate(reg.involvements):
        for kind, obj in (
            ("person", inv.person),
            ("organisation", inv.organisation),
            ("good", inv.good),
        ):
            existing_id = getattr(obj, "existing_id", None) if obj is not None else None
            if existing_id is None:
                continue
            if not core_object_usable(actor, kind, existing_id, offered=offered):
                errors.setdefault(f"involvements[{i}].{kind}.existing_id", []).append(
                    "Dit bestaande object bestaat niet of valt buiten uw bevoegdheid."
                )
    return errors


def core_object_usable(actor: Any, kind: str, pk: int, *, offered: Collection[int] = ()) -> bool:
    """May ``actor`` link the existing core object ``pk``? It must exist, and (for a user)
    be visible through a registration within their scope or have been offered to them."""
    from regie.organisation.access import registrations_visible_to

    model = CORE_MODELS[kind]
    if not (0 < pk < 2**63) or not model.objects.filter(pk=pk).exists():
        return False
    if actor is None or not getattr(actor, "is_authenticated", False):
        return True  # system intake (imports): existence is enough
    if kind == "person" and pk in offered:
        return True
    visible = registrations_visible_to(actor, Registration.objects.all())
    return model.objects.filter(pk=pk, involvements__registration__in=visible).exists()


def registration_create(
    reg: RegistrationIn,
    *,
    actor: Any,
    source: str,
    idempotency_key: str | None = None,
    source_ref: str = "",
    purpose: str = Purpose.WPG8,
    validated: bool = False,
    offered: Collection[int] = (),
) -> tuple[Registration, bool]:
    """Store a registration. Returns ``(registration, created)``; ``created`` is False when
    the idempotency key (or the import's ``source_ref``) was seen before with the same
    content. Raises :class:`RegistrationInvalid` or :class:`IdempotencyConflict`."""
    digest = payload_hash(reg)
    existing = _existing(idempotency_key, source, source_ref, digest)
    if existing is not None:
        return existing, False
    if not validated:
        errors = registration_validate(reg, actor=actor, offered=offered)
        if errors:
            raise RegistrationInvalid(errors)
    # The number is reserved in its own short transaction, so concurrent registrations do
    # not queue on the counter row; a registration that then fails leaves a gap.
    year = reg.reported_at.year
    number = registration_number(year, reserve_numbers(year, 1)[0])
    try:
        with transaction.atomic(), audit_batch():
            registration, new = _create(
                number,
                reg,
                actor=actor,
                source=source,
                digest=digest,
                idempotency_key=idempotency_key,
                source_ref=source_ref,
                purpose=purpose,
            )
            registrations_created.send(
                sender=Registration,
                ids=[registration.pk],
                actor=actor,
                source=source,
                new=[new],
            )
    except IntegrityError:
        # A concurrent retry with the same key won the race: return its registration.
        existing = _existing(idempotency_key, source, source_ref, digest)
        if existing is None:
            raise
        return existing, False
    return registration, True


def _existing(key: str | None, source: str, source_ref: str, digest: str) -> Registration | None:
    found = None
    if key:
        found = Registration.objects.filter(idempotency_key=key).first()
    elif source_ref:
        found = Registration.objects.filter(source=source, source_ref=source_ref).first()
    if found is not None and found.payload_hash != digest:
        raise IdempotencyConflict(
            "Deze idempotentiesleutel is eerder gebruikt voor een ander verzoek."
        )
    return found


def _create(
    number: str,
    reg: RegistrationIn,
    *,
    actor: Any,
    source: str,
    digest: str,
    idempotency_key: str | None,
    source_ref: str,
    purpose: str,
) -> tuple[Registration, NewRegistration]:
    from regie.organisation.selectors import municipality_place, place_ids

    place = place_ids(reg.x, reg.y) if reg.x is not None and reg.y is not None else None
    if place is None and reg.municipality_code:
        place = municipality_place(reg.municipality_code)
    retain = (reg.reported_at + RETENTION).date()
    location = None
    if reg.address is not None and any(asdict(reg.address).values()):
        location = location_resolve(
            reg.address, x=reg.x, y=reg.y, actor=actor, purpose=purpose, retain_until=retain
        )
    registration = Registration.objects.create(
        number=number,
        kind=reg.kind,
        occurred_from=reg.occurred_from,
        occurred_to=reg.occurred_to,
        reported_at=reg.reported_at,
        location=location,
        x=reg.x,
        y=reg.y,
        neighbourhood_id=place.neighbourhood_id if place else None,
        municipality_id=place.municipality_id if place else None,
        base_team_id=place.base_team_id if place else None,
        channel=reg.channel,
        narrative=reg.narrative,
        modus_operandi=reg.modus_operandi,
        damage_amount=reg.damage_amount,
        extra=reg.extra or None,
        confidentiality=reg.confidentiality,
        source=source,
        source_ref=source_ref,
        idempotency_key=idempotency_key,
        payload_hash=digest,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        purpose=purpose,
        retain_until=retain,
    )
    codes = _codes()
    offences = [
        Offence(
            registration=registration,
            seq=i + 1,
            incident_code_id=ic_id,
            category_id=cat_id,
            attempt=o.attempt,
        )
        for i, o in enumerate(reg.offences)
        for ic_id, cat_id, cat_code in [_pick_code(codes[o.incident_code], o.category_code)]
    ]
    Offence.objects.bulk_create(offences)
    involvements = []
    # The same person in two roles (reporter and victim) is looked up once: the second time
    # the BSN would find what the first time found or created.
    by_bsn: dict[str, Person] = {}
    for inv in reg.involvements:
        p = inv.person
        bsn = normalise_bsn(p.bsn) if p is not None and p.existing_id is None and p.bsn else None
        if bsn is not None and bsn in by_bsn:
            involvements.append(
                Involvement(
                    registration=registration, role=inv.role, person=by_bsn[bsn], match_score=1.0
                )
            )
            continue
        involvement = _involvement(
            registration, inv, actor=actor, purpose=purpose, retain_until=retain
        )
        if bsn is not None and involvement.person is not None:
            by_bsn[bsn] = involvement.person
        involvements.append(involvement)
    if location is not None:
        involvements.append(
            Involvement(registration=registration, role="crime_scene", location=location)
        )
    Involvement.objects.bulk_create(involvements)
    audit_log(
        actor=actor,
        action=Action.CREATE,
        object_type="registration.registration",
        object_id=registration.pk,
        purpose=purpose,
        detail={
            "number": registration.number,
            "source": source,
            "offences": len(reg.offences),
            "involvements": len(involvements),
        },
    )
    return registration, NewRegistration(
        id=registration.pk,
        kind=reg.kind,
        reported_at=reg.reported_at,
        occurred_from=reg.occurred_from,
        damage_amount=reg.damage_amount,
        neighbourhood_id=place.neighbourhood_id if place else None,
        base_team_id=place.base_team_id if place else None,
        unit_id=place.unit_id if place else None,
        base_team_code=place.base_team_code if place else None,
        offences=tuple((o.seq, o.category_id) for o in offences),
        involvements=tuple(_new_involvement(i) for i in involvements),
    )


def _new_involvement(inv: Involvement) -> NewInvolvement:
    """What receivers of ``registrations_created`` need of an involvement just stored.
    A person, organisation or good without a match score was created just now."""
    if inv.person is not None:
        return NewInvolvement(
            inv.role,
            "person_id",
            inv.person.pk,
            created=inv.match_score is None,
            date_of_birth=inv.person.date_of_birth,
        )
    if inv.good is not None:
        g = inv.good
        return NewInvolvement(
            inv.role,
            "good_id",
            g.pk,
            created=inv.match_score is None,
            identifiable_good=any((g.frame_number, g.plate, g.imei, g.serial_number)),
        )
    if inv.organisation is not None:
        return NewInvolvement(
            inv.role, "organisation_id", inv.organisation.pk, created=inv.match_score is None
        )
    assert inv.location is not None
    return NewInvolvement(inv.role, "location_id", inv.location.pk, created=False)


def reserve_numbers(year: int, count: int) -> range:
    """Reserve ``count`` consecutive registration numbers of ``year``: one atomic
    ``UPDATE ... RETURNING`` on the year's counter row (created on first use), so concurrent
    writers never get the same number.

    On PostgreSQL, when the reservation is its own transaction, it commits without waiting
    for the WAL flush (``synchronous_commit`` off for that transaction only): a registration
    that uses the numbers commits synchronously later, and its flush covers the counter's
    earlier WAL record; a crash before that loses only numbers nobody stored."""
    table = connection.ops.quote_name(NumberSequence._meta.db_table)
    sql = f"UPDATE {table} SET last = last + %s WHERE year = %s RETURNING last"  # noqa: S608
    if (
        connection.vendor == "postgresql"
        and connection.get_autocommit()
        and not connection.in_atomic_block
    ):
        sql = (
            f"UPDATE {table} SET last = last + %s"  # noqa: S608
            " FROM (SELECT set_config('synchronous_commit', 'off', true)) AS async_commit"
            " WHERE year = %s RETURNING last"
        )
    for _ in range(2):
        with connection.cursor() as cur:
            cur.execute(sql, [count, year])
            row = cur.fetchone()
        if row is not None:
            last = int(row[0])
            return range(last - count + 1, last + 1)
        with contextlib.suppress(IntegrityError), transaction.atomic():
            NumberSequence.objects.create(year=year, last=0)
    raise RuntimeError("could not reserve a registration number")


def registration_number(year: int, seq: int) -> str:
    return f"RG{year}-{seq:08d}"


def _pick_code(options: list[tuple[int, int, str]], category: str | None) -> tuple[int, int, str]:
    if category:
        for option in options:
            if option[2] == category:
                return option
    return options[0]


def _involvement(
    registration: Registration,
    inv: InvolvementIn,
    *,
    actor: Any,
    purpose: str,
    retain_until: dt.date,
) -> Involvement:
    if inv.person is not None:
        person, score = person_resolve(
            inv.person, actor=actor, purpose=purpose, retain_until=retain_until
        )
        return Involvement(
            registration=registration, role=inv.role, person=person, match_score=score
        )
    if inv.organisation is not None:
        org, score = organisation_resolve(
            inv.organisation, actor=actor, purpose=purpose, retain_until=retain_until
        )
        return Involvement(
            registration=registration, role=inv.role, organisation=org, match_score=score
        )
    assert inv.good is not None
    good, score, elsewhere = good_resolve(
        inv.good, actor=actor, purpose=purpose, retain_until=retain_until
    )
    return Involvement(
        registration=registration,
        role=inv.role,
        good=good,
        match_score=score,
        identifiers_entered=elsewhere or None,
    )


# --- Core objects ------------------------------------------------------------------------------


def canonical[T: (Person, Organisation, Good, Location)](obj: T) -> T:
    """Follow ``merged_into`` to the surviving object."""
    seen = set()
    while obj.merged_into_id is not None and obj.pk not in seen:
        seen.add(obj.pk)
        obj = type(obj).objects.get(pk=obj.merged_into_id)
    return obj


def _extend_retention(obj: Any, retain_until: dt.date) -> None:
    if obj.retain_until < retain_until:
        type(obj).objects.filter(pk=obj.pk).update(retain_until=retain_until)


def _use_existing[T: (Person, Organisation, Good, Location)](
    model: type[T], pk: int, retain_until: dt.date
) -> T:
    """An object the user chose: its surviving version, kept at least as long as this use."""
    obj = canonical(model.objects.get(pk=pk))
    _extend_retention(obj, retain_until)
    return obj


def _settle[T: (Person, Organisation, Good, Location)](
    obj: T, created: bool, *, actor: Any, purpose: str, retain_until: dt.date
) -> T:
    """After a create-or-find: audit a new object; otherwise take the survivor of any merge
    and keep it at least as long as this use."""
    if created:
        audit_log(
            actor=actor,
            action=Action.CREATE,
            object_type=f"registration.{type(obj).__name__.lower()}",
            object_id=obj.pk,
            purpose=purpose,
        )
        return obj
    obj = canonical(obj)
    _extend_retention(obj, retain_until)
    return obj


def _get_or_create(
    model: Any, lookup: dict[str, Any], defaults: dict[str, Any]
) -> tuple[Any, bool]:
    """get_or_create that survives a concurrent insert of the same unique key, in two round
    trips for a new object (look, insert unless taken) instead of four, and without a
    savepoint: a conflicting insert does nothing and the object is looked up again."""
    found = model.objects.filter(**lookup).first()
    if found is not None:
        return found, False
    obj = model(**lookup, **defaults)
    if insert_unless_taken(obj):
        return obj, True
    return model.objects.get(**lookup), False


def person_record(p: Person) -> PersonRecord:
    return PersonRecord(
        id=p.pk,
        first_names=p.first_names,
        particle=p.particle,
        surname=p.surname,
        date_of_birth=p.date_of_birth,
        bsn=p.bsn,
        nationality=p.nationality,
    )


def _candidate_condition(query: PersonRecord, *, auto_link: bool) -> Q | None:
    """The blocking condition of :func:`person_candidates` (None: nobody can match)."""
    surname = Q(surname_key=name_key(query.surname)) | Q(phonetic_key=phonetic(query.surname)[:40])
    if auto_link:
        if query.date_of_birth is None:
            if not query.bsn:
                return None
            surname = Q(pk__in=[])  # a BSN alone
        else:
            surname &= Q(date_of_birth=query.date_of_birth)
    elif query.date_of_birth is not None:
        dob = query.date_of_birth
        dates = {dob}
        if dob.day <= 12 and dob.day != dob.month:
            with contextlib.suppress(ValueError):
                dates.add(dob.replace(day=dob.month, month=dob.day))
        surname &= Q(date_of_birth__in=dates) | Q(date_of_birth__isnull=True)
        # Also a surname typo that changes the sound ("Berg" ~ "Bergh"): the same (or
        # day/month swapped) date of birth and the same first given name.
        first = query.first_names.split()[0].rstrip(".") if query.first_names.split() else ""
        if len(first) > 1:
            surname |= Q(date_of_birth__in=dates, first_names__istartswith=first)
    return surname | Q(bsn=query.bsn) if query.bsn else surname


#: What matching reads of a candidate person.
CANDIDATE_FIELDS = (
    "pk",
    "first_names",
    "particle",
    "surname",
    "date_of_birth",
    "bsn",
    "nationality",
    "retain_until",
    "merged_into_id",
)


def person_candidates(
    query: PersonRecord, *, limit: int = 50, auto_link: bool = False
) -> list[Person]:
    """Blocking: persons with the same BSN, or with the same surname (key or phonetic key)
    and a compatible date of birth (equal, day/month swapped, or unknown on either side).
    ``auto_link``: only those that could be linked without asking
    (:meth:`RuleBasedPersonMatcher.may_auto_link`: the same BSN or date of birth)."""
    cond = _candidate_condition(query, auto_link=auto_link)
    if cond is None:
        return []
    return list(
        Person.objects.filter(cond, merged_into__isnull=True)
        .only(*CANDIDATE_FIELDS)
        .order_by("pk")[:limit]
    )


def person_suggestions(
    p: PersonIn, *, limit: int = 5
) -> list[tuple[Person, float, tuple[str, ...]]]:
    query = _person_query(p)
    candidates = person_candidates(query)
    by_id = {c.pk: c for c in candidates}
    matches = person_matcher().propose(query, [person_record(c) for c in candidates], limit=limit)
    return [(by_id[m.id], m.score, m.reasons) for m in matches]


def _person_query(p: PersonIn) -> PersonRecord:
    particle, surname = p.particle.strip(), p.surname.strip()
    if not particle:
        particle, surname = split_particle(surname)
    return PersonRecord(
        id=None,
        first_names=p.first_names.strip(),
        particle=particle,
        surname=surname,
        date_of_birth=p.date_of_birth,
        bsn=normalise_bsn(p.bsn) if p.bsn else None,
        nationality=p.nationality.strip().upper(),
    )


def _identity_key(q: PersonRecord) -> str | None:
    if q.date_of_birth is None or not q.first_names:
        return None
    first = name_key(q.first_names.split()[0])
    return f"{name_key(q.surname)}|{first}|{q.date_of_birth.isoformat()}"


def person_resolve(
    p: PersonIn, *, actor: Any, purpose: str, retain_until: dt.date
) -> tuple[Person, float | None]:
    """The person ``p`` is: the holder of its BSN (or that holder's survivor after a merge),
    else the one candidate that reaches the automatic-link threshold, else a new person.
    One query for the holder and the candidates together, one insert for a new person."""
    if p.existing_id is not None:
        return _use_existing(Person, p.existing_id, retain_until), 1.0
    q = _person_query(p)
    # The BSN's holder (also when it was merged into another person) and the candidates.
    # Merged persons are dropped below, not in SQL: with statistics that lag behind a
    # growing table the planner would otherwise scan the "not merged" index (every person).
    found = _candidate_condition(q, auto_link=True)
    rows = (
        list(Person.objects.filter(found).only(*CANDIDATE_FIELDS).order_by("pk")[:51])
        if found is not None
        else []
    )
    holder = next((r for r in rows if r.bsn == q.bsn), None) if q.bsn else None
    if holder is not None:
        holder = canonical(holder)
        _extend_retention(holder, retain_until)
        return holder, 1.0
    # Links only when exactly one candidate reaches the auto-link threshold; only candidates
    # that can reach it are fetched.
    candidates = [r for r in rows if r.merged_into_id is None][:50]
    target = person_matcher().auto_link_target(q, [person_record(c) for c in candidates])
    if target is not None:
        # Candidates are never merged ones: the target is its own survivor.
        linked = next(c for c in candidates if c.pk == target.id)
        _extend_retention(linked, retain_until)
        if q.bsn and not linked.bsn:
            _add_bsn(linked, q.bsn, actor=actor, purpose=purpose)
        return linked, target.score
    # Persons with a BSN are identified by it; the identity key is for those without.
    key = None if q.bsn else _identity_key(q)
    person = Person(
        first_names=q.first_names,
        particle=q.particle,
        surname=q.surname,
        date_of_birth=q.date_of_birth,
        bsn=q.bsn,
        nationality=q.nationality,
        surname_key=name_key(q.surname),
        phonetic_key=phonetic(q.surname)[:40],
        identity_key=key,
        purpose=purpose,
        retain_until=retain_until,
    )
    if insert_unless_taken(person):
        _settle(person, True, actor=actor, purpose=purpose, retain_until=retain_until)
        return person, None
    # A concurrent desk registered the same person (same BSN or identity key) first.
    existing = Person.objects.get(**({"bsn": q.bsn} if q.bsn else {"identity_key": key}))
    existing = _settle(existing, False, actor=actor, purpose=purpose, retain_until=retain_until)
    return existing, 1.0


def _add_bsn(person: Person, bsn: str, *, actor: Any, purpose: str) -> None:
    """An auto-linked person without a BSN gets the one just entered (the link already says
    they are the same person). Not when another person holds that BSN meanwhile."""
    try:
        with transaction.atomic():
            added = Person.objects.filter(pk=person.pk, bsn__isnull=True).update(bsn=bsn)
    except IntegrityError:
        return
    if added:
        person.bsn = bsn
        core_objects_changed.send(sender=Person, kind="person", ids=[person.pk])
        audit_log(
            actor=actor,
            action=Action.CHANGE,
            object_type="registration.person",
            object_id=person.pk,
            purpose=purpose,
            detail={"bsn": "added on automatic link"},
        )


def organisation_resolve(
    o: OrganisationIn, *, actor: Any, purpose: str, retain_until: dt.date
) -> tuple[Organisation, float | None]:
    if o.existing_id is not None:
        return _use_existing(Organisation, o.existing_id, retain_until), 1.0
    kvk = (o.kvk_number or "").strip() or None
    fields = {
        "name": o.name.strip(),
        "name_key": organisation_name_key(o.name)[:200],
        "purpose": purpose,
        "retain_until": retain_until,
    }
    if kvk:
        org, created = _get_or_create(Organisation, {"kvk_number": kvk}, fields)
    else:
        found = Organisation.objects.filter(
            name_key=fields["name_key"], kvk_number__isnull=True, merged_into__isnull=True
        ).first()
        org, created = (found, False) if found else (Organisation.objects.create(**fields), True)
    org = _settle(org, created, actor=actor, purpose=purpose, retain_until=retain_until)
    return org, None if created else 1.0


def good_resolve(
    g: GoodIn, *, actor: Any, purpose: str, retain_until: dt.date
) -> tuple[Good, float | None, dict[str, str]]:
    """The good ``g`` names (:func:`matching.good_identity`): an existing one found by an
    identifier, which gets identifiers it lacked, or a new one. Returns the good, the match
    score (None for a new good) and the identifiers entered that another good holds (kept
    with the involvement)."""
    if g.existing_id is not None:
        return _use_existing(Good, g.existing_id, retain_until), 1.0, {}
    entered = {
        "frame_number": normalise_frame_number(g.frame_number) if g.frame_number else None,
        "plate": normalise_plate(g.plate) if g.plate else None,
        "imei": normalise_imei(g.imei) if g.imei else None,
    }
    lookup = Q()
    for f, value in entered.items():
        if value:
            lookup |= Q(**{f: value})
    for attempt in (1, 2):
        holders: dict[str, tuple[int, dict[str, str | None]]] = {}
        if lookup:
            for row in Good.objects.filter(lookup).values("id", *GOOD_IDENTIFIERS):
                theirs = {f: row[f] for f in GOOD_IDENTIFIERS}
                for f, value in entered.items():
                    if value and theirs[f] == value:
                        holders[f] = (row["id"], theirs)
        decision = good_identity(entered, holders)
        if decision.link is not None:
            good = canonical(Good.objects.get(pk=decision.link))
            try:
                with transaction.atomic():
                    for f, value in decision.store.items():
                        if Good.objects.filter(pk=good.pk, **{f"{f}__isnull": True}).update(
                            **{f: value}
                        ):
                            setattr(good, f, value)
            except IntegrityError:
                # A concurrent writer put one of them on another good first: decide again.
                if attempt == 2:
                    raise
                continue
            _extend_retention(good, retain_until)
            return good, 1.0, decision.elsewhere
        good = Good(
            kind=g.kind,
            brand=g.brand.strip(),
            description=g.description.strip(),
            serial_number=normalise_serial(g.serial_number) if g.serial_number else None,
            purpose=purpose,
            retain_until=retain_until,
            **decision.store,
        )
        if insert_unless_taken(good):
            _settle(good, True, actor=actor, purpose=purpose, retain_until=retain_until)
            return good, None, decision.elsewhere
        # A concurrent writer stored one of these identifiers first: decide again.
    raise IntegrityError("good identifiers kept changing under concurrent writers")


def location_resolve(
    a: AddressIn,
    *,
    x: float | None,
    y: float | None,
    actor: Any,
    purpose: str,
    retain_until: dt.date,
) -> Location:
    from regie.organisation.selectors import locate_ids

    postcode = normalise_postcode(a.postcode) if a.postcode else None
    key = address_key(a.street, a.house_number, a.house_number_suffix, postcode or "", a.city)
    place = locate_ids(x, y) if x is not None and y is not None else None
    fields = {
        "street": a.street.strip(),
        "house_number": a.house_number.strip(),
        "house_number_suffix": a.house_number_suffix.strip(),
        "postcode": postcode or "",
        "city": a.city.strip(),
        "x": x,
        "y": y,
        "neighbourhood_id": (place[0] or None) if place else None,
        "municipality_id": place[1] if place else None,
        "base_team_id": place[2] if place else None,
        "purpose": purpose,
        "retain_until": retain_until,
    }
    if key:
        location, created = _get_or_create(Location, {"address_key": key[:200]}, fields)
    else:
        location, created = Location.objects.create(**fields), True
    return _settle(location, created, actor=actor, purpose=purpose, retain_until=retain_until)


# --- Merge and split ---------------------------------------------------------------------------

CORE_MODELS: dict[str, Any] = {
    "person": Person,
    "organisation": Organisation,
    "good": Good,
    "location": Location,
}


class MergeError(Exception):
    pass


def core_object_merge(
    object_type: str, *, survivor_id: int, merged_id: int, actor: Any, reason: str
) -> MergeEvent:
    """Merge ``merged_id`` into ``survivor_id``: the merged object stays (history) but points
    to the survivor; lookups resolve through :func:`canonical`."""
    model = CORE_MODELS.get(object_type)
    if model is None:
        raise MergeError(f"Onbekend objecttype {object_type!r}")
    if survivor_id == merged_id:
        raise MergeError("Een object kan niet met zichzelf worden samengevoegd.")
    if not reason.strip():
        raise MergeError("Geef een reden voor het samenvoegen.")
    with transaction.atomic():
        objs = {
            o.pk: o
            for o in model.objects.select_for_update().filter(pk__in=[survivor_id, merged_id])
        }
        if len(objs) != 2:
            raise MergeError("Object niet gevonden.")
        survivor, merged = objs[survivor_id], objs[merged_id]
        if survivor.merged_into_id is not None or merged.merged_into_id is not None:
            raise MergeError("Een van beide objecten is al samengevoegd; splits eerst.")
        model.objects.filter(pk=merged_id).update(merged_into_id=survivor_id)
        model.objects.filter(pk=survivor_id).update(
            retain_until=max(survivor.retain_until, merged.retain_until)
        )
        event = MergeEvent.objects.create(
            object_type=object_type,
            survivor_id=survivor_id,
            merged_id=merged_id,
            reason=reason.strip()[:200],
            actor=actor,
        )
        audit_log(
            actor=actor,
            action=Action.CHANGE,
            object_type=f"registration.{object_type}",
            object_id=merged_id,
            purpose=Purpose.WPG8,
            detail={"merged_into": survivor_id, "reason": reason.strip()[:200]},
        )
    return event


def core_object_split(event_id: int, *, actor: Any, reason: str) -> MergeEvent:
    """Undo a merge: the merged object stands on its own again; history is kept."""
    if not reason.strip():
        raise MergeError("Geef een reden voor het splitsen.")
    with transaction.atomic():
        event = MergeEvent.objects.select_for_update().filter(pk=event_id).first()
        if event is None:
            raise MergeError("Samenvoeging niet gevonden.")
        if event.undone_at is not None:
            raise MergeError("Deze samenvoeging is al ongedaan gemaakt.")
        model = CORE_MODELS[event.object_type]
        model.objects.filter(pk=event.merged_id).update(merged_into=None)
        event.undone_at = timezone.now()
        event.undone_by = actor
        event.undo_reason = reason.strip()[:200]
        event.save(update_fields=["undone_at", "undone_by", "undo_reason"])
        audit_log(
            actor=actor,
            action=Action.CHANGE,
            object_type=f"registration.{event.object_type}",
            object_id=event.merged_id,
            purpose=Purpose.WPG8,
            detail={"split_from": event.survivor_id, "reason": event.undo_reason},
        )
    return event


# --- Retention ---------------------------------------------------------------------------------

register(
    RetentionPolicy(
        model=Registration,
        action="delete",
        description="registrations: five years after reporting (art. 14 Wpg)",
    )
)
for _model in (Person, Organisation, Good, Location):
    register(
        RetentionPolicy(
            model=_model,
            action="delete",
            extra_filter=lambda qs: qs.filter(involvements__isnull=True, merged__isnull=True),
            description="core objects: when no registration refers to them any more",
        )
    )
