"""Reads of registrations and core objects, always through the access functions."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from regie.organisation.access import clearance_of, registrations_visible_to
from regie.registration.models import (
    Involvement,
    Offence,
    PairReview,
    Person,
    Registration,
)


def offences_qs() -> QuerySet[Offence]:
    return Offence.objects.select_related("incident_code", "category").order_by("seq")


def involvements_qs() -> QuerySet[Involvement]:
    return Involvement.objects.select_related(
        "person", "organisation", "good", "location"
    ).order_by("pk")


def registration_search(
    user: Any, *, q: str = "", kind: str = "", team_code: str = ""
) -> QuerySet[Registration]:
    qs = (
        registrations_visible_to(user, Registration.objects.all())
        .select_related("base_team", "municipality")
        .prefetch_related(Prefetch("offences", queryset=offences_qs()))
    )
    if q:
        qs = qs.filter(
            Q(number__iexact=q)
            | Q(offences__incident_code__code__iexact=q)
            | Q(narrative__icontains=q)
        ).distinct()
    if kind:
        qs = qs.filter(kind=kind)
    if team_code:
        qs = qs.filter(base_team__code=team_code)
    return qs.order_by("-reported_at", "-pk")


def registration_detail(user: Any, number: str) -> Registration | None:
    return (
        registrations_visible_to(user, Registration.objects.filter(number=number))
        .select_related("base_team", "municipality", "neighbourhood", "location")
        .prefetch_related(
            Prefetch("offences", queryset=offences_qs()),
            Prefetch("involvements", queryset=involvements_qs()),
        )
        .first()
    )


def person_family(person: Person) -> list[int]:
    """The person and every person merged into it (recursively)."""
    ids = [person.pk]
    frontier = [person.pk]
    while frontier:
        frontier = list(
            Person.objects.filter(merged_into_id__in=frontier).values_list("pk", flat=True)
        )
        ids.extend(frontier)
    return ids


def person_registrations(user: Any, person: Person) -> QuerySet[Registration]:
    """The registrations involving the person (or persons merged into it) that the user may
    see; empty means the user may not see the person at all."""
    return (
        registrations_visible_to(
            user, Registration.objects.filter(involvements__person_id__in=person_family(person))
        )
        .distinct()
        .order_by("-reported_at")
    )


def pair_reviews_visible_to(user: Any, qs: QuerySet[PairReview]) -> QuerySet[PairReview]:
    """Review pairs whose two objects the user may both see: each appears in a registration
    within the user's scope and clearance, and each is within the user's clearance."""
    from regie.registration.resolution import KINDS

    visible = registrations_visible_to(user, Registration.objects.all())
    clearance = int(clearance_of(user))
    allowed = Q(pk__in=[])
    for object_type, kind in KINDS.items():
        seen = Q(involvements__registration__in=visible)
        if object_type == "location":  # also the scene of a registration
            seen |= Q(pk__in=visible.values("location_id"))
        objects = kind.model.objects.filter(seen, confidentiality__lte=clearance).values("pk")  # type: ignore[attr-defined]
        allowed |= Q(object_type=object_type, id_a__in=objects, id_b__in=objects)
    return qs.filter(allowed)


def object_registrations(user: Any, obj: Any) -> QuerySet[Registration]:
    """The registrations involving a core object (or objects merged into it) that the user
    may see."""
    if isinstance(obj, Person):
        return person_registrations(user, obj)
    ids = [obj.pk, *type(obj).objects.filter(merged_into=obj).values_list("pk", flat=True)]
    field = type(obj).__name__.lower()
    seen = Q(**{f"involvements__{field}_id__in": ids})
    if field == "location":
        seen |= Q(location_id__in=ids)
    return (
        registrations_visible_to(user, Registration.objects.filter(seen))
        .distinct()
        .order_by("-reported_at")
    )
