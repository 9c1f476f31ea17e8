"""Red-flag rules and their evaluation: pure Python, no Django.

A rule is data (``data/rules.json``, editable on a screen): a code, a Dutch title and
rationale, a target queue, a severity and a *condition* over a registration. A condition is
one of these (a JSON object with exactly one key):

``{"all": [c, ...]}`` / ``{"any": [c, ...]}`` / ``{"not": c}``
    combinations.
``{"incident_codes": ["F530", ...]}`` / ``{"categories": ["1.4.5", ...]}``
    an offence of the registration has one of these incident codes / offence categories.
``{"kinds": ["aangifte", ...]}``
    the registration is of one of these kinds.
``{"keywords": {"terms": ["mes", "vuurwapen", "steek*"], "fields": ["narrative"]}}``
    one of the terms occurs in the text as whole words (``steek*``: words starting with
    "steek"; ``"familie eer"``: consecutive words; hyphens and accents are ignored), and is
    not negated: a negation word ("geen", "niet", "zonder", ...) up to four words before it
    in the same clause cancels the occurrence ("er werd geen wapen getoond").
``{"person": {"roles": ["victim"], "age_below": 18, "age_at_least": 75}}``
    a person in one of these roles (any role when empty) whose age on the date of the
    report is below / at least the given number of years (either bound may be left out;
    with both, either one suffices: "minor or elderly"). Persons without a date of birth
    never match an age bound.
``{"repeat_victim": {"min_registrations": 3, "days": 365}}``
    a victim of this registration is the victim (the same core object) in at least
    ``min_registrations`` registrations, this one included, reported within ``days`` days
    up to this one. The counts are facts supplied by the caller (:class:`RegFacts`).
``{"checklist": {"min": 2, "fields": [...], "indicators": [{"code": ..., "label": ...,
"terms": [...]}]}}``
    at least ``min`` distinct indicators of the checklist are present in the text (each
    indicator is a keyword condition of its own, with the same negation handling).

:func:`parse_rule` checks a definition and says exactly what is wrong; :func:`evaluate`
returns, per rule that fires, the facts that triggered it (which offence, which words in
which field at which position, which person and age, which counts).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

TEXT_FIELDS = ("narrative", "modus_operandi")
SEVERITIES = ("laag", "midden", "hoog", "kritiek")
NEGATIONS = frozenset({"geen", "niet", "zonder", "nooit", "noch", "niets", "ontkent", "ontkende"})
#: How many words before a term a negation still counts.
NEGATION_WINDOW = 4
#: Words that start a new clause: a negation before them does not reach past them.
CLAUSE_WORDS = frozenset({"maar", "echter", "doch", "wel"})
_TOKEN = re.compile(r"\w+|[.;:!?]")
_CLAUSE_PUNCT = frozenset(".;:!?")


class RuleError(ValueError):
    """A rule definition that cannot be used; the message says what is wrong."""


# --------------------------------------------------------------------------------------------
# Text
# --------------------------------------------------------------------------------------------


def fold(text: str) -> str:
    """Lower case without accents ("Één" -> "een"); the text keeps its length per word."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass(frozen=True, slots=True)
class Token:
    word: str
    start: int
    end: int
    clause: int


def tokenize(text: str) -> list[Token]:
    """Words with their position in the original text and their clause number."""
    tokens: list[Token] = []
    clause = 0
    for m in _TOKEN.finditer(text):
        raw = m.group()
        if raw in _CLAUSE_PUNCT:
            clause += 1
            continue
        word = fold(raw)
        if word in CLAUSE_WORDS:
            clause += 1
        tokens.append(Token(word, m.start(), m.end(), clause))
    return tokens


@dataclass(frozen=True, slots=True)
class Term:
    """A keyword: one or more words; the last may end in ``*`` (prefix)."""

    text: str
    words: tuple[str, ...]
    prefix: bool

    @classmethod
    def parse(cls, text: str) -> Term:
        if not isinstance(text, str) or not text.strip():
            raise RuleError("Een zoekterm moet een niet-lege tekst zijn.")
        prefix = text.strip().endswith("*")
        words = tuple(fold(w) for w in re.findall(r"\w+", text))
        if not words:
            raise RuleError(f"Zoekterm {text!r} bevat geen woorden.")
        if prefix and len(words[-1]) < 3:
            raise RuleError(
                f"Zoekterm {text!r}: een voorvoegsel met * moet minstens 3 letters hebben."
            )
        return cls(text.strip(), words, prefix)

    def matches_at(self, tokens: Sequence[Token], i: int) -> bool:
        n = len(self.words)
        if i + n > len(tokens):
            return False
        for k, w in enumerate(self.words):
            tok = tokens[i + k]
            if k and tok.clause != tokens[i].clause:
                return False
            last = k == n - 1
            if last and self.prefix:
                if not tok.word.startswith(w):
                    return False
            elif tok.word != w:
                return False
        return True


