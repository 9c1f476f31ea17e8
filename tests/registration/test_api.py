"""The registrations API: create (idempotent), read within need-to-know, problem details."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from regie.organisation.models import BaseTeam
from regie.organisation.roles import Role
from regie.registration.models import Registration
from tests.conftest import point_in

pytestmark = pytest.mark.django_db


def body(team: BaseTeam, **extra: Any) -> dict[str, Any]:
    x, y = point_in(team)
    now = dt.datetime.now(tz=dt.UTC).replace(microsecond=0)
    data: dict[str, Any] = {
        "kind": "aangifte",
        "channel": "phone",
        "occurred_from": (now - dt.timedelta(hours=5)).isoformat(),
        "occurred_to": (now - dt.timedelta(hours=4)).isoformat(),
        "reported_at": (now - dt.timedelta(hours=1)).isoformat(),
        "x": x,
        "y": y,
        "offences": [{"incident_code": "A10"}, {"incident_code": "C40", "attempt": True}],
        "involvements": [
            {
                "role": "victim",
                "person": {
                    "first_names": "Sara",
                    "surname": "de Graaf",
                    "date_of_birth": "1990-02-03",
                },
            },
            {"role": "stolen_good", "good": {"kind": "phone", "imei": "490154203237518"}},
        ],
        "narrative": "Ruit ingeslagen, telefoon weg.",
    }
    data.update(extra)
    return data


def post(client: Client, data: dict[str, Any], key: str | None = None) -> Any:
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(
        reverse("api-registrations"),
        data=json.dumps(data),
        content_type="application/json",
        **headers,
    )


def test_create_replay_and_conflict(client_for: Callable[..., Client], team: BaseTeam) -> None:
    c = client_for(Role.DESK_OFFICER)
    data = body(team)
    first = post(c, data, key="abc-1")
    assert first.status_code == 201, first.content
    number = first.json()["number"]
    assert first.json()["offences"] == ["A10", "C40"]
    assert first["Location"] == f"/api/v1/registrations/{number}/"
    again = post(c, data, key="abc-1")
    assert again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    assert again.json()["number"] == number and Registration.objects.count() == 1
    other = post(c, {**data, "narrative": "iets anders"}, key="abc-1")
    assert other.status_code == 409
    assert other["Content-Type"] == "application/problem+json"
    detail = c.get(first["Location"]).json()
    assert [o["incident_code"] for o in detail["offences"]] == ["A10", "C40"]
    assert detail["offences"][1]["attempt"] is True
    assert {i["role"] for i in detail["involvements"]} == {"victim", "stolen_good"}


def test_field_errors_are_problem_details(
    client_for: Callable[..., Client], team: BaseTeam
) -> None:
    c = client_for(Role.DESK_OFFICER)
    bad = body(team, occurred_to="2000-01-01T00:00:00+00:00", offences=[{"incident_code": "QQ1"}])
    r = post(c, bad)
    assert r.status_code == 400 and r["Content-Type"] == "application/problem+json"
    errors = r.json()["errors"]
    assert "occurred_to" in errors and "offences[0].incident_code" in errors
    r = post(c, {"kind": "brief"})
    assert r.status_code == 400 and {"kind", "occurred_from", "channel"} <= set(r.json()["errors"])
    r = c.post(reverse("api-registrations"), data="{not json", content_type="application/json")
    assert r.status_code == 400 and r["Content-Type"] == "application/problem+json"
    r = post(c, body(team), key="x" * 65)
    assert r.status_code == 400 and "Idempotency-Key" in r.json()["errors"]
    assert Registration.objects.count() == 0


def test_roles_that_may_not_create(client_for: Callable[..., Client], team: BaseTeam) -> None:
    for role in (Role.ANALYST, Role.ADMINISTRATOR, Role.TIPLINE_OPERATOR):
        r = post(client_for(role), body(team))
        assert r.status_code == 403, role
    assert Registration.objects.count() == 0


def test_detail_outside_scope_is_refused(
    client_for: Callable[..., Client], team: BaseTeam, other_team: BaseTeam
) -> None:
    created = post(client_for(Role.DESK_OFFICER), body(team)).json()["number"]
    stranger = client_for(Role.INVESTIGATOR, at=other_team)
    r = stranger.get(reverse("api-registration", args=[created]))
    assert r.status_code == 403
    listing = stranger.get(reverse("api-registrations")).json()
    assert created not in [x["number"] for x in listing["results"]]


def test_idempotency_keys_are_per_client(client_for: Callable[..., Client], team: BaseTeam) -> None:
    data = body(team)
    a = post(client_for(Role.DESK_OFFICER), data, key="same-key")
    b = post(client_for(Role.CASE_SCREENER), data, key="same-key")
    assert a.status_code == 201 and b.status_code == 201
    assert a.json()["number"] != b.json()["number"]


def test_existing_objects_outside_scope_or_missing_cannot_be_linked(
    client_for: Callable[..., Client], team: BaseTeam, other_team: BaseTeam
) -> None:
    here = client_for(Role.DESK_OFFICER)
    post(
        here,
        body(
            team,
            involvements=[
                {
                    "role": "suspect",
                    "person": {"first_names": "Geheim", "surname": "Persoon", "bsn": "111222333"},
                }
            ],
        ),
    )
    from regie.registration.models import Person

    secret = Person.objects.get(bsn="111222333")
    stranger = client_for(Role.DESK_OFFICER, at=other_team)
    for existing in (secret.pk, 999_999, 2**70):
        r = post(
            stranger,
            body(
                other_team,
                involvements=[
                    {"role": "witness", "person": {"surname": "x", "existing_id": existing}}
                ],
            ),
        )
        assert r.status_code == 400, (existing, r.content)
        assert "involvements[0].person.existing_id" in r.json()["errors"] or existing == 2**70
    r = stranger.get(reverse("registration:person", args=[secret.pk]))
    assert r.status_code == 403


def test_person_above_clearance_is_refused(
    client_for: Callable[..., Client], registration: Any
) -> None:
    person = registration.involvements.filter(person__isnull=False).first().person
    person.confidentiality = 3
    person.save()
    r = client_for(Role.DESK_OFFICER).get(reverse("registration:person", args=[person.pk]))
    assert r.status_code == 403


def test_persons_above_clearance_are_masked_in_a_registration(
    client_for: Callable[..., Client], registration: Any
) -> None:
    person = registration.involvements.filter(person__isnull=False).first().person
    person.confidentiality = 3
    person.save()
    desk = client_for(Role.DESK_OFFICER)
    page = desk.get(reverse("registration:detail", args=[registration.number])).content.decode()
    assert "afgeschermd" in page and person.surname not in page
    data = desk.get(reverse("api-registration", args=[registration.number])).json()
    reporter = next(i for i in data["involvements"] if i["role"] == "reporter")
    assert reporter["label"] == "(afgeschermd)" and reporter["object_id"] is None
    intel = client_for(Role.INTELLIGENCE_OFFICER)  # clearance: secret
    data = intel.get(reverse("api-registration", args=[registration.number])).json()
    reporter = next(i for i in data["involvements"] if i["role"] == "reporter")
    assert reporter["object_id"] == person.pk


def test_type_specific_answers_and_damaged_goods_are_stored(
    client_for: Callable[..., Client], team: BaseTeam
) -> None:
    c = client_for(Role.DESK_OFFICER)
    data = body(
        team,
        offences=[{"incident_code": "C40"}],
        involvements=[{"role": "damaged_good", "good": {"kind": "vehicle", "plate": "12-XY-34"}}],
        extra={"kleur": "blauw", "schade aan": "zijspiegel"},
    )
    r = post(c, data, key="extra-1")
    assert r.status_code == 201, r.content
    detail = c.get(r["Location"]).json()
    assert detail["extra"] == {"kleur": "blauw", "schade aan": "zijspiegel"}
    assert [i["role"] for i in detail["involvements"]] == ["damaged_good"]
    assert detail["involvements"][0]["identifiers_entered"] is None
    too_many = post(c, body(team, extra={f"v{i}": "x" for i in range(51)}), key="extra-2")
    assert too_many.status_code == 400 and "extra" in too_many.json()["errors"]
    not_text = post(c, body(team, extra={"a": {"b": 1}}), key="extra-3")
    assert not_text.status_code == 400 and Registration.objects.count() == 1
