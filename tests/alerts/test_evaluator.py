"""The pure evaluator: every condition kind, Dutch word boundaries and negation, and the
rule file itself (each shipped rule fires on its example and not on a near miss)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from regie.alerts.evaluator import (
    PersonFact,
    RegFacts,
    RuleError,
    evaluate,
    parse_condition,
    parse_rule,
    repeat_windows,
)
from regie.alerts.services import DATA_FILE

AT = dt.datetime(2019, 6, 1, 12, tzinfo=dt.UTC)


def reg(**kw: Any) -> RegFacts:
    values: dict[str, Any] = {"id": 1, "kind": "aangifte", "reported_at": AT}
    values.update(kw)
    return RegFacts(**values)


def facts(cond: dict[str, Any], r: RegFacts) -> Any:
    return parse_condition(cond).facts(r, {})


def text(narrative: str) -> RegFacts:
    return reg(texts={"narrative": narrative, "modus_operandi": ""})


KW = {"keywords": {"terms": ["mes", "vuurwapen*", "familie eer"]}}


@pytest.mark.parametrize(
    ("narrative", "fires"),
    [
        ("Verdachte bedreigde hem met een mes.", True),
        ("Verdachte bedreigde hem met een MES!", True),
        ("Hij had een vuurwapens-vergunning", True),  # prefix term
        ("Hij gebruikte een vuurwapen.", True),
        ("Er was een messentrekker", False),  # no whole word
        ("Het mesje lag op tafel", False),
        ("Hij kwam uit de mesthoop", False),
        ("Er is geen mes gebruikt.", False),  # negation
        ("Hij droeg niet een mes bij zich", False),
        ("Zonder enig mes of wapen", False),
        ("Er werd geen geld gevraagd, maar hij toonde een mes.", True),  # new clause
        ("Hij had geen geld. Hij toonde een mes.", True),  # new sentence
        ("Het ging om de familie-eer.", True),  # hyphen = phrase
        ("Het ging om de familie. Eer is belangrijk", False),  # phrase split by sentence
    ],
)
def test_keywords_boundaries_and_negation(narrative: str, fires: bool) -> None:
    assert (facts(KW, text(narrative)) is not None) is fires


def test_keyword_facts_give_field_word_and_position() -> None:
    n = "Aangever werd met een Mes bedreigd."
    (f,) = facts(KW, text(n))
    assert f["veld"] == "narrative" and f["term"] == "mes"
    start, end = f["positie"]
    assert n[start:end] == "Mes" and f["gevonden"] == "Mes"


def test_accents_are_folded() -> None:
    cond = {"keywords": {"terms": ["geëmigreerd"]}}
    assert facts(cond, text("Zij is geemigreerd")) is not None
    assert facts(cond, text("Zij is GEËMIGREERD")) is not None


def test_keywords_only_in_the_named_fields() -> None:
    cond = {"keywords": {"terms": ["mes"], "fields": ["modus_operandi"]}}
    r = reg(texts={"narrative": "met een mes", "modus_operandi": "inbraak"})
    assert facts(cond, r) is None
    r = reg(texts={"narrative": "", "modus_operandi": "dreigen met mes"})
    assert facts(cond, r)[0]["veld"] == "modus_operandi"


CHECKLIST = {
    "checklist": {
        "min": 2,
        "indicators": [
            {"code": "EER", "label": "eer", "terms": ["eer", "schande"]},
            {"code": "HUW", "label": "huwelijk", "terms": ["gedwongen huwelijk"]},
            {"code": "PAS", "label": "paspoort", "terms": ["paspoort afgenomen"]},
        ],
    }
}


def test_checklist_needs_min_distinct_indicators() -> None:
    one = text("Volgens de broer brengt zij schande over de familie en de eer.")
    assert facts(CHECKLIST, one) is None  # two words, one indicator
    two = text("Zij vreest een gedwongen huwelijk; het gaat om de eer van de familie.")
    out = facts(CHECKLIST, two)
    assert out[0] == {"soort": "checklist", "indicatoren": 2, "minimum": 2}
    assert {f["indicator"] for f in out[1:]} == {"EER", "HUW"}
    negated = text("Er is geen gedwongen huwelijk; het gaat om de eer.")
    assert facts(CHECKLIST, negated) is None
    assert facts(CHECKLIST, text("Hij was eerder al thuis, meer niet.")) is None


def test_codes_categories_kinds() -> None:
    r = reg(incident_codes=("F72", "A72"), categories=("3.1.3",), kind="aanhouding")
    assert facts({"incident_codes": ["f72"]}, r) == [{"soort": "incidentcode", "waarde": "F72"}]
    assert facts({"incident_codes": ["F70"]}, r) is None
    assert facts({"categories": ["3.1.3"]}, r) is not None
    assert facts({"kinds": ["aangifte"]}, r) is None


def test_person_ages_and_roles() -> None:
    cond = {"person": {"roles": ["victim"], "age_below": 18, "age_at_least": 75}}
    child = PersonFact("victim", 7, dt.date(2003, 6, 2))  # 15 on the report date
    just_adult = PersonFact("victim", 8, dt.date(2001, 6, 1))  # 18 that day
    old = PersonFact("victim", 9, dt.date(1944, 5, 31))  # 75
    suspect_child = PersonFact("suspect", 10, dt.date(2005, 1, 1))
    unknown = PersonFact("victim", 11, None)
    assert facts(cond, reg(persons=(just_adult, suspect_child, unknown))) is None
    out = facts(cond, reg(persons=(child, old)))
    assert [(f["persoon"], f["leeftijd"]) for f in out] == [(7, 15), (9, 75)]


def test_repeat_victim_uses_supplied_counts() -> None:
    cond = {"repeat_victim": {"min_registrations": 3, "days": 365}}
    victim = PersonFact("victim", 5)
    witness = PersonFact("witness", 6)
    r = reg(persons=(victim, witness), victim_counts={(5, 365): 3, (6, 365): 9})
    assert facts(cond, r) == [
        {"soort": "herhaald_slachtoffer", "persoon": 5, "registraties": 3, "dagen": 365}
    ]
    assert facts(cond, reg(persons=(victim,), victim_counts={(5, 365): 2})) is None
    assert facts(cond, reg(persons=(victim,), victim_counts={(5, 30): 5})) is None


def test_combinations() -> None:
    cond = {"all": [{"categories": ["1.4.5"]}, {"not": {"kinds": ["melding"]}}]}
    assert facts(cond, reg(categories=("1.4.5",))) is not None
    assert facts(cond, reg(categories=("1.4.5",), kind="melding")) is None
    assert facts({"any": [{"categories": ["x"]}, {"kinds": ["aangifte"]}]}, reg()) is not None


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"keyword": {"terms": ["x"]}}, "Onbekende voorwaarde"),
        ({"keywords": {"terms": []}}, "niet-lege lijst"),
        ({"keywords": {"terms": ["ab*"]}}, "minstens 3 letters"),
        ({"keywords": {"terms": ["mes"], "fields": ["relaas"]}}, "Onbekend tekstveld"),
        ({"repeat_victim": {"min_registrations": 1, "days": 30}}, "vanaf 2"),
        ({"person": {"roles": ["boef"]}}, "onbekende rol"),
        (
            {"checklist": {"min": 3, "indicators": [{"code": "A", "label": "a", "terms": ["a"]}]}},
            "groter",
        ),
        ({"all": []}, "niet-lege lijst"),
        ({"a": 1, "b": 2}, "precies één sleutel"),
    ],
)
def test_bad_conditions_say_what_is_wrong(spec: Any, message: str) -> None:
    with pytest.raises(RuleError, match=message):
        parse_condition(spec, known_roles=["victim", "suspect"])


def test_rule_checks_queue_and_severity() -> None:
    base = {
        "code": "X1",
        "title": "t",
        "rationale": "r",
        "queue": "Q",
        "severity": "hoog",
        "condition": {"kinds": ["aangifte"]},
    }
    assert parse_rule(base, queues=["Q"]).code == "X1"
    with pytest.raises(RuleError, match="onbekende wachtrij"):
        parse_rule(base, queues=["R"])
    with pytest.raises(RuleError, match="ernst"):
        parse_rule({**base, "severity": "enorm"})
    with pytest.raises(RuleError, match="code"):
        parse_rule({**base, "code": "x y"})


# --- The shipped rules -------------------------------------------------------------------------

RULES = [parse_rule(s) for s in json.loads(DATA_FILE.read_text(encoding="utf-8"))["rules"]]


def fired(r: RegFacts) -> set[str]:
    return {x.rule for x in evaluate(r, RULES)}


def test_shipped_rules_fire_on_their_examples() -> None:
    egg = text(
        "Aangeefster verklaarde dat haar broer haar bedreigde omdat zij de familie-eer zou "
        "hebben geschonden; haar paspoort ingenomen en zij vreest een gedwongen huwelijk."
    )
    assert fired(egg) == {"EGG"}
    assert fired(text("Volgens de melder ging het om eerwraak.")) == {"EGG"}
    assert fired(text("Hij werd met een mes bedreigd.")) == {"WAPEN"}
    assert fired(reg(incident_codes=("F72",), categories=("3.1.3",))) == {"WAPEN"}
    child = PersonFact("victim", 1, dt.date(2010, 1, 1))
    assert fired(reg(categories=("1.4.5",), persons=(child,))) == {"KWETSBAAR"}
    demented = reg(categories=("1.4.4",), texts={"narrative": "Het slachtoffer heeft dementie."})
    assert fired(demented) == {"KWETSBAAR"}
    victim = PersonFact("victim", 2)
    assert fired(reg(categories=("1.4.5",), persons=(victim,), victim_counts={(2, 365): 3})) == {
        "HERHAALD"
    }
    # A repeat victim of bicycle theft is no red flag.
    assert (
        fired(reg(categories=("1.2.3",), persons=(victim,), victim_counts={(2, 365): 5})) == set()
    )
    assert repeat_windows(RULES) == {365}


def test_shipped_rules_near_misses() -> None:
    assert fired(text("Er is geen wapen gezien en geen mes gebruikt.")) == set()
    assert fired(text("Fiets gestolen bij het station; slot doorgeknipt.")) == set()
    assert fired(text("Zij werd eerder al beroofd; meer weet zij niet.")) == set()
    # A child victim of a bicycle theft is no red flag.
    child = PersonFact("victim", 1, dt.date(2010, 1, 1))
    assert fired(reg(categories=("1.2.3",), persons=(child,))) == set()
    # Only one checklist indicator.
    assert fired(text("Hij sprak over de eer van de familie.")) == set()
