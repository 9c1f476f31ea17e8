"""Keeping the summary tables current: mark changed partitions, refresh them (ADR 0012).

A *partition* is (reporting month in Europe/Amsterdam, base-team code of the registration's
place; ``""`` when not placed). Whatever changes the counts of a partition marks it in the
same transaction (:func:`mark_registrations`, :func:`mark_cases`; receivers.py wires them to
the registration and selection signals). :func:`refresh` recomputes the marked partitions
from their source rows with the pure measures (:mod:`regie.statistics.summary`) and replaces
their summary rows in one transaction; a partition is recomputed whole, so a refresh is
idempotent and never drifts. ``regie statistics refresh`` runs it once or every N seconds.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from django.db import connection, transaction
from django.db.models import Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from regie.registration.models import Channel, Offence, Registration
from regie.statistics import counting, funnel, summary
from regie.statistics.models import CaseCount, DirtyPartition, OffenceCount, SummaryRefresh

logger = logging.getLogger(__name__)

Partition = tuple[dt.date, str]

#: Offence counts per category and case counts per category and offence class for the whole
#: country (summed from the ``category`` rows after each write: a national page by category
#: would otherwise sum tens of thousands of rows a month).
NATIONAL_GRAIN = "nl_cat"
#: The PostgreSQL advisory-lock class of the national rows (the second key is the month).
NATIONAL_LOCK = 5_161_222

#: Partitions recomputed together (one read of their source rows, one write).
BATCH_PARTITIONS = 400


def month_of(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date().replace(day=1)


def _month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    nxt = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return (
        dt.datetime.combine(month, dt.time.min, tzinfo=tz),
        dt.datetime.combine(nxt, dt.time.min, tzinfo=tz),
    )


# --------------------------------------------------------------------------------------------
# Marking


def mark(partitions: Iterable[Partition]) -> int:
    """Mark ``partitions`` changed (a new token on an existing mark). Returns how many."""
    now = timezone.now()
    marks = [
        DirtyPartition(month=month, base_team=team or "", token=uuid.uuid4(), marked_at=now)
        for month, team in sorted(set(partitions))
    ]
    if marks:
        DirtyPartition.objects.bulk_create(
            marks,
            update_conflicts=True,
            unique_fields=["month", "base_team"],
            update_fields=["token", "marked_at"],
        )
    return len(marks)


def mark_registrations(ids: Sequence[int]) -> int:
    """Mark the partitions of the registrations ``ids`` (new, changed or about to go)."""
    rows = Registration.objects.filter(pk__in=list(ids)).values_list(
        "reported_at", "base_team__code"
    )
    return mark((month_of(at), team or "") for at, team in rows)


def mark_cases(ids: Sequence[int]) -> int:
    """Mark the partitions of the cases ``ids`` (a move, a review)."""
    from regie.selection.models import Case

    rows = Case.objects.filter(pk__in=list(ids)).values_list(
        "registration__reported_at", "registration__base_team__code"
    )
    return mark((month_of(at), team or "") for at, team in rows)


def mark_all() -> int:
    """Mark every partition that has registrations (for a full rebuild)."""
    rows = (
        Registration.objects.annotate(m=TruncMonth("reported_at"))
        .values_list("m", "base_team__code")
        .distinct()
    )
    return mark(
        (m.date() if isinstance(m, dt.datetime) else m, team or "") for m, team in rows.iterator()
    )


# --------------------------------------------------------------------------------------------
# Reading the source rows of partitions


def _registrations_of(partitions: Sequence[Partition]) -> Q:
    """A Q over registrations (prefix-free) in ``partitions``."""
    teams_by_month: dict[dt.date, set[str]] = defaultdict(set)
    for month, team in partitions:
        teams_by_month[month].add(team)
    q = Q(pk__in=[])
    for month, teams in teams_by_month.items():
        lo, hi = _month_bounds(month)
        placed = sorted(t for t in teams if t)
        team_q = Q(base_team__code__in=placed) if placed else Q(pk__in=[])
        if "" in teams:
            team_q |= Q(base_team__isnull=True)
        q |= Q(reported_at__gte=lo, reported_at__lt=hi) & team_q
    return q


_UTC = pl.Datetime("us", "UTC")


def _frame(rows: list[tuple[Any, ...]], schema: dict[str, Any]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=schema, orient="row")


def offence_rows(regs: Any) -> pl.DataFrame:
    """The offence frame (with ``online`` and ``confidentiality``) of registrations ``regs``."""
    rows = list(
        Offence.objects.filter(registration__in=regs)
        .values_list(
            "registration_id",
            "seq",
            "category__code",
            "category__seriousness_rank",
            "registration__reported_at",
            "registration__base_team__district__unit__code",
            "registration__base_team__district__code",
            "registration__base_team__code",
            "registration__municipality__code",
            "registration__neighbourhood__code",
            "registration__channel",
            "registration__confidentiality",
        )
        .iterator(chunk_size=20_000)
    )
    schema = {
        **{n: (_UTC if n == "reported_at" else t) for n, t in counting.OFFENCE_SCHEMA.items()},
        "channel": pl.String(),
        "confidentiality": pl.Int64(),
    }
    df = _frame(rows, schema)
    return df.with_columns((pl.col("channel") == Channel.INTERNET.value).alias("online")).drop(
        "channel"
    )


def case_rows(regs: Any) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """The case, event and review frames of the cases of registrations ``regs`` (the region
    columns are the registration's, like the offences')."""
    from regie.selection.models import Case, CaseEvent, QualityReview

    cases = Case.objects.filter(registration__in=regs)
    case_list = list(
        cases.values_list(
            "pk",
            "reported_at",
            "category__code",
            "offence_class",
            "offence_group",
            "state",
            "registration__base_team__district__unit__code",
            "registration__base_team__district__code",
            "registration__base_team__code",
            "registration__municipality__code",
            "registration__neighbourhood__code",
            "registration__confidentiality",
        ).iterator(chunk_size=20_000)
    )
    events = list(
        CaseEvent.objects.filter(case__in=cases)
        .values_list(
            "case_id",
            "seq",
            "action",
            "from_state",
            "to_state",
            "at",
            "actor_role",
            "reason",
            "follows_advice",
        )
        .iterator(chunk_size=20_000)
    )
    reviews = list(
        QualityReview.objects.filter(event__case__in=cases)
        .values_list("event__case_id", "correct")
        .iterator(chunk_size=20_000)
    )
    case_schema = {
        **{n: (_UTC if n == "reported_at" else t) for n, t in funnel.CASE_SCHEMA.items()},
        "confidentiality": pl.Int64(),
    }
    event_schema = {
        **{n: (_UTC if n == "at" else t) for n, t in funnel.EVENT_SCHEMA.items()},
        "follows_advice": pl.Boolean(),
    }
    return (
        _frame(case_list, case_schema),
        _frame(events, event_schema),
        _frame(reviews, dict(funnel.REVIEW_SCHEMA)),
    )


def summary_rows(partitions: Sequence[Partition]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The offence and case summary rows of ``partitions``, from their source rows."""
    regs = Registration.objects.filter(_registrations_of(partitions))
    offences = summary.offence_rollup(counting.offence_measures(offence_rows(regs)))
    cases, events, reviews = case_rows(regs)
    case_sums = summary.case_rollup(funnel.case_measures(cases, events, reviews))
    return offences, case_sums


