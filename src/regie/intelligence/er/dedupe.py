"""Deduplicate one CSV file, or link two, and write the pairs judged the same entity.

The lead wires :func:`dedupe_file` to ``regie intelligence dedupe --input FILE.csv --id-col
ID [--fields a,b,c] [--link-with OTHER.csv] --out PAIRS.csv``.

All columns are read as text (no type guessing: "007" stays "007" and is normalised by
:mod:`regie.intelligence.er.prepare`). The model is trained on the file itself (unsupervised,
fixed seed, so a rerun gives the same pairs) and pairs at or above ``MATCH_THRESHOLD`` are
written as ``id_l,id_r,match_probability``, most probable first. When linking, ``id_l`` is
from the input file and ``id_r`` from the other file, which must have the same id column and
fields.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from regie.intelligence.er.model import (
    MATCH_THRESHOLD,
    REVIEW_THRESHOLD,
    Engine,
    EntityResolver,
)
from regie.intelligence.er.prepare import FieldError, check_columns

PAIRS_HEADER = ("id_l", "id_r", "match_probability")


def read_csv(path: str | Path) -> pd.DataFrame:
    """A CSV as text columns; empty cells stay empty (prepared as nulls later)."""
    return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[])


def dedupe_file(
    input_csv: str | Path,
    id_col: str,
    fields: Sequence[str] | None = None,
    link_with: str | Path | None = None,
    out: str | Path = "PAIRS.csv",
    *,
    threshold: float = MATCH_THRESHOLD,
    engine: Engine = "duckdb",
    spark_session: Any = None,
) -> int:
    """Write ``id_l,id_r,match_probability`` for the pairs judged the same entity, and
    return how many pairs were written.

    ``fields`` are the columns to compare (default: all but ``id_col``); their roles follow
    from their names (:func:`regie.intelligence.er.prepare.field_role`). Raises
    :class:`~regie.intelligence.er.prepare.FieldError` (a ``ValueError``) naming the file for
    a missing id column or field, before any work is done.
    """
    left = read_csv(input_csv)
    chosen = check_columns(left.columns, id_col, fields, source=str(input_csv))
    right = None
    if link_with is not None:
        right = read_csv(link_with)
        check_columns(right.columns, id_col, chosen, source=str(link_with))
    if len(left) < 2 and right is None:
        raise FieldError(f"{input_csv}: at least two records are needed to deduplicate")
    resolver = EntityResolver.from_records(
        left,
        id_col,
        chosen,
        link_with=right,
        engine=engine,
        spark_session=spark_session,
        match_threshold=threshold,
        review_threshold=min(threshold, REVIEW_THRESHOLD),
    )
    resolver.train()
    pairs = resolver.predict(threshold)
    out_path = Path(out)
    with out_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(PAIRS_HEADER)
        for id_l, id_r, probability in pairs.itertuples(index=False):
            writer.writerow((id_l, id_r, f"{probability:.6f}"))
    return len(pairs)
