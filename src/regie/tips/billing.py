"""Billing of connected municipalities: the 2020 model and the old model, for comparison.

From the source (*Halfjaarbericht politie 2019, bijlage*, "Meld Misdaad Anoniem"):

* Old model: connected municipalities (about fifty) "betalen een vaste jaarbijdrage en een
  bijdrage per melding" - an annual fee plus a fee per tip received.
* 2020 model, from 1 January 2020: an annual fee "tussen de 300 en 1500 euro, afhankelijk van
  de grootte van de gemeente", no fee per tip, and a one-off connection fee for newly
  connecting municipalities.

Assumptions (parameters, not facts): the size classes and their amounts between EUR 300 and
EUR 1,500 (``data/mma_size_classes_2020.csv``, see ``data/README.md``); the one-off connection
fee (the source gives no amount; :data:`DEFAULT_CONNECTION_FEE` is a placeholder); the old
model's annual fee and fee per tip (not in the source; :data:`OLD_MODEL_PLACEHOLDER` is a
placeholder); a full annual fee for the year of connection (no pro-rating); municipalities
connected before 2020 pay no connection fee under the 2020 model. All amounts are
:class:`~decimal.Decimal` euros; population is the municipality's population (e.g. CBS
1 January of the year).
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Final

SIZE_CLASSES_FILE: Final = "mma_size_classes_2020.csv"
#: Placeholder: the source names a one-off connection fee without an amount.
DEFAULT_CONNECTION_FEE: Final = Decimal("1000.00")
#: The 2020 model starts on this date (source).
MODEL_2020_START: Final = date(2020, 1, 1)


@dataclass(frozen=True, slots=True)
class SizeClass:
    number: int
    min_population: int
    max_population: int | None
    annual_fee: Decimal

    def contains(self, population: int) -> bool:
        return self.min_population <= population and (
            self.max_population is None or population <= self.max_population
        )


@dataclass(frozen=True, slots=True)
class OldModel:
    """The pre-2020 model: annual fee plus a fee per tip (amounts are assumptions)."""

    annual_fee: Decimal
    fee_per_tip: Decimal


#: Placeholder amounts for the old model (not in the source; replace with the real ones).
OLD_MODEL_PLACEHOLDER: Final = OldModel(annual_fee=Decimal("2500.00"), fee_per_tip=Decimal("50.00"))


@dataclass(frozen=True, slots=True)
class Municipality:
    code: str
    name: str
    population: int
    #: When the municipality connected to the tip line (``None``: not connected).
    connected_on: date | None


@dataclass(frozen=True, slots=True)
class InvoiceLine:
    municipality_code: str
    year: int
    description: str
    quantity: int
    unit_price: Decimal

    @property
    def amount(self) -> Decimal:
        return self.unit_price * self.quantity


def parse_size_classes(text: str) -> tuple[SizeClass, ...]:
    """Size classes from CSV text (columns ``class, min_population, max_population,
    annual_fee_eur``); checked to be contiguous, from 0, and open-ended at the top."""
    rows = [
        SizeClass(
            number=int(row["class"]),
            min_population=int(row["min_population"]),
            max_population=int(row["max_population"]) if row["max_population"] else None,
            annual_fee=Decimal(row["annual_fee_eur"]),
        )
        for row in csv.DictReader(io.StringIO(text))
    ]
    rows.sort(key=lambda c: c.min_population)
    if not rows or rows[0].min_population != 0 or rows[-1].max_population is not None:
        raise ValueError("size classes must start at 0 and be open-ended at the top")
    for before, after in itertools.pairwise(rows):
        if before.max_population is None or before.max_population + 1 != after.min_population:
            raise ValueError(f"size classes {before.number} and {after.number} do not join")
    return tuple(rows)


def load_size_classes(path: Path | None = None) -> tuple[SizeClass, ...]:
    """The shipped size classes, or those in ``path``."""
    if path is not None:
        return parse_size_classes(path.read_text(encoding="utf-8"))
    text = resources.files("regie.tips").joinpath("data", SIZE_CLASSES_FILE).read_text("utf-8")
    return parse_size_classes(text)


def load_municipalities(
    path: Path, connected: Mapping[str, date] | None = None
) -> list[Municipality]:
    """Municipalities from a CSV with a code, a name and a ``population`` column: the
    CBS-style ``Municipality_code``/``Municipality_name`` (``gemeente_population.csv``) or
    Regie's reference ``gemeente_code``/``gemeente_naam``
    (``organisation/data/gemeente_eenheid_2020.csv``); ``connected`` gives the connection
    dates by code."""
    connected = connected or {}
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    out = []
    for row in rows:
        code = row.get("Municipality_code") or row["gemeente_code"]
        name = row.get("Municipality_name") or row["gemeente_naam"]
        out.append(Municipality(code, name, int(row["population"]), connected.get(code)))
    return out


def size_class_for(population: int, classes: Iterable[SizeClass]) -> SizeClass:
    for size_class in classes:
        if size_class.contains(population):
            return size_class
    raise ValueError(f"no size class for population {population}")


def _connected_in(municipality: Municipality, year: int) -> bool:
    return municipality.connected_on is not None and municipality.connected_on.year <= year


def invoice_lines_2020(
    municipality: Municipality,
    year: int,
    classes: Iterable[SizeClass],
    *,
    connection_fee: Decimal = DEFAULT_CONNECTION_FEE,
) -> list[InvoiceLine]:
    """The year's invoice under the 2020 model: the annual fee by size class, plus the
    one-off connection fee in the year of connection (connections from 2020 on). The number
    of tips does not matter."""
    if not _connected_in(municipality, year):
        return []
    size_class = size_class_for(municipality.population, classes)
    lines = [
        InvoiceLine(
            municipality.code,
            year,
            f"Jaarbijdrage Meld Misdaad Anoniem {year} (grootteklasse {size_class.number})",
            1,
            size_class.annual_fee,
        )
    ]
    connected_on = municipality.connected_on
    assert connected_on is not None
    if connected_on.year == year and connected_on >= MODEL_2020_START:
        lines.append(
            InvoiceLine(municipality.code, year, "Eenmalige aansluitkosten", 1, connection_fee)
        )
    return lines


def invoice_lines_old(
    municipality: Municipality, year: int, tips: int, model: OldModel = OLD_MODEL_PLACEHOLDER
) -> list[InvoiceLine]:
    """The year's invoice under the old model: annual fee plus a fee per tip received."""
    if not _connected_in(municipality, year):
        return []
    lines = [
        InvoiceLine(
            municipality.code, year, f"Jaarbijdrage {year} (oud model)", 1, model.annual_fee
        )
    ]
    if tips:
        lines.append(
            InvoiceLine(
                municipality.code, year, "Bijdrage per melding (oud model)", tips, model.fee_per_tip
            )
        )
    return lines


