"""The grid, the mask of cells that count, and covariates per cell.

Grid
    Square cells of ``cell`` metres (125 by default) whose corners are multiples of the cell
    size in the CRS (so a 125 m grid in RD New nests with CBS's 500 m squares and every run on
    any subset of the data puts the same cell in the same place). A :class:`Grid` covers the
    bounding box of the events; a cell is identified by its flat index ``iy * nx + ix``
    counted from the south-west corner (rows south to north, west to east within a row).
    That index is also the deterministic tie-breaker of the metrics (lower id first).

Mask
    The cells that count, as a :class:`CellSet` (sorted flat ids); coverage percentages are
    of these cells. ``history:YYYY-MM-DD``: cells with at least one event before that date;
    ``bbox``: every cell of the grid (the events' bounding box); default: cells with an event
    before the backtest start or with inhabitants according to the covariates.

CBS square statistics ("vierkantstatistieken")
    The 100 m and 500 m CSVs key each square by an id such as ``E2269N5800``: easting and
    northing of the lower-left corner in hectometres (RD x 226,900, y 580,000), also for
    500 m squares (``E2265N5800``). The square size comes from ``size`` or from the id
    column's name (``...500...`` = 500 m, otherwise 100 m). CBS marks confidential values
    with ``-99997`` or ``geheim`` (read as missing, NaN) and empty values with ``-99998`` or
    ``nihil`` (read as 0). Squares are spread over our cells by overlapping area: counts
    (inhabitants, households, dwellings ...) are split in proportion to the overlap and
    summed; rates and averages (column names starting ``p_``, ``perc``, ``gem``, ``g_``,
    ``gemiddeld``, ``mediaan``, or listed in ``intensive``) are overlap-weighted means of the
    known values. A cell whose overlapping squares are all confidential stays NaN.

Known offenders
    :func:`offender_counts` turns residence points (from Regie's registrations) into a
    count per cell of residences within a radius, with small counts suppressed: the engine
    never sees or returns an individual address, only the aggregate.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

import numpy as np
import polars as pl
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from .events import DEFAULT_CRS, EventFileError, EventSet
from .periods import day_number, to_date

DEFAULT_CELL = 125.0

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Grid:
    """A regular grid: lower-left corner (``x0``, ``y0``), ``nx`` by ``ny`` cells of ``cell`` m."""

    x0: float
    y0: float
    cell: float
    nx: int
    ny: int
    crs: str = DEFAULT_CRS

    def __post_init__(self) -> None:
        if self.cell <= 0 or self.nx <= 0 or self.ny <= 0:
            raise ValueError("a grid needs a positive cell size and at least one cell")

    @classmethod
    def covering(
        cls,
        x: NDArray[np.float64] | Sequence[float],
        y: NDArray[np.float64] | Sequence[float],
        *,
        cell: float = DEFAULT_CELL,
        crs: str = DEFAULT_CRS,
        margin: int = 0,
    ) -> Grid:
        """The smallest aligned grid containing every point (plus ``margin`` cells)."""
        xa, ya = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
        if not len(xa):
            raise ValueError("no points to cover")
        ix0 = math.floor(xa.min() / cell) - margin
        iy0 = math.floor(ya.min() / cell) - margin
        ix1 = math.floor(xa.max() / cell) + margin
        iy1 = math.floor(ya.max() / cell) + margin
        return cls(ix0 * cell, iy0 * cell, float(cell), ix1 - ix0 + 1, iy1 - iy0 + 1, crs)

    @classmethod
    def for_events(cls, events: EventSet, cell: float = DEFAULT_CELL) -> Grid:
        return cls.covering(events.x, events.y, cell=cell, crs=events.crs)

    @property
    def n_cells(self) -> int:
        return self.nx * self.ny

    @property
    def shape(self) -> tuple[int, int]:
        """(rows, columns) = (ny, nx) of the raster whose C-order ravel is the flat id."""
        return self.ny, self.nx

    def cell_of(self, x: NDArray[np.float64], y: NDArray[np.float64]) -> IntArray:
        """Flat id of the cell containing each point; -1 outside the grid."""
        ix = np.floor((np.asarray(x) - self.x0) / self.cell).astype(np.int64)
        iy = np.floor((np.asarray(y) - self.y0) / self.cell).astype(np.int64)
        inside = (ix >= 0) & (ix < self.nx) & (iy >= 0) & (iy < self.ny)
        return np.where(inside, iy * self.nx + ix, -1)

    def ix_iy(self, ids: IntArray) -> tuple[IntArray, IntArray]:
        ids = np.asarray(ids, dtype=np.int64)
        return ids % self.nx, ids // self.nx

    def lower_left(self, ids: IntArray) -> tuple[FloatArray, FloatArray]:
        ix, iy = self.ix_iy(ids)
        return (
            (self.x0 + ix * self.cell).astype(np.float64),
            (self.y0 + iy * self.cell).astype(np.float64),
        )

    def centres(self, ids: IntArray) -> tuple[FloatArray, FloatArray]:
        x, y = self.lower_left(ids)
        return x + self.cell / 2, y + self.cell / 2

    def labels(self, ids: IntArray) -> list[str]:
        """Readable cell ids: lower-left x and y in metres, ``"226875_580000"``."""
        x, y = self.lower_left(ids)
        return [f"{a:.0f}_{b:.0f}" for a, b in zip(x, y, strict=True)]

    def all_ids(self) -> IntArray:
        return np.arange(self.n_cells, dtype=np.int64)


@dataclass(frozen=True, eq=False)
class CellSet:
    """A set of cells of a grid (sorted unique flat ids): the mask, or any area."""

    grid: Grid
    ids: IntArray

    def __post_init__(self) -> None:
        ids = np.asarray(self.ids, dtype=np.int64)
        if len(ids) > 1 and not bool(np.all(ids[1:] > ids[:-1])):
            ids = np.unique(ids)
        if len(ids) and (ids[0] < 0 or ids[-1] >= self.grid.n_cells):
            raise ValueError("cell ids outside the grid")
        object.__setattr__(self, "ids", ids)

    def __len__(self) -> int:
        return len(self.ids)

    def index_of(self, ids: IntArray) -> IntArray:
        """Position of each id in this set; -1 for ids not in it."""
        ids = np.asarray(ids, dtype=np.int64)
        if not len(self.ids):
            return np.full(len(ids), -1, dtype=np.int64)
        pos = np.searchsorted(self.ids, ids)
        pos_c = np.minimum(pos, len(self.ids) - 1)
        return np.where(self.ids[pos_c] == ids, pos_c, -1)


# --------------------------------------------------------------------------------- masks


@dataclass(frozen=True)
class MaskSpec:
    kind: Literal["default", "history", "bbox"] = "default"
    date: date | None = None

    def __str__(self) -> str:
        if self.kind == "history" and self.date is not None:
            return f"history:{self.date.isoformat()}"
        return self.kind


def parse_mask(text: str | None) -> MaskSpec:
    """``None``/``"default"``, ``"bbox"`` or ``"history:YYYY-MM-DD"``."""
    if text is None or text.strip() in ("", "default"):
        return MaskSpec()
    t = text.strip()
    if t == "bbox":
        return MaskSpec("bbox")
    if t.startswith("history:"):
        return MaskSpec("history", to_date(t.removeprefix("history:")))
    raise ValueError(f"unknown mask {text!r}: use history:YYYY-MM-DD, bbox or leave it out")


def history_cells(grid: Grid, events: EventSet, before: date) -> IntArray:
    """Cells with at least one event before ``before``."""
    n = int(np.searchsorted(events.days, day_number(before), side="left"))
    ids = grid.cell_of(events.x[:n], events.y[:n])
    return np.unique(ids[ids >= 0])


def build_mask(
    grid: Grid,
    events: EventSet,
    spec: MaskSpec | str | None,
    *,
    start: date,
    covariates: Covariates | None = None,
) -> CellSet:
    """The cells that count (see the module docstring). ``start`` is the first prediction
    date; the default mask uses the events before it and the covariates' population."""
    spec = spec if isinstance(spec, MaskSpec) else parse_mask(spec)
    if spec.kind == "bbox":
        return CellSet(grid, grid.all_ids())
    if spec.kind == "history":
        assert spec.date is not None
        return CellSet(grid, history_cells(grid, events, spec.date))
    ids = history_cells(grid, events, start)
    if covariates is not None and covariates.population_column is not None:
        pop = covariates.column(covariates.population_column)
        populated = covariates.ids[np.nan_to_num(pop, nan=0.0) > 0]
        ids = np.union1d(ids, populated)
    return CellSet(grid, ids)


