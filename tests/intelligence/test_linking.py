"""Series detection, the network layout and the drawings: pure, no database."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from regie.intelligence import drawing
from regie.intelligence.linking.detect import (
    Incident,
    Params,
    Proposal,
    candidate_pairs,
    detect,
    evaluate,
    phenomenon_of,
    series_of,
)
from regie.intelligence.linking.network import Node, bridging_objects, layout
from regie.synth.series_gen import SPECS, Anchor, label_of, plant

T0 = dt.datetime(2019, 3, 1, 12, tzinfo=dt.UTC)
MO = "cilinder afgebroken met kerntrekker; alleen sieraden weggenomen; slaapkamer doorzocht"
FILLER = [
    "fiets gestolen bij het station, slot was niet afgesloten",
    "portemonnee uit jaszak gerold in de tram",
    "ruit van de auto ingeslagen, navigatie weggenomen",
    "schuur opengebroken, grasmaaier weg",
    "winkeldiefstal van drank door jongeman",
    "tas gestolen van terras",
]


def inc(i: int, *, x: float, y: float, days: float, cat: str = "1.1.1", text: str = MO, **kw):  # type: ignore[no-untyped-def]
    return Incident(
        id=i,
        start=T0 + dt.timedelta(days=days),
        categories=frozenset({cat}),
        text=text,
        x=x,
        y=y,
        **kw,
    )


def noise(n: int, seed: int = 3) -> list[Incident]:
    rng = random.Random(seed)
    return [
        inc(
            1000 + k,
            x=150000 + rng.uniform(-20000, 20000),
            y=450000 + rng.uniform(-20000, 20000),
            days=rng.uniform(0, 60),
            cat=rng.choice(["1.1.1", "1.2.3", "1.2.1"]),
            text=rng.choice(FILLER) + f" in wijk {rng.randrange(40)}",
        )
        for k in range(n)
    ]


def test_blocking_keeps_pairs_close_in_space_and_time_only() -> None:
    items = [
        inc(1, x=0, y=0, days=0),
        inc(2, x=800, y=0, days=5),  # close: a candidate
        inc(3, x=9000, y=0, days=5),  # too far for a burglary
        inc(4, x=100, y=0, days=80),  # too late
    ]
    pairs = candidate_pairs(items, Params())
    assert pairs == {(0, 1)}


def test_shared_object_pairs_regardless_of_distance() -> None:
    items = [
        inc(1, x=0, y=0, days=0, objects=frozenset({"person:7"})),
        inc(2, x=50000, y=0, days=20, objects=frozenset({"person:7"})),
    ]
    assert candidate_pairs(items, Params()) == {(0, 1)}
    (proposal,) = detect(items)
    assert {r.code for r in proposal.reasons} >= {"object", "text"}
    assert any("person:7" in r.detail for r in proposal.reasons)


def test_mobile_banditry_compares_across_categories_and_municipalities() -> None:
    assert phenomenon_of("1.2.4") == phenomenon_of("2.5.2")
    text = "groep met folie beklede tas, grijze Transporter buitenlands kenteken"
    items = [
        inc(1, x=0, y=0, days=0, cat="1.2.4", text=text),
        inc(2, x=30000, y=0, days=3, cat="2.5.2", text=text + " cosmetica"),
    ]
    assert candidate_pairs(items, Params()) == {(0, 1)}


def test_every_proposal_explains_itself_and_near_repeats_alone_are_not_series() -> None:
    items = [
        inc(1, x=0, y=0, days=0),
        inc(2, x=300, y=0, days=2, text=MO.replace("sieraden", "sieraden en geld")),
        # Next door, next day, same category, but an unrelated story.
        inc(3, x=100, y=50, days=1, text="bewoner hoorde glasgerinkel, dader gevlucht op fiets"),
        *noise(60),
    ]
    proposals = detect(items)
    pairs = {(p.a, p.b) for p in proposals}
    assert (1, 2) in pairs
    assert (1, 3) not in pairs and (2, 3) not in pairs
    best = next(p for p in proposals if (p.a, p.b) == (1, 2))
    codes = {r.code for r in best.reasons}
    assert {"text", "distance", "time", "category"} <= codes
    assert best.score == pytest.approx(min(1.0, sum(r.weight for r in best.reasons)), abs=1e-3)
    assert all(r.detail for r in best.reasons)


def test_threshold_and_duplicate_ids() -> None:
    items = [inc(1, x=0, y=0, days=0), inc(2, x=300, y=0, days=2)]
    assert detect(items, Params(threshold=0.99)) == []
    assert len(detect(items, Params(threshold=0.3))) == 1
    with pytest.raises(ValueError, match="unique"):
        detect([inc(1, x=0, y=0, days=0), inc(1, x=1, y=0, days=0)])
    assert detect(items[:1]) == []


def test_series_are_connected_components() -> None:
    assert series_of([(1, 2), (2, 3), (7, 8), (9, 9)], min_size=2) == [[1, 2, 3], [7, 8]]
    assert series_of([(1, 2), (2, 3), (7, 8)], min_size=3) == [[1, 2, 3]]


def test_evaluate_counts_pairs() -> None:
    truth = {1: "A", 2: "A", 3: "A", 4: "B", 5: "B"}
    proposals = [
        Proposal(1, 2, 0.9, ()),
        Proposal(2, 3, 0.9, ()),
        Proposal(4, 6, 0.9, ()),  # a wrong link touching series B
    ]
    ev = evaluate(proposals, truth)
    assert ev.precision == pytest.approx(2 / 3)
    assert ev.true_pairs == 4  # 3 in A, 1 in B
    assert ev.recall == pytest.approx(3 / 4)


def test_planted_series_are_found_among_noise_without_a_database() -> None:
    anchors = [
        Anchor(136000 + 3000 * k, 455000 + 2000 * (k % 3), f"Wijk {k}", f"Gemeente {k % 4}")
        for k in range(12)
    ]
    planted = plant(
        random.Random(5), anchors, start=dt.date(2019, 3, 1), end=dt.date(2019, 4, 30), seed=5
    )
    assert {p.label for p in planted} == {s.label for s in SPECS}
    assert all(label_of(p.ref) == p.label for p in planted)
    assert all(len(p.registration.modus_operandi) <= 200 for p in planted)
    items = []
    truth = {}
    for n, p in enumerate(planted):
        r = p.registration
        items.append(
            Incident(
                id=n,
                start=r.occurred_from,
                categories=frozenset(
                    {
                        "1.1.1"
                        if r.offences[0].incident_code == "A20"
                        else {"A72": "1.2.3", "A50": "2.5.2", "A40": "1.2.4"}[
                            r.offences[0].incident_code
                        ]
                    }
                ),
                text=f"{r.modus_operandi}. {r.narrative}",
                x=r.x,
                y=r.y,
            )
        )
        truth[n] = p.label
    items += noise(400)
    ev = evaluate(detect(items), truth)
    assert ev.precision >= 0.9
    assert ev.recall >= 0.7


def test_plant_is_deterministic_and_refuses_no_anchors() -> None:
    anchors = [Anchor(136000, 455000, "Wijk", "Utrecht")]
    one = plant(
        random.Random(1), anchors, start=dt.date(2019, 1, 1), end=dt.date(2019, 2, 1), seed=1
    )
    two = plant(
        random.Random(1), anchors, start=dt.date(2019, 1, 1), end=dt.date(2019, 2, 1), seed=1
    )
    assert one == two
    assert all(
        dt.date(2019, 1, 1) <= p.registration.occurred_from.date() <= dt.date(2019, 2, 1)
        for p in one
    )
    with pytest.raises(ValueError):
        plant(random.Random(1), [], start=dt.date(2019, 1, 1), end=dt.date(2019, 2, 1), seed=1)
    assert label_of("synth:1:abc") is None


def test_network_layout_is_deterministic_and_finds_bridges() -> None:
    nodes = [
        Node("registration:1", "registration", "2019-1"),
        Node("registration:2", "registration", "2019-2"),
        Node("person:9", "person", "Jan Berg (verdachte)"),
        Node("good:4", "good", "fiets"),
    ]
    edges = [
        ("registration:1", "person:9"),
        ("registration:2", "person:9"),
        ("registration:1", "good:4"),
    ]
    placed, drawn = layout(nodes, edges)
    again, _ = layout(nodes, edges)
    assert placed == again
    assert all(0 <= n.x <= 1 and 0 <= n.y <= 1 for n in placed)
    assert len(drawn) == 3
    assert bridging_objects(nodes, edges) == ["person:9"]
    with pytest.raises(ValueError, match="unknown node"):
        layout(nodes, [("registration:1", "person:404")])


def test_drawings_escape_texts() -> None:
    nodes = [Node("person:1", "person", "<script>x</script>")]
    placed, drawn = layout(nodes, [])
    svg = drawing.network_svg(placed, drawn, title="t")
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    svg = drawing.map_svg([([0, 10, 10], [0, 0, 10])], [(5, 5, 1, '"><b>')], title="kaart")
    assert '"><b>' not in svg and svg.startswith("<svg")
    bars = drawing.bars_svg([("01-2019", 3), ("02-2019", 0)], title="trend")
    assert ">3</text>" in bars
