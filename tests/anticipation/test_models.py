"""Models: the shared interface, no leakage, and the baselines' definitions."""

from __future__ import annotations

import math
from datetime import date, timedelta

import numpy as np
import pytest

from regie.anticipation.engine.events import EventSet
from regie.anticipation.engine.grid import CellSet, Covariates, Grid, build_mask
from regie.anticipation.engine.models import (
    ALL_METHODS,
    GradientBoosting,
    GridSEPP,
    PreviousCounts,
    ProspectiveHotspot,
    RetrospectiveKDE,
    make_model,
    parse_methods,
)
from regie.anticipation.engine.periods import Span, day_number
from regie.anticipation.engine.synthetic import HawkesTruth, make_city

UNTIL = date(2016, 12, 1)


@pytest.fixture(scope="module")
def city() -> tuple[EventSet, CellSet]:
    truth = make_city(3, side=16, events=4000, days=400)
    ev = truth.simulate(3)
    return ev, build_mask(truth.grid, ev, None, start=UNTIL)


def _altered_future(ev: EventSet, until: date, seed: int = 9) -> EventSet:
    """The same past, a different future: later events moved, and many added."""
    rng = np.random.default_rng(seed)
    past = ev.before(until)
    later = ev.select(ev.days >= day_number(until))
    n = len(later) + 500
    x = np.concatenate([past.x, rng.permutation(later.x), rng.uniform(ev.x.min(), ev.x.max(), 500)])
    y = np.concatenate([past.y, later.y, rng.uniform(ev.y.min(), ev.y.max(), 500)])
    base = np.datetime64(until, "s")
    t_new = base + rng.integers(0, 40 * 86400, n).astype("timedelta64[s]")
    t = np.concatenate([past.t, t_new])
    return EventSet(x, y, t, crs=ev.crs, resolution=ev.resolution)


@pytest.mark.parametrize("method", ALL_METHODS)
def test_no_leakage_from_after_the_start(method: str, city: tuple[EventSet, CellSet]) -> None:
    ev, domain = city
    changed = _altered_future(ev, UNTIL)
    assert len(changed) != len(ev)
    a = make_model(method, domain).fit(ev, UNTIL).predict(domain, UNTIL)
    b = make_model(method, domain).fit(changed, UNTIL).predict(domain, UNTIL)
    np.testing.assert_array_equal(a.score, b.score)
    np.testing.assert_array_equal(a.probability, b.probability)
    np.testing.assert_array_equal(a.expected, b.expected)
    # ... while the past does matter.
    c = make_model(method, domain).fit(ev, UNTIL + timedelta(days=28))
    assert not np.array_equal(c.predict(domain, UNTIL + timedelta(days=28)).score, a.score)
    assert ((a.probability >= 0) & (a.probability <= 1)).all() and (a.expected >= 0).all()


def test_interface_guards(city: tuple[EventSet, CellSet]) -> None:
    ev, domain = city
    m = make_model("previous_28", domain)
    with pytest.raises(RuntimeError, match="fit the model first"):
        m.predict(domain, UNTIL)
    m.fit(ev, UNTIL)
    with pytest.raises(ValueError, match="before the fit cut-off"):
        m.predict(domain, UNTIL - timedelta(days=1))
    with pytest.raises(ValueError, match="horizon"):
        m.predict(domain, UNTIL, Span.days(7))
    with pytest.raises(ValueError, match="unknown method"):
        make_model("crystal_ball", domain)
    assert parse_methods("all") == ALL_METHODS
    assert parse_methods("lightgbm, previous:90") == ("lightgbm", "previous_90")
    assert isinstance(make_model("previous_90", domain), PreviousCounts)
    with pytest.raises(ValueError, match="unknown method"):
        parse_methods("kde,oracle")
    pred = m.predict(domain, UNTIL)
    top = pred.top(3)
    assert len(top) == math.floor(len(domain) * 3 / 100)
    assert pred.end == UNTIL + timedelta(days=14)


def test_previous_counts_and_month_resolution() -> None:
    g = Grid(0.0, 0.0, 125.0, 3, 1)
    cells = CellSet(g, np.arange(3))
    ev = EventSet.from_arrays(
        [10.0, 10.0, 200.0, 300.0],
        [10.0] * 4,
        ["2018-01-01", "2018-02-01", "2018-03-01", "2018-03-01"],
        resolution="month",
        crs=g.crs,
    )
    m = PreviousCounts(cells, Span.months(1), days=28).fit(ev, date(2018, 4, 1))
    # 28 days before 1 April is 4 March: in days the March events would fall out; whole
    # months keep them.
    assert list(m.predict(cells, date(2018, 4, 1)).score) == [0.0, 1.0, 1.0]
    y = PreviousCounts(cells, Span.months(1), days=365).fit(ev, date(2018, 4, 1))
    assert list(y.predict(cells, date(2018, 4, 1)).score) == [2.0, 1.0, 1.0]


