"""Rolling-origin backtest: what each method would have predicted, window by window.

Windows start at ``start``, ``start + step``, ``start + 2 step`` ... and each covers
``[origin, origin + horizon)``; a window is used when it ends by ``end`` (inclusive: the
last scored day). For every window and method a *fresh* model is fitted on the events
strictly before the window's origin (:meth:`~.models.CasModel.fit` with ``until=origin``)
and scored on the window's events (:mod:`.metrics`): the past only, no leakage.

The result holds every window's metrics per method, their means (NaN windows - those
without events - are left out and counted), the wall time of each method (fit + predict
summed over all windows) and, per masked cell, the summed predictions and observations
that the bias report needs.

:func:`run_backtest` is what ``regie cas backtest`` calls: it takes the command's argument
values (strings as typed), loads the events and covariates, builds the grid and mask, runs
the backtest with a progress callback and writes ``OUT.json``::

    {"cells": N_masked, "windows": N,
     "methods": {NAME: {"hit_rate": {"1": x, "3": x, ...}, "pai": {...}, "pei": {...},
                        "brier": x, "seconds": x}},
     "best": NAME}

with means over the windows (``null`` when no window had events), ``seconds`` the method's
total fit + predict wall time over all windows, and ``best`` the method with the highest
mean hit rate at 3 % (or the coverage nearest to it; ties: the first in method order),
plus the per-window CSV ``OUT.windows.csv`` next to it (one row per window and method:
start, end, events, hit rate / PAI / PEI per coverage, Brier, seconds; empty cells where a
metric is undefined).
"""

from __future__ import annotations

import csv
import json
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from .events import DEFAULT_CRS, EventSet, load_events_csv
from .features import window_counts
from .grid import (
    DEFAULT_CELL,
    CellSet,
    Covariates,
    Grid,
    MaskSpec,
    build_mask,
    load_covariates,
    parse_mask,
)
from .metrics import (
    COVERAGES,
    WindowMetrics,
    coverage_key,
    mean_over,
    parse_coverages,
    top_k,
    window_metrics,
)
from .models import (
    ALL_METHODS,
    DEFAULT_HORIZON,
    MAIN_MODEL,
    CasModel,
    Prediction,
    make_model,
    parse_methods,
)
from .periods import Span, to_date

#: ``progress(done, total, label)`` after each (window, method) step.
ProgressCallback = Callable[[int, int, str], None]
FloatArray = NDArray[np.float64]

REFERENCE_COVERAGE = 3.0


def window_starts(start: date, end: date, horizon: Span, step: Span) -> list[date]:
    """Origins ``start + i * step`` whose window ``[origin, origin + horizon)`` ends by
    ``end`` (inclusive)."""
    if end < start:
        raise ValueError(f"end {end} is before start {start}")
    limit = end + timedelta(days=1)
    out: list[date] = []
    i = 0
    while True:
        origin = step.add(start, i)
        if horizon.add(origin) > limit:
            return out
        out.append(origin)
        i += 1


@dataclass
class CellStats:
    """Per masked cell, summed over windows: predictions and outcomes (for the bias report)."""

    probability: FloatArray
    expected: FloatArray
    observed: FloatArray
    any_event: FloatArray
    in_top: FloatArray

    @classmethod
    def zeros(cls, n: int) -> CellStats:
        return cls(*(np.zeros(n) for _ in range(5)))


