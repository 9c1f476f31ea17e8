"""Tests for regie.synth.flow_gen (pure Python, no Django, no database).

One district-year of registrations (five municipalities around Utrecht, ~20k) is generated once
per module and driven through the flow; hand-built entries test the derived leads.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
import pytest

from regie.organisation.geodata import load_reference
from regie.selection import flow
from regie.selection.leads import LEAD_NAMES, OFFENCE_GROUPS
from regie.synth.flow_gen import (
    AMSTERDAM,
    TRUE_COEFFICIENTS,
    TRUE_INTERCEPTS,
    CaseHistory,
    FlowGenerator,
    derive_leads,
    is_undermining,
    solve_probability,
    summarise,
)
from regie.synth.registrations_gen import (
    GeneratorConfig,
    GoodEntry,
    Involvement,
    OffenceEntry,
    PersonEntry,
    RegistrationEntry,
    RegistrationGenerator,
    inputs_from_reference,
    load_offence_mix,
)

DISTRICT = frozenset({"GM0307", "GM0310", "GM0321", "GM0355", "GM0356"})
NOW = datetime(2021, 6, 1, tzinfo=UTC)
MIDYEAR = datetime(2019, 7, 1, 12, tzinfo=UTC)
SEED = 5


def linked(entry: RegistrationEntry) -> bool:
    """A stable 10 % of the cases share a core object with another case."""
    return hashlib.sha256(entry.key.encode()).digest()[0] < 26


@dataclass(frozen=True)
class Simulated:
    entries: list[RegistrationEntry]
    histories: list[CaseHistory]


@pytest.fixture(scope="module")
def entries() -> list[RegistrationEntry]:
    municipalities, neighbourhoods = inputs_from_reference(load_reference())
    config = GeneratorConfig(
        start=date(2019, 1, 1), end=date(2019, 12, 31), municipality_codes=DISTRICT, seed=11
    )
    return list(RegistrationGenerator(config, municipalities, neighbourhoods))


@pytest.fixture(scope="module")
def simulated(entries: list[RegistrationEntry]) -> Simulated:
    generator = FlowGenerator(seed=SEED, now=NOW)
    histories = [generator.simulate(e, linked_case=linked(e)) for e in entries]
    return Simulated(entries, histories)


@pytest.fixture(scope="module")
def summary(simulated: Simulated) -> dict[str, Any]:
    result = summarise(simulated.histories)
    print("\nflow_gen summary:", {k: round(v, 4) for k, v in result.items()})
    return result


# --------------------------------------------------------------------------- hand-built entries


def person(key: str, born: date | None = date(1980, 5, 5)) -> PersonEntry:
    return PersonEntry(key, "Jan", "", "Jansen", born, None, "NL")


def good(**ids: str) -> GoodEntry:
    values: dict[str, str | None] = {
        "frame_number": None,
        "plate": None,
        "imei": None,
        "serial_number": None,
    }
    values.update(ids)
    return GoodEntry("g1", "bicycle", "Gazelle", "fiets", **values)


def entry(
    *involvements: Involvement,
    kind: str = "aangifte",
    code: tuple[str, str] = ("A72", "1.2.3"),
    damage: Decimal | None = None,
    key: str = "case-1",
    reported: datetime | None = None,
) -> RegistrationEntry:
    occurred = datetime(2019, 3, 4, 10, tzinfo=AMSTERDAM)
    return RegistrationEntry(
        key=key,
        kind=kind,
        occurred_from=occurred,
        occurred_to=occurred,
        reported_at=reported or occurred + timedelta(hours=2),
        x=136000.0,
        y=455000.0,
        municipality_code="GM0344",
        neighbourhood_code="BU03440000",
        channel="desk",
        narrative="",
        damage_eur=damage,
        offences=(OffenceEntry(code[0], code[1], False),),
        involvements=tuple(involvements),
    )


def test_derive_leads_nothing() -> None:
    leads = derive_leads(entry(Involvement("reporter", person=person("p1"))))
    assert set(leads) == {
        "known_suspect",
        "caught_in_act",
        "witness",
        "traceable_good",
        "linked_case",
        "damage_above_threshold",
        "vulnerable_victim",
    }
    assert not any(leads.values())


def test_derive_leads_known_suspect_and_caught_in_act() -> None:
    suspect = derive_leads(entry(Involvement("suspect", person=person("s"))))
    assert suspect["known_suspect"] and not suspect["caught_in_act"]
    arrested = derive_leads(entry(Involvement("arrested", person=person("s"))))
    assert arrested["known_suspect"] and arrested["caught_in_act"]
    arrest_kind = derive_leads(entry(kind="aanhouding"))
    assert arrest_kind["known_suspect"] and arrest_kind["caught_in_act"]


def test_derive_leads_witness() -> None:
    assert derive_leads(entry(Involvement("witness", person=person("w"))))["witness"]
    assert not derive_leads(entry(Involvement("victim", person=person("v"))))["witness"]


@pytest.mark.parametrize("field", ["frame_number", "plate", "imei", "serial_number"])
def test_derive_leads_traceable_good(field: str) -> None:
    assert derive_leads(entry(Involvement("stolen_good", good=good(**{field: "X1"}))))[
        "traceable_good"
    ]


def test_derive_leads_untraceable_or_found_good() -> None:
    assert not derive_leads(entry(Involvement("stolen_good", good=good())))["traceable_good"]
    found = Involvement("found_good", good=good(frame_number="X1"))
    assert not derive_leads(entry(found))["traceable_good"]


def test_derive_leads_damage_threshold() -> None:
    assert derive_leads(entry(damage=Decimal(1000)))["damage_above_threshold"]
    assert not derive_leads(entry(damage=Decimal("999.99")))["damage_above_threshold"]
    assert not derive_leads(entry(damage=None))["damage_above_threshold"]
    low = derive_leads(entry(damage=Decimal(300)), damage_threshold=Decimal(250))
    assert low["damage_above_threshold"]


@pytest.mark.parametrize(
    ("born", "vulnerable"),
    [
        (date(2001, 3, 5), True),  # 17 on 2019-03-04
        (date(2001, 3, 4), False),  # 18 that day
        (date(1944, 3, 5), False),  # 74
        (date(1944, 3, 4), True),  # 75 that day
        (None, False),
    ],
)
def test_derive_leads_vulnerable_victim(born: date | None, vulnerable: bool) -> None:
    victim = Involvement("victim", person=person("v", born))
    assert derive_leads(entry(victim))["vulnerable_victim"] is vulnerable
    # a young witness or suspect does not count
    other = Involvement("witness", person=person("w", born))
    assert not derive_leads(entry(other))["vulnerable_victim"]


def test_derive_leads_linked_case() -> None:
    assert derive_leads(entry(), linked_case=True)["linked_case"]
    assert not derive_leads(entry())["linked_case"]


def test_undermining() -> None:
    assert is_undermining("3.1.1") and is_undermining("3.1.3") and is_undermining("1.6.3")
    assert not is_undermining("1.6.2") and not is_undermining("3.2.1")


def test_true_model_documented() -> None:
    assert set(TRUE_COEFFICIENTS) == set(LEAD_NAMES)
    assert set(TRUE_INTERCEPTS) == set(OFFENCE_GROUPS)
    assert all(c > 0 for c in TRUE_COEFFICIENTS.values())
    no_leads = dict.fromkeys(LEAD_NAMES, False)
    expected = 1 / (1 + math.exp(-TRUE_INTERCEPTS["burglary"] - 1.4))
    leads = {**no_leads, "forensic_traces": True}
    assert solve_probability("burglary", leads) == pytest.approx(expected)


def test_naive_now_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        FlowGenerator(seed=1, now=datetime(2020, 1, 1))


def test_hand_built_arrest_goes_to_zsm() -> None:
    arrest = entry(
        Involvement("suspect", person=person("s")),
        Involvement("arrested", person=person("s")),
        kind="aanhouding",
        code=("A50", "2.5.2"),
    )
    history = FlowGenerator(seed=1, now=NOW).simulate(arrest)
    actions = [s.action for s in history.steps]
    assert actions[:2] == [flow.Action.TAKE_UP, flow.Action.TO_ZSM]
    assert history.leads["caught_in_act"] and history.leads["known_suspect"]
    assert history.steps[0].at - arrest.reported_at < timedelta(hours=4)


# --------------------------------------------------------------------------- replay


def replay(history: CaseHistory) -> flow.State:
    """Replay a history through flow.check, as the service would; return the end state."""
    state = flow.State.REGISTERED
    summoned = False
    has_suspect = history.leads["known_suspect"]
    for step in history.steps:
        fields: dict[str, Any] = dict(step.fields)
        if step.action is flow.Action.INVESTIGATE:
            assert "investigator" not in fields
            fields["investigator"] = "inv-1"
        if step.action is flow.Action.SOLVE and history.suspect_found:
            has_suspect = True  # the caller adds the suspect found
        # The investigator who takes each step is the one assigned (the caller sees to it).
        context = {
            "has_suspect": has_suspect,
            "summoned": summoned,
            "advice": None,
            "is_assignee": True,
        }
        checked = flow.check(state, step.action, step.role, fields, context)
        state = checked.transition.target
        if step.action is flow.Action.OM_DECIDE:
            summoned = step.fields["om_decision"] == "summons"
    return state


def test_every_history_replays_legally(simulated: Simulated) -> None:
    assert len(simulated.histories) > 15_000
    for e, h in zip(simulated.entries, simulated.histories, strict=True):
        assert replay(h) is h.final_state, e.key
        assert set(h.leads) == set(LEAD_NAMES)
        if h.suspect_found:
            assert not h.leads["known_suspect"]
            assert flow.Action.SOLVE in [s.action for s in h.steps]


def test_timestamps(simulated: Simulated) -> None:
    for e, h in zip(simulated.entries, simulated.histories, strict=True):
        previous = e.reported_at
        for step in h.steps:
            assert step.at.tzinfo is not None
            assert step.at > previous, e.key
            assert step.at <= NOW
            previous = step.at


def test_timing_picture(simulated: Simulated) -> None:
    late, screened, zsm, zsm_fast, investigations = 0, 0, 0, 0, []
    for e, h in zip(simulated.entries, simulated.histories, strict=True):
        if not h.steps:
            continue
        first = h.steps[0]
        if not h.leads["caught_in_act"]:
            screened += 1
            working_days = int(np.busday_count(e.reported_at.date(), first.at.date()))
            late += working_days > 3
            assert first.at.weekday() < 5 and 8 <= first.at.hour < 18
        for before, step in zip(h.steps, h.steps[1:], strict=False):
            if step.action in (flow.Action.ZSM_SETTLE, flow.Action.ZSM_RETURN):
                zsm += 1
                zsm_fast += step.at - before.at < timedelta(hours=6)
            if step.action is flow.Action.SOLVE:
                investigations.append((step.at - before.at).days)
    assert 0.05 < late / screened < 0.15
    assert 0.8 < zsm_fast / zsm < 0.95
    assert 7 <= float(np.median(investigations)) <= 60


# --------------------------------------------------------------------------- determinism, now


def test_deterministic(simulated: Simulated) -> None:
    sample = simulated.entries[::50]
    again = FlowGenerator(seed=SEED, now=NOW)
    # another order gives the same histories: they depend on (seed, key) only
    redone = {e.key: again.simulate(e, linked_case=linked(e)) for e in reversed(sample)}
    for e, h in zip(simulated.entries[::50], simulated.histories[::50], strict=True):
        assert redone[e.key] == h
    other = FlowGenerator(seed=SEED + 1, now=NOW)
    differ = sum(
        other.simulate(e, linked_case=linked(e)) != h
        for e, h in zip(sample, simulated.histories[::50], strict=True)
    )
    assert differ > len(sample) // 3


def test_now_cuts_histories_off(simulated: Simulated) -> None:
    generator = FlowGenerator(seed=SEED, now=MIDYEAR)
    open_recent = 0
    recent = 0
    for e, full in zip(simulated.entries, simulated.histories, strict=True):
        cut = generator.simulate(e, linked_case=linked(e))
        assert all(s.at <= MIDYEAR for s in cut.steps)
        # the same path, only shorter
        assert cut.steps == full.steps[: len(cut.steps)]
        assert cut.leads == full.leads
        assert cut.solved_if_investigated == full.solved_if_investigated
        if e.reported_at > MIDYEAR:
            assert cut.steps == () and cut.final_state is flow.State.REGISTERED
        elif MIDYEAR - timedelta(days=30) < e.reported_at:
            recent += 1
            open_recent += cut.final_state not in flow.FINAL_STATES
        assert replay(cut) is cut.final_state
        solved_once = flow.Action.SOLVE in [s.action for s in cut.steps]
        assert cut.suspect_found is (solved_once and not cut.leads["known_suspect"])
    assert recent > 500
    assert open_recent / recent > 0.3  # recent cases are still open


# --------------------------------------------------------------------------- the picture


def test_vvc_rejected_at_first_screening(summary: dict[str, Any]) -> None:
    assert 0.40 <= summary["vvc_rejected_share"] <= 0.60
    # nearly all of it for insufficient leads
    assert summary["vvc_rejected_insufficient_leads"] / summary["vvc_rejected"] > 0.85


def test_terminated_early(summary: dict[str, Any], simulated: Simulated) -> None:
    assert 0.02 <= summary["terminated_early_share"] <= 0.045
    assert 0.65 <= summary["termination_insufficient_leads_share"] <= 0.85
    assert summary["termination_vvc_share"] > 0.5
    groups = Counter(
        h.group for h in simulated.histories if h.final_state is flow.State.TERMINATED_EARLY
    )
    typical = groups["bicycle_theft"] + groups["shoplifting"] + groups["fraud"]
    assert typical / sum(groups.values()) > 0.35


def test_conviction_of_summoned(summary: dict[str, Any]) -> None:
    assert summary["summoned_decided"] > 500
    assert 0.90 <= summary["conviction_share"] <= 0.96


def test_high_impact_and_undermining_always_taken_up(
    simulated: Simulated, summary: dict[str, Any]
) -> None:
    assert summary["high_impact_rejected"] == 0
    mix = {row.incident_code: row for row in load_offence_mix()}
    priority = 0
    for e, h in zip(simulated.entries, simulated.histories, strict=True):
        main = e.offences[0]
        if mix[main.incident_code].high_impact or is_undermining(main.category_code):
            priority += 1
            assert h.steps[0].action is flow.Action.TAKE_UP
            assert h.high_impact or h.undermining
    assert priority > 2000


def test_solved_rate_rises_with_leads(simulated: Simulated, summary: dict[str, Any]) -> None:
    assert 0.2 < summary["solved_share_investigated"] < 0.8
    by_count: dict[int, list[bool]] = {}
    for h in simulated.histories:
        actions = [s.action for s in h.steps]
        if flow.Action.INVESTIGATE in actions:
            solved = flow.Action.SOLVE in actions
            by_count.setdefault(min(sum(h.leads.values()), 3), []).append(solved)
            # an investigation ends in a solve only when the latent outcome says so
            assert not solved or h.solved_if_investigated
    rates = [float(np.mean(by_count[n])) for n in range(4)]
    assert rates == sorted(rates) and rates[3] - rates[0] > 0.3, rates


def fit_logistic(x: np.ndarray, y: np.ndarray, iterations: int = 25) -> np.ndarray:
    beta = np.zeros(x.shape[1])
    for _ in range(iterations):
        p = 1 / (1 + np.exp(-x @ beta))
        hessian = x.T @ (x * (p * (1 - p))[:, None]) + 1e-6 * np.eye(x.shape[1])
        beta += np.linalg.solve(hessian, x.T @ (y - p))
    return beta


def test_latent_outcome_follows_true_coefficients(simulated: Simulated) -> None:
    histories: Sequence[CaseHistory] = simulated.histories
    groups = list(OFFENCE_GROUPS)
    x = np.array(
        [
            [float(h.group == g) for g in groups] + [float(h.leads[n]) for n in LEAD_NAMES]
            for h in histories
        ]
    )
    y = np.array([float(h.solved_if_investigated) for h in histories])
    beta = fit_logistic(x, y)
    fitted = dict(zip(LEAD_NAMES, beta[len(groups) :], strict=True))
    for name, true in TRUE_COEFFICIENTS.items():
        tolerance = 0.8 if name == "vulnerable_victim" else 0.4
        assert abs(fitted[name] - true) < tolerance, (name, fitted[name], true)
    # and the true probabilities are what was drawn from
    p = np.array([h.solve_probability for h in histories])
    assert abs(float(p.mean()) - float(y.mean())) < 0.015


def test_summarise_small() -> None:
    empty = summarise([])
    assert empty["cases"] == 0 and empty["vvc_rejected_share"] == 0.0
    e = entry(code=("A72", "1.2.3"), reported=datetime(2019, 3, 4, 12, tzinfo=AMSTERDAM))
    h = FlowGenerator(seed=2, now=NOW).simulate(e)
    one = summarise([h, replace(h, steps=(), final_state=flow.State.REGISTERED)])
    assert one["cases"] == 2 and one["assessed"] == 1 and one["vvc_assessed"] == 1
