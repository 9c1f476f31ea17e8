"""Tests for regie.organisation.structure (pure Python, no Django)."""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import box

from regie.organisation.geodata import load_reference, to_rd
from regie.organisation.structure import (
    DISTRICT_TARGET_POP,
    Area,
    GeneratedStructure,
    adjacency_graph,
    atom_adjacency,
    generate_structure,
    is_connected,
    partition_balanced,
    structure_summary,
)

KM = 1000.0


# --------------------------------------------------------------------------- helpers


def municipality(
    code: str, x: float, y: float, population: int, *, unit: str = "RE01", size: float = 10 * KM
) -> Area:
    """A square municipality with its lower-left corner at (x, y) km."""
    return Area(
        code=code,
        name=f"Gemeente {code[2:]}",
        unit_code=unit,
        municipality_code=code,
        population=population,
        geometry_rd=box(x * KM, y * KM, x * KM + size, y * KM + size),
    )


def wijken_for(m: Area, n: int = 1) -> list[Area]:
    """Divide the municipality *m* into an n x n grid of wijken with equal population."""
    minx, miny, maxx, _ = m.geometry_rd.bounds
    step = (maxx - minx) / n
    base, extra = divmod(m.population, n * n)
    result = []
    for i in range(n * n):
        row, col = divmod(i, n)
        result.append(
            Area(
                code=f"WK{m.code[2:]}{i:02d}",
                name=f"Wijk {i:02d} {'Centrum' if i == 0 else f'Deel {i}'}",
                unit_code=m.unit_code,
                municipality_code=m.code,
                population=base + (1 if i < extra else 0),
                geometry_rd=box(
                    minx + col * step,
                    miny + row * step,
                    minx + (col + 1) * step,
                    miny + (row + 1) * step,
                ),
            )
        )
    return result


def grid(
    rows: int, cols: int, populations: Sequence[int], *, unit: str = "RE01", x0: float = 0.0
) -> list[Area]:
    """rows x cols touching square municipalities, codes in row-major order."""
    result = []
    for i, population in enumerate(populations):
        r, c = divmod(i, cols)
        code = f"GM{(i + 1) + (int(unit[2:]) * 100):04d}"
        result.append(municipality(code, x0 + c * 10, r * 10, population, unit=unit))
    assert len(result) == rows * cols
    return result


@dataclass(frozen=True)
class Checked:
    structure: GeneratedStructure
    graph: dict[str, tuple[str, ...]]


