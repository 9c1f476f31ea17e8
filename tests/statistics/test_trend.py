"""Trend decomposition (pure module, no database).

Validated on :func:`simulate_series` with the source's figures: 2012-2019, an underlying decline
of 6 % a year, a multi-offence share that makes the July 2018 rule change add ~4 %, and an
April 2017 drop of 5 share points in the online share with a linear recovery over 24 months.

Stated tolerances (over 20 seeds):
- counting-rule effect: exactly the injected effect (it is arithmetic);
- online effect, total over 2017-2019: within 15 % (relative) of the truth in every seed, and
  the truth inside the 95 % interval in at least 80 % of the seeds;
- drop within 1 share point, recovery within 6 months of the truth;
- underlying annual change: within 1 percentage point of the truth;
- no break: the 95 % interval of the online total contains 0 in at least 80 % of the seeds.
"""

from __future__ import annotations

import re
from datetime import date

import numpy as np
import pytest

from regie.statistics.trend import (
    Decomposition,
    MonthlySeries,
    SimulationTruth,
    counting_rule_effect,
    decompose,
    online_effect,
    recovery_gap,
    simulate_series,
)

SEEDS = range(20)
WINDOW = (date(2017, 1, 1), date(2019, 12, 1))
ONLINE_TOLERANCE = 0.15
ANNUAL_TOLERANCE_PP = 1.0


@pytest.fixture(scope="module")
def runs() -> list[tuple[MonthlySeries, SimulationTruth, Decomposition]]:
    out = []
    for seed in SEEDS:
        series, truth = simulate_series(seed=seed)
        out.append((series, truth, decompose(series)))
    return out


def test_simulation_matches_the_source(
    runs: list[tuple[MonthlySeries, SimulationTruth, Decomposition]],
) -> None:
    series, truth, _ = runs[0]
    assert len(series.months) == 96
    assert series.months[0] == date(2012, 1, 1) and series.months[-1] == date(2019, 12, 1)
    assert truth.underlying_annual_change == pytest.approx(-0.06)
    rule_share = truth.counting_rule_effect[-12:].sum() / series.per_offence_array[-12:].sum()
    assert 0.02 < rule_share < 0.06  # "a few %"


def test_simulation_is_deterministic() -> None:
    a, ta = simulate_series(seed=7)
    b, tb = simulate_series(seed=7)
    assert a == b
    np.testing.assert_array_equal(ta.online_effect, tb.online_effect)


def test_counting_rule_effect_is_exact(
    runs: list[tuple[MonthlySeries, SimulationTruth, Decomposition]],
) -> None:
    for series, truth, dec in runs:
        np.testing.assert_array_equal(dec.counting_rule.effect, truth.counting_rule_effect)
        before = np.array([m < date(2018, 7, 1) for m in series.months])
        assert np.all(dec.counting_rule.effect[before] == 0)
        assert np.all(dec.counting_rule.effect[~before] > 0)
        np.testing.assert_allclose(
            dec.counting_rule.share[~before],
            dec.counting_rule.effect[~before] / series.per_offence_array[~before],
        )


def test_published_series_switches_rule() -> None:
    series, _ = simulate_series(seed=1)
    published = series.published()
    before = np.array([m < date(2018, 7, 1) for m in series.months])
    np.testing.assert_array_equal(published[before], series.heaviest_array[before])
    np.testing.assert_array_equal(published[~before], series.per_offence_array[~before])


def test_online_effect_recovered_within_tolerance(
    runs: list[tuple[MonthlySeries, SimulationTruth, Decomposition]],
) -> None:
    covered = 0
    for _, truth, dec in runs:
        est, lo, hi = dec.online.total(*WINDOW)
        true = truth.online_total(*WINDOW)
        assert true < 0 and lo <= est <= hi
        assert abs(est - true) <= ONLINE_TOLERANCE * abs(true), (est, true)
        covered += lo <= true <= hi
        assert abs(dec.online.drop - truth.online_drop) <= 0.01
        assert abs(dec.online.recovery - truth.recovery_months) <= 6
        # No effect before the break.
        before = np.array([m < date(2017, 4, 1) for m in truth.months])
        assert np.all(dec.online.effect[before] == 0)
    assert covered / len(runs) >= 0.8


def test_underlying_trend_recovered(
    runs: list[tuple[MonthlySeries, SimulationTruth, Decomposition]],
) -> None:
    for _, truth, dec in runs:
        error_pp = 100 * abs(dec.annual_change - truth.underlying_annual_change)
        assert error_pp <= ANNUAL_TOLERANCE_PP
        lo, hi = dec.annual_change_ci
        assert lo <= dec.annual_change <= hi
        assert np.all(dec.trend_lower <= dec.trend) and np.all(dec.trend <= dec.trend_upper)


def test_components_add_up(
    runs: list[tuple[MonthlySeries, SimulationTruth, Decomposition]],
) -> None:
    series, truth, dec = runs[3]
    n = len(series.months)
    for arr in (dec.published, dec.corrected, dec.trend, dec.fitted, dec.online.effect):
        assert arr.shape == (n,)
    np.testing.assert_allclose(
        dec.published, dec.corrected + dec.counting_rule.effect + dec.online.effect
    )
    # The corrected series is close to the underlying crime that was injected.
    rel = np.abs(dec.corrected - truth.underlying) / truth.underlying
    assert float(rel.max()) < 0.03


