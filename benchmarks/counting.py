"""Speed of the counting rules on synthetic offences, against a plain-Python reference.

    .venv/bin/python benchmarks/counting.py [--rows 1000000] [--seed 1] [--repeat 3]

No Django, no database. Generates ``--rows`` offence rows with numpy (seeded): registrations
with 1-4 offences (85 / 10 / 4 / 1 %), categories and seriousness ranks from
``registration/data/offence_seriousness.csv`` (skewed mix), reporting times uniform over
2017-2021 (Amsterdam wall-clock), 342 municipalities in a unit / district / base team
hierarchy and ~30 neighbourhoods each (1 % without a neighbourhood).

Times :func:`regie.statistics.counting.both_counts` by municipality and month (best of
``--repeat``, validation included) and, in the same run, a dict-based pure-Python
implementation of the same two rules on the same rows (already converted to Python objects;
the conversion is not timed). Prints both times and their ratio and checks that the two give
exactly the same per-offence and heaviest counts in every group (exit status 1 if not).
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from importlib import resources

import numpy as np
import polars as pl

from regie.statistics.counting import both_counts

Key = tuple[str, str, str]

MUNICIPALITIES = 342
NEIGHBOURHOODS_PER_MUNICIPALITY = 30


def categories() -> list[tuple[str, int]]:
    source = resources.files("regie.registration").joinpath("data/offence_seriousness.csv")
    with source.open(encoding="utf-8") as handle:
        return [(row["category_code"], int(row["rank"])) for row in csv.DictReader(handle)]


def synthetic(rows: int, seed: int) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    # Offences per registration; enough registrations to cover ``rows`` offences.
    sizes = rng.choice([1, 2, 3, 4], p=[0.85, 0.10, 0.04, 0.01], size=rows)
    sizes = sizes[: int(np.searchsorted(np.cumsum(sizes), rows)) + 1]
    sizes[-1] -= int(sizes.sum()) - rows
    registrations = len(sizes)
    registration_id = np.repeat(np.arange(1, registrations + 1, dtype=np.int64), sizes)
    starts = np.repeat(np.cumsum(sizes) - sizes, sizes)
    seq = np.arange(rows, dtype=np.int64) - starts + 1

    cats = categories()
    weights = rng.dirichlet(np.full(len(cats), 0.5))
    pick = rng.choice(len(cats), p=weights, size=rows)
    codes = np.array([c for c, _ in cats], dtype=object)[pick]
    ranks = np.array([r for _, r in cats], dtype=np.int64)[pick]

    start = np.datetime64("2017-01-01T00:00:00", "s").astype(np.int64)
    end = np.datetime64("2022-01-01T00:00:00", "s").astype(np.int64)
    reported = rng.integers(start, end, size=registrations).astype("datetime64[s]")
    municipality = rng.integers(0, MUNICIPALITIES, size=registrations)
    neighbourhood = rng.integers(0, NEIGHBOURHOODS_PER_MUNICIPALITY, size=registrations)
    placed = rng.random(registrations) >= 0.01

    per_registration = pl.DataFrame(
        {
            "registration_id": np.arange(1, registrations + 1, dtype=np.int64),
            "reported_at": reported.astype("datetime64[us]"),
            "m": municipality,
            "n": neighbourhood,
            "placed": placed,
        }
    ).select(
        "registration_id",
        "reported_at",
        pl.format("U{}", pl.col("m") // 40).alias("unit"),
        pl.format("D{}", pl.col("m") // 15).alias("district"),
        pl.format("B{}", pl.col("m") // 4).alias("base_team"),
        pl.format("GM{}", pl.col("m").cast(pl.String).str.zfill(4)).alias("municipality"),
        pl.when(pl.col("placed"))
        .then(
            pl.format(
                "BU{}{}",
                pl.col("m").cast(pl.String).str.zfill(4),
                pl.col("n").cast(pl.String).str.zfill(4),
            )
        )
        .alias("neighbourhood"),
    )
    offences = pl.DataFrame(
        {
            "registration_id": registration_id,
            "seq": seq,
            "category_code": pl.Series(codes, dtype=pl.String),
            "seriousness_rank": ranks,
        }
    )
    return offences.join(per_registration, on="registration_id", how="left")


def reference(
    registration_id: Sequence[int],
    seq: Sequence[int],
    category: Sequence[str],
    rank: Sequence[int],
    reported_at: Sequence[datetime],
    region: Sequence[str | None],
) -> tuple[dict[Key, int], dict[Key, int]]:
    """Both counts by (month, municipality, category) with dicts: the obvious way."""
    per_offence: dict[Key, int] = defaultdict(int)
    best: dict[int, tuple[int, int, Key]] = {}
    for reg, s, cat, r, moment, place in zip(
        registration_id, seq, category, rank, reported_at, region, strict=True
    ):
        key = (f"{moment.year}-{moment.month:02d}", place or "onbekend", cat)
        per_offence[key] += 1
        current = best.get(reg)
        if current is None or (r, s) < current[:2]:
            best[reg] = (r, s, key)
    heaviest: dict[Key, int] = defaultdict(int)
    for _, _, key in best.values():
        heaviest[key] += 1
    return dict(per_offence), dict(heaviest)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    df = synthetic(args.rows, args.seed)
    registrations = df.get_column("registration_id").n_unique()
    print(
        f"generated {df.height:,} offences in {registrations:,} registrations "
        f"({time.perf_counter() - t0:.2f} s)"
    )

    timings = []
    for _ in range(max(1, args.repeat)):
        t0 = time.perf_counter()
        table = both_counts(df, level="municipality", period="month")
        timings.append(time.perf_counter() - t0)
    polars_s = min(timings)
    print(
        f"polars both_counts (municipality x month x category): {polars_s:.3f} s "
        f"(best of {len(timings)}), {table.height:,} groups"
    )

    columns = [
        df.get_column(name).to_list()
        for name in (
            "registration_id",
            "seq",
            "category_code",
            "seriousness_rank",
            "reported_at",
            "municipality",
        )
    ]
    t0 = time.perf_counter()
    per_offence, heaviest = reference(*columns)
    reference_s = time.perf_counter() - t0
    print(f"plain-Python dict reference:                         {reference_s:.3f} s")
    print(f"ratio reference / polars: {reference_s / polars_s:.1f}x")

    got_per_offence = {}
    got_heaviest = {}
    for period, region, category, n, h in table.select(
        "period", "region", "category_code", "per_offence", "heaviest"
    ).iter_rows():
        got_per_offence[(period, region, category)] = n
        if h:
            got_heaviest[(period, region, category)] = h
    agree = got_per_offence == per_offence and got_heaviest == heaviest
    print(
        f"totals: per offence {sum(per_offence.values()):,}, heaviest "
        f"{sum(heaviest.values()):,} (ratio {sum(per_offence.values()) / registrations:.4f})"
    )
    print(f"agree with reference: {'yes' if agree else 'NO'}")
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