def total(lines: Iterable[InvoiceLine]) -> Decimal:
    return sum((line.amount for line in lines), Decimal("0.00"))


@dataclass(frozen=True, slots=True)
class ComparisonRow:
    code: str
    name: str
    population: int
    size_class: int
    tips: int
    total_2020: Decimal
    total_old: Decimal

    @property
    def difference(self) -> Decimal:
        """2020 minus old: negative means the municipality pays less under the 2020 model."""
        return self.total_2020 - self.total_old


def compare_models(
    municipalities: Iterable[Municipality],
    tips_by_code: Mapping[str, int],
    year: int,
    classes: Iterable[SizeClass],
    *,
    connection_fee: Decimal = DEFAULT_CONNECTION_FEE,
    old_model: OldModel = OLD_MODEL_PLACEHOLDER,
) -> list[ComparisonRow]:
    """Per connected municipality, the year's total under both models, by code."""
    classes = tuple(classes)
    rows = []
    for m in municipalities:
        if not _connected_in(m, year):
            continue
        tips = tips_by_code.get(m.code, 0)
        rows.append(
            ComparisonRow(
                m.code,
                m.name,
                m.population,
                size_class_for(m.population, classes).number,
                tips,
                total(invoice_lines_2020(m, year, classes, connection_fee=connection_fee)),
                total(invoice_lines_old(m, year, tips, old_model)),
            )
        )
    rows.sort(key=lambda r: r.code)
    return rows


def comparison_csv(rows: Iterable[ComparisonRow]) -> str:
    """The comparison as CSV text (Dutch headers, amounts with a decimal point)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        ["gemeentecode", "gemeente", "inwoners", "grootteklasse", "meldingen",
         "totaal_model_2020", "totaal_oud_model", "verschil"]
    )  # fmt: skip
    for r in rows:
        writer.writerow(
            [r.code, r.name, r.population, r.size_class, r.tips,
             f"{r.total_2020:.2f}", f"{r.total_old:.2f}", f"{r.difference:.2f}"]
        )  # fmt: skip
    return out.getvalue()
