"""Similarity of groups (regions) by what they supply: cosine of skill or sector profiles.

Policy reading (CQ15): similar regions (cosine near 1) can share curricula, teachers and
labs; dissimilar ones complement each other for mobility and joint courses. Cosine ignores
size: a small and a large region with the same mix score 1.
"""

from __future__ import annotations

import math

import networkx as nx

from itskg.graph.analysis.measures import Measure
from itskg.graph.analysis.profiles import Profiles, code_iri, profiles

__all__ = ["cosine", "region_similarity", "similarity_graph"]


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    """Cosine similarity of two sparse vectors (0 when either is empty)."""
    if len(a) > len(b):
        a, b = b, a
    dot = sum(x * b.get(k, 0.0) for k, x in a.items())
    na = math.sqrt(sum(x * x for x in a.values()))
    nb = math.sqrt(sum(x * x for x in b.values()))
    return dot / (na * nb) if na and nb else 0.0


def _pairs(prof: Profiles) -> list[tuple[str, str, float]]:
    groups = sorted(prof)
    return [(a, b, cosine(prof[a], prof[b]))
            for i, a in enumerate(groups) for b in groups[i + 1:]]


def region_similarity(G: nx.Graph, profile: str = "skill", *,
                      group_attr: str = "region") -> list[Measure]:
    """Every pair of groups with its cosine, most similar first.

    ``node`` is the first group's IRI, ``extra.other`` the second's.
    """
    prof = profiles(G, profile, group_attr=group_attr)
    labels = {str(k): str(v) for k, v in G.graph.get("code_labels", {}).items()}
    rows = sorted(_pairs(prof), key=lambda r: (-r[2], r[0], r[1]))
    return [
        Measure(code_iri(group_attr, a), labels.get(a, a), round(s, 6), rank, {
            "group": a, "other": code_iri(group_attr, b), "other_group": b,
            "other_label": labels.get(b, b)})
        for rank, (a, b, s) in enumerate(rows, start=1)
    ]


def similarity_graph(G: nx.Graph, profile: str = "skill", *, threshold: float = 0.5,
                     group_attr: str = "region") -> nx.Graph:
    """The region-similarity network: groups linked when cosine >= ``threshold``."""
    prof = profiles(G, profile, group_attr=group_attr)
    labels = G.graph.get("code_labels", {})
    S = nx.Graph(projection=f"{G.graph.get('projection')}-similarity")
    for g in prof:
        S.add_node(code_iri(group_attr, g), kind=group_attr, label=labels.get(g, g), code=g)
    for a, b, s in _pairs(prof):
        if s >= threshold:
            S.add_edge(code_iri(group_attr, a), code_iri(group_attr, b), weight=round(s, 6))
    return S