def check_invariants(
    municipalities: Sequence[Area],
    neighbourhoods: Sequence[Area],
    *,
    split_threshold: int = 150_000,
    district_target_pop: int = DISTRICT_TARGET_POP,
) -> Checked:
    """Generate a structure and assert the invariants that must always hold."""
    s = generate_structure(
        municipalities,
        neighbourhoods,
        split_threshold=split_threshold,
        district_target_pop=district_target_pop,
    )
    graph = atom_adjacency(municipalities, neighbourhoods, split_threshold=split_threshold)
    by_code = {a.code: a for a in [*municipalities, *neighbourhoods]}
    wijken_of: dict[str, list[str]] = {}
    for n in neighbourhoods:
        wijken_of.setdefault(n.municipality_code, []).append(n.code)

    # Every wijk in exactly one base team.
    covered = Counter(code for b in s.base_teams for code in b.neighbourhood_codes)
    assert set(covered) == {n.code for n in neighbourhoods}
    assert all(count == 1 for count in covered.values())

    # Municipalities: whole in one team, or split over several only above the threshold.
    whole = Counter(code for b in s.base_teams for code in b.municipality_codes)
    assert all(count == 1 for count in whole.values())
    for m in municipalities:
        teams = {
            b.code
            for b in s.base_teams
            if set(wijken_of.get(m.code, [])) & set(b.neighbourhood_codes)
        }
        if m.code in whole:
            assert len(teams) <= 1
        else:
            assert m.population > split_threshold, m.code
            assert len(teams) >= 2, m.code

    teams_by_code = {b.code: b for b in s.base_teams}
    for b in s.base_teams:
        # Whole municipalities' wijken are listed too.
        for code in b.municipality_codes:
            assert set(wijken_of.get(code, [])) <= set(b.neighbourhood_codes)
        # Never across unit borders.
        units = {by_code[code].unit_code for code in b.municipality_codes}
        units |= {
            by_code[by_code[code].municipality_code].unit_code for code in b.neighbourhood_codes
        }
        assert units == {b.unit_code}, b.code
        # Contiguous in the adjacency graph the generator works on.
        atoms = [
            *b.municipality_codes,
            *(
                c
                for c in b.neighbourhood_codes
                if by_code[c].municipality_code not in b.municipality_codes
            ),
        ]
        assert is_connected(atoms, graph), b.code
        # Population adds up.
        expected = sum(by_code[c].population for c in b.municipality_codes) + sum(
            by_code[c].population
            for c in b.neighbourhood_codes
            if by_code[c].municipality_code not in b.municipality_codes
        )
        assert b.population == expected
        assert re.fullmatch(rf"{b.unit_code}-B\d\d", b.code)
        assert b.district_code.startswith(b.unit_code + "-D")

    # Districts: partition the base teams, within a unit, contiguous.
    listed = Counter(code for d in s.districts for code in d.base_team_codes)
    assert set(listed) == set(teams_by_code)
    assert all(count == 1 for count in listed.values())
    for d in s.districts:
        assert re.fullmatch(rf"{d.unit_code}-D\d\d", d.code)
        members = [teams_by_code[c] for c in d.base_team_codes]
        assert all(t.unit_code == d.unit_code and t.district_code == d.code for t in members)
        assert d.population == sum(t.population for t in members)
        atoms = [
            a
            for t in members
            for a in [
                *t.municipality_codes,
                *(
                    c
                    for c in t.neighbourhood_codes
                    if by_code[c].municipality_code not in t.municipality_codes
                ),
            ]
        ]
        assert is_connected(atoms, graph), d.code

    # Names unique; population conserved.
    assert len({b.name for b in s.base_teams}) == len(s.base_teams)
    assert len({d.name for d in s.districts}) == len(s.districts)
    assert all(b.name.startswith("Basisteam ") for b in s.base_teams)
    assert all(d.name.startswith("District ") for d in s.districts)
    assert sum(b.population for b in s.base_teams) == sum(m.population for m in municipalities)
    assert [b.code for b in s.base_teams] == sorted(b.code for b in s.base_teams)
    assert [d.code for d in s.districts] == sorted(d.code for d in s.districts)
    return Checked(s, graph)


# --------------------------------------------------------------------------- graph helpers


def test_adjacency_tolerance_and_islands() -> None:
    a = municipality("GM0001", 0, 0, 1)
    b = municipality("GM0002", 10.1, 0, 1)  # 100 m gap: adjacent (simplified outlines)
    c = municipality("GM0003", 21.1, 0, 1)  # 1 km gap from b: an island, 1 km away
    d = municipality("GM0004", 81.1, 0, 1)  # 50 km from c: too far
    graph = adjacency_graph([a, b, c, d], tolerance_m=250, island_max_gap_m=30 * KM)
    assert graph == {
        "GM0001": ("GM0002",),
        "GM0002": ("GM0001", "GM0003"),
        "GM0003": ("GM0002",),
        "GM0004": (),
    }
    no_islands = adjacency_graph([a, b, c, d], tolerance_m=250, island_max_gap_m=0)
    assert no_islands["GM0003"] == ()


def test_island_links_to_nearest() -> None:
    mainland = [municipality("GM0001", 0, 0, 1), municipality("GM0002", 10, 0, 1)]
    island = municipality("GM0003", 25, 0, 1)  # 5 km from GM0002, 15 km from GM0001
    graph = adjacency_graph([*mainland, island])
    assert graph["GM0003"] == ("GM0002",)
    assert graph["GM0001"] == ("GM0002",)


