"""Steering: rule versions through the screen, the model's refit, criteria and off switch,
training labels, and the quality officers' review."""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from regie.audit.models import AuditEntry
from regie.organisation.models import BaseTeam, Position
from regie.organisation.roles import Role, ScopeLevel
from regie.registration.inputs import OffenceIn
from regie.registration.services import registration_create
from regie.selection import services, solvability, steering
from regie.selection.flow import TransitionError
from regie.selection.leads import LEAD_NAMES, CaseFeatures
from regie.selection.models import Case, CaseEvent, FrameworkRule, QualityReview, SolvabilityModel
from tests.conftest import registration_input

pytestmark = pytest.mark.django_db

TRUE = dict(zip(LEAD_NAMES, (2.2, 1.6, 1.2, 1.4, 0.8, 0.9, 0.7, 0.3, 0.4), strict=True))


def samples(n: int, *, shift: float = 0.0, seed: int = 1) -> list[solvability.Sample]:
    rng = random.Random(seed)
    out = []
    start = dt.date(2018, 1, 1)
    for i in range(n):
        leads = {name: rng.random() < 0.25 for name in LEAD_NAMES}
        logit = -2.0 + shift + sum(TRUE[k] for k, v in leads.items() if v)
        out.append(
            solvability.Sample(
                features=CaseFeatures("1.2.3", False, False, leads),
                solved=rng.random() < 1 / (1 + math.exp(-logit)),
                period=start + dt.timedelta(days=i * 730 // n),
                neighbourhood=f"WK{i % 5}",
            )
        )
    return out


def bare_case(team: BaseTeam, desk: Position, **overrides: Any) -> Case:
    reg, _ = registration_create(
        registration_input(team, offences=(OffenceIn("A72"),), involvements=(), **overrides),
        actor=desk.user,
        source="desk",
    )
    services.open_cases([reg.pk])
    return Case.objects.select_related("category").get(registration=reg)


def test_a_model_that_meets_its_criteria_advises_and_the_switch_turns_it_off(
    team: BaseTeam, make_staff: Callable[..., Position]
) -> None:
    desk = make_staff(Role.DESK_OFFICER)
    analyst = make_staff(Role.ANALYST)
    row = services.fit_solvability(
        actor=analyst.user, cutoff=dt.date(2019, 6, 1), samples=samples(6000)
    )
    assert row.passed and row.active and row.enabled
    assert row.evaluation["overall"]["auc"] > 0.75
    assert "Coëfficiënten" in row.model_card or "coëfficiënt" in row.model_card.lower()
    case = bare_case(team, desk)
    services.record_leads(case, actor=desk.user, leads={"camera_footage": True})
    case.refresh_from_db()
    assert case.advice_score is not None
    assert case.advice_detail["model_version"] == row.version
    services.model_switch(row, actor=analyst.user, enabled=False, reason="Bias-onderzoek")
    case.refresh_from_db()  # open cases are advised again, now without a score
    assert case.advice_score is None and case.advice == "assess"
    with pytest.raises(TransitionError):
        services.model_switch(row, actor=analyst.user, enabled=True, reason=" ")
    entries = AuditEntry.objects.filter(object_type="selection.solvabilitymodel")
    assert {e.detail.get("enabled") for e in entries} >= {False}


def test_a_miscalibrated_model_is_stored_but_never_advises(
    team: BaseTeam, make_staff: Callable[..., Position]
) -> None:
    train = [s for s in samples(6000) if s.period < dt.date(2019, 6, 1)]
    drifted = [s for s in samples(6000, shift=1.5, seed=2) if s.period >= dt.date(2019, 6, 1)]
    row = services.fit_solvability(actor=None, cutoff=dt.date(2019, 6, 1), samples=train + drifted)
    assert not row.passed and not row.active
    failed = {c["name"] for c in row.criteria["checks"] if not c["passed"]}
    assert "max_calibration_in_the_large" in failed
    assert services.active_model() is None
    with pytest.raises(TransitionError) as exc:
        services.fit_solvability(actor=None, cutoff=dt.date(2030, 1, 1), samples=samples(100))
    assert exc.value.status == 422


def test_training_labels_use_a_90_day_window_and_leave_out_unknown_outcomes(
    team: BaseTeam, make_staff: Callable[..., Position]
) -> None:
    desk = make_staff(Role.DESK_OFFICER)
    cases = [bare_case(team, desk) for _ in range(3)]
    t0 = timezone.now() - dt.timedelta(days=400)

    def event(case: Case, seq: int, action: str, at: dt.datetime) -> None:
        CaseEvent.objects.create(
            case=case, seq=seq, action=action, from_state="x", to_state="y", at=at, actor_role="x"
        )

    event(cases[0], 1, "investigate", t0)
    event(cases[0], 2, "solve", t0 + dt.timedelta(days=30))  # solved in time
    event(cases[1], 1, "investigate", t0)
    event(cases[1], 2, "solve", t0 + dt.timedelta(days=200))  # too late: not solved
    event(cases[2], 1, "investigate", timezone.now() - dt.timedelta(days=10))  # unknown yet
    got = {s.solved for s in services.training_samples()}
    assert len(services.training_samples()) == 2 and got == {True, False}


def test_team_chief_adds_a_local_priority_through_the_screen(
    team: BaseTeam, client_for: Callable[..., Client]
) -> None:
    chief = client_for(Role.TEAM_CHIEF)
    page = chief.get(reverse("selection:framework"))
    assert page.status_code == 200 and "Woninginbraak" in page.content.decode()
    url = reverse("selection:framework_add")
    bad = chief.post(url, {"scope": f"base_team:{team.code}", "rationale": ""})
    assert bad.status_code == 422
    before = FrameworkRule.objects.count()
    ok = chief.post(
        url,
        {
            "scope": f"base_team:{team.code}",
            "always_take_up": "on",
            "rationale": "Zakkenrollers in het centrum",
            "valid_from": "2019-01-01",
        },
    )
    assert ok.status_code == 302 and FrameworkRule.objects.count() == before + 1
    # Scope: another unit's team is not among the choices.
    other = BaseTeam.objects.exclude(district__unit=team.district.unit).first()
    assert other is not None
    refused = chief.post(
        url, {"scope": f"base_team:{other.code}", "rationale": "x", "valid_from": "2019-01-01"}
    )
    assert refused.status_code == 422
    screener = client_for(Role.CASE_SCREENER)
    assert screener.post(url, {}).status_code == 403


def test_quality_review_samples_records_feeds_back_and_counts(
    team: BaseTeam, make_staff: Callable[..., Position], client_for: Callable[..., Client]
) -> None:
    desk = make_staff(Role.DESK_OFFICER)
    screener = make_staff(Role.CASE_SCREENER)
    cases = [bare_case(team, desk) for _ in range(4)]
    services.case_transition(
        cases[0].pk, "take_up", actor=screener.user, fields={"override_reason": "Gevoel"}
    )
    for c in cases[1:]:
        services.case_transition(
            c.pk, "reject", actor=screener.user, fields={"reject_reason": "insufficient_leads"}
        )
    reviewer = client_for(Role.QUALITY_OFFICER)
    officer = reviewer.position.user  # type: ignore[attr-defined]
    sample = steering.review_sample(officer, size=4)
    assert len(sample) == 4
    risky = [item for item in sample if item.kind == "risk"]
    assert [item.event.case_id for item in risky] == [cases[0].pk]
    page = reviewer.get(reverse("selection:quality"))
    assert page.status_code == 200 and cases[0].registration.number in page.content.decode()
    event = risky[0].event
    missing = reviewer.post(
        reverse("selection:quality"),
        {"event": event.pk, "sample": "risk", "correct": "0", "feedback": ""},
    )
    assert missing.status_code == 422 and not QualityReview.objects.exists()
    done = reviewer.post(
        reverse("selection:quality"),
        {"event": event.pk, "sample": "risk", "correct": "0", "feedback": "Geen indicaties."},
    )
    assert done.status_code == 302
    again = reviewer.post(
        reverse("selection:quality"),
        {"event": event.pk, "sample": "risk", "correct": "1", "feedback": ""},
    )
    assert again.status_code == 409 and QualityReview.objects.count() == 1
    assert steering.review_rates(officer) == [
        {"team": team.name, "n": 1, "correct": 0, "rate": 0.0}
    ]
    assert [r.feedback for r in steering.feedback_for(screener.user)] == ["Geen indicaties."]


def test_the_model_page_shows_the_card_and_only_managers_may_fit(
    client_for: Callable[..., Client],
) -> None:
    services.fit_solvability(actor=None, cutoff=dt.date(2019, 6, 1), samples=samples(6000))
    screener = client_for(Role.CASE_SCREENER)
    page = screener.get(reverse("selection:model"))
    assert page.status_code == 200 and "Modelkaart" in page.content.decode()
    assert screener.post(reverse("selection:model_fit")).status_code == 403
    district_analyst = client_for(Role.ANALYST)  # the model is national
    r = district_analyst.post(reverse("selection:model_switch"), {"enabled": "0", "reason": "x"})
    assert r.status_code == 403 and SolvabilityModel.objects.get(active=True).enabled
    analyst = client_for(Role.ANALYST, level=ScopeLevel.NATIONAL)
    r = analyst.post(reverse("selection:model_switch"), {"enabled": "0", "reason": "Toets"})
    assert r.status_code == 302
    assert not SolvabilityModel.objects.get(active=True).enabled
    # A refit does not switch the model back on; the same data again is refused clearly.
    services.fit_solvability(actor=None, cutoff=dt.date(2019, 6, 1), samples=samples(6000, seed=9))
    assert not SolvabilityModel.objects.get(active=True).enabled
    with pytest.raises(TransitionError) as exc:
        services.fit_solvability(
            actor=None, cutoff=dt.date(2019, 6, 1), samples=samples(6000, seed=9)
        )
    assert exc.value.status == 409
