"""Reading the statistics: summary rows within the user's scope and clearance, as Polars
frames (see ADR 0012), and the names of categories and regions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from regie.registration.models import OffenceCategory
from regie.statistics.counting import OFFENCE_MEASURES
from regie.statistics.funnel import CASE_MEASURES, DURATION_MEASURES
from regie.statistics.summary import case_grain, from_storage, offence_grain


def category_titles() -> dict[str, str]:
    return dict(OffenceCategory.objects.values_list("code", "title"))


def region_names(level: str) -> dict[str, str]:
    """Code -> name of the regions at ``level`` (for display)."""
    from regie.organisation.models import BaseTeam, District, Municipality, Neighbourhood, Unit

    model: Any = {
        "unit": Unit,
        "district": District,
        "base_team": BaseTeam,
        "municipality": Municipality,
        "neighbourhood": Neighbourhood,
    }.get(level)
    if model is None:
        return {"NL": "Nederland"}
    return dict(model.objects.values_list("code", "name"))


# --------------------------------------------------------------------------------------------
# Summary tables (what the dashboards read; see services.py and ADR 0012)

#: The summary column of each region level (national has none).
LEVEL_COLUMN: dict[str, str | None] = {
    "national": None,
    "unit": "unit",
    "district": "district",
    "base_team": "base_team",
    "municipality": "municipality",
    "neighbourhood": "neighbourhood",
}


@dataclass(frozen=True)
class Scope:
    """The part of the summaries a user may count: a level and its code (None nationally),
    and the highest confidentiality they may see."""

    level: str
    code: str | None
    clearance: int

    @property
    def column(self) -> str | None:
        return LEVEL_COLUMN[self.level]


def scope_of(user: Any) -> Scope | None:
    """The user's statistics scope; None when they have none (no position)."""
    from regie.organisation.access import clearance_of, position_of
    from regie.organisation.roles import ScopeLevel

    position = position_of(user)
    if position is None:
        return None
    clearance = int(clearance_of(user))
    level = ScopeLevel(position.scope_level)
    if level == ScopeLevel.NATIONAL:
        return Scope("national", None, clearance)
    if level == ScopeLevel.UNIT and position.unit is not None:
        return Scope("unit", position.unit.code, clearance)
    if level == ScopeLevel.DISTRICT and position.district is not None:
        return Scope("district", position.district.code, clearance)
    if level == ScopeLevel.BASE_TEAM and position.base_team is not None:
        return Scope("base_team", position.base_team.code, clearance)
    return None


def _in_scope(qs: Any, scope: Scope | None) -> Any:
    if scope is None:
        return qs.none()
    qs = qs.filter(confidentiality__lte=scope.clearance)
    if scope.column is None:
        return qs
    return qs.filter(**{scope.column: scope.code})


def _summed(
    model: Any,
    measures: Sequence[str],
    *,
    scope: Scope | None,
    grain: str,
    start: dt.date,
    end: dt.date,
    group: Sequence[str],
    where: dict[str, Any] | None = None,
) -> pl.DataFrame:
    """Sum ``measures`` of the summary rows of ``grain`` for the months ``start``..``end``
    within ``scope``, grouped by ``month`` and ``group`` (one SQL GROUP BY)."""
    from django.db.models import Sum

    qs = _in_scope(model.objects.filter(grain=grain, month__gte=start, month__lte=end), scope)
    if where:
        qs = qs.filter(**where)
    keys = ["month", *group]
    rows = list(qs.values_list(*keys).annotate(*(Sum(m) for m in measures)).order_by())
    schema: dict[str, Any] = {"month": pl.Date()}
    schema.update({k: pl.String() for k in group})
    schema.update({m: (pl.Float64() if m in DURATION_MEASURES else pl.Int64()) for m in measures})
    return from_storage(pl.DataFrame(rows, schema=schema, orient="row"))