def test_adjacency_rejects_duplicates() -> None:
    a = municipality("GM0001", 0, 0, 1)
    with pytest.raises(ValueError):
        adjacency_graph([a, a])


def test_is_connected() -> None:
    graph = {"a": ("b",), "b": ("a", "c"), "c": ("b",), "d": ()}
    assert is_connected(["a", "b", "c"], graph)
    assert not is_connected(["a", "c"], graph)
    assert not is_connected(["a", "d"], graph)
    assert is_connected(["d"], graph)
    assert not is_connected([], graph)


def test_partition_balanced_path() -> None:
    nodes = [f"n{i}" for i in range(10)]
    graph = {
        n: tuple(m for m in (f"n{i - 1}", f"n{i + 1}") if m in nodes) for i, n in enumerate(nodes)
    }
    weight = dict.fromkeys(nodes, 1.0)
    position = {n: (float(i), 0.0) for i, n in enumerate(nodes)}
    parts = partition_balanced(nodes, graph, weight, position, 2)
    assert sorted(len(p) for p in parts) == [5, 5]
    parts = partition_balanced(nodes, graph, weight, position, 3)
    assert sorted(len(p) for p in parts) == [3, 3, 4]
    assert all(is_connected(p, graph) for p in parts)


def test_partition_balanced_disconnected() -> None:
    graph = {"a": ("b",), "b": ("a",), "c": ()}
    weight = {"a": 1.0, "b": 1.0, "c": 1.0}
    position = {"a": (0.0, 0.0), "b": (1.0, 0.0), "c": (9.0, 0.0)}
    parts = partition_balanced(["a", "b", "c"], graph, weight, position, 1)
    assert sorted(parts) == [["a", "b"], ["c"]]  # one per component at least


# --------------------------------------------------------------------------- synthetic structures


def test_three_by_three_grid() -> None:
    ms = grid(3, 3, [40_000] * 9)
    ns = [w for m in ms for w in wijken_for(m)]
    checked = check_invariants(ms, ns)
    s = checked.structure
    # 360,000 inhabitants: three teams of 120,000 or four of 80,000-ish.
    assert 3 <= len(s.base_teams) <= 4
    assert all(60_000 <= b.population <= 150_000 for b in s.base_teams)
    assert all(b.municipality_codes for b in s.base_teams)
    assert len(s.districts) == min(3, len(s.base_teams))


def test_big_municipality_forms_own_team() -> None:
    pops = [120_000, 30_000, 30_000, 30_000]
    ms = grid(2, 2, pops)
    ns = [w for m in ms for w in wijken_for(m)]
    s = check_invariants(ms, ns).structure
    own = [b for b in s.base_teams if b.municipality_codes == (ms[0].code,)]
    assert len(own) == 1
    assert own[0].name == "Basisteam Gemeente 0101"
    # The other three (90,000) form one team named after the largest (ties by code).
    rest = [b for b in s.base_teams if b is not own[0]]
    assert len(rest) == 1
    assert rest[0].name == "Basisteam Gemeente 0102 e.o."


def test_two_municipalities_joined_name() -> None:
    ms = grid(1, 2, [50_000, 40_000])
    ns = [w for m in ms for w in wijken_for(m)]
    s = check_invariants(ms, ns).structure
    assert [b.name for b in s.base_teams] == ["Basisteam Gemeente 0101 en Gemeente 0102"]
    assert [d.name for d in s.districts] == ["District Gemeente 0101"]


def test_split_city_into_balanced_contiguous_parts() -> None:
    city = municipality("GM0100", 0, 0, 400_000, size=20 * KM)
    ns = wijken_for(city, 4)  # 16 wijken of 25,000
    checked = check_invariants([city], ns)
    s = checked.structure
    assert len(s.base_teams) == 4
    assert [b.population for b in s.base_teams] == [100_000] * 4
    assert all(b.municipality_codes == () for b in s.base_teams)
    assert all(len(b.neighbourhood_codes) == 4 for b in s.base_teams)
    names = sorted(b.name for b in s.base_teams)
    assert "Basisteam Gemeente 0100 Centrum" in names
    assert len(set(names)) == 4


