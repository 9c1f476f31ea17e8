"""Tests for regie.organisation.lookup (pure Python, no Django)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from shapely.geometry import box

from regie.organisation.geodata import RD, WGS84, load_reference, point_to_rd
from regie.organisation.lookup import Location, Locator
from regie.organisation.structure import Area

DAM_SQUARE = (4.8925, 52.3731)  # lon, lat
DOM_TOWER_RD = (136_867.0, 455_892.0)
NORTH_SEA = (3.5, 53.0)  # lon, lat, some 60 km off the coast


@pytest.fixture(scope="module")
def locator() -> Locator:
    return Locator.from_reference(load_reference())


# --------------------------------------------------------------------------- the real data


def test_dam_square_wgs84(locator: Locator) -> None:
    hit = locator.locate(*DAM_SQUARE, crs=WGS84)
    assert hit is not None
    assert hit.municipality_code == "GM0363"
    assert hit.neighbourhood_code is not None
    assert hit.neighbourhood_code.startswith("WK0363")


def test_dom_tower_rd(locator: Locator) -> None:
    hit = locator.locate(*DOM_TOWER_RD)
    assert hit is not None
    assert hit.municipality_code == "GM0344"
    assert hit.neighbourhood_code is not None
    assert hit.neighbourhood_code.startswith("WK0344")
    assert locator.locate(*DOM_TOWER_RD, crs="EPSG:28992") == hit
    assert locator.locate(*DOM_TOWER_RD, crs="epsg:28992") == hit


def test_wgs84_and_rd_agree(locator: Locator) -> None:
    rd = point_to_rd(*DAM_SQUARE, WGS84)
    assert locator.locate(*rd, crs=RD) == locator.locate(*DAM_SQUARE, crs=WGS84)


def test_north_sea_is_nowhere(locator: Locator) -> None:
    assert locator.locate(*NORTH_SEA, crs=WGS84) is None
    assert locator.locate(*point_to_rd(*NORTH_SEA, WGS84)) is None


def test_swapped_lat_lon_is_not_found(locator: Locator) -> None:
    # (lat, lon) instead of (lon, lat): a valid position in the Indian Ocean.
    assert locator.locate(DAM_SQUARE[1], DAM_SQUARE[0], crs=WGS84) is None


@pytest.mark.parametrize(
    ("x", "y", "crs", "message"),
    [
        (math.nan, 455_892.0, RD, "finite"),
        (136_867.0, math.inf, RD, "finite"),
        (4.9, -math.inf, WGS84, "finite"),
        (4.9, 95.0, WGS84, "out of range"),
        (200.0, 52.0, WGS84, "out of range"),
        (136_867.0, 455_892.0, "EPSG:999999", "Unknown CRS"),
        (136_867.0, 455_892.0, "not a crs", "Unknown CRS"),
        (136_867.0, 455_892.0, "", "Unknown CRS"),
    ],
)
def test_bad_input_raises(locator: Locator, x: float, y: float, crs: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        locator.locate(x, y, crs=crs)


def test_bad_bulk_input_raises(locator: Locator) -> None:
    with pytest.raises(ValueError, match="Coordinate 1 "):
        locator.locate_many([136_867.0, math.nan], [455_892.0, 455_892.0])
    with pytest.raises(ValueError, match="values"):
        locator.locate_many([1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match="numbers"):
        locator.locate_many(["abc"], [1.0])


def test_locate_many_matches_locate(locator: Locator) -> None:
    rng = np.random.default_rng(20200101)
    xs = rng.uniform(0, 290_000, 5_000)
    ys = rng.uniform(300_000, 630_000, 5_000)
    many = locator.locate_many(xs, ys)
    assert len(many) == 5_000
    found = [hit for hit in many if hit is not None]
    assert 0.2 * len(many) < len(found) < 0.9 * len(many)  # land and sea
    assert sum(1 for hit in found if hit.neighbourhood_code is not None) > 0.99 * len(found)
    for i in range(0, 5_000, 250):
        assert locator.locate(float(xs[i]), float(ys[i])) == many[i]
    assert locator.locate_many([], []) == []


def test_locate_many_wgs84(locator: Locator) -> None:
    hits = locator.locate_many(
        [DAM_SQUARE[0], NORTH_SEA[0]], [DAM_SQUARE[1], NORTH_SEA[1]], crs=WGS84
    )
    assert hits[0] is not None and hits[0].municipality_code == "GM0363"
    assert hits[1] is None


def test_every_wijk_finds_itself(locator: Locator) -> None:
    ref = load_reference()
    points = [n.geometry_wgs84.representative_point() for n in ref.neighbourhoods]
    hits = locator.locate_many([p.x for p in points], [p.y for p in points], crs=WGS84)
    municipality_of = {n.code: n.municipality_code for n in ref.neighbourhoods}
    # Representative points lie inside their own wijk; only where the simplified outlines
    # overlap another wijk may a point be given to a neighbour (then in the same municipality
    # or one of its neighbours).
    same = sum(
        1
        for n, hit in zip(ref.neighbourhoods, hits, strict=True)
        if hit is not None and hit.neighbourhood_code == n.code
    )
    assert same >= 0.97 * len(points)
    for n, hit in zip(ref.neighbourhoods, hits, strict=True):
        assert hit is not None, n.code
        assert hit.neighbourhood_code is not None
        assert municipality_of[hit.neighbourhood_code] == hit.municipality_code


# --------------------------------------------------------------------------- synthetic


def _area(code: str, municipality: str, x0: float, y0: float, x1: float, y1: float) -> Area:
    return Area(code, code, "RE01", municipality, 0, box(x0, y0, x1, y1))


@pytest.fixture(scope="module")
def toy() -> Locator:
    """Two municipalities side by side; their wijken do not match the outlines exactly."""
    municipalities = [
        _area("GM0001", "GM0001", 0, 0, 1000, 1000),
        _area("GM0002", "GM0002", 1000, 0, 2000, 1000),
    ]
    neighbourhoods = [
        # Wijk of GM0001 that sticks 50 m into GM0002.
        _area("WK000101", "GM0001", 0, 0, 1050, 500),
        _area("WK000201", "GM0002", 1000, 0, 2000, 500),
        # GM0001's northern wijk leaves a 20 m gap along the northern edge.
        _area("WK000102", "GM0001", 0, 500, 1000, 980),
        _area("WK000202", "GM0002", 1000, 500, 2000, 1000),
    ]
    return Locator(neighbourhoods, municipalities)


def test_toy_plain_hits(toy: Locator) -> None:
    assert toy.locate(100, 100) == Location("WK000101", "GM0001")
    assert toy.locate(1500, 800) == Location("WK000202", "GM0002")


def test_toy_overlap_prefers_wijk_of_containing_municipality(toy: Locator) -> None:
    # (1025, 100) lies in WK000101 and WK000201, and in municipality GM0002 only: not the
    # first wijk by code but the one of the municipality that contains the point.
    assert toy.locate(1025, 100) == Location("WK000201", "GM0002")
    # On the shared boundary of two wijken of one municipality: the first by code.
    assert toy.locate(500, 500) == Location("WK000101", "GM0001")


def test_toy_gap_snaps_to_nearest_wijk_of_municipality(toy: Locator) -> None:
    # (500, 990) is in GM0001 but in no wijk: nearest wijk of GM0001 is 10 m away.
    assert toy.locate(500, 990) == Location("WK000102", "GM0001")


def test_toy_just_outside_the_outline(toy: Locator) -> None:
    # 50 m north of GM0001's outline: nearest municipality within 100 m.
    assert toy.locate(500, 1050) == Location("WK000102", "GM0001")
    # 30 m north of the shared corner, equidistant: the first municipality by code, and its
    # wijk 50 m away.
    assert toy.locate(1000, 1030) == Location("WK000102", "GM0001")
    # 150 m away: nowhere.
    assert toy.locate(500, 1150) is None
    assert toy.locate(-150, 500) is None


def test_toy_without_tolerance() -> None:
    municipalities = [_area("GM0001", "GM0001", 0, 0, 1000, 1000)]
    neighbourhoods = [_area("WK000101", "GM0001", 0, 0, 1000, 900)]
    strict = Locator(neighbourhoods, municipalities, max_distance_m=0)
    assert strict.locate(500, 950) == Location(None, "GM0001")
    assert strict.locate(500, 1050) is None


def test_locator_rejects_bad_construction() -> None:
    m = _area("GM0001", "GM0001", 0, 0, 1, 1)
    with pytest.raises(ValueError, match="unknown municipalities"):
        Locator([_area("WK999901", "GM9999", 0, 0, 1, 1)], [m])
    with pytest.raises(ValueError, match="duplicate"):
        Locator([], [m, m])
    with pytest.raises(ValueError, match="at least one"):
        Locator([], [])
    with pytest.raises(ValueError, match="max_distance_m"):
        Locator([], [m], max_distance_m=-1)
