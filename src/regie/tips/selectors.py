"""Reads of the tip line: whose recipient a user is, inboxes and statistics."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from regie.organisation.access import position_of
from regie.organisation.roles import Role
from regie.tips import retention
from regie.tips.models import CountKind, Delivery, ExpiredCount, Recipient, RecipientKind, Tip


def recipient_for(user: Any) -> Recipient | None:
    """The recipient a signed-in user reads for: a municipality's recipient staff for their
    municipality; a partner agency's staff for the agency they are a member of; intelligence
    staff of a unit for that unit's police recipient."""
    position = position_of(user)
    if position is None:
        return None
    if position.role == Role.MUNICIPALITY_RECIPIENT and position.municipality_id:
        return Recipient.objects.filter(
            kind=RecipientKind.MUNICIPALITY, municipality_id=position.municipality_id
        ).first()
    if position.role == Role.AGENCY_RECIPIENT:
        return Recipient.objects.filter(kind=RecipientKind.AGENCY, members=user).first()
    if position.role == Role.INTELLIGENCE_OFFICER and position.unit_id:
        return Recipient.objects.filter(kind=RecipientKind.AGENCY, unit_id=position.unit_id).first()
    return None


def inbox(recipient: Recipient) -> QuerySet[Delivery]:
    return Delivery.objects.filter(recipient=recipient).select_related("tip").order_by("-sent_at")


@dataclass
class Statistics:
    period: retention.Period
    received: Counter[str] = field(default_factory=Counter)
    received_by_topic: Counter[str] = field(default_factory=Counter)
    forwarded: Counter[str] = field(default_factory=Counter)
    forwarded_by_topic: Counter[str] = field(default_factory=Counter)
    forwarded_by_recipient: Counter[str] = field(default_factory=Counter)
    feedback_by_recipient: Counter[str] = field(default_factory=Counter)

    @property
    def periods(self) -> list[str]:
        return sorted(set(self.received) | set(self.forwarded))

    @property
    def feedback_rates(self) -> list[tuple[str, int, int, float]]:
        return [
            (name, n, self.feedback_by_recipient[name], self.feedback_by_recipient[name] / n)
            for name, n in sorted(self.forwarded_by_recipient.items())
            if n
        ]


def _fold_period(month: str, period: retention.Period) -> str:
    year, mon = int(month[:4]), int(month[5:7])
    import datetime as dt

    return retention.period_of(dt.date(year, mon, 1), period)


def statistics(period: retention.Period = "month") -> Statistics:
    """Received and forwarded tips by period and topic, forwards and feedback by recipient:
    the live tips plus the counts kept of expired ones (a tip forwarded to two recipients
    counts once as forwarded, once for each recipient)."""
    stats = Statistics(period)
    for received_at, topic in Tip.objects.values_list("received_at", "topic"):
        p = retention.period_of(timezone.localdate(received_at), period)
        stats.received[p] += 1
        stats.received_by_topic[topic] += 1
    for forwarded_at, topic in Tip.objects.filter(forwarded_at__isnull=False).values_list(
        "forwarded_at", "topic"
    ):
        p = retention.period_of(timezone.localdate(forwarded_at), period)
        stats.forwarded[p] += 1
        stats.forwarded_by_topic[topic] += 1
    for name, feedback_at in Delivery.objects.values_list("recipient__name", "feedback_at"):
        stats.forwarded_by_recipient[name] += 1
        if feedback_at is not None:
            stats.feedback_by_recipient[name] += 1
    for row in ExpiredCount.objects.all():
        p = _fold_period(row.month, period)
        if row.kind == CountKind.RECEIVED:
            stats.received[p] += row.count
            stats.received_by_topic[row.topic] += row.count
        elif row.kind == CountKind.FORWARDED and not row.recipient_name:
            stats.forwarded[p] += row.count
            stats.forwarded_by_topic[row.topic] += row.count
        elif row.kind == CountKind.FORWARDED:
            stats.forwarded_by_recipient[row.recipient_name] += row.count
        elif row.kind == CountKind.FEEDBACK:
            stats.feedback_by_recipient[row.recipient_name] += row.count
    return stats
