"""The desk officer's aangifte form."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from regie.organisation.models import BaseTeam
from regie.organisation.roles import Role
from regie.registration.models import Person, Registration
from tests.conftest import point_in

pytestmark = pytest.mark.django_db


def management(prefix: str, total: int) -> dict[str, str]:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "20",
    }


def form_data(team: BaseTeam, **extra: str) -> dict[str, str]:
    x, y = point_in(team)
    now = dt.datetime.now().replace(second=0, microsecond=0)
    data = {
        "form_token": "desk-test-1",
        "kind": "aangifte",
        "channel": "desk",
        "occurred_from": (now - dt.timedelta(days=1, hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "occurred_to": (now - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "reported_at": now.strftime("%Y-%m-%dT%H:%M"),
        "x": str(x),
        "y": str(y),
        "street": "Stationsplein",
        "house_number": "1",
        "postcode": "3511 ce",
        "city": "Utrecht",
        "narrative": "Inbraak in de schuur.",
        **management("offence", 3),
        **management("person", 3),
        **management("good", 2),
        "offence-0-incident_code": "A20",
        "offence-1-incident_code": "C40",
        "person-0-role": "reporter",
        "person-0-first_names": "Anna",
        "person-0-particle": "de",
        "person-0-surname": "Vries",
        "person-0-date_of_birth": "1975-03-02",
        "person-1-role": "victim",
        "person-2-role": "witness",
        "good-0-role": "stolen_good",
        "good-0-kind": "bicycle",
        "good-0-brand": "Batavus",
        "good-0-frame_number": "BT 998877",
        "good-1-role": "stolen_good",
        "good-1-kind": "other",
    }
    data.update(extra)
    return data


def test_form_renders(client_for: Callable[..., Client]) -> None:
    r = client_for(Role.DESK_OFFICER).get(reverse("registration:new"))
    assert r.status_code == 200
    html = r.content.decode()
    assert "Nieuwe registratie" in html and "A72 Diefstal fiets" in html


def test_two_offences_one_person_one_good(
    client_for: Callable[..., Client], team: BaseTeam
) -> None:
    c = client_for(Role.DESK_OFFICER)
    r = c.post(reverse("registration:new"), form_data(team))
    assert r.status_code == 302, r.content.decode()[:3000]
    reg = Registration.objects.get()
    assert r["Location"] == reverse("registration:detail", args=[reg.number])
    assert [o.incident_code.code for o in reg.offences.order_by("seq")] == ["A20", "C40"]
    assert reg.involvements.filter(role="reporter", person__surname="Vries").exists()
    assert reg.involvements.filter(role="stolen_good", good__frame_number="BT998877").exists()
    assert reg.location is not None and reg.location.postcode == "3511CE"
    assert reg.base_team == team and reg.channel == "desk"
    # A double submit of the same form does not register twice.
    again = c.post(reverse("registration:new"), form_data(team))
    assert again.status_code == 302 and Registration.objects.count() == 1


def test_errors_are_shown_at_the_fields(client_for: Callable[..., Client], team: BaseTeam) -> None:
    c = client_for(Role.DESK_OFFICER)
    data = form_data(
        team,
        **{
            "person-0-bsn": "123456789",
            "offence-0-incident_code": "",
            "offence-1-incident_code": "",
        },
    )
    r = c.post(reverse("registration:new"), data)
    assert r.status_code == 400
    html = r.content.decode()
    assert "Ongeldig BSN" in html and "minstens één strafbaar feit" in html
    assert Registration.objects.count() == 0 and Person.objects.count() == 0


def test_suggestions_and_choosing_an_existing_person(
    client_for: Callable[..., Client], team: BaseTeam, registration: Any
) -> None:
    c = client_for(Role.DESK_OFFICER)
    jan = Person.objects.get(surname="Berg")
    r = c.get(
        reverse("registration:person_suggest"),
        {
            "prefix": "person-0",
            "person-0-surname": "v.d. Berg",
            "person-0-first_names": "J.",
            "person-0-date_of_birth": "1980-04-05",
        },
    )
    html = r.content.decode()
    assert r.status_code == 200 and f'value="{jan.pk}"' in html
    assert "verwisseld" in html  # day and month swapped is explained
    data = form_data(
        team,
        **{
            "form_token": "desk-test-2",
            "person-0-surname": "Berg",
            "person-0-particle": "v.d.",
            "person-0-first_names": "J.",
            "person-0-date_of_birth": "1980-04-05",
            "person-0-existing_id": str(jan.pk),
        },
    )
    r = c.post(reverse("registration:new"), data)
    assert r.status_code == 302
    reg = Registration.objects.order_by("-pk").first()
    assert reg is not None and reg.involvements.get(role="reporter").person == jan
    assert Person.objects.filter(surname="Berg").count() == 1


def test_suggest_needs_a_person_prefix(client_for: Callable[..., Client]) -> None:
    r = client_for(Role.DESK_OFFICER).get(
        reverse("registration:person_suggest"), {"prefix": "../x"}
    )
    assert r.status_code == 400


def test_large_ids_are_not_formatted_with_thousand_separators(
    client_for: Callable[..., Client], team: BaseTeam
) -> None:
    """Dutch number formatting is on (``USE_THOUSAND_SEPARATOR``): an id in a form value
    must stay ``123456``, not ``123.456``, or choosing the suggestion posts a wrong id."""
    Person.objects.create(
        pk=123456,
        first_names="Jan",
        particle="van der",
        surname="Berg",
        surname_key="berg",
        phonetic_key="BRK",
        date_of_birth=dt.date(1980, 5, 4),
        retain_until=dt.date(2030, 1, 1),
    )
    c = client_for(Role.DESK_OFFICER)
    r = c.get(
        reverse("registration:person_suggest"),
        {"prefix": "person-0", "person-0-surname": "Berg", "person-0-date_of_birth": "1980-05-04"},
    )
    assert 'value="123456"' in r.content.decode()


def test_no_template_puts_a_localised_id_into_a_form_value() -> None:
    """Every ``value="{{ x.pk }}"`` (or ``.id``) in a template is unlocalised."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "src" / "regie"
    pattern = re.compile(r'value="\{\{\s*[\w.]*(?:pk|\.id|_id)\s*\}\}"')
    offenders = [
        f"{path.relative_to(root)}: {m.group(0)}"
        for path in root.glob("*/templates/**/*.html")
        for m in pattern.finditer(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
