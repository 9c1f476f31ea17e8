"""Generate a plausible stand-in for the police districts and base teams.

No public list exists of the Dutch police districts and base teams (basisteams) or of the
municipalities each base team covers, so Regie generates a **plausible, clearly generated**
structure from the municipalities and neighbourhoods (wijken) of each regional unit. It is
calibrated on the real figures: about 168 base teams and 43 districts for 17.4 million
inhabitants in 10 regional units, i.e. roughly 100,000 inhabitants per base team and four
districts per unit. ``regie org import-structure`` replaces it with the real structure.

The algorithm (pure Python, no Django, fully deterministic):

1. Per unit, the *atoms* are the municipalities, except that a municipality with more than
   ``split_threshold`` inhabitants is represented by its wijken. Atoms are adjacent when their
   (simplified) outlines are within ``adjacency_tolerance_m`` of each other; components that
   do not touch anything else (islands such as the Wadden islands) get an edge to their
   nearest atom in the same unit within ``island_max_gap_m``. The wijken of a split
   municipality are always linked into one component. See :func:`atom_adjacency`.
2. Each split municipality is divided into ``max(2, round(population / target_pop))``
   contiguous clusters of wijken with balanced population (recursive bisection by region
   growing from several peripheral start wijken, each refined by boundary moves; the best
   balanced result is kept).
3. The other municipalities are grouped by greedy region growing on the adjacency graph into
   contiguous groups of ``min_pop``..``max_pop`` inhabitants aiming at ``target_pop``; a
   municipality of ``target_pop``..``split_threshold`` forms a team on its own. Leftover
   groups below ``min_pop`` are merged into the adjacent team that stays smallest, then
   boundary moves improve the balance.
4. Base teams are grouped into contiguous districts, about four per unit (3 to 6, one per
   ``district_target_pop`` inhabitants), with balanced population (same method as step 2).

Base teams are named after the largest municipality they cover ("Basisteam Zaanstad",
"Basisteam Hoorn en Koggenland", "Basisteam Hoorn e.o."). Parts of a split municipality are
named "Centrum" (the part with the centre wijk) or after their compass direction from the
centre ("Basisteam Amsterdam Zuidoost"); if a direction is taken, after the wijk nearest to
their centre. Districts are named after their largest municipality ("District Zaanstad"), or,
if that municipality is split over several districts, after its largest part in the district
("District Amsterdam Centrum"). Names are unique nationally. Codes are ``RE01-D01`` and
``RE01-B01``, numbered per unit in code order of the municipalities and wijken they cover
(a district's base teams are numbered consecutively).

Population figures of split municipalities rest on the wijk population *estimates* of
:mod:`regie.organisation.geodata`, so their parts are balanced on estimates.

Nothing depends on random numbers or set iteration order: the same input always gives the
same output.
"""

from __future__ import annotations

import math
import re
import statistics
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

__all__ = [
    "DISTRICT_TARGET_POP",
    "Area",
    "BaseTeamPlan",
    "DistrictPlan",
    "GeneratedStructure",
    "adjacency_graph",
    "atom_adjacency",
    "generate_structure",
    "is_connected",
    "partition_balanced",
    "structure_summary",
]

Graph = dict[str, tuple[str, ...]]

_MAX_SEEDS = 12
"""Number of start nodes tried when partitioning into balanced groups."""

DISTRICT_TARGET_POP = 405_000
"""About 17.4 million inhabitants / 43 districts."""

# How a municipality is written in generated names where it differs from its official name.
_NAME_IN_TEAM_NAMES: Mapping[str, str] = {"'s-Gravenhage": "Den Haag"}
_WIJK_PREFIX = re.compile(r"^\s*wijk\s+\d+\s*[-:.]?\s*", re.IGNORECASE)
_CENTRE_NAME = re.compile(
    r"^(centrum|binnenstad|oude stad|stadscentrum|city|binnensingelgebied)\b", re.IGNORECASE
)


# --------------------------------------------------------------------------- data classes


@dataclass(frozen=True)
class Area:
    """A municipality or neighbourhood as input for the generator (geometry in RD metres).

    For a municipality, ``municipality_code`` equals ``code``. A neighbourhood's unit is taken
    from its municipality (its own ``unit_code`` is not used). ``population`` of a
    neighbourhood may be an estimate.
    """

    code: str
    name: str
    unit_code: str
    municipality_code: str
    population: int
    geometry_rd: BaseGeometry


@dataclass(frozen=True)
class BaseTeamPlan:
    """A generated base team."""

    code: str
    name: str
    unit_code: str
    district_code: str
    municipality_codes: tuple[str, ...]
    """Municipalities wholly inside this base team."""
    neighbourhood_codes: tuple[str, ...]
    """Every wijk the base team covers, including those of whole municipalities."""
    population: int


