"""The ``cases`` step of ``regie synth``: every synthetic registration becomes a case and goes
through the Selectiviteitskader flow as generated history (:mod:`regie.synth.flow_gen`).

The registrations are generated again from the same seed (the generator is deterministic) so
each one's entry is at hand; they are matched to the stored registrations by ``source_ref``.
Cases are opened by the selection app's own service (derived leads, advice, deadline). The
history is written directly, not through :func:`regie.selection.services.case_transition`
(that takes "now" as the time of a move): every history is first replayed through the
transition table's validator (:func:`regie.selection.flow.check`), so only legal moves are
stored. Actors are the synthetic staff of the case's base team (the OM liaison of its
district). A suspect that an investigation found is linked as a known offender from the
synthetic suspect pool. One audit entry per batch lists the cases whose history was written.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from django.db import transaction

from regie.audit.models import Action as AuditAction
from regie.audit.models import Purpose
from regie.audit.services import audit_log
from regie.organisation.models import BaseTeam, Position
from regie.organisation.roles import Role
from regie.registration.models import Involvement, Registration
from regie.registration.models import Role as InvRole
from regie.selection import framework
from regie.selection.flow import ADVICE_ACTION, Action, State, check, reason_code
from regie.selection.models import Case, CaseEvent
from regie.selection.services import (
    active_model,
    apply_advice,
    build_cases,
    features_of,
    rules_for,
)
from regie.synth.flow_gen import CaseHistory, FlowGenerator, summarise
from regie.synth.registrations_gen import RegistrationEntry

BATCH = 2000


class _Staff:
    """The synthetic staff per (role, base team) and OM liaisons per district."""

    def __init__(self) -> None:
        self.by_team: dict[tuple[str, int], list[int]] = defaultdict(list)
        self.by_district: dict[tuple[str, int | None], list[int]] = defaultdict(list)
        self.district_of: dict[int, int] = dict(BaseTeam.objects.values_list("pk", "district_id"))
        self.team_of: dict[int, int | None] = {}
        for p in Position.objects.filter(user__is_active=True).values(
            "role", "base_team_id", "district_id", "user_id"
        ):
            self.team_of[p["user_id"]] = p["base_team_id"]
            if p["base_team_id"]:
                self.by_team[(p["role"], p["base_team_id"])].append(p["user_id"])
            if p["district_id"]:
                self.by_district[(p["role"], p["district_id"])].append(p["user_id"])

    def pick(self, rng: random.Random, role: str, case: Case) -> int | None:
        team = case.base_team
        if team is None:
            return None
        pool = self.by_team.get((role, team.pk)) or self.by_district.get((role, team.district_id))
        return rng.choice(pool) if pool else None


def write_histories(
    pairs: list[tuple[Case, CaseHistory]],
    *,
    staff: _Staff,
    suspects: list[int],
    seed: int,
    with_suspect: set[int],
) -> dict[str, int]:
    """Apply the histories to freshly built, unsaved cases and store cases and events."""
    events: list[CaseEvent] = []
    involvements: list[Involvement] = []
    changed: list[Case] = []
    rng = random.Random(f"{seed}:cases")
    model = active_model()
    for case, history in pairs:
        case.camera_footage = history.leads["camera_footage"]
        case.forensic_traces = history.leads["forensic_traces"]
        first_at = history.steps[0].at if history.steps else case.reported_at
        apply_advice(case, framework.advise(features_of(case), rules_for(case), model), first_at)
        state = State.REGISTERED
        # As the live gate sees it: a suspect or arrested person on the registration.
        has_suspect = case.registration_id in with_suspect
        for seq, step in enumerate(history.steps, 1):
            fields: dict[str, Any] = dict(step.fields)
            actor = staff.pick(rng, step.role, case)
            if step.role == Role.INVESTIGATOR and case.assignee_id is not None:
                actor = case.assignee_id  # an investigator handles their own investigation
            if step.action == Action.INVESTIGATE:
                investigator = staff.pick(rng, Role.INVESTIGATOR, case)
                if investigator is None:
                    raise RuntimeError(
                        f"no investigator for base team {case.base_team_id}: run the staff step"
                    )
                fields["investigator"] = investigator
                case.assignee_id = investigator
            if step.action == Action.SOLVE and not has_suspect and suspects:
                involvements.append(
                    Involvement(
                        registration_id=case.registration_id,
                        role=InvRole.SUSPECT,
                        person_id=rng.choice(suspects),
                    )
                )
                has_suspect = True
            advice = case.advice if state is State.REGISTERED else ""
            override = {}
            advised = ADVICE_ACTION.get(advice)
            if advised is not None and advised != step.action:
                override = {"override_reason": "Beoordeling screener (synthetisch)"}
            t = check(
                state,
                step.action,
                step.role,
                {**fields, **override},
                {
                    "has_suspect": has_suspect,
                    "summoned": case.om_decision == "summons",
                    "advice": advice or None,
                    "is_assignee": step.role != Role.INVESTIGATOR or actor == case.assignee_id,
                },
            ).transition
            reason = reason_code(fields)
            events.append(
                CaseEvent(
                    case=case,
                    seq=seq,
                    action=t.action,
                    from_state=state,
                    to_state=t.target,
                    at=step.at,
                    actor_id=actor,
                    actor_role=step.role,
                    actor_team_id=staff.team_of.get(actor) if actor is not None else None,
                    fields={**fields, **override},
                    reason=reason[:24],
                    advice=advice,
                    follows_advice=None if advised is None else advised == t.action,
                )
            )
            if t.action in (Action.TAKE_UP, Action.REJECT):
                case.screened_at = step.at
            if t.target is State.AT_ZSM:
                case.zsm_due = step.at + dt.timedelta(hours=6)
            if t.action is Action.OM_DECIDE:
                case.om_decision = fields["om_decision"]
            if t.action is Action.COURT_OUTCOME:
                case.court_outcome = fields["court_outcome"]
            state = t.target
            case.state_changed_at = step.at
        case.state = state
        changed.append(case)
    # The database returns the new ids (PostgreSQL and SQLite >= 3.35), which the events need.
    Case.objects.bulk_create(changed, batch_size=1000)
    for event in events:
        event.case_id = event.case.pk
    CaseEvent.objects.bulk_create(events, batch_size=2000)
    Involvement.objects.bulk_create(involvements, batch_size=2000)
    audit_log(
        actor=None,
        action=AuditAction.CHANGE,
        object_type="selection.case",
        object_id="synth",
        purpose=Purpose.WPG13,
        detail={"cases": [c.pk for c in changed], "events": len(events)},
    )
    return {"cases": len(changed), "events": len(events), "suspects_linked": len(involvements)}


def _main_first(entry: RegistrationEntry, category_code: str) -> RegistrationEntry:
    """The entry with the case's main offence (the heaviest, see the selection app) first,
    which is the offence the flow generator looks at."""
    main = [o for o in entry.offences if o.category_code == category_code][:1]
    rest = [o for o in entry.offences if o not in main]
    return dataclasses.replace(entry, offences=(*main, *rest))


def run(entries: Iterator[RegistrationEntry], *, seed: int, now: dt.datetime) -> dict[str, Any]:
    """Open and drive the cases of the synthetic registrations ``entries`` (matched by
    ``synth:<seed>:<key>``)."""
    staff = _Staff()
    suspects = list(
        Involvement.objects.filter(
            role__in=(InvRole.SUSPECT, InvRole.ARRESTED),
            person__isnull=False,
            registration__source="synth",
        )
        .values_list("person_id", flat=True)
        .distinct()[:20000]
    )
    flow = FlowGenerator(seed=seed, now=now)
    totals: dict[str, int] = defaultdict(int)
    histories: list[CaseHistory] = []
    batch: list[RegistrationEntry] = []

    def flush() -> None:
        refs = {f"synth:{seed}:{e.key}": e for e in batch}
        ids = dict(
            Registration.objects.filter(source="synth", source_ref__in=list(refs)).values_list(
                "source_ref", "pk"
            )
        )
        by_reg = {ids[ref]: entry for ref, entry in refs.items() if ref in ids}
        with transaction.atomic():
            pairs = []
            for case in build_cases(list(by_reg)):
                entry = _main_first(by_reg[case.registration_id], case.category.code)
                history = flow.simulate(entry, linked_case=case.linked_case)
                histories.append(history)
                pairs.append((case, history))
            with_suspect = set(
                Involvement.objects.filter(
                    registration_id__in=[c.registration_id for c, _ in pairs],
                    role__in=(InvRole.SUSPECT, InvRole.ARRESTED),
                ).values_list("registration_id", flat=True)
            )
            for key, value in write_histories(
                pairs, staff=staff, suspects=suspects, seed=seed, with_suspect=with_suspect
            ).items():
                totals[key] += value
        batch.clear()

    for entry in entries:
        batch.append(entry)
        if len(batch) >= BATCH:
            flush()
    if batch:
        flush()
    summary = summarise(histories)
    return {**totals, "rates": {k: v for k, v in summary.items() if isinstance(v, float)}}