def test_reproduces_the_ministers_reasoning(
    runs: list[tuple[MonthlySeries, SimulationTruth, Decomposition]],
) -> None:
    _, _, dec = runs[0]
    # The published series falls less in 2018-2019 than the underlying 6 %: both effects push up.
    assert dec.counting_rule_yoy[2018] > 0 and dec.counting_rule_yoy[2019] > 0
    assert dec.online_yoy[2019] > 0  # recovery of online reporting adds in 2019 vs 2018
    assert "Gecorrigeerd voor beide effecten resteert een" in dec.summary
    assert "Telwijze" in dec.summary and "Internetaangifte" in dec.summary


def test_summary_slight_decline() -> None:
    series, _ = simulate_series(seed=2, annual_decline=0.015)
    dec = decompose(series)
    assert "Gecorrigeerd voor beide effecten resteert een lichte daling van" in dec.summary
    assert "per jaar" in dec.summary


def test_no_break_online_ci_includes_zero() -> None:
    covered = 0
    for seed in SEEDS:
        series, truth = simulate_series(seed=seed, online_drop=0.0)
        assert np.all(truth.online_effect == 0)
        _, lo, hi = online_effect(series).total(*WINDOW)
        covered += lo <= 0 <= hi
    assert covered / len(SEEDS) >= 0.8
    series, _ = simulate_series(seed=0, online_drop=0.0)
    _, lo, hi = online_effect(series).total(*WINDOW)
    assert lo <= 0 <= hi


def test_exponential_recovery_model() -> None:
    errors = []
    for seed in range(10):
        series, truth = simulate_series(seed=seed, recovery_shape="exponential", recovery_months=8)
        est, _, _ = online_effect(series, shape="exponential").total(*WINDOW)
        true = truth.online_total(*WINDOW)
        errors.append(abs(est - true) / abs(true))
    # An exponential tail is harder to separate from the trend: a looser median tolerance.
    assert float(np.median(errors)) <= 0.15


def test_recovery_gap_shapes() -> None:
    k = np.array([-1, 0, 6, 12, 24])
    np.testing.assert_allclose(recovery_gap(k, 12, "linear"), [0, 1, 0.5, 0, 0])
    np.testing.assert_allclose(
        recovery_gap(k, 6, "exponential"), [0, 1, np.exp(-1), *np.exp([-2, -4])]
    )


def test_counting_rule_without_multi_offences_is_zero() -> None:
    series, _ = simulate_series(seed=4, multi_offence_share=0.0)
    assert np.all(counting_rule_effect(series).effect == 0)


# --------------------------------------------------------------------------- validation


def _series(**overrides: object) -> MonthlySeries:
    months = [date(2019, m, 1) for m in range(1, 4)]
    fields: dict[str, object] = {
        "months": months,
        "per_offence": [12, 11, 13],
        "heaviest": [10, 10, 12],
        "online": [2, 3, 3],
        "total_registrations": [10, 10, 12],
    }
    fields.update(overrides)
    return MonthlySeries(**fields)  # type: ignore[arg-type]


def test_valid_series() -> None:
    s = _series()
    np.testing.assert_allclose(s.online_share, [0.2, 0.3, 0.25])


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"heaviest": [10, 10]}, "heaviest has 2 values, months has 3"),
        (
            {"months": [date(2019, 1, 1), date(2019, 3, 1), date(2019, 4, 1)]},
            "consecutive and increasing",
        ),
        (
            {"months": [date(2019, 2, 1), date(2019, 1, 1), date(2019, 3, 1)]},
            "consecutive and increasing",
        ),
        ({"months": [date(2019, 1, 1), date(2019, 2, 15), date(2019, 3, 1)]}, "first day"),
        ({"online": [2, -1, 3]}, "online is negative in 2019-02"),
        ({"per_offence": [12, float("nan"), 13]}, "missing or infinite"),
        ({"per_offence": [9, 11, 13]}, "per_offence (9) is below heaviest (10)"),
        ({"online": [2, 11, 3]}, "online (11) exceeds total_registrations"),
        (
            {"total_registrations": [10, 0, 12], "online": [2, 0, 3]},
            "total_registrations is zero",
        ),
    ],
)
def test_validation_errors(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        _series(**overrides)


def test_empty_series() -> None:
    with pytest.raises(ValueError, match="at least one month"):
        MonthlySeries([], [], [], [], [])


def test_online_effect_needs_months_around_the_break() -> None:
    series, _ = simulate_series(start=date(2016, 10, 1), end=date(2019, 12, 1), seed=1)
    with pytest.raises(ValueError, match="at least 12 months before"):
        online_effect(series)
    with pytest.raises(ValueError, match="first day of a month"):
        online_effect(series, date(2017, 4, 2))
    with pytest.raises(ValueError, match="first day of a month"):
        counting_rule_effect(series, date(2018, 7, 2))


def test_simulate_series_validation() -> None:
    with pytest.raises(ValueError, match="annual_decline"):
        simulate_series(annual_decline=1.5)
    with pytest.raises(ValueError, match="first days of months"):
        simulate_series(start=date(2012, 1, 2))