# --------------------------------------------------------------------------------------------
# Refreshing


@dataclass
class RefreshReport:
    partitions: int = 0
    offence_rows: int = 0
    case_rows: int = 0
    failed: list[str] = field(default_factory=list)
    seconds: float = 0.0


def _partition_q(partitions: Sequence[Partition]) -> Q:
    by_month: dict[dt.date, list[str]] = defaultdict(list)
    for month, team in partitions:
        by_month[month].append(team)
    q = Q(pk__in=[])
    for month, teams in by_month.items():
        q |= Q(month=month, base_team__in=teams)
    return q


def _insert(model: Any, rows: pl.DataFrame) -> None:
    """Insert summary rows fast: COPY on PostgreSQL, one executemany on SQLite (the ORM's
    per-object path costs more than the whole computation)."""
    if rows.is_empty():
        return
    columns = [f.column for f in model._meta.concrete_fields if f.column in rows.columns]
    quote = connection.ops.quote_name
    table, names = quote(model._meta.db_table), ", ".join(quote(c) for c in columns)
    data = rows.select(columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in data.iter_rows():
                    copy.write_row(row)
        else:
            data = data.with_columns(pl.col(pl.Date).dt.to_string("%Y-%m-%d"))
            marks = ", ".join(["%s"] * len(columns))
            sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608 (model names)
            cursor.executemany(sql, data.rows())


def _take_marks(tokens: dict[Partition, uuid.UUID]) -> set[Partition]:
    """Delete the marks that still carry the token this refresh read, and return their
    partitions: only those may be written. A mark whose token changed (a change committed
    after the read) or that is gone (another refresher wrote the partition, from newer
    data) is left alone. The DELETE row-locks the marks (PostgreSQL) or takes the database's
    write lock (SQLite) first, so two refreshers never both write a partition."""
    token_field = DirtyPartition._meta.get_field("token")
    taken: set[Partition] = set()
    items = list(tokens.items())
    for i in range(0, len(items), 200):
        chunk = items[i : i + 200]
        where = " OR ".join(["(month = %s AND base_team = %s AND token = %s)"] * len(chunk))
        params: list[Any] = []
        for (month, team), token in chunk:
            params += [month, team, token_field.get_db_prep_value(token, connection)]
        table = connection.ops.quote_name(DirtyPartition._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {table} WHERE {where} RETURNING month, base_team",  # noqa: S608
                params,
            )
            for month, team in cursor.fetchall():
                if isinstance(month, str):  # SQLite returns the date as text
                    month = dt.date.fromisoformat(month)
                taken.add((month, team))
    return taken


def _only(rows: pl.DataFrame, partitions: set[Partition]) -> pl.DataFrame:
    if rows.is_empty():
        return rows
    keep = pl.DataFrame(
        {"month": [m for m, _ in partitions], "base_team": [t for _, t in partitions]},
        schema={"month": pl.Date(), "base_team": pl.String()},
    )
    return rows.join(keep, on=["month", "base_team"], how="semi")


def _write(tokens: dict[Partition, uuid.UUID], offences: pl.DataFrame, cases: pl.DataFrame) -> int:
    """Replace the summary rows of the partitions this refresh still owns; returns how many."""
    with transaction.atomic():
        owned = _take_marks(tokens)
        if owned:
            q = _partition_q(sorted(owned))
            OffenceCount.objects.filter(q).exclude(grain=NATIONAL_GRAIN).delete()
            CaseCount.objects.filter(q).exclude(grain=NATIONAL_GRAIN).delete()
            _insert(OffenceCount, _only(offences, owned))
            _insert(CaseCount, _only(cases, owned))
            _recompute_national(sorted({month for month, _ in owned}))
    return len(owned)


def _recompute_national(months: Sequence[dt.date]) -> None:
    """The national offence counts per category of ``months``, summed in SQL from their
    ``category`` rows (which span every partition of the month, so they cannot be replaced
    per partition). One writer per month at a time (PostgreSQL advisory lock, taken in month
    order; SQLite has one writer anyway), and the sum reads what is committed after the lock."""
    quote = connection.ops.quote_name
    plans: list[tuple[Any, tuple[str, ...], tuple[str, ...]]] = [
        (OffenceCount, counting.OFFENCE_MEASURES, ("category_code",)),
        (CaseCount, funnel.CASE_MEASURES, ("category_code", "offence_class")),
    ]
    with connection.cursor() as cursor:
        for month in months:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT pg_advisory_xact_lock(%s, %s)",
                    [NATIONAL_LOCK, month.year * 100 + month.month],
                )
            for model, measure_names, keys in plans:
                table = quote(model._meta.db_table)
                blank = [c for c in ("unit", "district", "base_team") if c not in keys]
                blank += [
                    f.column
                    for f in model._meta.concrete_fields
                    if f.column in ("municipality", "neighbourhood")
                ]
                measures = ", ".join(quote(m) for m in measure_names)
                sums = ", ".join(f"SUM({quote(m)})" for m in measure_names)
                key_list = ", ".join(keys)
                model.objects.filter(grain=NATIONAL_GRAIN, month=month).delete()
                cursor.execute(
                    f"INSERT INTO {table} (grain, month, confidentiality, "  # noqa: S608
                    f"{', '.join(blank)}, {key_list}, {measures}) "
                    f"SELECT %s, month, confidentiality, {', '.join(["''"] * len(blank))}, "
                    f"{key_list}, {sums} FROM {table} WHERE grain = %s AND month = %s "
                    f"GROUP BY month, confidentiality, {key_list}",
                    [NATIONAL_GRAIN, "category", month.isoformat()],
                )


