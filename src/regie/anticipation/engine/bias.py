"""Bias report: does a method over- or under-predict in poorer or richer, emptier or fuller
areas, and how much do its top cells lean on one reporting channel?

:func:`bias_by_quantile` groups the masked cells by quantile of a covariate (income,
population ...; cells without a value form the group ``"onbekend"``) and compares, per
group, the mean predicted probability of at least one event in a window with the observed
share of windows that had one, summed over a backtest's windows (:class:`~.backtest.CellStats`).
``ratio`` = observed / predicted: 1 is calibrated, < 1 over-predicts (more attention than
the events warrant), > 1 under-predicts. ``top_share`` against ``cell_share`` shows whether
a group is over-represented among the high-risk cells. :attr:`BiasReport.max_gap` is the
largest ``|ratio - 1|`` over the groups with at least ``min_cells`` cells; the success
criteria bound it.

:func:`channel_dependence` refits a model without each reporting channel's events (calls,
own reports, police-initiated ...) and measures the overlap (Jaccard) of the top cells with
and without: a channel whose removal changes the top cells a lot drives the prediction -
worrying when it is police-initiated activity, which follows where police already are.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import numpy as np
from numpy.typing import NDArray

from .backtest import BacktestResult
from .events import EventSet
from .grid import CellSet, Covariates
from .models import DEFAULT_HORIZON, MAIN_MODEL, CasModel, make_model
from .periods import Span

FloatArray = NDArray[np.float64]
UNKNOWN = "onbekend"


@dataclass(frozen=True)
class BiasRow:
    group: str
    cells: int
    #: Mean predicted P(>= 1 event) per cell and window.
    predicted: float
    #: Share of cell-windows with at least one event.
    observed: float
    ratio: float | None
    cell_share: float
    top_share: float


@dataclass(frozen=True)
class BiasReport:
    variable: str
    method: str
    windows: int
    rows: list[BiasRow]
    min_cells: int = 20

    @property
    def max_gap(self) -> float | None:
        gaps = [
            abs(r.ratio - 1.0)
            for r in self.rows
            if r.ratio is not None and r.cells >= self.min_cells and r.group != UNKNOWN
        ]
        return max(gaps) if gaps else None


def quantile_groups(values: FloatArray, quantiles: int = 5) -> list[str]:
    """Labels ``Q1`` (lowest) .. ``Qn`` by quantile of the known values; NaN -> onbekend.
    Ties at a boundary go to the lower group."""
    v = np.asarray(values, dtype=np.float64)
    known = np.isfinite(v)
    out = np.full(len(v), UNKNOWN, dtype=object)
    if known.any():
        edges = np.quantile(v[known], np.linspace(0, 1, quantiles + 1)[1:-1])
        q = np.searchsorted(edges, v[known], side="left") + 1
        out[known] = [f"Q{i}" for i in q]
    return [str(s) for s in out]


def bias_by_quantile(
    values: FloatArray,
    predicted: FloatArray,
    observed: FloatArray,
    in_top: FloatArray,
    windows: int,
    *,
    variable: str = "",
    method: str = MAIN_MODEL,
    quantiles: int = 5,
    min_cells: int = 20,
) -> BiasReport:
    """Per quantile group of ``values``: ``predicted`` (summed probabilities per cell),
    ``observed`` (windows with an event per cell) and ``in_top`` (windows in the top cells)
    summed over ``windows`` windows (module docstring)."""
    groups = np.asarray(quantile_groups(values, quantiles))
    n = len(groups)
    top_total = float(in_top.sum())
    rows: list[BiasRow] = []
    labels = [f"Q{i}" for i in range(1, quantiles + 1)] + [UNKNOWN]
    for g in labels:
        mine = groups == g
        c = int(mine.sum())
        if not c:
            continue
        denom = c * max(windows, 1)
        pred = float(predicted[mine].sum()) / denom
        obs = float(observed[mine].sum()) / denom
        rows.append(
            BiasRow(
                g,
                c,
                pred,
                obs,
                obs / pred if pred > 0 else None,
                c / n,
                float(in_top[mine].sum()) / top_total if top_total else 0.0,
            )
        )
    return BiasReport(variable, method, windows, rows, min_cells)


def bias_report(
    result: BacktestResult,
    covariates: Covariates,
    column: str,
    *,
    method: str = MAIN_MODEL,
    quantiles: int = 5,
    min_cells: int = 20,
) -> BiasReport:
    """:func:`bias_by_quantile` of a backtest's method by a covariate column."""
    stats = result.cell_stats[method]
    values = covariates.for_cells(result.domain.ids)[:, covariates.names.index(column)]
    return bias_by_quantile(
        values,
        stats.probability,
        stats.any_event,
        stats.in_top,
        result.windows,
        variable=column,
        method=method,
        quantiles=quantiles,
        min_cells=min_cells,
    )


@dataclass(frozen=True)
class ChannelRow:
    channel: str
    events: int
    #: Share of all events (before ``until``) from this channel.
    share: float
    #: Share of the top cells' events from this channel.
    share_in_top: float
    #: Jaccard overlap of the top cells with and without this channel's events.
    overlap_without: float


def channel_dependence(
    events: EventSet,
    domain: CellSet,
    until: date,
    *,
    method: str = MAIN_MODEL,
    horizon: Span = DEFAULT_HORIZON,
    coverage: float = 3.0,
    covariates: Covariates | None = None,
    factory: Callable[[str, CellSet, Span, Covariates | None], CasModel] = make_model,
) -> list[ChannelRow]:
    """How much the top cells at ``until`` depend on each reporting channel."""
    if events.channels is None:
        raise ValueError("the events have no reporting channel (give a channel column)")
    past = events.before(until)
    channels = np.asarray(past.channels)

    def top(ev: EventSet) -> set[int]:
        model = factory(method, domain, horizon, covariates).fit(ev, until)
        return set(model.predict(domain, until).top(coverage).tolist())

    full = top(past)
    cell = domain.index_of(domain.grid.cell_of(past.x, past.y))
    top_pos = domain.index_of(np.fromiter(full, dtype=np.int64, count=len(full)))
    in_top = np.isin(cell, top_pos) & (cell >= 0)
    rows: list[ChannelRow] = []
    total = len(past)
    for ch in sorted(set(channels.tolist())):
        mine = channels == ch
        without = top(past.select(~mine))
        union = len(full | without)
        rows.append(
            ChannelRow(
                ch,
                int(mine.sum()),
                float(mine.sum()) / total if total else 0.0,
                float((mine & in_top).sum()) / max(int(in_top.sum()), 1),
                len(full & without) / union if union else 1.0,
            )
        )
    return rows


def fmt_ratio(v: float | None) -> str:
    return "-" if v is None or math.isnan(v) else f"{v:.2f}".replace(".", ",")
