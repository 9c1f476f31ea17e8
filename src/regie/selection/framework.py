"""The Selectiviteitskader's advice at first screening. Pure (no Django).

The rules are data (national per offence category, local priorities per unit or base team,
each version kept; see :class:`regie.selection.models.FrameworkRule`). :func:`effective_rules`
folds the versions valid on a day into one :class:`Rules`; :func:`advise` turns a case's
features, those rules and (when it is switched on and has passed its criteria) the
solvability model into an :class:`Advice` with an explanation a screener can check.

The advice:

1. high-impact crime and undermining crime are always taken up (national rule), as is what
   a valid local priority marks "always";
2. a case without any investigative lead is advised "reject";
3. otherwise the solvability score decides: at or above ``take_up_at`` "take up", below
   ``reject_below`` "reject", in between "assess further";
4. without a usable model, a case with leads is "assess further": the screener decides.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

from regie.selection.leads import LEADS, CaseFeatures

#: Defaults when no rule sets a value (overridden by the national default rule).
DEFAULT_TAKE_UP_AT = 0.35
DEFAULT_REJECT_BELOW = 0.10
DEFAULT_DAMAGE_THRESHOLD = Decimal(1000)

SCOPE_ORDER = {"national": 0, "unit": 1, "base_team": 2}


@dataclass(frozen=True)
class RuleVersion:
    """One stored version of one rule, as the pure code sees it."""

    id: int
    key: str
    version: int
    scope_level: str  # national | unit | base_team
    category_code: str | None  # None: every category
    always_take_up: bool
    take_up_at: float | None
    reject_below: float | None
    damage_threshold: Decimal | None
    rationale: str
    valid_from: dt.date
    valid_to: dt.date | None  # exclusive

    def valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day < self.valid_to)


@dataclass(frozen=True)
class Rules:
    """The rules that apply to one case on one day."""

    always_take_up: bool = False
    always_because: str = ""
    take_up_at: float = DEFAULT_TAKE_UP_AT
    reject_below: float = DEFAULT_REJECT_BELOW
    damage_threshold: Decimal = DEFAULT_DAMAGE_THRESHOLD
    rule_ids: tuple[int, ...] = ()


def effective_rules(versions: Iterable[RuleVersion], *, category_code: str, day: dt.date) -> Rules:
    """For each rule (``key``) take the highest version that has started on ``day``
    (``valid_from``); it replaces every earlier version from then on, so a version that ends
    (``valid_to``) ends the rule rather than reviving an older open-ended one. Then apply the
    rules in force from broad to specific (national before unit before base team,
    all-categories before one category), so the most specific value wins and any "always"
    holds."""
    latest: dict[str, RuleVersion] = {}
    for v in versions:
        if v.category_code not in (None, category_code) or v.valid_from > day:
            continue
        if v.key not in latest or v.version > latest[v.key].version:
            latest[v.key] = v
    best = {key: v for key, v in latest.items() if v.valid_on(day)}
    ordered = sorted(
        best.values(),
        key=lambda v: (SCOPE_ORDER[v.scope_level], v.category_code is not None, v.id),
    )
    take_up_at, reject_below = DEFAULT_TAKE_UP_AT, DEFAULT_REJECT_BELOW
    damage = DEFAULT_DAMAGE_THRESHOLD
    always, because = False, ""
    for v in ordered:
        if v.take_up_at is not None:
            take_up_at = v.take_up_at
        if v.reject_below is not None:
            reject_below = v.reject_below
        if v.damage_threshold is not None:
            damage = v.damage_threshold
        if v.always_take_up:
            always, because = True, v.rationale
    return Rules(
        always_take_up=always,
        always_because=because,
        take_up_at=take_up_at,
        reject_below=min(reject_below, take_up_at),
        damage_threshold=damage,
        rule_ids=tuple(v.id for v in ordered),
    )


class Predictor(Protocol):
    """What :func:`advise` needs of a solvability model."""

    version: str

    def predict(self, features: CaseFeatures) -> Any: ...


@dataclass(frozen=True)
class Factor:
    name: str
    label: str
    #: Contribution to the log-odds of being solved (None without a model).
    weight: float | None = None


@dataclass(frozen=True)
class Advice:
    decision: str  # take_up | reject | assess
    score: float | None
    reasons: tuple[str, ...]
    factors: tuple[Factor, ...] = ()
    model_version: str = ""
    rule_ids: tuple[int, ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        return {
            "decision": self.decision,
            "score": self.score,
            "reasons": list(self.reasons),
            "factors": [
                {"name": f.name, "label": f.label, "weight": f.weight} for f in self.factors
            ],
            "model_version": self.model_version,
            "rule_ids": list(self.rule_ids),
        }


DECISION_LABELS = {
    "take_up": "Oppakken",
    "reject": "Afwijzen",
    "assess": "Nader beoordelen",
}


def advise(features: CaseFeatures, rules: Rules, model: Predictor | None) -> Advice:
    present = features.present()
    score: float | None = None
    factors: Sequence[Factor] = [Factor(n, LEADS[n]) for n in present]
    version = ""
    if model is not None:
        prediction = model.predict(features)
        score = float(prediction.probability)
        weights = dict(prediction.contributions)
        factors = sorted(
            (Factor(n, LEADS[n], float(weights.get(n, 0.0))) for n in present),
            key=lambda f: -abs(f.weight or 0.0),
        )
        version = model.version

    def done(decision: str, *reasons: str) -> Advice:
        return Advice(decision, score, tuple(reasons), tuple(factors), version, rules.rule_ids)

    if features.high_impact:
        return done("take_up", "Hoog-impactcriminaliteit wordt altijd opgepakt.")
    if features.undermining:
        return done("take_up", "Ondermijnende criminaliteit wordt altijd opgepakt.")
    if rules.always_take_up:
        return done("take_up", f"Prioriteit: {rules.always_because}")
    if not present:
        return done("reject", "Geen opsporingsindicaties.")
    if score is None:
        return done(
            "assess",
            "Er zijn opsporingsindicaties; het oplosbaarheidsmodel staat uit. "
            "De screener beoordeelt.",
        )
    pct = f"{score:.0%}"
    if score >= rules.take_up_at:
        return done(
            "take_up", f"Kans op oplossing {pct} (drempel oppakken {rules.take_up_at:.0%})."
        )
    if score < rules.reject_below:
        return done(
            "reject", f"Kans op oplossing {pct} (onder de drempel {rules.reject_below:.0%})."
        )
    return done(
        "assess",
        f"Kans op oplossing {pct}: tussen {rules.reject_below:.0%} en "
        f"{rules.take_up_at:.0%}, nader beoordelen.",
    )
