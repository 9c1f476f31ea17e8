"""The ``regie synth`` step: a few days of LIRC traffic through the intake service."""

from __future__ import annotations

import time

import pytest

from regie.legal_assistance.models import LegalMessage, QuarantinedMessage
from regie.synth.services import run_synth, steps

pytestmark = pytest.mark.django_db


def test_step_fills_the_queue_quickly() -> None:
    order = steps()
    assert order.index("legal_assistance") > order.index("staff")
    started = time.perf_counter()
    (result,) = run_synth(scale="demo", seed=1, only=["legal_assistance"])
    elapsed = time.perf_counter() - started
    summary = result.summary
    assert 200 <= summary["messages"] <= 500
    assert summary["messages"] == LegalMessage.objects.count()
    assert summary["quarantined"] == QuarantinedMessage.objects.count()
    assert summary["cases"] < summary["messages"]  # duplicates were grouped
    assert LegalMessage.objects.filter(status="nieuw").exists()
    assert LegalMessage.objects.filter(priority=1).exists()
    assert elapsed < 30, elapsed  # about 10 s on the 2-core target
    # A rerun skips the step.
    assert run_synth(scale="demo", seed=1, only=["legal_assistance"])[0].skipped
