"""Summary rows: the per-offence and per-case measures summed at a few fixed grains.

Pure: Polars only, no Django. The dashboards read these sums (stored in the
``OffenceCount``/``CaseCount`` tables, refreshed per partition of month and base team) instead
of scanning every offence and case per request; the ``*_from_counts`` functions of
:mod:`~regie.statistics.counting` and :mod:`~regie.statistics.funnel` turn them into the same
tables the per-row functions give (property-tested: summing first changes nothing).

A *grain* is the set of key columns kept; the other key columns are ``""`` in its rows.
Every grain has ``month`` (Date, first day of the Amsterdam reporting month) and
``confidentiality`` (so a reader below the highest clearance sums only what they may see).

Offence grains (measures :data:`~regie.statistics.counting.OFFENCE_MEASURES`):

* ``team``: unit, district, base team: the national, unit, district and base-team levels and
  the trend series; small (one row per team and month and clearance level).
* ``category``: the team columns, municipality and category: counts by category at those
  levels and the municipality level.
* ``area``: the team columns, municipality and neighbourhood: the neighbourhood level and
  the map.

Case grains (measures :data:`~regie.statistics.funnel.CASE_MEASURES`): ``team`` and
``category`` (the team columns, category and offence class).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import polars as pl

from regie.statistics.counting import OFFENCE_MEASURES
from regie.statistics.funnel import CASE_MEASURES, DURATION_MEASURES

__all__ = [
    "CASE_GRAINS",
    "KEY_COLUMNS",
    "OFFENCE_GRAINS",
    "case_grain",
    "offence_grain",
    "rollup",
]

#: Every key column of a summary row, in storage order.
KEY_COLUMNS: Final = (
    "month",
    "confidentiality",
    "unit",
    "district",
    "base_team",
    "municipality",
    "neighbourhood",
    "category_code",
    "offence_class",
)
_TEAM: Final = ("unit", "district", "base_team")

OFFENCE_GRAINS: Final[dict[str, tuple[str, ...]]] = {
    "team": _TEAM,
    "category": (*_TEAM, "municipality", "category_code"),
    "area": (*_TEAM, "municipality", "neighbourhood"),
}
CASE_GRAINS: Final[dict[str, tuple[str, ...]]] = {
    "team": _TEAM,
    "category": (*_TEAM, "category_code", "offence_class"),
}


def offence_grain(level: str, by_category: bool) -> str:
    """The smallest offence grain that answers ``level`` (and ``by_category``); ValueError
    when none does (the neighbourhood level has no category breakdown)."""
    if level == "neighbourhood":
        if by_category:
            raise ValueError("no category breakdown at the neighbourhood level")
        return "area"
    if by_category or level == "municipality":
        return "category"
    return "team"


def case_grain(by: str) -> str:
    """The case grain for a funnel grouped ``by`` none, category or offence class."""
    return "team" if by == "none" else "category"


def rollup(
    measures: pl.DataFrame,
    grains: dict[str, tuple[str, ...]],
    measure_columns: Sequence[str],
) -> pl.DataFrame:
    """The summary rows of per-row ``measures`` at every grain of ``grains``.

    ``measures`` holds ``month``, ``confidentiality`` (a missing column counts as 0), the key
    columns the grains name (null is stored as ``""``) and ``measure_columns``. Returns one
    frame: ``grain``, every column of :data:`KEY_COLUMNS` (``""`` where not in the grain) and
    the summed measures (Int64; the durations Float64). Rows with nothing counted are left
    out; sorted by grain and keys.
    """
    missing = [c for c in ("month", *measure_columns) if c not in measures.columns]
    if missing:
        raise ValueError(f"measures: missing column(s): {', '.join(missing)}")
    if "confidentiality" not in measures.columns:
        measures = measures.with_columns(pl.lit(0, dtype=pl.Int64).alias("confidentiality"))
    string_keys = [c for c in KEY_COLUMNS if c not in ("month", "confidentiality")]
    measures = measures.with_columns(
        pl.col("confidentiality").cast(pl.Int64),
        *(
            (
                pl.col(c).cast(pl.String).fill_null("") if c in measures.columns else pl.lit("")
            ).alias(c)
            for c in string_keys
        ),
    )
    frames = []
    for name, columns in grains.items():
        unknown = set(columns) - set(string_keys)
        if unknown:
            raise ValueError(f"grain {name!r}: unknown key column(s) {sorted(unknown)}")
        keys = ["month", "confidentiality", *columns]
        summed = measures.group_by(keys).agg(
            pl.col(m).sum().cast(pl.Float64 if m in DURATION_MEASURES else pl.Int64)
            for m in measure_columns
        )
        frames.append(
            summed.with_columns(
                pl.lit(name).alias("grain"),
                *(pl.lit("").alias(c) for c in string_keys if c not in columns),
            ).select("grain", *KEY_COLUMNS, *measure_columns)
        )
    out = pl.concat(frames) if frames else pl.DataFrame()
    nonzero = pl.any_horizontal(pl.col(m) != 0 for m in measure_columns)
    return out.filter(nonzero).sort("grain", *KEY_COLUMNS)


def offence_rollup(measures: pl.DataFrame) -> pl.DataFrame:
    """:func:`rollup` of :func:`~regie.statistics.counting.offence_measures` rows."""
    return rollup(measures, OFFENCE_GRAINS, OFFENCE_MEASURES)


def case_rollup(measures: pl.DataFrame) -> pl.DataFrame:
    """:func:`rollup` of :func:`~regie.statistics.funnel.case_measures` rows."""
    return rollup(measures, CASE_GRAINS, CASE_MEASURES)


def from_storage(rows: pl.DataFrame) -> pl.DataFrame:
    """Summary rows as read back from storage, ready for the ``*_from_counts`` functions:
    the ``""`` of a key column (not placed, or not in the grain) becomes null, so an unplaced
    row counts as "onbekend" like in the per-row functions."""
    strings = [
        c for c in KEY_COLUMNS if c in rows.columns and c not in ("month", "confidentiality")
    ]
    return rows.with_columns(
        pl.when(pl.col(c) == "").then(None).otherwise(pl.col(c)).alias(c) for c in strings
    )
