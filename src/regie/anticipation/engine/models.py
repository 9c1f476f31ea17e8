"""Prediction models, all with one estimator-style interface.

``model = make_model(name, domain, horizon=Span.days(14), covariates=None)``;
``model.fit(events, until)``; ``model.predict(cells, start)`` -> :class:`Prediction`.

``fit`` keeps only the events strictly before ``until`` (:class:`~.features.History`); every
score and every calibration is computed from those, so what a model predicts cannot depend
on any event at or after ``until`` (the leakage test alters and adds such events and checks
the prediction is bit-for-bit the same). ``predict`` needs ``start >= until``.

A prediction has, per cell, a ``score`` (the ranking; higher = more risk), ``probability``
(calibrated P(at least one event in the horizon)) and ``expected`` (calibrated expected
number of events). Ranking always uses ``score`` with ties broken by cell id (lower first).

Baselines
    ``previous_N`` (:class:`PreviousCounts`): events in the cell in the previous N days
    (``previous_28`` and ``previous_365`` by default; ``previous:N`` for other N). On
    month-resolution data N is rounded to whole months (28 days = the previous month), as
    a fixed number of days would cut a month's events, all dated the 1st, in or out.

    ``kde`` (:class:`RetrospectiveKDE`): retrospective hotspot map, a quartic (biweight)
    kernel ``(1 - (d/h)^2)^2`` of bandwidth h = 2 cells (250 m) over the events of the past
    365 days, evaluated at the cell centre from the exact event positions.

    ``prospective`` (:class:`ProspectiveHotspot`): Bowers, Johnson & Pease (2004),
    "Prospective hot-spotting": each event of the last 8 weeks within 400 m adds
    ``1 / (1 + d) * 1 / (1 + w)`` with d the distance between the cell centres in cells and
    w the age in whole weeks.

    ``sepp`` (:class:`GridSEPP`): the grid self-exciting point process of Mohler et al.
    (2015), "Randomized controlled field trials of predictive policing": per cell
    ``lambda(t) = mu_c + sum_{t_j < t} theta * omega * exp(-omega (t - t_j))`` over the
    earlier events in the same cell, fitted by expectation-maximisation on the past 365
    days (pairs more than 120 days apart ignored: their kernel weight is negligible once
    omega > 1/20 per day). The score is the expected count over the horizon.

Main model
    ``lightgbm`` (:class:`GradientBoosting`): LightGBM with a Poisson objective on the
    features of :mod:`.features`, trained on origins every horizon (at least every 7 days)
    in the year before ``until`` (26 origins; 12 for month data), each labelled with the
    events of its own horizon, which ends by ``until``.

    The trees start from a prior (LightGBM's ``init_score``): the log of an empirical-Bayes
    long-run rate of the cell, shrunk towards its neighbourhood (see
    :meth:`GradientBoosting.offset`), over the horizon; they learn multiplicative
    corrections to it. Without the prior, piecewise-constant trees give the busiest cells
    equal scores and the top of the ranking - the part that counts at 1-3 % coverage -
    falls to the tie-breaker.

    The most recent origin is held out (a random quarter of the cells when there is only
    one origin): it sets the number of boosting rounds (early stopping) and the isotonic
    calibration of P(>= 1 event) and of the expected count. With fewer than 8 origins
    (month data) the model is then refitted on all origins with that number of rounds;
    with more, one more origin changes little and the holdout model is kept. Above
    ``max_rows`` training rows, rows are subsampled with inverse-probability weights.

    LightGBM runs single-threaded by default: on a shared two-core machine its OpenMP
    threads spin-wait on a busy core, and a fit can take ten times longer.

Calibration of the baselines
    A baseline's score is not a probability. Each is scored as it would have been at
    ``until - horizon`` (from the events before that) and compared with what happened in
    ``[until - horizon, until)``; isotonic regressions map the score to P(>= 1 event) and
    to the expected count. Without such a window (too little history) the probability is
    the base rate of the last window.
"""

from __future__ import annotations

import math
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, ClassVar, Self

import lightgbm as lgb
import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree
from sklearn.isotonic import IsotonicRegression

from .events import EventSet
from .features import FeatureBuilder, History, Stencil
from .grid import CellSet, Covariates
from .metrics import top_k
from .periods import Span, day_number

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]