# ----------------------------------------------------------------------------- covariates

_ID_RE = re.compile(r"^E(\d{3,5})N(\d{3,5})$")
_ID_COLUMNS = ("crs28992res100m", "crs28992res500m", "c28992r100", "c28992r500")
_SUPPRESSED = {"-99997", "geheim"}
_NIHIL = {"-99998", "nihil"}
_INTENSIVE_PREFIXES = ("p_", "perc", "gem", "g_", "mediaan", "aandeel")
_POPULATION_NAMES = ("aantal_inwoners", "inwoner", "inwoners", "aant_inw", "population")


@dataclass(frozen=True, eq=False)
class CbsSquares:
    """CBS squares: lower-left corners (m), size, numeric columns (NaN = confidential)."""

    x: FloatArray
    y: FloatArray
    size: float
    columns: tuple[str, ...]
    values: FloatArray
    #: Per column: how many values were confidential (-99997/geheim).
    suppressed: dict[str, int]
    source: str = ""


def _parse_cbs_value(s: pl.Series, decimal_comma: bool) -> tuple[pl.Series, int]:
    s = s.cast(pl.String).str.strip_chars().str.to_lowercase()
    suppressed = s.is_in(sorted(_SUPPRESSED))
    nihil = s.is_in(sorted(_NIHIL))
    if decimal_comma:
        s = s.str.replace(",", ".", literal=True)
    num = s.cast(pl.Float64, strict=False)
    num = pl.select(
        pl.when(nihil).then(0.0).when(suppressed).then(None).otherwise(num).alias("v")
    ).to_series()
    return num, int(suppressed.sum())


