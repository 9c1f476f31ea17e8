"""Triage: every category rule, the order, the raise for a link with the Netherlands, the
second confirmation, SLA deadlines, and the text classifier (pure: no database)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from regie.legal_assistance.messages import Message, from_dict
from regie.legal_assistance.traffic import TrafficConfig, generate_traffic
from regie.legal_assistance.triage import (
    DEFAULT_SLA,
    Category,
    Priority,
    RegisterHit,
    TextClassifier,
    message_text,
    queue_key,
    triage,
)

RECEIVED = dt.datetime(2019, 11, 4, 9, 0, tzinfo=dt.UTC)


def msg(kind: str, *, subject: dict[str, Any] | None = None, **fields: Any) -> Message:
    person: dict[str, Any] = {
        "forename": "Youssef",
        "name": "El Amrani",
        "date_of_birth": "1985-03-04",
        "nationalities": ["MA"],
    }
    person.update(subject or {})
    if kind in ("red_notice", "sirene_alert") or fields.get("purpose") == "arrest":
        person.setdefault("arrest_warrants", [{"charge": "Drug trafficking"}])
    data: dict[str, Any] = {
        "kind": kind,
        "channel": {"sirene_alert": "sirene", "mla_request": "judicial"}.get(kind, "interpol"),
        "references": {"issuing": "FR/2019/1"},
        "issuing_country": "FR",
        "received_at": RECEIVED.isoformat(),
        "subjects": [person],
    }
    data.update(fields)
    return from_dict(data)


CATEGORY_CASES = [
    ("orange_notice", {}, {}, Category.THREAT, "orange_notice"),
    ("un_special_notice", {}, {}, Category.THREAT, "un_special_notice"),
    ("blue_notice", {"flags": ["terrorism"]}, {}, Category.THREAT, "flag_terrorism"),
    ("diffusion", {"purpose": "information", "flags": ["imminent_threat"]}, {},
     Category.THREAT, "flag_imminent_threat"),
    ("red_notice", {}, {"arrest_warrants": [{"charge": "Участие в террористической организации"}]},
     Category.THREAT, "charge_terrorism"),
    ("red_notice", {}, {}, Category.ARREST, "arrest"),
    ("diffusion", {"purpose": "arrest"}, {}, Category.ARREST, "arrest"),
    ("sirene_alert", {"sirene_article": 26}, {}, Category.ARREST, "arrest"),
    ("pnr_hit", {"purpose": "arrest"}, {}, Category.ARREST, "arrest"),
    ("yellow_notice", {}, {}, Category.MISSING, "missing"),
    ("sirene_alert", {"sirene_article": 32}, {}, Category.MISSING, "missing"),
    ("diffusion", {"purpose": "missing"}, {}, Category.MISSING, "missing"),
    ("black_notice", {}, {}, Category.MISSING, "missing"),
    ("blue_notice", {}, {}, Category.INFORMATION, "information"),
    ("green_notice", {}, {}, Category.INFORMATION, "information"),
    ("diffusion", {"purpose": "locate"}, {}, Category.INFORMATION, "information"),
    ("sirene_alert", {"sirene_article": 36}, {}, Category.INFORMATION, "information"),
    ("europol_message", {"channel": "europol"}, {}, Category.INFORMATION, "information"),
    ("mla_request", {}, {}, Category.INFORMATION, "information"),
]  # fmt: skip


@pytest.mark.parametrize(("kind", "fields", "subject", "category", "code"), CATEGORY_CASES)
def test_each_category_rule(
    kind: str, fields: dict[str, Any], subject: dict[str, Any], category: Category, code: str
) -> None:
    result = triage(msg(kind, subject=subject, **fields))
    assert result.category is category
    assert result.reasons[0].code == code
    assert result.reasons[0].points > 0
    assert not result.nl_link


def test_base_priorities_and_order() -> None:
    threat = triage(msg("orange_notice"))
    arrest = triage(msg("red_notice"))
    missing = triage(msg("yellow_notice"))
    info = triage(msg("blue_notice"))
    assert [r.priority for r in (threat, arrest, missing, info)] == [
        Priority.URGENT,
        Priority.HIGH,
        Priority.NORMAL,
        Priority.LOW,
    ]
    assert threat.score > arrest.score > missing.score > info.score
    assert threat.needs_second_confirmation
    assert not any(r.needs_second_confirmation for r in (arrest, missing, info))
    assert "Oranje notice" in threat.reason_texts[0]
    assert threat.label.startswith("prioriteit 1 (spoed)")


NL_LINKS = [
    ({"nationalities": ["MA", "NL"]}, (), "nl_nationality"),
    ({"addresses": [{"country": "NL", "text": "Kerkstraat 1, Utrecht"}]}, (), "nl_address"),
    ({"country_of_birth": "NL"}, (), "nl_birth"),
    ({"place_of_birth": "Rotterdam, Netherlands"}, (), "nl_birth"),
    ({}, True, "register_hit"),
    ({}, [RegisterHit(0, "open zaken", "zaak 2019-123")], "register_hit"),
]


@pytest.mark.parametrize(("subject", "hits", "code"), NL_LINKS)
def test_a_link_with_the_netherlands_raises_the_priority(
    subject: dict[str, Any], hits: Any, code: str
) -> None:
    plain = triage(msg("red_notice"))
    linked = triage(msg("red_notice", subject=subject), register_hits=hits)
    assert linked.nl_link
    assert linked.priority is Priority.URGENT  # raised from HIGH
    assert linked.needs_second_confirmation
    assert linked.score > plain.score
    codes = [r.code for r in linked.reasons]
    assert code in codes and "raised" in codes and "second_confirmation" in codes
    info = triage(msg("blue_notice", subject=subject), register_hits=hits)
    assert info.priority is Priority.NORMAL  # raised from LOW


def test_the_raise_is_one_level_however_many_links() -> None:
    subject = {
        "nationalities": ["NL"],
        "country_of_birth": "NL",
        "addresses": [{"country": "NL"}],
    }
    result = triage(
        msg("blue_notice", subject=subject),
        register_hits=[RegisterHit(0, "personen"), RegisterHit(0, "signaleringen")],
    )
    assert result.priority is Priority.NORMAL
    hit = next(r for r in result.reasons if r.code == "register_hit")
    assert hit.text == (
        "Persoon is bekend in de registers van Regie: 2 treffers (personen, signaleringen)"
    )
    assert result.score < 100 * (5 - int(Priority.HIGH))  # points never cross a level


def test_threat_stays_urgent_with_a_link() -> None:
    result = triage(msg("orange_notice", subject={"nationalities": ["NL"]}))
    assert result.priority is Priority.URGENT
    assert "raised" not in [r.code for r in result.reasons]


def test_a_missing_minor_raises_the_priority() -> None:
    child = triage(msg("yellow_notice", subject={"date_of_birth": "2010-06-01"}))
    assert child.priority is Priority.HIGH
    assert "missing_minor" in [r.code for r in child.reasons]
    flagged = triage(msg("yellow_notice", flags=["minor"]))
    assert flagged.priority is Priority.HIGH
    adult = triage(msg("yellow_notice", subject={"date_of_birth": "1990"}))
    assert adult.priority is Priority.NORMAL
    # Only the year known: a minor only when certainly under 18.
    borderline = triage(msg("yellow_notice", subject={"date_of_birth": "2001"}))
    assert borderline.priority is Priority.NORMAL


def test_points_without_a_change_of_level() -> None:
    base = triage(msg("diffusion", purpose="arrest"))
    flagged = triage(msg("diffusion", purpose="arrest", flags=["urgent", "armed_dangerous"]))
    assert flagged.priority is base.priority
    assert flagged.score == base.score + 15
    pnr = triage(msg("pnr_hit", purpose="arrest", channel="pnr"))
    assert pnr.score == base.score + 10


def test_deadline_is_the_sla_or_the_senders_earlier_one() -> None:
    for kind, priority in (
        ("orange_notice", Priority.URGENT),
        ("red_notice", Priority.HIGH),
        ("yellow_notice", Priority.NORMAL),
        ("blue_notice", Priority.LOW),
    ):
        result = triage(msg(kind))
        assert result.deadline == RECEIVED + DEFAULT_SLA[priority]
    short = triage(msg("blue_notice", deadline=(RECEIVED + dt.timedelta(hours=6)).isoformat()))
    assert short.deadline == RECEIVED + dt.timedelta(hours=6)
    assert {"short_deadline", "sender_deadline"} <= {r.code for r in short.reasons}
    custom = {p: dt.timedelta(days=int(p)) for p in Priority}
    assert triage(msg("blue_notice"), sla=custom).deadline == RECEIVED + dt.timedelta(days=4)


def test_queue_order() -> None:
    messages = [msg("blue_notice"), msg("orange_notice"), msg("yellow_notice"), msg("red_notice")]
    ordered = sorted(messages, key=lambda x: queue_key(triage(x), x))
    assert [x.kind.value for x in ordered] == [
        "orange_notice",
        "red_notice",
        "yellow_notice",
        "blue_notice",
    ]


def test_triage_of_synthetic_traffic_explains_every_item() -> None:
    traffic = generate_traffic(TrafficConfig(total=1500, seed=3))
    results = [
        triage(m, register_hits=h)
        for m, h in zip(traffic.messages, traffic.register_hits(), strict=True)
    ]
    assert {r.category for r in results} == set(Category)
    assert all(r.reasons and r.reasons[0].points for r in results)
    assert all(r.needs_second_confirmation == (r.priority is Priority.URGENT) for r in results)
    raised = [r for r in results if r.nl_link]
    assert raised and all(r.priority <= Priority.NORMAL for r in raised)


# --------------------------------------------------------------------------------------------
# Text classifier
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def classifier_data() -> tuple[list[str], list[str], list[str], list[str]]:
    train = generate_traffic(TrafficConfig(total=1500, seed=21))
    test = generate_traffic(TrafficConfig(total=600, seed=22))
    return (
        [message_text(m) for m in train.messages],
        train.categories(),
        [message_text(m) for m in test.messages],
        test.categories(),
    )


def test_the_classifier_proposes_a_category_with_its_confidence(
    classifier_data: tuple[list[str], list[str], list[str], list[str]],
) -> None:
    train_x, train_y, test_x, test_y = classifier_data
    model = TextClassifier().fit(train_x, train_y)
    proposal = model.predict("Importation de produits stupéfiants en bande organisée")
    assert proposal.category == "drug_trafficking"
    assert 0 < proposal.confidence <= 1
    assert len(proposal.alternatives) == 2
    assert all(p <= proposal.confidence for _, p in proposal.alternatives)
    assert model.predict("Убийство").category == "homicide"
    accuracy = model.accuracy(test_x, test_y)
    print(f"classifier accuracy on another synthetic stream: {accuracy:.3f}")
    assert accuracy >= 0.8
    small = TextClassifier().fit(train_x[:300], train_y[:300]).predict_many(test_x[:50])
    again = TextClassifier().fit(train_x[:300], train_y[:300]).predict_many(test_x[:50])
    assert small == again  # deterministic


def test_the_classifier_refuses_bad_use() -> None:
    with pytest.raises(RuntimeError):
        TextClassifier().predict("fraud")
    with pytest.raises(ValueError, match="two categories"):
        TextClassifier().fit(["a", "b"], ["x", "x"])
    with pytest.raises(ValueError, match="length"):
        TextClassifier().fit(["a"], ["x", "y"])
