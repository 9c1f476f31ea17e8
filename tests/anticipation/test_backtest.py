"""Rolling-origin backtest: windows, output files, and the main model against the baselines
on a known self-exciting truth and on the Essex street-level data."""

from __future__ import annotations

import csv
import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from regie.anticipation.engine.backtest import (
    backtest,
    predict_period,
    run_backtest,
    window_starts,
)
from regie.anticipation.engine.grid import build_mask
from regie.anticipation.engine.models import MAIN_MODEL
from regie.anticipation.engine.periods import Span
from regie.anticipation.engine.synthetic import make_city
from tests.anticipation import shared_crime_events

ESSEX = shared_crime_events() / "essex_street_2018_01_07.csv"


def test_window_starts() -> None:
    d = Span.days(14)
    starts = window_starts(date(2024, 1, 1), date(2024, 1, 28), d, d)
    assert starts == [date(2024, 1, 1), date(2024, 1, 15)]  # the end is inclusive
    assert window_starts(date(2024, 1, 1), date(2024, 1, 27), d, d) == [date(2024, 1, 1)]
    assert window_starts(date(2024, 1, 1), date(2024, 1, 13), d, d) == []
    m = Span.months(1)
    assert window_starts(date(2018, 3, 1), date(2018, 7, 31), m, m) == [
        date(2018, m_, 1) for m_ in range(3, 8)
    ]
    # Overlapping windows: a 14-day horizon every 7 days.
    assert len(window_starts(date(2024, 1, 1), date(2024, 2, 29), d, Span.days(7))) == 7
    with pytest.raises(ValueError):
        window_starts(date(2024, 2, 1), date(2024, 1, 1), d, d)


def _write_events(path: Path) -> None:
    truth = make_city(7, side=12, events=2500, days=300)
    ev = truth.simulate(7)
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["x", "y", "tijdstip", "soort"])
        for x, y, t in zip(ev.x, ev.y, ev.t, strict=True):
            w.writerow([f"{x:.1f}", f"{y:.1f}", str(t).replace("T", " "), "inbraak"])


def test_run_backtest_writes_the_json_and_csv(tmp_path: Path) -> None:
    src = tmp_path / "events.csv"
    _write_events(src)
    out = tmp_path / "out" / "cas.json"
    calls: list[tuple[int, int, str]] = []
    result = run_backtest(
        src,
        x_col="x",
        y_col="y",
        time_col="tijdstip",
        type_col="soort",
        types="inbraak",
        start="2016-09-01",
        end="2016-10-12",
        horizon="14",
        coverage="1,3,5,10,20",
        methods="previous_28,kde,lightgbm",
        json_out=out,
        progress=lambda done, total, label: calls.append((done, total, label)),
    )
    doc = json.loads(out.read_text())
    assert set(doc) == {"cells", "windows", "methods", "best"}
    assert doc["windows"] == 3 and doc["cells"] == result.cells > 0
    assert set(doc["methods"]) == {"previous_28", "kde", "lightgbm"}
    entry = doc["methods"]["lightgbm"]
    assert set(entry) == {"hit_rate", "pai", "pei", "brier", "seconds"}
    assert list(entry["hit_rate"]) == ["1", "3", "5", "10", "20"]
    assert doc["best"] in doc["methods"]
    assert calls[-1][:2] == (9, 9) and calls[0][2] == "2016-09-01 previous_28"
    rows = list(csv.DictReader((tmp_path / "out" / "cas.windows.csv").open()))
    assert len(rows) == 9
    assert rows[0]["start"] == "2016-09-01" and rows[0]["end"] == "2016-09-14"
    assert {"hit_rate_3", "pai_3", "pei_3", "brier", "seconds", "events"} <= set(rows[0])
    mean3 = np.mean([float(r["hit_rate_3"]) for r in rows if r["method"] == "kde"])
    assert doc["methods"]["kde"]["hit_rate"]["3"] == pytest.approx(mean3, abs=1e-6)


