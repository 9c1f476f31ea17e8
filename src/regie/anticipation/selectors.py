"""Reads of crime anticipation, within the user's scope."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from regie.anticipation.models import PredictionRun
from regie.organisation.access import base_team_filter
from regie.organisation.models import BaseTeam


def teams_in_scope(user: Any) -> QuerySet[BaseTeam]:
    """The base teams the user may see predictions of (their scope)."""
    cond = base_team_filter(user)
    qs = BaseTeam.objects.select_related("district").order_by("code")
    return qs if cond is None else qs.filter(cond)


def crime_types_of(team: BaseTeam) -> list[str]:
    """The crime types (``PredictionRun.crime_types``) the team has runs for."""
    return sorted(
        set(PredictionRun.objects.filter(base_team=team).values_list("crime_types", flat=True))
    )


def latest_run(team: BaseTeam, crime_types: str | None = None) -> PredictionRun | None:
    """The team's newest run (of ``crime_types`` when given)."""
    qs = PredictionRun.objects.filter(base_team=team)
    if crime_types is not None:
        qs = qs.filter(crime_types=crime_types)
    return qs.order_by("-created_at", "-pk").first()
