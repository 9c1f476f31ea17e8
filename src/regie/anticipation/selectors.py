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


def latest_run(team: BaseTeam) -> PredictionRun | None:
    return PredictionRun.objects.filter(base_team=team).order_by("-created_at", "-pk").first()


def runs_of(team: BaseTeam, limit: int = 10) -> list[PredictionRun]:
    return list(
        PredictionRun.objects.filter(base_team=team)
        .order_by("-created_at", "-pk")
        .only("pk", "start", "end", "status", "created_at", "base_team")[:limit]
    )