@dataclass(frozen=True)
class DistrictPlan:
    """A generated district: a contiguous group of base teams within one unit."""

    code: str
    name: str
    unit_code: str
    base_team_codes: tuple[str, ...]
    population: int


@dataclass(frozen=True)
class GeneratedStructure:
    """The generated districts and base teams, ordered by code."""

    districts: tuple[DistrictPlan, ...]
    base_teams: tuple[BaseTeamPlan, ...]


# --------------------------------------------------------------------------- graph helpers


def is_connected(nodes: Iterable[str], graph: Mapping[str, Sequence[str]]) -> bool:
    """Return whether *nodes* form one connected component of *graph* (empty: ``False``)."""
    members = set(nodes)
    if not members:
        return False
    start = min(members)
    seen = {start}
    stack = [start]
    while stack:
        node = stack.pop()
        for other in graph.get(node, ()):
            if other in members and other not in seen:
                seen.add(other)
                stack.append(other)
    return len(seen) == len(members)


def _components(nodes: Sequence[str], graph: Mapping[str, Sequence[str]]) -> list[list[str]]:
    """Connected components of the subgraph induced by *nodes*, each sorted, ordered by
    their smallest node."""
    members = set(nodes)
    seen: set[str] = set()
    result: list[list[str]] = []
    for start in sorted(members):
        if start in seen:
            continue
        seen.add(start)
        component = [start]
        stack = [start]
        while stack:
            node = stack.pop()
            for other in graph.get(node, ()):
                if other in members and other not in seen:
                    seen.add(other)
                    component.append(other)
                    stack.append(other)
        result.append(sorted(component))
    return result


def _add_edge(edges: dict[str, set[str]], a: str, b: str) -> None:
    if a != b:
        edges[a].add(b)
        edges[b].add(a)


def _freeze(edges: Mapping[str, set[str]]) -> Graph:
    return {node: tuple(sorted(edges[node])) for node in sorted(edges)}


def _connect_components(
    codes: Sequence[str],
    geometries: Sequence[BaseGeometry],
    edges: dict[str, set[str]],
    max_gap: float,
) -> None:
    """Link components of the graph *edges* restricted to *codes* (islands) in place.

    Every component except the biggest gets an edge to the nearest node outside it within
    *max_gap* metres (ties by code); repeated until nothing changes. Deterministic.
    """
    if len(codes) < 2:
        return
    index = {code: i for i, code in enumerate(codes)}
    geoms = np.asarray(geometries, dtype=object)
    tree = shapely.STRtree(geoms)
    frozen = _freeze(edges)
    while True:
        components = _components(list(codes), frozen)
        if len(components) < 2:
            return
        biggest = min(components, key=lambda c: (-len(c), c[0]))
        added = False
        for component in components:
            if component is biggest:
                continue
            inside = {index[c] for c in component}
            sources = np.asarray(sorted(inside), dtype=np.intp)
            if math.isfinite(max_gap):
                left, right = tree.query(geoms[sources], predicate="dwithin", distance=max_gap)
                left = sources[left]
            else:
                outside = np.asarray(
                    [i for i in range(len(codes)) if i not in inside], dtype=np.intp
                )
                left = np.repeat(sources, len(outside))
                right = np.tile(outside, len(sources))
            mask = np.asarray([int(r) not in inside for r in right], dtype=bool)
            if not mask.any():
                continue
            left, right = left[mask], right[mask]
            distances = shapely.distance(geoms[left], geoms[right])
            best = min(
                zip(distances.tolist(), left.tolist(), right.tolist(), strict=True),
                key=lambda t: (t[0], codes[t[1]], codes[t[2]]),
            )
            if best[0] <= max_gap:
                _add_edge(edges, codes[best[1]], codes[best[2]])
                added = True
        if not added:
            return
        frozen = _freeze(edges)


def adjacency_graph(
    areas: Sequence[Area], *, tolerance_m: float = 250.0, island_max_gap_m: float = 30_000.0
) -> Graph:
    """Adjacency graph of *areas*: ``{code: sorted neighbour codes}``.

    Two areas are adjacent when their outlines are within *tolerance_m* metres (the outlines
    are simplified, so real neighbours may show a small gap or overlap). Components that stay
    unconnected (islands) get an edge to their nearest area within *island_max_gap_m*.
    """
    codes = [a.code for a in areas]
    if len(set(codes)) != len(codes):
        raise ValueError("area codes must be unique")
    edges: dict[str, set[str]] = {code: set() for code in codes}
    if not areas:
        return {}
    geoms = np.asarray([a.geometry_rd for a in areas], dtype=object)
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="dwithin", distance=tolerance_m)
    for i, j in zip(left.tolist(), right.tolist(), strict=True):
        if i != j:
            _add_edge(edges, codes[i], codes[j])
    _connect_components(codes, list(geoms), edges, island_max_gap_m)
    return _freeze(edges)


