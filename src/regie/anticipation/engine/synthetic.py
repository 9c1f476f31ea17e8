"""Synthetic events from a known self-exciting truth, for tests and benchmarks.

The truth (:class:`HawkesTruth`) is a spatio-temporal Hawkes process on a grid:

* background: a stationary per-cell rate ``base`` (streets and squares with their own level,
  lognormal across cells) plus Gaussian *hotspots* whose strength waxes and wanes slowly
  (``1 + amplitude * sin(2 pi t / period + phase)``, periods of months to years), all
  modulated by the season (``1 + seasonal_amplitude * cos`` peaking in mid-summer), the day
  of the week and the hour of the day;
* self-excitation (near repeats): every event, background or triggered, has Poisson(theta)
  offspring, each after an exponential delay with rate ``omega`` per day and displaced by
  a Gaussian of ``sigma`` metres per axis (so into the neighbouring cells too).

Simulation uses the branching (cluster) representation and is vectorised per component and
per generation; a seed fixes everything. :meth:`HawkesTruth.expected_counts` is the oracle:
the expected number of events per cell in a window given the history before it (background
plus the offspring of past events, with the offspring of the window's own events added by
the usual ``1 / (1 - theta f)`` cascade factor, ``f`` the share of a new event's
offspring that falls inside the window). No model can rank better in expectation; the
benchmark reports it as the ceiling.

:func:`make_city` builds a city-size truth (40 x 40 cells of 125 m, ~16k events over 981
days: a year of history and 44 two-week windows); :func:`make_national` a national-size one
(~300k active cells) for timing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
from numpy.typing import NDArray
from scipy.special import ndtr

from .events import EventSet
from .grid import Grid
from .periods import Span, day_number

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]

#: Relative risk by day of the week (Monday first) and hour of the day (mean 1).
WEEKDAY: tuple[float, ...] = (0.9, 0.9, 0.95, 1.0, 1.15, 1.2, 0.9)
# fmt: off
HOURS: tuple[float, ...] = (
    0.9, 0.8, 0.6, 0.4, 0.3, 0.3, 0.4, 0.6, 0.8, 0.9, 1.0, 1.1,
    1.2, 1.2, 1.2, 1.3, 1.4, 1.5, 1.5, 1.4, 1.4, 1.3, 1.2, 1.1,
)
# fmt: on


@dataclass(frozen=True)
class Hotspot:
    x: float
    y: float
    #: Spread (m) of the Gaussian.
    sigma: float
    #: Mean events per day it generates (before the season and day-of-week factors).
    rate: float
    period: float = 365.0
    amplitude: float = 0.0
    phase: float = 0.0

    def strength(self, days: FloatArray) -> FloatArray:
        s = 1.0 + self.amplitude * np.sin(2 * np.pi * days / self.period + self.phase)
        return np.asarray(s, dtype=np.float64)


def _seasonal(days: FloatArray, amplitude: float) -> FloatArray:
    """Season x day-of-week factor at day numbers (1970-01-01 was a Thursday)."""
    doy = (days - day_number(date(2000, 1, 1))) % 365.25
    season = 1.0 + amplitude * np.cos(2 * np.pi * (doy - 196) / 365.25)
    weekday = np.asarray(WEEKDAY)[((np.floor(days).astype(np.int64) + 3) % 7)]
    return np.asarray(season * weekday / np.mean(WEEKDAY), dtype=np.float64)


def _gauss_cell_mass(
    grid: Grid, x: FloatArray, y: FloatArray, sigma: float, reach: int
) -> tuple[IntArray, IntArray, FloatArray]:
    """For points (x, y): (point index, cell id, probability that a N(point, sigma^2)
    displacement lands in the cell) for the cells within ``reach`` cells."""
    ix = np.floor((x - grid.x0) / grid.cell).astype(np.int64)
    iy = np.floor((y - grid.y0) / grid.cell).astype(np.int64)
    pts: list[IntArray] = []
    cells: list[IntArray] = []
    probs: list[FloatArray] = []
    idx = np.arange(len(x))
    for dx in range(-reach, reach + 1):
        jx = ix + dx
        x0 = grid.x0 + jx * grid.cell
        px = ndtr((x0 + grid.cell - x) / sigma) - ndtr((x0 - x) / sigma)
        for dy in range(-reach, reach + 1):
            jy = iy + dy
            y0 = grid.y0 + jy * grid.cell
            py = ndtr((y0 + grid.cell - y) / sigma) - ndtr((y0 - y) / sigma)
            ok = (jx >= 0) & (jx < grid.nx) & (jy >= 0) & (jy < grid.ny)
            pts.append(idx[ok])
            cells.append((jy * grid.nx + jx)[ok])
            probs.append((px * py)[ok])
    return np.concatenate(pts), np.concatenate(cells), np.concatenate(probs)


@dataclass(frozen=True, eq=False)
class HawkesTruth:
    grid: Grid
    #: Stationary background, events per day per cell (len = grid.n_cells).
    base: FloatArray
    hotspots: tuple[Hotspot, ...]
    theta: float
    omega: float
    sigma: float
    start: date
    days: int
    seasonal_amplitude: float = 0.2
    notes: dict[str, float] = field(default_factory=dict)

    @property
    def end(self) -> date:
        return self.start + timedelta(days=self.days)

    def _day_grid(self, a: float, b: float, step: float = 0.25) -> FloatArray:
        n = max(math.ceil((b - a) / step), 1)
        return a + (np.arange(n) + 0.5) * (b - a) / n

    # -- simulation --------------------------------------------------------------------
    def simulate(self, seed: int = 0) -> EventSet:
        rng = np.random.default_rng(seed)
        t0 = float(day_number(self.start))
        t1 = t0 + self.days
        g = self.grid
        day_mid = np.asarray(t0 + np.arange(self.days) + 0.5, dtype=np.float64)
        season = _seasonal(day_mid, self.seasonal_amplitude)
        hours = np.asarray(HOURS) / np.sum(HOURS)
        xs: list[FloatArray] = []
        ys: list[FloatArray] = []
        ts: list[FloatArray] = []

        def times(weights: FloatArray, n: int) -> FloatArray:
            d = rng.choice(self.days, size=n, p=weights / weights.sum())
            h = rng.choice(24, size=n, p=hours)
            return np.asarray(t0 + d + (h + rng.random(n)) / 24.0, dtype=np.float64)

        # Stationary background: cells by rate, uniform inside the cell.
        total_base = float(self.base.sum())
        if total_base > 0:
            n = int(rng.poisson(total_base * season.sum()))
            cells = rng.choice(g.n_cells, size=n, p=self.base / total_base)
            cx, cy = g.lower_left(cells)
            xs.append(cx + rng.random(n) * g.cell)
            ys.append(cy + rng.random(n) * g.cell)
            ts.append(times(season, n))
        for hs in self.hotspots:
            w = season * hs.strength(day_mid)
            n = int(rng.poisson(hs.rate * w.sum()))
            xs.append(hs.x + rng.normal(0, hs.sigma, n))
            ys.append(hs.y + rng.normal(0, hs.sigma, n))
            ts.append(times(w, n))
        x, y, t = np.concatenate(xs), np.concatenate(ys), np.concatenate(ts)
        x_max, y_max = g.x0 + g.nx * g.cell, g.y0 + g.ny * g.cell
        inside = (x >= g.x0) & (x < x_max) & (y >= g.y0) & (y < y_max)
        gen_x, gen_y, gen_t = x[inside], y[inside], t[inside]
        all_x, all_y, all_t = [gen_x], [gen_y], [gen_t]
        while len(gen_t):
            k = rng.poisson(self.theta, len(gen_t))
            parent = np.repeat(np.arange(len(gen_t)), k)
            cx = gen_x[parent] + rng.normal(0, self.sigma, len(parent))
            cy = gen_y[parent] + rng.normal(0, self.sigma, len(parent))
            ct = gen_t[parent] + rng.exponential(1.0 / self.omega, len(parent))
            ok = (ct < t1) & (cx >= g.x0) & (cx < x_max) & (cy >= g.y0) & (cy < y_max)
            gen_x, gen_y, gen_t = cx[ok], cy[ok], ct[ok]
            all_x.append(gen_x)
            all_y.append(gen_y)
            all_t.append(gen_t)
        x, y, t = np.concatenate(all_x), np.concatenate(all_y), np.concatenate(all_t)
        seconds = np.round(t * 86400.0).astype(np.int64)
        return EventSet(
            x,
            y,
            seconds.astype("datetime64[s]"),
            crs=g.crs,
            resolution="time",
            source=f"synthetic Hawkes truth, seed {seed}",
        )

    # -- oracle ------------------------------------------------------------------------
    def background(self, ids: IntArray, start: date, horizon: Span) -> FloatArray:
        """Expected background events per cell over the window."""
        a, b = float(day_number(start)), float(day_number(horizon.add(start)))
        days = self._day_grid(a, b)
        dt = (b - a) / len(days)
        season = _seasonal(days, self.seasonal_amplitude)
        out = self.base[ids] * float(season.sum() * dt)
        g = self.grid
        for hs in self.hotspots:
            w = float((season * hs.strength(days)).sum() * dt) * hs.rate
            x0, y0 = g.lower_left(ids)
            px = ndtr((x0 + g.cell - hs.x) / hs.sigma) - ndtr((x0 - hs.x) / hs.sigma)
            py = ndtr((y0 + g.cell - hs.y) / hs.sigma) - ndtr((y0 - hs.y) / hs.sigma)
            out = out + w * px * py
        return np.asarray(out, dtype=np.float64)

    def expected_counts(
        self, history: EventSet, ids: IntArray, start: date, horizon: Span
    ) -> FloatArray:
        """The oracle: expected events per cell in ``[start, start + horizon)`` given the
        events before ``start`` (module docstring)."""
        ids = np.asarray(ids, dtype=np.int64)
        a, b = float(day_number(start)), float(day_number(horizon.add(start)))
        out = self.background(ids, start, horizon)
        past = history.before(start)
        keep = past.days >= a - 20.0 / self.omega
        px, py, pt = past.x[keep], past.y[keep], past.days[keep]
        if len(pt):
            temporal = self.theta * (
                np.exp(-self.omega * (a - pt)) - np.exp(-self.omega * (b - pt))
            )
            reach = math.ceil(4 * self.sigma / self.grid.cell) + 1
            p_idx, cells, prob = _gauss_cell_mass(self.grid, px, py, self.sigma, reach)
            contrib = np.bincount(
                cells, weights=prob * temporal[p_idx], minlength=self.grid.n_cells
            )
            out = out + contrib[ids]
        h = b - a
        f = 1.0 - (1.0 - math.exp(-self.omega * h)) / (self.omega * h)
        return np.asarray(out / (1.0 - self.theta * f), dtype=np.float64)


def _hotspots(
    rng: np.random.Generator,
    n: int,
    x_range: tuple[float, float],
    y_range: tuple[float, float],
    sigma: tuple[float, float],
    rate: float,
) -> tuple[Hotspot, ...]:
    out = []
    for _ in range(n):
        out.append(
            Hotspot(
                x=float(rng.uniform(*x_range)),
                y=float(rng.uniform(*y_range)),
                sigma=float(rng.uniform(*sigma)),
                rate=float(rate * rng.lognormal(0.0, 0.5)),
                period=float(rng.uniform(180.0, 720.0)),
                amplitude=float(rng.uniform(0.3, 0.9)),
                phase=float(rng.uniform(0, 2 * np.pi)),
            )
        )
    return tuple(out)


def make_city(
    seed: int = 0,
    *,
    side: int = 40,
    cell: float = 125.0,
    events: int = 16_000,
    start: date = date(2016, 1, 1),
    days: int = 981,
    theta: float = 0.5,
    omega: float = 1 / 7,
    sigma: float = 150.0,
    hotspot_share: float = 0.5,
    n_hotspots: int = 12,
) -> HawkesTruth:
    """A city: ``side`` x ``side`` cells, about ``events`` events over ``days`` days, half
    of the background from slowly changing hotspots, half stationary (lognormal per cell,
    a fifth of the cells - water, parks - without background)."""
    rng = np.random.default_rng(seed)
    x0, y0 = 150_000.0, 450_000.0
    grid = Grid(x0, y0, cell, side, side, "EPSG:28992")
    n = grid.n_cells
    base = rng.lognormal(0.0, 1.0, n) * (rng.random(n) > 0.2)
    background_per_day = events * (1 - theta) / days
    base *= background_per_day * (1 - hotspot_share) / base.sum()
    extent = side * cell
    hs = _hotspots(
        rng,
        n_hotspots,
        (x0 + 0.1 * extent, x0 + 0.9 * extent),
        (y0 + 0.1 * extent, y0 + 0.9 * extent),
        (120.0, 400.0),
        background_per_day * hotspot_share / n_hotspots,
    )
    return HawkesTruth(grid, base, hs, theta, omega, sigma, start, days)


def make_national(
    seed: int = 0,
    *,
    cell: float = 125.0,
    towns: int = 1200,
    events_per_year: float = 800_000.0,
    start: date = date(2019, 1, 1),
    days: int = 400,
    theta: float = 0.4,
    omega: float = 1 / 7,
    sigma: float = 150.0,
    town_sigma: tuple[float, float] = (150.0, 800.0),
) -> HawkesTruth:
    """The Netherlands' RD extent (~265 x 315 km, 5.3M cells of 125 m) with ``towns``
    hotspots of 0.15-0.8 km and a sparse stationary background: ~300k cells with events in
    a year at the default sizes."""
    rng = np.random.default_rng(seed)
    x0, y0, x1, y1 = 13_000.0, 306_000.0, 278_000.0, 621_000.0
    nx, ny = int((x1 - x0) // cell), int((y1 - y0) // cell)
    grid = Grid(x0, y0, cell, nx, ny, "EPSG:28992")
    per_day = events_per_year / 365.0 * (1 - theta)
    n = grid.n_cells
    base = np.zeros(n)
    lit = rng.random(n) < 0.01
    base[lit] = rng.lognormal(0.0, 1.0, int(lit.sum()))
    base *= per_day * 0.2 / base.sum()
    hs = _hotspots(
        rng,
        towns,
        (x0 + 5e3, x1 - 5e3),
        (y0 + 5e3, y1 - 5e3),
        town_sigma,
        per_day * 0.8 / towns,
    )
    return HawkesTruth(grid, base, hs, theta, omega, sigma, start, days)
