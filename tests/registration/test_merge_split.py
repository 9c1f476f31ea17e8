from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from regie.audit.models import AuditEntry
from regie.organisation.models import BaseTeam, Position
from regie.organisation.roles import Role
from regie.registration.inputs import InvolvementIn, PersonIn
from regie.registration.models import MergeEvent, Person
from regie.registration.selectors import person_family
from regie.registration.services import (
    MergeError,
    canonical,
    core_object_merge,
    core_object_split,
    registration_create,
)
from tests.conftest import registration_input

pytestmark = pytest.mark.django_db


def two_people(team: BaseTeam, actor: Position) -> tuple[Person, Person]:
    a = registration_input(
        team,
        involvements=(
            InvolvementIn(
                "victim", person=PersonIn("Piet", "Jansen", date_of_birth=dt.date(1970, 1, 2))
            ),
        ),
    )
    b = registration_input(
        team,
        narrative="ander",
        involvements=(
            InvolvementIn(
                "victim", person=PersonIn("P.", "Janssen", date_of_birth=dt.date(1971, 3, 4))
            ),
        ),
    )
    registration_create(a, actor=actor.user, source="desk")
    registration_create(b, actor=actor.user, source="desk")
    first, second = Person.objects.order_by("pk")
    return first, second


def test_merge_and_split_keep_history(team: BaseTeam, make_staff: Callable[..., Position]) -> None:
    officer = make_staff(Role.INTELLIGENCE_OFFICER)
    a, b = two_people(team, officer)
    event = core_object_merge(
        "person",
        survivor_id=a.pk,
        merged_id=b.pk,
        actor=officer.user,
        reason="zelfde persoon volgens GBA",
    )
    b.refresh_from_db()
    assert canonical(b) == a and sorted(person_family(a)) == [a.pk, b.pk]
    assert AuditEntry.objects.filter(
        object_type="registration.person", object_id=str(b.pk), action="change"
    ).exists()
    with pytest.raises(MergeError, match="al samengevoegd"):
        core_object_merge(
            "person", survivor_id=a.pk, merged_id=b.pk, actor=officer.user, reason="nog eens"
        )
    core_object_split(event.pk, actor=officer.user, reason="toch verschillende personen")
    b.refresh_from_db()
    assert b.merged_into is None and person_family(a) == [a.pk]
    event.refresh_from_db()
    assert event.undone_at is not None and MergeEvent.objects.count() == 1
    with pytest.raises(MergeError, match="al ongedaan"):
        core_object_split(event.pk, actor=officer.user, reason="x")


def test_merge_needs_reason_and_two_objects(
    team: BaseTeam, make_staff: Callable[..., Position]
) -> None:
    officer = make_staff(Role.INTELLIGENCE_OFFICER)
    a, b = two_people(team, officer)
    with pytest.raises(MergeError, match="reden"):
        core_object_merge(
            "person", survivor_id=a.pk, merged_id=b.pk, actor=officer.user, reason=" "
        )
    with pytest.raises(MergeError, match="zichzelf"):
        core_object_merge(
            "person", survivor_id=a.pk, merged_id=a.pk, actor=officer.user, reason="x"
        )
    with pytest.raises(MergeError, match="Onbekend objecttype"):
        core_object_merge(
            "planet", survivor_id=a.pk, merged_id=b.pk, actor=officer.user, reason="x"
        )
