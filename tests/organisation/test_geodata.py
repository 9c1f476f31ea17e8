"""Tests for regie.organisation.geodata (pure Python, no Django)."""

from __future__ import annotations

import csv
import json
import math
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
import shapely
from hypothesis import given
from hypothesis import strategies as st
from shapely.geometry import MultiPolygon, Point, Polygon, box

from regie.organisation import geodata
from regie.organisation.geodata import (
    NON_RESIDENTIAL,
    RD,
    WGS84,
    MunicipalityRecord,
    NeighbourhoodRecord,
    ReferenceData,
    UnitRecord,
    estimate_neighbourhood_population,
    geometry_from_geojson,
    geometry_to_geojson,
    largest_remainder,
    load_reference,
    point_to_rd,
    polygonal,
    to_rd,
    to_wgs84,
)

TOTAL_POPULATION = 17_427_806

# The Onze Lieve Vrouwetoren in Amersfoort, origin of the RD grid.
AMERSFOORT_WGS84 = (5.38720621, 52.15517440)
AMERSFOORT_RD = (155_000.0, 463_000.0)


@pytest.fixture(scope="module")
def ref() -> ReferenceData:
    return load_reference()


# --------------------------------------------------------------------------- real data


def test_counts(ref: ReferenceData) -> None:
    assert len(ref.units) == 10
    assert len(ref.municipalities) == 355
    assert len(ref.neighbourhoods) == 3177
    assert [u.code for u in ref.units] == [f"RE{i:02d}" for i in range(1, 11)]


def test_sorted_and_unique(ref: ReferenceData) -> None:
    for records in (ref.units, ref.municipalities, ref.neighbourhoods):
        codes = [r.code for r in records]
        assert codes == sorted(codes)
        assert len(set(codes)) == len(codes)
    assert all(re.fullmatch(r"GM\d{4}", m.code) for m in ref.municipalities)
    assert all(re.fullmatch(r"WK\d{6}", n.code) for n in ref.neighbourhoods)


def test_all_geometries_valid_and_polygonal(ref: ReferenceData) -> None:
    records: list[UnitRecord | MunicipalityRecord | NeighbourhoodRecord] = [
        *ref.units,
        *ref.municipalities,
        *ref.neighbourhoods,
    ]
    for record in records:
        geom = record.geometry_wgs84
        assert isinstance(geom, Polygon | MultiPolygon), record.code
        assert geom.is_valid, record.code
        assert not geom.is_empty, record.code


def test_invalid_source_geometries_are_repaired(ref: ReferenceData) -> None:
    with (geodata.DATA_DIR / geodata.NEIGHBOURHOOD_FILE).open(encoding="utf-8") as fh:
        features = json.load(fh)["features"]
    invalid = {
        f["properties"]["statcode"]
        for f in features
        if not shapely.geometry.shape(f["geometry"]).is_valid
    }
    assert len(invalid) == 12
    repaired = {n.code: n.geometry_wgs84 for n in ref.neighbourhoods if n.code in invalid}
    assert len(repaired) == 12
    assert all(g.is_valid and g.area > 0 for g in repaired.values())


def test_unit_display_name(ref: ReferenceData) -> None:
    names = {u.code: u.name for u in ref.units}
    assert names["RE06"] == "Den Haag"
    assert "DenHaag" not in names.values()


def test_population_totals(ref: ReferenceData) -> None:
    assert ref.total_population == TOTAL_POPULATION
    assert sum(m.population for m in ref.municipalities) == TOTAL_POPULATION
    assert sum(n.population_estimate for n in ref.neighbourhoods) == TOTAL_POPULATION


def test_wijk_estimates_sum_to_municipality(ref: ReferenceData) -> None:
    per_municipality: dict[str, int] = defaultdict(int)
    count: dict[str, int] = defaultdict(int)
    for n in ref.neighbourhoods:
        per_municipality[n.municipality_code] += n.population_estimate
        count[n.municipality_code] += 1
        assert n.population_estimate >= 0
    for m in ref.municipalities:
        assert count[m.code] >= 1, m.code
        assert per_municipality[m.code] == m.population, m.code


def test_every_municipality_has_a_known_unit(ref: ReferenceData) -> None:
    units = {u.code for u in ref.units}
    assert {m.unit_code for m in ref.municipalities} == units
    amsterdam = next(m for m in ref.municipalities if m.code == "GM0363")
    assert (amsterdam.name, amsterdam.unit_code) == ("Amsterdam", "RE05")


def test_estimate_favours_small_dense_wijken(ref: ReferenceData) -> None:
    # Square-root weighting: within a municipality a wijk with a quarter of the area of
    # another gets half (not a quarter) of its population.
    wijken = [
        n
        for n in ref.neighbourhoods
        if n.municipality_code == "GM0363" and not NON_RESIDENTIAL.search(n.name)
    ]
    smallest = min(wijken, key=lambda n: to_rd(n.geometry_wgs84).area)
    largest = max(wijken, key=lambda n: to_rd(n.geometry_wgs84).area)
    area_ratio = to_rd(smallest.geometry_wgs84).area / to_rd(largest.geometry_wgs84).area
    pop_ratio = smallest.population_estimate / largest.population_estimate
    assert pop_ratio == pytest.approx(math.sqrt(area_ratio), rel=0.01)
    assert pop_ratio > area_ratio


