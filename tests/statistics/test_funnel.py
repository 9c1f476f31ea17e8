"""The case funnel (regie.statistics.funnel): pure, no database.

Hand-made histories cover every path of the flow; a hypothesis strategy walks random legal
paths of :data:`regie.selection.flow.TRANSITIONS`; the synthetic flow generator's own summary
is reproduced end to end.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from regie.organisation.geodata import load_reference
from regie.selection.flow import (
    CHOICE_FIELDS,
    TERMINATION_REASONS,
    TRANSITIONS,
    Action,
    State,
    reason_code,
    transition_for,
)
from regie.statistics.counting import LEVELS, NATIONAL_REGION, REGION_COLUMNS, UNKNOWN_REGION
from regie.statistics.funnel import (
    CASE_SCHEMA,
    EVENT_SCHEMA,
    OFFENCE_CLASSES,
    STAGES,
    case_stages,
    funnel,
    lead_times,
    standing_report,
    terminations,
    validate,
)
from regie.synth.flow_gen import AMSTERDAM, CaseHistory, FlowGenerator, summarise
from regie.synth.registrations_gen import (
    GeneratorConfig,
    RegistrationEntry,
    RegistrationGenerator,
    inputs_from_reference,
)

A = Action
REGIONS = ("U1", "D1", "B1", "GM0344", "BU03440101")
#: A Monday in an ordinary week (no holidays), Amsterdam wall-clock time.
MONDAY = datetime(2019, 3, 4, 10, 0)


@dataclass
class Spec:
    """One hand-made case: moves are (action, reason, hours after the previous move)."""

    case_id: int
    moves: Sequence[tuple[Action, str, float]] = ()
    reported_at: datetime = MONDAY
    offence_class: str = "vvc"
    category_code: str = "2.5.1"
    regions: tuple[str | None, ...] = REGIONS


def frames(specs: Sequence[Spec]) -> tuple[pl.DataFrame, pl.DataFrame]:
    case_rows: list[dict[str, Any]] = []
    event_rows: list[dict[str, Any]] = []
    for spec in specs:
        state, at = State.REGISTERED, spec.reported_at
        for seq, (action, reason, hours) in enumerate(spec.moves, start=1):
            t = transition_for(state, action)
            assert t is not None, f"illegal test path: {action} from {state}"
            at = at + timedelta(hours=hours)
            event_rows.append(
                {
                    "case_id": spec.case_id,
                    "seq": seq,
                    "action": action.value,
                    "from_state": state.value,
                    "to_state": t.target.value,
                    "at": at,
                    "actor_role": sorted(t.roles)[0],
                    "reason": reason,
                }
            )
            state = t.target
        case_rows.append(
            {
                "case_id": spec.case_id,
                "reported_at": spec.reported_at,
                "category_code": spec.category_code,
                "offence_class": spec.offence_class,
                "offence_group": "other",
                "state": state.value,
                **dict(zip(REGION_COLUMNS, spec.regions, strict=True)),
            }
        )
    aware = any(spec.reported_at.tzinfo is not None for spec in specs)
    moment = pl.Datetime("us", "UTC" if aware else None)
    return (
        pl.DataFrame(case_rows, schema={**CASE_SCHEMA, "reported_at": moment}),
        pl.DataFrame(event_rows, schema={**EVENT_SCHEMA, "at": moment}),
    )


# Every path of the flow, to its end.
TAKE = (A.TAKE_UP, "", 20.0)
INVESTIGATE = (A.INVESTIGATE, "", 24.0)
SOLVE = (A.SOLVE, "", 100.0)
TO_OM = (A.TO_OM, "", 48.0)
PATHS: dict[str, list[tuple[Action, str, float]]] = {
    "registered": [],
    "rejected": [(A.REJECT, "insufficient_leads", 30.0)],
    "rejected_reopened_waiting": [
        (A.REJECT, "local_priority", 30.0),
        (A.REOPEN, "new_leads", 200.0),
    ],
    "rejected_reopened_taken_up": [
        (A.REJECT, "insufficient_leads", 30.0),
        (A.REOPEN, "error", 20.0),
        TAKE,
    ],
    "taken_up": [TAKE],
    "zsm_settled": [TAKE, (A.TO_ZSM, "", 1.0), (A.ZSM_SETTLE, "om_strafbeschikking", 3.0)],
    "zsm_pending": [TAKE, (A.TO_ZSM, "", 1.0)],
    "zsm_returned_investigated": [
        TAKE,
        (A.TO_ZSM, "", 1.0),
        (A.ZSM_RETURN, "more_investigation", 8.0),
        INVESTIGATE,
    ],
    "terminated": [TAKE, (A.TERMINATE, "insufficient_leads", 72.0)],
    "terminated_twice": [
        TAKE,
        (A.TERMINATE, "capacity", 72.0),
        (A.REOPEN, "link_found", 100.0),
        INVESTIGATE,
        (A.TERMINATE, "suspect_unknown", 300.0),
    ],
    "investigating": [TAKE, INVESTIGATE],
    "investigation_terminated": [TAKE, INVESTIGATE, (A.TERMINATE, "insufficient_leads", 500.0)],
    "solved": [TAKE, INVESTIGATE, SOLVE],
    "solved_zsm": [TAKE, INVESTIGATE, SOLVE, (A.TO_ZSM, "", 2.0), (A.ZSM_SETTLE, "halt", 2.0)],
    "with_om": [TAKE, INVESTIGATE, SOLVE, TO_OM],
    "om_strafbeschikking": [
        TAKE,
        INVESTIGATE,
        SOLVE,
        TO_OM,
        (A.OM_DECIDE, "strafbeschikking", 500.0),
    ],
    "om_dismissal": [TAKE, INVESTIGATE, SOLVE, TO_OM, (A.OM_DECIDE, "dismissal", 500.0)],
    "summoned": [TAKE, INVESTIGATE, SOLVE, TO_OM, (A.OM_DECIDE, "summons", 500.0)],
    "convicted": [
        TAKE,
        INVESTIGATE,
        SOLVE,
        TO_OM,
        (A.OM_DECIDE, "summons", 500.0),
        (A.COURT_OUTCOME, "conviction", 2000.0),
    ],
    "acquitted": [
        TAKE,
        INVESTIGATE,
        SOLVE,
        TO_OM,
        (A.OM_DECIDE, "summons", 500.0),
        (A.COURT_OUTCOME, "acquittal", 2000.0),
    ],
}
#: What each path reaches (besides registered).
REACHED: dict[str, set[str]] = {
    "registered": set(),
    "rejected": {"screened", "rejected"},
    "rejected_reopened_waiting": {"screened", "rejected"},
    "rejected_reopened_taken_up": {"screened", "taken_up"},
    "taken_up": {"screened", "taken_up"},
    "zsm_settled": {"screened", "taken_up", "at_zsm", "settled_zsm"},
    "zsm_pending": {"screened", "taken_up", "at_zsm"},
    "zsm_returned_investigated": {"screened", "taken_up", "at_zsm", "under_investigation"},
    "terminated": {"screened", "taken_up", "terminated_early"},
    "terminated_twice": {"screened", "taken_up", "terminated_early", "under_investigation"},
    "investigating": {"screened", "taken_up", "under_investigation"},
    "investigation_terminated": {
        "screened",
        "taken_up",
        "under_investigation",
        "terminated_early",
    },
    "solved": {"screened", "taken_up", "under_investigation", "solved"},
    "solved_zsm": {
        "screened",
        "taken_up",
        "under_investigation",
        "solved",
        "at_zsm",
        "settled_zsm",
    },
    "with_om": {"screened", "taken_up", "under_investigation", "solved", "to_om"},
}
_OM = {"screened", "taken_up", "under_investigation", "solved", "to_om", "om_decided"}
REACHED |= {
    "om_strafbeschikking": _OM | {"om_strafbeschikking"},
    "om_dismissal": _OM | {"om_dismissal"},
    "summoned": _OM | {"om_summons"},
    "convicted": _OM | {"om_summons", "convicted"},
    "acquitted": _OM | {"om_summons", "acquitted"},
}
STAGE_NAMES = [name for name, _ in STAGES]


def all_paths() -> tuple[pl.DataFrame, pl.DataFrame]:
    return frames([Spec(i, moves) for i, moves in enumerate(PATHS.values(), start=1)])


def test_every_transition_is_covered_by_the_paths() -> None:
    edges = set()
    for moves in PATHS.values():
        state = State.REGISTERED
        for action, _, _ in moves:
            t = transition_for(state, action)
            assert t is not None
            edges.add((t.source, t.action))
            state = t.target
    assert edges == {(t.source, t.action) for t in TRANSITIONS}


def test_case_stages_every_path() -> None:
    stages = case_stages(*all_paths())
    for name, row in zip(PATHS, stages.iter_rows(named=True), strict=True):
        reached = {stage for stage in STAGE_NAMES if row[stage]} - {"registered"}
        assert reached == REACHED[name], name
    by_name = dict(zip(PATHS, stages.iter_rows(named=True), strict=True))
    assert by_name["rejected_reopened_taken_up"]["rejected_first"]
    assert by_name["rejected_reopened_taken_up"]["reopened"]
    assert by_name["rejected"]["first_reject_reason"] == "insufficient_leads"
    assert by_name["taken_up"]["first_reject_reason"] is None
    # the reason of the last termination
    assert by_name["terminated_twice"]["termination_reason"] == "suspect_unknown"
    assert by_name["convicted"]["om_decision"] == "summons"
    assert by_name["convicted"]["court_outcome"] == "conviction"
    assert not by_name["convicted"]["open"] and by_name["with_om"]["open"]


def test_funnel_counts_every_path_once() -> None:
    result = funnel(*all_paths())
    assert result.height == 1
    row = result.row(0, named=True)
    assert row["period"] == "2019" and row["region"] == NATIONAL_REGION
    for stage in STAGE_NAMES:
        expected = (
            len(PATHS) if stage == "registered" else sum(stage in r for r in REACHED.values())
        )
        assert row[stage] == expected, stage
    # reopened cases count once: the twice-terminated case is one termination
    assert row["terminated_early"] == 3
    assert row["rejected"] + row["taken_up"] == row["screened"]
    assert row["solved_rate"] == pytest.approx(row["solved"] / row["under_investigation"])
    assert row["solved_of_registered"] == pytest.approx(row["solved"] / row["registered"])
    assert "registered_rate" not in result.columns


def test_funnel_rates_null_without_denominator() -> None:
    row = funnel(*frames([Spec(1)])).row(0, named=True)
    assert row["registered"] == 1 and row["screened"] == 0
    assert row["screened_rate"] == 0.0
    assert row["taken_up_rate"] is None and row["convicted_rate"] is None


def test_funnel_by_category_and_offence_class_and_periods() -> None:
    specs = [
        Spec(1, PATHS["terminated"], category_code="2.5.1", offence_class="vvc"),
        Spec(2, PATHS["rejected"], category_code="2.5.1", offence_class="vvc"),
        Spec(3, PATHS["solved"], category_code="1.1.1", offence_class="hic"),
        Spec(4, PATHS["taken_up"], reported_at=datetime(2020, 7, 1, 9), offence_class="other"),
    ]
    by_cat = funnel(*frames(specs), by="category")
    assert by_cat.columns[:3] == ["period", "region", "category_code"]
    assert by_cat.select("period", "category_code", "registered").rows() == [
        ("2019", "1.1.1", 1),
        ("2019", "2.5.1", 2),
        ("2020", "2.5.1", 1),
    ]
    by_class = funnel(*frames(specs), by="offence_class", period="quarter")
    assert by_class.select("period", "offence_class", "terminated_early").rows() == [
        ("2019-Q1", "hic", 0),
        ("2019-Q1", "vvc", 1),
        ("2020-Q3", "other", 0),
    ]
    monthly = funnel(*frames(specs), period="month")
    assert monthly.get_column("period").to_list() == ["2019-03", "2020-07"]


def test_cohort_is_the_amsterdam_reporting_period() -> None:
    """23:30 UTC on 31 December is already the new year in Amsterdam (22:30 is not)."""
    cases, events = frames([Spec(1, PATHS["taken_up"])])
    events = events.with_columns(pl.col("at").dt.replace_time_zone("Europe/Amsterdam"))
    for hour, year in ((23, "2020"), (22, "2019")):
        moment = datetime(2019, 12, 31, hour, 30, tzinfo=UTC)
        aware = cases.with_columns(pl.lit(moment).alias("reported_at"))
        assert funnel(aware, events).get_column("period").to_list() == [year]
    # a naive time is Amsterdam wall-clock time already
    naive = cases.with_columns(pl.lit(datetime(2019, 12, 31, 23, 30)).alias("reported_at"))
    assert funnel(naive, events).get_column("period").to_list() == ["2019"]


@pytest.mark.parametrize("level", LEVELS)
def test_levels_add_up_to_national(level: str) -> None:
    specs = [
        Spec(i, moves, regions=regions)
        for i, (moves, regions) in enumerate(
            [
                (PATHS["convicted"], REGIONS),
                (PATHS["terminated"], ("U1", "D2", "B2", "GM0345", None)),
                (PATHS["rejected"], ("U2", None, None, None, None)),
                (PATHS["zsm_settled"], (None, None, None, None, None)),
                (PATHS["solved"], REGIONS),
            ],
            start=1,
        )
    ]
    cases, events = frames(specs)
    national = funnel(cases, events).select(STAGE_NAMES).sum()
    per_level = funnel(cases, events, level=level)  # type: ignore[arg-type]
    assert per_level.select(STAGE_NAMES).sum().equals(national)
    if level != "national":
        assert UNKNOWN_REGION in per_level.get_column("region").to_list()


# --------------------------------------------------------------------------- random legal paths


@st.composite
def histories(draw: st.DrawFn, case_id: int) -> Spec:
    state, summoned = State.REGISTERED, False
    moves: list[tuple[Action, str, float]] = []
    for _ in range(draw(st.integers(0, 12))):
        options = [
            t
            for t in TRANSITIONS
            if t.source is state and (t.action is not Action.COURT_OUTCOME or summoned)
        ]
        if not options:
            break
        t = draw(st.sampled_from(options))
        reasons = [sorted(CHOICE_FIELDS[f]) for f in t.required if f in CHOICE_FIELDS]
        reason = draw(st.sampled_from(reasons[0])) if reasons else ""
        if t.action is Action.OM_DECIDE:
            summoned = reason == "summons"
        moves.append((t.action, reason, draw(st.floats(0.1, 400.0))))
        state = t.target
    # Aware (UTC): naive local times could fall in the hour skipped at a DST change.
    reported = datetime(2018, 1, 1, tzinfo=UTC) + timedelta(
        hours=draw(st.integers(0, 3 * 365 * 24))
    )
    regions = tuple(
        draw(st.sampled_from([None, f"{column[:2]}1", f"{column[:2]}2"]))
        for column in REGION_COLUMNS
    )
    return Spec(
        case_id,
        moves,
        reported_at=reported,
        offence_class=draw(st.sampled_from(OFFENCE_CLASSES)),
        category_code=draw(st.sampled_from(["1.1.1", "2.5.1", "3.1.1"])),
        regions=regions,
    )


@st.composite
def populations(draw: st.DrawFn) -> list[Spec]:
    n = draw(st.integers(1, 25))
    return [draw(histories(i)) for i in range(1, n + 1)]


def oracle(spec: Spec) -> set[str]:
    """The stages a history reaches, straight from its list of moves."""
    actions = [a for a, _, _ in spec.moves]
    reasons = {a: r for a, r, _ in spec.moves}  # the last reason per action
    reached = {"registered"}
    simple = {
        A.TAKE_UP: "taken_up",
        A.TO_ZSM: "at_zsm",
        A.ZSM_SETTLE: "settled_zsm",
        A.TERMINATE: "terminated_early",
        A.INVESTIGATE: "under_investigation",
        A.SOLVE: "solved",
        A.TO_OM: "to_om",
        A.OM_DECIDE: "om_decided",
    }
    reached |= {stage for action, stage in simple.items() if action in actions}
    if A.TAKE_UP in actions or A.REJECT in actions:
        reached.add("screened")
        if A.TAKE_UP not in actions:
            reached.add("rejected")
    if A.OM_DECIDE in actions:
        reached.add(f"om_{reasons[A.OM_DECIDE]}")
    outcome = reasons.get(A.COURT_OUTCOME)
    if outcome:
        reached.add({"conviction": "convicted", "acquittal": "acquitted"}[outcome])
    return reached


#: Chains the flow implies: a case in the first stage has passed the second.
IMPLIED = [
    ("screened", "registered"),
    ("taken_up", "screened"),
    ("rejected", "screened"),
    ("at_zsm", "taken_up"),
    ("settled_zsm", "at_zsm"),
    ("terminated_early", "taken_up"),
    ("under_investigation", "taken_up"),
    ("solved", "under_investigation"),
    ("to_om", "solved"),
    ("om_decided", "to_om"),
    ("om_summons", "om_decided"),
    ("convicted", "om_summons"),
    ("acquitted", "om_summons"),
]


@settings(max_examples=60, deadline=None)
@given(populations())
def test_random_legal_paths(specs: list[Spec]) -> None:
    cases, events = frames(specs)
    stages = case_stages(cases, events)
    for spec, row in zip(specs, stages.iter_rows(named=True), strict=True):
        assert {s for s in STAGE_NAMES if row[s]} == oracle(spec), spec.moves
    for row in funnel(cases, events, by="offence_class", period="quarter").iter_rows(named=True):
        for later, earlier in IMPLIED:
            assert row[later] <= row[earlier], (later, earlier)
        assert row["rejected"] + row["taken_up"] == row["screened"]
        decisions = row["om_summons"] + row["om_strafbeschikking"] + row["om_dismissal"]
        assert decisions == row["om_decided"]
        assert row["convicted"] + row["acquitted"] <= row["om_summons"]
        for name, parent in STAGES:
            if parent is not None and row[parent]:
                assert 0.0 <= row[f"{name}_rate"] <= 1.0
    # the levels add up to national, stage by stage
    national = funnel(cases, events).select(STAGE_NAMES).sum()
    for level in ("unit", "base_team", "neighbourhood"):
        assert funnel(cases, events, level=level).select(STAGE_NAMES).sum().equals(national)
    times = lead_times(cases, events, level="municipality", by="category")
    assert (times["screened_in_time"] <= times["screened"]).all()
    assert (times["zsm_in_time"] <= times["zsm_decided"]).all()
    assert (times["zsm_decided"] <= times["zsm_visits"]).all()
    # terminations: the reason counts add up to the terminated cases
    table = terminations(cases, events, level="district")
    for _, group in table.group_by("period", "region"):
        assert group.get_column("count").sum() == group.get_column("terminated")[0]


# --------------------------------------------------------------------------- terminations


def test_termination_shares() -> None:
    specs = [
        Spec(1, PATHS["terminated"]),  # insufficient leads
        Spec(2, PATHS["investigation_terminated"]),  # insufficient leads
        Spec(3, PATHS["terminated_twice"]),  # capacity, then suspect unknown: counts the last
        *(Spec(i, PATHS["taken_up"]) for i in range(4, 8)),
        *(Spec(i, PATHS["rejected"]) for i in range(8, 13)),
        Spec(13),  # not screened: not "assessed"
    ]
    table = terminations(*frames(specs))
    assert table.get_column("reason").to_list() == list(TERMINATION_REASONS)
    assert set(table.get_column("screened")) == {12}
    assert set(table.get_column("terminated")) == {3}
    assert table.get_column("terminated_share")[0] == pytest.approx(3 / 12)
    counts = dict(table.select("reason", "count").iter_rows())
    assert counts == {
        "insufficient_leads": 2,
        "suspect_unknown": 1,
        "better_intervention": 0,
        "victim_withdrew": 0,
        "capacity": 0,
    }
    shares = dict(table.select("reason", "share").iter_rows())
    assert shares["insufficient_leads"] == pytest.approx(2 / 3)


def test_terminations_group_without_terminations() -> None:
    table = terminations(*frames([Spec(1, PATHS["taken_up"]), Spec(2)]), by="offence_class")
    assert table.height == len(TERMINATION_REASONS)
    assert table.get_column("count").sum() == 0
    assert table.get_column("share").null_count() == table.height
    assert table.get_column("terminated_share")[0] == 0.0


# --------------------------------------------------------------------------- lead times


def screened_at(case_id: int, reported: datetime, screened: datetime) -> Spec:
    hours = (screened - reported).total_seconds() / 3600
    return Spec(case_id, [(A.TAKE_UP, "", hours)], reported_at=reported)


@pytest.mark.parametrize(
    ("reported", "deadline"),
    [
        # Monday: Tue, Wed, Thu
        (datetime(2019, 3, 4, 10), datetime(2019, 3, 7, 10)),
        # Friday evening: Mon, Tue, Wed
        (datetime(2019, 3, 8, 20), datetime(2019, 3, 13, 20)),
        # Saturday counts from Monday
        (datetime(2019, 3, 9, 11), datetime(2019, 3, 13, 11)),
        # Christmas: Tue 24, (25, 26 holidays, weekend) Fri 27, Mon 30
        (datetime(2019, 12, 23, 10), datetime(2019, 12, 30, 10)),
        # Koningsdag on Saturday 27 April 2019 is no extra day off; Easter Monday 22 April is
        (datetime(2019, 4, 19, 9), datetime(2019, 4, 25, 9)),
        # Ascension Thursday 30 May 2019
        (datetime(2019, 5, 28, 15), datetime(2019, 6, 3, 15)),
        # 5 mei (Tuesday in 2020): Wed, Thu, Fri
        (datetime(2020, 5, 4, 10), datetime(2020, 5, 8, 10)),
    ],
)
def test_screening_deadline_working_days(reported: datetime, deadline: datetime) -> None:
    minute = timedelta(minutes=1)
    specs = [screened_at(1, reported, deadline), screened_at(2, reported, deadline + minute)]
    row = lead_times(*frames(specs)).row(0, named=True)
    assert row["screened"] == 2
    assert row["screened_in_time"] == 1
    assert row["screened_in_time_share"] == pytest.approx(0.5)


def test_screening_deadline_on_aware_utc_input() -> None:
    """An aware report time is converted to Amsterdam before the working days are counted:
    Sunday 23:30 UTC is Monday 01:30 in Amsterdam (summer time), due Thursday 01:30 local =
    Wednesday 23:30 UTC (counted from Sunday it would be due Wednesday 23:30 local)."""
    reported = datetime(2019, 6, 2, 23, 30, tzinfo=UTC)
    cases, events = frames(
        [
            screened_at(1, reported, datetime(2019, 6, 5, 23, 29, tzinfo=UTC)),
            screened_at(2, reported, datetime(2019, 6, 5, 23, 31, tzinfo=UTC)),
        ]
    )
    row = lead_times(cases, events).row(0, named=True)
    assert row["screened_in_time"] == 1


def test_screening_hours() -> None:
    specs = [screened_at(i, MONDAY, MONDAY + timedelta(hours=h)) for i, h in enumerate([2, 4, 30])]
    specs.append(Spec(10))  # not screened: not in the lead time
    row = lead_times(*frames(specs)).row(0, named=True)
    assert row["registered"] == 4 and row["screened"] == 3
    assert row["screening_hours_median"] == pytest.approx(4.0)
    assert row["screening_hours_p90"] == pytest.approx(4 + 0.8 * 26)


def test_zsm_within_six_hours() -> None:
    specs = [
        Spec(1, [TAKE, (A.TO_ZSM, "", 1.0), (A.ZSM_SETTLE, "halt", 6.0)]),  # exactly 6 h
        Spec(2, [TAKE, (A.TO_ZSM, "", 1.0), (A.ZSM_RETURN, "incomplete_file", 6.5)]),
        Spec(3, [TAKE, (A.TO_ZSM, "", 1.0)]),  # pending: not decided
        # two visits of one case: 2 h and 1 h
        Spec(
            4,
            [
                TAKE,
                (A.TO_ZSM, "", 1.0),
                (A.ZSM_RETURN, "more_investigation", 2.0),
                INVESTIGATE,
                SOLVE,
                (A.TO_ZSM, "", 1.0),
                (A.ZSM_SETTLE, "mediation", 1.0),
            ],
        ),
    ]
    row = lead_times(*frames(specs)).row(0, named=True)
    assert row["zsm_visits"] == 5
    assert row["zsm_decided"] == 4
    assert row["zsm_in_time"] == 3
    assert row["zsm_in_time_share"] == pytest.approx(0.75)
    assert row["zsm_hours_median"] == pytest.approx(4.0)


def test_zsm_elapsed_time_across_dst() -> None:
    """The night the clocks go forward: 00:30 to 06:45 local is 5 h 15 elapsed."""
    cases, events = frames([Spec(1, PATHS["zsm_settled"], reported_at=datetime(2019, 3, 30, 23))])
    events = events.with_columns(
        pl.when(pl.col("action") == "to_zsm")
        .then(datetime(2019, 3, 31, 0, 30))
        .when(pl.col("action") == "zsm_settle")
        .then(datetime(2019, 3, 31, 6, 45))
        .otherwise(pl.col("at"))
        .alias("at")
    )
    row = lead_times(cases, events).row(0, named=True)
    assert row["zsm_hours_median"] == pytest.approx(5.25)
    assert row["zsm_in_time"] == 1


def test_days_to_om() -> None:
    specs = [Spec(1, PATHS["with_om"]), Spec(2, PATHS["convicted"]), Spec(3, PATHS["solved"])]
    row = lead_times(*frames(specs)).row(0, named=True)
    assert row["to_om"] == 2
    assert row["days_to_om_median"] == pytest.approx((20 + 24 + 100 + 48) / 24)
    assert lead_times(*frames([Spec(1)])).row(0, named=True)["days_to_om_median"] is None


def test_lead_times_grouping() -> None:
    specs = [
        Spec(1, PATHS["taken_up"], regions=REGIONS),
        Spec(2, PATHS["taken_up"], regions=(None,) * 5),
    ]
    table = lead_times(*frames(specs), level="base_team", by="category")
    assert table.select("region", "screened").rows() == [("B1", 1), (UNKNOWN_REGION, 1)]


# --------------------------------------------------------------------------- standing report


def test_standing_report_year_on_year() -> None:
    last_year = datetime(2018, 5, 1, 10)
    specs = [
        # 2019: 10 assessed, 2 terminated (1 insufficient leads), 1 of them VVC
        Spec(1, PATHS["terminated"], offence_class="vvc"),
        Spec(2, PATHS["investigation_terminated"], offence_class="hic"),
        Spec(3, PATHS["terminated_twice"], offence_class="other", reported_at=last_year),
        *(Spec(i, PATHS["rejected"], offence_class="vvc") for i in range(4, 8)),
        *(Spec(i, PATHS["taken_up"], offence_class="undermining") for i in range(8, 10)),
        Spec(10, PATHS["convicted"], offence_class="hic"),
        Spec(11, PATHS["acquitted"], offence_class="vvc"),
        Spec(12, PATHS["summoned"], offence_class="vvc"),  # awaiting the court
        Spec(13),
        # 2018: 4 assessed, 1 terminated (case 3)
        *(Spec(i, PATHS["taken_up"], reported_at=last_year) for i in range(14, 17)),
    ]
    report = standing_report(*frames(specs), year=2019)
    assert report["year"] == 2019 and report["previous_year"] == 2018
    now, before = report["current"], report["previous"]
    assert now["registered"] == 12 and now["assessed"] == 11
    assert now["terminated"] == 2
    assert now["terminated_early_share"] == pytest.approx(2 / 11)
    assert now["termination_insufficient_leads_share"] == pytest.approx(1.0)
    assert now["termination_reasons"]["insufficient_leads"] == 2
    assert now["termination_vvc_share"] == pytest.approx(0.5)
    assert before["terminated_early_share"] == pytest.approx(1 / 4)
    assert before["termination_reasons"]["suspect_unknown"] == 1
    assert report["change"]["terminated_early_share"] == pytest.approx(2 / 11 - 1 / 4)
    # VVC vs HIC
    vvc, hic = now["by_offence_class"]["vvc"], now["by_offence_class"]["hic"]
    assert vvc["assessed"] == 7 and vvc["rejected_first_screening"] == 4
    assert vvc["rejected_first_share"] == pytest.approx(4 / 7)
    assert vvc["rejected_first_insufficient_leads_share"] == pytest.approx(4 / 7)
    assert hic["terminated_early_share"] == pytest.approx(1 / 2)
    assert now["vvc_vs_hic"]["vvc_terminated_early_share"] == pytest.approx(1 / 7)
    # base teams (vvc, other) vs district detectives (hic, undermining)
    teams = now["by_team_type"]
    assert teams["base_teams"]["assessed"] == 7 and teams["district_detectives"]["assessed"] == 4
    assert teams["district_detectives"]["share_of_terminations"] == pytest.approx(0.5)
    # conviction share of summoned cases with a verdict
    assert now["summoned"] == 3 and now["summoned_decided"] == 2
    assert now["conviction_share"] == pytest.approx(0.5)
    assert before["conviction_share"] is None
    assert report["change"]["conviction_share"] is None
    assert "hic" in report["definitions"]["district_detectives"]


def test_standing_report_empty_year() -> None:
    report = standing_report(*frames([Spec(1, PATHS["terminated"])]), year=2030)
    assert report["current"]["registered"] == 0
    assert report["current"]["terminated_early_share"] is None
    with pytest.raises(ValueError, match="year"):
        standing_report(*frames([Spec(1)]), year="2019")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- validation


def test_validation_accepts_other_integer_and_string_types() -> None:
    cases, events = all_paths()
    cases = cases.with_columns(
        pl.col("case_id").cast(pl.Int32),
        pl.col("offence_class").cast(pl.Categorical),
        pl.lit(None).alias("neighbourhood"),
        pl.col("reported_at").dt.cast_time_unit("ms"),
    )
    events = events.with_columns(pl.col("seq").cast(pl.UInt16), pl.lit(None).alias("reason"))
    # a null reason is no reason: only the moves that need none may lack one
    events = events.filter(pl.col("case_id") == 5)  # taken_up only
    cases = cases.filter(pl.col("case_id") <= 5).with_columns(
        pl.when(pl.col("case_id") == 5)
        .then(pl.lit("taken_up"))
        .otherwise(pl.lit("registered"))
        .alias("state")
    )
    checked, _ = validate(cases, events)
    assert checked.schema["case_id"] == pl.Int64
    assert checked.schema["neighbourhood"] == pl.String


def _broken(change: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    cases, events = all_paths()
    match change:
        case "missing":
            return cases.drop("offence_class"), events
        case "dtype":
            return cases.with_columns(pl.col("case_id").cast(pl.String)), events
        case "datetime":
            return cases, events.with_columns(pl.col("at").dt.date())
        case "null":
            return cases.with_columns(pl.lit(None, pl.String).alias("category_code")), events
        case "duplicate_case":
            return pl.concat([cases, cases.head(1)]), events
        case "offence_class":
            return cases.with_columns(pl.lit("petty").alias("offence_class")), events
        case "state":
            return cases.with_columns(pl.lit("lost").alias("state")), events
        case "duplicate_event":
            return cases, pl.concat([events, events.head(1)])
        case "action":
            return cases, events.with_columns(pl.lit("shred").alias("action"))
        case "unknown_case":
            return cases.filter(pl.col("case_id") != 5), events
        case "illegal":
            return cases, events.with_columns(
                pl.when(pl.col("action") == "take_up")
                .then(pl.lit("under_investigation"))
                .otherwise(pl.col("to_state"))
                .alias("to_state")
            )
        case "chain":
            # the first move of a case is lost: its history starts from taken_up
            return cases, events.filter(~((pl.col("case_id") == 6) & (pl.col("seq") == 1)))
        case "end_state":
            return cases.with_columns(pl.lit("registered").alias("state")), events
        case "reason":
            return cases, events.with_columns(
                pl.when(pl.col("action") == "terminate")
                .then(pl.lit("bored"))
                .otherwise(pl.col("reason"))
                .alias("reason")
            )
        case "court":
            return cases, events.with_columns(
                pl.when(pl.col("action") == "om_decide")
                .then(pl.lit("strafbeschikking"))
                .otherwise(pl.col("reason"))
                .alias("reason")
            )
        case "dst_gap":
            return cases.with_columns(pl.lit(datetime(2019, 3, 31, 2, 30)).alias("reported_at")), (
                events
            )
    raise AssertionError(change)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("missing", "missing column.*offence_class"),
        ("dtype", "'case_id' must be an integer"),
        ("datetime", "'at' must be a Datetime"),
        ("null", "null values not allowed in: category_code"),
        ("duplicate_case", "duplicate case_id"),
        ("offence_class", "unknown offence_class"),
        ("state", "unknown state"),
        ("duplicate_event", r"duplicate \(case_id, seq\)"),
        ("action", "unknown action"),
        ("unknown_case", "case_id not in cases"),
        ("illegal", "not in the flow"),
        ("chain", "chain from 'registered'"),
        ("end_state", "state differs"),
        ("reason", "'terminate' needs a reason"),
        ("court", "court outcome without a summons"),
        ("dst_gap", "does not exist"),
    ],
)
def test_validation_errors(change: str, message: str) -> None:
    cases, events = _broken(change)
    with pytest.raises(ValueError, match=message):
        funnel(cases, events)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"level": "province"}, "level must be one of"),
        ({"period": "week"}, "period must be one of"),
        ({"by": "colour"}, "by must be one of"),
    ],
)
def test_argument_errors(kwargs: dict[str, str], message: str) -> None:
    for function in (funnel, terminations, lead_times):
        with pytest.raises(ValueError, match=message):
            function(*all_paths(), **kwargs)  # type: ignore[arg-type]


def test_not_a_dataframe() -> None:
    with pytest.raises(ValueError, match="Polars DataFrames"):
        funnel([], [])  # type: ignore[arg-type]


def test_empty_frames() -> None:
    cases, events = frames([])
    assert funnel(cases, events).is_empty()
    assert terminations(cases, events).is_empty()
    assert lead_times(cases, events).is_empty()


# --------------------------------------------------------------------------- synthetic flow


@dataclass(frozen=True)
class Synthetic:
    entries: list[RegistrationEntry]
    histories: list[CaseHistory]
    cases: pl.DataFrame
    events: pl.DataFrame


def offence_class_of(history: CaseHistory) -> str:
    """The generator's flags as one class. VVC first: :func:`summarise` counts a case as VVC
    by its flag, and the offence mix marks burglary and some sexual offences both VVC and
    high impact (Regie's framework classes those ``hic``); VVC first keeps the two
    computations on the same definition."""
    if history.vvc:
        return "vvc"
    if history.undermining:
        return "undermining"
    return "hic" if history.high_impact else "other"


def synthetic_frames(
    entries: Sequence[RegistrationEntry], histories: Sequence[CaseHistory]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    case_rows: list[dict[str, Any]] = []
    event_rows: list[dict[str, Any]] = []
    for case_id, (entry, history) in enumerate(zip(entries, histories, strict=True), start=1):
        state = State.REGISTERED
        for seq, step in enumerate(history.steps, start=1):
            t = transition_for(state, step.action)
            assert t is not None
            event_rows.append(
                {
                    "case_id": case_id,
                    "seq": seq,
                    "action": step.action.value,
                    "from_state": state.value,
                    "to_state": t.target.value,
                    "at": step.at.astimezone(UTC),
                    "actor_role": step.role,
                    "reason": reason_code(step.fields),
                }
            )
            state = t.target
        case_rows.append(
            {
                "case_id": case_id,
                "reported_at": entry.reported_at.astimezone(UTC),
                "category_code": entry.offences[0].category_code,
                "offence_class": offence_class_of(history),
                "offence_group": history.group,
                "state": history.final_state.value,
                "unit": None,
                "district": None,
                "base_team": None,
                "municipality": entry.municipality_code,
                "neighbourhood": entry.neighbourhood_code,
            }
        )
    moment = pl.Datetime("us", "UTC")
    return (
        pl.DataFrame(case_rows, schema={**CASE_SCHEMA, "reported_at": moment}),
        pl.DataFrame(event_rows, schema={**EVENT_SCHEMA, "at": moment}),
    )


@pytest.fixture(scope="module")
def synthetic() -> Synthetic:
    municipalities, neighbourhoods = inputs_from_reference(load_reference())
    config = GeneratorConfig(
        start=date(2018, 1, 1),
        end=date(2019, 12, 31),
        municipality_codes=frozenset({"GM0307", "GM0310"}),
        annual_national_volume=300_000,
        seed=11,
    )
    entries = list(RegistrationGenerator(config, municipalities, neighbourhoods))
    generator = FlowGenerator(seed=5, now=datetime(2021, 6, 1, tzinfo=UTC))
    histories = [generator.simulate(e) for e in entries]
    return Synthetic(entries, histories, *synthetic_frames(entries, histories))


#: The report's figure for each of flow_gen.summarise's rates.
AGREEMENT: dict[str, Callable[[dict[str, Any]], float | None]] = {
    "terminated_early_share": lambda r: r["terminated_early_share"],
    "termination_insufficient_leads_share": lambda r: r["termination_insufficient_leads_share"],
    "termination_vvc_share": lambda r: r["termination_vvc_share"],
    "conviction_share": lambda r: r["conviction_share"],
    "solved_share_investigated": lambda r: r["solved_share_investigated"],
    "vvc_rejected_share": lambda r: r["by_offence_class"]["vvc"]["rejected_first_share"],
    "vvc_rejected_insufficient_leads_share": lambda r: r["by_offence_class"]["vvc"][
        "rejected_first_insufficient_leads_share"
    ],
}


def test_standing_report_reproduces_flow_gen_summary(synthetic: Synthetic) -> None:
    assert 3000 <= len(synthetic.entries) <= 20_000
    report = standing_report(synthetic.cases, synthetic.events, year=2019)
    for year, block in ((2019, report["current"]), (2018, report["previous"])):
        cohort = [
            h
            for e, h in zip(synthetic.entries, synthetic.histories, strict=True)
            if e.reported_at.astimezone(AMSTERDAM).year == year
        ]
        expected = summarise(cohort)
        assert block["registered"] == expected["cases"] > 1000
        assert block["assessed"] == expected["assessed"]
        assert block["terminated"] == expected["terminated"]
        assert block["summoned_decided"] == expected["summoned_decided"]
        differences = {
            name: abs(figure(block) - expected[name]) for name, figure in AGREEMENT.items()
        }
        print(f"\n{year}: report vs summarise, largest difference {max(differences.values())}")
        assert all(d <= 0.005 for d in differences.values()), differences
        # and the source's picture itself
        assert 0.02 <= block["terminated_early_share"] <= 0.045
        assert 0.6 <= block["termination_insufficient_leads_share"] <= 0.9
    change = report["change"]["terminated_early_share"]
    assert change == pytest.approx(
        report["current"]["terminated_early_share"] - report["previous"]["terminated_early_share"]
    )


def test_synthetic_funnel_and_lead_times(synthetic: Synthetic) -> None:
    cases, events = synthetic.cases, synthetic.events
    national = funnel(cases, events)
    row = national.filter(pl.col("period") == "2019").row(0, named=True)
    for later, earlier in IMPLIED:
        assert row[later] <= row[earlier]
    for level in ("base_team", "municipality", "neighbourhood"):
        per_level = funnel(cases, events, level=level).select(STAGE_NAMES).sum()
        assert per_level.equals(national.select(STAGE_NAMES).sum())
    times = lead_times(cases, events).filter(pl.col("period") == "2019").row(0, named=True)
    # the generator screens ~10 % later than 3 working days and decides ~88 % of ZSM in 6 h
    assert 0.8 <= times["screened_in_time_share"] <= 0.95
    assert 0.8 <= times["zsm_in_time_share"] <= 0.95
    assert times["days_to_om_median"] > 14
