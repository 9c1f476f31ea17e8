"""Writes for case linking: detection runs, decisions on proposed links, series and problems.
Every change is audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from regie.audit.models import Action, Purpose
from regie.audit.services import audit_log
from regie.intelligence import selectors
from regie.intelligence.linking.detect import Params, detect, series_of
from regie.intelligence.models import (
    LinkProposal,
    LinkStatus,
    Problem,
    ProblemMember,
    ProblemStatus,
    Series,
)
from regie.organisation.models import BaseTeam, Unit
from regie.registration.models import Offence, Registration


class IntelligenceError(ValueError):
    """Bad input for a linking or problem operation; nothing was changed."""


def run_detection(
    since: dt.datetime,
    *,
    until: dt.datetime | None = None,
    team_codes: list[str] | None = None,
    actor: Any = None,
    params: Params | None = None,
) -> dict[str, Any]:
    """(Re)run series detection over the registrations from ``since``. Idempotent: a pair
    found again keeps its row (an undecided one gets the new score and reasons), decided
    pairs are never touched, undecided pairs among these registrations that are no longer
    found are withdrawn. Then the series are rebuilt."""
    if team_codes:
        known = set(BaseTeam.objects.filter(code__in=team_codes).values_list("code", flat=True))
        unknown = sorted(set(team_codes) - known)
        if unknown:
            raise IntelligenceError(_("Onbekend basisteam: %s") % ", ".join(unknown))
    found = selectors.incidents(since, until=until, team_codes=team_codes)
    proposals = detect(found, params)
    ids = [inc.id for inc in found]
    now = timezone.now()
    created = updated = 0
    with transaction.atomic():
        lock_series()
        existing = {
            (p.a_id, p.b_id): p
            for p in LinkProposal.objects.filter(a_id__in=ids).filter(b_id__in=ids)
        }
        seen: set[tuple[int, int]] = set()
        new = []
        for p in proposals:
            seen.add((p.a, p.b))
            reasons = [r.as_dict() for r in p.reasons]
            row = existing.get((p.a, p.b))
            if row is None:
                new.append(
                    LinkProposal(
                        a_id=p.a, b_id=p.b, score=p.score, reasons=reasons, detected_at=now
                    )
                )
            elif row.status == LinkStatus.PROPOSED and (
                row.score != p.score or row.reasons != reasons
            ):
                row.score, row.reasons = p.score, reasons
                row.save(update_fields=["score", "reasons"])
                updated += 1
        LinkProposal.objects.bulk_create(new, batch_size=1000)
        created = len(new)
        stale = [
            row.pk
            for key, row in existing.items()
            if key not in seen and row.status == LinkStatus.PROPOSED
        ]
        LinkProposal.objects.filter(pk__in=stale).delete()
        series = rebuild_series()
        summary = {
            "since": since.isoformat(),
            "until": until.isoformat() if until else None,
            "teams": team_codes or [],
            "registrations": len(found),
            "proposals": len(proposals),
            "created": created,
            "updated": updated,
            "withdrawn": len(stale),
            "series": series,
        }
        audit_log(
            actor=actor,
            action=Action.CREATE,
            object_type="intelligence.detection",
            purpose=Purpose.WPG10,
            detail=summary,
        )
    return summary


#: Advisory lock key that serialises series rebuilds on PostgreSQL ("REGIE-SR").
SERIES_LOCK = 0x5245474953520001


def lock_series() -> None:
    """Serialise series rebuilds until the end of the current transaction: a rebuild
    reads the links only after any concurrent rebuild (and its decision) has committed.
    SQLite serialises writers itself."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SERIES_LOCK])


def series_key(first_number: str) -> str:
    return f"S-{first_number}"


def rebuild_series() -> int:
    """Series = connected components of the links that are not rejected. A series keeps its
    identity (key and primary key) as long as its lowest registration stays the same, so
    links to /series/<pk>/ survive decisions elsewhere."""
    with transaction.atomic():
        lock_series()
        return _rebuild_series()


