"""Grid alignment, masks and CBS square statistics (incl. suppressed values)."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from regie.anticipation.engine.events import EventFileError, EventSet
from regie.anticipation.engine.grid import (
    CellSet,
    Grid,
    aggregate_squares,
    build_mask,
    load_cbs_squares,
    load_covariates,
    offender_counts,
    parse_mask,
    with_extra_column,
)


def test_grid_is_aligned_to_multiples_of_the_cell() -> None:
    g = Grid.covering([136010.0, 137490.0], [455060.0, 455999.0], cell=125)
    assert (g.x0, g.y0) == (136000.0, 455000.0)
    assert (g.nx, g.ny) == (12, 8)
    ids = g.cell_of(np.array([136010.0, 136125.0, 137490.0, 1e9]), np.array([455060.0] * 4))
    assert list(ids) == [0, 1, 11, -1]
    assert g.labels(ids[:2]) == ["136000_455000", "136125_455000"]
    cx, cy = g.centres(np.array([g.nx + 1]))  # second row, second column
    assert (cx[0], cy[0]) == (136187.5, 455187.5)
    g250 = Grid.covering([136010.0], [455060.0], cell=250)
    assert (g250.x0, g250.y0) == (136000.0, 455000.0)


def test_cell_set_positions() -> None:
    g = Grid(0, 0, 125, 10, 10)
    cs = CellSet(g, np.array([50, 3, 3, 20]))
    assert list(cs.ids) == [3, 20, 50]
    assert list(cs.index_of(np.array([20, 4, 50, -1]))) == [1, -1, 2, -1]
    with pytest.raises(ValueError):
        CellSet(g, np.array([100]))


def _events() -> EventSet:
    return EventSet.from_arrays(
        [136010.0, 136300.0, 136900.0],
        [455010.0, 455010.0, 455400.0],
        ["2024-01-05", "2024-02-10", "2024-03-01"],
    )


def test_masks() -> None:
    ev = _events()
    g = Grid.for_events(ev)
    assert parse_mask(None).kind == "default"
    assert str(parse_mask("history:2024-02-01")) == "history:2024-02-01"
    with pytest.raises(ValueError, match="unknown mask"):
        parse_mask("everything")
    with pytest.raises(ValueError, match="cannot read"):
        parse_mask("history:gisteren")
    hist = build_mask(g, ev, "history:2024-02-01", start=date(2024, 3, 1))
    assert list(hist.ids) == [int(g.cell_of(np.array([136010.0]), np.array([455010.0]))[0])]
    # Strictly before the date: the event of 10 February counts from the 11th.
    assert len(build_mask(g, ev, "history:2024-02-10", start=date(2024, 3, 1))) == 1
    assert len(build_mask(g, ev, "history:2024-02-11", start=date(2024, 3, 1))) == 2
    assert len(build_mask(g, ev, "bbox", start=date(2024, 3, 1))) == g.n_cells
    # Default: history before the start.
    assert len(build_mask(g, ev, None, start=date(2024, 3, 1))) == 2


CBS_100 = """crs28992res100m;aantal_inwoners;aantal_mannen;gemiddelde_woz_waarde_woning;gemeente
E1360N4550;120;60;250;Utrecht
E1361N4550;-99997;geheim;-99997;Utrecht
E1360N4551;nihil;-99998;300;Utrecht
"""


def test_cbs_suppressed_and_empty_codes(tmp_path: Path) -> None:
    p = tmp_path / "vk100.csv"
    p.write_text(CBS_100, encoding="utf-8")
    sq = load_cbs_squares(p)
    assert sq.size == 100.0
    assert sq.columns == ("aantal_inwoners", "aantal_mannen", "gemiddelde_woz_waarde_woning")
    assert list(sq.x) == [136000.0, 136100.0, 136000.0]
    assert list(sq.y) == [455000.0, 455000.0, 455100.0]
    inw = sq.values[:, 0]
    assert inw[0] == 120 and math.isnan(inw[1]) and inw[2] == 0.0  # geheim = NaN, nihil = 0
    assert sq.suppressed == {
        "aantal_inwoners": 1,
        "aantal_mannen": 1,
        "gemiddelde_woz_waarde_woning": 1,
    }


def test_cbs_squares_aggregated_to_125m_cells(tmp_path: Path) -> None:
    p = tmp_path / "vk100.csv"
    p.write_text(CBS_100, encoding="utf-8")
    grid = Grid(136000.0, 455000.0, 125.0, 4, 4)
    cov = load_covariates(p, grid)
    assert cov.population_column == "aantal_inwoners"
    first = cov.for_cells(np.array([0]))[0]
    # Counts split by overlap: square 1 lies inside cell 0, square 3 (nihil) overlaps by 25 %,
    # square 2 (geheim) is left out.
    assert first[0] == pytest.approx(120.0)
    # Averages weighted by overlapping area: (250 * 100^2 + 300 * 100 * 25) / (100^2 + 2500).
    assert first[2] == pytest.approx((250 * 10000 + 300 * 2500) / 12500)
    # Cell 1 (x 136125..136250) only overlaps the confidential square: unknown.
    assert math.isnan(cov.for_cells(np.array([1]))[0][0])
    # Cells no square touches are NaN too.
    assert np.isnan(cov.for_cells(np.array([15]))).all()
    # The default mask takes populated cells without history.
    ev = EventSet.from_arrays([136400.0], [455400.0], ["2024-01-01"])
    mask = build_mask(grid, ev, None, start=date(2024, 2, 1), covariates=cov)
    assert 0 in mask.ids and len(mask) == 2


def test_cbs_500m_squares(tmp_path: Path) -> None:
    p = tmp_path / "vk500.csv"
    p.write_text("crs28992res500m,aantal_inwoners\nE2265N5800,1600\n", encoding="utf-8")
    sq = load_cbs_squares(p)
    assert sq.size == 500.0 and (sq.x[0], sq.y[0]) == (226500.0, 580000.0)
    grid = Grid(226500.0, 580000.0, 125.0, 5, 5)
    cov = aggregate_squares(sq, grid)
    assert len(cov.ids) == 16
    np.testing.assert_allclose(cov.values[:, 0], 100.0)
    assert cov.values[:, 0].sum() == pytest.approx(1600.0)


def test_cbs_errors(tmp_path: Path) -> None:
    p = tmp_path / "bad.csv"
    p.write_text("vak,inwoners\nX1,3\n", encoding="utf-8")
    with pytest.raises(EventFileError, match="no CBS square id column"):
        load_cbs_squares(p)
    q = tmp_path / "bad2.csv"
    q.write_text("crs28992res100m,inwoners\nE1360N4550,3\nE13604551,4\n", encoding="utf-8")
    with pytest.raises(EventFileError, match=r"not like E2269N5800.*line 3"):
        load_cbs_squares(q)
    with pytest.raises(EventFileError, match="EPSG:28992"):
        load_covariates(q, Grid(0, 0, 125, 2, 2, crs="EPSG:27700"))


def test_offender_counts_are_suppressed_aggregates() -> None:
    grid = Grid(0.0, 0.0, 125.0, 10, 1)
    ids = np.arange(10)
    xs = np.array([60.0] * 6 + [1200.0] * 2)
    ys = np.full(8, 60.0)
    counts = offender_counts(grid, ids, xs, ys, radius=300.0, min_count=5)
    assert counts[0] == 6.0  # six residences near the first cell
    assert counts[9] == 0.0  # two near the last cell: below the minimum, shown as 0
    cov = with_extra_column(None, grid, ids, "daders_500m", counts)
    assert cov.names == ("daders_500m",) and cov.for_cells(np.array([0]))[0, 0] == 6.0
