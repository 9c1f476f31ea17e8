"""Scoring one prediction window.

For a window with the masked cells' predicted scores and the events that happened:

* k = floor(coverage x number of masked cells), computed exactly (``Fraction``), so 3 % of
  1,200 cells is 36, never 35 by rounding error;
* cells are ranked by score descending, ties by cell id ascending (lower flat id = further
  south, then further west: see :mod:`.grid`); NaN scores rank last. The rule is fixed so a
  constant prediction always flags the same cells and a rerun gives the same numbers;
* hit rate = events in the top-k cells / all events of the window in the grid (events in
  cells outside the mask count in the denominator: a mask cannot hide misses);
* PAI = hit rate / (k / n), the share of the area flagged (equal to the coverage up to the
  floor); PEI = hit rate / best possible hit rate, the best being the k masked cells with
  the most events (Hunt 2016's "predictive efficiency index");
* Brier score = mean over the masked cells of (P(>= 1 event) - [cell had an event])^2.

An *empty window* (no events) has no hit rate, PAI or PEI: they are NaN and left out of the
means, and :attr:`WindowMetrics.empty` says so. Its Brier score is still defined. k = 0
(too few cells for the coverage) gives hit rate 0 and NaN PAI.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from numpy.typing import NDArray

COVERAGES: tuple[float, ...] = (1.0, 3.0, 5.0, 10.0, 20.0)

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]


def top_k(n_cells: int, coverage_pct: float) -> int:
    """floor(coverage% x n_cells), exact for decimal coverages such as 3 or 2.5."""
    if not 0 < coverage_pct <= 100:
        raise ValueError(f"coverage must be in (0, 100], got {coverage_pct}")
    return math.floor(Fraction(str(coverage_pct)) * n_cells / 100)


def rank(cell_ids: IntArray, scores: FloatArray) -> IntArray:
    """Positions by score descending, ties by cell id ascending, NaN last."""
    s = np.where(np.isfinite(scores), scores, -np.inf)
    return np.lexsort((np.asarray(cell_ids), -s))


def coverage_key(coverage_pct: float) -> str:
    """JSON key of a coverage: ``"3"`` for 3.0, ``"2.5"`` for 2.5."""
    return f"{coverage_pct:g}"


def parse_coverages(text: str | Sequence[float] | None) -> tuple[float, ...]:
    """``"1,3,5,10,20"`` -> (1.0, 3.0, ...); None -> :data:`COVERAGES`."""
    if text is None:
        return COVERAGES
    items = [float(s) for s in text.split(",") if s.strip()] if isinstance(text, str) else text
    out = tuple(sorted({float(c) for c in items}))
    for c in out:
        top_k(1, c)  # validates the range
    if not out:
        raise ValueError("no coverages")
    return out


@dataclass(frozen=True)
class WindowMetrics:
    """Metrics of one method on one window (NaN where undefined)."""

    events: int
    events_in_mask: int
    hit_rate: dict[float, float]
    pai: dict[float, float]
    pei: dict[float, float]
    k: dict[float, int]
    brier: float

    @property
    def empty(self) -> bool:
        return self.events == 0


def window_metrics(
    cell_ids: IntArray,
    scores: FloatArray,
    counts: FloatArray,
    *,
    probabilities: FloatArray | None = None,
    total_events: int | None = None,
    coverages: Sequence[float] = COVERAGES,
) -> WindowMetrics:
    """Metrics for one window. ``counts`` are the window's events per masked cell (aligned
    with ``cell_ids``); ``total_events`` all the window's events (default: ``counts.sum()``)."""
    ids = np.asarray(cell_ids, dtype=np.int64)
    counts = np.asarray(counts, dtype=np.float64)
    if not (len(ids) == len(scores) == len(counts)):
        raise ValueError("cell_ids, scores and counts must have the same length")
    in_mask = round(float(counts.sum()))
    total = in_mask if total_events is None else int(total_events)
    if total < in_mask:
        raise ValueError("total_events is smaller than the events in the masked cells")
    n = len(ids)
    order = rank(ids, np.asarray(scores, dtype=np.float64))
    ranked = counts[order]
    best = np.sort(counts)[::-1]
    cum = np.concatenate([[0.0], np.cumsum(ranked)])
    cum_best = np.concatenate([[0.0], np.cumsum(best)])
    hit: dict[float, float] = {}
    pai: dict[float, float] = {}
    pei: dict[float, float] = {}
    ks: dict[float, int] = {}
    for c in coverages:
        k = top_k(n, c)
        ks[c] = k
        if total == 0:
            hit[c] = pai[c] = pei[c] = math.nan
            continue
        h = float(cum[k] / total)
        hit[c] = h
        pai[c] = h / (k / n) if k else math.nan
        b = float(cum_best[k] / total)
        pei[c] = h / b if b > 0 else math.nan
    if probabilities is None or not n:
        brier = math.nan
    else:
        p = np.asarray(probabilities, dtype=np.float64)
        brier = float(np.mean((p - (counts > 0)) ** 2))
    return WindowMetrics(total, in_mask, hit, pai, pei, ks, brier)


def mean_over(values: Sequence[float]) -> float | None:
    """Mean of the defined (non-NaN) values; None when there are none."""
    arr = np.asarray([v for v in values if not math.isnan(v)], dtype=np.float64)
    return float(arr.mean()) if len(arr) else None