# --------------------------------------------------------------------------- partitioning


@dataclass
class _Geo:
    """Per-node weight and position, for the partitioning helpers."""

    weight: dict[str, float]
    position: dict[str, tuple[float, float]]


def _centroid(nodes: Sequence[str], geo: _Geo) -> tuple[float, float]:
    total = sum(geo.weight[n] for n in nodes)
    if total <= 0:
        xs = [geo.position[n][0] for n in nodes]
        ys = [geo.position[n][1] for n in nodes]
        return statistics.fmean(xs), statistics.fmean(ys)
    x = math.fsum(geo.position[n][0] * geo.weight[n] for n in nodes) / total
    y = math.fsum(geo.position[n][1] * geo.weight[n] for n in nodes) / total
    return x, y


def _distance(a: tuple[float, float], b: tuple[float, float]) -> float:
    return math.hypot(a[0] - b[0], a[1] - b[1])


def _frontier(cluster: Iterable[str], pool: set[str], graph: Graph) -> list[str]:
    result: set[str] = set()
    for node in cluster:
        result.update(n for n in graph.get(node, ()) if n in pool)
    return sorted(result)


def _refine(
    groups: list[list[str]],
    graph: Graph,
    geo: _Geo,
    cost: Callable[[float], float],
    movable: Sequence[bool],
    max_rounds: int = 200,
) -> list[list[str]]:
    """Move boundary nodes between adjacent movable groups while the total cost decreases.

    If taking a node out of its group would cut the group in pieces, the smaller pieces
    (those hanging on that node) move along with it. Groups stay non-empty and connected.
    Deterministic (nodes in code order); terminates because the cost strictly decreases.
    """
    members = [set(g) for g in groups]
    sums = [math.fsum(geo.weight[n] for n in g) for g in groups]
    owner = {n: i for i, g in enumerate(groups) if movable[i] for n in g}
    for _ in range(max_rounds):
        improved = False
        for node in sorted(owner):
            a = owner[node]
            if len(members[a]) == 1:
                continue
            targets = sorted({owner[m] for m in graph.get(node, ()) if m in owner} - {a})
            if not targets:
                continue
            pieces = _components(sorted(members[a] - {node}), graph)
            keep = max(pieces, key=lambda c: (math.fsum(geo.weight[n] for n in c), -len(c)))
            moved = [node, *(n for c in pieces if c is not keep for n in c)]
            w = math.fsum(geo.weight[n] for n in moved)
            best: tuple[float, int] | None = None
            for b in targets:
                delta = cost(sums[a] - w) + cost(sums[b] + w) - cost(sums[a]) - cost(sums[b])
                if delta < -1e-9 and (best is None or delta < best[0]):
                    best = (delta, b)
            if best is None:
                continue
            b = best[1]
            for n in moved:
                members[a].discard(n)
                members[b].add(n)
                owner[n] = b
            sums[a] -= w
            sums[b] += w
            improved = True
        if not improved:
            break
    return [sorted(m) for m in members]


def _bisect(
    nodes: list[str], graph: Graph, geo: _Geo, k: int, seed: str | None = None
) -> list[list[str]]:
    """Split the connected *nodes* into *k* connected clusters of about equal weight.

    Recursive bisection: a part for ``k // 2`` clusters is grown from *seed* (default: the
    most peripheral node), sweeping towards the weighted centre, while the rest is kept
    connected.
    """
    if k <= 1 or len(nodes) <= 1:
        return [sorted(nodes)]
    k_first = k // 2
    k_rest = k - k_first
    total = math.fsum(geo.weight[n] for n in nodes)
    goal = total * k_first / k
    pool = set(nodes)
    centre = _centroid(nodes, geo)
    candidates = sorted(nodes, key=lambda n: (-_distance(geo.position[n], centre), n))
    if seed is None or seed not in pool:
        seed = next((s for s in candidates if is_connected(pool - {s}, graph)), candidates[0])
    origin = geo.position[seed]
    axis = (centre[0] - origin[0], centre[1] - origin[1])
    length = math.hypot(*axis) or 1.0

    def along(n: str) -> float:
        x, y = geo.position[n]
        return ((x - origin[0]) * axis[0] + (y - origin[1]) * axis[1]) / length

    part = [seed]
    pool.discard(seed)
    weight = geo.weight[seed]
    while len(pool) > k_rest and (weight < goal or len(part) < k_first):
        options = sorted(_frontier(part, pool, graph), key=lambda n: (along(n), n))
        pick = next((n for n in options if is_connected(pool - {n}, graph)), None)
        if pick is None:
            break
        new_weight = weight + geo.weight[pick]
        if len(part) >= k_first and new_weight > goal and new_weight - goal >= goal - weight:
            break
        part.append(pick)
        pool.discard(pick)
        weight = new_weight
    rest = sorted(pool)
    # Share out the clusters again by the weights actually reached.
    if k_first > 1 or k_rest > 1:
        share = round(k * weight / total) if total > 0 else k_first
        k_first = min(max(1, share), k - 1, len(part))
        k_rest = k - k_first
        if k_rest > len(rest):
            k_rest = len(rest)
            k_first = min(k - k_rest, len(part))
    return _bisect(sorted(part), graph, geo, k_first) + _bisect(rest, graph, geo, k_rest)


