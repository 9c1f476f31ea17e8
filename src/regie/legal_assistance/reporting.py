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
    )


def csv_rows(r: Report) -> list[list[str]]:
    rows = [["tabel", "datum", "soort", "prioriteit", "waarde"]]
    for p in r.series:
        rows.append(["achterstand", p.day.isoformat(), p.group[0], p.group[1], str(p.open)])
    for t in r.throughput:
        rows.append(["ontvangen", t.start.isoformat(), "", "", str(t.received)])
        rows.append(["afgehandeld", t.start.isoformat(), "", "", str(t.closed)])
    for s in r.sla:
        rows.append(["termijn overschreden", r.end.isoformat(), "", s.group[0], str(s.breached)])
    return rows
