"""The solvability model on synthetic data drawn from a known logistic model."""

from __future__ import annotations

import dataclasses
import json
import math
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from regie.selection.leads import LEAD_NAMES, CaseFeatures
from regie.selection.solvability import (
    FALLBACK,
    Criteria,
    GroupModel,
    Sample,
    SolvabilityModel,
    bias_check,
    check_criteria,
    criteria_dict,
    evaluate,
    evaluation_dict,
    fit,
    model_card,
    period_of,
    time_split,
)

FITTED_AT = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)
CUTOFF = date(2024, 1, 1)

#: The known model (log-odds), in LEAD_NAMES order.
TRUE_COEFS = dict(zip(LEAD_NAMES, [2.2, 2.5, 1.0, 1.2, 0.6, 0.9, 0.5, 0.2, 0.1], strict=True))
#: Category code and intercept per offence group.
GROUPS = {
    "bicycle_theft": ("1.2.3", -2.5),
    "shoplifting": ("2.5.2", -1.5),
    "burglary": ("1.1.1", -3.0),
}
PREVALENCE = np.array([0.15, 0.08, 0.3, 0.2, 0.3, 0.2, 0.1, 0.4, 0.1])
NEIGHBOURHOODS = ["BU0001", "BU0002", "BU0003", "BU0004"]


def synth(
    n_per_group: int,
    seed: int,
    *,
    groups: dict[str, tuple[str, float]] = GROUPS,
    start: date = date(2023, 1, 1),
    days: int = 730,
    offsets: dict[str, float] | None = None,
) -> list[tuple[Sample, float]]:
    """Samples with their true probability; ``offsets`` shifts the log-odds per neighbourhood."""
    rng = np.random.default_rng(seed)
    beta = np.array([TRUE_COEFS[name] for name in LEAD_NAMES])
    codes = NEIGHBOURHOODS + list(offsets or {})
    out: list[tuple[Sample, float]] = []
    for code, intercept in groups.values():
        X = rng.random((n_per_group, len(LEAD_NAMES))) < PREVALENCE
        hood = rng.choice(codes, size=n_per_group)
        shift = np.array([(offsets or {}).get(h, 0.0) for h in hood])
        p = 1 / (1 + np.exp(-(intercept + X @ beta + shift)))
        y = rng.random(n_per_group) < p
        day = rng.integers(0, days, size=n_per_group)
        for i in range(n_per_group):
            leads = {name: bool(v) for name, v in zip(LEAD_NAMES, X[i], strict=True)}
            features = CaseFeatures(code, False, False, leads)
            period = start + timedelta(days=int(day[i]))
            out.append((Sample(features, bool(y[i]), period, str(hood[i])), float(p[i])))
    return out


@pytest.fixture(scope="module")
def data() -> list[tuple[Sample, float]]:
    return synth(30_000, seed=1)


@pytest.fixture(scope="module")
def split(data: list[tuple[Sample, float]]) -> tuple[list[Sample], list[Sample]]:
    return time_split([s for s, _ in data], CUTOFF)


@pytest.fixture(scope="module")
def model(split: tuple[list[Sample], list[Sample]]) -> SolvabilityModel:
    return fit(split[0], fitted_at=FITTED_AT)


def test_time_split_holds_back_by_period(split: tuple[list[Sample], list[Sample]]) -> None:
    train, test = split
    assert train and test
    assert all(s.period < CUTOFF for s in train)
    assert all(s.period >= CUTOFF for s in test)
    assert period_of(test)[0] >= CUTOFF


def test_fit_recovers_the_known_coefficients(model: SolvabilityModel) -> None:
    assert set(model.groups) == {*GROUPS, FALLBACK}
    for name, (_, intercept) in GROUPS.items():
        g = model.groups[name]
        assert g.covers == (name,)
        assert g.intercept == pytest.approx(intercept, abs=0.2)
        for lead, coef in TRUE_COEFS.items():
            assert g.coefs[lead] == pytest.approx(coef, abs=0.25), (name, lead)
    # Nothing left over: the fallback is fitted on everything.
    assert model.groups[FALLBACK].covers == tuple(sorted(GROUPS))


def test_held_back_auc_and_calibration(
    data: list[tuple[Sample, float]], model: SolvabilityModel
) -> None:
    held = [(s, p) for s, p in data if s.period >= CUTOFF]
    test = [s for s, _ in held]
    ev = evaluate(model, test)
    true_auc = roc_auc_score([s.solved for s in test], [p for _, p in held])
    assert ev.overall.auc is not None
    assert ev.overall.auc > 0.75
    assert ev.overall.auc == pytest.approx(true_auc, abs=0.02)
    assert ev.overall.ece < 0.03
    assert abs(ev.overall.calibration_in_the_large) < 0.02
    assert set(ev.per_group) == set(GROUPS)
    assert sum(b.n for b in ev.overall.reliability) == len(test)
    for b in ev.overall.reliability:
        assert b.lower <= b.mean_predicted <= b.upper
    result = check_criteria(ev, bias_check(model, test))
    assert result.passed, result.checks


