"""Smoke test of benchmarks/solvability.py on a tiny region (one small municipality, two
years): the script runs end to end and reports an evaluation and the criteria result. Whether
the criteria pass is not asserted: a few hundred held-back cases are too few to meet them."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from regie.selection.solvability import CriteriaResult, Evaluation

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "solvability.py"


@pytest.fixture(scope="module")
def benchmark() -> Iterator[ModuleType]:
    spec = importlib.util.spec_from_file_location("benchmarks_solvability", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.modules.pop(spec.name, None)


def test_tiny_run(
    benchmark: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    card = tmp_path / "card.md"
    result = benchmark.main(
        ["--years", "2018,2019", "--municipalities", "GM0310", "--seed", "3", "--card", str(card)]
    )

    assert 2_000 <= result.n_registrations <= 8_000
    assert result.train and result.test
    assert all(s.period.year == 2019 for s in result.test)
    assert all(s.period.year == 2018 for s in result.train)
    assert isinstance(result.evaluation, Evaluation)
    assert result.evaluation.overall.n == len(result.test)
    auc, true_auc = result.evaluation.overall.auc, result.true_auc
    assert auc is not None and 0.5 < auc < 1
    assert true_auc is not None and 0.5 < true_auc < 1
    assert result.auc_ratio is not None
    assert isinstance(result.criteria, CriteriaResult)
    assert {c.name for c in result.criteria.checks} >= {"min_auc", "max_ece"}

    out = capsys.readouterr().out
    last = out.strip().splitlines()[-1]
    assert last.startswith("held-back year 2019: AUC ")
    assert "criteria PASSED" in last or "criteria FAILED" in last
    assert card.read_text(encoding="utf-8").startswith("# Modelkaart oplosbaarheidsmodel")


def test_rejects_a_holdout_without_training_years(benchmark: ModuleType) -> None:
    with pytest.raises(SystemExit):
        benchmark.parse_args(["--years", "2018,2019", "--holdout", "2018"])
