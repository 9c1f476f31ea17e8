"""Binned history and the multi-scale features of the main model.

:class:`History` holds the events strictly before a cut-off date ("until"), binned to grid
cells and sorted by time; a view up to an earlier day is a slice, so a feature computed at
an origin ``T`` sees only the events before ``T`` by construction. Nothing here reads an
event at or after the cut-off: that is the no-leakage guarantee the models build on.

Features at an origin ``T`` for a set of target cells (:meth:`FeatureBuilder.features`):

* lagged counts over the 1, 2, 4, 8, 26 and 52 weeks before ``T`` (or 1, 2, 3, 6, 12 months
  for month-resolution data) at three scales: the cell, its 8 neighbours (the 3x3 block
  minus the cell) and the wider ring (the 7x7 block minus the 3x3 block, 1.5-3.5 cells away);
* near-repeat: exponentially decaying sums ``sum exp(-(T - t)/tau)`` for tau = 7 and 30 days
  in the cell and its 3x3 block, and the days since the last event in the cell and in the
  3x3 block (capped at two years); for month-resolution data ages are whole months;
* the long-run rate (events per year of history) of the cell and its 3x3 block;
* the baselines' kernels (stacking): the prospective hot-spotting weight (Bowers et al.,
  8 weeks, 400 m at 125 m cells) and a quartic kernel of 2 cells over the last year;
* season: sine and cosine of the day of the year at the middle of the horizon, and the day
  of the week of ``T``; the recent trend (events in the last 4 weeks against the yearly
  average, over the whole history); the years of history and the mean long-run rate of the
  target cells (the level the main model's prior shrinks towards);
* covariates (CBS squares, known-offender aggregates ...) when given.

Neighbour sums are sparse matrix products (:class:`Stencil`) over the cells within three
cells of a target, so the cost follows the number of target cells, not the extent of the
grid: a county of map-snapped points or one base team on a national grid stays small.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cached_property

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from .events import EventSet, Resolution
from .grid import CellSet, Covariates, Grid
from .periods import Span, day_number, from_day_number

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]

WEEK_LAGS: tuple[Span, ...] = tuple(Span.days(7 * w) for w in (1, 2, 4, 8, 26, 52))
MONTH_LAGS: tuple[Span, ...] = tuple(Span.months(m) for m in (1, 2, 3, 6, 12))
DECAYS: tuple[float, ...] = (7.0, 30.0)
LAST_EVENT_CAP = 730.0
MONTH_DAYS = 30.436875
MARGIN = 3


@dataclass(frozen=True, eq=False)
class History:
    """Events strictly before day ``until_day`` inside the grid, sorted by time."""

    grid: Grid
    cell: IntArray
    day: FloatArray
    x: FloatArray
    y: FloatArray
    until_day: float
    resolution: Resolution
    channels: NDArray[np.str_] | None = None

    @classmethod
    def build(cls, grid: Grid, events: EventSet, until: date) -> History:
        ev = events.before(until)
        cell = grid.cell_of(ev.x, ev.y)
        keep = cell >= 0
        return cls(
            grid,
            cell[keep],
            ev.days[keep],
            ev.x[keep],
            ev.y[keep],
            float(day_number(until)),
            ev.resolution,
            None if ev.channels is None else ev.channels[keep],
        )

    def __len__(self) -> int:
        return len(self.day)

    @property
    def first_day(self) -> float | None:
        return float(self.day[0]) if len(self.day) else None

    def index(self, day: float) -> int:
        """Number of events strictly before ``day``."""
        return int(np.searchsorted(self.day, day, side="left"))

    def upto(self, day: float) -> History:
        """The events strictly before ``day`` (a view)."""
        n = self.index(min(day, self.until_day))
        return History(
            self.grid,
            self.cell[:n],
            self.day[:n],
            self.x[:n],
            self.y[:n],
            min(day, self.until_day),
            self.resolution,
            None if self.channels is None else self.channels[:n],
        )

    def counts(self, cells: CellSet, a: float, b: float) -> FloatArray:
        """Events per cell of ``cells`` with day in ``[a, b)``."""
        i0, i1 = self.index(a), self.index(b)
        pos = cells.index_of(self.cell[i0:i1])
        return np.bincount(pos[pos >= 0], minlength=len(cells)).astype(np.float64)


def window_counts(
    grid: Grid, events: EventSet, cells: CellSet, start: date, end: date
) -> tuple[FloatArray, int]:
    """Events per cell of ``cells`` in ``[start, end)`` and the number of all the window's
    events inside the grid (the denominator of the hit rate)."""
    d = events.days
    i0 = int(np.searchsorted(d, day_number(start), side="left"))
    i1 = int(np.searchsorted(d, day_number(end), side="left"))
    ids = grid.cell_of(events.x[i0:i1], events.y[i0:i1])
    pos = cells.index_of(ids[ids >= 0])
    return (
        np.bincount(pos[pos >= 0], minlength=len(cells)).astype(np.float64),
        int((ids >= 0).sum()),
    )


#: Grids up to this many cells get dense id -> position lookup tables (4 bytes a cell).
DENSE_LOOKUP_CELLS = 64_000_000


def sorted_union(grid: Grid, parts: list[IntArray]) -> IntArray:
    """Sorted unique non-negative ids of ``parts`` (a bitmap for grids of moderate size)."""
    if grid.n_cells <= DENSE_LOOKUP_CELLS:
        present = np.zeros(grid.n_cells, dtype=bool)
        for p in parts:
            present[p[p >= 0]] = True
        return np.flatnonzero(present).astype(np.int64)
    stacked = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
    return np.unique(stacked[stacked >= 0])


class IdLookup:
    """Position of grid ids in a sorted id array (-1 when absent)."""

    def __init__(self, grid: Grid, sorted_ids: IntArray) -> None:
        self.ids = sorted_ids
        self.table: NDArray[np.int32] | None = None
        if grid.n_cells <= DENSE_LOOKUP_CELLS:
            self.table = np.full(grid.n_cells, -1, dtype=np.int32)
            self.table[sorted_ids] = np.arange(len(sorted_ids), dtype=np.int32)

    def __call__(self, cell_ids: IntArray) -> IntArray:
        cell_ids = np.asarray(cell_ids, dtype=np.int64)
        if self.table is not None:
            out = np.full(len(cell_ids), -1, dtype=np.int64)
            ok = cell_ids >= 0
            out[ok] = self.table[cell_ids[ok]]
            return out
        if not len(self.ids):
            return np.full(len(cell_ids), -1, dtype=np.int64)
        pos = np.searchsorted(self.ids, cell_ids)
        pos_c = np.minimum(pos, len(self.ids) - 1)
        return np.where(self.ids[pos_c] == cell_ids, pos_c, -1)


class Stencil:
    """Neighbourhood sums for target cells: sparse matrices from the *support* (every cell
    within ``radius`` of a target, Chebyshev distance) to the targets. Cost and memory grow
    with the number of targets, not with the extent of the grid, so sparse masks (a county
    of map-snapped points, the whole country) stay cheap."""

    def __init__(self, grid: Grid, ids: IntArray, radius: int = MARGIN) -> None:
        self.grid = grid
        self.radius = radius
        self.n = len(ids)
        ix, iy = grid.ix_iy(ids)
        offsets = [
            (dr, dc) for dr in range(-radius, radius + 1) for dc in range(-radius, radius + 1)
        ]
        nbs: list[IntArray] = []
        for dr, dc in offsets:
            jx, jy = ix + dc, iy + dr
            ok = (jx >= 0) & (jx < grid.nx) & (jy >= 0) & (jy < grid.ny)
            nbs.append(np.where(ok, jy * grid.nx + jx, -1))
        #: Sorted grid ids of the support cells.
        self.support = sorted_union(grid, nbs)
        self._lookup = IdLookup(grid, self.support)
        self._pos: dict[tuple[int, int], NDArray[np.int32]] = {
            off: self._lookup(nb).astype(np.int32) for off, nb in zip(offsets, nbs, strict=True)
        }
        #: Support position of each target.
        self.self_pos = self._pos[(0, 0)].astype(np.int64)
        self._matrices: dict[tuple[int, object], sparse.csr_matrix] = {}

    @property
    def size(self) -> int:
        return len(self.support)

    def index(self, cell_ids: IntArray) -> IntArray:
        """Support position of grid cells; -1 outside the support."""
        return self._lookup(cell_ids)

    def counts(self, pos: IntArray, weights: FloatArray | None = None) -> FloatArray:
        """Sum per support cell of events at support positions ``pos`` (-1 ignored)."""
        keep = pos >= 0
        w = None if weights is None else weights[keep]
        return np.bincount(pos[keep], weights=w, minlength=self.size).astype(np.float64)

    def matrix(
        self, radius: int, weight: Callable[[int, int], float] | None = None
    ) -> sparse.csr_matrix:
        """Targets x support: the (2 radius + 1)^2 block, each offset with ``weight``
        (1 when None; offsets of weight 0 are left out)."""
        key = (radius, weight)
        if key in self._matrices:
            return self._matrices[key]
        rows: list[IntArray] = []
        cols: list[NDArray[np.int32]] = []
        vals: list[FloatArray] = []
        targets = np.arange(self.n, dtype=np.int64)
        for dr in range(-radius, radius + 1):
            for dc in range(-radius, radius + 1):
                w = 1.0 if weight is None else weight(dr, dc)
                if w == 0.0:
                    continue
                pos = self._pos[(dr, dc)]
                ok = pos >= 0
                rows.append(targets[ok])
                cols.append(pos[ok])
                vals.append(np.full(int(ok.sum()), w))
        m = sparse.csr_matrix(
            (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
            shape=(self.n, self.size),
        )
        self._matrices[key] = m
        return m

    def at(self, values: FloatArray) -> FloatArray:
        """Support values at the targets."""
        return values[self.self_pos]

    def block_max(self, values: FloatArray, radius: int = 1) -> FloatArray:
        out = np.full(self.n, -np.inf)
        for dr in range(-radius, radius + 1):
            for dc in range(-radius, radius + 1):
                pos = self._pos[(dr, dc)]
                ok = pos >= 0
                vals = np.full(self.n, -np.inf)
                vals[ok] = values[pos[ok]]
                np.maximum(out, vals, out=out)
        return out


def _bjp_weight(dr: int, dc: int) -> float:
    d = math.hypot(dr, dc)
    return 1.0 / (1.0 + d) if d <= 3.2 else 0.0


def _quartic_weight(dr: int, dc: int) -> float:
    u = (dr * dr + dc * dc) / 4.0
    return (1.0 - u) ** 2 if u < 1 else 0.0


def lags_for(resolution: Resolution) -> tuple[Span, ...]:
    return MONTH_LAGS if resolution == "month" else WEEK_LAGS


def feature_names(resolution: Resolution, covariates: Covariates | None) -> list[str]:
    names: list[str] = []
    for lag in lags_for(resolution):
        names += [f"cell_{lag}", f"nb8_{lag}", f"ring_{lag}"]
    for tau in DECAYS:
        names += [f"decay{tau:.0f}_cell", f"decay{tau:.0f}_3x3"]
    names += ["days_since_cell", "days_since_3x3", "rate_cell", "rate_3x3"]
    names += ["prospective", "kde_365"]
    names += ["season_sin", "season_cos", "weekday", "trend", "history_years", "mean_rate"]
    if covariates is not None:
        names += [f"cov_{n}" for n in covariates.names]
    return names


class FeatureBuilder:
    """Features (module docstring) for fixed target cells from one :class:`History`."""

    def __init__(
        self,
        history: History,
        cells: CellSet,
        covariates: Covariates | None = None,
    ) -> None:
        self.history = history
        self.cells = cells
        self.covariates = covariates
        self.stencil = Stencil(history.grid, cells.ids)
        self.pos = self.stencil.index(history.cell)
        self.lags = lags_for(history.resolution)
        self.names = feature_names(history.resolution, covariates)

    @cached_property
    def _covariate_block(self) -> FloatArray | None:
        if self.covariates is None:
            return None
        return self.covariates.for_cells(self.cells.ids)

    def _age(self, t: float, day: FloatArray) -> FloatArray:
        """Age in days at ``t``; in whole months (x 30.44 days) for month-resolution data,
        whose events all sit on the 1st: otherwise the length of February would show up
        as a change in risk."""
        age = t - day
        if self.history.resolution == "month":
            with np.errstate(invalid="ignore"):
                age = np.round(age / MONTH_DAYS) * MONTH_DAYS
        return age

    def features(self, origin: date, horizon: Span) -> NDArray[np.float32]:
        """The feature matrix (cells x features) at ``origin`` from events before it."""
        h, st = self.history, self.stencil
        t = float(day_number(origin))
        n_t = h.index(t)
        pos, day = self.pos[:n_t], h.day[:n_t]
        first = h.first_day
        years = max((t - first) / 365.25, 1 / 12) if first is not None and first < t else 1.0
        # Support columns: one per lag, the decays, the long-run rate.
        columns: list[FloatArray] = []
        for lag in self.lags:
            i0 = h.index(float(day_number(lag.sub(origin))))
            columns.append(st.counts(pos[i0:]))
        for tau in DECAYS:
            i0 = h.index(t - 8 * tau)
            columns.append(st.counts(pos[i0:], np.exp(-self._age(t, day[i0:]) / tau)))
        columns.append(st.counts(pos) / years)
        m = np.column_stack(columns)
        cell = m[st.self_pos]
        b1 = np.asarray(st.matrix(1) @ m)
        b3 = np.asarray(st.matrix(3) @ m)
        n_lags = len(self.lags)
        n = len(self.cells)
        out = np.empty((n, len(self.names)), dtype=np.float32)
        k = 0

        def put(v: FloatArray | float) -> None:
            nonlocal k
            out[:, k] = v
            k += 1

        for j in range(n_lags):
            put(cell[:, j])
            put(b1[:, j] - cell[:, j])
            put(b3[:, j] - b1[:, j])
        for j in range(n_lags, n_lags + len(DECAYS)):
            put(cell[:, j])
            put(b1[:, j])
        i0 = h.index(t - LAST_EVENT_CAP)
        last = np.full(st.size, -np.inf)
        sel = pos[i0:] >= 0
        np.maximum.at(last, pos[i0:][sel], day[i0:][sel])
        put(np.minimum(self._age(t, st.at(last)), LAST_EVENT_CAP))
        put(np.minimum(self._age(t, st.block_max(last, 1)), LAST_EVENT_CAP))
        put(cell[:, -1])
        put(b1[:, -1])
        # The baselines' kernels as features (stacking): Bowers-Johnson-Pease weights over
        # the last 8 weeks and a quartic kernel (h = 2 cells) over the last year.
        i0 = h.index(t - 56.0)
        bjp = st.counts(pos[i0:], 1.0 / (1.0 + np.floor(self._age(t, day[i0:]) / 7.0)))
        put(np.asarray(st.matrix(3, _bjp_weight) @ bjp))
        i0 = h.index(t - 365.0)
        put(np.asarray(st.matrix(2, _quartic_weight) @ st.counts(pos[i0:])))
        mid = t + horizon.approx_days / 2
        doy = from_day_number(mid).timetuple().tm_yday
        angle = 2 * np.pi * doy / 365.25
        month_ago = h.index(t - 28)
        year_ago = h.index(t - 365)
        recent = n_t - month_ago
        yearly = max(n_t - year_ago, 1) * 28 / min(365.0, max(t - (first or t), 28.0))
        put(float(np.sin(angle)))
        put(float(np.cos(angle)))
        put(float(origin.weekday()))
        put(recent / yearly if n_t else 1.0)
        put(years)
        put(float(cell[:, -1].mean()) if n else 0.0)
        cov = self._covariate_block
        if cov is not None:
            out[:, k:] = cov
            k += cov.shape[1]
        assert k == out.shape[1]
        return out

    def labels(self, origin: date, horizon: Span) -> FloatArray:
        """Events per target cell in ``[origin, origin + horizon)`` (must end by ``until``)."""
        a, b = day_number(origin), day_number(horizon.add(origin))
        if b > self.history.until_day:
            raise ValueError("label window reaches past the history cut-off")
        return self.history.counts(self.cells, a, b)
