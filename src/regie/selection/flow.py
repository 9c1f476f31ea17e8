"""The case flow of the Selectiviteitskader as one transition table, and its one validator.

Pure (no Django). Every registered crime becomes a case in :attr:`State.REGISTERED`; every
move is an :class:`Action` in :data:`TRANSITIONS`, which names who may take it and what it
needs (a reason from a fixed list, an investigator, an OM decision...). :func:`check` is the
only gate: the service calls it before it changes anything, and the tests walk every edge of
the table and every pair that is not in it.

The flow (after the source, "De aard en omvang van vroegtijdig beëindigde zaken")::

    registered -> rejected                    (first screening: insufficient leads, ...)
               -> taken_up -> at_zsm -> settled_zsm   (OM strafbeschikking, HALT, ...)
                                     -> taken_up      (ZSM returns it)
                           -> terminated_early        (reason from a fixed list)
                           -> under_investigation -> terminated_early
                                                  -> solved -> at_zsm
                                                            -> with_om -> om_decided
                                                                 -> court_decided
    rejected, terminated_early -> reopen (with reason) -> registered / taken_up
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class State(StrEnum):
    REGISTERED = "registered"
    REJECTED = "rejected"
    TAKEN_UP = "taken_up"
    AT_ZSM = "at_zsm"
    SETTLED_ZSM = "settled_zsm"
    TERMINATED_EARLY = "terminated_early"
    UNDER_INVESTIGATION = "under_investigation"
    SOLVED = "solved"
    WITH_OM = "with_om"
    OM_DECIDED = "om_decided"
    COURT_DECIDED = "court_decided"


#: Dutch labels for users (also the victim's status page). Kept here so the pure tests can
#: check that every state has one; the UI wraps them in gettext.
STATE_LABELS: dict[State, str] = {
    State.REGISTERED: "Geregistreerd, wacht op beoordeling",
    State.REJECTED: "Niet in behandeling genomen",
    State.TAKEN_UP: "In behandeling genomen",
    State.AT_ZSM: "Voorgelegd aan het Openbaar Ministerie (ZSM)",
    State.SETTLED_ZSM: "Afgedaan via ZSM",
    State.TERMINATED_EARLY: "Onderzoek beëindigd",
    State.UNDER_INVESTIGATION: "In onderzoek",
    State.SOLVED: "Opgelost: verdachte bekend",
    State.WITH_OM: "Overgedragen aan het Openbaar Ministerie",
    State.OM_DECIDED: "Beslissing van het Openbaar Ministerie",
    State.COURT_DECIDED: "Uitspraak van de rechter",
}

#: States in which nothing more is expected of the police (a case can still be reopened
#: from the two police end states, see :data:`TRANSITIONS`).
FINAL_STATES = frozenset(
    {
        State.REJECTED,
        State.SETTLED_ZSM,
        State.TERMINATED_EARLY,
        State.OM_DECIDED,
        State.COURT_DECIDED,
    }
)


class Action(StrEnum):
    TAKE_UP = "take_up"
    REJECT = "reject"
    TO_ZSM = "to_zsm"
    ZSM_SETTLE = "zsm_settle"
    ZSM_RETURN = "zsm_return"
    TERMINATE = "terminate"
    INVESTIGATE = "investigate"
    SOLVE = "solve"
    TO_OM = "to_om"
    OM_DECIDE = "om_decide"
    COURT_OUTCOME = "court_outcome"
    REOPEN = "reopen"


ACTION_LABELS: dict[Action, str] = {
    Action.TAKE_UP: "Oppakken",
    Action.REJECT: "Afwijzen",
    Action.TO_ZSM: "Voorleggen aan ZSM",
    Action.ZSM_SETTLE: "Afdoen via ZSM",
    Action.ZSM_RETURN: "Terug van ZSM",
    Action.TERMINATE: "Vroegtijdig beëindigen",
    Action.INVESTIGATE: "In onderzoek nemen",
    Action.SOLVE: "Opgelost met verdachte",
    Action.TO_OM: "Overdragen aan OM",
    Action.OM_DECIDE: "OM-beslissing vastleggen",
    Action.COURT_OUTCOME: "Uitspraak vastleggen",
    Action.REOPEN: "Heropenen",
}

# --------------------------------------------------------------------------- fixed lists

#: Why a case is rejected at first screening.
REJECT_REASONS: dict[str, str] = {
    "insufficient_leads": "Onvoldoende opsporingsindicaties",
    "not_police_matter": "Geen politietaak (bijvoorbeeld civiele zaak)",
    "no_criminal_offence": "Geen strafbaar feit",
    "duplicate": "Dubbele registratie",
    "local_priority": "Valt buiten de lokale prioriteiten",
}
#: Why a taken-up case is terminated early ("vroegtijdig beëindigd").
TERMINATION_REASONS: dict[str, str] = {
    "insufficient_leads": "Onvoldoende opsporingsindicaties",
    "suspect_unknown": "Verdachte onbekend na onderzoek",
    "better_intervention": "Beter passende interventie buiten het strafrecht",
    "victim_withdrew": "Aangever trekt aangifte in",
    "capacity": "Onvoldoende capaciteit (prioritering)",
}
#: How the OM liaison settles a case at ZSM.
ZSM_SETTLEMENTS: dict[str, str] = {
    "om_strafbeschikking": "OM-strafbeschikking",
    "conditional_dismissal": "Voorwaardelijk sepot",
    "halt": "HALT-afdoening (minderjarige)",
    "mediation": "Mediation",
    "policy_dismissal": "Beleidssepot",
    "summons_fast_track": "Snelrecht (dagvaarding)",
}
#: Why ZSM sends a case back to the police.
ZSM_RETURN_REASONS: dict[str, str] = {
    "more_investigation": "Nader onderzoek nodig",
    "incomplete_file": "Dossier onvolledig",
}
#: The OM's decision on a case handed over.
OM_DECISIONS: dict[str, str] = {
    "summons": "Dagvaarding",
    "strafbeschikking": "Strafbeschikking",
    "dismissal": "Sepot",
}
DISMISSAL_REASONS: dict[str, str] = {
    "insufficient_evidence": "Technisch sepot: onvoldoende bewijs",
    "policy": "Beleidssepot",
    "wrongly_suspected": "Ten onrechte als verdachte aangemerkt",
}
COURT_OUTCOMES: dict[str, str] = {
    "conviction": "Veroordeling",
    "acquittal": "Vrijspraak",
}
REOPEN_REASONS: dict[str, str] = {
    "new_leads": "Nieuwe opsporingsindicaties",
    "link_found": "Koppeling met andere zaak",
    "error": "Onjuiste beslissing hersteld",
}

#: The fields a transition can carry and, where it is a choice, its fixed list.
CHOICE_FIELDS: dict[str, dict[str, str]] = {
    "reject_reason": REJECT_REASONS,
    "termination_reason": TERMINATION_REASONS,
    "settlement": ZSM_SETTLEMENTS,
    "return_reason": ZSM_RETURN_REASONS,
    "om_decision": OM_DECISIONS,
    "dismissal_reason": DISMISSAL_REASONS,
    "court_outcome": COURT_OUTCOMES,
    "reopen_reason": REOPEN_REASONS,
}
#: Longest free-text note.
MAX_NOTE = 2000
#: The fields whose value is the coded reason or outcome of a move (never free text).
REASON_FIELDS = (
    "reject_reason",
    "termination_reason",
    "return_reason",
    "reopen_reason",
    "settlement",
    "om_decision",
    "court_outcome",
    "dismissal_reason",
)


def reason_code(fields: Mapping[str, Any]) -> str:
    """The coded reason of a move (for counting), from the fixed lists only."""
    return next((str(fields[k]) for k in REASON_FIELDS if fields.get(k)), "")


# --------------------------------------------------------------------------- the table

SCREENER = "case_screener"
DOSSIER_MANAGER = "dossier_manager"
INVESTIGATOR = "investigator"
TEAM_CHIEF = "team_chief"
OM_LIAISON = "om_liaison"


@dataclass(frozen=True)
class Transition:
    action: Action
    source: State
    target: State
    roles: frozenset[str]
    #: Fields that must be present (and, for choice fields, be in their list).
    required: tuple[str, ...] = ()
    #: Fields that may be present.
    optional: tuple[str, ...] = ("note",)
    #: Facts about the case that must hold, checked against the context (see :func:`check`).
    conditions: tuple[str, ...] = ()

    @property
    def own_case_roles(self) -> frozenset[str]:
        """Roles that may make this move only on a case assigned to them: an investigator
        handles their own investigations (the dossier manager and team chief any)."""
        if self.source in (State.UNDER_INVESTIGATION, State.SOLVED):
            return frozenset({INVESTIGATOR}) & self.roles
        return frozenset()


def _t(
    action: Action,
    source: State,
    target: State,
    roles: set[str],
    required: tuple[str, ...] = (),
    optional: tuple[str, ...] = ("note",),
    conditions: tuple[str, ...] = (),
) -> Transition:
    return Transition(action, source, target, frozenset(roles), required, optional, conditions)


_SCREENING = {SCREENER, DOSSIER_MANAGER, TEAM_CHIEF}
_CASE_OWNERS = {DOSSIER_MANAGER, TEAM_CHIEF}
#: A screening decision that differs from the framework's advice needs ``override_reason``.
_SCREENING_FIELDS = ("note", "override_reason")
#: What the framework advises at first screening, and the action that follows the advice.
ADVICE_ACTION: dict[str, Action | None] = {
    "take_up": Action.TAKE_UP,
    "reject": Action.REJECT,
    "assess": None,
}

TRANSITIONS: tuple[Transition, ...] = (
    # First screening.
    _t(Action.TAKE_UP, State.REGISTERED, State.TAKEN_UP, _SCREENING, (), _SCREENING_FIELDS),
    _t(
        Action.REJECT,
        State.REGISTERED,
        State.REJECTED,
        _SCREENING,
        ("reject_reason",),
        _SCREENING_FIELDS,
    ),
    # The dossier manager.
    _t(Action.TO_ZSM, State.TAKEN_UP, State.AT_ZSM, _CASE_OWNERS),
    _t(
        Action.TERMINATE,
        State.TAKEN_UP,
        State.TERMINATED_EARLY,
        _CASE_OWNERS,
        ("termination_reason",),
    ),
    _t(
        Action.INVESTIGATE,
        State.TAKEN_UP,
        State.UNDER_INVESTIGATION,
        _CASE_OWNERS,
        ("investigator",),
    ),
    # ZSM: the OM liaison decides within hours.
    _t(Action.ZSM_SETTLE, State.AT_ZSM, State.SETTLED_ZSM, {OM_LIAISON}, ("settlement",)),
    _t(Action.ZSM_RETURN, State.AT_ZSM, State.TAKEN_UP, {OM_LIAISON}, ("return_reason",)),
    # Investigation.
    _t(
        Action.TERMINATE,
        State.UNDER_INVESTIGATION,
        State.TERMINATED_EARLY,
        {INVESTIGATOR, *_CASE_OWNERS},
        ("termination_reason",),
    ),
    _t(
        Action.SOLVE,
        State.UNDER_INVESTIGATION,
        State.SOLVED,
        {INVESTIGATOR, *_CASE_OWNERS},
        conditions=("has_suspect",),
    ),
    _t(Action.TO_ZSM, State.SOLVED, State.AT_ZSM, {INVESTIGATOR, *_CASE_OWNERS}),
    _t(Action.TO_OM, State.SOLVED, State.WITH_OM, {INVESTIGATOR, *_CASE_OWNERS}),
    # The prosecution.
    _t(
        Action.OM_DECIDE,
        State.WITH_OM,
        State.OM_DECIDED,
        {OM_LIAISON},
        ("om_decision",),
        ("note", "dismissal_reason"),
    ),
    _t(
        Action.COURT_OUTCOME,
        State.OM_DECIDED,
        State.COURT_DECIDED,
        {OM_LIAISON},
        ("court_outcome",),
        conditions=("summoned",),
    ),
    # Reopening the police's own end states.
    _t(Action.REOPEN, State.REJECTED, State.REGISTERED, _CASE_OWNERS, ("reopen_reason",)),
    _t(Action.REOPEN, State.TERMINATED_EARLY, State.TAKEN_UP, _CASE_OWNERS, ("reopen_reason",)),
)

_BY_EDGE: dict[tuple[State, Action], Transition] = {(t.source, t.action): t for t in TRANSITIONS}
assert len(_BY_EDGE) == len(TRANSITIONS), "one transition per (state, action)"

#: Human text of the conditions, for the error messages.
CONDITION_TEXT: dict[str, str] = {
    "has_suspect": "Een zaak is pas opgelost als er een verdachte aan gekoppeld is.",
    "summoned": "Een uitspraak kan alleen na een dagvaarding.",
}


def transition_for(state: State, action: Action) -> Transition | None:
    return _BY_EDGE.get((state, action))


def actions_from(state: State, role: str | None = None) -> list[Transition]:
    """The transitions out of ``state`` (only those ``role`` may take, when given)."""
    return [t for t in TRANSITIONS if t.source is state and (role is None or role in t.roles)]


# --------------------------------------------------------------------------- the validator


class TransitionError(Exception):
    """A move that may not be made. ``status`` is the HTTP status the API answers with:
    403 (role), 409 (not from this state) or 422 (missing or invalid fields)."""

    def __init__(self, status: int, message: str, errors: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = errors or {}


@dataclass(frozen=True)
class Checked:
    """A validated move: the transition and its cleaned fields."""

    transition: Transition
    fields: dict[str, Any] = field(default_factory=dict)


def check(
    state: State | str,
    action: Action | str,
    role: str | None,
    fields: Mapping[str, Any],
    context: Mapping[str, Any] | None = None,
) -> Checked:
    """Validate a move; raise :class:`TransitionError` or return the cleaned fields.

    ``context`` holds facts the table's conditions ask for (``has_suspect``, ``summoned``,
    ``is_assignee`` for an investigator's own investigations)
    and, at first screening, the framework's ``advice`` (see :data:`ADVICE_ACTION`): a
    decision against the advice needs an ``override_reason``.
    Order of checks: the move must exist (409), the role must hold it (403), the fields must
    be complete and valid (422), the conditions must hold (409).
    """
    try:
        state = State(state)
    except ValueError:
        raise TransitionError(422, f"Onbekende status {state!r}.") from None
    try:
        action = Action(action)
    except ValueError:
        known = ", ".join(a.value for a in Action)
        raise TransitionError(
            422, f"Onbekende actie {action!r}.", {"action": [f"Kies uit: {known}."]}
        ) from None
    t = transition_for(state, action)
    if t is None:
        possible = ", ".join(ACTION_LABELS[x.action] for x in actions_from(state)) or "geen"
        raise TransitionError(
            409,
            f"'{ACTION_LABELS[action]}' kan niet vanuit de status "
            f"'{STATE_LABELS[state]}'. Mogelijk: {possible}.",
        )
    if role not in t.roles:
        raise TransitionError(403, f"Uw rol mag '{ACTION_LABELS[action]}' niet uitvoeren.")
    if role in t.own_case_roles and not (context or {}).get("is_assignee", False):
        raise TransitionError(
            403, "U kunt alleen onderzoeken afhandelen die aan u zijn toegewezen."
        )
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    allowed = set(t.required) | set(t.optional)
    for name, value in fields.items():
        if value in (None, ""):
            continue
        if name not in allowed:
            errors.setdefault(name, []).append("Dit veld hoort niet bij deze actie.")
            continue
        cleaned[name] = value
    for name in t.required:
        if name not in cleaned:
            errors.setdefault(name, []).append("Verplicht bij deze actie.")
    for name, value in cleaned.items():
        choices = CHOICE_FIELDS.get(name)
        if choices is not None and value not in choices:
            errors.setdefault(name, []).append(
                f"Onbekende waarde {value!r}; kies uit {', '.join(choices)}."
            )
        if name in ("note", "override_reason") and (
            not isinstance(value, str) or len(value) > MAX_NOTE
        ):
            errors.setdefault(name, []).append(f"Tekst van hoogstens {MAX_NOTE} tekens.")
    if action is Action.OM_DECIDE:
        decision = cleaned.get("om_decision")
        if decision == "dismissal" and "dismissal_reason" not in cleaned:
            errors.setdefault("dismissal_reason", []).append("Verplicht bij een sepot.")
        if decision not in (None, "dismissal") and "dismissal_reason" in cleaned:
            errors.setdefault("dismissal_reason", []).append("Alleen bij een sepot.")
    context = context or {}
    advised = ADVICE_ACTION.get(str(context.get("advice") or ""))
    if (
        action in (Action.TAKE_UP, Action.REJECT)
        and advised is not None
        and advised is not action
        and "override_reason" not in cleaned
    ):
        errors.setdefault("override_reason", []).append("U wijkt af van het advies: geef de reden.")
    if errors:
        raise TransitionError(422, "De gegevens voor deze actie zijn niet compleet.", errors)
    for condition in t.conditions:
        if not context.get(condition, False):
            raise TransitionError(409, CONDITION_TEXT[condition])
    return Checked(t, cleaned)
