"""Capacity advice (the pure part): which cells are high-risk in the coming period, how many
incidents to expect per area and day-part, and how to split the available patrol hours.

* :func:`high_risk_cells`: the top ``coverage`` % (3 % by default) of a prediction's cells,
  ranked as in the metrics (score descending, cell id ascending).
* :func:`daypart_profile`: per area, the share of past events in each day-part
  (:data:`DAYPARTS`: night 0-6, morning 6-12, afternoon 12-18, evening 18-24), shrunk towards
  the overall profile with :data:`PROFILE_PSEUDO_EVENTS` pseudo-events, so an area with
  three past events does not get a 0 % night. Events without a time of day (day- or
  month-resolution data) give a uniform profile, flagged as such.
* :func:`expected_incidents`: the prediction's expected events per cell summed per area and
  split over the day-parts.
* :func:`split_hours`: patrol hours proportional to each area's expected incidents, with a
  minimum per area. Areas whose proportional share falls below their minimum get the
  minimum, and the rest is shared again among the others (iterated until stable); the
  result is rounded to ``step`` hours by the largest-remainder method (ties: higher risk,
  then area name), so it always sums exactly to the hours available.
* :func:`capacity_advice` puts it together; :func:`assign_areas` maps cells to areas
  (neighbourhood polygons) by their centre.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry

from .events import EventSet
from .grid import CellSet, Grid
from .models import Prediction

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class DayPart:
    name: str
    start_hour: int
    end_hour: int


DAYPARTS: tuple[DayPart, ...] = (
    DayPart("nacht", 0, 6),
    DayPart("ochtend", 6, 12),
    DayPart("middag", 12, 18),
    DayPart("avond", 18, 24),
)
PROFILE_PSEUDO_EVENTS = 20.0
NO_AREA = ""


def high_risk_cells(prediction: Prediction, coverage: float = 3.0) -> IntArray:
    """Ids of the top ``coverage`` % cells of the prediction."""
    return prediction.top(coverage)


def assign_areas(grid: Grid, ids: IntArray, areas: Mapping[str, BaseGeometry]) -> NDArray[np.str_]:
    """The area containing each cell's centre (first match in code order; ``""`` when none).
    Polygons must be in the grid's CRS."""
    cx, cy = grid.centres(np.asarray(ids, dtype=np.int64))
    out = np.full(len(cx), NO_AREA, dtype=object)
    todo = np.ones(len(cx), dtype=bool)
    for code in sorted(areas):
        geom = areas[code]
        if not todo.any():
            break
        inside = np.zeros(len(cx), dtype=bool)
        inside[todo] = shapely.contains_xy(geom, cx[todo], cy[todo])
        out[inside] = code
        todo &= ~inside
    return out.astype(str)


@dataclass(frozen=True)
class DaypartProfile:
    """Shares of events per day-part (in :data:`DAYPARTS` order), overall and per area."""

    overall: tuple[float, ...]
    by_area: dict[str, tuple[float, ...]]
    #: False when the events had no time of day (the profile is then uniform).
    from_times: bool = True

    def shares(self, area: str) -> tuple[float, ...]:
        return self.by_area.get(area, self.overall)


def _daypart_index(events: EventSet) -> IntArray:
    hours = (events.t.astype("datetime64[h]").astype(np.int64) % 24).astype(np.int64)
    edges = np.array([d.end_hour for d in DAYPARTS])
    return np.searchsorted(edges, hours, side="right").astype(np.int64)


def daypart_profile(
    events: EventSet,
    grid: Grid | None = None,
    cells: CellSet | None = None,
    cell_areas: Sequence[str] | NDArray[np.str_] | None = None,
) -> DaypartProfile:
    """Day-part shares of ``events`` overall and, given the cells' areas, per area."""
    k = len(DAYPARTS)
    uniform = tuple([1.0 / k] * k)
    if events.resolution != "time" or not len(events):
        return DaypartProfile(uniform, {}, from_times=False)
    part = _daypart_index(events)
    overall_counts = np.bincount(part, minlength=k).astype(np.float64)
    overall = overall_counts / overall_counts.sum()
    by_area: dict[str, tuple[float, ...]] = {}
    if grid is not None and cells is not None and cell_areas is not None:
        areas = np.asarray(cell_areas, dtype=str)
        pos = cells.index_of(grid.cell_of(events.x, events.y))
        ev_area = np.where(pos >= 0, areas[np.maximum(pos, 0)], NO_AREA)
        for code in sorted(set(areas.tolist()) - {NO_AREA}):
            mine = ev_area == code
            counts = np.bincount(part[mine], minlength=k).astype(np.float64)
            shares = (counts + PROFILE_PSEUDO_EVENTS * overall) / (
                counts.sum() + PROFILE_PSEUDO_EVENTS
            )
            by_area[code] = tuple(float(v) for v in shares)
    return DaypartProfile(tuple(float(v) for v in overall), by_area)


