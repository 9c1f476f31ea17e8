from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from regie.audit.models import AuditEntry
from regie.organisation.models import BaseTeam, Position
from regie.organisation.roles import Role
from regie.registration.inputs import InvolvementIn, OffenceIn, PersonIn
from regie.registration.models import Good, Offence, Person, Registration
from regie.registration.services import (
    IdempotencyConflict,
    RegistrationInvalid,
    registration_create,
)
from tests.conftest import registration_input

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(make_staff: Callable[..., Position]) -> Position:
    return make_staff(Role.DESK_OFFICER)


def test_one_record_per_offence_and_derived_place(team: BaseTeam, desk: Position) -> None:
    reg, created = registration_create(registration_input(team), actor=desk.user, source="desk")
    assert created
    assert reg.number.startswith(f"RG{reg.reported_at.year}-")
    offences = list(Offence.objects.filter(registration=reg).order_by("seq"))
    assert [(o.seq, o.incident_code.code, o.category.code) for o in offences] == [
        (1, "A72", "1.2.3"),
        (2, "C40", "2.2.1"),
    ]
    assert reg.base_team == team and reg.neighbourhood is not None
    assert reg.neighbourhood.base_team == team
    assert reg.retain_until > dt.date.today() and reg.purpose == "wpg8"
    assert AuditEntry.objects.filter(
        object_type="registration.registration", object_id=str(reg.pk), action="create"
    ).exists()


def test_core_objects_are_registered_once(team: BaseTeam, desk: Position) -> None:
    first, _ = registration_create(registration_input(team), actor=desk.user, source="desk")
    # The same person (by BSN) and bicycle (frame number, spelled differently) again.
    again = registration_input(
        team,
        narrative="Tweede fiets, zelfde aangever",
        involvements=(
            InvolvementIn("reporter", person=PersonIn("Jan", "van der Berg", bsn="111 222 333")),
            InvolvementIn(
                "stolen_good",
                good=dataclasses.replace(
                    registration_input(team).involvements[1].good, frame_number="gz123456"
                ),
            ),
        ),
    )
    second, _ = registration_create(again, actor=desk.user, source="desk")
    assert Person.objects.count() == 1
    assert Good.objects.count() == 1
    person = Person.objects.get()
    assert (person.particle, person.surname) == ("van der", "Berg")
    assert set(person.involvements.values_list("registration_id", flat=True)) == {
        first.pk,
        second.pk,
    }


def test_fuzzy_match_links_above_threshold(team: BaseTeam, desk: Position) -> None:
    registration_create(registration_input(team), actor=desk.user, source="desk")
    # No BSN this time, particle written separately, same name and date of birth.
    again = registration_input(
        team,
        involvements=(
            InvolvementIn("victim", person=PersonIn("Jan", "Berg", "van der", dt.date(1980, 5, 4))),
        ),
    )
    reg, _ = registration_create(again, actor=desk.user, source="desk")
    assert Person.objects.count() == 1
    assert reg.involvements.get().match_score is not None


def test_an_automatic_link_adds_a_newly_entered_bsn(team: BaseTeam, desk: Position) -> None:
    first = registration_input(
        team,
        involvements=(
            InvolvementIn("victim", person=PersonIn("Jan", "Berg", "van der", dt.date(1980, 5, 4))),
        ),
    )
    registration_create(first, actor=desk.user, source="desk")
    person = Person.objects.get()
    assert person.bsn is None
    second = registration_input(team)  # the same person, now with BSN 111222333
    registration_create(second, actor=desk.user, source="desk")
    person.refresh_from_db()
    assert Person.objects.count() == 1 and person.bsn == "111222333"
    entry = AuditEntry.objects.filter(
        object_type="registration.person", object_id=str(person.pk), action="change"
    ).get()
    assert "111222333" not in str(entry.detail)


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"occurred_to": "before"}, "occurred_to", "vóór het begin"),
        ({"reported_at": "future"}, "reported_at", "toekomst"),
        ({"x": 10.0, "y": 10.0}, "x", "buiten Nederland"),
        ({"offences": (OffenceIn("ZZ99"),)}, "offences[0].incident_code", "Onbekende incidentcode"),
        ({"offences": ()}, "offences", "minstens één"),
        ({"kind": "aanhouding"}, "involvements", "aangehouden persoon"),
    ],
)
def test_impossible_data_is_refused(
    team: BaseTeam, desk: Position, change: dict[str, Any], field: str, message: str
) -> None:
    base = registration_input(team)
    values = dict(change)
    if values.get("occurred_to") == "before":
        values["occurred_to"] = base.occurred_from - dt.timedelta(hours=1)
    if values.get("reported_at") == "future":
        values["reported_at"] = dt.datetime.now(tz=dt.UTC) + dt.timedelta(days=1)
    with pytest.raises(RegistrationInvalid) as exc:
        registration_create(dataclasses.replace(base, **values), actor=desk.user, source="desk")
    assert field in exc.value.errors and message in " ".join(exc.value.errors[field])
    assert Registration.objects.count() == 0 and Person.objects.count() == 0


def test_suspect_who_is_also_victim_is_refused(team: BaseTeam, desk: Position) -> None:
    jan = PersonIn("Jan", "Berg", "van der", dt.date(1980, 5, 4))
    reg = registration_input(
        team,
        involvements=(InvolvementIn("victim", person=jan), InvolvementIn("suspect", person=jan)),
    )
    with pytest.raises(RegistrationInvalid) as exc:
        registration_create(reg, actor=desk.user, source="desk")
    assert "ook aangever of slachtoffer" in str(exc.value)


def test_bad_identifiers_are_refused(team: BaseTeam, desk: Position) -> None:
    reg = registration_input(
        team,
        involvements=(InvolvementIn("victim", person=PersonIn("Jan", "Berg", bsn="123456789")),),
    )
    with pytest.raises(RegistrationInvalid) as exc:
        registration_create(reg, actor=desk.user, source="desk")
    assert "involvements[0].person.bsn" in exc.value.errors


def test_idempotency_key(team: BaseTeam, desk: Position) -> None:
    data = registration_input(team)
    a, created_a = registration_create(data, actor=desk.user, source="api", idempotency_key="k1")
    b, created_b = registration_create(data, actor=desk.user, source="api", idempotency_key="k1")
    assert created_a and not created_b and a.pk == b.pk
    assert Registration.objects.count() == 1
    with pytest.raises(IdempotencyConflict):
        registration_create(
            dataclasses.replace(data, narrative="anders"),
            actor=desk.user,
            source="api",
            idempotency_key="k1",
        )