@dataclass
class BacktestResult:
    grid: Grid
    domain: CellSet
    horizon: Span
    step: Span
    coverages: tuple[float, ...]
    methods: tuple[str, ...]
    origins: list[date]
    mask: str = "default"
    #: Per method, one entry per window (in ``origins`` order).
    metrics: dict[str, list[WindowMetrics]] = field(default_factory=dict)
    #: Per method, fit + predict seconds per window.
    seconds: dict[str, list[float]] = field(default_factory=dict)
    cell_stats: dict[str, CellStats] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def cells(self) -> int:
        return len(self.domain)

    @property
    def windows(self) -> int:
        return len(self.origins)

    @property
    def empty_windows(self) -> int:
        first = next(iter(self.metrics.values()), [])
        return sum(1 for m in first if m.empty)

    def mean(self, method: str, metric: str, coverage: float | None = None) -> float | None:
        """Mean over windows of ``hit_rate``/``pai``/``pei`` (at ``coverage``) or ``brier``."""
        rows = self.metrics[method]
        if metric == "brier":
            return mean_over([m.brier for m in rows])
        if coverage is None:
            raise ValueError(f"{metric} needs a coverage")
        return mean_over([getattr(m, metric)[coverage] for m in rows])

    def values(self, method: str, metric: str, coverage: float) -> list[float]:
        return [getattr(m, metric)[coverage] for m in self.metrics[method]]

    @property
    def reference_coverage(self) -> float:
        return min(self.coverages, key=lambda c: (abs(c - REFERENCE_COVERAGE), c))

    @property
    def best(self) -> str | None:
        """The method with the highest mean hit rate at the reference coverage (3 %)."""
        c = self.reference_coverage
        scored = [(self.mean(m, "hit_rate", c), i, m) for i, m in enumerate(self.methods)]
        defined = [(v, i, m) for v, i, m in scored if v is not None]
        if not defined:
            return None
        return max(defined, key=lambda t: (t[0], -t[1]))[2]

    def summary(self) -> dict[str, object]:
        """The OUT.json document (module docstring)."""
        methods: dict[str, object] = {}
        for m in self.methods:
            methods[m] = {
                "hit_rate": {coverage_key(c): self.mean(m, "hit_rate", c) for c in self.coverages},
                "pai": {coverage_key(c): self.mean(m, "pai", c) for c in self.coverages},
                "pei": {coverage_key(c): self.mean(m, "pei", c) for c in self.coverages},
                "brier": self.mean(m, "brier"),
                "seconds": round(sum(self.seconds[m]), 3),
            }
        return {"cells": self.cells, "windows": self.windows, "methods": methods, "best": self.best}

    def write_json(self, path: str | Path) -> Path:
        p = Path(path)
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(json.dumps(self.summary(), indent=2) + "\n", encoding="utf-8")
        return p

    def window_rows(self) -> list[dict[str, object]]:
        rows: list[dict[str, object]] = []
        for i, origin in enumerate(self.origins):
            for m in self.methods:
                wm = self.metrics[m][i]
                row: dict[str, object] = {
                    "window": i + 1,
                    "start": origin.isoformat(),
                    "end": (self.horizon.add(origin) - timedelta(days=1)).isoformat(),
                    "method": m,
                    "events": wm.events,
                    "events_in_mask": wm.events_in_mask,
                    "empty": int(wm.empty),
                }
                for metric in ("hit_rate", "pai", "pei"):
                    for c in self.coverages:
                        v = getattr(wm, metric)[c]
                        row[f"{metric}_{coverage_key(c)}"] = "" if math.isnan(v) else f"{v:.6f}"
                row["brier"] = "" if math.isnan(wm.brier) else f"{wm.brier:.6f}"
                row["seconds"] = f"{self.seconds[m][i]:.3f}"
                rows.append(row)
        return rows

    def write_windows_csv(self, path: str | Path) -> Path:
        p = Path(path)
        rows = self.window_rows()
        p.parent.mkdir(parents=True, exist_ok=True)
        with p.open("w", newline="", encoding="utf-8") as f:
            if rows:
                w = csv.DictWriter(f, fieldnames=list(rows[0]))
                w.writeheader()
                w.writerows(rows)
        return p


def windows_csv_path(json_path: str | Path) -> Path:
    """``OUT.json`` -> ``OUT.windows.csv`` (next to it)."""
    p = Path(json_path)
    return p.with_name(p.stem + ".windows.csv")


def backtest(
    events: EventSet,
    domain: CellSet,
    *,
    start: date,
    end: date,
    horizon: Span = DEFAULT_HORIZON,
    step: Span | None = None,
    coverages: Sequence[float] = COVERAGES,
    methods: Sequence[str] = ALL_METHODS,
    covariates: Covariates | None = None,
    progress: ProgressCallback | None = None,
    model_factory: Callable[[str, CellSet, Span, Covariates | None], CasModel] | None = None,
    mask: str = "default",
) -> BacktestResult:
    """Run the rolling-origin backtest (module docstring) on a grid/mask ``domain``."""
    step = step or horizon
    origins = window_starts(start, end, horizon, step)
    if not origins:
        raise ValueError(
            f"no {horizon}-window fits between {start} and {end}; move --end or --start"
        )
    factory = model_factory or make_model
    covs = tuple(sorted(set(float(c) for c in coverages)))
    result = BacktestResult(
        domain.grid, domain, horizon, step, covs, tuple(methods), origins, mask=mask
    )
    n = len(domain)
    ref = result.reference_coverage
    k_ref = top_k(n, ref) if n else 0
    for m in methods:
        result.metrics[m] = []
        result.seconds[m] = []
        result.cell_stats[m] = CellStats.zeros(n)
    total = len(origins) * len(methods)
    done = 0
    for origin in origins:
        window_end = horizon.add(origin)
        counts, n_events = window_counts(domain.grid, events, domain, origin, window_end)
        for m in methods:
            t0 = time.perf_counter()
            model = factory(m, domain, horizon, covariates)
            model.fit(events, origin)
            pred = model.predict(domain, origin)
            result.seconds[m].append(time.perf_counter() - t0)
            wm = window_metrics_for(
                pred.cells.ids, pred.score, counts, pred.probability, n_events, covs
            )
            result.metrics[m].append(wm)
            st = result.cell_stats[m]
            st.probability += pred.probability
            st.expected += pred.expected
            st.observed += counts
            st.any_event += counts > 0
            if k_ref:
                st.in_top[pred.order()[:k_ref]] += 1
            done += 1
            if progress is not None:
                progress(done, total, f"{origin.isoformat()} {m}")
    return result


