"""The transition table, walked edge by edge and non-edge by non-edge (pure, no database)."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from regie.selection.flow import (
    ACTION_LABELS,
    CHOICE_FIELDS,
    STATE_LABELS,
    TRANSITIONS,
    Action,
    State,
    Transition,
    TransitionError,
    check,
    transition_for,
)

ROLES = (
    "desk_officer",
    "case_screener",
    "dossier_manager",
    "investigator",
    "team_chief",
    "analyst",
    "om_liaison",
    "quality_officer",
    None,
)
FULL_CONTEXT = {"has_suspect": True, "summoned": True, "is_assignee": True}


def complete_fields(t: Transition) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for name in t.required:
        fields[name] = next(iter(CHOICE_FIELDS[name])) if name in CHOICE_FIELDS else "42"
    if t.action is Action.OM_DECIDE and fields.get("om_decision") == "dismissal":
        fields["dismissal_reason"] = "policy"
    return fields


def test_every_state_and_action_has_a_label_and_every_state_is_reachable() -> None:
    assert set(STATE_LABELS) == set(State)
    assert set(ACTION_LABELS) == set(Action)
    reached = {State.REGISTERED} | {t.target for t in TRANSITIONS}
    assert reached == set(State)


@pytest.mark.parametrize(
    ("state", "action", "role"),
    list(itertools.product(State, Action, ROLES)),
    ids=lambda v: str(v),
)
def test_every_move_is_allowed_exactly_when_the_table_says(
    state: State, action: Action, role: str | None
) -> None:
    t = transition_for(state, action)
    if t is None:
        with pytest.raises(TransitionError) as exc:
            check(state, action, role, {}, FULL_CONTEXT)
        assert exc.value.status == 409
        assert ACTION_LABELS[action] in exc.value.message
        return
    fields = complete_fields(t)
    if role in t.roles:
        checked = check(state, action, role, fields, FULL_CONTEXT)
        assert checked.transition.target is t.target
    else:
        with pytest.raises(TransitionError) as exc:
            check(state, action, role, fields, FULL_CONTEXT)
        assert exc.value.status == 403


@pytest.mark.parametrize("t", TRANSITIONS, ids=lambda t: f"{t.source}-{t.action}")
def test_each_required_field_is_required_and_choices_are_checked(t: Transition) -> None:
    role = sorted(t.roles)[0]
    fields = complete_fields(t)
    for name in t.required:
        partial = {k: v for k, v in fields.items() if k != name}
        with pytest.raises(TransitionError) as exc:
            check(t.source, t.action, role, partial, FULL_CONTEXT)
        assert exc.value.status == 422
        assert name in exc.value.errors
        if name in CHOICE_FIELDS:
            with pytest.raises(TransitionError) as exc:
                check(t.source, t.action, role, {**fields, name: "bogus"}, FULL_CONTEXT)
            assert exc.value.status == 422
            assert "bogus" in exc.value.errors[name][0]
    with pytest.raises(TransitionError) as exc:
        check(t.source, t.action, role, {**fields, "unexpected": "x"}, FULL_CONTEXT)
    assert exc.value.errors == {"unexpected": ["Dit veld hoort niet bij deze actie."]}


@pytest.mark.parametrize("t", [t for t in TRANSITIONS if t.conditions], ids=str)
def test_conditions_must_hold(t: Transition) -> None:
    role = sorted(t.roles)[0]
    with pytest.raises(TransitionError) as exc:
        check(t.source, t.action, role, complete_fields(t), {})
    assert exc.value.status == 409


def test_solving_needs_a_suspect() -> None:
    with pytest.raises(TransitionError, match="verdachte"):
        check(
            State.UNDER_INVESTIGATION,
            Action.SOLVE,
            "investigator",
            {},
            {"has_suspect": False, "is_assignee": True},
        )


def test_a_decision_against_the_advice_needs_a_reason() -> None:
    with pytest.raises(TransitionError) as exc:
        check(State.REGISTERED, Action.TAKE_UP, "case_screener", {}, {"advice": "reject"})
    assert exc.value.status == 422
    assert "override_reason" in exc.value.errors
    ok = check(
        State.REGISTERED,
        Action.TAKE_UP,
        "case_screener",
        {"override_reason": "Camerabeelden beschikbaar"},
        {"advice": "reject"},
    )
    assert ok.fields["override_reason"] == "Camerabeelden beschikbaar"
    # Following the advice, or an advice to assess further, needs no reason.
    check(State.REGISTERED, Action.TAKE_UP, "case_screener", {}, {"advice": "take_up"})
    check(
        State.REGISTERED,
        Action.REJECT,
        "case_screener",
        {"reject_reason": "insufficient_leads"},
        {"advice": "assess"},
    )


def test_a_dismissal_needs_its_ground_and_only_a_dismissal_has_one() -> None:
    with pytest.raises(TransitionError) as exc:
        check(State.WITH_OM, Action.OM_DECIDE, "om_liaison", {"om_decision": "dismissal"})
    assert "dismissal_reason" in exc.value.errors
    with pytest.raises(TransitionError) as exc:
        check(
            State.WITH_OM,
            Action.OM_DECIDE,
            "om_liaison",
            {"om_decision": "summons", "dismissal_reason": "policy"},
        )
    assert "dismissal_reason" in exc.value.errors


def test_unknown_action_and_overlong_note_are_422() -> None:
    with pytest.raises(TransitionError) as exc:
        check(State.REGISTERED, "fly", "case_screener", {})
    assert exc.value.status == 422
    with pytest.raises(TransitionError) as exc:
        check(State.REGISTERED, Action.TAKE_UP, "case_screener", {"note": "x" * 2001})
    assert "note" in exc.value.errors


def test_an_investigator_handles_only_their_own_investigations() -> None:
    with pytest.raises(TransitionError) as exc:
        check(
            State.UNDER_INVESTIGATION,
            Action.SOLVE,
            "investigator",
            {},
            {"has_suspect": True, "is_assignee": False},
        )
    assert exc.value.status == 403
    # The dossier manager may close anyone's investigation.
    check(
        State.UNDER_INVESTIGATION,
        Action.SOLVE,
        "dossier_manager",
        {},
        {"has_suspect": True, "is_assignee": False},
    )


def test_the_reason_code_comes_from_the_fixed_lists_only() -> None:
    from regie.selection.flow import reason_code

    fields = {"override_reason": "Slachtoffer J. Jansen belde", "reject_reason": "duplicate"}
    assert reason_code(fields) == "duplicate"
    assert reason_code({"note": "vrije tekst"}) == ""
    assert reason_code({"om_decision": "dismissal", "dismissal_reason": "policy"}) == "dismissal"
