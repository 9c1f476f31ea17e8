"""The misclassification review list: the detector's flags stored, shown within scope and
audited, judged by a quality officer; the detector never changes a registration."""

from __future__ import annotations

import random
from collections.abc import Callable
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from regie.audit.models import AuditEntry
from regie.organisation.models import BaseTeam, Position
from regie.organisation.roles import Role
from regie.registration.inputs import OffenceIn
from regie.registration.models import Offence, Registration
from regie.registration.services import registration_create
from regie.statistics import services
from regie.statistics.models import ClassificationFlag, FlagStatus
from tests.conftest import registration_input

pytestmark = pytest.mark.django_db
N = 60

BICYCLE = [
    "Mijn fiets is gestolen uit de fietsenstalling bij het station, het slot was doorgeknipt.",
    "Fiets weggenomen bij de supermarkt; kettingslot doorgezaagd, framenummer bekend.",
    "Elektrische fiets gestolen van de stoep voor de woning, slot geforceerd.",
]
ASSAULT = [
    "Aangever werd op straat geslagen en geschopt door een onbekende man, letsel aan het hoofd.",
    "Na een woordenwisseling kreeg aangever een vuistslag in het gezicht, bloedneus.",
    "Aangever werd bij de uitgang van het café mishandeld en tegen de grond geduwd.",
]


def make(team: BaseTeam, code: str, narrative: str) -> Registration:
    return registration_create(
        registration_input(team, offences=(OffenceIn(code),), involvements=(), narrative=narrative),
        actor=None,
        source="desk",
    )[0]


@pytest.fixture
def planted(team: BaseTeam) -> Registration:
    """N bicycle thefts and N assaults, and one bicycle theft registered as an assault."""
    rng = random.Random(5)
    for i in range(N):
        make(team, "A72", f"{rng.choice(BICYCLE)} Zaak {i}.")
        make(team, "F550", f"{rng.choice(ASSAULT)} Zaak {i}.")
    return make(team, "F550", BICYCLE[0])


def period() -> dict[str, Any]:
    today = timezone.localdate()
    return {"start": today.replace(day=1, month=1, year=today.year - 1), "end": today}


def test_the_planted_misclassification_is_flagged_and_stored(planted: Registration) -> None:
    run = services.run_quality_check(actor=None, **period())
    assert run.registrations == 2 * N + 1
    flag = ClassificationFlag.objects.get(registration=planted)
    assert (flag.registered_code, flag.suggested_code) == ("1.4.5", "1.2.3")
    assert flag.p_suggested >= 0.6 and flag.p_registered < 0.1
    assert any(name.startswith("woord:") for name, _ in flag.explanation)
    assert run.flagged == ClassificationFlag.objects.count() <= 5  # a short, clear list
    # The detector never changes a registration.
    assert Offence.objects.get(registration=planted).category.code == "1.4.5"
    # A rerun replaces open flags instead of piling them up.
    services.run_quality_check(actor=None, **period())
    assert ClassificationFlag.objects.filter(registration=planted).count() == 1


def test_too_few_registrations_is_a_clear_error(team: BaseTeam) -> None:
    make(team, "A72", BICYCLE[0])
    with pytest.raises(ValueError, match="Te weinig registraties"):
        services.run_quality_check(actor=None, **period())
    with pytest.raises(CommandError, match="Te weinig"):
        call_command("statistics", "quality-check", stdout=StringIO())
    with pytest.raises(CommandError, match="folds"):
        call_command("statistics", "quality-check", "--folds", "1")


def test_review_list_within_scope_audited_and_judged(
    planted: Registration,
    client_for: Callable[..., Client],
    make_staff: Callable[..., Position],
    other_team: BaseTeam,
) -> None:
    call_command("statistics", "quality-check", stdout=StringIO())
    flag = ClassificationFlag.objects.get(registration=planted)
    officer = client_for(Role.QUALITY_OFFICER)  # district scope
    url = reverse("statistics:quality")
    r = officer.get(url)
    assert r.status_code == 200
    assert planted.number in r.content.decode()
    view = AuditEntry.objects.filter(object_type="statistics.classificationflag").get()
    assert planted.pk in view.detail["registrations"]

    # Out of scope: an officer of another district sees nothing and cannot judge.
    elsewhere = client_for(Role.QUALITY_OFFICER, at=_far_team(other_team))
    assert planted.number not in elsewhere.get(url).content.decode()
    refused = elsewhere.post(url, {"flag": flag.pk, "status": "confirmed"})
    assert refused.status_code == 400 and "buiten uw werkgebied" in refused.content.decode()

    # Bad input changes nothing.
    for data, message in (
        ({"flag": "x", "status": "confirmed"}, "Onbekende markering"),
        ({"flag": flag.pk, "status": "maybe"}, "terecht"),
        ({"flag": flag.pk, "status": "dismissed", "note": "  "}, "waarom"),
    ):
        bad = officer.post(url, data)
        assert bad.status_code == 400 and message in bad.content.decode()
    flag.refresh_from_db()
    assert flag.status == FlagStatus.OPEN

    ok = officer.post(url, {"flag": flag.pk, "status": "confirmed", "note": "Fiets, geen geweld."})
    assert ok.status_code == 302
    flag.refresh_from_db()
    assert flag.status == FlagStatus.CONFIRMED and flag.reviewer_id == officer.position.user.pk  # type: ignore[attr-defined]
    assert AuditEntry.objects.filter(
        object_type="statistics.classificationflag", action="change", object_id=str(flag.pk)
    ).exists()
    again = officer.post(url, {"flag": flag.pk, "status": "dismissed", "note": "toch niet"})
    assert again.status_code == 400 and "al beoordeeld" in again.content.decode()
    judged = officer.get(url, {"toon": "beoordeeld"})
    assert planted.number in judged.content.decode()
    # A judged registration is not flagged again for the same code.
    services.run_quality_check(actor=None, **period())
    assert ClassificationFlag.objects.filter(registration=planted).count() == 1

    # Only quality officers review.
    assert client_for(Role.ANALYST).get(url).status_code == 403


def _far_team(near: BaseTeam) -> BaseTeam:
    return BaseTeam.objects.exclude(district=near.district).order_by("code").first()  # type: ignore[return-value]


def test_flags_go_with_their_registration(planted: Registration) -> None:
    services.run_quality_check(actor=None, **period())
    assert ClassificationFlag.objects.filter(registration=planted).exists()
    planted.delete()
    assert not ClassificationFlag.objects.filter(registration_id=planted.pk).exists()