def _refresh_batch(batch: list[tuple[Partition, uuid.UUID]], report: RefreshReport) -> None:
    partitions = [p for p, _ in batch]
    try:
        offences, cases = summary_rows(partitions)
    except ValueError:
        if len(batch) == 1:
            # A case history that breaks the flow: say so, keep the mark, go on.
            (month, team), _ = batch[0]
            logger.exception("summary refresh: partition %s %s skipped", month, team or "-")
            report.failed.append(f"{month:%Y-%m} {team or '-'}")
            return
        for one in batch:
            _refresh_batch([one], report)
        return
    report.partitions += _write(dict(batch), offences, cases)
    report.offence_rows += offences.height
    report.case_rows += cases.height


def refresh(*, limit: int | None = None, full: bool = False) -> RefreshReport:
    """Recompute the marked partitions (at most ``limit``); ``full`` first drops every
    summary row and marks every partition (the dashboards are incomplete until it ends)."""
    started = timezone.now()
    clock = time.monotonic()
    if full:
        with transaction.atomic():
            OffenceCount.objects.all().delete()
            CaseCount.objects.all().delete()
            mark_all()
    # Newest marks first: a partition that keeps failing (kept marked) does not hold up the rest.
    marks = DirtyPartition.objects.order_by("-marked_at", "month", "base_team").values_list(
        "month", "base_team", "token"
    )
    pending = [((m, t), token) for m, t, token in (marks[:limit] if limit else marks)]
    report = RefreshReport()
    for i in range(0, len(pending), BATCH_PARTITIONS):
        _refresh_batch(pending[i : i + BATCH_PARTITIONS], report)
    report.seconds = time.monotonic() - clock
    if pending:
        SummaryRefresh.objects.create(
            started_at=started,
            finished_at=timezone.now(),
            partitions=report.partitions,
            offence_rows=report.offence_rows,
            case_rows=report.case_rows,
            full=full,
        )
    return report


