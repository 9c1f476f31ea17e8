"""Retention of tips and count-only statistics.

Expiry (configurable :class:`RetentionPolicy`): a tip's content is deleted a fixed period
after the event that ends the desk's need for it - closure if the tip was closed, otherwise
forwarding (the desk copy is only kept for questions from recipients and the reporter's
follow-up). A tip that was neither forwarded nor closed expires a (longer) period after
receipt, so nothing is kept forever by neglect. The defaults (90 / 90 / 365 days) are
assumptions to be set by policy.

Statistics keep only counts: :func:`count_tips` reduces tips to counts by topic, recipient
and period; nothing else of a tip survives in them. Small counts can be suppressed (a count
of 1 or 2 for a small municipality and a rare topic may point at a person).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal

Period = Literal["month", "quarter", "year"]


@dataclass(frozen=True, slots=True)
class RetentionPolicy:
    after_forwarding: timedelta = timedelta(days=90)
    after_closure: timedelta = timedelta(days=90)
    unhandled: timedelta = timedelta(days=365)


def expiry_date(
    received_at: datetime,
    *,
    forwarded_at: datetime | None = None,
    closed_at: datetime | None = None,
    policy: RetentionPolicy | None = None,
) -> datetime:
    """When the tip's content must be deleted (see the module docstring)."""
    policy = policy or RetentionPolicy()
    if closed_at is not None:
        return closed_at + policy.after_closure
    if forwarded_at is not None:
        return forwarded_at + policy.after_forwarding
    return received_at + policy.unhandled


def is_expired(expires_at: datetime, now: datetime) -> bool:
    return now >= expires_at


@dataclass(frozen=True, slots=True)
class TipFacts:
    """The only facts statistics need of a tip."""

    received_on: date
    topic: str
    recipients: tuple[str, ...] = ()


def period_of(day: date, period: Period) -> str:
    """ "2020-03", "2020-Q1" or "2020"."""
    if period == "month":
        return f"{day.year}-{day.month:02d}"
    if period == "quarter":
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    return str(day.year)


@dataclass(slots=True)
class TipCounts:
    total: int = 0
    by_period: Counter[str] = field(default_factory=Counter)
    by_topic: Counter[str] = field(default_factory=Counter)
    by_recipient: Counter[str] = field(default_factory=Counter)
    by_period_topic: Counter[tuple[str, str]] = field(default_factory=Counter)
    by_period_recipient: Counter[tuple[str, str]] = field(default_factory=Counter)

    def suppressed(self, below: int) -> TipCounts:
        """A copy without the cells of fewer than ``below`` tips (the total is kept)."""

        def keep[K](counter: Counter[K]) -> Counter[K]:
            return Counter({k: v for k, v in counter.items() if v >= below})

        return TipCounts(
            self.total,
            keep(self.by_period),
            keep(self.by_topic),
            keep(self.by_recipient),
            keep(self.by_period_topic),
            keep(self.by_period_recipient),
        )


def count_tips(tips: Iterable[TipFacts], period: Period = "month") -> TipCounts:
    """Counts by period, topic and recipient (a tip forwarded to two recipients counts once
    for each recipient and once in the other breakdowns)."""
    counts = TipCounts()
    for tip in tips:
        p = period_of(tip.received_on, period)
        counts.total += 1
        counts.by_period[p] += 1
        counts.by_topic[tip.topic] += 1
        counts.by_period_topic[(p, tip.topic)] += 1
        for recipient in set(tip.recipients):
            counts.by_recipient[recipient] += 1
            counts.by_period_recipient[(p, recipient)] += 1
    return counts