def partition_balanced(
    nodes: Sequence[str],
    graph: Graph,
    weight: Mapping[str, float],
    position: Mapping[str, tuple[float, float]],
    k: int,
) -> list[list[str]]:
    """Partition *nodes* into about *k* contiguous groups of balanced total weight.

    If the subgraph is disconnected, each component gets at least one group (so the result
    may have more than *k* groups) and the rest are allotted by weight.
    """
    ordered = sorted(nodes)
    if not ordered:
        return []
    k = max(1, min(k, len(ordered)))
    geo = _Geo(weight={n: float(weight[n]) for n in ordered}, position=dict(position))
    components = _components(ordered, graph)
    counts = _allot(components, geo, k)
    result: list[list[str]] = []
    for component, count in zip(components, counts, strict=True):
        count = min(count, len(component))
        if count <= 1:
            result.append(component)
            continue
        result.extend(_best_partition(component, graph, geo, count))
    return result


def _best_partition(nodes: list[str], graph: Graph, geo: _Geo, k: int) -> list[list[str]]:
    """Best of several bisections (seeded at the most peripheral nodes), each refined."""
    goal = math.fsum(geo.weight[n] for n in nodes) / k

    def cost(s: float) -> float:
        return (s - goal) ** 2

    centre = _centroid(nodes, geo)
    seeds = sorted(nodes, key=lambda n: (-_distance(geo.position[n], centre), n))
    seeds = [s for s in seeds if len(nodes) == 1 or is_connected(set(nodes) - {s}, graph)]
    best: tuple[float, list[list[str]]] | None = None
    starts: list[str | None] = [*seeds[:_MAX_SEEDS]] or [None]
    for seed in starts:
        clusters = _bisect(nodes, graph, geo, k, seed)
        clusters = _refine(clusters, graph, geo, cost, [True] * len(clusters))
        total = math.fsum(cost(math.fsum(geo.weight[n] for n in c)) for c in clusters)
        if best is None or total < best[0] - 1e-6:
            best = (total, clusters)
    assert best is not None
    return best[1]


def _allot(components: list[list[str]], geo: _Geo, k: int) -> list[int]:
    """Number of groups per component: at least one each, the rest by weight."""
    counts = [1] * len(components)
    extra = k - len(components)
    if extra <= 0:
        return counts
    weights = [math.fsum(geo.weight[n] for n in c) for c in components]
    for _ in range(extra):
        # give the next group to the component with the largest weight per group
        best = max(
            range(len(components)),
            key=lambda i: (
                weights[i] / counts[i] if counts[i] < len(components[i]) else -1.0,
                -i,
            ),
        )
        counts[best] += 1
    return counts


# --------------------------------------------------------------------------- the generator


@dataclass
class _Team:
    atoms: list[str]
    city: str | None = None  # the split municipality this team is a part of
    solo: bool = False  # a municipality big enough to form a team on its own
    stuck: bool = False  # a leftover without neighbours to merge with
    label: str = ""  # part of the name for parts of a split municipality ("Centrum")
    district: int = -1
    name: str = ""
    code: str = ""


def _validate(municipalities: Sequence[Area], neighbourhoods: Sequence[Area]) -> None:
    codes = [m.code for m in municipalities] + [n.code for n in neighbourhoods]
    if len(set(codes)) != len(codes):
        raise ValueError("area codes must be unique across municipalities and neighbourhoods")
    known = {m.code for m in municipalities}
    for n in neighbourhoods:
        if n.municipality_code not in known:
            raise ValueError(f"neighbourhood {n.code}: unknown municipality {n.municipality_code}")
    for a in [*municipalities, *neighbourhoods]:
        if a.population < 0:
            raise ValueError(f"{a.code}: negative population")


def _split_municipalities(
    municipalities: Sequence[Area], wijken_of: Mapping[str, list[Area]], split_threshold: int
) -> set[str]:
    return {
        m.code
        for m in municipalities
        if m.population > split_threshold and len(wijken_of.get(m.code, [])) >= 2
    }


