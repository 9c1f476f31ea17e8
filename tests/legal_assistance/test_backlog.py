"""Management information: backlog series, throughput, age, SLA breaches and the clearance
forecast, against hand-computed values (pure: no database)."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from regie.legal_assistance.backlog import (
    AGE_BINS,
    WorkItem,
    age_distribution,
    backlog_series,
    forecast_clearance,
    open_at,
    periods,
    sla_breaches,
    throughput,
)

UTC = dt.UTC


def at(day: int, hour: int = 12, month: int = 11) -> dt.datetime:
    return dt.datetime(2019, month, day, hour, tzinfo=UTC)


ITEMS = [
    # id, kind, priority, received, closed, deadline
    WorkItem(1, "diffusion", 2, at(4, 9), at(5, 15), at(5, 9)),  # closed late
    WorkItem(2, "diffusion", 4, at(4, 10), None, at(24, 10)),  # open, in time
    WorkItem(3, "red_notice", 2, at(5, 8), at(5, 20), at(6, 8)),  # closed in time
    WorkItem(4, "diffusion", 2, at(6, 8), None, at(7, 8)),  # open, overdue on the 8th
    WorkItem(5, "pnr_hit", 1, at(7, 23), at(8, 1), None),  # no deadline
]


def test_periods() -> None:
    assert periods(dt.date(2019, 11, 4), dt.date(2019, 11, 5), "day") == [
        (dt.date(2019, 11, 4), dt.date(2019, 11, 5)),
        (dt.date(2019, 11, 5), dt.date(2019, 11, 6)),
    ]
    weeks = periods(dt.date(2019, 11, 6), dt.date(2019, 11, 12), "week")
    assert weeks == [
        (dt.date(2019, 11, 4), dt.date(2019, 11, 11)),
        (dt.date(2019, 11, 11), dt.date(2019, 11, 18)),
    ]
    months = periods(dt.date(2019, 11, 30), dt.date(2020, 1, 1), "month")
    assert [m[0] for m in months] == [
        dt.date(2019, 11, 1),
        dt.date(2019, 12, 1),
        dt.date(2020, 1, 1),
    ]
    assert periods(dt.date(2019, 11, 5), dt.date(2019, 11, 4), "day") == []
    with pytest.raises(ValueError, match="step"):
        periods(dt.date(2019, 11, 5), dt.date(2019, 11, 6), "year")  # type: ignore[arg-type]


def test_backlog_series_by_kind_and_in_total() -> None:
    series = backlog_series(
        ITEMS, start=dt.date(2019, 11, 4), end=dt.date(2019, 11, 8), by=("kind",)
    )
    table = {(p.group, p.day.day): p.open for p in series}
    # diffusions: 4th: 1 and 2 open; 5th: 1 closed; 6th: 4 arrives; stays 2
    assert [table[(("diffusion",), d)] for d in range(4, 9)] == [2, 1, 2, 2, 2]
    assert [table[(("red_notice",), d)] for d in range(4, 9)] == [0, 0, 0, 0, 0]
    assert [table[(("pnr_hit",), d)] for d in range(4, 9)] == [0, 0, 0, 1, 0]
    total = backlog_series(ITEMS, start=dt.date(2019, 11, 4), end=dt.date(2019, 11, 8), by=())
    assert [p.open for p in total] == [2, 1, 2, 3, 2]
    by_priority = backlog_series(
        ITEMS, start=dt.date(2019, 11, 7), end=dt.date(2019, 11, 7), by=("kind", "priority")
    )
    assert {p.group: p.open for p in by_priority}[("diffusion", "2")] == 1
    assert open_at(ITEMS, at(5, 15)) == 2  # closed at that moment: no longer open
    with pytest.raises(ValueError, match="group"):
        backlog_series(ITEMS, start=dt.date(2019, 11, 4), end=dt.date(2019, 11, 8), by=("owner",))


def test_throughput() -> None:
    rows = throughput(ITEMS, start=dt.date(2019, 11, 4), end=dt.date(2019, 11, 8), step="day")
    table = {r.start.day: (r.received, r.closed, r.median_lead_time_days) for r in rows}
    assert table[4] == (2, 0, None)
    # the 5th: item 3 received; items 1 (30 h) and 3 (12 h) closed -> median 0.875 days
    assert table[5] == (1, 2, 0.88)
    assert table[8] == (0, 1, round(2 / 24, 2))
    week = throughput(ITEMS, start=dt.date(2019, 11, 4), end=dt.date(2019, 11, 10), step="week")
    assert [(r.received, r.closed) for r in week] == [(5, 3)]


def test_age_distribution() -> None:
    (dist,) = age_distribution(ITEMS, at=at(8, 12))
    # open at noon on the 8th: item 2 (4 days 2 hours), item 4 (2 days 4 hours)
    old, young = 4 + 2 / 24, 2 + 4 / 24
    assert dist.open == 2
    assert dict(dist.bins)["2-7 dagen"] == 2
    assert sum(c for _, c in dist.bins) == 2
    assert dist.median_days == pytest.approx((old + young) / 2, abs=0.01)
    assert dist.oldest_days == round(old, 2)
    assert dist.p90_days == pytest.approx(young + 0.9 * (old - young), abs=0.01)
    assert [label for label, _, _ in AGE_BINS] == [label for label, _ in dist.bins]
    (empty,) = age_distribution(ITEMS, at=at(1, 0))
    assert empty.open == 0 and empty.median_days is None


def test_sla_breaches() -> None:
    (report,) = sla_breaches(ITEMS, at=at(8, 12))
    assert report.due == 3  # items 1, 3, 4
    assert (report.closed_in_time, report.closed_late, report.open_overdue) == (1, 1, 1)
    assert report.open_in_time == 1  # item 2
    assert report.without_deadline == 1  # item 5
    assert report.breached == 2 and report.breach_rate == pytest.approx(2 / 3)
    by_kind = {r.group: r for r in sla_breaches(ITEMS, at=at(8, 12), by=("kind",))}
    assert by_kind[("red_notice",)].breach_rate == 0.0
    assert by_kind[("pnr_hit",)].breach_rate is None


# --------------------------------------------------------------------------------------------
# Forecast
# --------------------------------------------------------------------------------------------

NOW = dt.datetime(2019, 11, 4, 0, 0, tzinfo=UTC)


def flow(
    arrivals: list[int], closures: list[int], *, backlog: int, now: dt.datetime = NOW
) -> list[WorkItem]:
    """Items that give these weekly arrivals and closures in the weeks before ``now`` and
    leave ``backlog`` open at ``now`` (the old stock was received long before)."""
    weeks = len(arrivals)
    old = backlog - sum(arrivals) + sum(closures)
    assert old >= sum(closures)
    items: list[WorkItem] = []
    long_ago = now - dt.timedelta(weeks=weeks + 10)
    closing = iter(range(sum(closures)))
    for k in range(old):
        items.append(WorkItem(f"old{k}", "diffusion", 4, long_ago))
    for w, (a, c) in enumerate(zip(arrivals, closures, strict=True)):
        week_start = now - dt.timedelta(weeks=weeks - w)
        for j in range(a):
            items.append(WorkItem(f"w{w}a{j}", "diffusion", 4, week_start + dt.timedelta(days=2)))
        for _ in range(c):
            n = next(closing)
            items[n] = WorkItem(
                f"old{n}", "diffusion", 4, long_ago, week_start + dt.timedelta(days=3)
            )
    return items


def test_forecast_constant_net_flow() -> None:
    items = flow([10, 10, 10, 10], [15, 15, 15, 15], backlog=100)
    f = forecast_clearance(items, at=NOW, weeks=4)
    assert f.status == "clears"
    assert f.backlog == 100
    assert (f.arrival_rate, f.service_rate, f.net_rate) == (10.0, 15.0, 5.0)
    assert f.weeks_to_clear == 20.0
    assert f.clears_on == (NOW + dt.timedelta(weeks=20)).date() == dt.date(2020, 3, 23)
    assert f.earliest == f.latest == f.clears_on  # no variation, no interval
    assert not f.capacity_limited
    assert f.weekly_arrivals == (10, 10, 10, 10) and f.weekly_closures == (15, 15, 15, 15)
    assert "netto-instroom over 4 weken" in f.method


def test_forecast_interval_by_hand() -> None:
    # Net flows 4, 6, 4, 6: mean 5, s = sqrt(4/3), se = s/2 = 0.57735;
    # t(0.9; 3 df) = 1.637744 -> margin 0.945548.
    items = flow([10, 10, 10, 10], [14, 16, 14, 16], backlog=100)
    f = forecast_clearance(items, at=NOW, weeks=4, confidence=0.8)
    margin = 1.637744 * math.sqrt(4 / 3) / 2
    assert f.weeks_to_clear == 20.0
    assert f.earliest == (NOW + dt.timedelta(days=7 * 100 / (5 + margin))).date()
    assert f.latest == (NOW + dt.timedelta(days=7 * 100 / (5 - margin))).date()
    assert f.earliest == dt.date(2020, 2, 29)  # 16.82 weeks
    assert f.latest == dt.date(2020, 4, 24)  # 24.66 weeks


def test_forecast_never_when_arrivals_exceed_capacity() -> None:
    items = flow([20, 20, 20, 20], [15, 15, 15, 15], backlog=100)
    f = forecast_clearance(items, at=NOW, weeks=4)
    assert f.status == "never"
    assert f.net_rate == -5.0
    assert f.weeks_to_clear is None and f.clears_on is None
    assert f.earliest is None and f.latest is None
    # 25 % more staff: 18.75 a week, still below 20.
    assert forecast_clearance(items, at=NOW, weeks=4, capacity_factor=1.25).status == "never"
    # 50 % more: 22.5 a week, net 2.5: 40 weeks.
    more = forecast_clearance(items, at=NOW, weeks=4, capacity_factor=1.5)
    assert more.status == "clears" and more.weeks_to_clear == 40.0


def test_forecast_never_with_an_optimistic_bound() -> None:
    # Net flows -3, +1, -3, +1: mean -1, s = sqrt(16/3), se = 1.1547, margin 1.891
    items = flow([10, 10, 10, 10], [7, 11, 7, 11], backlog=50)
    f = forecast_clearance(items, at=NOW, weeks=4)
    assert f.status == "never" and f.latest is None
    margin = 1.637744 * math.sqrt(16 / 3) / 2
    assert f.earliest == (NOW + dt.timedelta(days=7 * 50 / (-1 + margin))).date()


def test_forecast_empty_and_capacity_limited() -> None:
    # Five a week, each closed a day after it came in: nothing waits at a week's start.
    items = [
        WorkItem(f"{w}-{j}", "pnr_hit", 1, NOW - dt.timedelta(weeks=w, days=3), None)
        for w in (1, 2)
        for j in range(5)
    ]
    items = [
        WorkItem(i.id, i.kind, i.priority, i.received_at, i.received_at + dt.timedelta(days=1))
        for i in items
    ]
    f = forecast_clearance(items, at=NOW, weeks=2)
    assert f.status == "empty" and f.backlog == 0 and f.clears_on == NOW.date()
    assert f.capacity_limited  # nothing was waiting: closures were limited by arrivals
    single = forecast_clearance(flow([10], [12], backlog=20), at=NOW, weeks=1)
    assert single.weeks_to_clear == 10.0 and single.earliest == single.latest


def test_forecast_refuses_bad_arguments() -> None:
    with pytest.raises(ValueError, match="weeks"):
        forecast_clearance(ITEMS, at=NOW, weeks=0)
    with pytest.raises(ValueError, match="confidence"):
        forecast_clearance(ITEMS, at=NOW, confidence=1.0)
    with pytest.raises(ValueError, match="capacity_factor"):
        forecast_clearance(ITEMS, at=NOW, capacity_factor=0)


def test_the_sources_diffusion_backlog() -> None:
    """5,000 open on 1 March 2019, 1,095 on 4 November 2019 (the module docstring): at the
    mean net outflow of those 35.7 weeks the rest clears in about ten weeks."""
    start = dt.datetime(2019, 3, 1, tzinfo=UTC)
    end = dt.datetime(2019, 11, 4, tzinfo=UTC)
    weeks = (end - start) / dt.timedelta(weeks=1)
    items = [WorkItem(k, "diffusion", 4, start - dt.timedelta(days=1)) for k in range(5000)]
    step = (end - start) / 3905
    items = [
        WorkItem(i.id, i.kind, i.priority, i.received_at, start + step * (k + 0.5))
        if k < 3905
        else i
        for k, i in enumerate(items)
    ]
    assert open_at(items, end) == 1095
    f = forecast_clearance(items, at=end, weeks=35)
    assert f.net_rate == pytest.approx(3905 / weeks, rel=0.02)
    assert f.weeks_to_clear == pytest.approx(10.0, abs=0.3)
    assert f.clears_on is not None and f.clears_on.isoformat().startswith("2020-01")
