from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from regie.audit.models import AuditEntry
from regie.audit.retention import RetentionPolicy, policies, register, run_retention
from regie.organisation.models import LoginEvent

pytestmark = pytest.mark.django_db


def event(days_ago: int, *, username: str = "someone") -> LoginEvent:
    today = timezone.localdate()
    return LoginEvent.objects.create(
        username=username,
        succeeded=False,
        purpose="wpg13",
        retain_until=today - dt.timedelta(days=days_ago),
    )


def test_login_events_carry_a_term(client) -> None:  # type: ignore[no-untyped-def]
    client.post("/inloggen/", {"username": "ghost", "password": "x"})
    ev = LoginEvent.objects.get(username="ghost")
    assert ev.retain_until == timezone.localdate() + dt.timedelta(days=365)
    assert ev.purpose == "wpg13"


def test_dry_run_counts_and_changes_nothing() -> None:
    event(1), event(10), event(-5)
    before = AuditEntry.objects.count()
    out = StringIO()
    call_command("retention", "run", "--dry-run", stdout=out)
    assert "organisation.LoginEvent: 2 record(s) would be deleted" in out.getvalue()
    assert LoginEvent.objects.count() == 3
    assert AuditEntry.objects.count() == before


def test_run_removes_expired_and_audits_each() -> None:
    old1, old2, fresh = event(1), event(10), event(-5)
    call_command("retention", "run", stdout=StringIO())
    assert list(LoginEvent.objects.values_list("pk", flat=True)) == [fresh.pk]
    entries = AuditEntry.objects.filter(object_type="organisation.LoginEvent", action="delete")
    assert sorted(entries.values_list("object_id", flat=True)) == sorted(
        [str(old1.pk), str(old2.pk)]
    )
    assert all(e.detail["reason"] == "retention term expired" for e in entries)
    assert "someone" not in str([e.detail for e in entries])  # no personal data in the log


def test_anonymise_policy() -> None:
    def anonymise(ev: LoginEvent) -> None:
        ev.username = "(geanonimiseerd)"

    saved = dict((p.label, p) for p in policies())
    register(RetentionPolicy(model=LoginEvent, action="anonymise", anonymise=anonymise))
    try:
        ev = event(3, username="jan")
        report = run_retention(dry_run=False)
        ev.refresh_from_db()
        assert ev.username == "(geanonimiseerd)" and ev.retain_until == dt.date.max
        assert report.counts["organisation.LoginEvent"] == 1
        # Not processed again.
        assert run_retention(dry_run=False).counts["organisation.LoginEvent"] == 0
    finally:
        register(saved["organisation.LoginEvent"])


def test_anonymise_policy_needs_a_function() -> None:
    with pytest.raises(ValueError, match="needs an anonymise function"):
        register(RetentionPolicy(model=LoginEvent, action="anonymise"))
