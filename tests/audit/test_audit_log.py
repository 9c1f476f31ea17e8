from __future__ import annotations

from collections.abc import Callable
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse

from regie.audit.models import AuditEntry
from regie.audit.services import audit_log, audit_verify, install_append_only_triggers
from regie.organisation.models import Position
from regie.organisation.roles import Role

pytestmark = pytest.mark.django_db


def test_viewing_a_person_writes_an_entry(
    client_for: Callable[..., Client], make_staff: Callable[..., Position]
) -> None:
    chief = client_for(Role.TEAM_CHIEF)
    colleague = make_staff(Role.INVESTIGATOR)
    response = chief.get(reverse("organisation:staff_detail", args=[colleague.pk]))
    assert response.status_code == 200
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry is not None
    assert entry.action == "view"
    assert entry.object_type == "organisation.position"
    assert entry.object_id == str(colleague.pk)
    assert entry.actor_username == chief.position.user.username  # type: ignore[attr-defined]
    assert entry.actor_role == "team_chief"
    assert entry.purpose == "wpg8"
    assert entry.actor_base_team_code == chief.position.base_team.code  # type: ignore[attr-defined]


def test_refused_view_is_audited_as_denied(
    client_for: Callable[..., Client], make_staff: Callable[..., Position], other_team
) -> None:  # type: ignore[no-untyped-def]
    chief = client_for(Role.TEAM_CHIEF)
    stranger = make_staff(Role.INVESTIGATOR, at=other_team)
    response = chief.get(reverse("organisation:staff_detail", args=[stranger.pk]))
    assert response.status_code == 403
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry is not None and entry.action == "denied" and entry.outcome == "denied"


def test_chain_is_consecutive_and_verifies() -> None:
    for i in range(5):
        audit_log(actor=None, action="view", object_type="test", object_id=i)
    result = audit_verify()
    assert result.ok, result.breaks
    seqs = list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))


def test_application_cannot_update_or_delete() -> None:
    entry = audit_log(actor=None, action="view", object_type="test", object_id=1)
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).update(object_id="x")
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()


