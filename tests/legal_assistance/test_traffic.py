"""Synthetic LIRC traffic: seeded, realistic volumes and mix, noise in names, duplicates across
channels with known truth, links with the Netherlands, malformed messages (pure)."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict

import pytest

from regie.legal_assistance.messages import MessageKind
from regie.legal_assistance.traffic import (
    OFFENCE_CATEGORIES,
    Traffic,
    TrafficConfig,
    generate_traffic,
)

CONFIG = TrafficConfig(start=dt.date(2019, 11, 4), days=14, per_day=300, seed=7)


@pytest.fixture(scope="module")
def traffic() -> Traffic:
    return generate_traffic(CONFIG)


def test_seeded_and_deterministic(traffic: Traffic) -> None:
    small = TrafficConfig(days=2, per_day=100, seed=7)
    assert [i.payload for i in generate_traffic(small).items] == [
        i.payload for i in generate_traffic(small).items
    ]
    other = TrafficConfig(days=2, per_day=100, seed=8)
    assert [i.payload for i in generate_traffic(other).items] != [
        i.payload for i in generate_traffic(small).items
    ]
    assert len(generate_traffic(TrafficConfig(days=3, total=123)).items) == 123


def test_volumes_of_hundreds_a_day(traffic: Traffic) -> None:
    # 10 weekdays at 300 and 4 weekend days at 180
    assert len(traffic.items) == 10 * 300 + 4 * 180
    per_day = Counter(i.received_at.date() for i in traffic.items)
    assert set(per_day) <= {CONFIG.start + dt.timedelta(days=d) for d in range(CONFIG.days)}
    weekdays = [n for d, n in per_day.items() if d.weekday() < 5]
    weekends = [n for d, n in per_day.items() if d.weekday() >= 5]
    assert min(weekdays) >= 100 and max(per_day.values()) < 600
    assert sum(weekends) / len(weekends) < sum(weekdays) / len(weekdays)
    moments = [i.received_at for i in traffic.items]
    assert moments == sorted(moments)


def test_realistic_mix(traffic: Traffic) -> None:
    kinds = Counter(m.kind for m in traffic.messages)
    assert set(kinds) == set(MessageKind)
    assert kinds.most_common(1)[0][0] is MessageKind.DIFFUSION
    assert len({m.issuing_country for m in traffic.messages}) >= 30
    assert {i.syntax for i in traffic.items} == {"json", "xml"}
    assert set(traffic.categories()) == set(OFFENCE_CATEGORIES)


def test_malformed_messages_fail_and_only_those(traffic: Traffic) -> None:
    bad = traffic.malformed_items
    assert all(i.malformed for i in bad)
    assert all(i.message is not None for i in traffic.items if not i.malformed)
    assert 0.003 < len(bad) / len(traffic.items) < 0.03
    codes = {e.code for i in bad for e in i.errors}
    assert {"xml_forbidden", "country", "unknown_field"} <= codes


def test_duplicates_across_channels_with_truth(traffic: Traffic) -> None:
    messages = traffic.messages
    groups = traffic.true_groups()
    assert sorted(i for g in groups for i in g) == list(range(len(messages)))
    combos: Counter[str] = Counter()
    for g in groups:
        kinds = {messages[i].kind.value for i in g}
        channels = {messages[i].channel.value for i in g}
        if {"diffusion", "red_notice"} <= kinds:
            first = min(g, key=lambda i: messages[i].received_at)
            combos["diffusion then red notice"] += messages[first].kind.value == "diffusion"
        if {"sirene", "interpol"} <= channels:
            combos["SIRENE and Interpol"] += 1
        refs = Counter(messages[i].references.issuing for i in g if messages[i].references.issuing)
        if any(n > 1 for n in refs.values()):
            combos["repeated request"] += 1
    assert combos["diffusion then red notice"] >= 20
    assert combos["SIRENE and Interpol"] >= 20
    assert combos["repeated request"] >= 20
    in_duplicates = sum(len(g) for g in groups if len(g) > 1) / len(messages)
    assert in_duplicates > 0.12  # messages that belong to a case with other messages


def test_transliteration_noise(traffic: Traffic) -> None:
    spellings: dict[str, set[str]] = defaultdict(set)
    for item in traffic.valid_items:
        assert item.message is not None
        for key, s in zip(item.person_keys, item.message.subjects, strict=False):
            spellings[key].add(f"{s.forename} {s.name}")
    varied = [v for v in spellings.values() if len(v) > 1]
    assert len(varied) >= 100
    everything = " ".join(" ".join(v) for v in spellings.values())
    for variant in ("Mohammed", "Muhammad", "Mohamed", "Youssef", "Yusuf"):
        assert variant in everything
    assert any("\u0400" <= c <= "\u04ff" for c in everything)  # Cyrillic script
    assert any("\u0600" <= c <= "\u06ff" for c in everything)  # Arabic script
    dobs: dict[str, set[str]] = defaultdict(set)
    for item in traffic.valid_items:
        assert item.message is not None
        for key, s in zip(item.person_keys, item.message.subjects, strict=False):
            if s.date_of_birth:
                dobs[key].add(str(s.date_of_birth))
    assert sum(len(v) > 1 for v in dobs.values()) >= 30  # typos, swaps, partial dates


def test_links_with_the_netherlands(traffic: Traffic) -> None:
    subjects = [s for m in traffic.messages for s in m.subjects]
    assert sum("NL" in s.nationalities for s in subjects) >= 50
    assert sum(s.country_of_birth == "NL" for s in subjects) >= 20
    assert sum(any(a.country == "NL" for a in s.addresses) for s in subjects) >= 20
    hits = traffic.register_hits()
    assert 0.01 < sum(hits) / len(hits) < 0.2


def test_as_dicts_is_json_ready(traffic: Traffic) -> None:
    rows = traffic.as_dicts()
    assert len(rows) == len(traffic.items)
    json.dumps(rows[:50])
    assert {"payload", "data", "case", "valid", "category"} <= set(rows[0])
    valid = next(i for i in traffic.items if i.message is not None)
    assert json.loads(json.dumps(valid.data))["kind"] == valid.message.kind.value  # type: ignore[union-attr]
