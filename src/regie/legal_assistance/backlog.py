"""Management information on the LIRC work queue: backlog, throughput, age, SLA breaches and
a forecast of when the backlog clears.

Pure Python, no Django (and no database): every function reads :class:`WorkItem` records,
one per message or case, with when it was received and closed and its deadline; the Django
layer builds them from the queue (after need-to-know) and renders or exports the rows. The
source's series (the diffusions backlog that fell from over 5,000 in March 2019 to 1,095 on
4 November 2019) is :func:`backlog_series` by kind; the PNR workload is the same functions
restricted to ``kind == "pnr_hit"``.

Definitions
===========

* An item is **open** at moment ``t`` when ``received_at <= t`` and it was not closed at or
  before ``t``. The backlog of a day is the number open at the end of that day (midnight in
  the time zone ``tz``, UTC by default).
* **Throughput** of a period: items received and items closed in ``[start, end)``, with the
  median lead time (receipt to closure, in days) of those closed.
* **Age** of an open item at ``t``: ``t - received_at`` in days, counted in bins
  (:data:`AGE_BINS`: under 1 day, 1-2, 2-7, 7-14, 14-30, 30-90, 90 days and over).
* **SLA**: an item with a deadline is *due* at ``t`` when its deadline is at or before
  ``t``; a due item is **breached** when it was closed after its deadline or is still open.
  The breach rate is breached / due.

Forecast (:func:`forecast_clearance`)
=====================================

The net-flow method. Over the last ``weeks`` full weeks before ``at`` (default 8), count
per week the arrivals ``a_i`` and the closures ``c_i``; the closures measure what the desk
handles at current staffing (times ``capacity_factor`` to ask "what if 20 % more staff":
1.2). The mean weekly net flow is ``m = mean(c_i * capacity_factor - a_i)``, and with the
backlog ``B`` open at ``at``:

* ``B = 0``: status ``empty``;
* ``m <= 0``: arrivals match or exceed capacity: status ``never``;
* otherwise the backlog clears in ``B / m`` weeks: status ``clears``.

The interval uses the week-to-week variation of the net flow: the standard error
``se = s / sqrt(n)`` of the mean (``s`` the sample standard deviation of the ``n`` weekly
net flows) and Student's t quantile for ``confidence`` (default 0.8, two-sided) with
``n - 1`` degrees of freedom; the earliest date is ``B / (m + t se)`` weeks away, the latest
``B / (m - t se)``, or ``None`` (never) when ``m - t se <= 0``. So a "never" forecast can
still have an earliest date when the optimistic net flow is positive.

Caveat, reported in the result (``capacity_limited``): closures measure capacity only while
there was work waiting; when the backlog was empty at the start of a week in the window, the
closures of that week were limited by the arrivals and the forecast is pessimistic.

Example (the source's diffusions): 5,000 open on 1 March 2019 and 1,095 on 4 November 2019
is a net outflow of about 3,905 / 35.7 weeks = 109 a week; at that rate the 1,095 remaining
clear in about 10 weeks, mid January 2020.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final, Literal

Step = Literal["day", "week", "month"]
GroupKey = tuple[str, ...]

#: Age bins in days: (label, lower inclusive, upper exclusive; None = no upper bound).
AGE_BINS: Final[tuple[tuple[str, float, float | None], ...]] = (
    ("< 1 dag", 0, 1),
    ("1-2 dagen", 1, 2),
    ("2-7 dagen", 2, 7),
    ("1-2 weken", 7, 14),
    ("2-4 weken", 14, 30),
    ("1-3 maanden", 30, 90),
    (">= 3 maanden", 90, None),
)
DAY: Final = dt.timedelta(days=1)
WEEK: Final = dt.timedelta(weeks=1)


@dataclass(frozen=True, slots=True)
class WorkItem:
    """One message or case in the queue (all moments time-zone aware)."""

    id: int | str
    #: A message kind ("diffusion", "red_notice", ...) or any type label.
    kind: str
    #: The triage priority (1 urgent .. 4 low) or any label.
    priority: int | str
    received_at: dt.datetime
    closed_at: dt.datetime | None = None
    deadline: dt.datetime | None = None

    def field(self, name: str) -> str:
        return str(getattr(self, name))


def _group_key(item: WorkItem, by: Sequence[str]) -> GroupKey:
    return tuple(item.field(name) for name in by)


def _grouped(items: Iterable[WorkItem], by: Sequence[str]) -> dict[GroupKey, list[WorkItem]]:
    for name in by:
        if name not in ("kind", "priority"):
            raise ValueError(f"cannot group by {name!r}; use 'kind' and/or 'priority'")
    groups: dict[GroupKey, list[WorkItem]] = defaultdict(list)
    for item in items:
        groups[_group_key(item, by)].append(item)
    return dict(sorted(groups.items()))


def _midnight(day: dt.date, tz: dt.tzinfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tz)


def _advance(day: dt.date, step: Step) -> dt.date:
    if step == "day":
        return day + DAY
    if step == "week":
        return day + WEEK
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def periods(start: dt.date, end: dt.date, step: Step) -> list[tuple[dt.date, dt.date]]:
    """``[first, next)`` periods covering ``start`` to ``end`` (inclusive): days, ISO weeks
    (Monday to Sunday) or calendar months; the first and last may extend beyond."""
    if step not in ("day", "week", "month"):
        raise ValueError(f"unknown step {step!r}")
    if end < start:
        return []
    if step == "week":
        current = start - dt.timedelta(days=start.weekday())
    elif step == "month":
        current = start.replace(day=1)
    else:
        current = start
    out: list[tuple[dt.date, dt.date]] = []
    while current <= end:
        nxt = _advance(current, step)
        out.append((current, nxt))
        current = nxt
    return out


# --------------------------------------------------------------------------------------------
# Backlog and throughput
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BacklogPoint:
    #: The last day of the period; the count is taken at its end.
    day: dt.date
    group: GroupKey
    open: int


class _OpenCounter:
    def __init__(self, items: Sequence[WorkItem]) -> None:
        self.received = sorted(i.received_at for i in items)
        self.closed = sorted(i.closed_at for i in items if i.closed_at is not None)

    def open_at(self, moment: dt.datetime) -> int:
        """Open at ``moment``: received at or before it and not closed at or before it."""
        return bisect_right(self.received, moment) - bisect_right(self.closed, moment)


def open_at(items: Iterable[WorkItem], moment: dt.datetime) -> int:
    """How many items are open at ``moment``."""
    return _OpenCounter(list(items)).open_at(moment)


def backlog_series(
    items: Iterable[WorkItem],
    *,
    start: dt.date,
    end: dt.date,
    step: Step = "day",
    by: Sequence[str] = ("kind", "priority"),
    tz: dt.tzinfo = dt.UTC,
) -> list[BacklogPoint]:
    """The backlog at the end of every period from ``start`` to ``end`` per group (``by``:
    "kind" and/or "priority"; ``()`` for the total)."""
    out: list[BacklogPoint] = []
    spans = periods(start, end, step)
    for group, members in _grouped(items, by).items():
        counter = _OpenCounter(members)
        for _first, nxt in spans:
            out.append(BacklogPoint(nxt - DAY, group, counter.open_at(_midnight(nxt, tz))))
    return out


@dataclass(frozen=True, slots=True)
class ThroughputRow:
    start: dt.date
    #: Exclusive.
    end: dt.date
    group: GroupKey
    received: int
    closed: int
    #: Median days from receipt to closure of the items closed in the period.
    median_lead_time_days: float | None


def throughput(
    items: Iterable[WorkItem],
    *,
    start: dt.date,
    end: dt.date,
    step: Step = "week",
    by: Sequence[str] = (),
    tz: dt.tzinfo = dt.UTC,
) -> list[ThroughputRow]:
    """Items received and closed per period and group."""
    out: list[ThroughputRow] = []
    spans = periods(start, end, step)
    for group, members in _grouped(items, by).items():
        received = sorted(i.received_at for i in members)
        closed = sorted(
            (i.closed_at, (i.closed_at - i.received_at) / DAY)
            for i in members
            if i.closed_at is not None
        )
        closed_at = [c for c, _ in closed]
        for first, nxt in spans:
            lo, hi = _midnight(first, tz), _midnight(nxt, tz)
            n_received = bisect_right(received, hi - _EPSILON) - bisect_right(
                received, lo - _EPSILON
            )
            a = bisect_right(closed_at, lo - _EPSILON)
            b = bisect_right(closed_at, hi - _EPSILON)
            lead = [days for _, days in closed[a:b]]
            out.append(
                ThroughputRow(
                    first,
                    nxt,
                    group,
                    n_received,
                    b - a,
                    round(statistics.median(lead), 2) if lead else None,
                )
            )
    return out


#: Half-open periods with ``bisect_right``: count moments < bound as moments <= bound - eps.
_EPSILON: Final = dt.timedelta(microseconds=1)


# --------------------------------------------------------------------------------------------
# Age and SLA
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AgeDistribution:
    group: GroupKey
    at: dt.datetime
    open: int
    #: (label, count) per bin of :data:`AGE_BINS`.
    bins: tuple[tuple[str, int], ...]
    median_days: float | None
    p90_days: float | None
    oldest_days: float | None


def _quantile(sorted_values: Sequence[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    if len(sorted_values) == 1:
        return sorted_values[0]
    pos = q * (len(sorted_values) - 1)
    lo = math.floor(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def age_distribution(
    items: Iterable[WorkItem],
    *,
    at: dt.datetime,
    by: Sequence[str] = (),
    bins: Sequence[tuple[str, float, float | None]] = AGE_BINS,
) -> list[AgeDistribution]:
    """The ages (days) of the items open at ``at``, per group."""
    out: list[AgeDistribution] = []
    for group, members in _grouped(items, by).items():
        ages = sorted(
            (at - i.received_at) / DAY
            for i in members
            if i.received_at <= at and (i.closed_at is None or i.closed_at > at)
        )
        counts = [
            (label, sum(1 for a in ages if a >= lo and (hi is None or a < hi)))
            for label, lo, hi in bins
        ]
        out.append(
            AgeDistribution(
                group=group,
                at=at,
                open=len(ages),
                bins=tuple(counts),
                median_days=round(statistics.median(ages), 2) if ages else None,
                p90_days=round(_quantile(ages, 0.9), 2) if ages else None,
                oldest_days=round(ages[-1], 2) if ages else None,
            )
        )
    return out


@dataclass(frozen=True, slots=True)
class SlaReport:
    group: GroupKey
    at: dt.datetime
    #: Items with a deadline at or before ``at``.
    due: int
    closed_in_time: int
    closed_late: int
    #: Due and still open at ``at``.
    open_overdue: int
    #: Open at ``at`` with a deadline still ahead.
    open_in_time: int
    #: Received by ``at`` without a deadline.
    without_deadline: int

    @property
    def breached(self) -> int:
        return self.closed_late + self.open_overdue

    @property
    def breach_rate(self) -> float | None:
        return self.breached / self.due if self.due else None


def sla_breaches(
    items: Iterable[WorkItem], *, at: dt.datetime, by: Sequence[str] = ()
) -> list[SlaReport]:
    """SLA breaches as of ``at`` per group (see the module docstring)."""
    out: list[SlaReport] = []
    for group, members in _grouped(items, by).items():
        due = in_time = late = overdue = ahead = without = 0
        for i in members:
            if i.received_at > at:
                continue
            closed = i.closed_at if i.closed_at is not None and i.closed_at <= at else None
            if i.deadline is None:
                without += 1
                continue
            if i.deadline > at:
                if closed is None:
                    ahead += 1
                elif closed <= i.deadline:
                    in_time += 1  # closed early, counted as handled in time
                continue
            due += 1
            if closed is None:
                overdue += 1
            elif closed <= i.deadline:
                in_time += 1
            else:
                late += 1
        out.append(SlaReport(group, at, due, in_time, late, overdue, ahead, without))
    return out


# --------------------------------------------------------------------------------------------
# Forecast
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Forecast:
    at: dt.datetime
    status: Literal["empty", "clears", "never"]
    backlog: int
    weeks_used: int
    #: Mean arrivals and closures (times ``capacity_factor``) per week.
    arrival_rate: float
    service_rate: float
    net_rate: float
    #: Point estimate; ``None`` when the backlog never clears at this rate.
    weeks_to_clear: float | None
    clears_on: dt.date | None
    #: The interval: ``earliest`` ``None`` when even the optimistic rate does not clear it,
    #: ``latest`` ``None`` when the pessimistic rate does not ("never").
    earliest: dt.date | None
    latest: dt.date | None
    confidence: float
    #: The backlog was empty at the start of a week in the window: closures were limited by
    #: the arrivals, so the capacity (and the forecast) may be underestimated.
    capacity_limited: bool
    weekly_arrivals: tuple[int, ...]
    weekly_closures: tuple[int, ...]

    @property
    def method(self) -> str:
        return (
            f"netto-instroom over {self.weeks_used} weken: gemiddeld {self.service_rate:.1f} "
            f"afgehandeld en {self.arrival_rate:.1f} binnengekomen per week; "
            f"interval {self.confidence:.0%} (t-verdeling)"
        )


def _t_quantile(p: float, df: int) -> float:
    from scipy.stats import t  # scikit-learn depends on SciPy

    return float(t.ppf(p, df))


def _date_after(at: dt.datetime, weeks: float | None) -> dt.date | None:
    if weeks is None or not math.isfinite(weeks):
        return None
    days = weeks * 7
    if days > 365 * 200:  # beyond any planning horizon (and beyond datetime's range)
        return None
    return (at + dt.timedelta(days=days)).date()


def forecast_clearance(
    items: Iterable[WorkItem],
    *,
    at: dt.datetime,
    weeks: int = 8,
    capacity_factor: float = 1.0,
    confidence: float = 0.8,
) -> Forecast:
    """When the backlog open at ``at`` clears at current staffing (see the module docstring).

    The window is the ``weeks`` weeks ending at ``at`` (weeks of seven days counted back from
    ``at``)."""
    if weeks < 1:
        raise ValueError("weeks must be at least 1")
    if not 0 < confidence < 1:
        raise ValueError("confidence must lie between 0 and 1")
    if capacity_factor <= 0:
        raise ValueError("capacity_factor must be positive")
    members = list(items)
    counter = _OpenCounter(members)
    backlog = counter.open_at(at)
    bounds = [at - WEEK * (weeks - k) for k in range(weeks + 1)]
    received = counter.received
    closed = counter.closed
    arrivals = tuple(
        bisect_right(received, bounds[k + 1] - _EPSILON)
        - bisect_right(received, bounds[k] - _EPSILON)
        for k in range(weeks)
    )
    closures = tuple(
        bisect_right(closed, bounds[k + 1] - _EPSILON) - bisect_right(closed, bounds[k] - _EPSILON)
        for k in range(weeks)
    )
    capacity_limited = any(counter.open_at(bounds[k] - _EPSILON) == 0 for k in range(weeks))
    nets = [c * capacity_factor - a for a, c in zip(arrivals, closures, strict=True)]
    arrival_rate = statistics.fmean(arrivals)
    service_rate = statistics.fmean(closures) * capacity_factor
    net = statistics.fmean(nets)
    if weeks > 1:
        se = statistics.stdev(nets) / math.sqrt(weeks)
        margin = _t_quantile((1 + confidence) / 2, weeks - 1) * se
    else:
        margin = 0.0

    def weeks_at(rate: float) -> float | None:
        return backlog / rate if rate > 0 else None

    if backlog == 0:
        status: Literal["empty", "clears", "never"] = "empty"
        point: float | None = 0.0
        earliest: float | None = 0.0
        latest: float | None = 0.0
    else:
        point = weeks_at(net)
        status = "clears" if point is not None else "never"
        earliest = weeks_at(net + margin)
        latest = weeks_at(net - margin)
    return Forecast(
        at=at,
        status=status,
        backlog=backlog,
        weeks_used=weeks,
        arrival_rate=round(arrival_rate, 3),
        service_rate=round(service_rate, 3),
        net_rate=round(net, 3),
        weeks_to_clear=round(point, 3) if point is not None else None,
        clears_on=_date_after(at, point),
        earliest=_date_after(at, earliest),
        latest=_date_after(at, latest),
        confidence=confidence,
        capacity_limited=capacity_limited,
        weekly_arrivals=arrivals,
        weekly_closures=closures,
    )