DEFAULT_HORIZON = Span.days(14)
MAIN_MODEL = "lightgbm"
#: ``--methods all``: the baselines and the main model, in report order.
ALL_METHODS: tuple[str, ...] = (
    "previous_28",
    "previous_365",
    "kde",
    "prospective",
    "sepp",
    MAIN_MODEL,
)


@dataclass(frozen=True, eq=False)
class Prediction:
    """A model's prediction for ``cells`` over ``[start, start + horizon)``."""

    method: str
    cells: CellSet
    start: date
    horizon: Span
    score: FloatArray
    probability: FloatArray
    expected: FloatArray

    @property
    def end(self) -> date:
        return self.horizon.add(self.start)

    def order(self) -> IntArray:
        """Positions by descending score, ties by ascending cell id (NaN scores last)."""
        score = np.where(np.isfinite(self.score), self.score, -np.inf)
        return np.lexsort((self.cells.ids, -score))

    def top(self, coverage_pct: float) -> IntArray:
        """Ids of the top floor(coverage% x cells) cells."""
        k = top_k(len(self.cells), coverage_pct)
        return self.cells.ids[self.order()[:k]]


@dataclass
class Calibration:
    """Score -> P(>= 1 event) and score -> expected count (isotonic), or constants."""

    prob: IsotonicRegression | None = None
    expected: IsotonicRegression | None = None
    constant_p: float = 0.0
    constant_e: float = 0.0

    @classmethod
    def fit(cls, score: FloatArray, counts: FloatArray) -> Calibration:
        score = np.where(np.isfinite(score), score, 0.0)
        if not len(score) or np.ptp(score) == 0 or counts.sum() == 0:
            return cls(
                constant_p=float((counts > 0).mean()) if len(counts) else 0.0,
                constant_e=float(counts.mean()) if len(counts) else 0.0,
            )
        p = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip")
        p.fit(score, (counts > 0).astype(np.float64))
        e = IsotonicRegression(y_min=0.0, out_of_bounds="clip")
        e.fit(score, counts)
        return cls(p, e)

    def apply(self, score: FloatArray) -> tuple[FloatArray, FloatArray]:
        score = np.where(np.isfinite(score), score, 0.0)
        if self.prob is None or self.expected is None:
            n = len(score)
            return np.full(n, self.constant_p), np.full(n, self.constant_e)
        return (
            np.asarray(self.prob.predict(score), dtype=np.float64),
            np.asarray(self.expected.predict(score), dtype=np.float64),
        )


class CasModel(ABC):
    """Base class: keeps the history, checks the calls, calibrates (module docstring)."""

    name: ClassVar[str] = "model"

    def __init__(
        self,
        domain: CellSet,
        horizon: Span = DEFAULT_HORIZON,
        covariates: Covariates | None = None,
    ) -> None:
        self.domain = domain
        self.grid = domain.grid
        self.horizon = horizon
        self.covariates = covariates
        self._history: History | None = None
        self.until: date | None = None
        self._calibration: Calibration | None = None
        #: Label for reports (``previous_28`` ...); defaults to the class name.
        self.label = self.name

    # -- interface ---------------------------------------------------------------------
    def fit(self, events: EventSet, until: date) -> Self:
        """Learn from the events strictly before ``until``."""
        if events.crs != self.grid.crs:
            raise ValueError(f"events in {events.crs}, grid in {self.grid.crs}")
        self._history = History.build(self.grid, events, until)
        self.until = until
        self._calibration = None
        self._fit(self._history)
        return self

    def predict(
        self, cells: CellSet | None, start: date, horizon: Span | None = None
    ) -> Prediction:
        """Scores for ``cells`` (default: the domain) over ``[start, start + horizon)``."""
        hist = self.history
        assert self.until is not None
        if start < self.until:
            raise ValueError(f"prediction start {start} is before the fit cut-off {self.until}")
        if horizon is not None and horizon != self.horizon:
            raise ValueError(f"model set up for horizon {self.horizon}, asked for {horizon}")
        cells = self.domain if cells is None else cells
        if cells.grid != self.grid:
            raise ValueError("cells on another grid")
        score = self._score(hist, cells, start)
        prob, expected = self._calibrate(score)
        return Prediction(self.label, cells, start, self.horizon, score, prob, expected)

    @property
    def history(self) -> History:
        if self._history is None:
            raise RuntimeError("fit the model first")
        return self._history

    # -- for subclasses ------------------------------------------------------------------
    def _fit(self, history: History) -> None:  # noqa: B027 - optional hook
        """Learn parameters (baselines without parameters need nothing)."""

    @abstractmethod
    def _score(self, history: History, cells: CellSet, origin: date) -> FloatArray:
        """Risk scores at ``origin`` using only ``history`` (events before it)."""

    def _calibrate(self, score: FloatArray) -> tuple[FloatArray, FloatArray]:
        if self._calibration is None:
            self._calibration = self._fit_calibration()
        return self._calibration.apply(score)

    def _fit_calibration(self) -> Calibration:
        hist = self.history
        assert self.until is not None
        origin = self.horizon.sub(self.until)
        a, b = float(day_number(origin)), hist.until_day
        counts = hist.counts(self.domain, a, b)
        first = hist.first_day
        if first is None or first >= a:
            return Calibration.fit(np.zeros(len(counts)), counts)
        score = self._score(hist.upto(a), self.domain, origin)
        return Calibration.fit(score, counts)


