"""The framework's advice, rule versions and working-day deadlines (pure)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from regie.selection import deadlines, framework
from regie.selection.leads import LEAD_NAMES, CaseFeatures, offence_group

AMS = ZoneInfo("Europe/Amsterdam")


def rv(id_: int, key: str, version: int, **kw: object) -> framework.RuleVersion:
    base: dict[str, object] = {
        "scope_level": "national",
        "category_code": None,
        "always_take_up": False,
        "take_up_at": None,
        "reject_below": None,
        "damage_threshold": None,
        "rationale": f"r{id_}",
        "valid_from": dt.date(2018, 1, 1),
        "valid_to": None,
    }
    base.update(kw)
    return framework.RuleVersion(id=id_, key=key, version=version, **base)  # type: ignore[arg-type]


NATIONAL = rv(
    1, "national::*", 1, take_up_at=0.35, reject_below=0.1, damage_threshold=Decimal(1000)
)


def test_the_highest_valid_version_per_rule_wins_and_specific_beats_broad() -> None:
    v1 = rv(2, "base_team:T1:*", 1, scope_level="base_team", take_up_at=0.30)
    v2 = rv(3, "base_team:T1:*", 2, scope_level="base_team", take_up_at=0.20)
    future = rv(
        4,
        "base_team:T1:*",
        3,
        scope_level="base_team",
        take_up_at=0.9,
        valid_from=dt.date(2030, 1, 1),
    )
    rules = framework.effective_rules(
        [NATIONAL, v1, v2, future], category_code="1.2.3", day=dt.date(2019, 6, 1)
    )
    assert rules.take_up_at == 0.20
    assert rules.reject_below == 0.1
    assert rules.rule_ids == (1, 3)
    # Before the local rule existed, only the national one applies.
    early = framework.effective_rules(
        [
            NATIONAL,
            rv(
                5, "unit:U:*", 1, scope_level="unit", take_up_at=0.5, valid_from=dt.date(2020, 1, 1)
            ),
        ],
        category_code="1.2.3",
        day=dt.date(2019, 6, 1),
    )
    assert early.take_up_at == 0.35


def test_an_ended_rule_no_longer_applies_and_always_holds_from_any_level() -> None:
    prio = rv(
        6,
        "base_team:T1:1.2.3",
        1,
        scope_level="base_team",
        category_code="1.2.3",
        always_take_up=True,
        rationale="Fietsendiefstal rond het station",
        valid_to=dt.date(2019, 7, 1),
    )
    during = framework.effective_rules(
        [NATIONAL, prio], category_code="1.2.3", day=dt.date(2019, 6, 30)
    )
    after = framework.effective_rules(
        [NATIONAL, prio], category_code="1.2.3", day=dt.date(2019, 7, 1)
    )
    other = framework.effective_rules(
        [NATIONAL, prio], category_code="2.5.2", day=dt.date(2019, 6, 30)
    )
    assert during.always_take_up and "station" in during.always_because
    assert not after.always_take_up
    assert not other.always_take_up


def features(cat: str = "1.2.3", **leads: bool) -> CaseFeatures:
    return CaseFeatures(category_code=cat, high_impact=False, undermining=False, leads=leads)


class FixedModel:
    version = "sm-test"

    def __init__(self, p: float) -> None:
        self.p = p

    def predict(self, f: CaseFeatures) -> object:
        class P:
            probability = self.p
            contributions = [(n, 1.0) for n in f.present()]

        return P()


def test_advice_follows_the_rules_in_order() -> None:
    rules = framework.effective_rules([NATIONAL], category_code="1.2.3", day=dt.date(2019, 1, 2))
    hic = CaseFeatures("1.1.1", high_impact=True, undermining=False, leads={})
    assert framework.advise(hic, rules, None).decision == "take_up"
    assert framework.advise(features(), rules, FixedModel(0.9)).decision == "reject"
    assert framework.advise(features(witness=True), rules, None).decision == "assess"
    assert framework.advise(features(witness=True), rules, FixedModel(0.5)).decision == "take_up"
    assert framework.advise(features(witness=True), rules, FixedModel(0.2)).decision == "assess"
    low = framework.advise(features(witness=True), rules, FixedModel(0.05))
    assert low.decision == "reject"
    assert low.score == 0.05 and low.model_version == "sm-test"
    assert [f.name for f in low.factors] == ["witness"]
    assert "5%" in low.reasons[0]


@given(st.dictionaries(st.sampled_from(LEAD_NAMES), st.booleans()), st.floats(0, 1))
def test_advice_is_always_one_of_three_with_reasons(leads: dict[str, bool], p: float) -> None:
    rules = framework.effective_rules([NATIONAL], category_code="1.2.3", day=dt.date(2019, 1, 2))
    advice = framework.advise(features(**leads), rules, FixedModel(p))
    assert advice.decision in ("take_up", "reject", "assess")
    assert advice.reasons
    assert {f.name for f in advice.factors} == {n for n, v in leads.items() if v}


def test_offence_groups() -> None:
    assert offence_group("1.2.3") == "bicycle_theft"
    assert offence_group("2.5.2") == "shoplifting"
    assert offence_group("1.1.1") == "burglary"
    assert offence_group("1.2.1") == "vehicle_crime"
    assert offence_group("3.9.1") == "fraud"
    assert offence_group("1.4.5") == "violence"
    assert offence_group("9.9.9") == "other"


def test_working_days_skip_weekends_and_legal_holidays() -> None:
    friday = dt.datetime(2019, 3, 1, 21, 30, tzinfo=AMS)
    assert deadlines.screening_due(friday) == dt.datetime(2019, 3, 6, 21, 30, tzinfo=AMS)
    saturday = dt.datetime(2019, 3, 2, 10, 0, tzinfo=AMS)
    assert deadlines.screening_due(saturday).date() == dt.date(2019, 3, 6)
    # Easter Monday 22 April and Koningsdag (a Saturday in 2019) are not working days;
    # Good Friday is (the Algemene termijnenwet does not list it).
    thursday = dt.datetime(2019, 4, 18, 9, 0, tzinfo=AMS)
    assert deadlines.screening_due(thursday).date() == dt.date(2019, 4, 24)
    # 5 May counts every year, not only in lustrum years (2019-05-06 is a Monday).
    assert deadlines.is_working_day(dt.date(2021, 5, 5)) is False
    assert deadlines.is_working_day(dt.date(2019, 4, 19)) is True
    assert deadlines.zsm_due(friday) == friday + dt.timedelta(hours=6)


def test_a_version_that_ends_ends_the_rule_instead_of_reviving_an_older_one() -> None:
    v1 = rv(
        7,
        "base_team:T1:*",
        1,
        scope_level="base_team",
        always_take_up=True,
        valid_from=dt.date(2024, 1, 1),
    )
    v2 = rv(
        8,
        "base_team:T1:*",
        2,
        scope_level="base_team",
        always_take_up=True,
        valid_from=dt.date(2024, 1, 1),
        valid_to=dt.date(2025, 1, 1),
    )
    during = framework.effective_rules(
        [NATIONAL, v1, v2], category_code="1.2.3", day=dt.date(2024, 6, 1)
    )
    after = framework.effective_rules(
        [NATIONAL, v1, v2], category_code="1.2.3", day=dt.date(2025, 3, 1)
    )
    before = framework.effective_rules(
        [NATIONAL, v1, v2], category_code="1.2.3", day=dt.date(2023, 6, 1)
    )
    assert during.always_take_up and during.rule_ids == (1, 8)
    assert not after.always_take_up and after.rule_ids == (1,)
    assert not before.always_take_up
