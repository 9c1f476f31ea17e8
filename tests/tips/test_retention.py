from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from regie.tips.retention import (
    RetentionPolicy,
    TipFacts,
    count_tips,
    expiry_date,
    is_expired,
    period_of,
)

RECEIVED = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)


def test_expiry_dates() -> None:
    forwarded = RECEIVED + timedelta(days=2)
    closed = RECEIVED + timedelta(days=30)
    assert expiry_date(RECEIVED) == RECEIVED + timedelta(days=365)
    assert expiry_date(RECEIVED, forwarded_at=forwarded) == forwarded + timedelta(days=90)
    assert expiry_date(RECEIVED, forwarded_at=forwarded, closed_at=closed) == closed + timedelta(
        days=90
    )
    policy = RetentionPolicy(after_forwarding=timedelta(days=30), after_closure=timedelta(days=7))
    assert expiry_date(RECEIVED, forwarded_at=forwarded, policy=policy) == forwarded + timedelta(
        days=30
    )
    assert expiry_date(RECEIVED, closed_at=closed, policy=policy) == closed + timedelta(days=7)
    expires = expiry_date(RECEIVED, closed_at=closed)
    assert not is_expired(expires, expires - timedelta(seconds=1))
    assert is_expired(expires, expires)


def test_periods() -> None:
    day = date(2024, 11, 5)
    assert period_of(day, "month") == "2024-11"
    assert period_of(day, "quarter") == "2024-Q4"
    assert period_of(day, "year") == "2024"


def test_counts_only() -> None:
    tips = [
        TipFacts(date(2024, 1, 5), "drugs", ("re09", "gm0344")),
        TipFacts(date(2024, 1, 20), "drugs", ("re09",)),
        TipFacts(date(2024, 2, 1), "fraude", ("fiod", "fiod")),
        TipFacts(date(2024, 4, 1), "wapens", ()),
    ]
    counts = count_tips(tips, period="quarter")
    assert counts.total == 4
    assert counts.by_period == {"2024-Q1": 3, "2024-Q2": 1}
    assert counts.by_topic == {"drugs": 2, "fraude": 1, "wapens": 1}
    assert counts.by_recipient == {"re09": 2, "gm0344": 1, "fiod": 1}
    assert counts.by_period_topic[("2024-Q1", "drugs")] == 2
    assert counts.by_period_recipient[("2024-Q1", "fiod")] == 1
    small = counts.suppressed(below=2)
    assert small.total == 4
    assert small.by_topic == {"drugs": 2}
    assert small.by_recipient == {"re09": 2}
