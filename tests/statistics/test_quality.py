"""Tests for regie.statistics.quality (pure Python, no Django, no database).

Two municipalities (Amersfoort, Zeist) for one year (~12k registrations) come from the real
synthetic generator; 5 % of them are relabelled to a plausible wrong category and the
cross-fitted detector must find them.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from regie.organisation.geodata import load_reference
from regie.statistics import quality as q
from regie.synth.registrations_gen import (
    GeneratorConfig,
    RegistrationGenerator,
    inputs_from_reference,
)

MUNICIPALITIES = frozenset({"GM0307", "GM0355"})
RATE = 0.05
K = 5


@pytest.fixture(scope="module")
def samples() -> list[q.QualitySample]:
    municipalities, neighbourhoods = inputs_from_reference(load_reference())
    config = GeneratorConfig(
        start=date(2019, 1, 1),
        end=date(2019, 12, 31),
        municipality_codes=MUNICIPALITIES,
        seed=11,
    )
    return [
        q.sample_from_entry(e)
        for e in RegistrationGenerator(config, municipalities, neighbourhoods)
    ]


@pytest.fixture(scope="module")
def injected(samples: list[q.QualitySample]) -> tuple[list[q.QualitySample], frozenset[str]]:
    return q.inject_misclassifications(samples, RATE, seed=3)


@pytest.fixture(scope="module")
def noisy_fit(injected: tuple[list[q.QualitySample], frozenset[str]]) -> q.CrossFit:
    return q.cross_fit(injected[0], K, seed=0)


@pytest.fixture(scope="module")
def clean_fit(samples: list[q.QualitySample]) -> q.CrossFit:
    return q.cross_fit(samples, K, seed=0)


def test_samples_from_generator(samples: list[q.QualitySample]) -> None:
    assert 8000 <= len(samples) <= 16000
    assert len({s.category_code for s in samples}) >= 20
    bikes = [s for s in samples if s.category_code == "1.2.3"]
    assert bikes and all(s.narrative for s in bikes)
    assert sum("bicycle" in s.goods_kinds for s in bikes) > 0.5 * len(bikes)


def test_damage_band() -> None:
    assert q.damage_band(None) == "geen"
    assert q.damage_band(Decimal("10")) == "<50"
    assert q.damage_band(Decimal("250")) == "<1000"
    assert q.damage_band(Decimal("9999")) == ">=5000"


def test_injection(
    samples: list[q.QualitySample], injected: tuple[list[q.QualitySample], frozenset[str]]
) -> None:
    noisy, truth = injected
    assert len(noisy) == len(samples)
    assert len(truth) == round(RATE * len(samples))
    for before, after in zip(samples, noisy, strict=True):
        assert before.key == after.key
        if before.key in truth:
            assert after.category_code in q.CONFUSIONS[before.category_code]
            assert after.category_code != before.category_code
        else:
            assert after == before
    again, truth_again = q.inject_misclassifications(samples, RATE, seed=3)
    assert again == noisy and truth_again == truth
    _, other = q.inject_misclassifications(samples, RATE, seed=4)
    assert other != truth


def test_cross_fitted_flags_meet_criteria(
    injected: tuple[list[q.QualitySample], frozenset[str]],
    noisy_fit: q.CrossFit,
    clean_fit: q.CrossFit,
    samples: list[q.QualitySample],
) -> None:
    noisy, truth = injected
    evaluation = q.evaluate(noisy_fit, noisy, truth)
    clean = q.evaluate(clean_fit, samples, frozenset())
    print(
        f"\nquality: n={evaluation.n} errors={evaluation.n_errors} flags={evaluation.n_flags} "
        f"P={evaluation.precision:.3f} R={evaluation.recall:.3f} F1={evaluation.f1:.3f} "
        f"P@k={evaluation.precision_at_k} clean flag rate={clean.flag_rate:.4f}"
    )
    result = q.check_criteria(evaluation, clean)
    assert result.passed, [c.message for c in result.checks if not c.passed]
    assert evaluation.precision >= q.Criteria().min_precision
    assert evaluation.recall >= q.Criteria().min_recall
    assert clean.flag_rate <= q.Criteria().max_clean_flag_rate
    assert evaluation.precision_at_k[100] >= 0.9
    assert q.Evaluation.from_dict(evaluation.to_dict()) == evaluation


def test_every_registration_scored_out_of_fold(
    injected: tuple[list[q.QualitySample], frozenset[str]], noisy_fit: q.CrossFit
) -> None:
    noisy, _ = injected
    assert [s.key for s in noisy_fit.scores] == [s.key for s in noisy]
    assert all(
        s.registered == n.category_code for s, n in zip(noisy_fit.scores, noisy, strict=True)
    )


def test_flags_follow_rule_and_explain(noisy_fit: q.CrossFit) -> None:
    rule = q.FlagRule()
    assert noisy_fit.flags
    for flag in noisy_fit.flags:
        assert flag.suggested != flag.registered
        assert flag.p_registered < rule.max_p_registered
        assert flag.p_suggested >= rule.min_p_suggested
        assert 0 < len(flag.explanation) <= rule.top_features
        contributions = [c for _, c in flag.explanation]
        assert contributions == sorted(contributions, reverse=True)
        assert all(c > 0 for c in contributions)
        assert all(
            name.split(":", 1)[0] in {"woord", "tekens", "kenmerk"} for name, _ in flag.explanation
        )
        assert flag.to_dict()["key"] == flag.key
    assert sum(bool(f.top_words) for f in noisy_fit.flags) > 0.9 * len(noisy_fit.flags)


def test_bicycle_filed_as_vehicle_theft_is_explained_by_bicycle_words(
    injected: tuple[list[q.QualitySample], frozenset[str]], noisy_fit: q.CrossFit
) -> None:
    noisy, truth = injected
    flagged = {f.key: f for f in noisy_fit.flags}
    bike_flags = [
        flagged[s.key]
        for s in noisy
        if s.key in truth
        and s.key in flagged
        and s.category_code == "1.2.1"
        and flagged[s.key].suggested == "1.2.3"
    ]
    assert bike_flags
    words = " ".join(w for f in bike_flags for w in f.top_words)
    assert "fiets" in words


def test_held_out_protocol(injected: tuple[list[q.QualitySample], frozenset[str]]) -> None:
    """Fit on the first three quarters (clean labels), flag the last quarter with errors."""
    noisy, truth = injected
    cut = 3 * len(noisy) // 4
    train = [s for s in noisy[:cut] if s.key not in truth]
    detector = q.fit(train, seed=0)
    test = noisy[cut:]
    evaluation = q.evaluate(detector, test, truth & {s.key for s in test})
    assert evaluation.precision >= q.Criteria().min_precision
    assert evaluation.recall >= q.Criteria().min_recall
    proba = detector.predict_proba(test[:5])
    assert proba.shape == (5, len(detector.classes))
    assert proba.sum(axis=1) == pytest.approx([1.0] * 5)


def test_deterministic(samples: list[q.QualitySample]) -> None:
    subset = samples[:1500]
    noisy, _ = q.inject_misclassifications(subset, RATE, seed=1)
    first = q.cross_flags(noisy, 2, seed=2)
    second = q.cross_flags(noisy, 2, seed=2)
    assert first == second


def test_validation_errors(samples: list[q.QualitySample]) -> None:
    with pytest.raises(ValueError, match="leeg"):
        q.fit([])
    with pytest.raises(ValueError, match="leeg"):
        q.cross_flags([])
    one_class = [s for s in samples if s.category_code == "1.2.3"][:50]
    with pytest.raises(ValueError, match="categorieën"):
        q.fit(one_class)
    with pytest.raises(ValueError, match="categorieën"):
        q.cross_flags(one_class)
    with pytest.raises(ValueError, match="Dubbele"):
        q.fit([samples[0], samples[0], replace(samples[1], category_code="x")])
    with pytest.raises(ValueError, match="folds"):
        q.cross_fit(samples[:100], 1)
    with pytest.raises(ValueError, match="tussen 0 en 1"):
        q.inject_misclassifications(samples[:100], 1.5, seed=0)
    no_partner = [s for s in samples if s.category_code not in q.CONFUSIONS][:100]
    with pytest.raises(ValueError, match="verwarbare"):
        q.inject_misclassifications(no_partner, 0.05, seed=0)


def test_criteria_messages() -> None:
    bad = q.Evaluation(
        n=100,
        n_errors=10,
        n_flags=10,
        true_flags=2,
        precision=0.2,
        recall=0.2,
        f1=0.2,
        flag_rate=0.1,
        precision_at_k={},
    )
    result = q.check_criteria(bad)
    assert not result.passed
    messages = {c.name: c.message for c in result.checks}
    assert messages["min_precision"].startswith("Precisie te laag: 20,0%")
    assert messages["min_recall"].startswith("Recall te laag")
    assert "niet gemeten" in messages["max_clean_flag_rate"]
    assert "Te weinig registraties" in messages["min_samples"]


def test_two_categories_explain_the_flag() -> None:
    """With exactly two categories scikit-learn keeps one coefficient row; the explanation
    must still name the words that point to the suggested category."""
    from regie.statistics.quality import QualitySample, cross_fit

    def sample(i: int, code: str, text: str) -> QualitySample:
        return QualitySample(str(i), text, "desk", "aangifte", None, (), (), code)

    bikes = [sample(i, "1.2.3", f"fiets gestolen slot doorgeknipt stalling {i}") for i in range(40)]
    fights = [sample(100 + i, "1.4.5", f"geslagen geschopt letsel ruzie {i}") for i in range(40)]
    wrong = sample(999, "1.4.5", "fiets gestolen slot doorgeknipt stalling")
    fit = cross_fit([*bikes, *fights, wrong], 5)
    flag = next(f for f in fit.flags if f.key == "999")
    assert flag.suggested == "1.2.3"
    assert {"fiets", "gestolen"} & set(flag.top_words)