def test_round_trip_gives_identical_predictions(
    model: SolvabilityModel, split: tuple[list[Sample], list[Sample]]
) -> None:
    data = json.loads(json.dumps(model.to_dict()))
    again = SolvabilityModel.from_dict(data)
    assert again == model
    assert again.to_dict() == model.to_dict()
    for s in split[1][:500]:
        assert again.predict(s.features) == model.predict(s.features)


def test_from_dict_refuses_a_tampered_model(model: SolvabilityModel) -> None:
    data = model.to_dict()
    data["groups"]["burglary"]["intercept"] += 0.1
    with pytest.raises(ValueError, match="version"):
        SolvabilityModel.from_dict(data)


def test_pure_python_predict_equals_sklearn(split: tuple[list[Sample], list[Sample]]) -> None:
    train = [s for s in split[0] if s.features.group == "shoplifting"]
    model = fit(train, fitted_at=FITTED_AT)
    clf = LogisticRegression(C=1.0, max_iter=1000).fit(
        [s.features.vector() for s in train], [s.solved for s in train]
    )
    test = [s for s in split[1] if s.features.group == "shoplifting"][:1000]
    expected = clf.predict_proba([s.features.vector() for s in test])[:, 1]
    got = model.probabilities(test)
    assert np.max(np.abs(np.array(got) - expected)) < 1e-9


def test_contributions_explain_the_logit(
    model: SolvabilityModel, split: tuple[list[Sample], list[Sample]]
) -> None:
    for s in split[1][:300]:
        pred = model.predict(s.features)
        assert [lead for lead, _ in pred.contributions] == sorted(
            s.features.present(), key=lambda lead: -abs(dict(pred.contributions)[lead])
        )
        logit = pred.intercept + sum(c for _, c in pred.contributions)
        assert pred.logit == pytest.approx(logit)
        assert 1 / (1 + math.exp(-logit)) == pytest.approx(pred.probability, abs=1e-12)
        g = model.groups[pred.group]
        assert logit == pytest.approx(g.logit(s.features.vector()))


def test_miscalibrated_model_fails_calibration_criteria(
    model: SolvabilityModel, split: tuple[list[Sample], list[Sample]]
) -> None:
    shifted = {
        name: dataclasses.replace(g, coefs={k: v + 1.0 for k, v in g.coefs.items()})
        for name, g in model.groups.items()
    }
    bad = dataclasses.replace(model, groups=shifted)
    ev = evaluate(bad, split[1])
    result = check_criteria(ev, bias_check(bad, split[1]))
    assert not result.passed
    failed = {c.name for c in result.checks if not c.passed}
    assert {"max_ece", "max_calibration_in_the_large"} <= failed
    citl = next(c for c in result.checks if c.name == "max_calibration_in_the_large")
    assert "hoger" in citl.message


def test_one_class_test_set_has_no_auc_and_fails(
    model: SolvabilityModel, split: tuple[list[Sample], list[Sample]]
) -> None:
    unsolved = [s for s in split[1] if not s.solved]
    ev = evaluate(model, unsolved)
    assert ev.overall.auc is None
    result = check_criteria(ev, bias_check(model, unsolved))
    auc = next(c for c in result.checks if c.name == "min_auc")
    assert not auc.passed and not result.passed
    assert auc.value is None
    assert "AUC niet te berekenen" in auc.message and "één uitkomst" in auc.message


def test_too_few_test_samples_fail(
    model: SolvabilityModel, split: tuple[list[Sample], list[Sample]]
) -> None:
    few = split[1][:100]
    result = check_criteria(evaluate(model, few), bias_check(model, few), Criteria())
    check = next(c for c in result.checks if c.name == "min_test_samples")
    assert not check.passed and "Te weinig" in check.message


def test_bias_check_flags_a_neighbourhood_with_another_base_rate(
    model: SolvabilityModel,
) -> None:
    test = [s for s, _ in synth(5_000, seed=7, start=CUTOFF, days=365, offsets={"BU9999": 2.0})]
    bias = bias_check(model, test, min_n=30)
    assert bias.flagged == ["BU9999"]
    assert bias.lead_features_only and bias.features == LEAD_NAMES
    assert bias.max_abs_gap is not None and bias.max_abs_gap > 0.15
    assert bias.spread_mean_predicted is not None
    row = next(r for r in bias.rows if r.code == "BU9999")
    assert row.gap > 0.15  # the model underrates cases there
    result = check_criteria(evaluate(model, test), bias)
    gap = next(c for c in result.checks if c.name == "max_neighbourhood_gap")
    assert not gap.passed and "BU9999" in gap.message


def test_bias_check_skips_small_and_unknown_neighbourhoods(model: SolvabilityModel) -> None:
    samples = [s for s, _ in synth(50, seed=3)]
    samples = [dataclasses.replace(s, neighbourhood="") for s in samples[:20]] + samples[20:]
    bias = bias_check(model, samples, min_n=1_000)
    assert bias.rows == [] and bias.n_excluded == len(samples)
    assert bias.max_abs_gap is None and bias.spread_mean_predicted is None