def test_run_backtest_errors(tmp_path: Path) -> None:
    src = tmp_path / "events.csv"
    _write_events(src)
    kw: dict[str, Any] = {"x_col": "x", "y_col": "y", "time_col": "tijdstip"}
    with pytest.raises(ValueError, match="no 14-window fits"):
        run_backtest(src, start="2016-09-01", end="2016-09-05", **kw)
    with pytest.raises(ValueError, match="the mask history:2000-01-01 has no cells"):
        run_backtest(src, start="2016-09-01", end="2016-10-12", mask="history:2000-01-01", **kw)
    with pytest.raises(ValueError, match="unknown method"):
        run_backtest(src, start="2016-09-01", end="2016-10-12", methods="magic", **kw)


def test_empty_windows_are_counted_not_averaged(tmp_path: Path) -> None:
    truth = make_city(2, side=10, events=800, days=200)
    ev = truth.simulate(2)
    ev = ev.select(~((ev.days >= ev.days[0] + 150) & (ev.days < ev.days[0] + 170)))
    start = ev.period[0] + timedelta(days=150) if ev.period else date(2016, 1, 1)
    domain = build_mask(truth.grid, ev, None, start=start)
    r = backtest(
        ev,
        domain,
        start=start,
        end=start + timedelta(days=27),
        methods=["previous_28"],
        horizon=Span.days(7),
    )
    assert r.windows == 4 and r.empty_windows == 2
    assert np.isnan(r.metrics["previous_28"][0].hit_rate[3.0])
    values = [v for v in r.values("previous_28", "hit_rate", 3.0) if not np.isnan(v)]
    assert r.mean("previous_28", "hit_rate", 3.0) == pytest.approx(np.mean(values))


def test_main_model_beats_every_baseline_on_a_self_exciting_truth() -> None:
    """30 x 30 cells of 125 m, ~12k events over 729 days from a known Hawkes truth (near
    repeats 150 m / 7 days, branching 0.5, drifting hotspots): 26 two-week windows after a
    year of history. The main model must have the best mean hit rate at 3 % and the best
    Brier score. (Seed 0; at this small size the margin is a few per cent.)"""
    truth = make_city(0, side=30, events=12_000, days=365 + 26 * 14, n_hotspots=6)
    ev = truth.simulate(0)
    start = date(2017, 1, 1)
    domain = build_mask(truth.grid, ev, None, start=start)
    r = backtest(ev, domain, start=start, end=start + timedelta(days=26 * 14 - 1))
    assert r.windows == 26
    main = r.mean(MAIN_MODEL, "hit_rate", 3.0)
    assert main is not None
    for m in r.methods:
        if m == MAIN_MODEL:
            continue
        other = r.mean(m, "hit_rate", 3.0)
        assert other is not None and main > other, (m, main, other)
        assert r.mean(MAIN_MODEL, "brier") < r.mean(m, "brier"), m  # type: ignore[operator]
    assert r.best == MAIN_MODEL


@pytest.mark.skipif(not ESSEX.is_file(), reason="shared Essex data not present")
def test_main_model_beats_every_baseline_on_essex() -> None:
    """Essex Police street-level crimes, Jan-Jul 2018 (month resolution, lon/lat to British
    National Grid): monthly windows March-July, every method trained on the months before."""
    r = run_backtest(
        ESSEX,
        lon_col="longitude",
        lat_col="latitude",
        time_col="month",
        crs="EPSG:27700",
        horizon="1M",
        step="1M",
        start="2018-03-01",
        end="2018-07-31",
    )
    assert r.windows == 5
    main = r.mean(MAIN_MODEL, "hit_rate", 3.0)
    assert main is not None
    for m in r.methods:
        other = r.mean(m, "hit_rate", 3.0)
        assert other is not None and (m == MAIN_MODEL or main > other), (m, main, other)
    assert r.best == MAIN_MODEL


def test_predict_period_for_this_period() -> None:
    truth = make_city(5, side=12, events=2500, days=300)
    ev = truth.simulate(5)
    start = date(2016, 10, 3)
    pred = predict_period(ev, start, mask="history:2016-10-03")
    assert pred.method == MAIN_MODEL and pred.start == start and pred.end == date(2016, 10, 17)
    assert len(pred.cells) > 0 and np.isfinite(pred.expected).all()
    same = predict_period(ev.before(start), "2016-10-03", mask="history:2016-10-03")
    np.testing.assert_array_equal(pred.score, same.score)  # later events play no part