# --------------------------------------------------------------------------- baselines


class PreviousCounts(CasModel):
    """Events in the cell over the previous ``days`` days."""

    name = "previous"

    def __init__(
        self,
        domain: CellSet,
        horizon: Span = DEFAULT_HORIZON,
        covariates: Covariates | None = None,
        *,
        days: int = 28,
    ) -> None:
        super().__init__(domain, horizon, covariates)
        self.days = days
        self.label = f"previous_{days}"

    def _score(self, history: History, cells: CellSet, origin: date) -> FloatArray:
        t = float(day_number(origin))
        if history.resolution == "month":  # whole months: 28 days -> 1, 365 days -> 12
            months = max(1, round(self.days / 30.436875))
            return history.counts(cells, float(day_number(Span.months(months).sub(origin))), t)
        return history.counts(cells, t - self.days, t)


def _unique_points(
    x: FloatArray, y: FloatArray, w: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Merge coincident points (map-snapped data has many) adding their weights."""
    if not len(x):
        return x, y, w
    xy = np.column_stack([x, y])
    uniq, inv = np.unique(xy, axis=0, return_inverse=True)
    return uniq[:, 0], uniq[:, 1], np.bincount(inv.ravel(), weights=w, minlength=len(uniq))


class RetrospectiveKDE(CasModel):
    """Quartic-kernel density of the past ``window_days`` at the cell centres."""

    name = "kde"

    def __init__(
        self,
        domain: CellSet,
        horizon: Span = DEFAULT_HORIZON,
        covariates: Covariates | None = None,
        *,
        bandwidth_cells: float = 2.0,
        window_days: int = 365,
    ) -> None:
        super().__init__(domain, horizon, covariates)
        self.bandwidth = bandwidth_cells * domain.grid.cell
        self.window_days = window_days

    def _score(self, history: History, cells: CellSet, origin: date) -> FloatArray:
        t = float(day_number(origin))
        i0 = history.index(t - self.window_days)
        x, y, w = _unique_points(
            history.x[i0:], history.y[i0:], np.ones(len(history) - i0, dtype=np.float64)
        )
        out = np.zeros(len(cells))
        if not len(x) or not len(cells):
            return out
        cx, cy = self.grid.centres(cells.ids)
        h = self.bandwidth
        cell_tree = cKDTree(np.column_stack([cx, cy]))
        ev_tree = cKDTree(np.column_stack([x, y]))
        dist = cell_tree.sparse_distance_matrix(ev_tree, h, output_type="coo_matrix")
        u = (dist.data / h) ** 2
        k = np.where(u < 1, (1 - u) ** 2, 0.0) * w[dist.col]
        out += np.bincount(dist.row, weights=k, minlength=len(cells))
        return out


class ProspectiveHotspot(CasModel):
    """Bowers, Johnson & Pease (2004) prospective hot-spotting on the grid."""

    name = "prospective"

    def __init__(
        self,
        domain: CellSet,
        horizon: Span = DEFAULT_HORIZON,
        covariates: Covariates | None = None,
        *,
        bandwidth_m: float = 400.0,
        weeks: int = 8,
    ) -> None:
        super().__init__(domain, horizon, covariates)
        self.weeks = weeks
        self.radius = bandwidth_m / domain.grid.cell
        self._stencil_cells: CellSet | None = None
        self._stencil_cache: Stencil | None = None

    def _weight(self, dr: int, dc: int) -> float:
        d = math.hypot(dr, dc)
        return 1.0 / (1.0 + d) if d <= self.radius + 1e-9 else 0.0

    def _stencil(self, cells: CellSet) -> Stencil:
        if self._stencil_cache is None or self._stencil_cells is not cells:
            self._stencil_cells = cells
            self._stencil_cache = Stencil(self.grid, cells.ids, math.floor(self.radius))
        return self._stencil_cache

    def _score(self, history: History, cells: CellSet, origin: date) -> FloatArray:
        t = float(day_number(origin))
        i0 = history.index(t - 7 * self.weeks)
        age_weeks = np.floor((t - history.day[i0:]) / 7.0)
        st = self._stencil(cells)
        counts = st.counts(st.index(history.cell[i0:]), 1.0 / (1.0 + age_weeks))
        kernel = st.matrix(st.radius, self._weight)
        return np.asarray(kernel @ counts, dtype=np.float64)


class GridSEPP(CasModel):
    """Mohler et al. (2015) grid self-exciting point process, fitted by EM."""

    name = "sepp"

    def __init__(
        self,
        domain: CellSet,
        horizon: Span = DEFAULT_HORIZON,
        covariates: Covariates | None = None,
        *,
        window_days: int = 365,
        max_lag_days: float = 120.0,
        iterations: int = 200,
        tol: float = 1e-6,
    ) -> None:
        super().__init__(domain, horizon, covariates)
        self.window_days = window_days
        self.max_lag = max_lag_days
        self.iterations = iterations
        self.tol = tol
        self.theta = 0.0
        self.omega = 0.1
        self.mu_cells: IntArray = np.zeros(0, dtype=np.int64)
        self.mu: FloatArray = np.zeros(0)
        self.n_iter = 0

    def _fit(self, history: History) -> None:
        end = history.until_day
        i0 = history.index(end - self.window_days)
        cell, day = history.cell[i0:], history.day[i0:]
        if not len(cell):
            self.mu_cells, self.mu, self.theta = np.zeros(0, dtype=np.int64), np.zeros(0), 0.0
            return
        span = end - max(float(day[0]), end - self.window_days)
        span = max(span, 1.0)
        order = np.lexsort((day, cell))
        c, t = cell[order], day[order]
        uniq, ev_cell = np.unique(c, return_inverse=True)
        ev_cell = ev_cell.ravel()
        # All (child, parent) pairs in the same cell, parent strictly earlier, within max_lag.
        child: list[IntArray] = []
        parent: list[IntArray] = []
        n = len(t)
        k = 1
        while k < n:
            same = c[k:] == c[:-k]
            dt = t[k:] - t[:-k]
            ok = same & (dt <= self.max_lag)
            if not ok.any():
                break
            ok &= dt > 0
            idx = np.flatnonzero(ok)
            child.append(idx + k)
            parent.append(idx)
            k += 1
        ci = np.concatenate(child) if child else np.zeros(0, dtype=np.int64)
        pj = np.concatenate(parent) if parent else np.zeros(0, dtype=np.int64)
        dts = t[ci] - t[pj]
        theta, omega = 0.5, 0.1
        mu = np.bincount(ev_cell, minlength=len(uniq)) / span * 0.5
        self.n_iter = 0
        for it in range(1, self.iterations + 1):
            self.n_iter = it
            trig = theta * omega * np.exp(-omega * dts)
            lam = mu[ev_cell] + np.bincount(ci, weights=trig, minlength=n)
            p_bg = mu[ev_cell] / lam
            p_tr = trig / lam[ci]
            s_tr = p_tr.sum()
            new_mu = np.bincount(ev_cell, weights=p_bg, minlength=len(uniq)) / span
            new_theta = s_tr / n
            new_omega = s_tr / max(float((p_tr * dts).sum()), 1e-12) if s_tr > 0 else omega
            change = abs(new_theta - theta) + abs(new_omega - omega) / max(omega, 1e-12)
            change += float(np.abs(new_mu - mu).sum() / max(mu.sum(), 1e-12))
            mu, theta, omega = new_mu, float(new_theta), float(min(new_omega, 50.0))
            if change < self.tol:
                break
        self.mu_cells, self.mu, self.theta, self.omega = uniq, mu, theta, omega

    def _score(self, history: History, cells: CellSet, origin: date) -> FloatArray:
        t0 = float(day_number(origin))
        t1 = float(day_number(self.horizon.add(origin)))
        out = np.zeros(len(cells))
        pos = cells.index_of(self.mu_cells)
        ok = pos >= 0
        out[pos[ok]] += self.mu[ok] * (t1 - t0)
        if self.theta > 0:
            i0 = history.index(t0 - 50.0 / self.omega)
            age = t0 - history.day[i0:]
            w = self.theta * (np.exp(-self.omega * age) - np.exp(-self.omega * (age + t1 - t0)))
            p = cells.index_of(history.cell[i0:])
            out += np.bincount(p[p >= 0], weights=w[p >= 0], minlength=len(cells))
        return out


# -------------------------------------------------------------------------- main model


@dataclass
class BoostingInfo:
    """What the main model's last fit did (for the model card)."""

    origins: int = 0
    rows: int = 0
    rounds: int = 0
    holdout: bool = False
    feature_names: list[str] = field(default_factory=list)
    importance: dict[str, float] = field(default_factory=dict)


class GradientBoosting(CasModel):
    """LightGBM (Poisson) on multi-scale lagged counts, near-repeat, season, covariates.

    ``max_origins``: training origins (default 26, 12 for month spans); ``stride``: their
    spacing (default the horizon, at least 7 days); ``max_rounds``/``early_stopping``:
    boosting rounds and patience on the holdout; ``max_rows``: the subsampling budget;
    ``refit``: refit on all origins after the holdout (default: when < 8 origins);
    ``threads``: LightGBM threads (1: see the module docstring); ``seed``: subsampling and
    bagging seed (results are deterministic for a given seed and thread count)."""

    name = MAIN_MODEL

    PARAMS: ClassVar[dict[str, Any]] = {
        "objective": "poisson",
        "learning_rate": 0.1,
        "num_leaves": 15,
        "min_data_in_leaf": 50,
        "min_sum_hessian_in_leaf": 1e-3,
        "feature_fraction": 0.7,
        "bagging_fraction": 0.5,
        "bagging_freq": 1,
        "lambda_l2": 1.0,
        "max_bin": 63,
        "verbose": -1,
        "deterministic": True,
        "force_col_wise": True,
    }

    def __init__(
        self,
        domain: CellSet,
        horizon: Span = DEFAULT_HORIZON,
        covariates: Covariates | None = None,
        *,
        max_origins: int | None = None,
        stride: Span | None = None,
        max_rounds: int = 200,
        early_stopping: int = 20,
        max_rows: int = 1_000_000,
        refit: bool | None = None,
        threads: int = 1,
        seed: int = 0,
    ) -> None:
        super().__init__(domain, horizon, covariates)
        self.max_origins = max_origins
        self.stride = stride
        self.max_rounds = max_rounds
        self.early_stopping = early_stopping
        self.max_rows = max_rows
        self.refit = refit
        self.threads = threads
        self.seed = seed
        self.booster: lgb.Booster | None = None
        self.info = BoostingInfo()
        self._builder: FeatureBuilder | None = None

    def _params(self) -> dict[str, Any]:
        return {**self.PARAMS, "num_threads": self.threads, "seed": self.seed}

    def origins(self, history: History) -> list[date]:
        """Training origins, newest first: every max(horizon, 7 days) back from ``until``,
        each with its horizon ending by ``until`` and some history before it."""
        assert self.until is not None
        h = self.horizon
        stride = self.stride or (h if h.unit == "M" or h.n >= 7 else Span.days(7))
        n_max = self.max_origins or (12 if h.unit == "M" else 26)
        first = history.first_day
        out: list[date] = []
        if first is None:
            return out
        origin = h.sub(self.until)
        while len(out) < n_max and day_number(origin) > first:
            out.append(origin)
            origin = stride.sub(origin)
        return out

    #: ``refit=None``: refit on all origins (holdout included) only when there are fewer
    #: origins than this; with many, one more origin changes little and costs a second fit.
    REFIT_BELOW: ClassVar[int] = 8
    #: Prior strength (years of pseudo-history) of the main model's shrinkage prior.
    PRIOR_YEARS: ClassVar[float] = 0.25

    def offset(self, x: NDArray[np.float32], names: Sequence[str]) -> FloatArray:
        """log of the prior expectation the trees correct (the boosting's base margin).

        A gamma-Poisson (empirical Bayes) rate: ``(n_cell + a * mu) / (T + a)`` with n_cell
        the cell's events in T years of history, a = :attr:`PRIOR_YEARS` and mu half the
        mean rate of its 3x3 block, half the mean rate of all target cells; times the
        horizon. Busy cells keep their own rate, empty ones get a neighbourhood level, so
        no row starts at a near-zero expectation (where Poisson Newton steps explode)."""
        col = {
            n: x[:, names.index(n)].astype(np.float64)
            for n in ("rate_cell", "rate_3x3", "history_years", "mean_rate")
        }
        t = col["history_years"]
        a = self.PRIOR_YEARS
        mu = 0.5 * col["rate_3x3"] / 9.0 + 0.5 * col["mean_rate"]
        rate = (col["rate_cell"] * t + a * mu) / (t + a)
        years = self.horizon.approx_days / 365.25
        return np.log(years * np.maximum(rate, 1e-6))

    def _rows(
        self,
        builder: FeatureBuilder,
        origins: Sequence[date],
        rng: np.random.Generator,
        sample: bool,
    ) -> tuple[NDArray[np.float32], FloatArray, FloatArray]:
        """Features, labels and weights of the training rows of ``origins``. Above
        ``max_rows`` rows (when ``sample``), rows are subsampled with inverse-probability
        weights: rows with events at up to half the budget, zero rows fill the rest."""
        labels = [builder.labels(o, self.horizon) for o in origins]
        total = sum(len(y) for y in labels)
        n_pos = sum(int((y > 0).sum()) for y in labels)
        r_pos = r_zero = 1.0
        if sample and total > self.max_rows:
            r_pos = min(1.0, 0.5 * self.max_rows / max(n_pos, 1))
            r_zero = min(1.0, (self.max_rows - r_pos * n_pos) / max(total - n_pos, 1))
        xs, ys, ws = [], [], []
        for o, y in zip(origins, labels, strict=True):
            x = builder.features(o, self.horizon)
            w = np.ones(len(y))
            if r_pos < 1.0 or r_zero < 1.0:
                rate = np.where(y > 0, r_pos, r_zero)
                keep = rng.random(len(y)) < rate
                x, y, w = x[keep], y[keep], 1.0 / rate[keep]
            xs.append(x)
            ys.append(y)
            ws.append(w)
        return np.concatenate(xs), np.concatenate(ys), np.concatenate(ws)

    def _dataset(
        self,
        x: NDArray[np.float32],
        y: FloatArray,
        w: FloatArray | None,
        names: list[str],
        reference: lgb.Dataset | None = None,
    ) -> lgb.Dataset:
        return lgb.Dataset(
            x,
            label=y,
            weight=w,
            init_score=self.offset(x, names),
            feature_name=names,
            reference=reference,
        )

    def _lambda(
        self,
        booster: lgb.Booster,
        x: NDArray[np.float32],
        names: Sequence[str],
        rounds: int | None = None,
    ) -> FloatArray:
        raw = np.asarray(booster.predict(x, raw_score=True, num_iteration=rounds))
        return np.exp(raw + self.offset(x, names))

    def _fit(self, history: History) -> None:
        self.booster = None
        self.info = BoostingInfo()
        builder = FeatureBuilder(history, self.domain, self.covariates)
        self._builder = builder
        origins = self.origins(history)
        self.info.origins = len(origins)
        self.info.feature_names = names = builder.names
        if not origins:
            return
        rng = np.random.default_rng(self.seed)
        params = self._params()
        if len(origins) >= 2:
            # Time-later holdout: the newest origin.
            x_tr, y_tr, w_tr = self._rows(builder, origins[1:], rng, sample=True)
            x_ho, y_ho, w_ho = self._rows(builder, origins[:1], rng, sample=False)
        else:
            # One labelled origin only: hold out a random quarter of its cells instead.
            x, y, w = self._rows(builder, origins, rng, sample=True)
            held = np.random.default_rng(self.seed + 1).random(len(y)) < 0.25
            x_tr, y_tr, w_tr = x[~held], y[~held], w[~held]
            x_ho, y_ho, w_ho = x[held], y[held], w[held]
        train = self._dataset(x_tr, y_tr, w_tr, names)
        valid = self._dataset(x_ho, y_ho, w_ho, names, reference=train)
        booster = lgb.train(
            params,
            train,
            num_boost_round=self.max_rounds,
            valid_sets=[valid],
            callbacks=[lgb.early_stopping(self.early_stopping, verbose=False)],
        )
        rounds = max(int(booster.best_iteration or self.max_rounds), 1)
        lam = self._lambda(booster, x_ho, names, rounds)
        self._calibration = Calibration.fit(lam, y_ho)
        self.info.holdout = len(origins) >= 2
        refit = self.refit if self.refit is not None else len(origins) < self.REFIT_BELOW
        if refit:
            if len(origins) >= 2 and len(y_tr) + len(y_ho) > self.max_rows:
                x_all, y_all, w_all = self._rows(builder, origins, rng, sample=True)
            else:
                x_all = np.concatenate([x_ho, x_tr])
                y_all = np.concatenate([y_ho, y_tr])
                w_all = np.concatenate([w_ho, w_tr])
            booster = lgb.train(
                params, self._dataset(x_all, y_all, w_all, names), num_boost_round=rounds
            )
            self.info.rows = len(y_all)
        else:
            self.info.rows = len(y_tr)
        self.booster = booster
        self.info.rounds = booster.current_iteration()
        gain = booster.feature_importance(importance_type="gain")
        total = float(gain.sum()) or 1.0
        ranked = sorted(zip(names, gain, strict=True), key=lambda p: -p[1])
        self.info.importance = {n: float(g) / total for n, g in ranked}

    def _score(self, history: History, cells: CellSet, origin: date) -> FloatArray:
        builder = self._builder
        if builder is None or cells is not self.domain:
            builder = FeatureBuilder(history, cells, self.covariates)
        x = builder.features(origin, self.horizon)
        if self.booster is None:
            # No labelled origin yet: the prior expectation alone.
            return np.exp(self.offset(x, builder.names))
        return self._lambda(self.booster, x, builder.names)

    def _calibrate(self, score: FloatArray) -> tuple[FloatArray, FloatArray]:
        if self._calibration is not None:
            return self._calibration.apply(score)
        # No labelled origin: the Poisson reading of the prior.
        return 1.0 - np.exp(-score), score


# ---------------------------------------------------------------------------- registry

ModelFactory = Callable[[CellSet, Span, Covariates | None], CasModel]

_REGISTRY: dict[str, ModelFactory] = {
    "kde": lambda d, h, c: RetrospectiveKDE(d, h, c),
    "prospective": lambda d, h, c: ProspectiveHotspot(d, h, c),
    "sepp": lambda d, h, c: GridSEPP(d, h, c),
    MAIN_MODEL: lambda d, h, c: GradientBoosting(d, h, c),
}
_PREVIOUS_RE = re.compile(r"^previous[_:](\d+)$")


def make_model(
    name: str,
    domain: CellSet,
    horizon: Span = DEFAULT_HORIZON,
    covariates: Covariates | None = None,
) -> CasModel:
    """A fresh model by name: ``previous_N`` (or ``previous:N``), ``kde``, ``prospective``,
    ``sepp`` or ``lightgbm``."""
    m = _PREVIOUS_RE.match(name)
    if m:
        return PreviousCounts(domain, horizon, covariates, days=int(m.group(1)))
    if name == "previous":
        return PreviousCounts(domain, horizon, covariates)
    try:
        return _REGISTRY[name](domain, horizon, covariates)
    except KeyError:
        raise ValueError(
            f"unknown method {name!r}; known: {', '.join(ALL_METHODS)} (or previous_N)"
        ) from None


def parse_methods(text: str | Sequence[str] | None) -> tuple[str, ...]:
    """``"all"`` / None -> :data:`ALL_METHODS`; otherwise a comma-separated list, checked."""
    if text is None:
        return ALL_METHODS
    items = [s.strip() for s in text.split(",")] if isinstance(text, str) else list(text)
    items = [s for s in items if s]
    if not items or items == ["all"]:
        return ALL_METHODS
    out: list[str] = []
    for s in items:
        if s == "all":
            out += [m for m in ALL_METHODS if m not in out]
            continue
        canonical = s.replace(":", "_")
        if not (_PREVIOUS_RE.match(canonical) or canonical in _REGISTRY):
            raise ValueError(
                f"unknown method {s!r}; known: {', '.join(ALL_METHODS)} (or previous_N)"
            )
        if canonical not in out:
            out.append(canonical)
    return tuple(out)
