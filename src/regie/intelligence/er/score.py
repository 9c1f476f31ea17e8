"""Scoring pairs with a trained Splink model in plain Python (no database engine).

Pure Python, no Django. Batch resolution runs in Splink (DuckDB or Spark); matching *one*
new record against the handful of candidates the register's blocking query returns does not
need an engine: :class:`PairScorer` evaluates the same comparison levels
(:mod:`regie.intelligence.er.model`) in Python and combines their m/u probabilities exactly
as Splink does (Fellegi-Sunter)::

    match weight = log2(prior / (1 - prior)) + sum of log2(m / u) over the comparisons
    match probability = 2^weight / (1 + 2^weight)

The first level of a comparison whose condition holds decides; null levels add nothing.
Term-frequency adjustments are not applied (as in
:class:`~regie.intelligence.er.matcher.SplinkPersonMatcher`, whose candidates are too few to
count frequencies among). A test checks that the probabilities equal Splink's own
(DuckDB) for the same model and pairs.

An untrained level gets Splink's default m and u (:func:`default_m_values`,
:func:`default_u_values`; a test checks them against Splink's). A model with a level this
module does not know is refused when the scorer is built (:class:`UnsupportedModel`), never
scored approximately.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

import jellyfish

#: Splink's stand-in probability for a level never seen in training.
NOT_OBSERVED_PROBABILITY: Final = 1e-6
_NOT_OBSERVED: Final = "level not observed in training dataset"

Record = Mapping[str, Any]
Predicate = Callable[[Record, Record], bool]


class UnsupportedModel(ValueError):
    """The model has a comparison level this scorer cannot evaluate, or is not trained."""


def _eq(col_l: str, col_r: str | None = None) -> Predicate:
    other = col_r or col_l

    def check(left: Record, right: Record) -> bool:
        a, b = left.get(col_l), right.get(other)
        return a is not None and b is not None and a == b

    return check


def _swapped(col: str, other: str) -> Predicate:
    """``col_l = other_r OR other_l = col_r`` (SQL: NULL never equals)."""

    def check(left: Record, right: Record) -> bool:
        a, b = left.get(col), right.get(other)
        if a is not None and b is not None and a == b:
            return True
        c, d = left.get(other), right.get(col)
        return c is not None and d is not None and c == d

    return check


def jaro_winkler(a: str, b: str) -> float:
    """Jaro-Winkler similarity as DuckDB's ``jaro_winkler_similarity`` (prefix scale 0.1,
    at most four characters of common prefix, boost above a Jaro similarity of 0.7)."""
    return float(jellyfish.jaro_winkler_similarity(a, b))


def _jw(col: str, threshold: float) -> Predicate:
    def check(left: Record, right: Record) -> bool:
        a, b = left.get(col), right.get(col)
        return a is not None and b is not None and jaro_winkler(a, b) >= threshold

    return check


def _initial(col: str) -> Predicate:
    def check(left: Record, right: Record) -> bool:
        a, b = left.get(col), right.get(col)
        if a is None or b is None:
            return False
        return (len(a) == 1 or len(b) == 1) and a[:1] == b[:1]

    return check


def _dob_swapped(col: str) -> Predicate:
    def check(left: Record, right: Record) -> bool:
        a, b = left.get(col), right.get(col)
        if a is None or b is None:
            return False
        return a[0:4] == b[0:4] and a[4:6] == b[6:8] and a[6:8] == b[4:6]

    return check


def _one_edit(col: str) -> Predicate:
    def check(left: Record, right: Record) -> bool:
        a, b = left.get(col), right.get(col)
        return a is not None and b is not None and jellyfish.damerau_levenshtein_distance(a, b) <= 1

    return check


def _prefix(col: str, length: int) -> Predicate:
    def check(left: Record, right: Record) -> bool:
        a, b = left.get(col), right.get(col)
        return a is not None and b is not None and a[:length] == b[:length]

    return check


def _null(*cols: str) -> Predicate:
    return lambda left, right: any(left.get(c) is None or right.get(c) is None for c in cols)


_JW_LABEL = re.compile(r"^jaro-winkler >= ([0-9.]+)$")


def _predicate(comparison: str, label: str) -> Predicate:
    """The Python condition of a level of :mod:`~regie.intelligence.er.model`."""
    jw = _JW_LABEL.match(label)
    if jw:
        return _jw(comparison, float(jw.group(1)))
    if comparison == "surname":
        table: dict[str, Predicate] = {
            "equal": _eq("surname_full"),
            "equal without particle": _eq("surname"),
            "swapped": _swapped("surname", "first_name"),
            "double metaphone": _eq("surname_dm"),
        }
    elif comparison == "first_name":
        table = {
            "equal": _eq("first_name"),
            "swapped": _swapped("first_name", "surname"),
            "double metaphone": _eq("first_name_dm"),
            "initial": _initial("first_name"),
        }
    elif comparison == "dob":
        table = {
            "equal": _eq("dob"),
            "day and month swapped": _dob_swapped("dob"),
            "one digit": _one_edit("dob"),
            "same year and month": _prefix("dob", 6),
            "same year": _prefix("dob", 4),
        }
    else:
        table = {"equal": _eq(comparison), "one edit": _one_edit(comparison)}
    found = table.get(label)
    if found is None:
        raise UnsupportedModel(f"comparison {comparison!r}: unknown level {label!r}")
    return found


def default_m_values(num_levels: int) -> list[float]:
    """Splink's m of an untrained level, by comparison vector value (0 = the ELSE level)."""
    exact = 0.95
    return [(1 - exact) / (num_levels - 1)] * (num_levels - 1) + [exact]


