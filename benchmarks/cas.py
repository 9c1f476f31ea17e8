"""Crime anticipation (CAS): speed, and hit rates of the main model against the baselines.

    .venv/bin/python benchmarks/cas.py [--parts city,national,essex,chicago,synthetic]
        [--seed 0] [--synthetic-seeds 1,2] [--data ../shared/data/crime_events]
        [--out DIR]

No Django, no database. Every method is refitted for every window on the events strictly
before the window (rolling origin, :mod:`regie.anticipation.engine.backtest`).

(a) ``city``: a full rolling backtest of a city-size set, timed: a synthetic city with a
    known self-exciting truth (:func:`~regie.anticipation.engine.synthetic.make_city`:
    40 x 40 cells of 125 m, ~16k events over 981 days, ~1,200 active cells), 44 two-week
    windows from 2017-01-01 after a year of history, all methods. The target is well under
    a minute on a two-core machine. The truth's own expectation (the *oracle*) is scored
    on the same windows as the ceiling.
(b) ``national``: one prediction of the main model for a national-size grid, timed:
    :func:`~regie.anticipation.engine.synthetic.make_national` (RD extent, 5.3M cells of
    125 m, ~940k events in 400 days, ~330k cells with an event in the first year): mask,
    fit (26 training origins) and predict. The target is minutes.
(c) hit rates of all methods on the shared real data and on more synthetic truths:
    ``essex`` - Essex Police street-level crimes Jan-Jul 2018 (data.police.uk, month
    resolution, lon/lat projected to EPSG:27700), monthly windows March-July (``--horizon
    1M --step 1M``); ``chicago`` - the 1,000-crime Chicago South Side 2016 sample (UTM 16N,
    EPSG:32616), two-week windows July-December (tiny: ~35 events a window, read it as a
    smoke test); ``synthetic`` - the city of (a) with other seeds, with the oracle.

Each data set prints a table (mean over windows: hit rate at 1/3/5/10/20 % of the masked
cells, PAI and PEI at 3 %, Brier, fit + predict seconds) and the ratio of the main model's
hit rate at 3 % to the best baseline's (and to the oracle's for synthetic truths).
``--out DIR`` writes each backtest's OUT.json and per-window CSV there.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Never

import numpy as np
from tqdm import tqdm

from regie.anticipation.engine.backtest import (
    BacktestResult,
    ProgressCallback,
    backtest,
    run_backtest,
    windows_csv_path,
)
from regie.anticipation.engine.events import EventSet
from regie.anticipation.engine.features import window_counts
from regie.anticipation.engine.grid import build_mask
from regie.anticipation.engine.metrics import mean_over, window_metrics
from regie.anticipation.engine.models import MAIN_MODEL, GradientBoosting
from regie.anticipation.engine.periods import Span
from regie.anticipation.engine.synthetic import HawkesTruth, make_city, make_national

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "crime_events"
CITY_START = date(2017, 1, 1)
CITY_WINDOWS = 44
PARTS = ("city", "national", "essex", "chicago", "synthetic")


@dataclass
class Oracle:
    hit_rate: dict[float, float | None]


def progress_bar(label: str) -> tuple[ProgressCallback, tqdm[Never]]:
    bar = tqdm(total=0, desc=label, file=sys.stderr, leave=False, mininterval=0.5)

    def update(done: int, total: int, step: str) -> None:
        bar.total = total
        bar.n = done
        bar.set_postfix_str(step, refresh=False)
        bar.refresh()

    return update, bar


def oracle_scores(truth: HawkesTruth, result: BacktestResult, events_all: EventSet) -> Oracle:
    """The truth's expected counts, scored on the backtest's windows."""
    per: dict[float, list[float]] = {c: [] for c in result.coverages}
    for origin in result.origins:
        counts, n = window_counts(
            result.grid, events_all, result.domain, origin, result.horizon.add(origin)
        )
        expected = truth.expected_counts(events_all, result.domain.ids, origin, result.horizon)
        wm = window_metrics(
            result.domain.ids, expected, counts, total_events=n, coverages=result.coverages
        )
        for c in result.coverages:
            per[c].append(wm.hit_rate[c])
    return Oracle({c: mean_over(v) for c, v in per.items()})


def _f(x: float | None, digits: int = 3) -> str:
    return "   -  " if x is None else f"{x:.{digits}f}"


def table(title: str, result: BacktestResult, oracle: Oracle | None = None) -> str:
    covs = result.coverages
    ref = result.reference_coverage
    lines = [
        "",
        f"{title}: {result.cells:,} masked cells, {result.windows} windows of "
        f"{result.horizon.n}{' month(s)' if result.horizon.unit == 'M' else ' days'}"
        f" ({result.empty_windows} without events)",
        f"  {'method':<14}"
        + "".join(f"{'hit ' + format(c, 'g') + '%':>9}" for c in covs)
        + f"{'PAI3':>8}{'PEI3':>7}{'Brier':>9}{'seconds':>9}",
    ]
    for m in result.methods:
        lines.append(
            f"  {m:<14}"
            + "".join(f"{_f(result.mean(m, 'hit_rate', c)):>9}" for c in covs)
            + f"{_f(result.mean(m, 'pai', ref), 2):>8}{_f(result.mean(m, 'pei', ref)):>7}"
            + f"{_f(result.mean(m, 'brier'), 4):>9}{sum(result.seconds[m]):>9.1f}"
        )
    if oracle is not None:
        lines.append(
            f"  {'oracle (truth)':<14}" + "".join(f"{_f(oracle.hit_rate[c]):>9}" for c in covs)
        )
    main = result.mean(MAIN_MODEL, "hit_rate", ref)
    baselines = [
        (v, -i, m)
        for i, m in enumerate(result.methods)
        if m != MAIN_MODEL
        for v in [result.mean(m, "hit_rate", ref)]
        if v is not None
    ]
    if main is not None and baselines:
        best_v, _, best_m = max(baselines)  # ties: the first in method order
        wins = sum(
            1
            for a, b in zip(
                result.values(MAIN_MODEL, "hit_rate", ref),
                result.values(best_m, "hit_rate", ref),
                strict=True,
            )
            if not np.isnan(a) and a > b
        )
        lines.append(
            f"  => {MAIN_MODEL} / best baseline ({best_m}) hit rate at {ref:g} %: "
            f"{main:.4f} / {best_v:.4f} = {main / best_v:.3f}"
            f" (higher in {wins} of {result.windows - result.empty_windows} windows)"
        )
        if oracle is not None and oracle.hit_rate[ref]:
            o = oracle.hit_rate[ref]
            assert o is not None
            lines.append(
                f"  => {MAIN_MODEL} / oracle: {main / o:.3f}; best baseline / oracle: "
                f"{best_v / o:.3f}"
            )
    wall = sum(sum(v) for v in result.seconds.values())
    lines.append(f"  best: {result.best}; fit + predict time, all methods {wall:.1f} s")
    return "\n".join(lines)


def write(result: BacktestResult, out: Path | None, name: str) -> None:
    if out is None:
        return
    path = result.write_json(out / f"{name}.json")
    result.write_windows_csv(windows_csv_path(path))


def city(seed: int, out: Path | None, label: str) -> str:
    truth = make_city(seed)
    events = truth.simulate(seed)
    domain = build_mask(truth.grid, events, None, start=CITY_START)
    end = CITY_START + timedelta(days=CITY_WINDOWS * 14 - 1)
    update, bar = progress_bar(label)
    t0 = time.perf_counter()
    result = backtest(events, domain, start=CITY_START, end=end, progress=update)
    elapsed = time.perf_counter() - t0
    bar.close()
    write(result, out, f"city_seed{seed}")
    oracle = oracle_scores(truth, result, events)
    head = (
        f"{label} (seed {seed}): {len(events):,} events {events.period[0]}..{events.period[1]}"
        if events.period
        else label
    )
    return (
        table(head, result, oracle)
        + f"\n  FULL ROLLING BACKTEST: {result.windows} windows x {len(result.methods)} "
        f"methods in {elapsed:.1f} s"
    )


def national(seed: int) -> str:
    t0 = time.perf_counter()
    truth = make_national(seed)
    events = truth.simulate(seed)
    t_sim = time.perf_counter() - t0
    start = truth.start + timedelta(days=365)
    t0 = time.perf_counter()
    domain = build_mask(truth.grid, events, None, start=start)
    t_mask = time.perf_counter() - t0
    model = GradientBoosting(domain, Span.days(14))
    t0 = time.perf_counter()
    model.fit(events, start)
    t_fit = time.perf_counter() - t0
    t0 = time.perf_counter()
    pred = model.predict(domain, start)
    t_pred = time.perf_counter() - t0
    counts, n = window_counts(truth.grid, events, domain, start, Span.days(14).add(start))
    wm = window_metrics(
        domain.ids, pred.score, counts, probabilities=pred.probability, total_events=n
    )
    info = model.info
    return "\n".join(
        [
            "",
            f"(b) national prediction (seed {seed}): grid {truth.grid.nx} x {truth.grid.ny} = "
            f"{truth.grid.n_cells:,} cells of 125 m, {len(events):,} events "
            f"(simulated in {t_sim:.1f} s)",
            f"  masked (active) cells: {len(domain):,} (mask {t_mask:.1f} s)",
            f"  {MAIN_MODEL}: fit {t_fit:.1f} s ({info.origins} origins, {info.rows:,} rows, "
            f"{info.rounds} trees), predict {t_pred:.1f} s",
            f"  NATIONAL PREDICTION: {len(domain):,} cells in {t_fit + t_pred:.1f} s "
            f"(fit + predict)",
            f"  (its next two weeks: {n:,} events, hit rate at 3 % {wm.hit_rate[3.0]:.3f}, "
            f"PAI {wm.pai[3.0]:.2f}, Brier {wm.brier:.4f})",
        ]
    )


def essex(data: Path, out: Path | None) -> str:
    path = data / "essex_street_2018_01_07.csv"
    if not path.is_file():
        return f"\n(c) Essex: {path} not found, skipped"
    update, bar = progress_bar("essex")
    result = run_backtest(
        path,
        lon_col="longitude",
        lat_col="latitude",
        time_col="month",
        crs="EPSG:27700",
        horizon="1M",
        step="1M",
        start="2018-03-01",
        end="2018-07-31",
        progress=update,
    )
    bar.close()
    write(result, out, "essex")
    notes = "".join(f"\n  note: {n}" for n in result.notes)
    return table("(c) Essex street-level crimes 2018 (all types, EPSG:27700)", result) + notes


def chicago(data: Path, out: Path | None) -> str:
    path = data / "chicago_southside_2016_sample.csv"
    if not path.is_file():
        return f"\n(c) Chicago: {path} not found, skipped"
    update, bar = progress_bar("chicago")
    result = run_backtest(
        path,
        lon_col="Longitude",
        lat_col="Latitude",
        time_col="Date",
        crs="EPSG:32616",
        horizon="14",
        start="2016-07-01",
        end="2016-12-29",
        progress=update,
    )
    bar.close()
    write(result, out, "chicago")
    return table("(c) Chicago South Side 2016 sample (1,000 crimes, EPSG:32616)", result)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--parts", default=",".join(PARTS), help="default %(default)s")
    parser.add_argument("--seed", type=int, default=0, help="city and national seed")
    parser.add_argument("--synthetic-seeds", default="1,2", help="more city truths for (c)")
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--out", type=Path, default=None, help="write OUT.json files here")
    args = parser.parse_args(argv)
    parts = [p.strip() for p in args.parts.split(",") if p.strip()]
    unknown = set(parts) - set(PARTS)
    if unknown:
        parser.error(f"unknown parts: {', '.join(sorted(unknown))}")
    t0 = time.perf_counter()
    if "city" in parts:
        print(
            city(args.seed, args.out, "(a) city backtest, synthetic self-exciting truth"),
            flush=True,
        )
    if "national" in parts:
        print(national(args.seed), flush=True)
    if "essex" in parts:
        print(essex(args.data, args.out), flush=True)
    if "chicago" in parts:
        print(chicago(args.data, args.out), flush=True)
    if "synthetic" in parts:
        for s in [int(v) for v in args.synthetic_seeds.split(",") if v.strip()]:
            print(city(s, args.out, "(c) synthetic self-exciting truth"), flush=True)
    print(f"\nruntime {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