def status() -> dict[str, Any]:
    """What the pages show: the last refresh and how many partitions wait."""
    last = SummaryRefresh.objects.first()
    return {
        "refreshed_at": last.finished_at if last else None,
        "pending": DirtyPartition.objects.count(),
    }


# --------------------------------------------------------------------------------------------
# Registration quality: the misclassification detector's review list


def quality_samples(start: dt.date, end: dt.date) -> list[Any]:
    """What the detector sees of each registration reported from ``start`` to ``end``
    (inclusive, Amsterdam dates) with an offence; the label is its first offence's category."""
    from regie.registration.models import Involvement
    from regie.statistics.quality import QualitySample

    tz = timezone.get_current_timezone()
    lo = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    rows = (
        Offence.objects.filter(
            seq=1, registration__reported_at__gte=lo, registration__reported_at__lt=hi
        )
        .order_by("registration_id")
        .values_list(
            "registration_id",
            "category__code",
            "registration__narrative",
            "registration__channel",
            "registration__kind",
            "registration__damage_amount",
        )
    )
    goods: dict[int, set[str]] = defaultdict(set)
    roles: dict[int, set[str]] = defaultdict(set)
    involved = Involvement.objects.filter(
        registration__reported_at__gte=lo, registration__reported_at__lt=hi
    ).values_list("registration_id", "role", "good__kind")
    for reg, role, kind in involved.iterator(chunk_size=20_000):
        roles[reg].add(role)
        if kind:
            goods[reg].add(kind)
    return [
        QualitySample(
            key=str(reg),
            narrative=narrative or "",
            channel=channel,
            kind=kind,
            damage=damage,
            goods_kinds=tuple(sorted(goods[reg])),
            roles=tuple(sorted(roles[reg])),
            category_code=code,
        )
        for reg, code, narrative, channel, kind, damage in rows.iterator(chunk_size=20_000)
    ]


