"""The solvability model of the Selectiviteitskader: transparent advice on a case's leads.

Pure (no Django). An EBIT/SRI-style model: one L2-regularised logistic regression on the nine
lead factors (:data:`~regie.selection.leads.LEAD_NAMES`), fitted per offence group on
historical outcomes (solved or not). Offence groups with too few samples (or only one outcome)
share a pooled fallback model, ``"all"``.

Transparency comes first:

* the fitted model is nothing but numbers (an intercept and one coefficient per lead, per
  group), shown on the model card as a table with odds ratios;
* :meth:`SolvabilityModel.predict` is plain Python (``math.exp``), runs in a web request
  without scikit-learn, and explains each advice as the contribution of every lead present;
* calibration is *measured* (ECE, reliability table, calibration-in-the-large), not repaired:
  no isotonic or Platt layer sits on top of the coefficients, so what the card shows is what
  the screener gets. A refit that is not well calibrated fails :class:`Criteria` and may not
  advise;
* the model has no location or demographic feature by construction; :func:`bias_check` verifies
  this and compares predicted with observed solve rates per neighbourhood.

The model advises the screener; a person decides and records the decision and its reason.
scikit-learn is imported only inside :func:`fit` and :func:`evaluate`.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime
from statistics import NormalDist
from typing import Any

from regie.core.criteria import CriteriaCheck, CriteriaResult
from regie.selection.leads import LEAD_NAMES, LEADS, OFFENCE_GROUPS, CaseFeatures

#: Name of the pooled fallback model.
FALLBACK = "all"
#: Number of equal-width bins for the expected calibration error and the reliability table.
N_BINS = 10


@dataclass(frozen=True)
class Sample:
    """One historical case: its leads, its outcome, when and where it was registered."""

    features: CaseFeatures
    solved: bool
    period: date
    neighbourhood: str = ""


@dataclass(frozen=True)
class GroupModel:
    """The logistic model of one offence group (or of the pooled fallback)."""

    intercept: float
    coefs: dict[str, float]
    #: Training samples and their observed solve rate.
    n: int
    base_rate: float
    #: The offence groups whose samples it was fitted on.
    covers: tuple[str, ...] = ()

    def logit(self, vector: Sequence[float]) -> float:
        return self.intercept + sum(
            self.coefs[name] * x for name, x in zip(LEAD_NAMES, vector, strict=True)
        )


@dataclass(frozen=True)
class Prediction:
    """An advice: the probability of solving, and why."""

    probability: float
    #: The model used: an offence group or :data:`FALLBACK`.
    group: str
    #: The model's intercept (log-odds of a case without any lead).
    intercept: float
    #: ``(lead, log-odds contribution)`` of each lead present, largest absolute first.
    contributions: list[tuple[str, float]]

    @property
    def logit(self) -> float:
        return self.intercept + sum(c for _, c in self.contributions)


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def _version(groups: dict[str, GroupModel]) -> str:
    payload = json.dumps(
        {name: _group_to_dict(g) for name, g in groups.items()}, sort_keys=True
    ).encode()
    return "sm-" + hashlib.sha256(payload).hexdigest()[:12]


def _group_to_dict(g: GroupModel) -> dict[str, Any]:
    return {
        "intercept": g.intercept,
        "coefs": {name: g.coefs[name] for name in LEAD_NAMES},
        "n": g.n,
        "base_rate": g.base_rate,
        "covers": list(g.covers),
    }


@dataclass
class SolvabilityModel:
    """A fitted model: plain numbers, serialisable, predicting without scikit-learn.

    Treat it as immutable (it is not frozen only so that it satisfies
    :class:`regie.selection.framework.Predictor`, whose ``version`` is a plain attribute).
    """

    version: str
    fitted_at: datetime
    groups: dict[str, GroupModel]

    def model_for(self, group: str) -> str:
        return group if group in self.groups else FALLBACK

    def predict(self, features: CaseFeatures) -> Prediction:
        name = self.model_for(features.group)
        g = self.groups[name]
        contributions = [(lead, g.coefs[lead]) for lead in features.present()]
        contributions.sort(key=lambda c: (-abs(c[1]), LEAD_NAMES.index(c[0])))
        z = g.intercept + sum(c for _, c in contributions)
        return Prediction(_sigmoid(z), name, g.intercept, contributions)

    def probabilities(self, samples: Iterable[Sample]) -> list[float]:
        return [self.predict(s.features).probability for s in samples]

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "fitted_at": self.fitted_at.isoformat(),
            "features": list(LEAD_NAMES),
            "groups": {name: _group_to_dict(g) for name, g in self.groups.items()},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SolvabilityModel:
        if list(data["features"]) != list(LEAD_NAMES):
            raise ValueError("Model features differ from the current lead factors.")
        groups = {
            name: GroupModel(
                intercept=float(g["intercept"]),
                coefs={lead: float(g["coefs"][lead]) for lead in LEAD_NAMES},
                n=int(g["n"]),
                base_rate=float(g["base_rate"]),
                covers=tuple(g["covers"]),
            )
            for name, g in data["groups"].items()
        }
        if FALLBACK not in groups:
            raise ValueError("Model has no fallback model 'all'.")
        if _version(groups) != data["version"]:
            raise ValueError("Model version does not match its coefficients.")
        return cls(data["version"], datetime.fromisoformat(data["fitted_at"]), groups)


# --------------------------------------------------------------------------- fitting


def _fit_group(samples: Sequence[Sample], covers: Iterable[str], C: float) -> GroupModel:
    from sklearn.linear_model import LogisticRegression

    X = [s.features.vector() for s in samples]
    y = [int(s.solved) for s in samples]
    clf = LogisticRegression(C=C, max_iter=1000).fit(X, y)
    return GroupModel(
        intercept=float(clf.intercept_[0]),
        coefs={name: float(c) for name, c in zip(LEAD_NAMES, clf.coef_[0], strict=True)},
        n=len(y),
        base_rate=sum(y) / len(y),
        covers=tuple(sorted(set(covers))),
    )


def _both_classes(samples: Sequence[Sample]) -> bool:
    return len({s.solved for s in samples}) == 2


def fit(
    samples: Iterable[Sample], *, fitted_at: datetime, min_group_size: int = 200, C: float = 1.0
) -> SolvabilityModel:
    """Fit one logistic regression per offence group with at least ``min_group_size`` samples
    and both outcomes; the other samples share the fallback ``"all"``. When those leftovers
    are themselves fewer than ``min_group_size`` or have one outcome, the fallback is fitted on
    all samples instead (it then also serves groups unseen in training).

    ``C`` is scikit-learn's inverse L2 strength; with hundreds of samples per group the
    shrinkage is small and mostly stabilises leads that are rare in a group.
    """
    samples = list(samples)
    if not samples:
        raise ValueError("Cannot fit the solvability model: no samples.")
    if not _both_classes(samples):
        raise ValueError(
            "Cannot fit the solvability model: all samples have the same outcome "
            "(need solved and unsolved cases)."
        )
    by_group: dict[str, list[Sample]] = defaultdict(list)
    for s in samples:
        by_group[s.features.group].append(s)
    groups: dict[str, GroupModel] = {}
    rest: list[Sample] = []
    for name in sorted(by_group):
        members = by_group[name]
        if len(members) >= min_group_size and _both_classes(members):
            groups[name] = _fit_group(members, [name], C)
        else:
            rest.extend(members)
    pool = rest if len(rest) >= min_group_size and _both_classes(rest) else samples
    groups[FALLBACK] = _fit_group(pool, (s.features.group for s in pool), C)
    return SolvabilityModel(_version(groups), fitted_at, groups)


def time_split(samples: Iterable[Sample], cutoff: date) -> tuple[list[Sample], list[Sample]]:
    """Held back by time: everything registered on or after ``cutoff`` is the test set."""
    train: list[Sample] = []
    test: list[Sample] = []
    for s in samples:
        (test if s.period >= cutoff else train).append(s)
    return train, test


def period_of(samples: Iterable[Sample]) -> tuple[date, date]:
    """First and last registration date of ``samples`` (for the model card)."""
    periods = [s.period for s in samples]
    if not periods:
        raise ValueError("No samples.")
    return min(periods), max(periods)


# --------------------------------------------------------------------------- evaluation


@dataclass(frozen=True)
class ReliabilityBin:
    lower: float
    upper: float
    n: int
    mean_predicted: float
    observed_rate: float


@dataclass(frozen=True)
class Metrics:
    """Discrimination and calibration on one set of samples."""

    n: int
    n_solved: int
    #: Area under the ROC curve; None when the set has one outcome only.
    auc: float | None
    brier: float
    #: Expected calibration error over :data:`N_BINS` equal-width bins.
    ece: float
    #: Mean predicted minus observed solve rate.
    calibration_in_the_large: float
    #: Non-empty bins only.
    reliability: list[ReliabilityBin]


@dataclass(frozen=True)
class Evaluation:
    model_version: str
    overall: Metrics
    #: Per offence group of the samples (not per model used).
    per_group: dict[str, Metrics]


def _metrics(p: Sequence[float], y: Sequence[bool]) -> Metrics:
    from sklearn.metrics import roc_auc_score

    n = len(y)
    bins: list[list[int]] = [[] for _ in range(N_BINS)]
    for i, pi in enumerate(p):
        bins[min(int(pi * N_BINS), N_BINS - 1)].append(i)
    reliability: list[ReliabilityBin] = []
    ece = 0.0
    for b, idx in enumerate(bins):
        if not idx:
            continue
        mean_p = sum(p[i] for i in idx) / len(idx)
        rate = sum(y[i] for i in idx) / len(idx)
        ece += len(idx) / n * abs(mean_p - rate)
        reliability.append(ReliabilityBin(b / N_BINS, (b + 1) / N_BINS, len(idx), mean_p, rate))
    solved = sum(y)
    auc = float(roc_auc_score(list(y), list(p))) if 0 < solved < n else None
    return Metrics(
        n=n,
        n_solved=solved,
        auc=auc,
        brier=sum((pi - yi) ** 2 for pi, yi in zip(p, y, strict=True)) / n,
        ece=ece,
        calibration_in_the_large=(sum(p) - solved) / n,
        reliability=reliability,
    )


def evaluate(model: SolvabilityModel, samples: Iterable[Sample]) -> Evaluation:
    """AUC, Brier score and calibration on (held-back) samples, overall and per group."""
    samples = list(samples)
    if not samples:
        raise ValueError("Cannot evaluate the solvability model: no samples.")
    p = model.probabilities(samples)
    y = [s.solved for s in samples]
    by_group: dict[str, list[int]] = defaultdict(list)
    for i, s in enumerate(samples):
        by_group[s.features.group].append(i)
    per_group = {
        g: _metrics([p[i] for i in idx], [y[i] for i in idx]) for g, idx in sorted(by_group.items())
    }
    return Evaluation(model.version, _metrics(p, y), per_group)


# --------------------------------------------------------------------------- bias check


@dataclass(frozen=True)
class NeighbourhoodRow:
    code: str
    n: int
    mean_predicted: float
    observed_rate: float
    #: Observed minus mean predicted: positive means the model underrates cases here.
    gap: float
    flagged: bool


@dataclass(frozen=True)
class BiasReport:
    min_n: int
    tolerance: float
    #: The significance threshold in standard errors (Bonferroni over the rows).
    z: float
    rows: list[NeighbourhoodRow]
    #: Samples left out (no neighbourhood, or in a neighbourhood with fewer than ``min_n``).
    n_excluded: int
    #: Largest absolute gap, and the spread (max - min) of the mean predicted probability,
    #: over the rows; None without rows. The spread reflects differences in lead mix only.
    max_abs_gap: float | None
    spread_mean_predicted: float | None
    #: Structural check: every group model uses exactly the lead factors (no location or
    #: demographic feature).
    features: tuple[str, ...]
    lead_features_only: bool

    @property
    def flagged(self) -> list[str]:
        return [r.code for r in self.rows if r.flagged]


def bias_check(
    model: SolvabilityModel, samples: Iterable[Sample], *, min_n: int = 30, tolerance: float = 0.15
) -> BiasReport:
    """Compare predicted and observed solve rates per neighbourhood with at least ``min_n``
    samples. A neighbourhood is flagged when its absolute gap exceeds ``tolerance`` *and* is
    statistically significant: larger than ``z`` binomial standard errors
    (sqrt(p(1-p)/n) at the mean predicted p), with ``z`` Bonferroni-corrected for the number
    of neighbourhoods compared (two-sided 5 %). With many small neighbourhoods the largest
    gap exceeds any fixed tolerance by chance alone; the test keeps such noise from failing
    a model, and a real difference in large neighbourhoods from passing."""
    by_code: dict[str, list[Sample]] = defaultdict(list)
    for s in samples:
        by_code[s.neighbourhood].append(s)
    rows: list[NeighbourhoodRow] = []
    compared = [
        (code, members)
        for code, members in sorted(by_code.items())
        if code and len(members) >= min_n
    ]
    excluded = sum(len(m) for code, m in by_code.items() if not code or len(m) < min_n)
    z = NormalDist().inv_cdf(1 - 0.05 / (2 * max(1, len(compared))))
    for code, members in compared:
        n = len(members)
        mean_p = sum(model.probabilities(members)) / n
        rate = sum(s.solved for s in members) / n
        gap = rate - mean_p
        se = math.sqrt(max(mean_p * (1 - mean_p), 1e-9) / n)
        flagged = abs(gap) > tolerance and abs(gap) > z * se
        rows.append(NeighbourhoodRow(code, n, mean_p, rate, gap, flagged))
    means = [r.mean_predicted for r in rows]
    features = tuple(dict.fromkeys(k for g in model.groups.values() for k in g.coefs))
    return BiasReport(
        min_n=min_n,
        tolerance=tolerance,
        z=z,
        rows=rows,
        n_excluded=excluded,
        max_abs_gap=max((abs(r.gap) for r in rows), default=None),
        spread_mean_predicted=max(means) - min(means) if means else None,
        features=features,
        lead_features_only=all(tuple(g.coefs) == LEAD_NAMES for g in model.groups.values()),
    )


# --------------------------------------------------------------------------- criteria


@dataclass(frozen=True)
class Criteria:
    """What a (re)fitted model must meet on held-back data before it may advise.

    * ``min_auc`` 0.70: below this discrimination is conventionally "poor"; a model that
      ranks cases little better than the lead checklist itself adds noise, not advice.
    * ``max_ece`` 0.05: the screener reads the probability as a percentage, so on average it
      must be within 5 percentage points of the observed rate.
    * ``max_calibration_in_the_large`` 0.03: the overall predicted solve rate within 3 points
      of the observed one; catches drift in the base rate between years.
    * ``max_neighbourhood_gap`` 0.15: no neighbourhood (with at least the bias check's
      ``min_n`` cases) whose observed and predicted rates differ by more than 15 points
      *significantly* (beyond the Bonferroni-corrected binomial noise, see
      :func:`bias_check`): a fixed tolerance alone fails good models by chance when there
      are many small neighbourhoods.
    * ``min_test_samples`` 500: enough held-back cases for AUC (standard error ~0.02-0.03)
      and a 10-bin calibration estimate to be meaningful.

    The structural check (lead factors only, no location or demographic feature) is always on.
    """

    min_auc: float = 0.70
    max_ece: float = 0.05
    max_calibration_in_the_large: float = 0.03
    max_neighbourhood_gap: float = 0.15
    min_test_samples: int = 500


def _num(x: float, digits: int) -> str:
    return f"{x:.{digits}f}".replace(".", ",")


def _pct(x: float) -> str:
    return _num(100 * x, 1) + "%"


def _pp(x: float) -> str:
    """A difference of rates, in percentage points."""
    return _num(100 * x, 1) + " procentpunt"


def check_criteria(
    evaluation: Evaluation, bias: BiasReport, criteria: Criteria | None = None
) -> CriteriaResult:
    """Check every criterion; the model may advise only when all pass."""
    c = criteria or Criteria()
    m = evaluation.overall
    checks: list[CriteriaCheck] = []

    def add(name: str, value: float | None, threshold: float | None, ok: bool, msg: str) -> None:
        checks.append(CriteriaCheck(name, value, threshold, ok, msg))

    ok = m.n >= c.min_test_samples
    add(
        "min_test_samples",
        m.n,
        c.min_test_samples,
        ok,
        f"Testset: {m.n} zaken (minimaal {c.min_test_samples})."
        if ok
        else f"Te weinig zaken in de testset: {m.n}, minimaal {c.min_test_samples} nodig.",
    )
    if m.auc is None:
        add(
            "min_auc",
            None,
            c.min_auc,
            False,
            "AUC niet te berekenen: de testset bevat maar één uitkomst "
            "(alleen opgeloste of alleen niet-opgeloste zaken).",
        )
    else:
        ok = m.auc >= c.min_auc
        verdict = "voldoet aan" if ok else "onder"
        add(
            "min_auc",
            m.auc,
            c.min_auc,
            ok,
            f"AUC {_num(m.auc, 3)} {verdict} de ondergrens {_num(c.min_auc, 2)}.",
        )
    ok = m.ece <= c.max_ece
    add(
        "max_ece",
        m.ece,
        c.max_ece,
        ok,
        f"Verwachte kalibratiefout {_pp(m.ece)} "
        + ("binnen" if ok else "boven")
        + f" de grens van {_pp(c.max_ece)}.",
    )
    citl = m.calibration_in_the_large
    ok = abs(citl) <= c.max_calibration_in_the_large
    direction = "hoger" if citl > 0 else "lager"
    add(
        "max_calibration_in_the_large",
        citl,
        c.max_calibration_in_the_large,
        ok,
        f"Gemiddelde voorspelde kans {_pp(abs(citl))} {direction} dan het waargenomen "
        f"oplospercentage (grens {_pp(c.max_calibration_in_the_large)}).",
    )
    gap = bias.max_abs_gap
    flagged = [
        r.code
        for r in bias.rows
        if abs(r.gap) > c.max_neighbourhood_gap
        and abs(r.gap)
        > bias.z * math.sqrt(max(r.mean_predicted * (1 - r.mean_predicted), 1e-9) / r.n)
    ]
    ok = not flagged
    if gap is None:
        msg = f"Geen wijk met minstens {bias.min_n} zaken; wijkvergelijking niet mogelijk."
    elif ok:
        limit = _pp(c.max_neighbourhood_gap)
        msg = f"Geen wijk wijkt significant meer dan {limit} af (grootste verschil {_pp(gap)})."
    else:
        msg = (
            f"Wijken met een significant verschil boven {_pp(c.max_neighbourhood_gap)}: "
            f"{', '.join(flagged)} (grootste verschil {_pp(gap)})."
        )
    add("max_neighbourhood_gap", gap, c.max_neighbourhood_gap, ok, msg)
    add(
        "lead_features_only",
        None,
        None,
        bias.lead_features_only,
        "Het model gebruikt alleen de opsporingsindicaties (geen locatie- of demografische "
        "kenmerken)."
        if bias.lead_features_only
        else "Het model gebruikt andere kenmerken dan de opsporingsindicaties.",
    )
    return CriteriaResult(all(ch.passed for ch in checks), checks)


def evaluation_dict(evaluation: Evaluation, bias: BiasReport) -> dict[str, Any]:
    """The evaluation and the bias check as JSON-serialisable data (for storage)."""
    data = asdict(evaluation)
    data["bias"] = {**asdict(bias), "features": list(bias.features), "flagged": bias.flagged}
    return data


def criteria_dict(result: CriteriaResult) -> dict[str, Any]:
    """The criteria result as JSON-serialisable data (for storage)."""
    return {"passed": result.passed, "checks": [c._asdict() for c in result.checks]}


# --------------------------------------------------------------------------- model card


def _f(x: float | None, digits: int = 3) -> str:
    """A number for the card: Dutch decimal comma, integers as they are, a dash for none."""
    if x is None:
        return "–"
    if isinstance(x, int):
        return str(x)
    return _num(x, digits)


def model_card(
    model: SolvabilityModel,
    evaluation: Evaluation,
    bias: BiasReport,
    criteria_result: CriteriaResult,
    *,
    training_period: tuple[date, date],
    test_period: tuple[date, date],
) -> str:
    """The model card (Markdown, Dutch) that goes with every fitted model."""
    m = evaluation.overall
    status = "GESLAAGD" if criteria_result.passed else "NIET GESLAAGD"
    out = [
        f"# Modelkaart oplosbaarheidsmodel {model.version}",
        "",
        f"Gefit op {model.fitted_at.isoformat(timespec='minutes')}. "
        f"Criteria: **{status}**"
        + ("." if criteria_result.passed else " — het model mag niet adviseren."),
        "",
        "## Beoogd gebruik",
        "",
        "Advies aan de screener bij de eerste beoordeling van veelvoorkomende criminaliteit: "
        "de kans dat een zaak wordt opgelost, gegeven de opsporingsindicaties, met per "
        "indicatie haar bijdrage. Een mens beslist; de beslissing en de reden worden "
        "vastgelegd, ook wanneer die van het advies afwijkt.",
        "",
        "## Niet bedoeld voor",
        "",
        "- automatisch afwijzen of oppakken van zaken zonder menselijke beoordeling;",
        "- beoordelen van personen (verdachten, aangevers) of van medewerkers en teams;",
        "- zaken buiten de veelvoorkomende criminaliteit of buiten de getrainde periode en "
        "delicttypen zonder nieuwe toetsing.",
        "",
        "## Trainingsdata",
        "",
        f"Historische zaken geregistreerd van {training_period[0].isoformat()} tot en met "
        f"{training_period[1].isoformat()}; uitkomst opgelost of niet. Kenmerken: uitsluitend "
        f"de {len(LEAD_NAMES)} opsporingsindicaties.",
        "",
        "| model | delictgroepen | zaken | oplospercentage |",
        "|---|---|---:|---:|",
    ]
    for name, g in model.groups.items():
        covers = ", ".join(OFFENCE_GROUPS.get(c, c) for c in g.covers)
        out.append(f"| {name} | {covers} | {g.n} | {_pct(g.base_rate)} |")
    out += [
        "",
        "## Evaluatie op achtergehouden periode",
        "",
        f"Testperiode {test_period[0].isoformat()} tot en met {test_period[1].isoformat()}, "
        f"{m.n} zaken waarvan {m.n_solved} opgelost.",
        "",
        "| groep | zaken | AUC | Brier | ECE | voorspeld − waargenomen |",
        "|---|---:|---:|---:|---:|---:|",
        f"| totaal | {m.n} | {_f(m.auc)} | {_f(m.brier)} | {_f(m.ece)} | "
        f"{_f(m.calibration_in_the_large)} |",
    ]
    for name, gm in evaluation.per_group.items():
        out.append(
            f"| {name} | {gm.n} | {_f(gm.auc)} | {_f(gm.brier)} | {_f(gm.ece)} | "
            f"{_f(gm.calibration_in_the_large)} |"
        )
    out += [
        "",
        "Betrouwbaarheidstabel (totaal):",
        "",
        "| voorspelde kans | zaken | gemiddeld voorspeld | waargenomen |",
        "|---|---:|---:|---:|",
    ]
    for b in m.reliability:
        out.append(
            f"| {_f(b.lower, 1)}–{_f(b.upper, 1)} | {b.n} | {_f(b.mean_predicted)} | "
            f"{_f(b.observed_rate)} |"
        )
    out += [
        "",
        "## Coëfficiënten",
        "",
        "Log-odds per indicatie; de odds ratio is de factor waarmee de kansverhouding "
        "verandert als de indicatie aanwezig is. De kalibratie wordt gemeten, niet "
        "achteraf bijgesteld: deze getallen zijn het hele model.",
    ]
    for name, g in model.groups.items():
        out += [
            "",
            f"### {name} ({OFFENCE_GROUPS.get(name, 'terugvalmodel voor de overige groepen')})",
            "",
            "| indicatie | omschrijving | coëfficiënt | odds ratio |",
            "|---|---|---:|---:|",
            f"| (intercept) | geen enkele indicatie | {_f(g.intercept)} | "
            f"{_f(math.exp(g.intercept))} |",
        ]
        for lead in LEAD_NAMES:
            c = g.coefs[lead]
            out.append(f"| {lead} | {LEADS[lead]} | {_f(c)} | {_f(math.exp(c))} |")
    out += [
        "",
        "## Biascontrole per wijk",
        "",
        f"Wijken met minstens {bias.min_n} zaken in de testperiode ({bias.n_excluded} zaken "
        f"niet meegeteld); verschil = waargenomen − voorspeld, gemarkeerd boven "
        f"{_pp(bias.tolerance)}. Het model gebruikt "
        + (
            "geen locatie- of demografische kenmerken."
            if bias.lead_features_only
            else "ANDERE KENMERKEN dan de opsporingsindicaties."
        ),
        "",
        "| wijk | zaken | voorspeld | waargenomen | verschil | gemarkeerd |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for r in bias.rows:
        out.append(
            f"| {r.code} | {r.n} | {_f(r.mean_predicted)} | {_f(r.observed_rate)} | "
            f"{_f(r.gap)} | {'ja' if r.flagged else 'nee'} |"
        )
    out += [
        "",
        "## Criteria",
        "",
        "| criterium | waarde | grens | resultaat | toelichting |",
        "|---|---:|---:|---|---|",
    ]
    for ch in criteria_result.checks:
        value, limit = _f(ch.value), _f(ch.threshold, 2)
        verdict = "voldaan" if ch.passed else "NIET VOLDAAN"
        out.append(f"| {ch.name} | {value} | {limit} | {verdict} | {ch.message} |")
    out += [
        "",
        "## Bekende beperkingen",
        "",
        "- Selectieve uitkomsten: of een zaak opgelost wordt, is alleen te zien voor zaken die "
        "zijn onderzocht. Het model is daarom alleen op onderzochte zaken getraind: de kans "
        "geldt voor een zaak die wordt onderzocht, en de keuzes van vroeger (welke zaken "
        "wel en niet) zitten in de data.",
        "- De data in deze omgeving zijn synthetisch; getallen zeggen niets over de werkelijkheid.",
        "- Bewust geen locatiekenmerken: verschillen tussen wijken worden niet door het model "
        "verklaard maar alleen gemeten (zie de biascontrole).",
        "- Alleen de aanwezigheid van indicaties telt, niet hun kwaliteit (onscherpe "
        "camerabeelden tellen even zwaar als scherpe).",
        "",
        "## Uitschakelen",
        "",
        "Het advies kan op elk moment worden uitgezet; de screener ziet dan alleen de "
        "opsporingsindicaties en beslist zonder kans. Een model dat bij een nieuwe fit niet "
        "aan alle criteria voldoet, adviseert niet.",
        "",
    ]
    return "\n".join(out)
