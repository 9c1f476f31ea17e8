"""Synthetic case history: drive a generated registration through the case flow (pure Python).

No Django. :class:`FlowGenerator` takes one :class:`~regie.synth.registrations_gen.
RegistrationEntry` and returns a :class:`CaseHistory`: the lead factors, the latent outcome and
the steps of the Selectiviteitskader flow (:mod:`regie.selection.flow`) with who took them and
when. The probabilities reproduce the picture of the minister's 2019 report ("De aard en omvang
van vroegtijdig beëindigde zaken"):

* roughly half of the registered high-volume crime (``vvc``) is rejected at first screening,
  nearly always for insufficient leads (``insufficient_leads``);
* ~3 % of the registered and assessed crimes are terminated early, three quarters of those for
  insufficient leads and most of them high-volume crime (bicycle theft, shoplifting,
  marketplace fraud);
* ~93 % of the cases the OM summons end in a conviction;
* high-impact crime (``high_impact``) and undermining (drug trafficking, weapons and human
  trafficking: categories ``3.1.*`` and ``1.6.3``) are always taken up.

**Leads and the latent outcome.** ``camera_footage`` and ``forensic_traces`` are drawn here
with offence-group probabilities (:data:`CAMERA_PROBABILITY`, :data:`FORENSIC_PROBABILITY`);
the other leads are derived from the registration (:func:`derive_leads`). Whether a case
*would be* solved if investigated is drawn for **every** case (``solved_if_investigated``)
from ``P = logistic(TRUE_INTERCEPTS[group] + sum(TRUE_COEFFICIENTS[lead] for present leads))``,
so a solvability model fitted on the investigated cases can be evaluated honestly (also on
cases the flow never investigated) and compared with the true coefficients. An investigated
case that reaches an outcome is solved exactly when ``solved_if_investigated``; the screener's
and the dossier manager's decisions look at the same leads (they reject and terminate cases
with poor prospects), so the selection is informative, as in reality.

**What the caller must add.** ``investigate`` needs an ``investigator`` (a user) that this
module cannot know: the ``investigate`` step's ``fields`` leave it out and the caller assigns
one. ``solve`` needs a suspect linked to the case: when the registration had none,
:attr:`CaseHistory.suspect_found` is true and the caller adds a suspect involvement before
replaying the ``solve`` step.

**Time.** First screening within ~3 working days (10 % later), arrests within hours; ZSM
decides within hours (mostly < 6 h); investigations take weeks, the OM weeks to months, the
court months. Office work lands on working days 08:00-17:30 (Europe/Amsterdam). Steps are
strictly increasing and after ``reported_at``; steps after ``now`` are cut off, so recent cases
are still open. The full path does not depend on ``now``: a later ``now`` only adds steps.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, Final
from zoneinfo import ZoneInfo

from regie.selection.flow import (
    DOSSIER_MANAGER,
    FINAL_STATES,
    INVESTIGATOR,
    OM_LIAISON,
    SCREENER,
    Action,
    State,
    transition_for,
)
from regie.selection.leads import LEAD_NAMES, InvolvementFacts, offence_group
from regie.selection.leads import derive_leads as leads_from
from regie.synth.registrations_gen import OffenceMixRow, RegistrationEntry, load_offence_mix

__all__ = [
    "CAMERA_PROBABILITY",
    "DAMAGE_THRESHOLD",
    "FORENSIC_PROBABILITY",
    "TRUE_COEFFICIENTS",
    "TRUE_INTERCEPTS",
    "CaseHistory",
    "FlowGenerator",
    "FlowStep",
    "derive_leads",
    "is_undermining",
    "solve_probability",
    "summarise",
    "true_logit",
]

AMSTERDAM: Final = ZoneInfo("Europe/Amsterdam")
DAMAGE_THRESHOLD: Final = Decimal(1000)

#: TRUE log-odds contribution of every lead to "solved when investigated" (see module doc).
TRUE_COEFFICIENTS: Final[dict[str, float]] = {
    "known_suspect": 2.2,
    "caught_in_act": 1.6,
    "camera_footage": 1.2,
    "forensic_traces": 1.4,
    "witness": 0.8,
    "traceable_good": 0.9,
    "linked_case": 0.7,
    "damage_above_threshold": 0.3,
    "vulnerable_victim": 0.4,
}
#: TRUE intercept (log-odds without any lead) per offence group of :mod:`regie.selection.leads`.
TRUE_INTERCEPTS: Final[dict[str, float]] = {
    "bicycle_theft": -3.2,
    "shoplifting": -1.6,
    "burglary": -2.6,
    "vehicle_crime": -2.9,
    "fraud": -2.2,
    "violence": -1.2,
    "damage": -2.4,
    "other": -1.0,
}
#: Chance of camera footage per offence group.
CAMERA_PROBABILITY: Final[dict[str, float]] = {
    "bicycle_theft": 0.05,
    "shoplifting": 0.45,
    "burglary": 0.15,
    "vehicle_crime": 0.10,
    "fraud": 0.03,
    "violence": 0.30,
    "damage": 0.15,
    "other": 0.10,
}
#: Chance of forensic traces (DNA, fingerprints, shoe prints) per offence group.
FORENSIC_PROBABILITY: Final[dict[str, float]] = {
    "bicycle_theft": 0.01,
    "shoplifting": 0.02,
    "burglary": 0.30,
    "vehicle_crime": 0.15,
    "fraud": 0.0,
    "violence": 0.20,
    "damage": 0.05,
    "other": 0.05,
}

# Calibration of the decisions (log-odds; ``score`` is the sum of the TRUE coefficients of the
# leads present: the professionals judge a case's prospects from the same leads).
#: First screening: P(reject) = logistic(base - slope * score) for cases not always taken up.
REJECT_BASE: Final[dict[bool, float]] = {True: 1.9, False: -1.0}  # by vvc
REJECT_SLOPE: Final = 1.0
#: Taken up (not arrested, not high impact/undermining): P(terminate at once) =
#: logistic(TERMINATE_BASE[vvc] + typical - score).
TERMINATE_BASE: Final[dict[bool, float]] = {True: -1.2, False: -2.8}
#: ... plus this for the typical terminated offences (bicycle theft, shoplifting, fraud).
TERMINATE_TYPICAL: Final = 0.8
_TYPICAL_TERMINATED: Final = frozenset({"bicycle_theft", "shoplifting", "fraud"})
#: Otherwise P(investigate) = logistic(INVESTIGATE_BASE + INVESTIGATE_SLOPE * score); the rest
#: waits (stays taken up).
INVESTIGATE_BASE: Final = 0.3
INVESTIGATE_SLOPE: Final = 0.8
#: An investigation without result is terminated with this chance (else it stays open).
TERMINATE_UNSOLVED: Final = 0.04
#: Conviction chance of a summoned case with / without strong evidence (forensic, camera or
#: caught in the act); ~93 % overall.
CONVICTION: Final[dict[bool, float]] = {True: 0.96, False: 0.90}

#: Office hours of the police and the OM (local time).
OFFICE_START: Final = 8
OFFICE_END: Final = 17.5
#: Share of first screenings later than 3 working days.
LATE_SCREENING: Final = 0.10

_UNDERMINING_PREFIX: Final = "3.1."
_UNDERMINING_CATEGORIES: Final = frozenset({"1.6.3"})


# --------------------------------------------------------------------------- public records


@dataclass(frozen=True)
class FlowStep:
    """One move of the flow. ``action`` is a :class:`~regie.selection.flow.Action` (a ``str``),
    ``role`` one of flow's role constants, ``fields`` what :func:`~regie.selection.flow.check`
    needs except ``investigator`` on ``investigate`` (the caller assigns one)."""

    action: Action
    at: datetime
    role: str
    fields: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CaseHistory:
    """The simulated life of one case.

    ``leads`` holds all of :data:`~regie.selection.leads.LEAD_NAMES`; ``solved_if_investigated``
    is the latent outcome (drawn for every case) with true probability ``solve_probability``.
    ``suspect_found``: the investigation found a suspect the registration did not name; the
    caller must add a suspect involvement before the ``solve`` step (only set when that step is
    in ``steps``). ``final_state`` is the state after the last step (``registered`` if none).
    """

    leads: dict[str, bool]
    solved_if_investigated: bool
    steps: tuple[FlowStep, ...]
    final_state: State
    suspect_found: bool = False
    group: str = "other"
    vvc: bool = False
    high_impact: bool = False
    undermining: bool = False
    solve_probability: float = 0.0


# --------------------------------------------------------------------------- leads


#: Categories the national framework always takes up besides high-impact and undermining
#: crime (see ``selection/data/national_framework.csv``): child sexual abuse material.
ALWAYS_TAKEN_UP = frozenset({"3.2.1", "3.2.2"})


def is_undermining(category_code: str) -> bool:
    """Drug trafficking and weapons (``3.1.*``) and human trafficking (``1.6.3``)."""
    return category_code.startswith(_UNDERMINING_PREFIX) or category_code in (
        _UNDERMINING_CATEGORIES
    )


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def derive_leads(
    entry: RegistrationEntry,
    *,
    linked_case: bool = False,
    damage_threshold: Decimal = DAMAGE_THRESHOLD,
) -> dict[str, bool]:
    """The leads the system derives from a registration (a pure function of ``entry``).

    ``linked_case`` says whether the case shares a core object with another case (the caller
    knows; the entry alone does not).
    """
    return leads_from(
        kind=entry.kind,
        occurred_on=entry.occurred_from.date(),
        damage=entry.damage_eur,
        damage_threshold=damage_threshold,
        involvements=[
            InvolvementFacts(
                role=inv.role,
                date_of_birth=inv.person.date_of_birth if inv.person is not None else None,
                identifiable_good=inv.good is not None
                and any(
                    (inv.good.frame_number, inv.good.plate, inv.good.imei, inv.good.serial_number)
                ),
            )
            for inv in entry.involvements
        ],
        linked_case=linked_case,
    )


def true_logit(group: str, leads: Mapping[str, bool]) -> float:
    """The TRUE log-odds of being solved when investigated."""
    return TRUE_INTERCEPTS.get(group, TRUE_INTERCEPTS["other"]) + _score(leads)


def solve_probability(group: str, leads: Mapping[str, bool]) -> float:
    return _logistic(true_logit(group, leads))


def _score(leads: Mapping[str, bool]) -> float:
    return sum(TRUE_COEFFICIENTS[name] for name in LEAD_NAMES if leads.get(name))


def _logistic(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


# --------------------------------------------------------------------------- time


def _office(t: datetime, rng: random.Random) -> datetime:
    """``t`` if it lies in office hours, else a moment early on the next working day."""
    loc = t.astimezone(AMSTERDAM)
    hour = loc.hour + loc.minute / 60
    if loc.weekday() < 5 and OFFICE_START <= hour < OFFICE_END:
        return loc
    day = loc.date()
    if loc.weekday() >= 5 or hour >= OFFICE_END:
        day += timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    opening = datetime(day.year, day.month, day.day, OFFICE_START, tzinfo=AMSTERDAM)
    return _plus(opening, minutes=rng.uniform(0, 120))


def _plus(t: datetime, *, minutes: float = 0.0, hours: float = 0.0, days: float = 0.0) -> datetime:
    """Elapsed-time arithmetic (in UTC, so DST changes do not bend it), in local time."""
    delta = timedelta(minutes=minutes, hours=hours, days=days)
    return (t.astimezone(UTC) + delta).astimezone(AMSTERDAM)


def _working_days_later(t: datetime, days: float, rng: random.Random) -> datetime:
    """About ``days`` working days after ``t`` (weekends skipped), in office hours."""
    loc = _office(t, rng)
    whole = int(days)
    day = loc.date()
    while whole > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            whole -= 1
    wall = datetime.combine(day, loc.time().replace(tzinfo=None)).replace(tzinfo=AMSTERDAM)
    return _office(_plus(wall, hours=(days - int(days)) * (OFFICE_END - OFFICE_START)), rng)


# --------------------------------------------------------------------------- the generator


@dataclass
class _Plan:
    """The full path of a case (independent of ``now``)."""

    #: The time of the last step (at first: the report).
    at: datetime
    steps: list[FlowStep] = field(default_factory=list)
    solve_index: int | None = None

    def add(self, action: Action, role: str, at: datetime, **fields: str) -> None:
        # strictly increasing: at least a minute after the previous step
        floor = _plus(self.at, minutes=1)
        when = at if at > floor else floor
        if action is Action.SOLVE and self.solve_index is None:
            self.solve_index = len(self.steps)  # the first solve: the suspect is known since
        self.steps.append(FlowStep(action, when, role, dict(fields)))
        self.at = when


class FlowGenerator:
    """Simulate the flow for generated registrations; deterministic per ``(seed, entry.key)``.

    ``offence_mix`` gives the ``vvc`` / ``high_impact`` flags by incident code (default: the
    project's offence mix); ``now`` (default: the current time) cuts the histories off.
    """

    def __init__(
        self,
        *,
        seed: int,
        offence_mix: list[OffenceMixRow] | None = None,
        now: datetime | None = None,
    ) -> None:
        self.seed = seed
        rows = load_offence_mix() if offence_mix is None else offence_mix
        self.flags: dict[str, tuple[bool, bool]] = {
            row.incident_code: (row.vvc, row.high_impact) for row in rows
        }
        # A code outside the mix (a secondary offence) takes its category's flags.
        self.category_flags: dict[str, tuple[bool, bool]] = {}
        for row in rows:
            vvc, hic = self.category_flags.get(row.category_code, (False, False))
            self.category_flags[row.category_code] = (vvc or row.vvc, hic or row.high_impact)
        if now is not None and now.tzinfo is None:
            raise ValueError("FlowGenerator: now must be an aware datetime")
        self.now = datetime.now(UTC) if now is None else now

    def simulate(self, entry: RegistrationEntry, *, linked_case: bool = False) -> CaseHistory:
        rng = random.Random(f"{self.seed}:{entry.key}")
        main = entry.offences[0]
        vvc, high_impact = self.flags.get(main.incident_code) or self.category_flags.get(
            main.category_code, (False, False)
        )
        undermining = is_undermining(main.category_code)
        group = offence_group(main.category_code)

        derived = derive_leads(entry, linked_case=linked_case)
        camera = rng.random() < CAMERA_PROBABILITY.get(group, 0.1)
        forensic = rng.random() < FORENSIC_PROBABILITY.get(group, 0.05)
        drawn = {**derived, "camera_footage": camera, "forensic_traces": forensic}
        leads = {name: bool(drawn[name]) for name in LEAD_NAMES}  # the model's feature order
        p_solve = solve_probability(group, leads)
        solved = rng.random() < p_solve

        always = high_impact or undermining or main.category_code in ALWAYS_TAKEN_UP
        plan = self._plan(entry, rng, leads, solved, group, vvc, always)
        steps = [s for s in plan.steps if s.at <= self.now]
        state = State.REGISTERED
        for step in steps:
            t = transition_for(state, step.action)
            assert t is not None, f"illegal planned move {step.action} from {state}"
            state = t.target
        suspect_found = (
            plan.solve_index is not None
            and plan.solve_index < len(steps)
            and not leads["known_suspect"]
        )
        return CaseHistory(
            leads=leads,
            solved_if_investigated=solved,
            steps=tuple(steps),
            final_state=state,
            suspect_found=suspect_found,
            group=group,
            vvc=vvc,
            high_impact=high_impact,
            undermining=undermining,
            solve_probability=p_solve,
        )

    # ----------------------------------------------------------------------- the path

    def _plan(
        self,
        entry: RegistrationEntry,
        rng: random.Random,
        leads: dict[str, bool],
        solved: bool,
        group: str,
        vvc: bool,
        priority: bool,
    ) -> _Plan:
        """``priority``: high impact or undermining (always taken up)."""
        plan = _Plan(at=entry.reported_at.astimezone(AMSTERDAM))
        score = _score(leads)
        arrested = leads["caught_in_act"]
        minor_suspect = _minor_suspect(entry)

        # first screening
        if arrested:
            plan.add(Action.TAKE_UP, SCREENER, _plus(plan.at, minutes=rng.uniform(20, 180)))
        else:
            late = rng.random() < LATE_SCREENING
            days = rng.uniform(3.0, 12.0) if late else rng.triangular(0.05, 3.0, 0.6)
            at = _working_days_later(_plus(plan.at, minutes=10), days, rng)
            if not priority and rng.random() < _logistic(REJECT_BASE[vvc] - REJECT_SLOPE * score):
                plan.add(Action.REJECT, SCREENER, at, reject_reason=_reject_reason(entry, rng))
                return plan
            plan.add(Action.TAKE_UP, SCREENER, at)

        if arrested:
            # an arrest goes to ZSM within hours
            plan.add(Action.TO_ZSM, DOSSIER_MANAGER, _plus(plan.at, minutes=rng.uniform(15, 120)))
            p_return = 0.35 if priority else 0.12
            if rng.random() >= p_return:
                plan.add(
                    Action.ZSM_SETTLE,
                    OM_LIAISON,
                    _zsm_moment(plan.at, rng),
                    settlement=_settlement(rng, minor_suspect),
                )
                return plan
            plan.add(
                Action.ZSM_RETURN,
                OM_LIAISON,
                _zsm_moment(plan.at, rng),
                return_reason="more_investigation" if rng.random() < 0.8 else "incomplete_file",
            )
            self._investigate(plan, rng, leads, solved, vvc, priority, minor_suspect, True)
            return plan

        typical = TERMINATE_TYPICAL if group in _TYPICAL_TERMINATED else 0.0
        if not priority and rng.random() < _logistic(TERMINATE_BASE[vvc] + typical - score):
            plan.add(
                Action.TERMINATE,
                DOSSIER_MANAGER,
                _working_days_later(plan.at, rng.triangular(1, 30, 5), rng),
                termination_reason=_pick(
                    rng,
                    (
                        ("insufficient_leads", 0.78),
                        ("victim_withdrew", 0.08),
                        ("better_intervention", 0.07),
                        ("capacity", 0.07),
                    ),
                ),
            )
            return plan
        p_investigate = (
            0.95 if priority else _logistic(INVESTIGATE_BASE + INVESTIGATE_SLOPE * score)
        )
        if rng.random() < p_investigate:
            self._investigate(plan, rng, leads, solved, vvc, priority, minor_suspect, False)
        return plan  # else: waits for capacity (stays taken up)

    def _investigate(
        self,
        plan: _Plan,
        rng: random.Random,
        leads: dict[str, bool],
        solved: bool,
        vvc: bool,
        priority: bool,
        minor_suspect: bool,
        returned: bool,
    ) -> None:
        # fields: the caller assigns the investigator
        plan.add(
            Action.INVESTIGATE,
            DOSSIER_MANAGER,
            _working_days_later(plan.at, rng.uniform(0.3, 3.0 if returned else 10.0), rng),
        )
        if not solved:
            if rng.random() < TERMINATE_UNSOLVED:
                plan.add(
                    Action.TERMINATE,
                    INVESTIGATOR,
                    _office(_plus(plan.at, days=rng.lognormvariate(math.log(40), 0.6)), rng),
                    termination_reason="suspect_unknown"
                    if rng.random() < 0.55 and not leads["known_suspect"]
                    else "insufficient_leads",
                )
            return  # else: stays under investigation
        plan.add(
            Action.SOLVE,
            INVESTIGATOR,
            _office(_plus(plan.at, days=rng.lognormvariate(math.log(18), 0.8)), rng),
        )
        to_zsm = not returned and not priority and vvc and rng.random() < 0.6
        if to_zsm:
            plan.add(
                Action.TO_ZSM,
                INVESTIGATOR,
                _working_days_later(plan.at, rng.uniform(0.2, 5.0), rng),
            )
            if rng.random() < 0.95:
                plan.add(
                    Action.ZSM_SETTLE,
                    OM_LIAISON,
                    _zsm_moment(plan.at, rng),
                    settlement=_settlement(rng, minor_suspect),
                )
                return
            plan.add(
                Action.ZSM_RETURN,
                OM_LIAISON,
                _zsm_moment(plan.at, rng),
                return_reason="incomplete_file",
            )
            # the file is completed and the case goes to the OM in the ordinary way
            self._investigate(plan, rng, leads, True, vvc, priority, minor_suspect, True)
            return
        plan.add(Action.TO_OM, INVESTIGATOR, _working_days_later(plan.at, rng.uniform(1, 15), rng))
        decided = _office(_plus(plan.at, days=rng.lognormvariate(math.log(45), 0.7)), rng)
        decision = _pick(rng, (("summons", 0.5), ("strafbeschikking", 0.25), ("dismissal", 0.25)))
        if decision == "dismissal":
            plan.add(
                Action.OM_DECIDE,
                OM_LIAISON,
                decided,
                om_decision="dismissal",
                dismissal_reason=_pick(
                    rng,
                    (
                        ("insufficient_evidence", 0.6),
                        ("policy", 0.3),
                        ("wrongly_suspected", 0.1),
                    ),
                ),
            )
            return
        plan.add(Action.OM_DECIDE, OM_LIAISON, decided, om_decision=decision)
        if decision != "summons":
            return
        strong = leads["forensic_traces"] or leads["camera_footage"] or leads["caught_in_act"]
        plan.add(
            Action.COURT_OUTCOME,
            OM_LIAISON,
            _office(_plus(plan.at, days=rng.lognormvariate(math.log(120), 0.5)), rng),
            court_outcome="conviction" if rng.random() < CONVICTION[strong] else "acquittal",
        )


def _pick(rng: random.Random, options: tuple[tuple[str, float], ...]) -> str:
    u = rng.random() * sum(w for _, w in options)
    for value, weight in options:
        u -= weight
        if u < 0:
            return value
    return options[-1][0]


def _zsm_moment(t: datetime, rng: random.Random) -> datetime:
    """ZSM decides within hours: mostly under 6 h, some a day or more later."""
    if rng.random() < 0.88:
        return _plus(t, hours=rng.triangular(0.3, 6.0, 1.5))
    return _plus(t, hours=rng.uniform(6.0, 72.0))


def _minor_suspect(entry: RegistrationEntry) -> bool:
    on = entry.occurred_from.date()
    return any(
        inv.role == "suspect"
        and inv.person is not None
        and inv.person.date_of_birth is not None
        and 12 <= _age(inv.person.date_of_birth, on) < 18
        for inv in entry.involvements
    )


def _settlement(rng: random.Random, minor: bool) -> str:
    if minor and rng.random() < 0.7:
        return "halt"
    return _pick(
        rng,
        (
            ("om_strafbeschikking", 0.45),
            ("summons_fast_track", 0.18),
            ("conditional_dismissal", 0.15),
            ("policy_dismissal", 0.15),
            ("mediation", 0.07),
        ),
    )


def _reject_reason(entry: RegistrationEntry, rng: random.Random) -> str:
    roles = {inv.role for inv in entry.involvements}
    if "found_good" in roles and "stolen_good" not in roles and rng.random() < 0.8:
        return "no_criminal_offence"
    if entry.offences[0].category_code.startswith("3.9.") and rng.random() < 0.08:
        return "not_police_matter"
    return _pick(
        rng, (("insufficient_leads", 0.95), ("duplicate", 0.025), ("local_priority", 0.025))
    )


# --------------------------------------------------------------------------- summary


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def summarise(histories: Iterable[CaseHistory]) -> dict[str, Any]:
    """The rates of the source's picture, for tests and the synth step's report.

    * ``vvc_rejected_share``: VVC cases rejected at first screening / VVC cases screened
      (``vvc_rejected_insufficient_leads_share``: idem, for insufficient leads);
    * ``terminated_early_share``: cases terminated early / cases screened ("assessed");
    * ``termination_insufficient_leads_share``, ``termination_vvc_share``: of those terminated;
    * ``conviction_share``: convictions / court outcomes of summoned cases (pending ones are
      left out);
    * ``solved_share_investigated``: cases solved / cases investigated;
    * ``high_impact_rejected``: count of high-impact or undermining cases rejected (must be 0);
    * ``open``: cases not (yet) in a final state, or summoned and awaiting the court.
    """
    counts = dict.fromkeys(
        (
            "cases",
            "assessed",
            "vvc_assessed",
            "vvc_rejected",
            "vvc_rejected_insufficient_leads",
            "terminated",
            "terminated_insufficient_leads",
            "terminated_vvc",
            "summoned_decided",
            "convicted",
            "investigated",
            "solved",
            "high_impact_rejected",
            "open",
        ),
        0,
    )
    for h in histories:
        counts["cases"] += 1
        if not h.steps:
            counts["open"] += 1
            continue
        counts["assessed"] += 1
        first = h.steps[0]
        rejected = first.action is Action.REJECT
        if h.vvc:
            counts["vvc_assessed"] += 1
            if rejected:
                counts["vvc_rejected"] += 1
                if first.fields.get("reject_reason") == "insufficient_leads":
                    counts["vvc_rejected_insufficient_leads"] += 1
        if rejected and (h.high_impact or h.undermining):
            counts["high_impact_rejected"] += 1
        actions = [s.action for s in h.steps]
        terminations = [s for s in h.steps if s.action is Action.TERMINATE]
        if terminations:
            counts["terminated"] += 1
            counts["terminated_vvc"] += h.vvc
            if terminations[-1].fields.get("termination_reason") == "insufficient_leads":
                counts["terminated_insufficient_leads"] += 1
        if Action.INVESTIGATE in actions:
            counts["investigated"] += 1
            counts["solved"] += Action.SOLVE in actions
        for step in h.steps:
            if step.action is Action.COURT_OUTCOME:
                counts["summoned_decided"] += 1
                counts["convicted"] += step.fields.get("court_outcome") == "conviction"
        awaiting_court = h.final_state is State.OM_DECIDED and any(
            s.fields.get("om_decision") == "summons" for s in h.steps
        )
        if h.final_state not in FINAL_STATES or awaiting_court:
            counts["open"] += 1
    result: dict[str, Any] = dict(counts)
    result.update(
        vvc_rejected_share=_share(counts["vvc_rejected"], counts["vvc_assessed"]),
        vvc_rejected_insufficient_leads_share=_share(
            counts["vvc_rejected_insufficient_leads"], counts["vvc_assessed"]
        ),
        terminated_early_share=_share(counts["terminated"], counts["assessed"]),
        termination_insufficient_leads_share=_share(
            counts["terminated_insufficient_leads"], counts["terminated"]
        ),
        termination_vvc_share=_share(counts["terminated_vvc"], counts["terminated"]),
        conviction_share=_share(counts["convicted"], counts["summoned_decided"]),
        solved_share_investigated=_share(counts["solved"], counts["investigated"]),
    )
    return result
