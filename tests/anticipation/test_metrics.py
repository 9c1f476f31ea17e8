"""Metrics: hand-computed cases, ties, empty windows."""

from __future__ import annotations

import math

import numpy as np
import pytest

from regie.anticipation.engine.metrics import (
    coverage_key,
    mean_over,
    parse_coverages,
    rank,
    top_k,
    window_metrics,
)


def test_top_k_is_exact_floor() -> None:
    assert top_k(1200, 3) == 36  # 0.03 * 1200 is 35.99999... in floating point
    assert top_k(100, 1) == 1
    assert top_k(99, 1) == 0
    assert top_k(10, 25) == 2
    assert top_k(1000, 2.5) == 25
    with pytest.raises(ValueError):
        top_k(10, 0)
    with pytest.raises(ValueError):
        top_k(10, 101)


def test_hand_computed_window() -> None:
    # 10 cells, scores descending with cell id; counts of the window's events per cell.
    ids = np.arange(10)
    scores = np.array([9, 8, 7, 6, 5, 4, 3, 2, 1, 0], dtype=float)
    counts = np.array([2, 0, 1, 0, 0, 3, 0, 0, 0, 4], dtype=float)
    probs = np.full(10, 0.4)
    m = window_metrics(ids, scores, counts, probabilities=probs, coverages=(10, 20, 50))
    # 10 %: k = 1 -> cell 0 -> 2 of 10 events.
    assert m.k == {10: 1, 20: 2, 50: 5}
    assert m.hit_rate[10] == pytest.approx(0.2)
    assert m.hit_rate[20] == pytest.approx(0.2)  # cells 0, 1
    assert m.hit_rate[50] == pytest.approx(0.3)  # cells 0..4: 2 + 1
    assert m.pai[10] == pytest.approx(0.2 / 0.1)
    assert m.pai[50] == pytest.approx(0.3 / 0.5)
    # Best possible: 10 %: 4 (cell 9); 20 %: 4 + 3; 50 %: 4 + 3 + 2 + 1.
    assert m.pei[10] == pytest.approx(0.2 / 0.4)
    assert m.pei[20] == pytest.approx(0.2 / 0.7)
    assert m.pei[50] == pytest.approx(0.3 / 1.0)
    # Brier: 4 cells with events ((0.4-1)^2 = 0.36), 6 without (0.16).
    assert m.brier == pytest.approx((4 * 0.36 + 6 * 0.16) / 10)
    assert m.events == 10 and not m.empty


def test_events_outside_the_mask_count_in_the_denominator() -> None:
    m = window_metrics(
        np.arange(4),
        np.array([1.0, 0, 0, 0]),
        np.array([2.0, 0, 0, 0]),
        total_events=8,
        coverages=(25,),
    )
    assert m.hit_rate[25] == pytest.approx(2 / 8)
    assert m.pei[25] == pytest.approx(1.0)
    assert m.events == 8 and m.events_in_mask == 2
    with pytest.raises(ValueError):
        window_metrics(np.arange(2), np.zeros(2), np.array([3.0, 0]), total_events=1)


def test_ties_break_on_lower_cell_id() -> None:
    ids = np.array([40, 10, 30, 20])
    scores = np.array([1.0, 1.0, 1.0, 1.0])
    assert list(ids[rank(ids, scores)]) == [10, 20, 30, 40]
    counts = np.array([0.0, 0.0, 0.0, 5.0])  # the events are in cell 20
    m = window_metrics(ids, scores, counts, coverages=(25, 50))
    assert m.hit_rate[25] == 0.0  # cell 10 is flagged
    assert m.hit_rate[50] == 1.0  # cells 10 and 20
    # Rerunning with the cells in another order gives the same result.
    perm = np.array([2, 0, 3, 1])
    m2 = window_metrics(ids[perm], scores[perm], counts[perm], coverages=(25, 50))
    assert m2.hit_rate == m.hit_rate


def test_nan_scores_rank_last() -> None:
    ids = np.arange(3)
    scores = np.array([np.nan, 0.1, 0.2])
    assert list(rank(ids, scores)) == [2, 1, 0]


def test_empty_window_is_explicit() -> None:
    m = window_metrics(
        np.arange(5), np.arange(5.0), np.zeros(5), probabilities=np.full(5, 0.1), coverages=(20,)
    )
    assert m.empty
    assert math.isnan(m.hit_rate[20]) and math.isnan(m.pai[20]) and math.isnan(m.pei[20])
    assert m.brier == pytest.approx(0.01)  # still defined
    assert mean_over([0.2, math.nan, 0.4]) == pytest.approx(0.3)
    assert mean_over([math.nan]) is None


def test_k_zero_gives_zero_hit_and_no_pai() -> None:
    m = window_metrics(np.arange(10), np.arange(10.0), np.ones(10), coverages=(5,))
    assert m.k[5] == 0
    assert m.hit_rate[5] == 0.0
    assert math.isnan(m.pai[5])


def test_coverage_parsing_and_keys() -> None:
    assert parse_coverages("1,3,5,10,20") == (1.0, 3.0, 5.0, 10.0, 20.0)
    assert parse_coverages("3, 1") == (1.0, 3.0)
    assert parse_coverages(None) == (1.0, 3.0, 5.0, 10.0, 20.0)
    assert coverage_key(3.0) == "3" and coverage_key(2.5) == "2.5"
    with pytest.raises(ValueError):
        parse_coverages("0")
