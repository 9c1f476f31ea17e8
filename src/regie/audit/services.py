"""The one door for writing the audit log."""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import connection, transaction

from regie.audit.chain import GENESIS, VerifyResult, entry_hash, verify_chain
from regie.audit.models import Action, AuditChainHead, AuditEntry, Outcome, Purpose


def _actor_fields(actor: AbstractBaseUser | AnonymousUser | None) -> dict[str, Any]:
    if actor is None or not actor.is_authenticated:
        return {
            "actor_id": None,
            "actor_username": "(system)" if actor is None else "(anonymous)",
            "actor_role": "",
            "actor_base_team_code": "",
            "actor_unit_code": "",
        }
    position = getattr(actor, "position", None)
    team = getattr(position, "base_team", None) if position else None
    unit_code = ""
    if position is not None:
        if team is not None:
            unit_code = team.district.unit.code
        elif position.district_id:
            unit_code = position.district.unit.code
        elif position.unit_id:
            unit_code = position.unit.code
        elif position.municipality_id:
            unit_code = position.municipality.unit.code
    return {
        "actor_id": actor.pk,
        "actor_username": actor.get_username(),
        "actor_role": position.role if position else "",
        "actor_base_team_code": team.code if team else "",
        "actor_unit_code": unit_code,
    }


def _plain(value: Any) -> Any:
    """Detail values as JSON that round-trips exactly through SQLite and PostgreSQL (jsonb
    normalises floats such as -0.0 and 1e16): floats, dates and other scalars become text."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else value
        return [_plain(v) for v in items]
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return value
    return str(value)


def default_purpose(actor: AbstractBaseUser | AnonymousUser | None) -> str:
    from regie.organisation.roles import ROLE_PURPOSE, Role

    position = getattr(actor, "position", None) if actor is not None else None
    if position is None:
        return Purpose.WPG13
    return ROLE_PURPOSE.get(Role(position.role), Purpose.WPG13)


def audit_log(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    action: Action | str,
    object_type: str,
    object_id: str | int = "",
    purpose: Purpose | str | None = None,
    outcome: Outcome | str = Outcome.SUCCESS,
    detail: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry. Runs in its own (nested) transaction and locks the chain head, so
    concurrent writers get consecutive sequence numbers and a single unbroken chain."""
    fields: dict[str, Any] = {
        **_actor_fields(actor),
        "action": str(action),
        "object_type": object_type,
        "object_id": str(object_id),
        "purpose": str(purpose or default_purpose(actor)),
        "outcome": str(outcome),
        "detail": _plain(dict(detail or {})),
    }
    if fields["action"] not in Action.values:
        raise ValueError(f"unknown audit action {fields['action']!r}")
    if fields["purpose"] not in Purpose.values:
        raise ValueError(f"unknown purpose {fields['purpose']!r}")
    buffer = _BATCH.get()
    if buffer is not None:
        buffer.append(fields)
        return AuditEntry(
            **{k: v for k, v in fields.items() if k != "detail"}, detail=fields["detail"]
        )
    return _append([fields])[0]


_BATCH: contextvars.ContextVar[list[dict[str, Any]] | None] = contextvars.ContextVar(
    "regie_audit_batch", default=None
)


@contextlib.contextmanager
def audit_batch() -> Iterator[None]:
    """Collect the audit entries of a unit of work and append them together at its end.

    Use inside the transaction of the work: the entries commit (or roll back) with it, and
    the chain head is locked only for the final append instead of from the first entry on,
    so concurrent intake does not queue on the audit log.
    """
    if _BATCH.get() is not None:  # nested: the outer batch writes
        yield
        return
    token = _BATCH.set([])
    try:
        yield
        pending = _BATCH.get() or []
    finally:
        _BATCH.reset(token)
    if pending:
        _append(pending)


def _append(items: list[dict[str, Any]]) -> list[AuditEntry]:
    """Append entries under the chain-head lock, consecutive and chained."""
    # Inside a unit of work no savepoint of its own: a failing append fails the work.
    with transaction.atomic(savepoint=False):
        # The UPDATE takes the row lock (PostgreSQL) / write lock (SQLite) and reads the head
        # in the same statement.
        table = connection.ops.quote_name(AuditChainHead._meta.db_table)
        with connection.cursor() as cur:
            cur.execute(
                f"UPDATE {table} SET seq = seq + %s WHERE id = 1 RETURNING seq, hash",  # noqa: S608
                [len(items)],
            )
            row = cur.fetchone()
        if row is None:
            head = AuditChainHead.objects.create(pk=1, seq=len(items), hash=GENESIS)
        else:
            head = AuditChainHead(pk=1, seq=row[0], hash=row[1])
        prev = head.hash  # still the previous entry's hash: only seq was bumped
        now = dt.datetime.now(tz=dt.UTC)
        entries = []
        for n, fields in enumerate(items):
            fields["seq"] = head.seq - len(items) + 1 + n
            fields["at"] = now.isoformat()
            digest = entry_hash(prev, fields)
            entries.append(
                AuditEntry(
                    seq=fields["seq"],
                    at=now,
                    actor_id=fields["actor_id"],
                    actor_username=fields["actor_username"],
                    actor_role=fields["actor_role"],
                    actor_base_team_code=fields["actor_base_team_code"],
                    actor_unit_code=fields["actor_unit_code"],
                    action=fields["action"],
                    object_type=fields["object_type"],
                    object_id=fields["object_id"],
                    purpose=fields["purpose"],
                    outcome=fields["outcome"],
                    detail=fields["detail"],
                    prev_hash=prev,
                    hash=digest,
                )
            )
            prev = digest
        AuditEntry.objects.bulk_create(entries)
        AuditChainHead.objects.filter(pk=1).update(hash=prev)
    return entries


