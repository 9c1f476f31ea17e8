"""Steering the framework: its rules and their versions, the solvability model (card, refit,
off switch) and the quality officers' review of decisions. Services and selectors of these
screens; the screens are in :mod:`regie.selection.steering_views`."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet

from regie.audit.models import Action as AuditAction
from regie.audit.services import audit_log
from regie.organisation.access import base_team_filter
from regie.organisation.models import BaseTeam
from regie.selection.flow import Action, TransitionError
from regie.selection.models import CaseEvent, FrameworkRule, QualityReview
from regie.selection.selectors import cases_visible_to
from regie.selection.signals import cases_changed

SCREENING = (Action.TAKE_UP, Action.REJECT)
DOSSIER = (Action.TERMINATE, Action.TO_ZSM, Action.INVESTIGATE)


def rules_visible_to(user: Any) -> QuerySet[FrameworkRule]:
    """National rules, and the local rules of the units and teams within the user's scope."""
    team_q = base_team_filter(user)
    qs = FrameworkRule.objects.select_related("category", "unit", "base_team", "created_by")
    if team_q is None:
        return qs
    teams = BaseTeam.objects.filter(team_q)
    units = teams.values("district__unit_id")
    return qs.filter(Q(scope_level="national") | Q(base_team__in=teams) | Q(unit_id__in=units))


def reviewable_events(user: Any) -> QuerySet[CaseEvent]:
    """Screening and dossier decisions of cases within the user's scope, not yet reviewed."""
    return (
        CaseEvent.objects.filter(
            case__in=cases_visible_to(user), action__in=[*SCREENING, *DOSSIER], reviews=None
        )
        .exclude(actor=user)
        .select_related("case__registration", "case__category", "actor", "actor_team")
    )


@dataclass(frozen=True)
class SampleItem:
    event: CaseEvent
    kind: str  # random | risk
    why: str


def review_sample(user: Any, *, size: int = 10, day: dt.date | None = None) -> list[SampleItem]:
    """Half random, half risk-based: decisions against the framework's advice, rejections
    although there were two or more leads or a vulnerable victim. Stable for a user and day
    (the seed), so the list does not change under the reviewer's hands."""
    day = day or dt.date.today()
    seed = f"{user.pk}:{day.isoformat()}"
    recent = reviewable_events(user).order_by("-at")[:2000]
    # Each event's place in the day's order depends only on (seed, event), so reviewing one
    # item (or a new decision arriving) leaves the rest of the sample where it was.
    events = sorted(recent, key=lambda e: hashlib.sha256(f"{seed}:{e.pk}".encode()).digest())
    risky: list[SampleItem] = []
    for e in events:
        case = e.case
        leads = sum(
            bool(getattr(case, n))
            for n in (
                "known_suspect",
                "caught_in_act",
                "camera_footage",
                "forensic_traces",
                "witness",
                "traceable_good",
            )
        )
        if e.follows_advice is False:
            risky.append(SampleItem(e, "risk", "Afwijking van het advies"))
        elif e.action == Action.REJECT and leads >= 2:
            risky.append(SampleItem(e, "risk", f"Afgewezen met {leads} indicaties"))
        elif e.action in (Action.REJECT, Action.TERMINATE) and case.vulnerable_victim:
            risky.append(SampleItem(e, "risk", "Kwetsbaar slachtoffer"))
    chosen = risky[: size // 2]
    taken = {item.event.pk for item in chosen}
    rest = [e for e in events if e.pk not in taken]
    chosen += [SampleItem(e, "random", "Aselecte steekproef") for e in rest[: size - len(chosen)]]
    return chosen


def review_record(
    *, actor: Any, event_id: int, sample: str, correct: bool, feedback: str
) -> QualityReview:
    """Record a review. The event must be reviewable by the actor (scope, not their own)."""
    if sample not in ("random", "risk"):
        raise TransitionError(422, "Onbekende steekproef.", {"sample": ["random of risk"]})
    if not correct and not feedback.strip():
        raise TransitionError(
            422,
            "Geef terugkoppeling bij een onjuiste toepassing.",
            {"feedback": ["Verplicht als het kader niet juist is toegepast."]},
        )
    event = reviewable_events(actor).filter(pk=event_id).first()
    if event is None:
        raise TransitionError(409, "Deze beslissing is al beoordeeld of valt buiten uw werkgebied.")
    try:
        with transaction.atomic():
            review = QualityReview.objects.create(
                event=event, reviewer=actor, sample=sample, correct=correct, feedback=feedback
            )
            cases_changed.send(sender=QualityReview, ids=[event.case_id])
    except IntegrityError:
        raise TransitionError(409, "Deze beslissing is al beoordeeld.") from None
    audit_log(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="selection.qualityreview",
        object_id=review.pk,
        detail={"event": event.pk, "case": event.case_id, "correct": correct},
    )
    return review


def review_rates(user: Any) -> list[dict[str, Any]]:
    """Per base team within scope: reviewed decisions and the share judged correct."""
    qs = (
        QualityReview.objects.filter(event__case__in=cases_visible_to(user))
        .values("event__actor_team__name")
        .annotate(n=Count("pk"), correct=Count("pk", filter=Q(correct=True)))
        .order_by("event__actor_team__name")
    )
    return [
        {
            "team": row["event__actor_team__name"] or "—",
            "n": row["n"],
            "correct": row["correct"],
            "rate": row["correct"] / row["n"] if row["n"] else None,
        }
        for row in qs
    ]


def feedback_for(user: Any, limit: int = 20) -> list[QualityReview]:
    """The reviews of the user's own decisions, newest first (the feedback to the screener)."""
    return list(
        QualityReview.objects.filter(event__actor=user, event__case__in=cases_visible_to(user))
        .select_related("event__case__registration", "reviewer")
        .order_by("-at")[:limit]
    )


def rules_by_key(rules: QuerySet[FrameworkRule]) -> list[tuple[str, list[FrameworkRule]]]:
    grouped: dict[str, list[FrameworkRule]] = defaultdict(list)
    for rule in rules.order_by("scope_level", "key", "-version"):
        grouped[rule.key].append(rule)
    return sorted(grouped.items(), key=lambda kv: (kv[1][0].scope_level != "national", kv[0]))