# --------------------------------------------------------------------------- estimates


def test_estimate_sqrt_area() -> None:
    # sqrt weights 1 : 2 : 3 -> 100 : 200 : 300
    result = estimate_neighbourhood_population(600, {"a": 1.0, "b": 4.0, "c": 9.0})
    assert result == {"a": 100, "b": 200, "c": 300}


def test_estimate_damps_ports_and_industrial_estates() -> None:
    names = {"a": "Centrum", "b": "Botlek-Europoort-Maasvlakte"}
    result = estimate_neighbourhood_population(1000, {"a": 1.0, "b": 1.0}, names)
    assert result["b"] < 30 and result["a"] + result["b"] == 1000


def test_largest_remainder_ties_by_key() -> None:
    assert largest_remainder(1, {"b": 1.0, "a": 1.0}) == {"a": 1, "b": 0}
    assert largest_remainder(5, {"x": 1.0, "y": 1.0}) == {"x": 3, "y": 2}


def test_largest_remainder_zero_weights_spread_evenly() -> None:
    assert largest_remainder(4, {"a": 0.0, "b": 0.0}) == {"a": 2, "b": 2}


def test_largest_remainder_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        largest_remainder(-1, {"a": 1.0})
    with pytest.raises(ValueError):
        largest_remainder(3, {})
    with pytest.raises(ValueError):
        largest_remainder(3, {"a": math.inf})
    assert largest_remainder(0, {}) == {}


@given(
    total=st.integers(min_value=0, max_value=10_000_000),
    weights=st.lists(
        st.floats(min_value=0.0, max_value=1e9, allow_nan=False), min_size=1, max_size=30
    ),
)
def test_largest_remainder_properties(total: int, weights: list[float]) -> None:
    named = {f"k{i:02d}": w for i, w in enumerate(weights)}
    result = largest_remainder(total, named)
    assert sum(result.values()) == total
    assert set(result) == set(named)
    weight_sum = math.fsum(named.values())
    for key, value in result.items():
        quota = total * named[key] / weight_sum if weight_sum > 0 else total / len(named)
        assert math.floor(quota) - 1e-6 <= value <= math.ceil(quota) + 1e-6


# --------------------------------------------------------------------------- reprojection


def test_point_to_rd_amersfoort() -> None:
    x, y = point_to_rd(*AMERSFOORT_WGS84, WGS84)
    assert x == pytest.approx(AMERSFOORT_RD[0], abs=2.0)
    assert y == pytest.approx(AMERSFOORT_RD[1], abs=2.0)
    assert point_to_rd(1.5, 2.5) == (1.5, 2.5)
    assert point_to_rd(1.5, 2.5, "epsg:28992") == (1.5, 2.5)


def test_point_to_rd_unknown_crs() -> None:
    with pytest.raises(ValueError, match="Unknown CRS"):
        point_to_rd(5.0, 52.0, "EPSG:999999")
    with pytest.raises(ValueError, match="Unknown CRS"):
        point_to_rd(5.0, 52.0, "")


def test_geometry_round_trip() -> None:
    square = box(5.0, 52.0, 5.01, 52.01)
    rd = to_rd(square)
    assert AMERSFOORT_RD[0] - 50_000 < rd.centroid.x < AMERSFOORT_RD[0] + 50_000
    assert 600_000 < rd.area < 1_300_000  # about 0.7 km x 1.1 km
    back = to_wgs84(rd)
    assert back.equals_exact(square, 1e-8)
    assert to_rd(Point(*AMERSFOORT_WGS84)).distance(Point(*AMERSFOORT_RD)) < 2.0


def test_transformer_is_cached() -> None:
    assert geodata.transformer(WGS84, RD) is geodata.transformer("epsg:4326", "EPSG:28992")


# --------------------------------------------------------------------------- geometry helpers


def test_polygonal_repairs_bowtie() -> None:
    bowtie = Polygon([(0, 0), (2, 2), (2, 0), (0, 2), (0, 0)])
    assert not bowtie.is_valid
    fixed = polygonal(bowtie)
    assert fixed.is_valid
    assert isinstance(fixed, MultiPolygon)
    assert fixed.area == pytest.approx(2.0)


def test_polygonal_drops_non_polygonal_parts() -> None:
    collection = shapely.GeometryCollection([box(0, 0, 1, 1), Point(5, 5)])
    assert polygonal(collection).equals(box(0, 0, 1, 1))
    assert polygonal(Point(1, 1)).is_empty


def _decimals(value: Any) -> int:
    if isinstance(value, float | int):
        text = repr(float(value))
        return len(text.split(".")[1]) if "." in text and "e" not in text else 0
    return max(_decimals(v) for v in value)


