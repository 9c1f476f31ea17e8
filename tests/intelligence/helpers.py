"""Shared objects for the intelligence tests and the URL access matrix."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from regie.intelligence.models import LinkProposal, Problem, ProblemMember, Series
from regie.intelligence.services import rebuild_series
from regie.organisation.models import BaseTeam


def second_registration(team: BaseTeam, registration: Any, **overrides: Any) -> Any:
    from regie.registration.inputs import InvolvementIn, OffenceIn, PersonIn
    from regie.registration.services import registration_create
    from tests.conftest import registration_input

    values: dict[str, Any] = {
        "offences": (OffenceIn("A72"),),
        "involvements": (
            InvolvementIn("suspect", person=PersonIn("Piet", "Pol", "", dt.date(1990, 1, 2))),
        ),
        "narrative": "Fiets gestolen bij het station; slot doorgeknipt met betonschaar.",
    }
    values.update(overrides)
    reg, _ = registration_create(
        registration_input(team, **values), actor=registration.created_by, source="desk"
    )
    return reg


def url_access_samples(team: BaseTeam, registration: Any) -> dict[str, dict[str, Any]]:
    other = second_registration(team, registration)
    a, b = sorted((registration.pk, other.pk))
    proposal = LinkProposal.objects.create(
        a_id=a,
        b_id=b,
        score=0.8,
        reasons=[{"code": "text", "weight": 0.4, "detail": "werkwijze 80% gelijk"}],
        detected_at=timezone.now(),
    )
    rebuild_series()
    series = Series.objects.get(registrations=registration)
    problem = Problem.objects.create(title="Fietsdiefstal station", owner_unit=team.district.unit)
    ProblemMember.objects.create(problem=problem, registration=registration)
    ProblemMember.objects.create(problem=problem, registration=other)
    return {
        "intelligence:decide": {"pk": proposal.pk},
        "intelligence:series": {"pk": series.pk},
        "intelligence:network": {"kind": "serie", "pk": series.pk},
        "intelligence:problem": {"pk": problem.pk},
        "intelligence:problem_add": {"pk": problem.pk},
        "intelligence:problem_status": {"pk": problem.pk},
    }