def entry_fields(e: AuditEntry) -> dict[str, Any]:
    at = e.at.astimezone(dt.UTC).isoformat()
    return {
        "seq": e.seq,
        "at": at,
        "actor_id": e.actor_id,
        "actor_username": e.actor_username,
        "actor_role": e.actor_role,
        "actor_base_team_code": e.actor_base_team_code,
        "actor_unit_code": e.actor_unit_code,
        "action": e.action,
        "object_type": e.object_type,
        "object_id": e.object_id,
        "purpose": e.purpose,
        "outcome": e.outcome,
        "detail": e.detail,
    }


def _entries_in_order(up_to: int) -> Iterator[tuple[dict[str, Any], str, str]]:
    # Only up to the head read before: entries appended meanwhile are not a break.
    for e in AuditEntry.objects.filter(seq__lte=up_to).order_by("seq").iterator(chunk_size=5000):
        yield entry_fields(e), e.prev_hash, e.hash


def audit_verify() -> VerifyResult:
    head = AuditChainHead.objects.filter(pk=1).first()
    head_tuple = (head.seq, head.hash) if head else (0, GENESIS)
    return verify_chain(_entries_in_order(head_tuple[0]), head=head_tuple)


def install_append_only_triggers() -> None:
    """(Re)create the database triggers refusing UPDATE/DELETE on the audit table."""
    table = AuditEntry._meta.db_table
    with connection.cursor() as cur:
        for sql in append_only_trigger_sql(connection.vendor, table):
            cur.execute(sql)


def append_only_trigger_sql(vendor: str, table: str) -> list[str]:
    """Triggers that refuse UPDATE, DELETE (and TRUNCATE) on the audit table.

    The only way around them is an explicit maintenance switch on one database session
    (PostgreSQL: ``SET regie.audit_maintenance = 'on'``; SQLite: the connection's
    ``regie_audit_locked()`` function, see :func:`set_audit_maintenance`). The test suite uses
    it to empty the database between transactional tests; the application never does.
    Anyone able to flip it could also drop the triggers; the hash chain still shows edits.
    """
    if vendor == "postgresql":
        return [
            """CREATE OR REPLACE FUNCTION regie_audit_append_only() RETURNS trigger AS $$
            BEGIN
              IF coalesce(current_setting('regie.audit_maintenance', true), '') = 'on' THEN
                RETURN NULL;
              END IF;
              RAISE EXCEPTION 'the audit log is append-only';
            END; $$ LANGUAGE plpgsql""",
            f"DROP TRIGGER IF EXISTS regie_audit_no_change ON {table}",
            f"""CREATE TRIGGER regie_audit_no_change BEFORE UPDATE OR DELETE OR TRUNCATE
            ON {table} FOR EACH STATEMENT EXECUTE FUNCTION regie_audit_append_only()""",
        ]
    if vendor == "sqlite":
        return [
            "DROP TRIGGER IF EXISTS regie_audit_no_update",
            f"""CREATE TRIGGER regie_audit_no_update BEFORE UPDATE ON {table}
            WHEN regie_audit_locked()
            BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
            "DROP TRIGGER IF EXISTS regie_audit_no_delete",
            f"""CREATE TRIGGER regie_audit_no_delete BEFORE DELETE ON {table}
            WHEN regie_audit_locked()
            BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
        ]
    return []


_MAINTENANCE: set[int] = set()


def register_sqlite_functions(sender: Any, connection: Any, **kwargs: Any) -> None:
    """``connection_created`` receiver: the function the SQLite triggers ask."""
    if connection.vendor != "sqlite":
        return
    raw = connection.connection
    raw.create_function("regie_audit_locked", 0, lambda: 0 if id(raw) in _MAINTENANCE else 1)


def set_audit_maintenance(on: bool) -> None:
    """Switch the maintenance escape for the current database session (tests only)."""
    connection.ensure_connection()
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(
                "SELECT set_config('regie.audit_maintenance', %s, false)", ["on" if on else "off"]
            )
    elif connection.vendor == "sqlite":
        raw_id = id(connection.connection)
        if on:
            _MAINTENANCE.add(raw_id)
        else:
            _MAINTENANCE.discard(raw_id)
