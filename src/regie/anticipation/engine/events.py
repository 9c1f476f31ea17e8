"""Events in: a CSV (or any table) of crimes with a time and a location, turned into an
:class:`EventSet` in a projected, metre-based CRS.

Column mapping
    ``time_col`` plus either ``x_col``/``y_col`` (coordinates in ``crs``, metres) or
    ``lon_col``/``lat_col`` (WGS84 degrees, projected to ``crs``). ``type_col`` with ``types``
    keeps only the listed crime types; ``channel_col`` (optional) records how each event
    came in (report, call, police-initiated ...) for the bias report.

CRS (via pyproj)
    ``crs`` defaults to EPSG:28992 (RD New). Any projected CRS in metres works (EPSG:27700 for
    Great Britain, a UTM zone ...). A *geographic* ``crs`` (such as EPSG:4326) means the
    coordinates are degrees; they are then projected to the local UTM zone (chosen at the
    median point), because the grid needs metres. Every point is checked against the area of
    use of the CRS (with ``area_tolerance`` degrees of slack): a file in the wrong CRS - British
    lon/lat read as RD metres, say - is refused with the offending lines, never gridded at
    sea.

Times
    Read with the first of :data:`TIME_FORMATS` that reads every value (or ``time_format``);
    failing that, values of one family (ISO, day-month-year ...) may mix precisions, such
    as dates with and without a time.
    Day-first and month-first dates with slashes are ambiguous when every day is <= 12; the
    month-first (US) reading wins then, pass ``time_format`` to override. Values like
    ``2018-01`` make a *month-resolution* set: every event is dated to the first of its month
    and backtests should use month spans (``--horizon 1M --step 1M``). Time zones are
    converted to UTC and dropped.

Errors
    :class:`EventFileError` with a message for the terminal: missing columns (listing the
    columns the file has), unparsable times or coordinates (count and first lines), points
    outside the CRS's area of use, unknown crime types. Rows without any coordinates (as
    data.police.uk publishes for crimes with "no location") are skipped and counted in
    :attr:`EventSet.notes`; ``missing_coordinates="error"`` refuses them instead.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cached_property
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

import numpy as np
import polars as pl
import pyproj
from numpy.typing import NDArray
from pyproj.aoi import AreaOfInterest
from pyproj.database import query_utm_crs_info

from .periods import day_number, day_numbers

DEFAULT_CRS = "EPSG:28992"

#: Formats tried in order when no ``time_format`` is given (polars/chrono syntax).
TIME_FORMATS: tuple[str, ...] = (
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%Y-%m-%dT%H:%M:%S%z",
    "%Y-%m-%dT%H:%M:%S%.f%z",
    "%d-%m-%Y %H:%M:%S",
    "%d-%m-%Y %H:%M",
    "%d-%m-%Y",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d",
)
_MONTH_RE = r"^\d{4}-\d{2}$"
_MAX_EXAMPLES = 5

Resolution = Literal["month", "day", "time"]


class EventFileError(ValueError):
    """An event file (or table) that cannot be used, with a message for the terminal."""


@dataclass(frozen=True, eq=False)
class EventSet:
    """Events sorted by time: coordinates in metres in :attr:`crs` and datetime64[s] times.

    ``resolution`` is ``"month"`` when the source only gave months (every time is the first
    of its month), ``"day"`` when it gave dates without times and ``"time"`` otherwise.
    """

    x: NDArray[np.float64]
    y: NDArray[np.float64]
    t: NDArray[np.datetime64]
    crs: str = DEFAULT_CRS
    resolution: Resolution = "time"
    types: NDArray[np.str_] | None = None
    channels: NDArray[np.str_] | None = None
    source: str = ""
    notes: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        x = np.asarray(self.x, dtype=np.float64)
        y = np.asarray(self.y, dtype=np.float64)
        t = np.asarray(self.t).astype("datetime64[s]")
        if not (len(x) == len(y) == len(t)):
            raise ValueError("x, y and t must have the same length")
        for name in ("types", "channels"):
            extra = getattr(self, name)
            if extra is not None and len(extra) != len(t):
                raise ValueError(f"{name} must have the same length as t")
        if not np.all(np.isfinite(x)) or not np.all(np.isfinite(y)):
            raise ValueError("coordinates must be finite")
        order = (
            None if len(t) < 2 or bool(np.all(t[1:] >= t[:-1])) else np.argsort(t, kind="stable")
        )
        if order is not None:
            x, y, t = x[order], y[order], t[order]
        object.__setattr__(self, "x", x)
        object.__setattr__(self, "y", y)
        object.__setattr__(self, "t", t)
        for name in ("types", "channels"):
            extra = getattr(self, name)
            if extra is not None:
                extra = np.asarray(extra).astype(str)
                object.__setattr__(self, name, extra[order] if order is not None else extra)

    def __len__(self) -> int:
        return len(self.t)

    @cached_property
    def days(self) -> NDArray[np.float64]:
        """Fractional day numbers (days since 1970-01-01), sorted."""
        return day_numbers(self.t)

    def select(self, mask: NDArray[np.bool_]) -> EventSet:
        return EventSet(
            self.x[mask],
            self.y[mask],
            self.t[mask],
            crs=self.crs,
            resolution=self.resolution,
            types=None if self.types is None else self.types[mask],
            channels=None if self.channels is None else self.channels[mask],
            source=self.source,
            notes=self.notes,
        )

    def before(self, until: date) -> EventSet:
        """The events strictly before the start of ``until``."""
        n = int(np.searchsorted(self.days, day_number(until), side="left"))
        mask = np.zeros(len(self), dtype=bool)
        mask[:n] = True
        return self.select(mask)

    def between(self, start: date, end: date) -> EventSet:
        """The events in ``[start, end)``."""
        d = self.days
        return self.select((d >= day_number(start)) & (d < day_number(end)))

    @property
    def period(self) -> tuple[date, date] | None:
        """First and last event date, or None for an empty set."""
        if not len(self):
            return None
        return (
            self.t[0].astype("datetime64[D]").astype(object),
            self.t[-1].astype("datetime64[D]").astype(object),
        )

    @classmethod
    def from_arrays(
        cls,
        x: Sequence[float] | NDArray[np.float64],
        y: Sequence[float] | NDArray[np.float64],
        t: Sequence[object] | NDArray[np.datetime64],
        *,
        crs: str = DEFAULT_CRS,
        resolution: Resolution | None = None,
        types: Sequence[str] | None = None,
        channels: Sequence[str] | None = None,
        source: str = "",
        tz: str | None = None,
    ) -> EventSet:
        """Events from parallel sequences (``t``: datetimes, dates, ISO strings or
        datetime64). Time-zone aware datetimes become wall-clock times in ``tz`` (e.g.
        ``"Europe/Amsterdam"``, so day-parts are local) or UTC when ``tz`` is None. The
        resolution is guessed ("day" when every time is midnight) unless given."""
        zone = ZoneInfo(tz) if tz else UTC
        values = [
            v.astimezone(zone).replace(tzinfo=None)
            if isinstance(v, datetime) and v.tzinfo is not None
            else v
            for v in (t.tolist() if isinstance(t, np.ndarray) else t)
        ]
        tt = np.asarray(values, dtype="datetime64[s]")
        if resolution is None:
            seconds = tt.astype(np.int64) % 86400
            resolution = "day" if len(tt) and not seconds.any() else "time"
        return cls(
            np.asarray(x, dtype=np.float64),
            np.asarray(y, dtype=np.float64),
            tt,
            crs=crs,
            resolution=resolution,
            types=None if types is None else np.asarray(types, dtype=str),
            channels=None if channels is None else np.asarray(channels, dtype=str),
            source=source,
        )


# ------------------------------------------------------------------------------------ CRS


def _is_metres(crs: pyproj.CRS) -> bool:
    return all(a.unit_name in ("metre", "meter") for a in crs.axis_info[:2])


def parse_crs(crs: str | pyproj.CRS) -> pyproj.CRS:
    try:
        return crs if isinstance(crs, pyproj.CRS) else pyproj.CRS.from_user_input(crs)
    except pyproj.exceptions.CRSError as exc:
        raise EventFileError(f"unknown CRS {crs!r}: {exc}") from None


def utm_crs_for(lon: float, lat: float) -> pyproj.CRS:
    """The WGS84 UTM zone at a point."""
    infos = query_utm_crs_info(
        datum_name="WGS 84", area_of_interest=AreaOfInterest(lon, lat, lon, lat)
    )
    if not infos:
        raise EventFileError(f"no UTM zone found at lon {lon:.4f}, lat {lat:.4f}")
    return pyproj.CRS.from_authority(infos[0].auth_name, infos[0].code)


def _crs_name(crs: pyproj.CRS) -> str:
    auth = crs.to_authority()
    return f"{auth[0]}:{auth[1]}" if auth else crs.name


def _outside_area(
    crs: pyproj.CRS, lon: NDArray[np.float64], lat: NDArray[np.float64], tolerance: float
) -> NDArray[np.bool_]:
    bad = ~(np.isfinite(lon) & np.isfinite(lat))
    area = crs.area_of_use
    if area is None:
        return bad
    w, s, e, n = area.west - tolerance, area.south - tolerance, area.east + tolerance, area.north
    n += tolerance
    # An area crossing the antimeridian has west > east.
    out_lon = (lon < w) | (lon > e) if w <= e else (lon < w) & (lon > e)
    return bad | out_lon | (lat < s) | (lat > n)


def _area_error(
    crs: pyproj.CRS,
    bad: NDArray[np.bool_],
    lines: NDArray[np.int64],
    lon: NDArray[np.float64],
    lat: NDArray[np.float64],
    raw: tuple[NDArray[np.float64], NDArray[np.float64]],
    hint: str,
) -> EventFileError:
    area = crs.area_of_use
    where = (
        f"{area.name.rstrip('.')} (lon {area.west:g}..{area.east:g}, "
        f"lat {area.south:g}..{area.north:g})"
        if area
        else "its area"
    )
    idx = np.flatnonzero(bad)[:_MAX_EXAMPLES]
    examples = "; ".join(
        f"line {lines[i]}: {raw[0][i]:g}, {raw[1][i]:g} (lon {lon[i]:.4f}, lat {lat[i]:.4f})"
        for i in idx
    )
    return EventFileError(
        f"{int(bad.sum())} of {len(bad)} coordinates lie outside the area of use of "
        f"{_crs_name(crs)} ({crs.name}): {where}. First: {examples}. {hint}"
    )


def project(
    a: NDArray[np.float64],
    b: NDArray[np.float64],
    *,
    degrees: bool,
    crs: str | pyproj.CRS = DEFAULT_CRS,
    lines: NDArray[np.int64] | None = None,
    area_tolerance: float = 0.1,
) -> tuple[NDArray[np.float64], NDArray[np.float64], str]:
    """Coordinates to metres in the grid CRS, checked against its area of use.

    ``degrees=True``: ``a``/``b`` are WGS84 lon/lat, projected to ``crs`` (or to the local UTM
    zone when ``crs`` is geographic). ``degrees=False``: ``a``/``b`` are x/y in ``crs``; a
    geographic ``crs`` makes them lon/lat in that CRS. Returns x, y and the grid CRS
    (``"EPSG:nnnn"``)."""
    target = parse_crs(crs)
    lines = np.arange(2, len(a) + 2) if lines is None else lines
    if degrees or target.is_geographic:
        source = pyproj.CRS.from_epsg(4326) if degrees else target
        to_wgs = pyproj.Transformer.from_crs(source, 4326, always_xy=True)
        lon, lat = to_wgs.transform(a, b) if not degrees else (a, b)
        lon, lat = np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)
        not_deg = (np.abs(lon) > 180) | (np.abs(lat) > 90)
        if not_deg.any():
            wgs = pyproj.CRS.from_epsg(4326)
            raise _area_error(
                wgs,
                not_deg,
                lines,
                lon,
                lat,
                (a, b),
                "These are not degrees: give --x-col/--y-col with the CRS of the file.",
            )
        if target.is_geographic:
            if not len(lon):
                raise EventFileError("no events: cannot choose a UTM zone for geographic data")
            target = utm_crs_for(float(np.median(lon)), float(np.median(lat)))
        if not _is_metres(target):
            raise EventFileError(
                f"{_crs_name(target)} ({target.name}) is not in metres; the grid needs a "
                "projected CRS in metres (e.g. EPSG:28992, EPSG:27700 or a UTM zone)."
            )
        bad = _outside_area(target, lon, lat, area_tolerance)
        if bad.any():
            raise _area_error(target, bad, lines, lon, lat, (a, b), "Is --crs right for this file?")
        fwd = pyproj.Transformer.from_crs(4326, target, always_xy=True)
        x, y = fwd.transform(lon, lat)
        return np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64), _crs_name(target)
    if not _is_metres(target):
        raise EventFileError(
            f"{_crs_name(target)} ({target.name}) is not in metres; the grid needs a projected "
            "CRS in metres (e.g. EPSG:28992, EPSG:27700 or a UTM zone), or give degrees with "
            "--lon-col/--lat-col."
        )
    if len(a) and np.abs(a).max() <= 180 and np.abs(b).max() <= 90:
        raise EventFileError(
            f"the x/y coordinates all lie within 180 m of the origin of {_crs_name(target)}: "
            f"they look like degrees (line {lines[0]}: {a[0]:g}, {b[0]:g}). Give them with "
            "--lon-col/--lat-col."
        )
    inv = pyproj.Transformer.from_crs(target, 4326, always_xy=True)
    lon, lat = inv.transform(a, b, errcheck=False)
    lon, lat = np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)
    bad = _outside_area(target, lon, lat, area_tolerance)
    if bad.any():
        raise _area_error(
            target,
            bad,
            lines,
            lon,
            lat,
            (a, b),
            "Is --crs right for this file (degrees need --lon-col/--lat-col)?",
        )
    return a.astype(np.float64), b.astype(np.float64), _crs_name(target)


# ---------------------------------------------------------------------------------- times


def _examples(values: pl.Series, lines: NDArray[np.int64], mask: NDArray[np.bool_]) -> str:
    idx = np.flatnonzero(mask)[:_MAX_EXAMPLES]
    return ", ".join(f"line {lines[i]}: {values[int(i)]!r}" for i in idx)


_FAMILIES = ("%Y-", "%d-", "%m/", "%d/", "%Y/")


def _finish(parsed: pl.Series, resolution: Resolution) -> tuple[NDArray[np.datetime64], Resolution]:
    t = parsed.to_numpy().astype("datetime64[s]")
    if resolution == "time" and not (t.astype(np.int64) % 86400).any():
        resolution = "day"
    return t, resolution


def parse_times(
    values: pl.Series,
    *,
    column: str,
    time_format: str | None = None,
    lines: NDArray[np.int64] | None = None,
) -> tuple[NDArray[np.datetime64], Resolution]:
    """Parse a string column to datetime64[s] and its resolution; EventFileError with the
    first offending lines when values cannot be read."""
    s = values.cast(pl.String).str.strip_chars()
    lines = np.arange(2, len(s) + 2) if lines is None else lines
    empty = (s.is_null() | (s == "")).to_numpy()
    if empty.any():
        raise EventFileError(
            f"time column {column!r} is empty on {int(empty.sum())} of {len(s)} rows "
            f"({_examples(s, lines, empty)})."
        )
    resolution: Resolution = "time"
    if time_format is not None:
        candidates: tuple[str, ...] = (time_format,)
    elif bool(s.str.contains(_MONTH_RE).all()):
        s = s + "-01"
        candidates = ("%Y-%m-%d",)
        resolution = "month"
    else:
        candidates = TIME_FORMATS
    best: tuple[int, pl.Series] | None = None
    parsed_by: dict[str, pl.Series] = {}
    for fmt in candidates:
        parsed = s.str.strptime(pl.Datetime("us"), fmt, strict=False)
        if isinstance(parsed.dtype, pl.Datetime) and parsed.dtype.time_zone is not None:
            parsed = parsed.dt.convert_time_zone("UTC").dt.replace_time_zone(None)
        parsed_by[fmt] = parsed
        failed = int(parsed.null_count())
        if failed == 0:
            return _finish(parsed, resolution)
        if best is None or failed < best[0]:
            best = (failed, parsed)
    # Mixed precision within one family ("2024-01-02 10:00" next to "2024-01-01"): each
    # value by the first format of the family that reads it.
    for prefix in _FAMILIES:
        family = [parsed_by[f] for f in candidates if f.startswith(prefix) and f in parsed_by]
        if len(family) > 1:
            merged = pl.select(pl.coalesce(family).alias("t")).to_series()
            if merged.null_count() == 0:
                return _finish(merged, resolution)
    assert best is not None
    bad = best[1].is_null().to_numpy()
    hint = (
        f"with format {time_format!r}"
        if time_format
        else "as a date/time in any known format; give the format with --time-format"
    )
    raise EventFileError(
        f"time column {column!r}: {int(bad.sum())} of {len(s)} values cannot be read {hint} "
        f"({_examples(s, lines, bad)})."
    )


# ------------------------------------------------------------------------------ loading


def _sniff_separator(path: Path) -> str:
    with path.open(encoding="utf-8-sig", errors="replace") as f:
        head = f.readline()
    counts = {sep: head.count(sep) for sep in (",", ";", "\t")}
    return max(counts, key=lambda k: counts[k]) if max(counts.values()) else ","


def _numbers(
    df: pl.DataFrame, column: str, lines: NDArray[np.int64], decimal_comma: bool
) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """Floats of a column and the mask of empty values; non-numeric values are an error."""
    s = df[column].cast(pl.String).str.strip_chars()
    if decimal_comma:
        s = s.str.replace(",", ".", literal=True)
    empty = (s.is_null() | (s == "")).to_numpy()
    num = s.cast(pl.Float64, strict=False)
    bad = num.is_null().to_numpy() & ~empty
    bad |= ~np.isfinite(num.fill_null(0.0).to_numpy())
    if bad.any():
        raise EventFileError(
            f"coordinate column {column!r}: {int(bad.sum())} values are not numbers "
            f"({_examples(s, lines, bad)})."
        )
    return num.fill_null(math.nan).to_numpy().astype(np.float64), empty


def events_from_frame(
    df: pl.DataFrame,
    *,
    time_col: str,
    x_col: str | None = None,
    y_col: str | None = None,
    lon_col: str | None = None,
    lat_col: str | None = None,
    type_col: str | None = None,
    types: Sequence[str] | None = None,
    channel_col: str | None = None,
    crs: str = DEFAULT_CRS,
    time_format: str | None = None,
    missing_coordinates: Literal["drop", "error"] = "drop",
    area_tolerance: float = 0.1,
    decimal_comma: bool = False,
    source: str = "",
) -> EventSet:
    """An :class:`EventSet` from a table of strings (see the module docstring)."""
    if (x_col is None) != (y_col is None) or (lon_col is None) != (lat_col is None):
        raise EventFileError("give both --x-col and --y-col, or both --lon-col and --lat-col")
    if (x_col is None) == (lon_col is None):
        raise EventFileError("give either --x-col/--y-col (metres) or --lon-col/--lat-col")
    if types and not type_col:
        raise EventFileError("--types needs --type-col")
    degrees = lon_col is not None
    a_col, b_col = (lon_col, lat_col) if degrees else (x_col, y_col)
    assert a_col is not None and b_col is not None
    wanted = [c for c in (time_col, a_col, b_col, type_col, channel_col) if c]
    missing = [c for c in wanted if c not in df.columns]
    if missing:
        names = ", ".join(repr(c) for c in missing)
        raise EventFileError(
            f"missing column{'s' if len(missing) > 1 else ''} {names} in "
            f"{source or 'the table'}; it has: {', '.join(df.columns)}"
        )
    lines = np.arange(2, df.height + 2, dtype=np.int64)
    notes: list[str] = []
    if types and type_col:
        wanted_types = {t.strip().casefold() for t in types}
        col = df[type_col].cast(pl.String).str.strip_chars()
        present = {str(v).casefold(): str(v) for v in col.unique().drop_nulls().to_list()}
        unknown = sorted(t.strip() for t in types if t.strip().casefold() not in present)
        if unknown:
            raise EventFileError(
                f"crime type(s) {', '.join(unknown)} do not occur in column {type_col!r}; "
                f"it has: {', '.join(sorted(present.values())[:30])}"
            )
        keep = col.str.to_lowercase().is_in(sorted(wanted_types)).to_numpy()
        df, lines = df.filter(pl.Series(keep)), lines[keep]
        notes.append(f"{int(keep.sum())} events of type(s) {', '.join(sorted(types))}.")
    a, a_empty = _numbers(df, a_col, lines, decimal_comma)
    b, b_empty = _numbers(df, b_col, lines, decimal_comma)
    no_coords = a_empty | b_empty
    if no_coords.any():
        if missing_coordinates == "error":
            raise EventFileError(
                f"{int(no_coords.sum())} rows have no coordinates "
                f"({_examples(df[a_col].cast(pl.String), lines, no_coords)})."
            )
        notes.append(
            f"{int(no_coords.sum())} rows without coordinates skipped (first: line "
            f"{', '.join(str(v) for v in lines[no_coords][:_MAX_EXAMPLES])})."
        )
        keep = ~no_coords
        df, lines, a, b = df.filter(pl.Series(keep)), lines[keep], a[keep], b[keep]
    t, resolution = parse_times(df[time_col], column=time_col, time_format=time_format, lines=lines)
    x, y, grid_crs = project(
        a, b, degrees=degrees, crs=crs, lines=lines, area_tolerance=area_tolerance
    )
    return EventSet(
        x,
        y,
        t,
        crs=grid_crs,
        resolution=resolution,
        types=None if type_col is None else df[type_col].cast(pl.String).fill_null("").to_numpy(),
        channels=(
            None
            if channel_col is None
            else df[channel_col].cast(pl.String).fill_null("").to_numpy()
        ),
        source=source,
        notes=tuple(notes),
    )


def load_events_csv(
    path: str | Path,
    *,
    time_col: str,
    x_col: str | None = None,
    y_col: str | None = None,
    lon_col: str | None = None,
    lat_col: str | None = None,
    type_col: str | None = None,
    types: Sequence[str] | None = None,
    channel_col: str | None = None,
    crs: str = DEFAULT_CRS,
    time_format: str | None = None,
    missing_coordinates: Literal["drop", "error"] = "drop",
    area_tolerance: float = 0.1,
) -> EventSet:
    """Read an event CSV (``,``, ``;`` or tab separated; ``;`` files may use decimal commas).
    See the module docstring for the mapping, CRS handling and errors."""
    p = Path(path)
    if not p.is_file():
        raise EventFileError(f"no such file: {p}")
    sep = _sniff_separator(p)
    try:
        df = pl.read_csv(p, separator=sep, infer_schema=False, encoding="utf8-lossy")
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError) as exc:
        raise EventFileError(f"cannot read {p} as CSV: {exc}") from None
    df = df.rename({c: c.strip() for c in df.columns})
    return events_from_frame(
        df,
        time_col=time_col,
        x_col=x_col,
        y_col=y_col,
        lon_col=lon_col,
        lat_col=lat_col,
        type_col=type_col,
        types=types,
        channel_col=channel_col,
        crs=crs,
        time_format=time_format,
        missing_coordinates=missing_coordinates,
        area_tolerance=area_tolerance,
        decimal_comma=sep == ";",
        source=str(p),
    )