def test_small_groups_fall_back_to_all() -> None:
    groups = {**GROUPS, "fraud": ("3.9.1", -2.0)}
    samples = [s for s, _ in synth(150, seed=5, groups=groups)]
    big = [s for s, _ in synth(2_000, seed=6, groups={"bicycle_theft": GROUPS["bicycle_theft"]})]
    model = fit(samples + big, fitted_at=FITTED_AT, min_group_size=200)
    assert set(model.groups) == {"bicycle_theft", FALLBACK}
    assert model.groups[FALLBACK].covers == ("burglary", "fraud", "shoplifting")
    assert model.groups[FALLBACK].n == 450
    fraud = CaseFeatures("3.9.1", False, False, {"witness": True})
    assert model.predict(fraud).group == FALLBACK
    unseen = CaseFeatures("9.9.9", False, False, {})
    assert model.predict(unseen).group == FALLBACK


def test_tiny_leftovers_make_the_fallback_use_everything() -> None:
    small = [s for s, _ in synth(20, seed=8, groups={"fraud": ("3.9.1", 0.0)})]
    big = [s for s, _ in synth(1_000, seed=9, groups={"shoplifting": GROUPS["shoplifting"]})]
    model = fit(small + big, fitted_at=FITTED_AT, min_group_size=200)
    assert model.groups[FALLBACK].n == 1_020
    assert model.groups[FALLBACK].covers == ("fraud", "shoplifting")


def test_fit_refuses_no_samples_or_one_outcome() -> None:
    with pytest.raises(ValueError, match="no samples"):
        fit([], fitted_at=FITTED_AT)
    solved = [dataclasses.replace(s, solved=True) for s, _ in synth(10, seed=2)]
    with pytest.raises(ValueError, match="same outcome"):
        fit(solved, fitted_at=FITTED_AT)
    with pytest.raises(ValueError, match="no samples"):
        evaluate(fit([s for s, _ in synth(300, seed=2)], fitted_at=FITTED_AT), [])


def test_model_card(model: SolvabilityModel, split: tuple[list[Sample], list[Sample]]) -> None:
    train, test = split
    ev = evaluate(model, test)
    bias = bias_check(model, test)
    result = check_criteria(ev, bias)
    card = model_card(
        model,
        ev,
        bias,
        result,
        training_period=period_of(train),
        test_period=period_of(test),
    )
    assert card.startswith(f"# Modelkaart oplosbaarheidsmodel {model.version}")
    assert "| indicatie | omschrijving | coëfficiënt | odds ratio |" in card
    c = model.groups["burglary"].coefs["known_suspect"]
    row = f"| known_suspect | Bekende of genoemde verdachte | {c:.3f} | {math.exp(c):.3f} |"
    assert row.replace(".", ",") in card
    for check in result.checks:
        assert f"| {check.name} |" in card
    assert "GESLAAGD" in card and "voldaan" in card
    assert "Selectieve uitkomsten" in card and "Uitschakelen" in card
    for code in NEIGHBOURHOODS:
        assert f"| {code} |" in card


def test_storage_dicts_are_json(
    model: SolvabilityModel, split: tuple[list[Sample], list[Sample]]
) -> None:
    test = split[1][:2_000]
    ev = evaluate(model, test)
    bias = bias_check(model, test)
    result = check_criteria(ev, bias)
    stored = json.loads(json.dumps(evaluation_dict(ev, bias)))
    assert stored["model_version"] == model.version
    assert stored["overall"]["auc"] == ev.overall.auc
    assert stored["bias"]["features"] == list(LEAD_NAMES)
    assert len(stored["bias"]["rows"]) == len(NEIGHBOURHOODS)
    crit = json.loads(json.dumps(criteria_dict(result)))
    assert crit["passed"] == result.passed
    assert [c["name"] for c in crit["checks"]] == [c.name for c in result.checks]


_coef = st.floats(min_value=-3, max_value=3, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(
    intercept=_coef,
    coefs=st.lists(_coef, min_size=len(LEAD_NAMES), max_size=len(LEAD_NAMES)),
    present=st.sets(st.sampled_from(LEAD_NAMES)),
    extra=st.sampled_from(LEAD_NAMES),
)
def test_probability_bounded_and_monotone_in_positive_leads(
    intercept: float, coefs: list[float], present: set[str], extra: str
) -> None:
    g = GroupModel(intercept, dict(zip(LEAD_NAMES, coefs, strict=True)), 1, 0.5, ("other",))
    model = SolvabilityModel("test", FITTED_AT, {FALLBACK: g})
    before = model.predict(CaseFeatures("9.9", False, False, dict.fromkeys(present, True)))
    after = model.predict(CaseFeatures("9.9", False, False, dict.fromkeys(present | {extra}, True)))
    assert 0 < before.probability < 1 and 0 < after.probability < 1
    if g.coefs[extra] >= 0:
        assert after.probability >= before.probability
    else:
        assert after.probability <= before.probability
