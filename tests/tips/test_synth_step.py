"""The ``tips`` synth step: recipients for every unit, the national agencies and the demo
municipality, and tips through the real services (forwarded ones readable by their
recipients with the demo passphrase)."""

from __future__ import annotations

from typing import Any

import pytest

from regie.tips import services, synth
from regie.tips.models import Delivery, Recipient, Status, Tip

pytestmark = pytest.mark.django_db


def test_synth_tips(db: Any) -> None:
    summary = synth.run(seed=3, days=12, per_day=3.0)
    assert summary["agencies"] == 10 + len(synth.AGENCIES)
    assert summary["municipalities"] >= 1
    assert Recipient.objects.filter(municipality__code="GM0344").exists()
    assert summary["tips"] == Tip.objects.count() > 10
    assert Tip.objects.filter(status=Status.FORWARDED).count() == summary["forwarded"] > 0
    assert Tip.objects.filter(status=Status.NOT_CONCRETE).count() == summary["not_concrete"]
    delivery = Delivery.objects.select_related("recipient").first()
    assert delivery is not None
    key = services.unlock_key(delivery.recipient, synth.DEMO_PASSPHRASE, None)
    package = services.open_delivery(delivery, key, None)
    assert package.text["text"] in synth.REWRITE.values()
    # Every forwarded rewrite passed the check; originals are full of details.
    for tip in Tip.objects.filter(status=Status.FORWARDED):
        assert tip.rewrite_checked_ok
        assert "kenteken" in services.original_of(tip)["who"]