def window_metrics_for(
    ids: NDArray[np.int64],
    score: FloatArray,
    counts: FloatArray,
    probability: FloatArray,
    n_events: int,
    coverages: Sequence[float],
) -> WindowMetrics:
    return window_metrics(
        ids, score, counts, probabilities=probability, total_events=n_events, coverages=coverages
    )


def predict_period(
    events: EventSet,
    start: str | date,
    *,
    method: str = MAIN_MODEL,
    horizon: str | int | Span = "14",
    cell: float = DEFAULT_CELL,
    mask: str | MaskSpec | None = None,
    covariates: Covariates | None = None,
    domain: CellSet | None = None,
) -> Prediction:
    """One prediction for ``[start, start + horizon)`` from the events before ``start``
    (what the web page and capacity advice show): builds the grid and mask unless a
    ``domain`` is given, fits ``method`` and predicts."""
    start_d = to_date(start)
    h = Span.parse(horizon)
    if domain is None:
        grid = Grid.for_events(events.before(start_d), cell=cell)
        spec = mask if isinstance(mask, MaskSpec) else parse_mask(mask)
        domain = build_mask(grid, events, spec, start=start_d, covariates=covariates)
    model = make_model(method, domain, h, covariates)
    return model.fit(events, start_d).predict(domain, start_d)


def run_backtest(
    events: str | Path | EventSet,
    *,
    start: str | date,
    end: str | date,
    time_col: str | None = None,
    x_col: str | None = None,
    y_col: str | None = None,
    lon_col: str | None = None,
    lat_col: str | None = None,
    type_col: str | None = None,
    types: str | Sequence[str] | None = None,
    crs: str = DEFAULT_CRS,
    time_format: str | None = None,
    cell: float = DEFAULT_CELL,
    horizon: str | int | Span = "14",
    step: str | int | Span | None = None,
    coverage: str | Sequence[float] | None = None,
    mask: str | MaskSpec | None = None,
    covariates: str | Path | Covariates | None = None,
    methods: str | Sequence[str] | None = "all",
    json_out: str | Path | None = None,
    progress: ProgressCallback | None = None,
) -> BacktestResult:
    """``regie cas backtest`` without Django: argument values in, OUT.json and
    OUT.windows.csv out (when ``json_out`` is given), the result returned.

    ``events`` is a CSV path (then ``time_col`` and ``x_col``/``y_col`` or
    ``lon_col``/``lat_col`` are required) or an :class:`EventSet` (e.g. from registrations).
    ``types`` may be a comma-separated string. ``horizon``/``step`` accept ``"14"`` or
    ``"1M"``; ``coverage`` ``"1,3,5,10,20"``; ``mask`` ``history:YYYY-MM-DD``/``bbox``;
    ``covariates`` a CBS squares CSV path. Errors are ``ValueError`` (``EventFileError`` for
    the files) with a message for the terminal."""
    if isinstance(events, EventSet):
        ev = events
    else:
        if time_col is None:
            raise ValueError("--time-col is required")
        type_list = [t for t in types.split(",") if t.strip()] if isinstance(types, str) else types
        ev = load_events_csv(
            events,
            time_col=time_col,
            x_col=x_col,
            y_col=y_col,
            lon_col=lon_col,
            lat_col=lat_col,
            type_col=type_col,
            types=type_list,
            crs=crs,
            time_format=time_format,
        )
    if not len(ev):
        raise ValueError("no events")
    start_d, end_d = to_date(start), to_date(end)
    h = Span.parse(horizon)
    s = Span.parse(step) if step is not None else h
    covs = parse_coverages(coverage)
    method_list = parse_methods(methods)
    spec = mask if isinstance(mask, MaskSpec) else parse_mask(mask)
    grid = Grid.for_events(ev, cell=cell)
    cov: Covariates | None
    if covariates is None or isinstance(covariates, Covariates):
        cov = covariates
    else:
        cov = load_covariates(covariates, grid)
    domain = build_mask(grid, ev, spec, start=start_d, covariates=cov)
    if not len(domain):
        raise ValueError(
            f"the mask {spec} has no cells: no events before {start_d}? Use an earlier "
            "history date or --mask bbox"
        )
    result = backtest(
        ev,
        domain,
        start=start_d,
        end=end_d,
        horizon=h,
        step=s,
        coverages=covs,
        methods=method_list,
        covariates=cov,
        progress=progress,
        mask=str(spec),
    )
    result.notes.extend(ev.notes)
    if ev.resolution == "month" and h.unit == "D":
        result.notes.append(
            "The events have month resolution: use --horizon 1M --step 1M for exact windows."
        )
    if json_out is not None:
        result.write_json(json_out)
        result.write_windows_csv(windows_csv_path(json_out))
    return result
