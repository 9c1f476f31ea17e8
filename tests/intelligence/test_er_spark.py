"""The Spark engine: a small batch on a local Spark session gives the same pairs as DuckDB.

Needs pyspark (a dev dependency) and Java; marked ``spark`` (``pytest -m spark`` runs only
this, ``-m "not spark"`` leaves it out). Skipped, with the reason, where either is missing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from regie.intelligence.er import EntityResolver
from regie.intelligence.er.spark import spark_available, spark_session
from regie.intelligence.er.synth import synthetic_persons

pytestmark = [
    pytest.mark.spark,
    pytest.mark.skipif(spark_available() is not None, reason=str(spark_available())),
]
FIELDS = ["first_name", "particle", "surname", "date_of_birth", "postcode"]


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    session = spark_session("local[2]")
    yield session
    session.stop()


def _pairs(resolver: EntityResolver) -> set[tuple[str, str]]:
    resolution = resolver.resolve()
    return {
        (min(a, b), max(a, b))
        for a, b in zip(resolution.matches.id_l, resolution.matches.id_r, strict=True)
    }


def test_spark_batch_equals_duckdb(spark: Any) -> None:
    data = synthetic_persons(400, seed=3)
    on_spark = EntityResolver.from_records(
        data.records, "id", FIELDS, engine="spark", spark_session=spark
    )
    on_spark.train(seed=42, u_max_pairs=1e5)
    on_duckdb = EntityResolver.from_records(data.records, "id", FIELDS)
    on_duckdb.train(seed=42, u_max_pairs=1e5)
    spark_pairs, duckdb_pairs = _pairs(on_spark), _pairs(on_duckdb)
    assert spark_pairs, "the planted duplicates should be found"
    # The same model on another engine: the same judgement, up to sampling in training.
    overlap = len(spark_pairs & duckdb_pairs) / len(spark_pairs | duckdb_pairs)
    assert overlap >= 0.95, (len(spark_pairs), len(duckdb_pairs), overlap)
    truth = {(min(a, b), max(a, b)) for a, b in data.true_pairs}
    recall = len(spark_pairs & truth) / len(truth)
    precision = len(spark_pairs & truth) / len(spark_pairs)
    assert recall >= 0.9 and precision >= 0.95, (precision, recall)