def test_split_threshold_respected() -> None:
    city = municipality("GM0100", 0, 0, 150_000, size=20 * KM)
    ns = wijken_for(city, 2)
    s = check_invariants([city], ns).structure
    assert [b.municipality_codes for b in s.base_teams] == [("GM0100",)]
    s = check_invariants([city], ns, split_threshold=149_999).structure
    assert len(s.base_teams) == 2


def test_small_leftover_is_merged() -> None:
    # 100k, 100k and a 10k municipality in a row: the 10k is too small on its own.
    ms = grid(1, 3, [90_000, 90_000, 10_000])
    ns = [w for m in ms for w in wijken_for(m)]
    s = check_invariants(ms, ns).structure
    assert len(s.base_teams) == 2
    assert sorted(b.population for b in s.base_teams) == [90_000, 100_000]


def test_units_are_never_crossed() -> None:
    west = grid(2, 2, [30_000] * 4, unit="RE01")
    east = grid(2, 2, [30_000] * 4, unit="RE02", x0=20)  # touches the west unit
    ms = [*west, *east]
    ns = [w for m in ms for w in wijken_for(m)]
    s = check_invariants(ms, ns).structure
    assert {b.unit_code for b in s.base_teams} == {"RE01", "RE02"}
    assert next(d.code for d in s.districts if d.unit_code == "RE02") == "RE02-D01"
    assert next(b.code for b in s.base_teams if b.unit_code == "RE02") == "RE02-B01"


def test_island_joins_the_mainland() -> None:
    mainland = grid(1, 2, [40_000, 40_000])
    island = municipality("GM0199", 25, 0, 10_000)  # 5 km off the coast
    ms = [*mainland, island]
    ns = [w for m in ms for w in wijken_for(m)]
    s = check_invariants(ms, ns).structure
    assert len(s.base_teams) == 1
    assert s.base_teams[0].population == 90_000


def test_district_count_follows_population() -> None:
    ms = grid(4, 4, [60_000] * 16)  # 960,000 inhabitants
    ns = [w for m in ms for w in wijken_for(m)]
    s = check_invariants(ms, ns).structure
    assert 8 <= len(s.base_teams) <= 16
    assert len(s.districts) == 3  # clamped to at least 3
    s = check_invariants(ms, ns, district_target_pop=100_000).structure
    assert len(s.districts) == 6  # clamped to at most 6


def test_deterministic_and_order_independent() -> None:
    ms = grid(
        3,
        4,
        [
            25_000,
            80_000,
            45_000,
            30_000,
            60_000,
            20_000,
            35_000,
            90_000,
            15_000,
            50_000,
            40_000,
            70_000,
        ],
    )
    ns = [w for m in ms for w in wijken_for(m, 2)]
    first = generate_structure(ms, ns)
    assert generate_structure(ms, ns) == first
    assert generate_structure(list(reversed(ms)), list(reversed(ns))) == first


def test_rejects_bad_input() -> None:
    m = municipality("GM0001", 0, 0, 10)
    orphan = Area("WK999900", "x", "RE01", "GM9999", 1, box(0, 0, 1, 1))
    with pytest.raises(ValueError, match="GM9999"):
        generate_structure([m], [orphan])
    with pytest.raises(ValueError):
        generate_structure([m], [], min_pop=200_000)
    with pytest.raises(ValueError):
        generate_structure([m, m], [])