def load_cbs_squares(
    path: str | Path,
    *,
    size: float | None = None,
    id_column: str | None = None,
    columns: Sequence[str] | None = None,
) -> CbsSquares:
    """Read a CBS vierkantstatistieken CSV (see the module docstring). Numeric columns are
    kept (``columns`` restricts them); text columns other than the id are dropped."""
    p = Path(path)
    if not p.is_file():
        raise EventFileError(f"no such file: {p}")
    with p.open(encoding="utf-8-sig", errors="replace") as f:
        head = f.readline()
    sep = ";" if head.count(";") > head.count(",") else ","
    df = pl.read_csv(p, separator=sep, infer_schema=False, encoding="utf8-lossy")
    df = df.rename({c: c.strip() for c in df.columns})
    if id_column is None:
        named = [c for c in df.columns if c.lower() in _ID_COLUMNS]
        if named:
            id_column = named[0]
        else:
            for c in df.columns:
                sample = df[c].drop_nulls().head(50).cast(pl.String).to_list()
                if sample and all(_ID_RE.match(v.strip()) for v in sample):
                    id_column = c
                    break
    if id_column is None or id_column not in df.columns:
        raise EventFileError(
            f"no CBS square id column (values like E2269N5800) in {p}; it has: "
            f"{', '.join(df.columns)}"
        )
    if size is None:
        size = 500.0 if "500" in id_column else 100.0
    ids = df[id_column].cast(pl.String).str.strip_chars()
    parts = ids.str.extract_groups(r"^E(\d{3,5})N(\d{3,5})$")
    e, n = parts.struct.field("1"), parts.struct.field("2")
    bad = e.is_null().to_numpy()
    if bad.any():
        idx = np.flatnonzero(bad)[:5]
        raise EventFileError(
            f"column {id_column!r}: {int(bad.sum())} square ids are not like E2269N5800 ("
            + ", ".join(f"line {i + 2}: {ids[int(i)]!r}" for i in idx)
            + ")"
        )
    x = e.cast(pl.Float64).to_numpy() * 100.0
    y = n.cast(pl.Float64).to_numpy() * 100.0
    wanted = [c for c in df.columns if c != id_column]
    if columns is not None:
        missing = [c for c in columns if c not in df.columns]
        if missing:
            raise EventFileError(f"missing covariate column(s) {', '.join(missing)} in {p}")
        wanted = list(columns)
    kept: list[str] = []
    arrays: list[FloatArray] = []
    suppressed: dict[str, int] = {}
    for c in wanted:
        num, n_sup = _parse_cbs_value(df[c], sep == ";")
        raw = df[c].cast(pl.String).str.strip_chars()
        non_empty = int((raw.is_not_null() & (raw != "")).sum())
        numeric = int(num.is_not_null().sum()) + n_sup
        if columns is None and (non_empty == 0 or numeric < 0.9 * non_empty):
            continue  # a text column (e.g. a municipality name)
        kept.append(c)
        arrays.append(num.fill_null(math.nan).to_numpy().astype(np.float64))
        suppressed[c] = n_sup
    values = np.column_stack(arrays) if arrays else np.zeros((df.height, 0))
    return CbsSquares(x, y, float(size), tuple(kept), values, suppressed, str(p))