def negated(tokens: Sequence[Token], i: int) -> str | None:
    """The negation word that cancels the term starting at token ``i``, if any."""
    clause = tokens[i].clause
    for j in range(i - 1, max(-1, i - 1 - NEGATION_WINDOW), -1):
        if tokens[j].clause != clause:
            return None
        if tokens[j].word in NEGATIONS:
            return tokens[j].word
    return None


@dataclass(frozen=True, slots=True)
class TermHit:
    field: str
    term: str
    found: str
    start: int
    end: int


@dataclass(frozen=True)
class TermIndex:
    """Terms by their first word, so a text is scanned once whatever the number of terms;
    one-word prefix terms ("vuurwapen*") are checked with ``startswith``."""

    by_first: Mapping[str, tuple[Term, ...]]
    prefixes: tuple[Term, ...]

    @classmethod
    def build(cls, terms: Sequence[Term]) -> TermIndex:
        by_first: dict[str, list[Term]] = {}
        prefixes = []
        for t in terms:
            if t.prefix and len(t.words) == 1:
                prefixes.append(t)
            else:
                by_first.setdefault(t.words[0], []).append(t)
        return cls({k: tuple(v) for k, v in by_first.items()}, tuple(prefixes))

    def candidates(self, word: str) -> Iterable[Term]:
        yield from self.by_first.get(word, ())
        for t in self.prefixes:
            if word.startswith(t.words[0]):
                yield t


def find_terms(
    texts: Mapping[str, str],
    terms: TermIndex,
    fields: Sequence[str],
    tokenized: dict[str, list[Token]],
) -> tuple[list[TermHit], list[TermHit]]:
    """(occurrences, negated occurrences) of the terms in the given fields."""
    hits: list[TermHit] = []
    cancelled: list[TermHit] = []
    for f in fields:
        text = texts.get(f) or ""
        if not text:
            continue
        tokens = tokenized.get(f)
        if tokens is None:
            tokens = tokenized[f] = tokenize(text)
        for i in range(len(tokens)):
            for term in terms.candidates(tokens[i].word):
                if term.matches_at(tokens, i):
                    end = tokens[i + len(term.words) - 1].end
                    hit = TermHit(f, term.text, text[tokens[i].start : end], tokens[i].start, end)
                    (cancelled if negated(tokens, i) else hits).append(hit)
    return hits, cancelled


# --------------------------------------------------------------------------------------------
# Facts of a registration
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PersonFact:
    role: str
    person_id: int
    date_of_birth: dt.date | None = None


@dataclass(frozen=True, slots=True)
class RegFacts:
    """What the evaluator knows of one registration."""

    id: int
    kind: str
    reported_at: dt.datetime
    incident_codes: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    texts: Mapping[str, str] = field(default_factory=dict)
    persons: tuple[PersonFact, ...] = ()
    #: (person id, days) -> registrations in which the person is a victim, reported within
    #: ``days`` days up to this one, this one included.
    victim_counts: Mapping[tuple[int, int], int] = field(default_factory=dict)


