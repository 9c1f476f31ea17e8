"""Screens of case linking and the intelligence picture: need-to-know, decisions with a
reason, problems, the network, the picture as HTML and PDF, audit, and the command."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from regie.audit.models import AuditEntry
from regie.intelligence.models import LinkProposal, LinkStatus, Problem, ProblemMember, Series
from regie.intelligence.services import rebuild_series
from regie.organisation.models import BaseTeam
from regie.organisation.roles import Confidentiality, Role, ScopeLevel
from regie.registration.models import Person
from tests.intelligence.helpers import second_registration


def link(a: Any, b: Any, score: float = 0.8) -> LinkProposal:
    lo, hi = sorted((a.pk, b.pk))
    proposal = LinkProposal.objects.create(
        a_id=lo,
        b_id=hi,
        score=score,
        reasons=[{"code": "text", "weight": 0.44, "detail": "werkwijze/relaas 80% gelijk"}],
        detected_at=timezone.now(),
    )
    rebuild_series()
    return proposal


@pytest.fixture
def pair(team: BaseTeam, registration: Any) -> tuple[Any, Any, LinkProposal]:
    other = second_registration(team, registration)
    return registration, other, link(registration, other)


def audits(user: Any, object_type: str, action: str = "view") -> int:
    return AuditEntry.objects.filter(
        actor_id=user.pk, object_type=object_type, action=action
    ).count()


@pytest.mark.django_db
def test_analyst_reviews_and_accepts_with_a_reason(
    client_for: Callable[..., Client], pair: tuple[Any, Any, LinkProposal]
) -> None:
    a, _, proposal = pair
    client = client_for(Role.ANALYST)
    user = client.position.user  # type: ignore[attr-defined]
    page = client.get(reverse("intelligence:proposals"))
    assert page.status_code == 200
    assert a.number in page.content.decode() and "80% gelijk" in page.content.decode()
    assert audits(user, "intelligence.proposals") == 1
    url = reverse("intelligence:decide", args=[proposal.pk])
    # No reason: refused, nothing changed.
    client.post(url, {"besluit": "accepteren", "reden": ""})
    proposal.refresh_from_db()
    assert proposal.status == LinkStatus.PROPOSED
    response = client.post(
        url,
        {"besluit": "accepteren", "reden": "zelfde betonschaar", "terug": "https://evil.example/"},
    )
    assert response.status_code == 302 and response["Location"] == reverse("intelligence:proposals")
    proposal.refresh_from_db()
    assert proposal.status == LinkStatus.ACCEPTED
    assert proposal.decided_by == user and proposal.decision_reason == "zelfde betonschaar"
    entry = AuditEntry.objects.get(object_type="intelligence.linkproposal", actor_id=user.pk)
    assert entry.action == "change" and entry.detail["status"] == "accepted"
    # Decided once: a second decision is refused.
    client.post(url, {"besluit": "afwijzen", "reden": "toch niet"})
    proposal.refresh_from_db()
    assert proposal.status == LinkStatus.ACCEPTED
    assert Series.objects.get().accepted_links == 1


@pytest.mark.django_db
def test_rejected_link_splits_the_series(
    client_for: Callable[..., Client], pair: tuple[Any, Any, LinkProposal]
) -> None:
    client = client_for(Role.INTELLIGENCE_OFFICER)
    _, _, proposal = pair
    assert Series.objects.count() == 1
    client.post(
        reverse("intelligence:decide", args=[proposal.pk]),
        {"besluit": "afwijzen", "reden": "andere werkwijze"},
    )
    proposal.refresh_from_db()
    assert proposal.status == LinkStatus.REJECTED and Series.objects.count() == 0


@pytest.mark.django_db
def test_team_chief_sees_but_cannot_decide(
    client_for: Callable[..., Client], pair: tuple[Any, Any, LinkProposal]
) -> None:
    client = client_for(Role.TEAM_CHIEF)
    _, _, proposal = pair
    assert client.get(reverse("intelligence:proposals")).status_code == 200
    response = client.post(
        reverse("intelligence:decide", args=[proposal.pk]),
        {"besluit": "accepteren", "reden": "ja"},
    )
    assert response.status_code == 403
    proposal.refresh_from_db()
    assert proposal.status == LinkStatus.PROPOSED


@pytest.mark.django_db
def test_links_outside_scope_are_invisible_and_refused(
    client_for: Callable[..., Client],
    team: BaseTeam,
    other_team: BaseTeam,
    registration: Any,
) -> None:
    far_a = second_registration(other_team, registration)
    far_b = second_registration(other_team, registration)
    proposal = link(far_a, far_b)
    client = client_for(Role.ANALYST)  # district of the demo team
    page = client.get(reverse("intelligence:proposals")).content.decode()
    assert far_a.number not in page
    response = client.post(
        reverse("intelligence:decide", args=[proposal.pk]),
        {"besluit": "accepteren", "reden": "poging"},
    )
    assert response.status_code == 403
    proposal.refresh_from_db()
    assert proposal.status == LinkStatus.PROPOSED
    series = Series.objects.get()
    assert client.get(reverse("intelligence:series", args=[series.pk])).status_code == 403
    assert client.get(reverse("intelligence:network", args=["serie", series.pk])).status_code == 403
    user = client.position.user  # type: ignore[attr-defined]
    assert AuditEntry.objects.filter(actor_id=user.pk, outcome="denied").count() >= 2


@pytest.mark.django_db
def test_network_shows_visible_objects_only(
    client_for: Callable[..., Client], pair: tuple[Any, Any, LinkProposal]
) -> None:
    a, _, _ = pair
    secret = Person.objects.create(
        first_names="Geheime",
        surname="Bron",
        confidentiality=Confidentiality.SECRET,
        retain_until=dt.date(2099, 1, 1),
    )
    a.involvements.create(role="suspect", person=secret)
    series = Series.objects.get()
    url = reverse("intelligence:network", args=["serie", series.pk])
    analyst = client_for(Role.ANALYST)  # clearance: confidential
    body = analyst.get(url).content.decode()
    assert "Piet Pol" in body and "Bron" not in body
    assert "<svg" in body
    officer = client_for(Role.INTELLIGENCE_OFFICER)  # clearance: secret
    body = officer.get(url).content.decode()
    assert "Geheime Bron" in body
    user = officer.position.user  # type: ignore[attr-defined]
    assert audits(user, "intelligence.network") == 1


@pytest.mark.django_db
def test_problem_lifecycle(
    client_for: Callable[..., Client],
    team: BaseTeam,
    other_team: BaseTeam,
    pair: tuple[Any, Any, LinkProposal],
    registration: Any,
) -> None:
    a, b, _ = pair
    client = client_for(Role.INTELLIGENCE_OFFICER)
    user = client.position.user  # type: ignore[attr-defined]
    # Bad input: no title.
    client.post(reverse("intelligence:problem_create"), {"titel": " ", "eenheid": "RE03"})
    assert Problem.objects.count() == 0
    # Another unit than one's own: refused.
    response = client.post(
        reverse("intelligence:problem_create"),
        {"titel": "X", "eenheid": other_team.district.unit.code},
    )
    assert response.status_code == 403 and Problem.objects.count() == 0
    response = client.post(
        reverse("intelligence:problem_create"),
        {
            "titel": "Fietsdiefstal stationsgebied",
            "omschrijving": "Betonschaar, bestelbus",
            "eenheid": team.district.unit.code,
        },
    )
    problem = Problem.objects.get()
    assert response.status_code == 302 and problem.created_by == user
    add = reverse("intelligence:problem_add", args=[problem.pk])
    # One unknown number: nothing added.
    client.post(add, {"registraties": f"{a.number} 2019-999999", "reden": "zelfde MO"})
    assert problem.members.count() == 0
    # Out of scope (another unit): same answer, nothing added.
    far = second_registration(other_team, registration)
    client.post(add, {"registraties": f"{a.number} {far.number}"})
    assert problem.members.count() == 0
    # A whole series.
    series = Series.objects.get(registrations=a)
    client.post(add, {"serie": series.key, "reden": "serie"})
    assert set(problem.members.values_list("registration_id", flat=True)) == {a.pk, b.pk}
    page = client.get(reverse("intelligence:problem", args=[problem.pk]))
    body = page.content.decode()
    assert page.status_code == 200 and a.number in body and "<svg" in body
    assert audits(user, "intelligence.problem") >= 1
    client.post(reverse("intelligence:problem_status", args=[problem.pk]), {"status": "closed"})
    problem.refresh_from_db()
    assert problem.status == "closed"
    client.post(add, {"registraties": far.number})
    assert problem.members.count() == 2
    # A team chief of another unit does not see it.
    stranger = client_for(Role.TEAM_CHIEF, at=other_team)
    assert stranger.get(reverse("intelligence:problem", args=[problem.pk])).status_code == 403


@pytest.mark.django_db
def test_picture_html_and_pdf_use_the_same_content(
    client_for: Callable[..., Client], team: BaseTeam, pair: tuple[Any, Any, LinkProposal]
) -> None:
    a, _, _ = pair
    problem = Problem.objects.create(title="Station", owner_unit=team.district.unit)
    ProblemMember.objects.create(problem=problem, registration=a)
    client = client_for(Role.ANALYST)
    user = client.position.user  # type: ignore[attr-defined]
    day = timezone.localdate(a.occurred_from)
    query = {
        "niveau": "district",
        "code": team.district.code,
        "van": (day - dt.timedelta(days=30)).isoformat(),
        "tot": (day + dt.timedelta(days=1)).isoformat(),
    }
    page = client.get(reverse("intelligence:picture"), query)
    body = page.content.decode()
    assert page.status_code == 200
    for heading in ("Ontwikkeling", "Kaart", "Gekoppelde series", "Meest betrokken"):
        assert heading in body
    assert "Piet Pol" in body  # the suspect of the second registration
    assert Series.objects.get().key in body
    assert '<span class="value" id="total">2</span>' in body
    assert "1 koppelvoorstel wacht op beoordeling" in body
    pdf = client.get(reverse("intelligence:picture_pdf"), query)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert audits(user, "intelligence.picture", "view") == 1
    assert audits(user, "intelligence.picture", "export") == 1
    # A problem as phenomenon: only its member.
    body = client.get(
        reverse("intelligence:picture"), {**query, "fenomeen": f"probleem:{problem.pk}"}
    ).content.decode()
    assert '<span class="value" id="total">1</span>' in body and "Station" in body
    # An offence category as phenomenon.
    body = client.get(
        reverse("intelligence:picture"), {**query, "fenomeen": "1.1.1"}
    ).content.decode()
    assert '<span class="value" id="total">0</span>' in body


@pytest.mark.django_db
def test_picture_refuses_areas_outside_scope_and_bad_input(
    client_for: Callable[..., Client], team: BaseTeam, other_team: BaseTeam
) -> None:
    client = client_for(Role.ANALYST)
    url = reverse("intelligence:picture")
    assert (
        client.get(url, {"niveau": "district", "code": other_team.district.code}).status_code == 403
    )
    assert client.get(url, {"niveau": "unit", "code": team.district.unit.code}).status_code == 403
    assert client.get(url, {"niveau": "national"}).status_code == 403
    response = client.get(url, {"niveau": "planeet"})
    assert response.status_code == 400 and "Onbekend niveau" in response.content.decode()
    assert client.get(url, {"van": "2019-13-01"}).status_code == 400
    assert client.get(url, {"van": "2019-05-01", "tot": "2019-04-01"}).status_code == 400
    assert client.get(url, {"niveau": "district", "code": "XX"}).status_code == 400
    # Default: the analyst's own district.
    assert client.get(url).status_code == 200
    national = client_for(Role.INTELLIGENCE_OFFICER, level=ScopeLevel.NATIONAL)
    assert national.get(url, {"niveau": "national"}).status_code == 200


@pytest.mark.django_db
def test_link_command(pair: tuple[Any, Any, LinkProposal], capsys: Any) -> None:
    a, _, _ = pair
    since = (timezone.localdate(a.occurred_from) - dt.timedelta(days=3)).isoformat()
    call_command("intelligence", "link", "--since", since)
    out = capsys.readouterr().out
    assert "registrations" in out and "series" in out
    with pytest.raises(CommandError, match="Onbekend basisteam"):
        call_command("intelligence", "link", "--since", since, "--team", "NOPE")
    with pytest.raises(CommandError):
        call_command("intelligence", "link", "--since", since, "--until", "2000-01-01")
