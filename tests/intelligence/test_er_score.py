"""The plain-Python scorer gives Splink's own probabilities (DuckDB) for the same trained
model and pairs, and refuses models it cannot evaluate exactly. No database."""

from __future__ import annotations

import datetime as dt
import math
import random

import pandas as pd
import pytest

from regie.intelligence.er import EntityResolver, SplinkPersonMatcher
from regie.intelligence.er.matcher import FIELDS, person_frame, prepare_person
from regie.intelligence.er.prepare import prepare_frame
from regie.intelligence.er.score import (
    PairScorer,
    UnsupportedModel,
    default_m_values,
    default_u_values,
    jaro_winkler,
)
from regie.intelligence.er.synth import synthetic_persons
from regie.registration.matching import PersonRecord


def _records(n: int, seed: int) -> list[PersonRecord]:
    data = synthetic_persons(n, seed=seed)
    out = []
    for k, r in enumerate(data.records.to_dict("records")):
        try:
            dob: dt.date | None = dt.date.fromisoformat(r["date_of_birth"])
        except ValueError:
            dob = None
        out.append(PersonRecord(k, r["first_name"], r["particle"], r["surname"], dob, None))
    return out


@pytest.fixture(scope="module")
def trained() -> tuple[SplinkPersonMatcher, list[PersonRecord]]:
    register = _records(2500, seed=5)
    return SplinkPersonMatcher.train(register, seed=42), register


def test_python_probabilities_equal_splinks(
    trained: tuple[SplinkPersonMatcher, list[PersonRecord]],
) -> None:
    matcher, register = trained
    index, queries = register[:2000], register[2000:2300]
    frame, schema = prepare_frame(person_frame(index), "id", FIELDS)
    resolver = EntityResolver(
        [frame], schema, id_col="id", fields=FIELDS, model=matcher.model, review_threshold=0.0
    )
    new = person_frame(queries, ids=[f"q{q.id}" for q in queries])
    by_id = {str(r.id): r for r in index}
    compared = 0
    for q in queries:
        found = resolver.match_many(new[new["id"] == f"q{q.id}"], threshold=0.0)
        for cand in found:
            ours = matcher.scorer.score(prepare_person(by_id[cand.id]), prepare_person(q))
            assert ours.levels == cand.levels, (q, by_id[cand.id])
            assert math.isclose(ours.match_probability, cand.match_probability, abs_tol=1e-9)
            compared += 1
    assert compared > 200  # the synthetic duplicates give many scored pairs (265 with seed 5)


def test_jaro_winkler_matches_duckdb() -> None:
    import duckdb

    rng = random.Random(1)
    words = [
        "".join(rng.choice("aeioubcdklmnrst") for _ in range(rng.randint(1, 9))) for _ in range(400)
    ]
    pairs = [*zip(words[::2], words[1::2], strict=True), ("jan", "jan"), ("berg", "bergh")]
    con = duckdb.connect()
    con.register("words", pd.DataFrame(pairs, columns=["a", "b"]))
    got = con.execute("SELECT jaro_winkler_similarity(a, b) FROM words").fetchall()
    for (a, b), (expected,) in zip(pairs, got, strict=True):
        assert math.isclose(jaro_winkler(a, b), expected, abs_tol=1e-9), (a, b)


def test_unknown_levels_are_refused(
    trained: tuple[SplinkPersonMatcher, list[PersonRecord]],
) -> None:
    matcher, _ = trained
    model = dict(matcher.model)
    broken = [dict(c) for c in model["comparisons"]]
    levels = [dict(level) for level in broken[0]["comparison_levels"]]
    levels[1] = {**levels[1], "label_for_charts": "soundex"}
    broken[0] = {**broken[0], "comparison_levels": levels}
    with pytest.raises(UnsupportedModel, match="soundex"):
        PairScorer({**model, "comparisons": broken})
    with pytest.raises(UnsupportedModel, match="prior"):
        PairScorer({**model, "probability_two_random_records_match": 0})


@pytest.mark.parametrize("levels", [2, 3, 4, 6, 8])
def test_untrained_defaults_are_splinks(levels: int) -> None:
    from splink.internals.comparison_level import _default_m_values, _default_u_values

    assert default_m_values(levels) == pytest.approx(_default_m_values(levels), rel=1e-12)
    assert default_u_values(levels) == pytest.approx(_default_u_values(levels), rel=1e-12)
