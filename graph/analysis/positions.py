"""Each academy's position among the foundations, straight from who sits on which foundation.

The network is the one of ``queries/projections/academy-academy.yaml``: two academies are
linked when an organisation is a member of both; the weight is the number of shared members.
Given the memberships as plain data (member -> academies), :func:`academy_positions` returns
per academy: ``degree`` (linked academies), ``strength`` (shared members with all others),
``betweenness`` (brokerage: share of shortest paths through it, with distance 1/weight so
that strong ties are short) and ``community`` (Louvain on the weights, seed 1; 1 = largest).

It exists because the profiles need these four figures for every academy, and building the
full projection with all node attributes takes about a minute on the national ecosystem,
while this takes about a second.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

import networkx as nx

from itskg.graph.analysis import _igraph, communities

__all__ = ["academy_positions"]


def academy_positions(memberships: Mapping[str, Iterable[str]]) -> dict[str, dict[str, Any]]:
    """Degree, strength, betweenness and community per academy (see the module docstring)."""
    weights: Counter[tuple[str, str]] = Counter()
    academies: set[str] = set()
    for its in memberships.values():
        unique = sorted(set(its))
        academies.update(unique)
        for a, b in itertools.combinations(unique, 2):
            weights[(a, b)] += 1
    G = nx.Graph()
    G.add_nodes_from(sorted(academies))
    for (a, b), w in weights.items():
        G.add_edge(a, b, weight=float(w), distance=1.0 / w)
    if G.number_of_nodes() == 0:
        return {}
    betw = _igraph.betweenness(G, weight="distance") if G.number_of_edges() else {}
    comms = communities.louvain(G, seed=1, weight="weight") if G.number_of_edges() else [
        set(G.nodes)]
    community = {n: i + 1 for i, c in enumerate(comms) for n in c}
    strength = dict(G.degree(weight="weight"))
    return {n: {"degree": G.degree(n), "strength": strength[n],
                "betweenness": round(betw.get(n, 0.0), 6), "community": community.get(n, 0)}
            for n in G.nodes}
