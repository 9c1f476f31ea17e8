"""Solvability model accuracy on held-back years of synthetic data, against the TRUE model.

    .venv/bin/python benchmarks/solvability.py [--years 2017,2018,2019] [--holdout 2019]
        [--municipalities GM0307,GM0310,...] [--seed 1] [--card PATH]

No Django, no database. Generates registrations for ``--years`` (true occurrence dates
1 January of the first year to 31 December of the last) in ``--municipalities`` with
:class:`~regie.synth.registrations_gen.RegistrationGenerator`, drives every one through the
case flow with :class:`~regie.synth.flow_gen.FlowGenerator` (``now`` = 1 June two years after
the last year, so the outcomes of the last year are complete) and turns the cases that were
taken into investigation into samples of :mod:`regie.selection.solvability`: solved when the
history has a ``solve`` step, period = reported date, neighbourhood = the registration's.

The model is fitted on the years before ``--holdout`` and evaluated on the cases reported in
the holdout year: AUC, Brier, ECE, calibration-in-the-large and the reliability table per
offence group and overall, the neighbourhood bias check and the success criteria
(:class:`~regie.selection.solvability.Criteria`) a model must meet before it may advise. The
reference, measured on the same held-back cases in the same run, is the TRUE model the
outcomes were drawn from (:data:`~regie.synth.flow_gen.TRUE_INTERCEPTS` and
:data:`~regie.synth.flow_gen.TRUE_COEFFICIENTS`): no model on these leads can rank better in
expectation, so ``model AUC / true AUC`` close to 1 means the fit recovers what there is to
learn. ``--card PATH`` writes the Markdown model card.

``linked_case`` is derived as in production (a registration that shares a person, good or
organisation with another one), on the generator's true identities and looking only at
registrations reported earlier, so a case's leads use nothing from its future.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from regie.selection.flow import Action
from regie.selection.leads import LEAD_NAMES, OFFENCE_GROUPS, CaseFeatures
from regie.selection.solvability import (
    FALLBACK,
    BiasReport,
    CriteriaResult,
    Evaluation,
    GroupModel,
    Metrics,
    Sample,
    SolvabilityModel,
    bias_check,
    check_criteria,
    evaluate,
    fit,
    model_card,
    period_of,
)
from regie.synth.flow_gen import (
    AMSTERDAM,
    TRUE_COEFFICIENTS,
    TRUE_INTERCEPTS,
    CaseHistory,
    FlowGenerator,
)
from regie.synth.registrations_gen import (
    GeneratorConfig,
    MunicipalityInput,
    NeighbourhoodInput,
    RegistrationEntry,
    RegistrationGenerator,
    inputs_from_reference,
)

#: Amersfoort, De Bilt, Houten, Zeist and Nieuwegein (the Utrecht district of the flow_gen
#: tests): ~20k registrations a year, ~60k over the default three years.
DEFAULT_MUNICIPALITIES: tuple[str, ...] = ("GM0307", "GM0310", "GM0321", "GM0355", "GM0356")
DEFAULT_YEARS: tuple[int, ...] = (2017, 2018, 2019)


@dataclass(frozen=True)
class BenchConfig:
    years: tuple[int, ...] = DEFAULT_YEARS
    holdout: int = 2019
    municipalities: tuple[str, ...] = DEFAULT_MUNICIPALITIES
    seed: int = 1
    #: Cut-off of the simulated histories; default 1 June two years after the last year.
    now: datetime | None = None

    def __post_init__(self) -> None:
        years = sorted(self.years)
        if not years or years != list(range(years[0], years[-1] + 1)):
            raise ValueError(f"years must be consecutive, got {self.years}")
        if self.holdout not in years or self.holdout == years[0]:
            raise ValueError("the holdout year must be one of the years and not the first")
        if not self.municipalities:
            raise ValueError("no municipalities")

    @property
    def start(self) -> date:
        return date(min(self.years), 1, 1)

    @property
    def end(self) -> date:
        return date(max(self.years), 12, 31)

    @property
    def simulation_now(self) -> datetime:
        return self.now or datetime(max(self.years) + 2, 6, 1, tzinfo=UTC)


@dataclass
class BenchResult:
    config: BenchConfig
    municipality_names: dict[str, str]
    n_registrations: int
    linked_share: float
    n_investigated: int
    n_solved: int
    #: Investigated cases reported outside the training years and the holdout year.
    n_unused: int
    train: list[Sample]
    test: list[Sample]
    model: SolvabilityModel
    evaluation: Evaluation
    bias: BiasReport
    criteria: CriteriaResult
    #: The TRUE model (the one the outcomes were drawn from) on the same held-back cases.
    true_model: SolvabilityModel
    true_evaluation: Evaluation
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def auc(self) -> float | None:
        return self.evaluation.overall.auc

    @property
    def true_auc(self) -> float | None:
        return self.true_evaluation.overall.auc

    @property
    def auc_ratio(self) -> float | None:
        if self.auc is None or not self.true_auc:
            return None
        return self.auc / self.true_auc

    def card(self) -> str:
        return model_card(
            self.model,
            self.evaluation,
            self.bias,
            self.criteria,
            training_period=period_of(self.train),
            test_period=period_of(self.test),
        )


# --------------------------------------------------------------------------- data


def load_inputs() -> tuple[list[MunicipalityInput], list[NeighbourhoodInput]]:
    from regie.organisation.geodata import load_reference

    return inputs_from_reference(load_reference())


def generate(
    config: BenchConfig,
    municipalities: Sequence[MunicipalityInput],
    neighbourhoods: Sequence[NeighbourhoodInput],
) -> list[RegistrationEntry]:
    generator_config = GeneratorConfig(
        start=config.start,
        end=config.end,
        seed=config.seed,
        municipality_codes=frozenset(config.municipalities),
    )
    return list(RegistrationGenerator(generator_config, municipalities, neighbourhoods))


def linked_flags(entries: Sequence[RegistrationEntry]) -> list[bool]:
    """Per entry: does it share a person, good or organisation (true identity) with a
    registration reported earlier?"""
    seen: set[tuple[str, str]] = set()
    flags = [False] * len(entries)
    for i in sorted(range(len(entries)), key=lambda i: (entries[i].reported_at, entries[i].key)):
        keys = set()
        for inv in entries[i].involvements:
            if inv.person is not None:
                keys.add(("person", inv.person.true_key))
            elif inv.good is not None:
                keys.add(("good", inv.good.true_key))
            elif inv.organisation is not None:
                keys.add(("organisation", inv.organisation.true_key))
        flags[i] = not keys.isdisjoint(seen)
        seen |= keys
    return flags


def simulate(
    config: BenchConfig, entries: Sequence[RegistrationEntry], linked: Sequence[bool]
) -> list[CaseHistory]:
    generator = FlowGenerator(seed=config.seed, now=config.simulation_now)
    return [
        generator.simulate(entry, linked_case=flag)
        for entry, flag in zip(entries, linked, strict=True)
    ]


def to_samples(
    entries: Sequence[RegistrationEntry], histories: Sequence[CaseHistory]
) -> list[tuple[Sample, float]]:
    """The investigated cases as samples, each with its TRUE solve probability."""
    out: list[tuple[Sample, float]] = []
    for entry, history in zip(entries, histories, strict=True):
        actions = {step.action for step in history.steps}
        if Action.INVESTIGATE not in actions:
            continue
        features = CaseFeatures(
            category_code=entry.offences[0].category_code,
            high_impact=history.high_impact,
            undermining=history.undermining,
            leads=history.leads,
        )
        sample = Sample(
            features=features,
            solved=Action.SOLVE in actions,
            period=entry.reported_at.astimezone(AMSTERDAM).date(),
            neighbourhood=entry.neighbourhood_code,
        )
        out.append((sample, history.solve_probability))
    return out


def true_model(fitted_at: datetime) -> SolvabilityModel:
    """The model the synthetic outcomes were drawn from, as a :class:`SolvabilityModel`
    (unknown groups fall back to the ``other`` intercept, as in flow_gen)."""
    groups = {
        name: GroupModel(
            intercept=TRUE_INTERCEPTS[name],
            coefs=dict(TRUE_COEFFICIENTS),
            n=0,
            base_rate=0.0,
            covers=(name,),
        )
        for name in OFFENCE_GROUPS
    }
    groups[FALLBACK] = GroupModel(TRUE_INTERCEPTS["other"], dict(TRUE_COEFFICIENTS), 0, 0.0)
    return SolvabilityModel("true-model", fitted_at, groups)


# --------------------------------------------------------------------------- the run


def run(
    config: BenchConfig,
    inputs: tuple[list[MunicipalityInput], list[NeighbourhoodInput]] | None = None,
) -> BenchResult:
    timings: dict[str, float] = {}
    t = time.perf_counter()
    municipalities, neighbourhoods = load_inputs() if inputs is None else inputs
    timings["reference data"] = time.perf_counter() - t

    t = time.perf_counter()
    entries = generate(config, municipalities, neighbourhoods)
    timings["generate"] = time.perf_counter() - t
    if not entries:
        raise SystemExit("no registrations generated")

    t = time.perf_counter()
    linked = linked_flags(entries)
    histories = simulate(config, entries, linked)
    pairs = to_samples(entries, histories)
    timings["simulate"] = time.perf_counter() - t

    first_test = date(config.holdout, 1, 1)
    first_train = config.start
    train = [s for s, _ in pairs if first_train <= s.period < first_test]
    held = [(s, p) for s, p in pairs if s.period.year == config.holdout]
    test = [s for s, _ in held]
    if not train or not test:
        raise SystemExit(f"no training ({len(train)}) or test ({len(test)}) samples")

    fitted_at = config.simulation_now
    t = time.perf_counter()
    model = fit(train, fitted_at=fitted_at)
    timings["fit"] = time.perf_counter() - t

    t = time.perf_counter()
    evaluation = evaluate(model, test)
    bias = bias_check(model, test)
    criteria = check_criteria(evaluation, bias)
    reference = true_model(fitted_at)
    true_evaluation = evaluate(reference, test)
    timings["evaluate"] = time.perf_counter() - t

    # The TRUE model here must be exactly flow_gen's solve probability.
    drift = max(abs(q - p) for q, (_, p) in zip(reference.probabilities(test), held, strict=True))
    if drift > 1e-9:
        raise AssertionError(f"true model differs from flow_gen.solve_probability by {drift}")

    names = {m.code: m.name for m in municipalities}
    return BenchResult(
        config=config,
        municipality_names={c: names.get(c, "") for c in config.municipalities},
        n_registrations=len(entries),
        linked_share=sum(linked) / len(linked),
        n_investigated=len(pairs),
        n_solved=sum(s.solved for s, _ in pairs),
        n_unused=len(pairs) - len(train) - len(test),
        train=train,
        test=test,
        model=model,
        evaluation=evaluation,
        bias=bias,
        criteria=criteria,
        true_model=reference,
        true_evaluation=true_evaluation,
        timings=timings,
    )


# --------------------------------------------------------------------------- the report


def _x(value: float | None, digits: int = 3, width: int = 0) -> str:
    text = "-" if value is None else f"{value:.{digits}f}"
    return text.rjust(width)


def _metrics_row(label: str, m: Metrics, true: Metrics | None, used: str) -> str:
    rate = m.n_solved / m.n if m.n else 0.0
    return (
        f"  {label:<16}{m.n:>7,}{rate:>8.1%}{_x(m.auc, width=8)}"
        f"{_x(true.auc if true else None, width=8)}{_x(m.brier, width=8)}"
        f"{_x(m.ece, width=8)}{_x(m.calibration_in_the_large, width=8)}"
        f"{_x(true.ece if true else None, width=8)}"
        f"{_x(true.calibration_in_the_large if true else None, width=9)}  {used}"
    )


def summary_line(result: BenchResult) -> str:
    ratio = result.auc_ratio
    return (
        f"held-back year {result.config.holdout}: AUC {_x(result.auc)} "
        f"(true model {_x(result.true_auc)}, ratio {_x(ratio)}), "
        f"ECE {_x(result.evaluation.overall.ece)}, "
        f"criteria {'PASSED' if result.criteria.passed else 'FAILED'}"
    )


def format_report(result: BenchResult) -> str:
    cfg = result.config
    out: list[str] = []
    add = out.append
    region = ", ".join(f"{c} {result.municipality_names.get(c, '')}" for c in cfg.municipalities)
    train_from, train_to = period_of(result.train)
    test_from, test_to = period_of(result.test)
    add("Solvability model on held-back synthetic data")
    add(f"  region      : {region}")
    add(
        f"  years       : {min(cfg.years)}-{max(cfg.years)} (occurrence), seed {cfg.seed}, "
        f"flow simulated up to {cfg.simulation_now.date().isoformat()}"
    )
    add(
        f"  cases       : {result.n_registrations:,} registrations "
        f"(linked_case {result.linked_share:.1%}); {result.n_investigated:,} investigated, "
        f"{result.n_solved:,} of them solved "
        f"({result.n_solved / max(result.n_investigated, 1):.1%})"
    )
    train_solved = sum(s.solved for s in result.train) / len(result.train)
    add(
        f"  train       : reported {train_from}..{train_to}, {len(result.train):,} cases, "
        f"{train_solved:.1%} solved"
    )
    add(
        f"  test        : reported {test_from}..{test_to} (held back), {len(result.test):,} "
        f"cases; {result.n_unused:,} investigated cases reported after the holdout year unused"
    )

    add("")
    add("Fitted models (training years) next to the TRUE model")
    add(f"  {'model':<16}{'n':>7}{'solved':>8}{'intercept':>11}{'true':>8}  covers")
    for name, g in result.model.groups.items():
        true_icpt = TRUE_INTERCEPTS.get(name)
        add(
            f"  {name:<16}{g.n:>7,}{g.base_rate:>8.1%}{_x(g.intercept, width=11)}"
            f"{_x(true_icpt, width=8)}  {', '.join(g.covers)}"
        )
    names = list(result.model.groups)
    widths = [max(len(n), 6) + 1 for n in names]
    add("")
    add("  coefficients (log-odds)")
    add(
        f"  {'lead':<24}{'TRUE':>7}"
        + "".join(n.rjust(w) for n, w in zip(names, widths, strict=True))
    )
    for lead in LEAD_NAMES:
        add(
            f"  {lead:<24}{TRUE_COEFFICIENTS[lead]:>7.2f}"
            + "".join(
                _x(result.model.groups[n].coefs[lead], 2, w)
                for n, w in zip(names, widths, strict=True)
            )
        )

    ev, true_ev = result.evaluation, result.true_evaluation
    add("")
    add(f"Evaluation on the held-back year {cfg.holdout}")
    add(
        f"  {'group':<16}{'n':>7}{'solved':>8}{'AUC':>8}{'trueAUC':>8}{'Brier':>8}"
        f"{'ECE':>8}{'CITL':>8}{'trueECE':>8}{'trueCITL':>9}  model used"
    )
    for group, m in ev.per_group.items():
        used = result.model.model_for(group)
        add(_metrics_row(group, m, true_ev.per_group.get(group), used))
    add(_metrics_row("overall", ev.overall, true_ev.overall, ""))
    t = true_ev.overall
    add(
        f"  TRUE model on the same cases: AUC {_x(t.auc)}, Brier {_x(t.brier)}, "
        f"ECE {_x(t.ece)}, CITL {_x(t.calibration_in_the_large)} "
        "(ECE/CITL of the true model = sampling noise floor)"
    )
    add(
        "  CITL = calibration-in-the-large (mean predicted - observed solve rate); "
        "true* = the TRUE model on the same cases"
    )

    add("")
    add("  reliability (overall)")
    add(f"  {'bin':<10}{'n':>7}{'predicted':>11}{'observed':>10}{'diff':>8}")
    for b in ev.overall.reliability:
        add(
            f"  {b.lower:.1f}-{b.upper:.1f}   {b.n:>7,}{_x(b.mean_predicted, width=11)}"
            f"{_x(b.observed_rate, width=10)}{_x(b.observed_rate - b.mean_predicted, width=8)}"
        )

    bias = result.bias
    add("")
    add(
        f"Bias check per neighbourhood (>= {bias.min_n} held-back cases, "
        f"tolerance {bias.tolerance:.2f})"
    )
    add(
        f"  {len(bias.rows)} neighbourhoods compared, {bias.n_excluded:,} cases in smaller ones "
        f"left out; lead features only: {'yes' if bias.lead_features_only else 'NO'}"
    )
    add(
        f"  max |observed - predicted| {_x(bias.max_abs_gap)}, spread of mean predicted "
        f"{_x(bias.spread_mean_predicted)}; flagged: {', '.join(bias.flagged) or 'none'}"
    )
    worst = sorted(bias.rows, key=lambda r: -abs(r.gap))[:5]
    for r in worst:
        add(
            f"    {r.code}  n {r.n:>4}  predicted {r.mean_predicted:.3f}  observed "
            f"{r.observed_rate:.3f}  gap {r.gap:+.3f}{'  FLAGGED' if r.flagged else ''}"
        )

    add("")
    add("Success criteria (the model may advise only when all pass)")
    for ch in result.criteria.checks:
        if ch.value is None:
            value = ""
        elif isinstance(ch.value, int):
            value = f"{ch.value:,}"
        else:
            value = _x(ch.value)
        limit = "" if ch.threshold is None else f"{ch.threshold:g}"
        add(
            f"  {'PASS' if ch.passed else 'FAIL'}  {ch.name:<30}{value:>8}  limit {limit:<6} "
            f"{ch.message}"
        )
    add(f"  => criteria {'PASSED' if result.criteria.passed else 'FAILED'}")

    add("")
    add(
        "timings: "
        + ", ".join(f"{k} {v:.1f} s" for k, v in result.timings.items())
        + f"; total {sum(result.timings.values()):.1f} s"
    )
    return "\n".join(out)


# --------------------------------------------------------------------------- command line


def _csv(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def parse_args(argv: Sequence[str] | None = None) -> tuple[BenchConfig, Path | None]:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--years",
        default=",".join(map(str, DEFAULT_YEARS)),
        help="consecutive years of registrations (default %(default)s)",
    )
    parser.add_argument("--holdout", type=int, default=None, help="default: the last year")
    parser.add_argument(
        "--municipalities",
        default=",".join(DEFAULT_MUNICIPALITIES),
        help="CBS municipality codes (default %(default)s)",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--card", type=Path, default=None, help="write the model card here")
    args = parser.parse_args(argv)
    years = tuple(int(y) for y in _csv(args.years))
    try:
        config = BenchConfig(
            years=years,
            holdout=args.holdout if args.holdout is not None else max(years, default=0),
            municipalities=tuple(_csv(args.municipalities)),
            seed=args.seed,
        )
    except ValueError as exc:
        parser.error(str(exc))
    return config, args.card


def main(argv: Sequence[str] | None = None) -> BenchResult:
    config, card = parse_args(argv)
    t0 = time.perf_counter()
    result = run(config)
    print(format_report(result))
    if card is not None:
        card.write_text(result.card(), encoding="utf-8")
        print(f"model card written to {card}")
    print(f"runtime {time.perf_counter() - t0:.1f} s")
    print()
    print(summary_line(result))
    return result


if __name__ == "__main__":
    main()
