"""Management information of the LIRC queue (``backlog.py`` over the stored messages)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from regie.legal_assistance import backlog
from regie.legal_assistance.messages import KIND_LABELS, MessageKind
from regie.legal_assistance.models import LegalMessage

#: The backlog chart and the throughput table cover this many days back.
WINDOW_DAYS = 28
#: The PNR workload: hits (``MessageKind.PNR_HIT``) received, handled and open.
PNR_LABEL = KIND_LABELS[MessageKind.PNR_HIT]


def work_items() -> list[backlog.WorkItem]:
    rows = LegalMessage.objects.values_list(
        "pk", "kind", "priority", "received_at", "done_at", "triage_deadline"
    )
    return [
        backlog.WorkItem(
            id=pk,
            kind=KIND_LABELS[MessageKind(kind)],
            priority=str(priority),
            received_at=received,
            closed_at=done,
            deadline=deadline,
        )
        for pk, kind, priority, received, done, deadline in rows.iterator(chunk_size=2000)
    ]


@dataclass(frozen=True, slots=True)
class WorkloadRow:
    """One period of the PNR workload: hits received and handled (answered or closed) in
    ``[start, end)``, and open at the end of it (midnight before ``end``)."""

    start: dt.date
    end: dt.date
    received: int
    handled: int
    open: int


def workload(
    items: list[backlog.WorkItem],
    *,
    start: dt.date,
    end: dt.date,
    step: backlog.Step,
    tz: dt.tzinfo,
) -> list[WorkloadRow]:
    """Received, handled and open per day or ISO week from ``start`` to ``end``."""
    if not items:
        return [WorkloadRow(a, b, 0, 0, 0) for a, b in backlog.periods(start, end, step)]
    flow = backlog.throughput(items, start=start, end=end, step=step, by=(), tz=tz)
    counts = backlog.backlog_series(items, start=start, end=end, step=step, by=(), tz=tz)
    return [
        WorkloadRow(t.start, t.end, t.received, t.closed, c.open)
        for t, c in zip(flow, counts, strict=True)
    ]


def _workload_figure(daily: list[WorkloadRow], weekly: list[WorkloadRow]) -> dict[str, Any]:
    """Plotly figure: received and handled as bars, open as a line; per day, with the weekly
    series on the same axis as dotted lines (weeks plotted at their Monday)."""

    def x(rows: list[WorkloadRow]) -> list[str]:
        return [r.start.isoformat() for r in rows]

    data = [
        {
            "type": "bar",
            "name": "ontvangen per dag",
            "x": x(daily),
            "y": [r.received for r in daily],
        },
        {
            "type": "bar",
            "name": "afgehandeld per dag",
            "x": x(daily),
            "y": [r.handled for r in daily],
        },
        {
            "type": "scatter",
            "mode": "lines",
            "name": "open (einde dag)",
            "x": x(daily),
            "y": [r.open for r in daily],
        },
        {
            "type": "scatter",
            "mode": "lines+markers",
            "line": {"dash": "dot"},
            "name": "ontvangen per week",
            "x": x(weekly),
            "y": [r.received for r in weekly],
        },
        {
            "type": "scatter",
            "mode": "lines+markers",
            "line": {"dash": "dot"},
            "name": "afgehandeld per week",
            "x": x(weekly),
            "y": [r.handled for r in weekly],
        },
    ]
    return {
        "data": data,
        "layout": {
            "height": 380,
            "barmode": "group",
            "margin": {"l": 50, "r": 10, "t": 10, "b": 40},
            "yaxis": {"title": {"text": "PNR-hits"}, "rangemode": "tozero"},
            "legend": {"orientation": "h"},
        },
    }


@dataclass
class Report:
    at: dt.datetime
    start: dt.date
    end: dt.date
    series: list[backlog.BacklogPoint]
    throughput: list[backlog.ThroughputRow]
    ages: list[backlog.AgeDistribution]
    sla: list[backlog.SlaReport]
    forecast: backlog.Forecast
    pnr_daily: list[WorkloadRow]
    pnr_weekly: list[WorkloadRow]

    def pnr_figure(self) -> dict[str, Any]:
        """A Plotly figure (plain JSON) of the PNR workload."""
        return _workload_figure(self.pnr_daily, self.pnr_weekly)

    def figure(self) -> dict[str, Any]:
        """A Plotly figure (plain JSON): open messages per kind and priority over time."""
        lines: dict[tuple[str, ...], tuple[list[str], list[int]]] = {}
        for p in self.series:
            xs, ys = lines.setdefault(p.group, ([], []))
            xs.append(p.day.isoformat())
            ys.append(p.open)
        data = [
            {
                "type": "scatter",
                "mode": "lines",
                "name": f"{group[0]} · prio {group[1]}",
                "x": xs,
                "y": ys,
            }
            for group, (xs, ys) in sorted(lines.items())
            if any(ys)
        ]
        return {
            "data": data,
            "layout": {
                "height": 420,
                "margin": {"l": 50, "r": 10, "t": 10, "b": 40},
                "yaxis": {"title": {"text": "open"}, "rangemode": "tozero"},
                "legend": {"orientation": "h"},
            },
        }


def report(at: dt.datetime) -> Report:
    items = work_items()
    end = at.date()
    start = end - dt.timedelta(days=WINDOW_DAYS)
    tz = at.tzinfo or dt.UTC
    pnr = [i for i in items if i.kind == PNR_LABEL]
    return Report(
        at=at,
        start=start,
        end=end,
        series=backlog.backlog_series(
            items, start=start, end=end, step="day", by=("kind", "priority"), tz=tz
        ),
        throughput=backlog.throughput(items, start=start, end=end, step="week", tz=tz),
        ages=backlog.age_distribution(items, at=at, by=("priority",)),
        sla=backlog.sla_breaches(items, at=at, by=("priority",)),
        forecast=backlog.forecast_clearance(items, at=at),
        pnr_daily=workload(pnr, start=start, end=end, step="day", tz=tz),
        pnr_weekly=workload(pnr, start=start, end=end, step="week", tz=tz),
    )


def csv_rows(r: Report) -> list[list[str]]:
    rows = [["tabel", "datum", "soort", "prioriteit", "waarde"]]
    for p in r.series:
        rows.append(["achterstand", p.day.isoformat(), p.group[0], p.group[1], str(p.open)])
    for t in r.throughput:
        rows.append(["ontvangen", t.start.isoformat(), "", "", str(t.received)])
        rows.append(["afgehandeld", t.start.isoformat(), "", "", str(t.closed)])
    for step, pnr_rows in (("dag", r.pnr_daily), ("week", r.pnr_weekly)):
        for w in pnr_rows:
            day = w.start.isoformat()
            rows.append([f"pnr ontvangen per {step}", day, PNR_LABEL, "", str(w.received)])
            rows.append([f"pnr afgehandeld per {step}", day, PNR_LABEL, "", str(w.handled)])
            last = (w.end - dt.timedelta(days=1)).isoformat()  # counted at the period's end
            rows.append([f"pnr open einde {step}", last, PNR_LABEL, "", str(w.open)])
    for s in r.sla:
        rows.append(["termijn overschreden", r.end.isoformat(), "", s.group[0], str(s.breached)])
    return rows
