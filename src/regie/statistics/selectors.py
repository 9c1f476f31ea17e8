"""Reading the offences for the statistics, within need-to-know, as a Polars frame."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
from django.utils import timezone

from regie.organisation.access import registrations_visible_to
from regie.registration.models import Offence, OffenceCategory, Registration
from regie.statistics.counting import OFFENCE_SCHEMA

_COLUMNS = (
    "registration_id",
    "seq",
    "category__code",
    "category__seriousness_rank",
    "registration__reported_at",
    "registration__base_team__district__unit__code",
    "registration__base_team__district__code",
    "registration__base_team__code",
    "registration__municipality__code",
    "registration__neighbourhood__code",
)


def offence_frame(user: Any, *, start: dt.date, end: dt.date) -> pl.DataFrame:
    """Every offence of the registrations the user may see, reported from ``start`` up to and
    including ``end`` (Europe/Amsterdam dates), in :data:`counting.OFFENCE_SCHEMA`."""
    tz = timezone.get_current_timezone()
    lo = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    regs = registrations_visible_to(user, Registration.objects.all()).filter(
        reported_at__gte=lo, reported_at__lt=hi
    )
    rows = list(
        Offence.objects.filter(registration__in=regs)
        .values_list(*_COLUMNS)
        .iterator(chunk_size=20_000)
    )
    return pl.DataFrame(
        rows,
        schema={
            name: (pl.Datetime("us", "UTC") if name == "reported_at" else dtype)
            for name, dtype in OFFENCE_SCHEMA.items()
        },
        orient="row",
    )


def category_titles() -> dict[str, str]:
    return dict(OffenceCategory.objects.values_list("code", "title"))


def data_period(user: Any) -> tuple[dt.date, dt.date] | None:
    """The first and last reporting date of the registrations the user may see."""
    regs = registrations_visible_to(user, Registration.objects.all())
    first = regs.order_by("reported_at").values_list("reported_at", flat=True).first()
    last = regs.order_by("-reported_at").values_list("reported_at", flat=True).first()
    if first is None or last is None:
        return None
    return timezone.localtime(first).date(), timezone.localtime(last).date()


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


def case_frames(user: Any, *, start: dt.date, end: dt.date) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The cases reported from ``start`` up to and including ``end`` that the user may see,
    and their moves, in :data:`funnel.CASE_SCHEMA` / :data:`funnel.EVENT_SCHEMA`."""
    from regie.selection.models import CaseEvent
    from regie.selection.selectors import cases_visible_to
    from regie.statistics.funnel import CASE_SCHEMA, EVENT_SCHEMA

    tz = timezone.get_current_timezone()
    lo = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    cases = cases_visible_to(user).filter(reported_at__gte=lo, reported_at__lt=hi)
    case_rows = list(
        cases.values_list(
            "pk",
            "reported_at",
            "category__code",
            "offence_class",
            "offence_group",
            "state",
            "base_team__district__unit__code",
            "base_team__district__code",
            "base_team__code",
            "registration__municipality__code",
            "neighbourhood__code",
        ).iterator(chunk_size=20_000)
    )
    event_rows = list(
        CaseEvent.objects.filter(case__in=cases)
        .values_list(
            "case_id", "seq", "action", "from_state", "to_state", "at", "actor_role", "reason"
        )
        .iterator(chunk_size=20_000)
    )

    def schema(base: pl.Schema, times: tuple[str, ...]) -> dict[str, Any]:
        return {n: (pl.Datetime("us", "UTC") if n in times else t) for n, t in base.items()}

    return (
        pl.DataFrame(case_rows, schema=schema(CASE_SCHEMA, ("reported_at",)), orient="row"),
        pl.DataFrame(event_rows, schema=schema(EVENT_SCHEMA, ("at",)), orient="row"),
    )