def _atoms_per_unit(
    municipalities: Sequence[Area],
    wijken_of: Mapping[str, list[Area]],
    split: set[str],
) -> dict[str, tuple[list[Area], list[str]]]:
    """``{unit_code: (atoms, split municipality codes)}``; atoms sorted by code."""
    result: dict[str, tuple[list[Area], list[str]]] = {}
    for m in sorted(municipalities, key=lambda a: a.code):
        atoms, cities = result.setdefault(m.unit_code, ([], []))
        if m.code in split:
            atoms.extend(wijken_of[m.code])
            cities.append(m.code)
        else:
            atoms.append(m)
    for atoms, _ in result.values():
        atoms.sort(key=lambda a: a.code)
    return dict(sorted(result.items()))


def _group_by_municipality(neighbourhoods: Sequence[Area]) -> dict[str, list[Area]]:
    result: dict[str, list[Area]] = {}
    for n in sorted(neighbourhoods, key=lambda a: a.code):
        result.setdefault(n.municipality_code, []).append(n)
    return result


def atom_adjacency(
    municipalities: Sequence[Area],
    neighbourhoods: Sequence[Area],
    *,
    split_threshold: int = 150_000,
    adjacency_tolerance_m: float = 250.0,
    island_max_gap_m: float = 30_000.0,
) -> Graph:
    """The adjacency graph :func:`generate_structure` works on.

    Nodes are the municipalities, except that municipalities above *split_threshold* are
    replaced by their wijken. Edges never cross unit borders; the wijken of a split
    municipality are always linked into one component (nearest-neighbour edges if needed).
    """
    _validate(municipalities, neighbourhoods)
    wijken_of = _group_by_municipality(neighbourhoods)
    split = _split_municipalities(municipalities, wijken_of, split_threshold)
    graph: Graph = {}
    for atoms, cities in _atoms_per_unit(municipalities, wijken_of, split).values():
        unit_graph = adjacency_graph(
            atoms, tolerance_m=adjacency_tolerance_m, island_max_gap_m=island_max_gap_m
        )
        edges = {node: set(neighbours) for node, neighbours in unit_graph.items()}
        for city in cities:
            wijken = wijken_of[city]
            codes = [w.code for w in wijken]
            if not is_connected(codes, unit_graph):
                _connect_components(codes, [w.geometry_rd for w in wijken], edges, math.inf)
        graph.update(_freeze(edges))
    return dict(sorted(graph.items()))


def _group_cost(min_pop: int, max_pop: int, target_pop: int) -> Callable[[float], float]:
    def cost(population: float) -> float:
        outside = max(0.0, min_pop - population, population - max_pop)
        return ((population - target_pop) / target_pop) ** 2 + 10.0 * (outside / target_pop) ** 2

    return cost


def _grow_groups(
    nodes: list[str],
    graph: Graph,
    geo: _Geo,
    *,
    min_pop: int,
    max_pop: int,
    target_pop: int,
) -> list[list[str]]:
    """Greedy region growing of whole municipalities into groups of about *target_pop*."""
    if not nodes:
        return []
    groups: list[list[str]] = [[n] for n in nodes if geo.weight[n] >= target_pop]
    unassigned = {n for n in nodes if geo.weight[n] < target_pop}
    centre = _centroid(nodes, geo)

    def free_neighbours(n: str) -> int:
        return sum(1 for m in graph.get(n, ()) if m in unassigned)

    while unassigned:
        # Start in the most constrained, most peripheral place to avoid stranded leftovers.
        seed = min(
            unassigned,
            key=lambda n: (free_neighbours(n), -_distance(geo.position[n], centre), n),
        )
        group = [seed]
        unassigned.discard(seed)
        population = geo.weight[seed]
        while population < target_pop:
            here = _centroid(group, geo)
            options = [
                n
                for n in _frontier(group, unassigned, graph)
                if population + geo.weight[n] <= max_pop
            ]
            if not options:
                break
            pick = min(
                options,
                key=lambda n: (
                    -sum(1 for m in graph.get(n, ()) if m in group),
                    _distance(geo.position[n], here),
                    n,
                ),
            )
            new_population = population + geo.weight[pick]
            if population >= min_pop and new_population - target_pop > target_pop - population:
                break
            group.append(pick)
            unassigned.discard(pick)
            population = new_population
        groups.append(sorted(group))
    return groups


def _merge_leftovers(
    teams: list[_Team], graph: Graph, geo: _Geo, min_pop: int, max_pop: int
) -> None:
    """Merge teams below *min_pop* made of whole municipalities into an adjacent team, in place.

    The receiving team is the adjacent one that stays smallest (preferring one that stays
    within *max_pop* and is not part of a split municipality).
    """

    def pop(team: _Team) -> float:
        return math.fsum(geo.weight[a] for a in team.atoms)

    while True:
        owner = {a: i for i, t in enumerate(teams) for a in t.atoms}
        small = [
            i for i, t in enumerate(teams) if t.city is None and pop(t) < min_pop and not t.stuck
        ]
        if not small:
            return
        i = min(small, key=lambda j: (pop(teams[j]), teams[j].atoms[0]))
        team = teams[i]
        neighbours = sorted(
            {owner[m] for a in team.atoms for m in graph.get(a, ()) if m in owner} - {i}
        )
        if not neighbours:
            team.stuck = True
            continue
        size = pop(team)
        j = min(
            neighbours,
            key=lambda n: (
                pop(teams[n]) + size > max_pop,
                teams[n].city is not None or teams[n].solo,
                pop(teams[n]) + size,
                teams[n].atoms[0],
            ),
        )
        teams[j].atoms = sorted(teams[j].atoms + team.atoms)
        teams[j].solo = False
        del teams[i]