def test_summary_of_synthetic_structure() -> None:
    ms = grid(3, 3, [40_000] * 9)
    ns = [w for m in ms for w in wijken_for(m)]
    summary = structure_summary(generate_structure(ms, ns))
    assert summary["units"] == 1
    assert summary["population"] == 360_000
    assert summary["base_teams_outside_range"] == 0
    assert (
        summary["base_team_population_min"]
        <= summary["base_team_population_median"]
        <= summary["base_team_population_max"]
    )
    empty = structure_summary(GeneratedStructure(districts=(), base_teams=()))
    assert empty["base_teams"] == 0


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.integers(min_value=1, max_value=4),
    cols=st.integers(min_value=1, max_value=4),
    data=st.data(),
)
def test_invariants_on_random_grids(rows: int, cols: int, data: st.DataObject) -> None:
    pops = data.draw(
        st.lists(
            st.integers(min_value=1_000, max_value=400_000),
            min_size=rows * cols,
            max_size=rows * cols,
        )
    )
    ms = grid(rows, cols, pops)
    ns = [w for m in ms for w in wijken_for(m, 3)]
    check_invariants(ms, ns)


# --------------------------------------------------------------------------- the real data


@pytest.fixture(scope="module")
def real_areas() -> tuple[list[Area], list[Area]]:
    ref = load_reference()
    unit_of = {m.code: m.unit_code for m in ref.municipalities}
    municipalities = [
        Area(m.code, m.name, m.unit_code, m.code, m.population, to_rd(m.geometry_wgs84))
        for m in ref.municipalities
    ]
    neighbourhoods = [
        Area(
            n.code,
            n.name,
            unit_of[n.municipality_code],
            n.municipality_code,
            n.population_estimate,
            to_rd(n.geometry_wgs84),
        )
        for n in ref.neighbourhoods
    ]
    return municipalities, neighbourhoods


@pytest.fixture(scope="module")
def real(real_areas: tuple[list[Area], list[Area]]) -> Checked:
    return check_invariants(*real_areas)


def test_real_counts_plausible(real: Checked) -> None:
    s = real.structure
    assert 140 <= len(s.base_teams) <= 200
    assert 30 <= len(s.districts) <= 60
    per_unit = Counter(d.unit_code for d in s.districts)
    assert len(per_unit) == 10
    assert all(3 <= n <= 6 for n in per_unit.values())


def test_real_population_ranges(real: Checked) -> None:
    pops = [b.population for b in real.structure.base_teams]
    inside = sum(1 for p in pops if 60_000 <= p <= 150_000)
    assert inside >= 0.85 * len(pops)
    assert 80_000 <= statistics.median(pops) <= 120_000
    assert sum(pops) == 17_427_806


def test_real_split_municipalities(real: Checked) -> None:
    whole = {c for b in real.structure.base_teams for c in b.municipality_codes}
    split = {"GM0363", "GM0599", "GM0518", "GM0344"}  # Amsterdam, Rotterdam, Den Haag, Utrecht
    assert not split & whole
    assert len(whole) == 355 - 18  # 18 municipalities above 150,000
    amsterdam = [
        b
        for b in real.structure.base_teams
        if any(c.startswith("WK0363") for c in b.neighbourhood_codes)
    ]
    assert len(amsterdam) == 9  # round(869,709 / 100,000)
    assert all(b.unit_code == "RE05" for b in amsterdam)
    assert "Basisteam Amsterdam Centrum" in {b.name for b in amsterdam}
    assert "Basisteam Den Haag Centrum" in {b.name for b in real.structure.base_teams}


def test_real_islands_are_attached(real: Checked) -> None:
    # Texel (GM0448) is linked to the mainland of its unit and shares a team with it.
    assert real.graph["GM0448"]
    team = next(b for b in real.structure.base_teams if "GM0448" in b.municipality_codes)
    assert len(team.municipality_codes) > 1


def test_real_deterministic(real_areas: tuple[list[Area], list[Area]], real: Checked) -> None:
    assert generate_structure(*real_areas) == real.structure


def test_real_summary(real: Checked) -> None:
    summary = structure_summary(real.structure)
    assert summary["base_teams"] == len(real.structure.base_teams)
    assert summary["units"] == 10
    assert summary["population"] == 17_427_806