@dataclass(frozen=True, eq=False)
class Covariates:
    """Covariate values for the cells of a grid that any square overlaps."""

    grid: Grid
    ids: IntArray
    names: tuple[str, ...]
    values: FloatArray
    population_column: str | None = None

    def column(self, name: str) -> FloatArray:
        return self.values[:, self.names.index(name)]

    def for_cells(self, ids: IntArray) -> FloatArray:
        """Rows for the given cell ids; NaN for cells no square covers."""
        out = np.full((len(ids), len(self.names)), np.nan)
        if not len(self.ids):
            return out
        pos = np.searchsorted(self.ids, ids)
        pos_c = np.minimum(pos, len(self.ids) - 1)
        found = (pos < len(self.ids)) & (self.ids[pos_c] == ids)
        out[found] = self.values[pos_c[found]]
        return out


def is_intensive(name: str) -> bool:
    low = name.lower()
    return low.startswith(_INTENSIVE_PREFIXES)


def aggregate_squares(
    squares: CbsSquares, grid: Grid, *, intensive: Iterable[str] | None = None
) -> Covariates:
    """Spread CBS squares over the grid's cells by overlapping area (module docstring)."""
    intensive_set = set(intensive) if intensive is not None else None
    flags = np.array(
        [
            (c in intensive_set) if intensive_set is not None else is_intensive(c)
            for c in squares.columns
        ],
        dtype=bool,
    )
    s, c = squares.size, grid.cell
    reach = math.ceil(s / c) + 1
    ix0 = np.floor((squares.x - grid.x0) / c).astype(np.int64)
    iy0 = np.floor((squares.y - grid.y0) / c).astype(np.int64)
    cells: list[IntArray] = []
    rows: list[IntArray] = []
    areas: list[FloatArray] = []
    for di in range(reach):
        for dj in range(reach):
            ix, iy = ix0 + di, iy0 + dj
            cx0, cy0 = grid.x0 + ix * c, grid.y0 + iy * c
            ox = np.minimum(cx0 + c, squares.x + s) - np.maximum(cx0, squares.x)
            oy = np.minimum(cy0 + c, squares.y + s) - np.maximum(cy0, squares.y)
            ok = (ox > 1e-9) & (oy > 1e-9) & (ix >= 0) & (ix < grid.nx) & (iy >= 0)
            ok &= iy < grid.ny
            cells.append((iy * grid.nx + ix)[ok])
            rows.append(np.flatnonzero(ok))
            areas.append((ox * oy)[ok])
    cell = np.concatenate(cells)
    row = np.concatenate(rows)
    area = np.concatenate(areas)
    uniq, inv = np.unique(cell, return_inverse=True)
    out = np.full((len(uniq), len(squares.columns)), np.nan)
    frac = area / (s * s)
    for k in range(len(squares.columns)):
        v = squares.values[row, k]
        known = np.isfinite(v)
        if flags[k]:
            w = np.bincount(inv[known], weights=area[known], minlength=len(uniq))
            num = np.bincount(inv[known], weights=(v * area)[known], minlength=len(uniq))
        else:
            w = np.bincount(inv[known], minlength=len(uniq)).astype(np.float64)
            num = np.bincount(inv[known], weights=(v * frac)[known], minlength=len(uniq))
        with np.errstate(invalid="ignore", divide="ignore"):
            out[:, k] = (
                np.where(w > 0, num / np.where(w > 0, w, 1.0), np.nan)
                if flags[k]
                else np.where(w > 0, num, np.nan)
            )
    pop = next(
        (c_ for c_ in squares.columns if c_.lower() in _POPULATION_NAMES),
        None,
    )
    return Covariates(grid, uniq, squares.columns, out, pop)