def test_database_refuses_update_and_delete() -> None:
    entry = audit_log(actor=None, action="view", object_type="test", object_id=1)
    table = AuditEntry._meta.db_table
    for sql in (
        f"UPDATE {table} SET object_id = 'x' WHERE id = %s",
        f"DELETE FROM {table} WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql, [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).object_id == "1"


def _drop_triggers() -> None:
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(f"DROP TRIGGER regie_audit_no_change ON {AuditEntry._meta.db_table}")
        else:
            cur.execute("DROP TRIGGER regie_audit_no_update")
            cur.execute("DROP TRIGGER regie_audit_no_delete")


def test_verify_command_detects_an_edited_row() -> None:
    for i in range(3):
        audit_log(actor=None, action="view", object_type="test", object_id=i)
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    assert "intact" in out.getvalue()
    target = AuditEntry.objects.order_by("-seq")[1]
    # Someone with direct database access disables the trigger and edits a row.
    _drop_triggers()
    try:
        with connection.cursor() as cur:
            cur.execute(
                f"UPDATE {AuditEntry._meta.db_table} SET actor_username = 'nobody' WHERE id = %s",
                [target.pk],
            )
        err = StringIO()
        with pytest.raises(CommandError, match="BROKEN"):
            call_command("audit", "verify", stdout=StringIO(), stderr=err)
        assert f"entry {target.seq}: content does not match" in err.getvalue()
    finally:
        install_append_only_triggers()


def test_verify_detects_a_deleted_newest_row() -> None:
    for i in range(3):
        audit_log(actor=None, action="view", object_type="test", object_id=i)
    newest = AuditEntry.objects.order_by("-seq").first()
    assert newest is not None
    _drop_triggers()
    try:
        with connection.cursor() as cur:
            cur.execute(f"DELETE FROM {AuditEntry._meta.db_table} WHERE id = %s", [newest.pk])
        assert not audit_verify().ok
    finally:
        install_append_only_triggers()


def test_bad_action_or_purpose_is_refused() -> None:
    before = AuditEntry.objects.count()
    with pytest.raises(ValueError, match="unknown audit action"):
        audit_log(actor=None, action="peek", object_type="x")
    with pytest.raises(ValueError, match="unknown purpose"):
        audit_log(actor=None, action="view", object_type="x", purpose="art99")
    assert AuditEntry.objects.count() == before


def test_admin_search_and_export(client_for: Callable[..., Client]) -> None:
    admin = client_for(Role.ADMINISTRATOR)
    audit_log(actor=None, action="view", object_type="needle.thing", object_id="42")
    page = admin.get(reverse("audit:search"), {"object_type": "needle.thing"})
    assert page.status_code == 200
    assert b"needle.thing" in page.content
    export = admin.get(reverse("audit:export"), {"object_type": "needle.thing"})
    assert export.status_code == 200
    body = b"".join(export.streaming_content).decode()  # type: ignore[attr-defined]
    lines = body.strip().splitlines()
    assert lines[0].startswith("seq,at,actor_username")
    assert len(lines) == 2 and "needle.thing" in lines[1]
    last = AuditEntry.objects.order_by("-seq").first()
    assert last is not None and last.action == "export"


def test_audit_search_rejects_bad_dates(client_for: Callable[..., Client]) -> None:
    admin = client_for(Role.ADMINISTRATOR)
    r = admin.get(reverse("audit:search"), {"date_from": "2026-02-30"})
    assert r.status_code == 400
    assert "geldige datum" in r.content.decode()
    r = admin.get(reverse("audit:search"), {"date_from": "2026-03-02", "date_to": "2026-03-01"})
    assert r.status_code == 400
    assert "De einddatum ligt vóór de begindatum" in r.content.decode()
    api = admin.get(reverse("api-audit"), {"date_from": "gisteren"})
    assert api.status_code == 400
    assert api["Content-Type"] == "application/problem+json"
    assert "date_from" in api.json()["errors"]


def test_integrity_officer_sees_only_own_unit(
    client_for: Callable[..., Client], make_staff: Callable[..., Position], other_team
) -> None:  # type: ignore[no-untyped-def]
    officer = client_for(Role.INTEGRITY_OFFICER)
    inside = make_staff(Role.TEAM_CHIEF)
    outside = make_staff(Role.TEAM_CHIEF, at=other_team)
    audit_log(actor=inside.user, action="view", object_type="probe", object_id="in")
    audit_log(actor=outside.user, action="view", object_type="probe", object_id="out")
    data = officer.get(reverse("api-audit"), {"object_type": "probe"}).json()
    assert [e["object_id"] for e in data["results"]] == ["in"]


def test_detail_values_round_trip_exactly() -> None:
    """jsonb normalises floats (-0.0, 1e16); details are stored as plain JSON so verify
    never reports an untouched row."""
    import datetime as dt

    audit_log(
        actor=None,
        action="view",
        object_type="t",
        detail={
            "neg": -0.0,
            "big": 1e16,
            "when": dt.date(2026, 1, 2),
            "ids": {3, 1},
            "naam": "Zoë van der Meer",
            "n": 2**40,
        },
    )
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry is not None
    assert entry.detail["ids"] == [1, 3] and entry.detail["when"] == "2026-01-02"
    assert audit_verify().ok


def test_chain_head_exists_after_migrate() -> None:
    from regie.audit.models import AuditChainHead

    assert AuditChainHead.objects.filter(pk=1).exists()


def test_verify_ignores_entries_after_the_head_it_read() -> None:
    from regie.audit.services import _entries_in_order

    for i in range(3):
        audit_log(actor=None, action="view", object_type="t", object_id=i)
    last = AuditEntry.objects.order_by("-seq").first()
    assert last is not None
    assert [f["seq"] for f, _, _ in _entries_in_order(last.seq - 1)][-1] == last.seq - 1


def test_municipality_recipient_actions_carry_their_unit(
    make_staff: Callable[..., Position],
) -> None:
    recipient = make_staff(Role.MUNICIPALITY_RECIPIENT)
    entry = audit_log(actor=recipient.user, action="view", object_type="t")
    assert entry.actor_unit_code == recipient.municipality.unit.code  # type: ignore[union-attr]
