from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from regie.tips.billing import (
    DEFAULT_CONNECTION_FEE,
    Municipality,
    OldModel,
    compare_models,
    comparison_csv,
    invoice_lines_2020,
    invoice_lines_old,
    load_municipalities,
    load_size_classes,
    parse_size_classes,
    size_class_for,
    total,
)
from regie.tips.routing import Recipient, RecipientKind, route_tip

#: Regie's copy of the CBS population per municipality (the same figures as the shared
#: ``gemeente_population.csv``; see ``organisation/data/PROVENANCE.md``).
POPULATION = (
    Path(__file__).resolve().parents[2] / "src/regie/organisation/data/gemeente_eenheid_2020.csv"
)

FIOD = Recipient("fiod", "FIOD", RecipientKind.AGENCY, frozenset({"fraude", "witwassen"}))
POLITIE_MN = Recipient(
    "re09",
    "Politie Midden-Nederland",
    RecipientKind.AGENCY,
    frozenset({"drugs", "wapens", "witwassen"}),
    frozenset({"GM0344", "GM0307"}),
)
UTRECHT = Recipient(
    "gm0344", "Gemeente Utrecht", RecipientKind.MUNICIPALITY, frozenset({"drugs"}),
    frozenset({"GM0344"}),
)  # fmt: skip
AMERSFOORT = Recipient(
    "gm0307", "Gemeente Amersfoort", RecipientKind.MUNICIPALITY,
    frozenset({"drugs", "witwassen"}), frozenset({"GM0307"}), active=False,
)  # fmt: skip
RECIPIENTS = [UTRECHT, AMERSFOORT, POLITIE_MN, FIOD]


def test_route_by_topic_and_area() -> None:
    routes = route_tip("drugs", "GM0344", RECIPIENTS)
    assert [r.recipient.id for r in routes] == ["re09", "gm0344"]  # agencies first
    assert "eigen gebied" in routes[1].reason
    assert [r.recipient.id for r in route_tip("witwassen", "GM0344", RECIPIENTS)] == [
        "fiod", "re09"
    ]  # fmt: skip
    # Amersfoort agreed to "witwassen" but is not active.
    assert [r.recipient.id for r in route_tip("witwassen", "GM0307", RECIPIENTS)] == [
        "fiod", "re09"
    ]  # fmt: skip


def test_route_outside_area_or_unknown_place() -> None:
    assert [r.recipient.id for r in route_tip("drugs", "GM0363", RECIPIENTS)] == []
    assert [r.recipient.id for r in route_tip("fraude", None, RECIPIENTS)] == ["fiod"]
    assert "landelijk" in route_tip("fraude", None, RECIPIENTS)[0].reason
    assert route_tip("mensenhandel", "GM0344", RECIPIENTS) == []


def test_municipality_needs_area() -> None:
    with pytest.raises(ValueError):
        Recipient("x", "X", RecipientKind.MUNICIPALITY, frozenset({"drugs"}))


def test_shipped_size_classes() -> None:
    classes = load_size_classes()
    fees = [c.annual_fee for c in classes]
    assert fees[0] == Decimal(300) and fees[-1] == Decimal(1500)  # the source's range
    assert fees == sorted(fees)
    assert size_class_for(0, classes).number == 1
    assert size_class_for(19_999, classes).annual_fee == 300
    assert size_class_for(20_000, classes).annual_fee == 600
    assert size_class_for(869_709, classes).annual_fee == 1500


def test_size_classes_must_join() -> None:
    with pytest.raises(ValueError, match="do not join"):
        parse_size_classes(
            "class,min_population,max_population,annual_fee_eur\n1,0,999,300\n2,2000,,1500\n"
        )
    with pytest.raises(ValueError, match="open-ended"):
        parse_size_classes("class,min_population,max_population,annual_fee_eur\n1,0,999,300\n")


def test_invoices_under_both_models() -> None:
    classes = load_size_classes()
    new = Municipality("GM0344", "Utrecht", 357_179, date(2021, 5, 1))
    lines = invoice_lines_2020(new, 2021, classes)
    assert [(line.description.split(" ")[0], line.amount) for line in lines] == [
        ("Jaarbijdrage", Decimal(1500)), ("Eenmalige", DEFAULT_CONNECTION_FEE)
    ]  # fmt: skip
    assert total(invoice_lines_2020(new, 2022, classes)) == Decimal(1500)
    assert invoice_lines_2020(new, 2020, classes) == []  # not yet connected
    old_connection = Municipality("GM0003", "Appingedam", 11_523, date(2015, 1, 1))
    assert total(invoice_lines_2020(old_connection, 2020, classes)) == Decimal(300)
    model = OldModel(Decimal("2000"), Decimal("40"))
    old = invoice_lines_old(old_connection, 2019, tips=12, model=model)
    assert total(old) == Decimal("2480") and old[1].quantity == 12
    assert len(invoice_lines_old(old_connection, 2019, tips=0, model=model)) == 1


def test_comparison_with_real_population() -> None:
    connected = {"GM0014": date(2016, 1, 1), "GM0344": date(2020, 3, 1), "GM0003": date(2018, 1, 1)}
    municipalities = load_municipalities(POPULATION, connected)
    assert len(municipalities) == 355
    rows = compare_models(
        municipalities, {"GM0014": 40, "GM0344": 25}, 2020, load_size_classes(),
        old_model=OldModel(Decimal("2500"), Decimal("50")),
    )  # fmt: skip
    assert [r.code for r in rows] == ["GM0003", "GM0014", "GM0344"]
    groningen = rows[1]
    assert groningen.size_class == 4 and groningen.total_2020 == Decimal(1200)
    assert groningen.total_old == Decimal(2500 + 40 * 50)
    assert groningen.difference == Decimal(1200 - 4500)
    utrecht = rows[2]
    assert utrecht.total_2020 == Decimal(1500) + DEFAULT_CONNECTION_FEE
    csv_text = comparison_csv(rows)
    assert csv_text.splitlines()[0].startswith("gemeentecode,gemeente,inwoners")
    assert "GM0014,Groningen,231112,4,40,1200.00,4500.00,-3300.00" in csv_text