def test_geometry_to_geojson_rounds(ref: ReferenceData) -> None:
    geom = ref.municipalities[0].geometry_wgs84
    precise = shapely.affinity.translate(geom, 1.23456789e-6, 9.87654321e-6)
    data = geometry_to_geojson(precise)
    assert data["type"] in {"Polygon", "MultiPolygon"}
    assert _decimals(data["coordinates"]) <= 5
    back = geometry_from_geojson(data)
    assert back.is_valid
    # Each coordinate moves by at most half a unit of the 5th decimal.
    assert back.symmetric_difference(precise).area < precise.length * 1e-5
    json.dumps(data)  # plain JSON types only
    unrounded = geometry_to_geojson(precise, decimals=None)
    assert _decimals(unrounded["coordinates"]) > 5


def test_geometry_to_geojson_all_wijken_stay_valid(ref: ReferenceData) -> None:
    for n in ref.neighbourhoods:
        back = geometry_from_geojson(geometry_to_geojson(n.geometry_wgs84))
        assert back.is_valid, n.code


# --------------------------------------------------------------------------- synthetic files


def _write_dataset(directory: Path, *, csv_rows: list[dict[str, Any]]) -> None:
    def feature(props: dict[str, Any], geom: Any) -> dict[str, Any]:
        return {"type": "Feature", "properties": props, "geometry": shapely.geometry.mapping(geom)}

    def write(name: str, features: list[dict[str, Any]]) -> None:
        collection = {"type": "FeatureCollection", "features": features}
        (directory / name).write_text(json.dumps(collection), encoding="utf-8")

    write(
        geodata.UNIT_FILE,
        [feature({"statcode": "RE06", "statnaam": "DenHaag"}, box(4.0, 52.0, 4.2, 52.1))],
    )
    write(
        geodata.MUNICIPALITY_FILE,
        [
            feature({"statcode": "GM0002", "statnaam": "Oost"}, box(4.1, 52.0, 4.2, 52.1)),
            feature({"statcode": "GM0001", "statnaam": "West"}, box(4.0, 52.0, 4.1, 52.1)),
        ],
    )
    bowtie = Polygon([(4.0, 52.0), (4.1, 52.1), (4.1, 52.0), (4.0, 52.1), (4.0, 52.0)])
    write(
        geodata.NEIGHBOURHOOD_FILE,
        [
            feature({"statcode": "WK000101", "statnaam": "W1", "gmCode": "GM0001"}, bowtie),
            feature(
                {"statcode": "WK000201", "statnaam": "O1", "gmCode": "GM0002"},
                box(4.1, 52.0, 4.2, 52.025),
            ),
            feature(
                {"statcode": "WK000202", "statnaam": "O2", "gmCode": "GM0002"},
                box(4.1, 52.025, 4.2, 52.1),
            ),
        ],
    )
    with (directory / geodata.MUNICIPALITY_UNIT_FILE).open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(
            fh,
            fieldnames=[
                "gemeente_code",
                "gemeente_naam",
                "eenheid_code",
                "eenheid_naam",
                "population",
            ],
        )
        writer.writeheader()
        writer.writerows(csv_rows)


_ROWS = [
    {
        "gemeente_code": "GM0001",
        "gemeente_naam": "West",
        "eenheid_code": "RE06",
        "eenheid_naam": "DenHaag",
        "population": 1000,
    },
    {
        "gemeente_code": "GM0002",
        "gemeente_naam": "Oost",
        "eenheid_code": "RE06",
        "eenheid_naam": "DenHaag",
        "population": 3001,
    },
]


def test_load_synthetic_dataset(tmp_path: Path) -> None:
    _write_dataset(tmp_path, csv_rows=_ROWS)
    ref = load_reference(tmp_path)
    assert [u.name for u in ref.units] == ["Den Haag"]
    assert [m.code for m in ref.municipalities] == ["GM0001", "GM0002"]
    assert all(n.geometry_wgs84.is_valid for n in ref.neighbourhoods)
    estimates = {n.code: n.population_estimate for n in ref.neighbourhoods}
    assert estimates["WK000101"] == 1000
    # O2 has three times the area of O1: sqrt(3) = 1.73 times the population.
    assert estimates["WK000201"] + estimates["WK000202"] == 3001
    assert estimates["WK000202"] / estimates["WK000201"] == pytest.approx(math.sqrt(3), rel=0.01)


def test_load_rejects_missing_csv_row(tmp_path: Path) -> None:
    _write_dataset(tmp_path, csv_rows=_ROWS[:1])
    with pytest.raises(ValueError, match="GM0002"):
        load_reference(tmp_path)


def test_load_rejects_unknown_unit(tmp_path: Path) -> None:
    rows = [dict(_ROWS[0]), dict(_ROWS[1], eenheid_code="RE99")]
    _write_dataset(tmp_path, csv_rows=rows)
    with pytest.raises(ValueError, match="RE99"):
        load_reference(tmp_path)
