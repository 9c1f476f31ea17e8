"""Series detection (pure: no Django): which registrations look like the work of the same
offender(s), and why.

1. *Blocking*: candidate pairs are incidents of the same phenomenon in the same or an
   adjacent grid cell (cell size = the phenomenon's distance limit) whose times lie within
   the phenomenon's window, plus any two incidents sharing a core object (a suspect, a
   stolen good, a plate) within :attr:`Params.object_window_days`.
2. *Scoring*: modus operandi / narrative similarity (TF-IDF over word 1-2-grams and
   character 3-5-grams, cosine), distance, time gap, same offence category and shared core
   objects; each part that contributes becomes a :class:`Reason`.
3. Pairs scoring at least :attr:`Params.threshold` are proposed; a *series* is a connected
   component of the proposed links (networkx).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations

import networkx as nx
import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize


@dataclass(frozen=True)
class Phenomenon:
    """Search limits for one phenomenon (an offence category or a family of them)."""

    name: str
    max_distance_m: float
    window_days: float


#: Offence category code prefix -> limits. Burglaries and bicycle theft are local
#: (a few km, weeks); shoplifting and pickpocketing by travelling groups (mobile banditry)
#: cross municipalities within days. The longest matching prefix wins.
_MOBILE = Phenomenon("mobiel banditisme", 60000, 14)
PHENOMENA: dict[str, Phenomenon] = {
    "1.1.1": Phenomenon("woninginbraak", 2500, 35),
    "1.1.2": Phenomenon("inbraak box/garage/schuur", 2500, 35),
    "1.2.3": Phenomenon("fietsdiefstal", 1500, 21),
    "1.2.1": Phenomenon("diefstal uit auto", 2000, 21),
    # Travelling groups: pickpocketing and shoplifting across a unit within days, compared
    # with each other.
    "1.2.4": _MOBILE,
    "2.5.2": _MOBILE,
    "1.6.2": Phenomenon("overige vermogensdelicten", 5000, 21),
}
DEFAULT_PHENOMENON = Phenomenon("overig", 1500, 14)


def phenomenon_of(category: str) -> Phenomenon:
    return _key_and_limits(category, Params())[1]


@dataclass(frozen=True)
class Incident:
    """One registration as the detector sees it. ``objects``: keys of the core objects that
    may tie incidents to one offender ("person:12" for a suspect, "good:5", "plate:AB12CD")."""

    id: int
    start: dt.datetime
    categories: frozenset[str]
    text: str
    x: float | None = None
    y: float | None = None
    objects: frozenset[str] = frozenset()
    team: str = ""


@dataclass(frozen=True)
class Params:
    threshold: float = 0.55
    #: Below this text similarity a pair is only proposed on a shared core object.
    min_text: float = 0.35
    w_text: float = 0.55
    w_distance: float = 0.15
    w_time: float = 0.10
    w_category: float = 0.10
    #: Added per shared core object (at most twice).
    w_object: float = 0.35
    object_window_days: float = 120
    #: Text terms in more than this share of the registrations are ignored (template).
    max_df: float = 0.05
    phenomena: Mapping[str, Phenomenon] = field(default_factory=lambda: dict(PHENOMENA))


@dataclass(frozen=True)
class Reason:
    code: str  # text | distance | time | category | object
    weight: float
    detail: str

    def as_dict(self) -> dict[str, object]:
        return {"code": self.code, "weight": round(self.weight, 3), "detail": self.detail}


@dataclass(frozen=True)
class Proposal:
    a: int
    b: int
    score: float
    reasons: tuple[Reason, ...]


def _distance(a: Incident, b: Incident) -> float | None:
    if a.x is None or a.y is None or b.x is None or b.y is None:
        return None
    return math.hypot(a.x - b.x, a.y - b.y)


def candidate_pairs(incidents: Sequence[Incident], params: Params) -> set[tuple[int, int]]:
    """Index pairs (i < j) from space-time blocking per phenomenon and shared objects."""
    pairs: set[tuple[int, int]] = set()
    # Space-time blocks per phenomenon: same or adjacent cell, within the time window.
    groups: dict[str, list[int]] = defaultdict(list)
    for i, inc in enumerate(incidents):
        if inc.x is None or inc.y is None:
            continue
        for cat in inc.categories:
            groups[_key_and_limits(cat, params)[1].name].append(i)
    names = {p.name: p for p in params.phenomena.values()}
    for key, members in groups.items():
        limits = names.get(key, DEFAULT_PHENOMENON)
        cell = limits.max_distance_m
        window = dt.timedelta(days=limits.window_days)
        grid: dict[tuple[int, int], list[int]] = defaultdict(list)
        for i in sorted(set(members), key=lambda k: incidents[k].start):
            inc = incidents[i]
            cx, cy = int((inc.x or 0) // cell), int((inc.y or 0) // cell)
            for dx in (-1, 0, 1):
                for dy in (-1, 0, 1):
                    bucket = grid.get((cx + dx, cy + dy))
                    if not bucket:
                        continue
                    # Buckets are in time order: drop those too old for anyone after them.
                    while bucket and inc.start - incidents[bucket[0]].start > window:
                        bucket.pop(0)
                    for j in bucket:
                        d = _distance(incidents[j], inc)
                        if d is not None and d <= cell:
                            pairs.add((min(i, j), max(i, j)))
            grid[(cx, cy)].append(i)
    # Shared core objects, wherever they happened.
    by_object: dict[str, list[int]] = defaultdict(list)
    for i, inc in enumerate(incidents):
        for obj in inc.objects:
            by_object[obj].append(i)
    limit = dt.timedelta(days=params.object_window_days)
    for members in by_object.values():
        if len(members) > 50:  # a ubiquitous object (a shop chain) says nothing
            continue
        for i, j in combinations(members, 2):
            if abs(incidents[i].start - incidents[j].start) <= limit:
                pairs.add((min(i, j), max(i, j)))
    return pairs


def _key_and_limits(category: str, params: Params) -> tuple[str, Phenomenon]:
    best = ""
    for prefix in params.phenomena:
        if category.startswith(prefix) and len(prefix) > len(best):
            best = prefix
    return (best, params.phenomena[best]) if best else (category, DEFAULT_PHENOMENON)


def text_vectors(texts: Sequence[str], max_df: float = 0.05) -> sparse.csr_matrix:
    """L2-normalised TF-IDF rows over word 1-2-grams and character 3-5-grams (typos and
    inflections still match); frequent template words weigh little."""
    if not any(t.strip() for t in texts):
        return sparse.csr_matrix((len(texts), 1))
    # Terms in more than max_df of the texts are the registration template ("aangever
    # verklaarde dat"), not a modus operandi: left out (with few texts, nothing is).
    max_df = max_df if len(texts) >= 50 else 1.0
    safe = [t if t.strip() else "-" for t in texts]
    parts = []
    for analyzer, ngrams in (("word", (1, 2)), ("char_wb", (3, 5))):
        vectorizer = TfidfVectorizer(
            analyzer=analyzer, ngram_range=ngrams, sublinear_tf=True, max_df=max_df
        )
        try:
            parts.append(vectorizer.fit_transform(safe))
        except ValueError:  # every term pruned
            continue
    if not parts:
        return sparse.csr_matrix((len(texts), 1))
    return normalize(sparse.hstack(parts).tocsr())


def score_pair(
    a: Incident, b: Incident, text_similarity: float, params: Params
) -> tuple[float, tuple[Reason, ...]]:
    reasons: list[Reason] = []
    shared_cats = a.categories & b.categories
    same_phenomenon = {_key_and_limits(c, params)[1].name for c in a.categories} & {
        _key_and_limits(c, params)[1].name for c in b.categories
    }
    cats = shared_cats or (a.categories | b.categories)
    limits = [_key_and_limits(c, params)[1] for c in cats] or [DEFAULT_PHENOMENON]
    max_d = max(p.max_distance_m for p in limits)
    window = max(p.window_days for p in limits)
    score = 0.0
    if text_similarity >= params.min_text:
        w = params.w_text * text_similarity
        score += w
        reasons.append(Reason("text", w, f"werkwijze/relaas {text_similarity:.0%} gelijk"))
    d = _distance(a, b)
    if d is not None and d <= max_d:
        w = params.w_distance * (1 - d / max_d)
        score += w
        reasons.append(Reason("distance", w, f"{d:,.0f} m uit elkaar".replace(",", ".")))
    gap_days = abs((a.start - b.start).total_seconds()) / 86400
    if gap_days <= window:
        w = params.w_time * (1 - gap_days / window)
        score += w
        reasons.append(Reason("time", w, f"{gap_days:.1f} dagen tussen de feiten"))
    if shared_cats:
        score += params.w_category
        reasons.append(
            Reason("category", params.w_category, "zelfde delictcategorie " + min(shared_cats))
        )
    elif same_phenomenon:
        w = params.w_category / 2
        score += w
        reasons.append(Reason("category", w, "zelfde fenomeen " + min(same_phenomenon)))
    shared = sorted(a.objects & b.objects)
    for obj in shared[:2]:
        score += params.w_object
        reasons.append(Reason("object", params.w_object, f"gedeeld object {obj}"))
    if text_similarity < params.min_text and not (shared and same_phenomenon):
        # Close in space and time alone is a near-repeat, not a series; a shared suspect or
        # good in offences of different phenomena belongs in the network, not in a series.
        return 0.0, tuple(reasons)
    return min(score, 1.0), tuple(reasons)


def detect(incidents: Sequence[Incident], params: Params | None = None) -> list[Proposal]:
    """Proposed links (ids a < b), best first."""
    params = params or Params()
    if len(incidents) < 2:
        return []
    ids = [inc.id for inc in incidents]
    if len(set(ids)) != len(ids):
        raise ValueError("incident ids must be unique")
    vectors = text_vectors([inc.text for inc in incidents], params.max_df)
    pairs = sorted(candidate_pairs(incidents, params))
    if not pairs:
        return []
    left = np.array([i for i, _ in pairs])
    right = np.array([j for _, j in pairs])
    sims = np.zeros(len(pairs))
    step = 20000
    for k in range(0, len(pairs), step):
        rows = vectors[left[k : k + step]].multiply(vectors[right[k : k + step]])
        sims[k : k + step] = np.asarray(rows.sum(axis=1)).ravel()
    proposals = []
    for (i, j), sim in zip(pairs, sims.tolist(), strict=True):
        score, reasons = score_pair(incidents[i], incidents[j], sim, params)
        if score >= params.threshold:
            a, b = sorted((incidents[i].id, incidents[j].id))
            proposals.append(Proposal(a, b, round(score, 4), reasons))
    proposals.sort(key=lambda p: (-p.score, p.a, p.b))
    return proposals


#: Components larger than this are split into communities (Louvain, by link score):
#: chains of prolific offenders would otherwise join hundreds of cases into one "series".
MAX_SERIES = 40


def series_of(
    links: Iterable[tuple[int, int] | tuple[int, int, float]],
    *,
    min_size: int = 2,
    max_size: int = MAX_SERIES,
) -> list[list[int]]:
    """Series from links (a, b[, score]): connected components, each larger than
    ``max_size`` split into its communities; sorted id lists, largest first."""
    graph: nx.Graph[int] = nx.Graph()
    for link in links:
        graph.add_edge(link[0], link[1], weight=float(link[2]) if len(link) > 2 else 1.0)
    groups: list[set[int]] = []
    for component in nx.connected_components(graph):
        if len(component) <= max_size:
            groups.append(set(component))
            continue
        sub = graph.subgraph(component)
        groups.extend(
            set(c) for c in nx.community.louvain_communities(sub, weight="weight", seed=1)
        )
    out = [sorted(g) for g in groups if len(g) >= min_size]
    out.sort(key=lambda c: (-len(c), c[0]))
    return out


@dataclass(frozen=True)
class Evaluation:
    precision: float
    recall: float
    proposed_pairs: int
    true_pairs: int


def evaluate(proposals: Sequence[Proposal], truth: Mapping[int, str]) -> Evaluation:
    """Pairwise precision and recall against known series (``truth``: id -> series label).

    Precision: of the proposed links touching a known series member, the share joining two
    members of the same series. Recall: of the pairs within a known series, the share that
    end up in one detected series (connected component)."""
    touching = [p for p in proposals if p.a in truth or p.b in truth]
    correct = sum(
        1 for p in touching if truth.get(p.a) is not None and truth.get(p.a) == truth.get(p.b)
    )
    component: dict[int, int] = {}
    for n, members in enumerate(series_of((p.a, p.b, p.score) for p in proposals)):
        for m in members:
            component[m] = n
    by_label: dict[str, list[int]] = defaultdict(list)
    for ident, label in truth.items():
        by_label[label].append(ident)
    true_pairs = found = 0
    for members in by_label.values():
        for a, b in combinations(members, 2):
            true_pairs += 1
            if a in component and component.get(a) == component.get(b):
                found += 1
    return Evaluation(
        precision=correct / len(touching) if touching else 0.0,
        recall=found / true_pairs if true_pairs else 0.0,
        proposed_pairs=len(touching),
        true_pairs=true_pairs,
    )