def expected_incidents(
    prediction: Prediction,
    cell_areas: Sequence[str] | NDArray[np.str_],
    profile: DaypartProfile | None = None,
) -> dict[str, dict[str, float]]:
    """Expected events per area (cells without an area: ``""``) and day-part over the
    prediction's horizon; ``"totaal"`` holds the area's total."""
    areas = np.asarray(cell_areas, dtype=str)
    if len(areas) != len(prediction.cells):
        raise ValueError("cell_areas must be aligned with the prediction's cells")
    profile = profile or DaypartProfile(tuple([1.0 / len(DAYPARTS)] * len(DAYPARTS)), {}, False)
    out: dict[str, dict[str, float]] = {}
    codes, inv = np.unique(areas, return_inverse=True)
    sums = np.bincount(inv.ravel(), weights=prediction.expected, minlength=len(codes))
    for code, total in zip(codes.tolist(), sums.tolist(), strict=True):
        shares = profile.shares(code)
        row = {d.name: float(total * s) for d, s in zip(DAYPARTS, shares, strict=True)}
        row["totaal"] = float(total)
        out[code] = row
    return out


def split_hours(
    total_hours: float,
    risk: Mapping[str, float],
    minimum: float | Mapping[str, float] = 0.0,
    *,
    step: float = 1.0,
) -> dict[str, float]:
    """Hours per area proportional to ``risk`` with minimums, in multiples of ``step``,
    summing exactly to ``total_hours`` (module docstring)."""
    if step <= 0:
        raise ValueError("step must be positive")
    if not risk:
        raise ValueError("no areas to share hours over")
    units = round(total_hours / step)
    if abs(units * step - total_hours) > 1e-9 * max(1.0, abs(total_hours)) or units < 0:
        raise ValueError(f"{total_hours} hours is not a non-negative multiple of {step}")
    areas = sorted(risk)
    if any(risk[a] < 0 or not math.isfinite(risk[a]) for a in areas):
        raise ValueError("risk must be finite and non-negative")
    mins = {
        a: math.ceil(
            (minimum if isinstance(minimum, int | float) else minimum.get(a, 0.0)) / step - 1e-9
        )
        for a in areas
    }
    if sum(mins.values()) > units:
        raise ValueError(
            f"the minimums ({sum(mins.values()) * step:g} h) exceed the available hours "
            f"({total_hours:g} h)"
        )
    weights = {a: float(risk[a]) for a in areas}
    if sum(weights.values()) == 0:
        weights = {a: 1.0 for a in areas}
    fixed: set[str] = set()
    quota: dict[str, float] = {}
    while True:
        free = [a for a in areas if a not in fixed]
        remaining = units - sum(mins[a] for a in fixed)
        w_sum = sum(weights[a] for a in free)
        quota = {
            a: (remaining * weights[a] / w_sum if w_sum > 0 else remaining / len(free))
            for a in free
        }
        below = [a for a in free if quota[a] < mins[a]]
        if not below:
            break
        fixed.update(below)
    alloc = {a: mins[a] for a in fixed}
    base = {a: math.floor(quota[a] + 1e-9) for a in quota}
    alloc.update(base)
    left = units - sum(alloc.values())
    order = sorted(quota, key=lambda a: (-(quota[a] - base[a]), -weights[a], a))
    for a in order[:left]:
        alloc[a] += 1
    return {a: alloc[a] * step for a in areas}


@dataclass(frozen=True)
class CapacityAdvice:
    start: date
    end: date
    coverage: float
    high_risk: IntArray
    high_risk_labels: list[str]
    #: Expected events per area and day-part (see :func:`expected_incidents`).
    expected: dict[str, dict[str, float]]
    hours: dict[str, float]
    total_hours: float
    daypart_from_times: bool

    def rows(self) -> list[dict[str, object]]:
        """One row per area for a CSV export."""
        out: list[dict[str, object]] = []
        for code in sorted(self.expected):
            row: dict[str, object] = {"gebied": code}
            row.update({k: round(v, 3) for k, v in self.expected[code].items()})
            row["uren"] = self.hours.get(code, 0.0)
            out.append(row)
        return out


def capacity_advice(
    prediction: Prediction,
    cell_areas: Sequence[str] | NDArray[np.str_],
    *,
    total_hours: float,
    minimum_hours: float | Mapping[str, float] = 0.0,
    history: EventSet | None = None,
    coverage: float = 3.0,
    step: float = 1.0,
) -> CapacityAdvice:
    """High-risk cells, expected incidents per area and day-part (profile from ``history``)
    and the patrol-hour split over the areas (cells without an area are left out of it)."""
    grid = prediction.cells.grid
    profile = (
        daypart_profile(history, grid, prediction.cells, cell_areas)
        if history is not None
        else None
    )
    expected = expected_incidents(prediction, cell_areas, profile)
    risk = {code: row["totaal"] for code, row in expected.items() if code != NO_AREA}
    hours = split_hours(total_hours, risk, minimum_hours, step=step) if risk else {}
    top = high_risk_cells(prediction, coverage)
    return CapacityAdvice(
        prediction.start,
        prediction.end,
        coverage,
        top,
        grid.labels(top),
        expected,
        hours,
        total_hours,
        profile.from_times if profile is not None else False,
    )
