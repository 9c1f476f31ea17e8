"""The Django-free engine of crime anticipation (CAS).

Modules: :mod:`.events` (CSV/table in, CRS), :mod:`.grid` (grid, masks, CBS covariates),
:mod:`.features` (history and the main model's features), :mod:`.models` (baselines and
the main model, one ``fit``/``predict`` interface), :mod:`.metrics` (hit rate, PAI, PEI,
Brier), :mod:`.backtest` (rolling origin; :func:`run_backtest` is ``regie cas backtest``),
:mod:`.bias`, :mod:`.criteria` (success criteria, model card), :mod:`.capacity` (advice),
:mod:`.synthetic` (a known self-exciting truth).

Typical use::

    # regie cas backtest ...: the command's argument values in, OUT.json + CSV out.
    result = run_backtest("events.csv", x_col="x", y_col="y", time_col="datum",
                          start="2023-01-02", end="2024-06-02", json_out="out.json",
                          progress=lambda done, total, label: ...)
    verdict = check_criteria(result, CasCriteria())          # refuse to publish if failed
    card = model_card(result, verdict)                         # Dutch Markdown

    # This period's prediction and advice for a base team:
    events = EventSet.from_arrays(xs, ys, times, tz="Europe/Amsterdam")  # registrations
    prediction = predict_period(events, date(2024, 6, 3), mask="history:2023-06-03")
    advice = capacity_advice(prediction, cell_areas, total_hours=400, minimum_hours=8,
                             history=events)

or step by step::

    grid = Grid.for_events(events)
    domain = build_mask(grid, events, "history:2024-01-01", start=date(2024, 1, 1))
    model = make_model("lightgbm", domain, Span.days(14)).fit(events, until=date(2024, 6, 3))
    prediction = model.predict(domain, start=date(2024, 6, 3))
"""

from .backtest import (
    BacktestResult,
    ProgressCallback,
    backtest,
    predict_period,
    run_backtest,
    window_starts,
    windows_csv_path,
)
from .bias import BiasReport, bias_by_quantile, bias_report, channel_dependence
from .capacity import CapacityAdvice, capacity_advice, split_hours
from .criteria import CasCriteria, check_criteria, model_card
from .events import EventFileError, EventSet, events_from_frame, load_events_csv
from .grid import (
    CellSet,
    Covariates,
    Grid,
    build_mask,
    load_cbs_squares,
    load_covariates,
    parse_mask,
)
from .metrics import COVERAGES, WindowMetrics, window_metrics
from .models import ALL_METHODS, MAIN_MODEL, CasModel, Prediction, make_model, parse_methods
from .periods import Span

__all__ = [
    "ALL_METHODS",
    "COVERAGES",
    "MAIN_MODEL",
    "BacktestResult",
    "BiasReport",
    "CapacityAdvice",
    "CasCriteria",
    "CasModel",
    "CellSet",
    "Covariates",
    "EventFileError",
    "EventSet",
    "Grid",
    "Prediction",
    "ProgressCallback",
    "Span",
    "WindowMetrics",
    "backtest",
    "bias_by_quantile",
    "bias_report",
    "build_mask",
    "capacity_advice",
    "channel_dependence",
    "check_criteria",
    "events_from_frame",
    "load_cbs_squares",
    "load_covariates",
    "load_events_csv",
    "make_model",
    "model_card",
    "parse_mask",
    "parse_methods",
    "predict_period",
    "run_backtest",
    "split_hours",
    "window_metrics",
    "window_starts",
    "windows_csv_path",
]