def default_u_values(num_levels: int) -> list[float]:
    """Splink's u of an untrained level: match weights spread from -5 (ELSE) to 3, and 10 for
    the highest level."""
    if num_levels == 2:
        weights = [-5.0]
    else:
        step = 8 / (num_levels - 2)
        weights = [-5 + i * step for i in range(num_levels - 1)]
    weights.append(10.0)
    return [m / 2.0**w for m, w in zip(default_m_values(num_levels), weights, strict=True)]


def _probability(level: Mapping[str, Any], which: str, default: float) -> float:
    """A level's trained m or u; an untrained one gets Splink's default (as Splink does)."""
    value = level.get(f"{which}_probability")
    if value == _NOT_OBSERVED:
        return NOT_OBSERVED_PROBABILITY
    if value is None:
        return default
    if not isinstance(value, int | float):
        raise UnsupportedModel(
            f"level {level.get('label_for_charts')!r}: {which} probability {value!r}"
        )
    return float(value)


@dataclass(frozen=True)
class Level:
    label: str
    is_null: bool
    condition: Predicate | None
    #: log2(m / u); 0 for a null level, +inf when u is 0, -inf when m is 0.
    log2_bayes_factor: float


@dataclass(frozen=True)
class Comparison:
    name: str
    levels: tuple[Level, ...]

    def level(self, left: Record, right: Record) -> Level:
        for level in self.levels:
            if level.condition is None or level.condition(left, right):
                return level
        return self.levels[-1]


def _log2_bf(m: float, u: float) -> float:
    if u == 0:
        return math.inf
    if m == 0:
        return -math.inf
    return math.log2(m / u)


@dataclass(frozen=True)
class PairScore:
    match_weight: float
    match_probability: float
    #: The level label per comparison, as Splink's ``label_for_charts``.
    levels: dict[str, str]


class PairScorer:
    """Scores prepared records (the columns of :func:`~regie.intelligence.er.prepare.
    prepare_frame`, as dicts) with a trained Splink model (its saved JSON)."""

    def __init__(self, model: Mapping[str, Any]) -> None:
        prior = model.get("probability_two_random_records_match")
        if not isinstance(prior, int | float) or not 0 < prior < 1:
            raise UnsupportedModel("the model has no prior (probability_two_random_records_match)")
        self.prior_weight = math.log2(prior / (1 - prior))
        comparisons = []
        for comparison in model.get("comparisons", []):
            name = comparison["output_column_name"]
            raws = comparison["comparison_levels"]
            n_levels = sum(1 for raw in raws if not raw.get("is_null_level"))
            if n_levels < 2:
                raise UnsupportedModel(f"comparison {name!r} needs at least two levels")
            m_defaults, u_defaults = default_m_values(n_levels), default_u_values(n_levels)
            vector_value = n_levels
            levels = []
            for raw in raws:
                label = raw.get("label_for_charts", "")
                sql = str(raw.get("sql_condition", ""))
                if raw.get("is_null_level"):
                    cols = re.findall(r'"?([a-z0-9_]+)_l"? IS NULL', sql)
                    if not cols:
                        raise UnsupportedModel(f"comparison {name!r}: unreadable null level")
                    levels.append(Level(label, True, _null(*cols), 0.0))
                    continue
                vector_value -= 1
                m = _probability(raw, "m", m_defaults[vector_value])
                u = _probability(raw, "u", u_defaults[vector_value])
                condition = None if sql.strip() == "ELSE" else _predicate(name, label)
                levels.append(Level(label, False, condition, _log2_bf(m, u)))
            if not levels or levels[-1].condition is not None:
                raise UnsupportedModel(f"comparison {name!r} has no ELSE level")
            comparisons.append(Comparison(name, tuple(levels)))
        if not comparisons:
            raise UnsupportedModel("the model has no comparisons")
        self.comparisons: tuple[Comparison, ...] = tuple(comparisons)

    def score(self, left: Record, right: Record) -> PairScore:
        weight = self.prior_weight
        levels: dict[str, str] = {}
        for comparison in self.comparisons:
            level = comparison.level(left, right)
            levels[comparison.name] = level.label
            weight += level.log2_bayes_factor
        if weight == math.inf:
            probability = 1.0
        elif weight == -math.inf:
            probability = 0.0
        else:
            probability = 1.0 / (1.0 + 2.0 ** (-weight)) if weight > -1000 else 0.0
        return PairScore(weight, probability, levels)
