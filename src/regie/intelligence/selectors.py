"""Reads for case linking and intelligence pictures, always within need-to-know: a user sees
a link only when both registrations are visible to them, a series or problem through its
visible registrations, and core objects up to their clearance."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from regie.intelligence.linking.detect import Incident
from regie.intelligence.models import LinkProposal, LinkStatus, Problem, Series
from regie.organisation.access import (
    clearance_of,
    has_perm,
    position_of,
    registrations_visible_to,
)
from regie.organisation.roles import Perm, ScopeLevel
from regie.registration.models import Good, Involvement, Organisation, Person, Registration, Role

#: Roles that tie a person or organisation to the offender side of a registration.
OFFENDER_ROLES = (Role.SUSPECT, Role.ARRESTED)


def _survivor(obj: Any) -> Any:
    seen = 0
    while obj is not None and obj.merged_into_id is not None and seen < 20:
        obj = obj.merged_into
        seen += 1
    return obj


def incidents(
    since: dt.datetime, *, until: dt.datetime | None = None, team_codes: list[str] | None = None
) -> list[Incident]:
    """The registrations from ``since`` (by start of the offence) as detector input: text =
    modus operandi + narrative; objects = suspects, suspect organisations and goods (after
    merges)."""
    qs = Registration.objects.filter(occurred_from__gte=since)
    if until is not None:
        qs = qs.filter(occurred_from__lt=until)
    if team_codes:
        qs = qs.filter(base_team__code__in=team_codes)
    rows = list(
        qs.order_by("pk").values_list(
            "pk", "occurred_from", "x", "y", "modus_operandi", "narrative", "base_team__code"
        )
    )
    ids = [r[0] for r in rows]
    categories: dict[int, set[str]] = {i: set() for i in ids}
    objects: dict[int, set[str]] = {i: set() for i in ids}
    chunk = 5000
    from regie.registration.models import Offence

    for start in range(0, len(ids), chunk):
        part = ids[start : start + chunk]
        for reg_id, code in Offence.objects.filter(registration_id__in=part).values_list(
            "registration_id", "category__code"
        ):
            categories[reg_id].add(code)
        involvements = Involvement.objects.filter(registration_id__in=part).filter(
            Q(person__isnull=False, role__in=OFFENDER_ROLES)
            | Q(organisation__isnull=False, role=Role.SUSPECT)
            | Q(good__isnull=False)
        )
        for inv in involvements.select_related(
            "person__merged_into", "organisation__merged_into", "good__merged_into"
        ):
            if inv.person_id:
                objects[inv.registration_id].add(f"person:{_survivor(inv.person).pk}")
            elif inv.organisation_id:
                objects[inv.registration_id].add(f"organisation:{_survivor(inv.organisation).pk}")
            elif inv.good_id:
                objects[inv.registration_id].add(f"good:{_survivor(inv.good).pk}")
    return [
        Incident(
            id=pk,
            start=start_at,
            categories=frozenset(categories[pk]),
            text=f"{mo}. {narrative}" if mo else narrative,
            x=x,
            y=y,
            objects=frozenset(objects[pk]),
            team=team or "",
        )
        for pk, start_at, x, y, mo, narrative, team in rows
    ]


def proposals_visible_to(
    user: Any, qs: QuerySet[LinkProposal] | None = None
) -> QuerySet[LinkProposal]:
    """Links whose two registrations the user may both see."""
    qs = LinkProposal.objects.all() if qs is None else qs
    if not has_perm(user, Perm.VIEW_INTELLIGENCE):
        return qs.none()
    visible = registrations_visible_to(user, Registration.objects.all())
    return qs.filter(a__in=visible, b__in=visible)


def series_visible_to(user: Any) -> QuerySet[Series]:
    if not has_perm(user, Perm.VIEW_INTELLIGENCE):
        return Series.objects.none()
    visible = registrations_visible_to(user, Registration.objects.all())
    return Series.objects.filter(registrations__in=visible).distinct()


def problems_visible_to(user: Any) -> QuerySet[Problem]:
    """Problems owned by the user's unit (or all, nationally), and problems with a member
    registration the user may see."""
    if not has_perm(user, Perm.VIEW_INTELLIGENCE):
        return Problem.objects.none()
    position = position_of(user)
    assert position is not None
    visible = registrations_visible_to(user, Registration.objects.all())
    if position.scope_level == ScopeLevel.NATIONAL:
        return Problem.objects.all()
    unit_id = unit_id_of(position)
    return Problem.objects.filter(
        Q(owner_unit_id=unit_id) | Q(members__registration__in=visible)
    ).distinct()


def unit_id_of(position: Any) -> int | None:
    if position.unit_id:
        return int(position.unit_id)
    if position.district_id:
        return int(position.district.unit_id)
    if position.base_team_id:
        return int(position.base_team.district.unit_id)
    return None


def visible_members(user: Any, registrations: QuerySet[Registration]) -> QuerySet[Registration]:
    return registrations_visible_to(user, registrations).select_related("base_team")


def involvements_of(user: Any, registration_ids: Any) -> list[Involvement]:
    """The involvements of these registrations whose core object the user may see (up to
    the user's clearance)."""
    clearance = int(clearance_of(user))
    qs = Involvement.objects.filter(registration_id__in=registration_ids).select_related(
        "person", "organisation", "good", "location"
    )
    out = []
    for inv in qs:
        obj = inv.person or inv.organisation or inv.good or inv.location
        if obj is not None and int(obj.confidentiality) <= clearance:
            out.append(inv)
    return out


def top_entities(
    user: Any, registration_ids: Any, *, limit: int = 5
) -> dict[str, list[tuple[str, int]]]:
    """The most involved persons (suspects), goods and locations of these registrations,
    within the user's clearance: kind -> [(label, registrations)]."""
    counts: dict[str, Counter[tuple[str, int]]] = {
        "persons": Counter(),
        "goods": Counter(),
        "locations": Counter(),
    }
    labels: dict[tuple[str, int], str] = {}
    seen: set[tuple[str, int, int]] = set()
    for inv in involvements_of(user, registration_ids):
        if inv.person is not None and inv.role in OFFENDER_ROLES:
            kind, obj = "persons", _survivor(inv.person)
        elif inv.good is not None:
            kind, obj = "goods", _survivor(inv.good)
        elif inv.location is not None:
            kind, obj = "locations", _survivor(inv.location)
        else:
            continue
        if (kind, inv.registration_id, obj.pk) in seen:
            continue
        seen.add((kind, inv.registration_id, obj.pk))
        counts[kind][(kind, obj.pk)] += 1
        labels[(kind, obj.pk)] = str(obj)
    # Goods and locations only when they recur: one stolen phone is no pattern.
    return {
        kind: [
            (labels[key], n) for key, n in counter.most_common(limit) if n > 1 or kind == "persons"
        ]
        for kind, counter in counts.items()
    }


def undecided_count(user: Any, registration_ids: Any) -> int:
    """Undecided visible links touching these registrations (a list of ids, or better a
    ``values("pk")`` subquery for large sets)."""
    return (
        proposals_visible_to(user)
        .filter(status=LinkStatus.PROPOSED)
        .filter(Q(a_id__in=registration_ids) | Q(b_id__in=registration_ids))
        .count()
    )


#: Core objects that a link reason may name ("gedeeld object person:12").
REASON_OBJECTS: dict[str, Any] = {"person": Person, "organisation": Organisation, "good": Good}
_OBJECT_PREFIX = "gedeeld object "


def _reason_object(reason: Any) -> tuple[str, int] | None:
    if not isinstance(reason, dict) or reason.get("code") != "object":
        return None
    detail = str(reason.get("detail", ""))
    if not detail.startswith(_OBJECT_PREFIX):
        return None
    kind, _sep, pk = detail[len(_OBJECT_PREFIX) :].partition(":")
    return (kind, int(pk)) if pk.isdigit() else None


def shown_reasons(user: Any, proposals: Iterable[LinkProposal]) -> None:
    """Set ``shown_reasons`` on each proposal: its reasons, with the core objects above the
    user's clearance (or no longer there) named only as "gedeeld object"."""
    proposals = list(proposals)
    wanted: dict[str, set[int]] = {}
    for p in proposals:
        for r in p.reasons or []:
            ref = _reason_object(r)
            if ref is not None and ref[0] in REASON_OBJECTS:
                wanted.setdefault(ref[0], set()).add(ref[1])
    clearance = int(clearance_of(user))
    allowed = {
        (kind, pk)
        for kind, ids in wanted.items()
        for pk in REASON_OBJECTS[kind]
        .objects.filter(pk__in=ids, confidentiality__lte=clearance)
        .values_list("pk", flat=True)
    }
    for p in proposals:
        out = []
        for r in p.reasons or []:
            ref = _reason_object(r)
            if ref is not None and ref[0] in REASON_OBJECTS and ref not in allowed:
                r = {**r, "detail": _("gedeeld object")}
            out.append(r)
        p.shown_reasons = out  # type: ignore[attr-defined]
