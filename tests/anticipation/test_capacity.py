"""Capacity advice: the hour split (largest remainder, minimums), day-parts, areas."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from shapely.geometry import box

from regie.anticipation.engine.capacity import (
    DAYPARTS,
    assign_areas,
    capacity_advice,
    daypart_profile,
    expected_incidents,
    split_hours,
)
from regie.anticipation.engine.events import EventSet
from regie.anticipation.engine.grid import CellSet, Grid
from regie.anticipation.engine.models import Prediction
from regie.anticipation.engine.periods import Span


def test_split_is_proportional_and_sums_exactly() -> None:
    hours = split_hours(100, {"A": 1.0, "B": 1.0, "C": 1.0})
    assert hours == {"A": 34.0, "B": 33.0, "C": 33.0}  # the tie goes to the first name
    assert sum(hours.values()) == 100
    hours = split_hours(10, {"A": 5.0, "B": 3.0, "C": 2.0})
    assert hours == {"A": 5.0, "B": 3.0, "C": 2.0}
    # Largest remainder: quotas 4.29, 2.86, 2.86 (of 10) -> 4 + 3 + 3.
    assert split_hours(10, {"A": 3.0, "B": 2.0, "C": 2.0}) == {"A": 4.0, "B": 3.0, "C": 3.0}


def test_minimums_are_met_and_the_rest_is_shared_again() -> None:
    hours = split_hours(100, {"A": 90.0, "B": 9.0, "C": 1.0}, minimum=10)
    assert hours["C"] == 10 and hours["B"] == 10
    assert hours["A"] == 80
    per_area = split_hours(40, {"A": 1.0, "B": 0.0}, minimum={"B": 8})
    assert per_area == {"A": 32.0, "B": 8.0}
    rng = np.random.default_rng(1)
    for _ in range(200):
        n = int(rng.integers(1, 12))
        risk = {f"W{i:02d}": float(v) for i, v in enumerate(rng.exponential(1.0, n))}
        total = float(rng.integers(n * 4, 500))
        h = split_hours(total, risk, minimum=4, step=0.5)
        assert sum(h.values()) == pytest.approx(total)
        assert min(h.values()) >= 4
        assert all((v / 0.5).is_integer() for v in h.values())


def test_split_errors_and_zero_risk() -> None:
    with pytest.raises(ValueError, match="exceed the available hours"):
        split_hours(10, {"A": 1.0, "B": 1.0}, minimum=6)
    with pytest.raises(ValueError, match="not a non-negative multiple"):
        split_hours(10.3, {"A": 1.0}, step=0.5)
    with pytest.raises(ValueError, match="no areas"):
        split_hours(10, {})
    assert split_hours(9, {"A": 0.0, "B": 0.0, "C": 0.0}) == {"A": 3.0, "B": 3.0, "C": 3.0}


def _prediction() -> Prediction:
    g = Grid(0.0, 0.0, 125.0, 4, 1)
    cells = CellSet(g, g.all_ids())
    expected = np.array([2.0, 1.0, 0.5, 0.5])
    return Prediction(
        "lightgbm",
        cells,
        date(2024, 3, 4),
        Span.days(14),
        expected,
        1 - np.exp(-expected),
        expected,
    )


def test_areas_dayparts_and_advice() -> None:
    pred = _prediction()
    g = pred.cells.grid
    areas = assign_areas(
        g, pred.cells.ids, {"WK01": box(0, 0, 250, 125), "WK02": box(250, 0, 500, 125)}
    )
    assert list(areas) == ["WK01", "WK01", "WK02", "WK02"]
    # Past events: WK01 only at night, WK02 only in the evening.
    ev = EventSet.from_arrays(
        [10.0] * 30 + [300.0] * 10,
        [10.0] * 40,
        ["2024-02-01T02:00"] * 30 + ["2024-02-01T20:00"] * 10,
        crs=g.crs,
    )
    prof = daypart_profile(ev, g, pred.cells, areas)
    assert prof.overall == pytest.approx((0.75, 0.0, 0.0, 0.25))
    # Shrunk towards the overall profile with 20 pseudo-events.
    assert prof.shares("WK02")[3] == pytest.approx((10 + 20 * 0.25) / 30)
    exp = expected_incidents(pred, areas, prof)
    assert exp["WK01"]["totaal"] == pytest.approx(3.0)
    assert sum(exp["WK01"][d.name] for d in DAYPARTS) == pytest.approx(3.0)
    advice = capacity_advice(pred, areas, total_hours=40, minimum_hours=8, history=ev, coverage=25)
    assert advice.hours == {"WK01": 30.0, "WK02": 10.0}
    assert list(advice.high_risk) == [0] and advice.high_risk_labels == ["0_0"]
    assert advice.daypart_from_times
    assert advice.rows()[0]["gebied"] == "WK01"


def test_month_data_gives_a_uniform_profile() -> None:
    ev = EventSet.from_arrays([1.0], [1.0], ["2018-01-01"], resolution="month")
    prof = daypart_profile(ev)
    assert not prof.from_times and prof.overall == (0.25, 0.25, 0.25, 0.25)
