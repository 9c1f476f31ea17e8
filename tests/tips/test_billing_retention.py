"""Billing under both models, yearly invoices and CSV, statistics, and expiry that deletes
rows and files for good while the statistics keep counts."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from regie.organisation.models import Position
from regie.organisation.roles import Role
from regie.tips import selectors, services
from regie.tips.models import (
    Attachment,
    Delivery,
    ExpiredCount,
    FollowUp,
    Invoice,
    Tip,
)
from regie.tips.services import Upload
from tests.tips.conftest import CLEAN_REWRITE
from tests.tips.test_desk_flow import _jpeg_with_gps

pytestmark = pytest.mark.django_db


def _forward_drugs(code: str, operator: Position, n: int = 1) -> list[Tip]:
    tips = []
    for _ in range(n):
        tip, _r = services.submit_tip(
            answers={"what": "Handel in drugs."}, topic="drugs", municipality_code=code
        )
        services.save_rewrite(tip, CLEAN_REWRITE, operator.user)
        tip.refresh_from_db()
        services.forward(tip, [r.pk for r, _ in services.proposed_recipients(tip)], operator.user)
        tips.append(tip)
    return tips


def test_billing_both_models_and_invoices(recipients: dict[str, Any], operator: Position) -> None:
    year = timezone.now().year
    _forward_drugs("GM0344", operator, n=3)
    rows = {r.code: r for r in services.comparison(year)}
    # Utrecht (≈350,000 inhabitants, class 5, connected 2018): EUR 1,500; old model
    # EUR 2,500 + 3 x EUR 50.
    utrecht = rows["GM0344"]
    assert (utrecht.size_class, utrecht.tips) == (5, 3)
    assert utrecht.total_2020 == Decimal("1500.00")
    assert utrecht.total_old == Decimal("2650.00")
    amsterdam = rows["GM0363"]
    assert amsterdam.tips == 0 and amsterdam.total_old == Decimal("2500.00")
    n = services.issue_invoices(year, operator.user)
    assert n == 4
    inv = Invoice.objects.get(recipient=recipients["utrecht"], model="old")
    assert inv.total == Decimal("2650.00") and inv.tips == 3
    assert services.issue_invoices(year, operator.user) == 4  # replaces, no duplicates
    assert Invoice.objects.filter(year=year).count() == 4
    # 2020: Amsterdam connected in May 2020 pays the one-off connection fee that year.
    rows_2020 = {r.code: r for r in services.comparison(2020)}
    assert rows_2020["GM0363"].total_2020 == Decimal("2500.00")  # 1,500 + 1,000
    assert rows_2020["GM0344"].total_2020 == Decimal("1500.00")
    assert "GM0363" not in {r.code for r in services.comparison(2019)}
    with pytest.raises(services.TipError):
        services.issue_invoices(1850, operator.user)


def test_billing_screen_and_csv(
    recipients: dict[str, Any], client_for: Callable[..., Client]
) -> None:
    client = client_for(Role.TIPLINE_OPERATOR)
    page = client.get("/tips/facturatie/?jaar=2020").content.decode()
    assert "Gemeente Utrecht" in page or "Utrecht" in page
    response = client.get("/tips/facturatie/vergelijking.csv?jaar=2020")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert {r["gemeentecode"] for r in rows} == {"GM0344", "GM0363"}
    client.post("/tips/facturatie/", {"jaar": "2020"})
    assert Invoice.objects.filter(year=2020).count() == 4
    assert client_for(Role.MUNICIPALITY_RECIPIENT).get("/tips/facturatie/").status_code == 403


def test_expiry_deletes_rows_and_files_and_keeps_counts(
    recipients: dict[str, Any],
    operator: Position,
    _attachment_dir: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    forwarded = _forward_drugs("GM0344", operator, n=2)
    services.record_feedback(forwarded[0].deliveries.first(), "Gecontroleerd.", operator.user)  # type: ignore[arg-type]
    with_file, code = services.submit_tip(
        answers={"what": "Foto."}, topic="other", uploads=[Upload("x.jpg", _jpeg_with_gps())]
    )
    services.desk_asks(with_file, "Waar is dit?", operator.user)
    files = list(_attachment_dir.iterdir())
    assert len(files) == 1
    before = selectors.statistics("year")
    now = timezone.now()
    assert services.expire_tips(now)["tips"] == 0
    # 91 days after forwarding: the forwarded tips expire; the unhandled one (365 days) stays.
    with django_capture_on_commit_callbacks(execute=True):
        result = services.expire_tips(now + dt.timedelta(days=91))
    assert result == {"tips": 2, "attachments": 0}
    assert Tip.objects.count() == 1 and Delivery.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        result = services.expire_tips(now + dt.timedelta(days=366))
    assert result == {"tips": 1, "attachments": 1}
    assert not Tip.objects.exists()
    assert not Attachment.objects.exists() and not FollowUp.objects.exists()
    assert not Delivery.objects.exists()
    assert list(_attachment_dir.iterdir()) == []
    with pytest.raises(services.TipError):
        services.tip_by_receipt(code.display)  # type: ignore[union-attr]
    after = selectors.statistics("year")
    assert after.received == before.received
    assert after.forwarded == before.forwarded
    assert after.forwarded_by_recipient == before.forwarded_by_recipient
    assert after.feedback_by_recipient == before.feedback_by_recipient
    # Counts only: nothing of the content survives.
    assert set(ExpiredCount.objects.values_list("topic", flat=True)) == {"drugs", "other"}
    # The old model still counts the expired forwards.
    rows = {r.code: r for r in services.comparison(now.year)}
    assert rows["GM0344"].tips == 2


def test_statistics_by_topic_recipient_and_feedback_rate(
    recipients: dict[str, Any], operator: Position, client_for: Callable[..., Client]
) -> None:
    tips = _forward_drugs("GM0344", operator, n=2)
    services.submit_tip(answers={"what": "Zwart geld."}, topic="tax")
    services.record_feedback(
        Delivery.objects.get(tip=tips[0], recipient=recipients["utrecht"]), "Ok.", operator.user
    )
    stats = selectors.statistics("month")
    assert sum(stats.received.values()) == 3 and sum(stats.forwarded.values()) == 2
    assert stats.received_by_topic == {"drugs": 2, "tax": 1}
    rates = {name: (n, fb) for name, n, fb, _rate in stats.feedback_rates}
    assert rates["Gemeente Utrecht"] == (2, 1)
    assert rates[recipients["police"].name] == (2, 0)
    page = client_for(Role.TIPLINE_OPERATOR).get("/tips/statistiek/?periode=quarter")
    assert page.status_code == 200 and "50%" in page.content.decode()


def test_expire_command(db: Any) -> None:
    from django.core.management import call_command

    out = io.StringIO()
    call_command("tips", "expire", "--dry-run", stdout=out)
    assert "would delete 0 tips" in out.getvalue()
