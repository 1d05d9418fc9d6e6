"""Communities: groups of nodes more tied to each other than to the rest, and what they mean.

``louvain`` finds them (igraph by default, seeded), ``modularity`` scores a partition, and
``alignment`` says whether communities follow regions or technological areas (CQ05): a
cross-tabulation, normalised mutual information (0 = unrelated, 1 = the same partition) and
purity (share of nodes in their community's most common value).
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

import networkx as nx

from itskg.graph.analysis import _igraph
from itskg.graph.analysis.measures import Measure, label_of

__all__ = ["alignment", "community_measures", "louvain", "modularity", "nmi"]


def louvain(G: nx.Graph, *, seed: int = 1, resolution: float = 1.0,
            weight: str | None = "weight", backend: str = "igraph") -> list[set]:
    """Louvain communities, largest first (same seed, same answer for a given backend)."""
    if G.number_of_nodes() == 0:
        return []
    if backend == "networkx":
        H = G.to_undirected() if G.is_directed() else G
        comms = nx.community.louvain_communities(H, weight=weight, resolution=resolution,
                                                 seed=seed)
        return sorted(comms, key=lambda c: (-len(c), min(map(str, c))))
    return _igraph.louvain(G, seed=seed, resolution=resolution, weight=weight)


def modularity(G: nx.Graph, communities: list[set], weight: str | None = "weight") -> float:
    """Newman modularity of the partition (about 0.3 or more: clear community structure)."""
    H = G.to_undirected() if G.is_directed() else G
    if H.number_of_edges() == 0:
        return 0.0
    return float(nx.community.modularity(H, communities, weight=weight))


def _values(G: nx.Graph, n: Any, attr: str) -> str:
    v = G.nodes[n].get(attr)
    if isinstance(v, list):
        return "|".join(map(str, v))
    return "(none)" if v is None else str(v)


def nmi(a: list[Any], b: list[Any]) -> float:
    """Normalised mutual information (arithmetic mean normalisation) of two labelings."""
    n = len(a)
    if n == 0:
        return 0.0
    ca, cb, cab = Counter(a), Counter(b), Counter(zip(a, b, strict=True))
    mi = sum(c / n * math.log((c * n) / (ca[x] * cb[y])) for (x, y), c in cab.items())
    ha = -sum(c / n * math.log(c / n) for c in ca.values())
    hb = -sum(c / n * math.log(c / n) for c in cb.values())
    if ha == 0 and hb == 0:
        return 1.0
    denom = (ha + hb) / 2
    return max(0.0, mi / denom) if denom > 0 else 0.0


def alignment(G: nx.Graph, communities: list[set], attr: str = "region",
              kinds: set[str] | None = None) -> dict[str, Any]:
    """How communities line up with ``attr`` (region, area, sector).

    Returns ``{"attribute", "crosstab": {community: {value: count}}, "nmi", "purity",
    "nodes"}`` over the nodes that have ``attr`` (and a kind in ``kinds`` if given).
    """
    comm_of = {n: i for i, c in enumerate(communities) for n in c}
    xs, ys = [], []
    table: dict[int, Counter] = {}
    for n, d in G.nodes(data=True):
        if n not in comm_of or d.get(attr) is None or (kinds and d.get("kind") not in kinds):
            continue
        c, v = comm_of[n], _values(G, n, attr)
        xs.append(c)
        ys.append(v)
        table.setdefault(c, Counter())[v] += 1
    total = len(xs)
    purity = sum(max(t.values()) for t in table.values()) / total if total else 0.0
    return {
        "attribute": attr,
        "crosstab": {str(c): dict(t.most_common()) for c, t in sorted(table.items())},
        "nmi": round(nmi(xs, ys), 4),
        "purity": round(purity, 4),
        "nodes": total,
    }


def community_measures(G: nx.Graph, communities: list[set]) -> list[Measure]:
    """One row per node: value = community number (0 = largest), ``extra`` its size.

    Policy reading (CQ05): academies in the same community share many members; read with
    ``alignment`` to see whether the communities are regional systems or value chains.
    """
    rows = []
    for i, c in enumerate(communities):
        for n in sorted(c, key=str):
            rows.append(Measure(str(n), label_of(G, n), i, i + 1, {"size": len(c)}))
    return rows