def offence_counts(
    scope: Scope | None,
    *,
    start: dt.date,
    end: dt.date,
    level: str,
    by_category: bool,
    where: dict[str, Any] | None = None,
) -> pl.DataFrame:
    """Summed offence measures per month, region of ``level`` (and category) within
    ``scope``: input for :func:`counting.counts_from_measures`."""
    from regie.statistics.models import OffenceCount
    from regie.statistics.services import NATIONAL_GRAIN

    column = LEVEL_COLUMN[level]
    group = [*([column] if column else []), *(["category_code"] if by_category else [])]
    grain = offence_grain(level, by_category)
    if level == "national" and by_category and scope is not None and scope.column is None:
        grain = NATIONAL_GRAIN if not where else grain  # the small national rows
    return _summed(
        OffenceCount,
        OFFENCE_MEASURES,
        scope=scope,
        grain=grain,
        start=start,
        end=end,
        group=group,
        where=where,
    )


def case_counts(
    scope: Scope | None,
    *,
    start: dt.date,
    end: dt.date,
    level: str,
    by: str,
    where: dict[str, Any] | None = None,
) -> pl.DataFrame:
    """Summed case measures per month, region of ``level`` (and category or offence class)
    within ``scope``: input for the ``funnel.*_from_counts`` functions."""
    from regie.statistics.models import CaseCount

    column = LEVEL_COLUMN[level]
    if level in ("municipality", "neighbourhood"):
        raise ValueError("the case funnel is counted per unit, district and base team")
    from regie.statistics.services import NATIONAL_GRAIN

    by_column = {"none": [], "category": ["category_code"], "offence_class": ["offence_class"]}[by]
    grain = case_grain(by)
    if where and "offence_class" in where:
        grain = "category"
    national = level == "national" and scope is not None and scope.column is None
    if grain == "category" and national and set(where or {}) <= {"offence_class"}:
        grain = NATIONAL_GRAIN  # the small national rows
    return _summed(
        CaseCount,
        CASE_MEASURES,
        scope=scope,
        grain=grain,
        start=start,
        end=end,
        group=[*([column] if column else []), *by_column],
        where=where,
    )


def summary_period(scope: Scope | None) -> tuple[dt.date, dt.date] | None:
    """The first and last month with summary rows in ``scope``."""
    from django.db.models import Max, Min

    from regie.statistics.models import OffenceCount

    grain = offence_grain(scope.level if scope else "national", False)
    qs = _in_scope(OffenceCount.objects.filter(grain=grain), scope)
    span = qs.aggregate(first=Min("month"), last=Max("month"))
    if span["first"] is None:
        return None
    return span["first"], span["last"]


def overdue_screenings(
    scope: Scope, *, offence_class: str = "", where: dict[str, Any] | None = None
) -> int:
    """Cases of ``scope`` waiting now for their first screening past the 3-working-day
    deadline. Cases reported before the previous month come from the summaries (reported,
    never screened: their deadline has long passed); the recent ones are counted live (the
    deadline moves with the clock). A case screened and later reopened is not counted."""
    from django.db.models import Sum
    from django.utils import timezone as tz

    from regie.selection.flow import State
    from regie.selection.models import Case
    from regie.statistics.models import CaseCount

    now = tz.localtime()
    this_month = now.date().replace(day=1)
    cutoff = (this_month - dt.timedelta(days=1)).replace(day=1)
    grain = "category" if offence_class else "team"
    older = _in_scope(CaseCount.objects.filter(grain=grain, month__lt=cutoff), scope)
    filters = {**(where or {}), **({"offence_class": offence_class} if offence_class else {})}
    if filters:
        older = older.filter(**filters)
    sums = older.aggregate(r=Sum("registered"), s=Sum("screened"))
    waiting_before = (sums["r"] or 0) - (sums["s"] or 0)

    live = Case.objects.filter(
        state=State.REGISTERED,
        screening_due__lt=now,
        reported_at__gte=dt.datetime.combine(cutoff, dt.time.min, tzinfo=now.tzinfo),
        registration__confidentiality__lte=scope.clearance,
    )
    paths = {
        "unit": "registration__base_team__district__unit__code",
        "district": "registration__base_team__district__code",
        "base_team": "registration__base_team__code",
        "neighbourhood": "registration__neighbourhood__code",
    }
    if scope.level in paths:
        live = live.filter(**{paths[scope.level]: scope.code})
    for column, value in (where or {}).items():
        if column in paths:
            live = live.filter(**{paths[column]: value})
    if offence_class:
        live = live.filter(offence_class=offence_class)
    return int(waiting_before) + live.count()
