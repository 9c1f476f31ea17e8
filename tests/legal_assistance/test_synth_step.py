"""The ``regie synth`` step: a few days of LIRC traffic through the intake service."""

from __future__ import annotations

import time

import pytest

from regie.legal_assistance.models import ClassifierModel, LegalMessage, QuarantinedMessage
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
    # The classifier is trained once, on the same synthetic traffic, in well under 5 s.
    model = ClassifierModel.objects.get()
    assert summary["classifier"] == model.pk and model.source == "synthetic"
    assert model.n_synthetic > 200 and model.accuracy is not None
    assert summary["classifier_seconds"] < 5, summary["classifier_seconds"]
    # A rerun skips the step.
    assert run_synth(scale="demo", seed=1, only=["legal_assistance"])[0].skipped
