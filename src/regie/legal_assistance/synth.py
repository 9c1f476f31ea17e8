"""Synthetic LIRC traffic for the demo (``regie synth`` step ``legal_assistance``): a few
days of messages from :func:`~regie.legal_assistance.traffic.generate_traffic`, ending
today, through the real intake service (quarantine, register lookups, triage, duplicate
grouping), and part of the older ones answered, so the queue and the management
information have something to show; then the text classifier is trained once on that
traffic (``services.train_classifier``), so the message page shows its proposal."""

from __future__ import annotations

import datetime as dt
import random
import time
from typing import Any

from django.utils import timezone

from regie.legal_assistance.models import LegalMessage, QuarantinedMessage, Status
from regie.legal_assistance.services import receive, train_classifier
from regie.legal_assistance.traffic import TrafficConfig, generate_traffic

DAYS = 4
PER_DAY = 80
#: Share of the messages older than half a day that the desk has already answered.
ANSWERED = 0.6


def run(*, seed: int, today: dt.date | None = None) -> dict[str, Any]:
    today = today or timezone.now().date()
    config = TrafficConfig(
        start=today - dt.timedelta(days=DAYS), days=DAYS, per_day=PER_DAY, seed=seed
    )
    traffic = generate_traffic(config)
    now = timezone.now()
    stored: list[int] = []
    quarantined = 0
    for item in traffic.items:
        result = receive(item.payload, channel=f"synth-{item.syntax}", actor=None, now=now)
        if isinstance(result, QuarantinedMessage):
            quarantined += 1
        else:
            stored.append(result.pk)
    rng = random.Random(f"{seed}:legal_assistance")
    done: list[LegalMessage] = []
    for msg in LegalMessage.objects.filter(pk__in=stored).order_by("pk"):
        if now - msg.received_at < dt.timedelta(hours=12) or rng.random() >= ANSWERED:
            continue
        if msg.needs_second_confirmation:
            continue  # urgent ones stay for the demo's four-eyes confirmation
        msg.done_at = min(now, msg.received_at + dt.timedelta(minutes=rng.randint(30, 2880)))
        msg.status = Status.ANSWERED
        done.append(msg)
    LegalMessage.objects.bulk_update(done, ["done_at", "status"], batch_size=500)
    # Nothing is triaged by an officer yet: the classifier learns from this same traffic.
    started = time.perf_counter()
    model = train_classifier(actor=None, traffic=traffic, seed=seed)
    trained_in = round(time.perf_counter() - started, 2)
    return {
        "classifier": model.pk,
        "classifier_accuracy": model.accuracy,
        "classifier_seconds": trained_in,
        "messages": len(stored),
        "quarantined": quarantined,
        "answered": len(done),
        "cases": LegalMessage.objects.filter(pk__in=stored).values("case").distinct().count(),
    }