def _rebuild_series() -> int:
    links = list(
        LinkProposal.objects.exclude(status=LinkStatus.REJECTED).values_list(
            "pk", "a_id", "b_id", "status", "score"
        )
    )
    # An accepted link weighs as a certain one.
    components = series_of(
        (a, b, 1.0 if status == LinkStatus.ACCEPTED else score) for _, a, b, status, score in links
    )
    member_of = {m: n for n, members in enumerate(components) for m in members}
    numbers = dict(Registration.objects.filter(pk__in=member_of).values_list("pk", "number"))
    phenomena: dict[int, dict[str, int]] = {}
    for reg_id, code in Offence.objects.filter(registration_id__in=member_of).values_list(
        "registration_id", "category__code"
    ):
        phenomena.setdefault(member_of[reg_id], {}).setdefault(code, 0)
        phenomena[member_of[reg_id]][code] += 1
    times = dict(Registration.objects.filter(pk__in=member_of).values_list("pk", "occurred_from"))
    accepted: dict[int, int] = {}
    for _pk, a, b, status, _score in links:
        n = member_of.get(a)
        if status == LinkStatus.ACCEPTED and n is not None and n == member_of.get(b):
            accepted[n] = accepted.get(n, 0) + 1
    keys = [series_key(numbers[members[0]]) for members in components]
    existing = {s.key: s for s in Series.objects.filter(key__in=keys)}
    # Series whose lowest registration is gone from every component disappear.
    Series.objects.exclude(key__in=keys).delete()
    by_key: dict[str, Series] = {}
    new_rows: list[Series] = []
    for i, (key, members) in enumerate(zip(keys, components, strict=True)):
        counts = phenomena.get(i, {})
        series = existing.get(key) or Series(key=key)
        series.phenomenon = max(sorted(counts), key=lambda c: counts[c]) if counts else ""
        series.size = len(members)
        series.accepted_links = accepted.get(i, 0)
        series.first_at = min(times[m] for m in members)
        series.last_at = max(times[m] for m in members)
        if series.pk is None:
            new_rows.append(series)
        else:
            series.save()
        by_key[key] = series
    Series.objects.bulk_create(new_rows)
    by_key.update({s.key: s for s in Series.objects.filter(key__in=[s.key for s in new_rows])})
    through = Series.registrations.through
    through.objects.all().delete()
    through.objects.bulk_create(
        [
            through(series_id=by_key[key].pk, registration_id=m)
            for key, members in zip(keys, components, strict=True)
            for m in members
        ],
        batch_size=2000,
    )
    LinkProposal.objects.exclude(series=None).update(series=None)
    for key, members in zip(keys, components, strict=True):
        LinkProposal.objects.filter(a_id__in=members, b_id__in=members).exclude(
            status=LinkStatus.REJECTED
        ).update(series=by_key[key])
    return len(components)


def decide_link(proposal: LinkProposal, *, accept: bool, reason: str, actor: Any) -> LinkProposal:
    reason = (reason or "").strip()
    if len(reason) < 3:
        raise IntelligenceError(_("Geef een reden voor het besluit (minstens 3 tekens)."))
    if len(reason) > 500:
        raise IntelligenceError(_("De reden is te lang (maximaal 500 tekens)."))
    with transaction.atomic():
        # The series lock first: the rebuild below updates every link row, so taking the
        # row lock first could deadlock against a concurrent decision.
        lock_series()
        row = LinkProposal.objects.select_for_update().get(pk=proposal.pk)
        if row.status != LinkStatus.PROPOSED:
            raise IntelligenceError(_("Over dit voorstel is al besloten."))
        row.status = LinkStatus.ACCEPTED if accept else LinkStatus.REJECTED
        row.decided_by = actor
        row.decided_at = timezone.now()
        row.decision_reason = reason
        row.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
        rebuild_series()
        audit_log(
            actor=actor,
            action=Action.CHANGE,
            object_type="intelligence.linkproposal",
            object_id=row.pk,
            purpose=Purpose.WPG10,
            detail={
                "status": row.status,
                "reason": reason,
                "registrations": [row.a_id, row.b_id],
            },
        )
    row.refresh_from_db()
    return row


def problem_create(*, title: str, description: str, owner_unit: Unit, actor: Any) -> Problem:
    title = (title or "").strip()
    if not title:
        raise IntelligenceError(_("Geef het probleem een titel."))
    if len(title) > 120:
        raise IntelligenceError(_("De titel is te lang (maximaal 120 tekens)."))
    with transaction.atomic():
        problem = Problem.objects.create(
            title=title,
            description=(description or "").strip(),
            owner_unit=owner_unit,
            created_by=actor,
        )
        audit_log(
            actor=actor,
            action=Action.CREATE,
            object_type="intelligence.problem",
            object_id=problem.pk,
            purpose=Purpose.WPG10,
            detail={"title": title, "owner_unit": owner_unit.code},
        )
    return problem


def problem_add(
    problem: Problem, registrations: list[Registration], *, reason: str, actor: Any
) -> int:
    """Add registrations (already checked to be visible to ``actor``); returns how many
    were new."""
    if problem.status != ProblemStatus.OPEN:
        raise IntelligenceError(_("Dit probleem is afgesloten."))
    if not registrations:
        raise IntelligenceError(_("Geen registraties opgegeven."))
    with transaction.atomic():
        present = set(problem.members.values_list("registration_id", flat=True))
        new = [r for r in registrations if r.pk not in present]
        ProblemMember.objects.bulk_create(
            [
                ProblemMember(problem=problem, registration=r, added_by=actor, reason=reason[:300])
                for r in new
            ]
        )
        audit_log(
            actor=actor,
            action=Action.CHANGE,
            object_type="intelligence.problem",
            object_id=problem.pk,
            purpose=Purpose.WPG10,
            detail={"added": [r.number for r in new], "reason": reason[:300]},
        )
    return len(new)


def problem_set_status(problem: Problem, status: str, *, actor: Any) -> Problem:
    if status not in ProblemStatus.values:
        raise IntelligenceError(_("Onbekende status."))
    with transaction.atomic():
        problem.status = status
        problem.save(update_fields=["status"])
        audit_log(
            actor=actor,
            action=Action.CHANGE,
            object_type="intelligence.problem",
            object_id=problem.pk,
            purpose=Purpose.WPG10,
            detail={"status": status},
        )
    return problem