def test_prospective_weights_by_hand() -> None:
    g = Grid(0.0, 0.0, 125.0, 9, 9)
    cells = CellSet(g, g.all_ids())
    centre = 4 * 125.0 + 60
    ev = EventSet.from_arrays(
        [centre, centre], [centre, centre], ["2024-03-28T10:00", "2024-03-22T10:00"], crs=g.crs
    )
    m = ProspectiveHotspot(cells).fit(ev, date(2024, 4, 1))
    s = m.predict(cells, date(2024, 4, 1)).score.reshape(9, 9)
    # Ages 3.6 and 9.6 days: weeks 0 and 1 -> time weights 1 and 1/2.
    assert s[4, 4] == pytest.approx(1.5)
    assert s[4, 5] == pytest.approx(1.5 / 2)
    assert s[4, 7] == pytest.approx(1.5 / 4)
    assert s[5, 7] == pytest.approx(1.5 / (1 + math.hypot(1, 3)))
    assert s[7, 7] == 0.0  # 4.2 cells = 530 m: beyond 400 m


def test_kde_is_a_quartic_kernel() -> None:
    g = Grid(0.0, 0.0, 125.0, 5, 1)
    cells = CellSet(g, g.all_ids())
    ev = EventSet.from_arrays([62.5, 62.5], [62.5, 62.5], ["2024-01-01", "2024-02-01"], crs=g.crs)
    s = RetrospectiveKDE(cells).fit(ev, date(2024, 3, 1)).predict(cells, date(2024, 3, 1)).score
    h = 250.0
    want = [2 * (1 - (d / h) ** 2) ** 2 if d < h else 0.0 for d in (0.0, 125.0, 250.0, 375.0)]
    np.testing.assert_allclose(s[:4], want)


def test_sepp_em_recovers_a_known_process() -> None:
    grid = Grid(0.0, 0.0, 125.0, 10, 10)
    rng = np.random.default_rng(5)
    base = rng.lognormal(0.0, 0.5, grid.n_cells)
    base *= 6.0 / base.sum()  # 6 background events a day
    truth = HawkesTruth(
        grid,
        base,
        (),
        theta=0.5,
        omega=0.2,
        sigma=0.01,
        start=date(2020, 1, 1),
        days=365,
        seasonal_amplitude=0.0,
    )
    ev = truth.simulate(5)
    cells = CellSet(grid, grid.all_ids())
    m = GridSEPP(cells).fit(ev, date(2021, 1, 1))
    assert m.theta == pytest.approx(0.5, abs=0.08)
    assert m.omega == pytest.approx(0.2, rel=0.3)
    assert m.mu.sum() == pytest.approx(6.0, rel=0.2)


def test_main_model_with_little_history(city: tuple[EventSet, CellSet]) -> None:
    ev, domain = city
    first = ev.period
    assert first is not None
    # Ten days of history: no labelled origin; the prior alone.
    m = GradientBoosting(domain).fit(ev, first[0] + timedelta(days=10))
    assert m.booster is None and m.info.origins == 0
    p = m.predict(domain, first[0] + timedelta(days=10))
    assert np.isfinite(p.score).all()
    # Three weeks: one origin, the holdout is a random quarter of its cells.
    m1 = GradientBoosting(domain).fit(ev, first[0] + timedelta(days=21))
    assert m1.info.origins == 1 and not m1.info.holdout and m1.booster is not None
    m2 = GradientBoosting(domain).fit(ev, UNTIL)
    # One origin every 14 days back from the cut-off, each with history before it.
    assert m2.info.holdout and m2.info.origins == (UNTIL - first[0]).days // 14
    assert sum(m2.info.importance.values()) == pytest.approx(1.0)


def test_covariates_feed_the_main_model(city: tuple[EventSet, CellSet]) -> None:
    ev, domain = city
    rng = np.random.default_rng(0)
    values = rng.normal(100, 10, (len(domain), 1))
    values[:5] = np.nan  # suppressed squares stay missing; LightGBM handles NaN
    cov = Covariates(domain.grid, domain.ids, ("aantal_inwoners",), values, "aantal_inwoners")
    m = make_model("lightgbm", domain, covariates=cov).fit(ev, UNTIL)
    assert isinstance(m, GradientBoosting)
    assert m.info.feature_names[-1] == "cov_aantal_inwoners"
    assert "cov_aantal_inwoners" in m.info.importance
    p = m.predict(domain, UNTIL)
    assert np.isfinite(p.score).all()