def _clean_wijk_name(name: str, city: str) -> str:
    """Wijk name without a "Wijk 07" prefix or a leading city name."""
    cleaned = _WIJK_PREFIX.sub("", name).strip(" -")
    lower, city_lower = cleaned.lower(), city.lower()
    if lower.startswith(city_lower) and lower[len(city_lower) : len(city_lower) + 1] in " -":
        cleaned = cleaned[len(city) :].strip(" -")
    return cleaned


_COMPASS = ("Oost", "Noordoost", "Noord", "Noordwest", "West", "Zuidwest", "Zuid", "Zuidoost")


def _compass(dx: float, dy: float) -> str:
    """Dutch 8-point compass direction of the vector (*dx*, *dy*) (x east, y north)."""
    angle = math.degrees(math.atan2(dy, dx)) % 360.0
    return _COMPASS[int(((angle + 22.5) % 360.0) // 45.0)]


def _city_centre(city: Area, wijken: Sequence[Area]) -> str:
    """Code of the wijk taken as the city centre: one named like a centre, else the smallest."""
    for wijk in wijken:
        if _CENTRE_NAME.match(_clean_wijk_name(wijk.name, city.name)):
            return wijk.code
    return min(wijken, key=lambda w: (float(w.geometry_rd.area), w.code)).code


def _label_city_teams(
    city: Area, teams: Sequence[_Team], wijken: Sequence[Area], geo: _Geo
) -> None:
    """Label the parts of a split municipality "Centrum", "Noord", "Zuidwest", ... in place.

    The part holding the centre wijk is "Centrum"; the others are named by the compass
    direction of their centre of population as seen from the city centre. If several parts
    lie in the same direction, the one nearest to the centre keeps the direction and the
    others are named after the wijk nearest to their own centre.
    """
    centre_code = _city_centre(city, wijken)
    centre = geo.position[centre_code]
    names = {w.code: _clean_wijk_name(w.name, city.name) for w in wijken}
    labelled: list[tuple[str, float, str, tuple[float, float], list[str], _Team]] = []
    for team in teams:
        own = sorted(a for a in team.atoms if a in names)
        here = _centroid(own, geo)
        if centre_code in team.atoms:
            direction = "Centrum"
        else:
            direction = _compass(here[0] - centre[0], here[1] - centre[1])
        labelled.append((direction, _distance(here, centre), own[0], here, own, team))
    used: set[str] = set()
    for direction, _, _, here, own, team in sorted(labelled, key=lambda t: t[:3]):
        label = direction
        if label.lower() in used:
            nearest = min(own, key=lambda a: (_distance(geo.position[a], here), a))
            label = names[nearest]
        team.label = _unique(label[:1].upper() + label[1:], used) if label else ""


def _display(name: str) -> str:
    return _NAME_IN_TEAM_NAMES.get(name, name)


def _unique(name: str, used: set[str]) -> str:
    candidate = name
    n = 2
    while candidate.lower() in used:
        candidate = f"{name} {n}"
        n += 1
    used.add(candidate.lower())
    return candidate


def generate_structure(
    municipalities: Sequence[Area],
    neighbourhoods: Sequence[Area],
    *,
    min_pop: int = 60_000,
    max_pop: int = 150_000,
    target_pop: int = 100_000,
    split_threshold: int = 150_000,
    adjacency_tolerance_m: float = 250.0,
    island_max_gap_m: float = 30_000.0,
    district_target_pop: int = DISTRICT_TARGET_POP,
    min_districts: int = 3,
    max_districts: int = 6,
) -> GeneratedStructure:
    """Generate districts and base teams for *municipalities* and their *neighbourhoods*.

    See the module docstring for the rules. Every neighbourhood ends up in exactly one base
    team; a municipality is either wholly inside one base team or (only if its population is
    above *split_threshold*) divided over several. Base teams and districts are contiguous
    (in the sense of :func:`atom_adjacency`) and never cross unit borders.
    """
    if not 0 < min_pop <= target_pop <= max_pop:
        raise ValueError("expected 0 < min_pop <= target_pop <= max_pop")
    if min_districts < 1 or max_districts < min_districts:
        raise ValueError("expected 1 <= min_districts <= max_districts")
    _validate(municipalities, neighbourhoods)
    wijken_of = _group_by_municipality(neighbourhoods)
    split = _split_municipalities(municipalities, wijken_of, split_threshold)
    graph = atom_adjacency(
        municipalities,
        neighbourhoods,
        split_threshold=split_threshold,
        adjacency_tolerance_m=adjacency_tolerance_m,
        island_max_gap_m=island_max_gap_m,
    )
    by_code = {a.code: a for a in [*municipalities, *neighbourhoods]}
    geo = _Geo(weight={}, position={})
    for atoms, _ in _atoms_per_unit(municipalities, wijken_of, split).values():
        centroids = shapely.centroid(np.asarray([a.geometry_rd for a in atoms], dtype=object))
        for a, c in zip(atoms, centroids, strict=True):
            geo.weight[a.code] = float(a.population)
            geo.position[a.code] = (float(c.x), float(c.y)) if not c.is_empty else (0.0, 0.0)

    units: list[tuple[str, list[_Team], list[list[int]]]] = []
    for unit_code, (atoms, cities) in _atoms_per_unit(municipalities, wijken_of, split).items():
        teams = _plan_base_teams(
            atoms,
            cities,
            wijken_of,
            by_code,
            graph,
            geo,
            min_pop=min_pop,
            max_pop=max_pop,
            target_pop=target_pop,
        )
        unit_population = math.fsum(a.population for a in atoms)
        n_districts = min(
            max(min_districts, round(unit_population / district_target_pop)), max_districts
        )
        units.append((unit_code, teams, _plan_districts(teams, graph, geo, n_districts)))

    return _finish(units, by_code, wijken_of)


def _plan_base_teams(
    atoms: Sequence[Area],
    cities: Sequence[str],
    wijken_of: Mapping[str, list[Area]],
    by_code: Mapping[str, Area],
    graph: Graph,
    geo: _Geo,
    *,
    min_pop: int,
    max_pop: int,
    target_pop: int,
) -> list[_Team]:
    """Base teams of one unit (steps 2 and 3 of the module docstring)."""
    teams: list[_Team] = []
    for city in cities:
        codes = [w.code for w in wijken_of[city]]
        k = max(2, round(by_code[city].population / target_pop))
        for cluster in partition_balanced(codes, graph, geo.weight, geo.position, k):
            teams.append(_Team(atoms=cluster, city=city))
    whole = [a.code for a in atoms if a.code == a.municipality_code]
    for group in _grow_groups(
        whole, graph, geo, min_pop=min_pop, max_pop=max_pop, target_pop=target_pop
    ):
        solo = len(group) == 1 and geo.weight[group[0]] >= target_pop
        teams.append(_Team(atoms=group, solo=solo))
    _merge_leftovers(teams, graph, geo, min_pop, max_pop)
    movable = [t.city is None and not t.solo for t in teams]
    cost = _group_cost(min_pop, max_pop, target_pop)
    refined = _refine([t.atoms for t in teams], graph, geo, cost, movable)
    for team, atoms_after in zip(teams, refined, strict=True):
        team.atoms = atoms_after
    for city in cities:
        _label_city_teams(by_code[city], [t for t in teams if t.city == city], wijken_of[city], geo)
    return teams


def _plan_districts(
    teams: Sequence[_Team], graph: Graph, geo: _Geo, n_districts: int
) -> list[list[int]]:
    """Contiguous groups of base teams (indices into *teams*) of balanced population."""
    team_ids = [f"{i:05d}" for i in range(len(teams))]
    owner = {a: tid for tid, t in zip(team_ids, teams, strict=True) for a in t.atoms}
    team_edges: dict[str, set[str]] = {tid: set() for tid in team_ids}
    for a, tid in owner.items():
        for m in graph.get(a, ()):
            if m in owner:
                _add_edge(team_edges, tid, owner[m])
    weight = {
        tid: math.fsum(geo.weight[a] for a in t.atoms)
        for tid, t in zip(team_ids, teams, strict=True)
    }
    position = {tid: _centroid(t.atoms, geo) for tid, t in zip(team_ids, teams, strict=True)}
    groups = partition_balanced(team_ids, _freeze(team_edges), weight, position, n_districts)
    return [[int(tid) for tid in group] for group in groups]


def _team_key(team: _Team, by_code: Mapping[str, Area]) -> tuple[str, str]:
    municipality = min(by_code[a].municipality_code for a in team.atoms)
    return municipality, min(team.atoms)


def _team_name(team: _Team, by_code: Mapping[str, Area]) -> str:
    if team.city is not None:
        city_name = _display(by_code[team.city].name)
        return f"Basisteam {city_name} {team.label}".rstrip()
    whole = sorted((by_code[a] for a in team.atoms), key=lambda m: (-m.population, m.code))
    if len(whole) == 1:
        return f"Basisteam {_display(whole[0].name)}"
    if len(whole) == 2:
        return f"Basisteam {_display(whole[0].name)} en {_display(whole[1].name)}"
    return f"Basisteam {_display(whole[0].name)} e.o."


def _finish(
    units: list[tuple[str, list[_Team], list[list[int]]]],
    by_code: Mapping[str, Area],
    wijken_of: Mapping[str, list[Area]],
) -> GeneratedStructure:
    used_team_names: set[str] = set()
    used_district_names: set[str] = set()
    base_teams: list[BaseTeamPlan] = []
    districts: list[DistrictPlan] = []
    for unit_code, teams, district_groups in units:
        ordered_districts = sorted(
            district_groups,
            key=lambda g: min(_team_key(teams[i], by_code) for i in g),
        )
        number = 0
        district_members: list[list[_Team]] = []
        for d, group in enumerate(ordered_districts, start=1):
            members = sorted((teams[i] for i in group), key=lambda t: _team_key(t, by_code))
            for team in members:
                number += 1
                team.code = f"{unit_code}-B{number:02d}"
                team.district = d
                team.name = _unique(_team_name(team, by_code), used_team_names)
            district_members.append(members)

        # Which district(s) each split municipality appears in, for district names.
        city_districts: dict[str, set[int]] = {}
        for d, members in enumerate(district_members, start=1):
            for team in members:
                if team.city is not None:
                    city_districts.setdefault(team.city, set()).add(d)

        for d, members in enumerate(district_members, start=1):
            district_code = f"{unit_code}-D{d:02d}"
            population = 0
            largest: tuple[int, str] | None = None  # (-population, code) of municipality
            for team in members:
                municipality_codes = sorted(
                    a for a in team.atoms if by_code[a].municipality_code == a
                )
                wijk_codes: list[str] = []
                for a in team.atoms:
                    if by_code[a].municipality_code == a:
                        wijk_codes.extend(w.code for w in wijken_of.get(a, []))
                    else:
                        wijk_codes.append(a)
                team_population = sum(by_code[a].population for a in team.atoms)
                population += team_population
                for a in team.atoms:
                    m = by_code[by_code[a].municipality_code]
                    candidate = (-m.population, m.code)
                    if largest is None or candidate < largest:
                        largest = candidate
                base_teams.append(
                    BaseTeamPlan(
                        code=team.code,
                        name=team.name,
                        unit_code=unit_code,
                        district_code=district_code,
                        municipality_codes=tuple(municipality_codes),
                        neighbourhood_codes=tuple(sorted(wijk_codes)),
                        population=team_population,
                    )
                )
            assert largest is not None
            biggest = by_code[largest[1]]
            name = f"District {_display(biggest.name)}"
            if len(city_districts.get(biggest.code, set())) > 1:
                lead = min(
                    (t for t in members if t.city == biggest.code),
                    key=lambda t: (-sum(by_code[a].population for a in t.atoms), t.code),
                )
                name = "District " + lead.name.removeprefix("Basisteam ")
            districts.append(
                DistrictPlan(
                    code=district_code,
                    name=_unique(name, used_district_names),
                    unit_code=unit_code,
                    base_team_codes=tuple(t.code for t in members),
                    population=population,
                )
            )
    return GeneratedStructure(
        districts=tuple(sorted(districts, key=lambda d: d.code)),
        base_teams=tuple(sorted(base_teams, key=lambda b: b.code)),
    )


# --------------------------------------------------------------------------- reporting


def structure_summary(
    structure: GeneratedStructure, *, min_pop: int = 60_000, max_pop: int = 150_000
) -> dict[str, int | float]:
    """Key figures of a generated structure, for logs and tests."""
    team_pops = sorted(b.population for b in structure.base_teams)
    district_pops = sorted(d.population for d in structure.districts)
    per_unit: dict[str, int] = {}
    for d in structure.districts:
        per_unit[d.unit_code] = per_unit.get(d.unit_code, 0) + 1
    below = sum(1 for p in team_pops if p < min_pop)
    above = sum(1 for p in team_pops if p > max_pop)
    return {
        "units": len(per_unit),
        "districts": len(structure.districts),
        "base_teams": len(structure.base_teams),
        "population": sum(team_pops),
        "base_team_population_min": team_pops[0] if team_pops else 0,
        "base_team_population_median": statistics.median(team_pops) if team_pops else 0,
        "base_team_population_max": team_pops[-1] if team_pops else 0,
        "base_teams_below_min": below,
        "base_teams_above_max": above,
        "base_teams_outside_range": below + above,
        "districts_per_unit_min": min(per_unit.values()) if per_unit else 0,
        "districts_per_unit_max": max(per_unit.values()) if per_unit else 0,
        "district_population_min": district_pops[0] if district_pops else 0,
        "district_population_median": statistics.median(district_pops) if district_pops else 0,
        "district_population_max": district_pops[-1] if district_pops else 0,
    }