def age_on(born: dt.date, day: dt.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


# --------------------------------------------------------------------------------------------
# Conditions
# --------------------------------------------------------------------------------------------


class Condition(ABC):
    @abstractmethod
    def facts(self, reg: RegFacts, cache: dict[str, list[Token]]) -> list[dict[str, Any]] | None:
        """The triggering facts when the condition holds, else None."""

    def repeat_windows(self) -> set[int]:
        return set()

    def uses_text(self) -> bool:
        return False


@dataclass(frozen=True)
class All(Condition):
    parts: tuple[Condition, ...]

    def facts(self, reg: RegFacts, cache: dict[str, list[Token]]) -> list[dict[str, Any]] | None:
        out: list[dict[str, Any]] = []
        for p in self.parts:
            f = p.facts(reg, cache)
            if f is None:
                return None
            out.extend(f)
        return out

    def repeat_windows(self) -> set[int]:
        return set().union(*(p.repeat_windows() for p in self.parts))

    def uses_text(self) -> bool:
        return any(p.uses_text() for p in self.parts)


@dataclass(frozen=True)
class Any_(Condition):
    parts: tuple[Condition, ...]

    def facts(self, reg: RegFacts, cache: dict[str, list[Token]]) -> list[dict[str, Any]] | None:
        out: list[dict[str, Any]] = []
        fired = False
        for p in self.parts:
            f = p.facts(reg, cache)
            if f is not None:
                fired = True
                out.extend(f)
        return out if fired else None

    def repeat_windows(self) -> set[int]:
        return set().union(*(p.repeat_windows() for p in self.parts))

    def uses_text(self) -> bool:
        return any(p.uses_text() for p in self.parts)


@dataclass(frozen=True)
class Not(Condition):
    part: Condition

    def facts(self, reg: RegFacts, cache: dict[str, list[Token]]) -> list[dict[str, Any]] | None:
        return [] if self.part.facts(reg, cache) is None else None

    def repeat_windows(self) -> set[int]:
        return self.part.repeat_windows()

    def uses_text(self) -> bool:
        return self.part.uses_text()


@dataclass(frozen=True)
class IncidentCodes(Condition):
    codes: frozenset[str]

    def facts(self, reg: RegFacts, cache: dict[str, list[Token]]) -> list[dict[str, Any]] | None:
        found = sorted(c for c in set(reg.incident_codes) if c in self.codes)
        return [{"soort": "incidentcode", "waarde": c} for c in found] or None


@dataclass(frozen=True)
class Categories(Condition):
    codes: frozenset[str]

    def facts(self, reg: RegFacts, cache: dict[str, list[Token]]) -> list[dict[str, Any]] | None:
        found = sorted(c for c in set(reg.categories) if c in self.codes)
        return [{"soort": "categorie", "waarde": c} for c in found] or None


@dataclass(frozen=True)
class Kinds(Condition):
    kinds: frozenset[str]

    def facts(self, reg: RegFacts, cache: dict[str, list[Token]]) -> list[dict[str, Any]] | None:
        return [{"soort": "soort", "waarde": reg.kind}] if reg.kind in self.kinds else None


def _term_fact(h: TermHit) -> dict[str, Any]:
    return {
        "soort": "trefwoord",
        "veld": h.field,
        "term": h.term,
        "gevonden": h.found,
        "positie": [h.start, h.end],
    }


@dataclass(frozen=True)
class Keywords(Condition):
    terms: tuple[Term, ...]
    fields: tuple[str, ...]
    index: TermIndex = field(init=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "index", TermIndex.build(self.terms))

    def facts(self, reg: RegFacts, cache: dict[str, list[Token]]) -> list[dict[str, Any]] | None:
        hits, _ = find_terms(reg.texts, self.index, self.fields, cache)
        return [_term_fact(h) for h in hits] or None

    def uses_text(self) -> bool:
        return True


@dataclass(frozen=True)
class Indicator:
    code: str
    label: str
    terms: tuple[Term, ...]
    index: TermIndex = field(init=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "index", TermIndex.build(self.terms))


@dataclass(frozen=True)
class Checklist(Condition):
    indicators: tuple[Indicator, ...]
    minimum: int
    fields: tuple[str, ...]

    def facts(self, reg: RegFacts, cache: dict[str, list[Token]]) -> list[dict[str, Any]] | None:
        out: list[dict[str, Any]] = []
        present = 0
        for ind in self.indicators:
            hits, _ = find_terms(reg.texts, ind.index, self.fields, cache)
            if hits:
                present += 1
                out.extend(
                    {
                        **_term_fact(h),
                        "soort": "indicator",
                        "indicator": ind.code,
                        "label": ind.label,
                    }
                    for h in hits
                )
        if present < self.minimum:
            return None
        return [{"soort": "checklist", "indicatoren": present, "minimum": self.minimum}, *out]

    def uses_text(self) -> bool:
        return True


@dataclass(frozen=True)
class PersonCond(Condition):
    roles: frozenset[str]
    age_below: int | None
    age_at_least: int | None

    def facts(self, reg: RegFacts, cache: dict[str, list[Token]]) -> list[dict[str, Any]] | None:
        out: list[dict[str, Any]] = []
        day = reg.reported_at.date()
        for p in reg.persons:
            if self.roles and p.role not in self.roles:
                continue
            if self.age_below is None and self.age_at_least is None:
                out.append({"soort": "persoon", "rol": p.role, "persoon": p.person_id})
                continue
            if p.date_of_birth is None:
                continue
            age = age_on(p.date_of_birth, day)
            young = self.age_below is not None and age < self.age_below
            old = self.age_at_least is not None and age >= self.age_at_least
            if young or old:
                out.append(
                    {"soort": "persoon", "rol": p.role, "persoon": p.person_id, "leeftijd": age}
                )
        return out or None


@dataclass(frozen=True)
class RepeatVictim(Condition):
    minimum: int
    days: int

    def facts(self, reg: RegFacts, cache: dict[str, list[Token]]) -> list[dict[str, Any]] | None:
        out = []
        for p in reg.persons:
            if p.role != "victim":
                continue
            n = reg.victim_counts.get((p.person_id, self.days), 1)
            if n >= self.minimum:
                out.append(
                    {
                        "soort": "herhaald_slachtoffer",
                        "persoon": p.person_id,
                        "registraties": n,
                        "dagen": self.days,
                    }
                )
        return out or None

    def repeat_windows(self) -> set[int]:
        return {self.days}


# --------------------------------------------------------------------------------------------
# Parsing
# --------------------------------------------------------------------------------------------


def _str_list(value: Any, what: str) -> list[str]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
        raise RuleError(f"{what}: verwacht een niet-lege lijst met teksten.")
    return value


def _fields(value: Any) -> tuple[str, ...]:
    if value is None:
        return TEXT_FIELDS
    fields = _str_list(value, "fields")
    unknown = [f for f in fields if f not in TEXT_FIELDS]
    if unknown:
        raise RuleError(f"Onbekend tekstveld {unknown[0]!r}; kies uit {', '.join(TEXT_FIELDS)}.")
    return tuple(fields)


def _int(value: Any, what: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise RuleError(f"{what}: verwacht een geheel getal vanaf {minimum}.")
    return value


def _keys(spec: Mapping[str, Any], allowed: set[str], what: str) -> None:
    extra = sorted(set(spec) - allowed)
    if extra:
        raise RuleError(f"{what}: onbekende sleutel {extra[0]!r}.")


def parse_condition(spec: Any, known_roles: Iterable[str] | None = None) -> Condition:
    if not isinstance(spec, dict) or len(spec) != 1:
        raise RuleError("Een voorwaarde is een object met precies één sleutel.")
    ((key, value),) = spec.items()
    if key in ("all", "any"):
        if not isinstance(value, list) or not value:
            raise RuleError(f"{key}: verwacht een niet-lege lijst met voorwaarden.")
        parts = tuple(parse_condition(v, known_roles) for v in value)
        return All(parts) if key == "all" else Any_(parts)
    if key == "not":
        return Not(parse_condition(value, known_roles))
    if key == "incident_codes":
        return IncidentCodes(frozenset(c.upper() for c in _str_list(value, key)))
    if key == "categories":
        return Categories(frozenset(_str_list(value, key)))
    if key == "kinds":
        return Kinds(frozenset(_str_list(value, key)))
    if key == "keywords":
        if not isinstance(value, dict):
            raise RuleError("keywords: verwacht een object met terms en fields.")
        _keys(value, {"terms", "fields"}, key)
        terms = tuple(Term.parse(t) for t in _str_list(value.get("terms"), "keywords.terms"))
        return Keywords(terms, _fields(value.get("fields")))
    if key == "checklist":
        if not isinstance(value, dict):
            raise RuleError("checklist: verwacht een object met indicators en min.")
        _keys(value, {"indicators", "min", "fields"}, key)
        raw = value.get("indicators")
        if not isinstance(raw, list) or not raw:
            raise RuleError("checklist.indicators: verwacht een niet-lege lijst.")
        indicators = []
        for ind in raw:
            if not isinstance(ind, dict):
                raise RuleError("checklist.indicators: elke indicator is een object.")
            _keys(ind, {"code", "label", "terms"}, "indicator")
            code, label = ind.get("code"), ind.get("label")
            if not isinstance(code, str) or not code or not isinstance(label, str) or not label:
                raise RuleError("Een indicator heeft een code en een label.")
            terms = tuple(Term.parse(t) for t in _str_list(ind.get("terms"), f"indicator {code}"))
            indicators.append(Indicator(code, label, terms))
        if len({i.code for i in indicators}) != len(indicators):
            raise RuleError("checklist.indicators: elke code mag maar één keer voorkomen.")
        minimum = _int(value.get("min", 1), "checklist.min", 1)
        if minimum > len(indicators):
            raise RuleError("checklist.min is groter dan het aantal indicatoren.")
        return Checklist(tuple(indicators), minimum, _fields(value.get("fields")))
    if key == "person":
        if not isinstance(value, dict):
            raise RuleError("person: verwacht een object.")
        _keys(value, {"roles", "age_below", "age_at_least"}, key)
        roles = value.get("roles") or []
        if roles:
            roles = _str_list(roles, "person.roles")
            if known_roles is not None:
                unknown = [r for r in roles if r not in set(known_roles)]
                if unknown:
                    raise RuleError(f"person.roles: onbekende rol {unknown[0]!r}.")
        below = value.get("age_below")
        least = value.get("age_at_least")
        return PersonCond(
            frozenset(roles),
            None if below is None else _int(below, "person.age_below", 1),
            None if least is None else _int(least, "person.age_at_least", 1),
        )
    if key == "repeat_victim":
        if not isinstance(value, dict):
            raise RuleError("repeat_victim: verwacht een object.")
        _keys(value, {"min_registrations", "days"}, key)
        return RepeatVictim(
            _int(value.get("min_registrations"), "repeat_victim.min_registrations", 2),
            _int(value.get("days"), "repeat_victim.days", 1),
        )
    raise RuleError(f"Onbekende voorwaarde {key!r}.")


@dataclass(frozen=True)
class RuleDef:
    code: str
    title: str
    rationale: str
    queue: str
    severity: str
    condition: Condition
    active: bool = True


_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{1,31}$")


def parse_rule(
    spec: Mapping[str, Any],
    *,
    queues: Iterable[str] | None = None,
    known_roles: Iterable[str] | None = None,
) -> RuleDef:
    """A checked rule definition; raises :class:`RuleError` saying what is wrong."""
    if not isinstance(spec, Mapping):
        raise RuleError("Een regel is een object.")
    _keys(spec, {"code", "title", "rationale", "queue", "severity", "condition", "active"}, "regel")
    code = spec.get("code")
    if not isinstance(code, str) or not _CODE.match(code):
        raise RuleError("code: 2-32 hoofdletters, cijfers, - of _.")
    for name in ("title", "rationale", "queue"):
        if not isinstance(spec.get(name), str) or not spec[name].strip():
            raise RuleError(f"{code}: {name} ontbreekt.")
    if queues is not None and spec["queue"] not in set(queues):
        raise RuleError(f"{code}: onbekende wachtrij {spec['queue']!r}.")
    severity = spec.get("severity")
    if severity not in SEVERITIES:
        raise RuleError(f"{code}: ernst moet een van {', '.join(SEVERITIES)} zijn.")
    try:
        condition = parse_condition(spec.get("condition"), known_roles)
    except RuleError as e:
        raise RuleError(f"{code}: {e}") from None
    active = spec.get("active", True)
    if not isinstance(active, bool):
        raise RuleError(f"{code}: active is true of false.")
    return RuleDef(
        code,
        spec["title"].strip(),
        spec["rationale"].strip(),
        spec["queue"],
        severity,
        condition,
        active,
    )


# --------------------------------------------------------------------------------------------
# Evaluation
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Raised:
    registration_id: int
    rule: str
    facts: tuple[dict[str, Any], ...]


def repeat_windows(rules: Iterable[RuleDef]) -> set[int]:
    """The look-back windows (days) the repeat-victim counts are needed for."""
    return set().union(*(r.condition.repeat_windows() for r in rules if r.active))


def evaluate(reg: RegFacts, rules: Iterable[RuleDef]) -> list[Raised]:
    cache: dict[str, list[Token]] = {}
    out = []
    for rule in rules:
        if not rule.active:
            continue
        facts = rule.condition.facts(reg, cache)
        if facts is not None:
            out.append(Raised(reg.id, rule.code, tuple(facts)))
    return out
