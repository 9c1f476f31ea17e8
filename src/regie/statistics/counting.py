"""Counting rules: registered crime under the current and the pre-July-2018 rule.

Since July 2018 every offence of a registration is counted (``"per_offence"``); before, a
registration with several offences counted once, by its heaviest offence (``"heaviest"``).
Both counts come from the same offence rows (ADR 0008), so the effect of the rule change is
known exactly: :func:`both_counts` puts them side by side.

Pure: Polars only, no Django. The input is one row per offence (:data:`OFFENCE_SCHEMA`), a
Polars DataFrame or an iterable of :class:`OffenceRow`.

Conventions (all deterministic):

* **Heaviest offence**: the lowest ``seriousness_rank`` (1 = heaviest, reference data
  ``registration/data/offence_seriousness.csv``); a tie (two offences of the same rank, e.g.
  two offences of one category) goes to the lowest ``seq``. ``(registration_id, seq)`` is
  unique, so the choice is always the same offence.
* **Period = reporting date**: an offence is counted in the period of its registration's
  ``reported_at`` (as CBS/police statistics count "geregistreerde misdrijven"), never of the
  time it was committed. ``reported_at`` and the region columns are registration attributes:
  they must be equal on every offence of a registration (validated), so all offences of a
  registration land in the same period and region and the heaviest-offence count is a subset
  of the per-offence count in every group.
* **Time zone**: a naive ``reported_at`` is Europe/Amsterdam wall-clock time; an aware one is
  converted to Europe/Amsterdam before it is bucketed (22:30 UTC on 30 June 2019 is July).
* **Period labels**: month ``2019-07``, quarter ``2019-Q3``, year ``2019`` (they sort as text).
* **Regions**: ``region`` holds the code of the chosen level's column; the national level is
  ``"NL"``; an offence without a code at that level counts under :data:`UNKNOWN_REGION`, so
  the groups of every level add up to the national total.
* **CSV**: :func:`to_csv` writes what CBS StatLine's CSV download and Dutch spreadsheet
  software expect: semicolon-separated, decimal comma (``1,25``), UTF-8 with a byte-order mark
  so Excel recognises the encoding; all three can be switched off.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Final, Literal, get_args
from zoneinfo import ZoneInfo

import polars as pl

__all__ = [
    "LEVELS",
    "NATIONAL_REGION",
    "NULLABLE_COLUMNS",
    "OFFENCE_MEASURES",
    "OFFENCE_SCHEMA",
    "PERIODS",
    "REGION_COLUMNS",
    "RULES",
    "TOTAL_CODE",
    "TOTAL_TITLE",
    "UNKNOWN_REGION",
    "Level",
    "OffenceRow",
    "Period",
    "Rule",
    "both_counts",
    "cbs_table",
    "cbs_table_from_measures",
    "count",
    "counts_from_measures",
    "frame",
    "heaviest",
    "offence_measures",
    "to_csv",
    "to_xlsx",
    "validate",
]

TIME_ZONE: Final = "Europe/Amsterdam"
_AMSTERDAM: Final = ZoneInfo(TIME_ZONE)

Rule = Literal["per_offence", "heaviest"]
Level = Literal["national", "unit", "district", "base_team", "municipality", "neighbourhood"]
Period = Literal["month", "quarter", "year"]

RULES: Final[tuple[Rule, ...]] = get_args(Rule)
LEVELS: Final[tuple[Level, ...]] = get_args(Level)
PERIODS: Final[tuple[Period, ...]] = get_args(Period)

#: The region columns, coarse to fine (the levels below national).
REGION_COLUMNS: Final[tuple[str, ...]] = (
    "unit",
    "district",
    "base_team",
    "municipality",
    "neighbourhood",
)

#: The canonical offence frame. Validation accepts any integer width for the integer
#: columns, any time unit and time zone (or none: Amsterdam local) for ``reported_at``, and
#: Categorical/Enum (or an all-null column) for the region columns, which it casts to String.
OFFENCE_SCHEMA: Final = pl.Schema(
    {
        "registration_id": pl.Int64(),
        "seq": pl.Int64(),
        "category_code": pl.String(),
        "seriousness_rank": pl.Int64(),
        "reported_at": pl.Datetime("us"),
        **{column: pl.String() for column in REGION_COLUMNS},
    }
)

#: Only the region columns may be null (an offence not placed at that level).
NULLABLE_COLUMNS: Final = frozenset(REGION_COLUMNS)

#: Columns that belong to the registration, equal on all of its offences.
_REGISTRATION_COLUMNS: Final = ("reported_at", *REGION_COLUMNS)

NATIONAL_REGION: Final = "NL"
UNKNOWN_REGION: Final = "onbekend"

#: The additive measures of one offence (:func:`offence_measures`), summed by the summaries.
OFFENCE_MEASURES: Final = ("per_offence", "heaviest", "per_offence_online", "heaviest_online")

#: The total row of :func:`cbs_table`: CBS's key and title for all offences (table 83648NED).
TOTAL_CODE: Final = "0.0.0"
TOTAL_TITLE: Final = "Totaal misdrijven"


@dataclass(frozen=True, slots=True)
class OffenceRow:
    """One offence, for callers without a DataFrame (see :func:`frame`)."""

    registration_id: int
    seq: int
    category_code: str
    seriousness_rank: int
    reported_at: datetime
    unit: str | None = None
    district: str | None = None
    base_team: str | None = None
    municipality: str | None = None
    neighbourhood: str | None = None


def frame(rows: Iterable[OffenceRow]) -> pl.DataFrame:
    """The offence frame of ``rows``: aware datetimes become Amsterdam wall-clock time."""

    def local(moment: datetime) -> datetime:
        if moment.tzinfo is None:
            return moment
        return moment.astimezone(_AMSTERDAM).replace(tzinfo=None)

    columns: dict[str, list[object]] = {name: [] for name in OFFENCE_SCHEMA}
    for row in rows:
        if not isinstance(row, OffenceRow):
            raise ValueError(f"expected OffenceRow, got {type(row).__name__}")
        for name, value in zip(OFFENCE_SCHEMA, dataclasses.astuple(row), strict=True):
            columns[name].append(local(value) if isinstance(value, datetime) else value)
    return pl.DataFrame(columns, schema=OFFENCE_SCHEMA)


# --------------------------------------------------------------------------------------------
# Validation


def _check_dtype(name: str, dtype: pl.DataType) -> pl.Expr | None:
    """A cast to the canonical type when needed; ValueError when the type is wrong."""
    expected = OFFENCE_SCHEMA[name]
    if expected == pl.Int64():
        if not dtype.is_integer():
            raise ValueError(f"column {name!r} must be an integer type, got {dtype}")
        return None
    if name == "reported_at":
        if not isinstance(dtype, pl.Datetime):
            raise ValueError(f"column 'reported_at' must be a Datetime, got {dtype}")
        return None
    if dtype == pl.String():
        return None
    if name in NULLABLE_COLUMNS and isinstance(dtype, pl.Categorical | pl.Enum | pl.Null):
        return pl.col(name).cast(pl.String())
    raise ValueError(f"column {name!r} must be a String, got {dtype}")


def validate(offences: pl.DataFrame | Iterable[OffenceRow]) -> pl.DataFrame:
    """The offence frame, checked against :data:`OFFENCE_SCHEMA`; raises ValueError.

    Checks: every column present with a usable type; no nulls outside the region columns;
    ``seriousness_rank`` >= 1; ``(registration_id, seq)`` unique; ``reported_at`` and the
    region columns equal on all offences of a registration. Extra columns are kept.
    """
    df = offences if isinstance(offences, pl.DataFrame) else frame(offences)
    missing = [name for name in OFFENCE_SCHEMA if name not in df.columns]
    if missing:
        raise ValueError(f"missing column(s): {', '.join(missing)}")
    casts = [c for name in OFFENCE_SCHEMA if (c := _check_dtype(name, df.schema[name])) is not None]
    if casts:
        df = df.with_columns(casts)
    if df.is_empty():
        return df

    required = [name for name in OFFENCE_SCHEMA if name not in NULLABLE_COLUMNS]
    nulls = df.select(pl.col(required).null_count()).row(0, named=True)
    with_nulls = [f"{name} ({n})" for name, n in nulls.items() if n]
    if with_nulls:
        raise ValueError(f"null values not allowed in: {', '.join(with_nulls)}")

    min_rank = df.get_column("seriousness_rank").min()
    if isinstance(min_rank, int) and min_rank < 1:
        raise ValueError(f"seriousness_rank must be >= 1 (1 = heaviest), found {min_rank}")

    keys = df.select("registration_id", "seq")
    if keys.is_duplicated().any():
        dupes = keys.filter(keys.is_duplicated()).unique().sort(keys.columns).head(5)
        shown = ", ".join(f"{r}/{s}" for r, s in dupes.iter_rows())
        raise ValueError(f"duplicate (registration_id, seq): {shown}")

    registrations = df.get_column("registration_id").n_unique()
    if df.select("registration_id", *_REGISTRATION_COLUMNS).n_unique() != registrations:
        bad = (
            df.group_by("registration_id")
            .agg(pl.col(c).n_unique().alias(c) for c in _REGISTRATION_COLUMNS)
            .filter(pl.any_horizontal(pl.col(c) > 1 for c in _REGISTRATION_COLUMNS))
            .sort("registration_id")
            .get_column("registration_id")
            .head(5)
            .to_list()
        )
        raise ValueError(
            "reported_at and the region columns are registration attributes and must be equal "
            f"on all offences of a registration; they differ for registration(s) {bad}"
        )
    return df


def _check_arguments(rule: str, level: str, period: str) -> None:
    if rule not in RULES:
        raise ValueError(f"rule must be one of {', '.join(RULES)}, got {rule!r}")
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}, got {level!r}")
    if period not in PERIODS:
        raise ValueError(f"period must be one of {', '.join(PERIODS)}, got {period!r}")


# --------------------------------------------------------------------------------------------
# Counting


def _heaviest(df: pl.DataFrame) -> pl.DataFrame:
    return df.sort("registration_id", "seriousness_rank", "seq").unique(
        subset="registration_id", keep="first", maintain_order=True
    )


def heaviest(offences: pl.DataFrame | Iterable[OffenceRow]) -> pl.DataFrame:
    """One row per registration: its heaviest offence (lowest ``seriousness_rank``, a tie to
    the lowest ``seq``), with all input columns, ordered by ``registration_id``."""
    return _heaviest(validate(offences))


def _period_key(period: Period, reported_at: pl.DataType) -> pl.Expr:
    """An integer per period (2019, 20193, 201907) from the Amsterdam wall-clock time."""
    moment = pl.col("reported_at")
    if isinstance(reported_at, pl.Datetime) and reported_at.time_zone is not None:
        moment = moment.dt.convert_time_zone(TIME_ZONE)
    return period_key(moment, period)


def period_key(moment: pl.Expr, period: Period) -> pl.Expr:
    """``period``: an integer per period (2019, 20193, 201907) of the local time ``moment``
    (shared with the funnel)."""
    year = moment.dt.year().cast(pl.Int32)
    if period == "year":
        return year.alias("period")
    if period == "quarter":
        return (year * 10 + moment.dt.quarter().cast(pl.Int32)).alias("period")
    return (year * 100 + moment.dt.month().cast(pl.Int32)).alias("period")


def period_label(period: Period) -> pl.Expr:
    """The readable label (2019, 2019-Q3, 2019-07) of the integer ``period`` column."""
    key = pl.col("period")
    if period == "year":
        return key.cast(pl.String).alias("period")
    if period == "quarter":
        return pl.format("{}-Q{}", key // 10, key % 10).alias("period")
    return pl.format("{}-{}", key // 100, (key % 100).cast(pl.String).str.zfill(2)).alias("period")


def region(level: Level) -> pl.Expr:
    """``region``: the code at ``level`` (NL nationally, "onbekend" where not placed)."""
    if level == "national":
        return pl.lit(NATIONAL_REGION, dtype=pl.String).alias("region")
    return pl.col(level).fill_null(UNKNOWN_REGION).alias("region")


def _count(
    df: pl.DataFrame, rule: Rule, level: Level, period: Period, by_category: bool
) -> pl.DataFrame:
    counted = _heaviest(df) if rule == "heaviest" else df
    keys = [_period_key(period, df.schema["reported_at"]), region(level)]
    if by_category:
        keys.append(pl.col("category_code"))
    names = ["period", "region", *(["category_code"] if by_category else [])]
    return (
        counted.lazy()
        .group_by(keys)
        .agg(pl.len().cast(pl.Int64).alias("count"))
        .sort(names)
        .with_columns(period_label(period))
        .collect()
    )


def count(
    offences: pl.DataFrame | Iterable[OffenceRow],
    *,
    rule: Rule,
    level: Level = "national",
    period: Period = "year",
    by_category: bool = True,
) -> pl.DataFrame:
    """Registered crime under ``rule`` per period, region (and category).

    Columns ``period`` (label), ``region`` (code; ``"NL"`` nationally), ``category_code`` (when
    ``by_category``), ``count``; only groups with at least one count, sorted by those columns.
    """
    _check_arguments(rule, level, period)
    return _count(validate(offences), rule, level, period, by_category)


def _local_month(df: pl.DataFrame) -> pl.Expr:
    """``month``: the first day of the Amsterdam month of ``reported_at``."""
    moment = pl.col("reported_at")
    dtype = df.schema["reported_at"]
    if isinstance(dtype, pl.Datetime) and dtype.time_zone is not None:
        moment = moment.dt.convert_time_zone(TIME_ZONE)
    return moment.dt.date().dt.truncate("1mo").alias("month")


def offence_measures(offences: pl.DataFrame | Iterable[OffenceRow]) -> pl.DataFrame:
    """One row per offence with its additive measures, the unit the summary tables sum.

    Columns: ``registration_id``, ``month`` (Date, first day of the Amsterdam month of
    ``reported_at``), the region columns, ``category_code``, and the Int64 measures of
    :data:`OFFENCE_MEASURES`: ``per_offence`` (1), ``heaviest`` (1 on the registration's
    heaviest offence, else 0) and their ``_online`` variants (the same when the optional
    Boolean column ``online`` is true, else 0). An optional ``confidentiality`` column is
    kept. Summing a measure over any grouping gives :func:`both_counts` for that grouping.
    """
    df = validate(offences)
    online = (
        pl.col("online").fill_null(False).cast(pl.Int64)
        if "online" in df.columns
        else pl.lit(0, dtype=pl.Int64)
    )
    extra = [c for c in ("confidentiality",) if c in df.columns]
    return (
        df.lazy()
        .sort("registration_id", "seriousness_rank", "seq")
        .with_columns(
            _local_month(df),
            pl.lit(1, dtype=pl.Int64).alias("per_offence"),
            pl.col("registration_id").is_first_distinct().cast(pl.Int64).alias("heaviest"),
            online.alias("_online"),
        )
        .with_columns(
            pl.col("_online").alias("per_offence_online"),
            (pl.col("heaviest") * pl.col("_online")).alias("heaviest_online"),
        )
        .select(
            "registration_id",
            "month",
            *REGION_COLUMNS,
            "category_code",
            *extra,
            *OFFENCE_MEASURES,
        )
        .collect()
    )


def counts_from_measures(
    measures: pl.DataFrame,
    *,
    level: Level = "national",
    period: Period = "year",
    by_category: bool = True,
) -> pl.DataFrame:
    """:func:`both_counts` from rows of offence measures: per-offence rows of
    :func:`offence_measures` or summary rows that already summed them (a ``month`` Date
    column, the region columns the level needs, ``category_code`` when ``by_category``, and
    ``per_offence``/``heaviest``). Groups whose sums are zero are left out."""
    _check_arguments("per_offence", level, period)
    names = ["period", "region", *(["category_code"] if by_category else [])]
    keys = [period_key(pl.col("month"), period), region(level)]
    if by_category:
        keys.append(pl.col("category_code"))
    return (
        measures.lazy()
        .group_by(keys)
        .agg(
            pl.col("per_offence").sum().cast(pl.Int64),
            pl.col("heaviest").sum().cast(pl.Int64),
        )
        .filter(pl.col("per_offence") > 0)
        .sort(names)
        .with_columns(
            period_label(period),
            (pl.col("per_offence") - pl.col("heaviest")).alias("difference"),
            pl.when(pl.col("heaviest") > 0)
            .then(pl.col("per_offence") / pl.col("heaviest"))
            .otherwise(None)
            .alias("ratio"),
        )
        .collect()
    )


def both_counts(
    offences: pl.DataFrame | Iterable[OffenceRow],
    *,
    level: Level = "national",
    period: Period = "year",
    by_category: bool = True,
) -> pl.DataFrame:
    """Both counts side by side: the exact effect of the July 2018 rule change.

    Columns: the grouping columns of :func:`count`, ``per_offence``, ``heaviest``,
    ``difference`` (per_offence - heaviest, never negative) and ``ratio`` (per_offence /
    heaviest; null where the heaviest count is 0, which happens per category: a category that
    only occurs next to heavier offences).
    """
    _check_arguments("per_offence", level, period)
    return counts_from_measures(
        offence_measures(offences), level=level, period=period, by_category=by_category
    )


# --------------------------------------------------------------------------------------------
# CBS-style tables and export


def _code_key(code: str) -> tuple[tuple[int, int | str], ...]:
    """Natural order of classification codes: 2.6.9 before 2.6.10."""
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in code.split("."))


def _period_labels(period: Period, present: Sequence[str]) -> list[str]:
    """Every period label from the first to the last present one (CBS shows empty periods)."""
    if not present:
        return []
    first, last = min(present), max(present)
    if period == "year":
        return [str(y) for y in range(int(first), int(last) + 1)]
    per_year, sep = (4, "-Q") if period == "quarter" else (12, "-")

    def index(label: str) -> int:
        year, part = label.split(sep)
        return int(year) * per_year + int(part) - 1

    labels = []
    for i in range(index(first), index(last) + 1):
        year, part = divmod(i, per_year)
        labels.append(f"{year}-Q{part + 1}" if period == "quarter" else f"{year}-{part + 1:02d}")
    return labels


def cbs_table(
    offences: pl.DataFrame | Iterable[OffenceRow],
    *,
    rule: Rule = "per_offence",
    period: Period = "year",
    level: Level = "national",
    region: str | None = None,
    titles: Mapping[str, str] | None = None,
) -> pl.DataFrame:
    """A wide, CBS StatLine-like table for one region: a row per category, a column per period.

    The first row is the total (:data:`TOTAL_CODE`, :data:`TOTAL_TITLE`); then the categories
    in natural code order. Periods run without gaps from the first to the last one with data
    (empty cells are 0). With ``titles`` (code -> title) a ``category`` column follows the code,
    every category in ``titles`` gets a row (zero if absent) and an unknown code keeps its code
    as title. Below the national level ``region`` (the code at ``level``) is required.
    """
    _check_arguments(rule, level, period)
    return cbs_table_from_measures(
        offence_measures(offences),
        rule=rule,
        period=period,
        level=level,
        region=region,
        titles=titles,
    )


def cbs_table_from_measures(
    measures: pl.DataFrame,
    *,
    rule: Rule = "per_offence",
    period: Period = "year",
    level: Level = "national",
    region: str | None = None,
    titles: Mapping[str, str] | None = None,
) -> pl.DataFrame:
    """:func:`cbs_table` from offence measures or summary rows (see
    :func:`counts_from_measures`)."""
    _check_arguments(rule, level, period)
    if level == "national":
        if region not in (None, NATIONAL_REGION):
            raise ValueError(f"the national level has only region {NATIONAL_REGION!r}")
        region = NATIONAL_REGION
    elif region is None:
        raise ValueError(f"region (a {level} code) is required below the national level")
    counts = (
        counts_from_measures(measures, level=level, period=period, by_category=True)
        .filter(pl.col("region") == region)
        .rename({rule: "count"})
    )
    labels = _period_labels(period, counts.get_column("period").unique().to_list())
    cells: dict[str, dict[str, int]] = {}
    for label, code, n in counts.select("period", "category_code", "count").iter_rows():
        cells.setdefault(code, {})[label] = n
    codes = sorted(set(cells) | set(titles or {}), key=_code_key)

    rows: list[dict[str, object]] = []
    for code in codes:
        row: dict[str, object] = {"category_code": code}
        if titles is not None:
            row["category"] = titles.get(code, code)
        row.update({label: cells.get(code, {}).get(label, 0) for label in labels})
        rows.append(row)
    total: dict[str, object] = {"category_code": TOTAL_CODE}
    if titles is not None:
        total["category"] = TOTAL_TITLE
    total.update({label: sum(cells[c].get(label, 0) for c in cells) for label in labels})

    schema: dict[str, pl.DataType] = {"category_code": pl.String()}
    if titles is not None:
        schema["category"] = pl.String()
    schema.update({label: pl.Int64() for label in labels})
    return pl.DataFrame([total, *rows], schema=schema, orient="row")


def to_csv(
    df: pl.DataFrame,
    path: str | Path,
    *,
    separator: str = ";",
    decimal_comma: bool = True,
    bom: bool = True,
) -> Path:
    """Write ``df`` as StatLine/Dutch-Excel CSV: ``;``, decimal comma, UTF-8 with BOM."""
    if decimal_comma and separator == ",":
        raise ValueError("a decimal comma needs another separator than ','")
    target = Path(path)
    df.write_csv(target, separator=separator, decimal_comma=decimal_comma, include_bom=bom)
    return target


def to_xlsx(df: pl.DataFrame, path: str | Path, *, sheet: str = "Tabel") -> Path:
    """Write ``df`` as a real .xlsx workbook (one sheet, header row, autofilter)."""
    target = Path(path)
    df.write_excel(workbook=target, worksheet=sheet, autofit=True)
    return target
