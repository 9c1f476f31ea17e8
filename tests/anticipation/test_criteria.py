"""Success criteria, bias report and model card."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from regie.anticipation.engine.backtest import BacktestResult, backtest
from regie.anticipation.engine.bias import (
    bias_by_quantile,
    bias_report,
    channel_dependence,
    quantile_groups,
)
from regie.anticipation.engine.criteria import CasCriteria, check_criteria, model_card
from regie.anticipation.engine.events import EventSet
from regie.anticipation.engine.grid import Covariates, build_mask
from regie.anticipation.engine.synthetic import make_city

Fixture = tuple[BacktestResult, Covariates, EventSet]


@pytest.fixture(scope="module")
def result_and_cov() -> Fixture:
    truth = make_city(4, side=14, events=3000, days=420)
    ev = truth.simulate(4)
    start = date(2016, 11, 1)
    domain = build_mask(truth.grid, ev, None, start=start)
    r = backtest(
        ev,
        domain,
        start=start,
        end=start + timedelta(days=83),
        methods=["previous_28", "prospective", "lightgbm"],
    )
    rng = np.random.default_rng(0)
    cov = Covariates(truth.grid, domain.ids, ("inkomen",), rng.normal(30, 5, (len(domain), 1)))
    return r, cov, ev


def test_quantile_groups() -> None:
    groups = quantile_groups(np.array([1.0, 2.0, 3.0, 4.0, np.nan]), quantiles=2)
    assert groups == ["Q1", "Q1", "Q2", "Q2", "onbekend"]


def test_bias_by_quantile_by_hand() -> None:
    values = np.array([1.0, 2.0, 3.0, 4.0])
    rep = bias_by_quantile(
        values,
        predicted=np.array([1.0, 1.0, 2.0, 2.0]),
        observed=np.array([1.0, 1.0, 1.0, 1.0]),
        in_top=np.array([0.0, 0.0, 2.0, 2.0]),
        windows=4,
        variable="inkomen",
        quantiles=2,
        min_cells=1,
    )
    q1, q2 = rep.rows
    assert (q1.predicted, q1.observed, q1.ratio) == (0.25, 0.25, 1.0)
    assert (q2.predicted, q2.observed, q2.ratio) == (0.5, 0.25, 0.5)
    assert q2.top_share == 1.0 and q2.cell_share == 0.5
    assert rep.max_gap == pytest.approx(0.5)


def test_criteria_pass_and_fail_with_reasons(result_and_cov: Fixture) -> None:
    r, cov, _ = result_and_cov
    bias = bias_report(r, cov, "inkomen", min_cells=5)
    ok = check_criteria(r, CasCriteria(min_margin=-1.0, min_events=1, max_bias_gap=10.0), bias)
    assert ok.passed, [c.message for c in ok.checks if not c.passed]
    strict = check_criteria(r, CasCriteria(min_margin=5.0, min_windows=7), bias)
    assert not strict.passed
    failed = {c.name: c.message for c in strict.checks if not c.passed}
    assert "beats_baseline" in failed and "voldoet niet" in failed["beats_baseline"]
    assert "min_windows" in failed and "minimaal 7" in failed["min_windows"]
    no_bias = check_criteria(r, CasCriteria(require_bias=True, min_margin=-1.0))
    assert not no_bias.passed
    assert any("verplicht" in c.message for c in no_bias.checks)
    missing = check_criteria(r, CasCriteria(main="sepp"))
    assert not missing.passed and "niet in de backtest" in missing.checks[0].message
    card = model_card(r, strict, bias=[bias], area="Basisteam Test", crime_types=["inbraak"])
    for section in (
        "# Modelkaart",
        "## Menselijke beslissing",
        "## Criteria",
        "## Bias",
        "## Uitschakelen",
        "NIET GESLAAGD",
        "prospective",
        "Basisteam Test",
    ):
        assert section in card


def test_channel_dependence(result_and_cov: Fixture) -> None:
    r, _, ev = result_and_cov
    channels = np.where(np.arange(len(ev)) % 4 == 0, "proactief", "melding")
    ev_ch = EventSet(ev.x, ev.y, ev.t, crs=ev.crs, channels=channels)
    rows = channel_dependence(ev_ch, r.domain, date(2016, 11, 1), method="previous_28")
    assert [row.channel for row in rows] == ["melding", "proactief"]
    assert sum(row.share for row in rows) == pytest.approx(1.0)
    assert all(0.0 <= row.overlap_without <= 1.0 for row in rows)
    # Removing three quarters of the events moves the top cells more than removing a quarter.
    assert rows[0].overlap_without <= rows[1].overlap_without
    with pytest.raises(ValueError, match="no reporting channel"):
        channel_dependence(ev, r.domain, date(2016, 11, 1))