def run_quality_check(
    *, actor: Any, start: dt.date, end: dt.date, folds: int = 5, seed: int = 0
) -> Any:
    """Judge every registration of the period out of fold (``quality.cross_flags``) and put
    the disagreements on the review list. Open flags of the same registrations are replaced;
    a registration a reviewer already judged for its current code is not flagged again.
    ValueError (Dutch) when the period holds too little to learn from."""
    from regie.audit.models import Action as AuditAction
    from regie.audit.services import audit_log
    from regie.statistics import quality
    from regie.statistics.models import ClassificationFlag, FlagStatus, QualityCheck

    started = timezone.now()
    samples = quality_samples(start, end)
    if len(samples) < 50:
        raise ValueError(
            f"Te weinig registraties in {start:%d-%m-%Y} t/m {end:%d-%m-%Y} "
            f"({len(samples)}; minstens 50) om de classificatie te toetsen."
        )
    flags = quality.cross_flags(samples, k=folds, seed=seed)
    with transaction.atomic():
        # Read under the write lock of the replace below: a judgment made meanwhile counts.
        ClassificationFlag.objects.filter(
            status=FlagStatus.OPEN, registration_id__in=[int(s.key) for s in samples]
        ).delete()
        judged = set(
            ClassificationFlag.objects.exclude(status=FlagStatus.OPEN)
            .filter(registration_id__in=[int(f.key) for f in flags])
            .values_list("registration_id", "registered_code")
        )
        flags = [f for f in flags if (int(f.key), f.registered) not in judged]
        run = QualityCheck.objects.create(
            started_at=started,
            finished_at=timezone.now(),
            period_start=start,
            period_end=end,
            registrations=len(samples),
            flagged=len(flags),
            folds=folds,
            actor=actor,
        )
        ClassificationFlag.objects.bulk_create(
            ClassificationFlag(
                check_run=run,
                registration_id=int(f.key),
                registered_code=f.registered,
                suggested_code=f.suggested,
                p_registered=f.p_registered,
                p_suggested=f.p_suggested,
                explanation=[list(e) for e in f.explanation],
            )
            for f in flags
        )
        audit_log(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="statistics.qualitycheck",
            object_id=run.pk,
            detail={"registrations": len(samples), "flagged": len(flags), "folds": folds},
        )
    return run


def review_flag(*, actor: Any, flag_id: int, status: str, note: str) -> Any:
    """A reviewer's judgment of one open flag (within their scope). ValueError (Dutch) for a
    flag that is not open, not visible to them, or a judgment without a reason."""
    from regie.audit.models import Action as AuditAction
    from regie.audit.services import audit_log
    from regie.organisation.access import registrations_visible_to
    from regie.statistics.models import ClassificationFlag, FlagStatus

    if status not in (FlagStatus.CONFIRMED, FlagStatus.DISMISSED):
        raise ValueError("Kies 'terecht' of 'onterecht'.")
    note = note.strip()
    if "\x00" in note:
        raise ValueError("De toelichting bevat een ongeldig teken.")
    if status == FlagStatus.DISMISSED and not note:
        raise ValueError("Geef kort aan waarom de classificatie wel klopt.")
    if len(note) > 2000:
        raise ValueError("De toelichting is te lang (hoogstens 2000 tekens).")
    visible = registrations_visible_to(actor, Registration.objects.all())
    with transaction.atomic():
        flag = (
            ClassificationFlag.objects.select_for_update(of=("self",))
            .filter(pk=flag_id, registration__in=visible)
            .first()
        )
        if flag is None:
            raise ValueError("Deze markering bestaat niet of valt buiten uw werkgebied.")
        if flag.status != FlagStatus.OPEN:
            raise ValueError("Deze markering is al beoordeeld.")
        flag.status = status
        flag.note = note
        flag.reviewer = actor
        flag.reviewed_at = timezone.now()
        flag.save(update_fields=["status", "note", "reviewer", "reviewed_at"])
        audit_log(
            actor=actor,
            action=AuditAction.CHANGE,
            object_type="statistics.classificationflag",
            object_id=flag.pk,
            detail={"registration": flag.registration_id, "status": status},
        )
    return flag
