"""The network of linked cases (pure: no Django): registrations and the persons,
organisations, goods and locations involved in them, laid out with networkx."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import networkx as nx

KINDS = ("registration", "person", "organisation", "good", "location")


@dataclass(frozen=True)
class Node:
    key: str  # "registration:12", "person:5"
    kind: str
    label: str


@dataclass(frozen=True)
class PlacedNode:
    key: str
    kind: str
    label: str
    x: float  # 0..1
    y: float  # 0..1
    degree: int


def layout(
    nodes: Sequence[Node], edges: Sequence[tuple[str, str]], *, seed: int = 1
) -> tuple[list[PlacedNode], list[tuple[str, str]]]:
    """Positions in the unit square (spring layout, deterministic for a seed); edges between
    unknown nodes are refused."""
    keys = {n.key for n in nodes}
    for a, b in edges:
        if a not in keys or b not in keys:
            raise ValueError(f"edge {a}-{b} refers to an unknown node")
    graph: nx.Graph[str] = nx.Graph()
    graph.add_nodes_from(n.key for n in nodes)
    graph.add_edges_from(edges)
    if not nodes:
        return [], []
    if len(nodes) == 1:
        pos = {nodes[0].key: (0.5, 0.5)}
    else:
        raw = nx.spring_layout(graph, seed=seed, k=1.2 / max(len(nodes), 1) ** 0.5, iterations=80)
        xs = [float(p[0]) for p in raw.values()]
        ys = [float(p[1]) for p in raw.values()]
        x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
        pos = {
            k: (
                (float(p[0]) - x0) / (x1 - x0) if x1 > x0 else 0.5,
                (float(p[1]) - y0) / (y1 - y0) if y1 > y0 else 0.5,
            )
            for k, p in raw.items()
        }
    placed = [
        PlacedNode(n.key, n.kind, n.label, pos[n.key][0], pos[n.key][1], graph.degree(n.key))
        for n in nodes
    ]
    return placed, [(a, b) for a, b in graph.edges()]


def bridging_objects(nodes: Sequence[Node], edges: Sequence[tuple[str, str]]) -> list[str]:
    """Core objects that tie two or more registrations together, most connected first."""
    graph: nx.Graph[str] = nx.Graph()
    graph.add_edges_from(edges)
    kinds = {n.key: n.kind for n in nodes}
    out = [
        k
        for k in graph.nodes
        if kinds.get(k) != "registration"
        and sum(1 for m in graph.neighbors(k) if kinds.get(m) == "registration") >= 2
    ]
    out.sort(key=lambda k: (-graph.degree(k), k))
    return out