def load_covariates(
    path: str | Path,
    grid: Grid,
    *,
    size: float | None = None,
    columns: Sequence[str] | None = None,
    intensive: Iterable[str] | None = None,
) -> Covariates:
    """:func:`load_cbs_squares` then :func:`aggregate_squares`. CBS squares are in RD New:
    the grid must be too."""
    if grid.crs != "EPSG:28992":
        raise EventFileError(
            f"CBS square statistics are in EPSG:28992 (RD New); the events are in {grid.crs}"
        )
    return aggregate_squares(
        load_cbs_squares(path, size=size, columns=columns), grid, intensive=intensive
    )


# ------------------------------------------------------------------------ known offenders


def offender_counts(
    grid: Grid,
    ids: IntArray,
    x: NDArray[np.float64],
    y: NDArray[np.float64],
    *,
    radius: float = 500.0,
    min_count: int = 5,
) -> FloatArray:
    """Per cell: known-offender residences within ``radius`` m of the cell centre, with
    counts below ``min_count`` set to 0 (an aggregate that cannot point at one address)."""
    out = np.zeros(len(ids))
    if not len(x) or not len(ids):
        return out
    cx, cy = grid.centres(ids)
    tree = cKDTree(np.column_stack([x, y]))
    counts = tree.query_ball_point(np.column_stack([cx, cy]), r=radius, return_length=True)
    out = np.asarray(counts, dtype=np.float64)
    out[out < min_count] = 0.0
    return out


def with_extra_column(
    cov: Covariates | None, grid: Grid, ids: IntArray, name: str, values: FloatArray
) -> Covariates:
    """Covariates plus one column for the given cells (e.g. :func:`offender_counts`)."""
    ids = np.asarray(ids, dtype=np.int64)
    if cov is None:
        order = np.argsort(ids)
        return Covariates(grid, ids[order], (name,), values[order][:, None])
    all_ids = np.union1d(cov.ids, ids)
    base = cov.for_cells(all_ids)
    extra = np.full(len(all_ids), np.nan)
    extra[np.searchsorted(all_ids, ids)] = values
    return Covariates(
        grid, all_ids, (*cov.names, name), np.column_stack([base, extra]), cov.population_column
    )
