"""igraph backend: convert a networkx graph once, run the heavy algorithm in C, map back.

networkx stays the graph users see and export; these functions return the same shapes as
their networkx counterparts (dicts keyed by node, lists of node sets) and the same scaling
(betweenness is rescaled to networkx's normalisation), so callers can switch backends.
igraph draws random numbers from Python's ``random`` module: the seeded functions seed a
private ``random.Random`` and restore the previous generator afterwards.
"""

from __future__ import annotations

import random
import weakref
from collections.abc import Hashable, Iterable
from contextlib import contextmanager
from typing import Any

import igraph as ig
import networkx as nx

__all__ = [
    "betweenness",
    "bipartite_projection",
    "components",
    "louvain",
    "pagerank",
    "to_igraph",
]


_converted: weakref.WeakKeyDictionary[nx.Graph, dict[Any, Any]] = weakref.WeakKeyDictionary()


def to_igraph(G: nx.Graph, weight: str | None = "weight") -> tuple[ig.Graph, list[Hashable]]:
    """The igraph copy of ``G`` (same direction) and the node list giving vertex order.

    Edge attribute ``weight`` holds ``G``'s ``weight`` (1.0 when missing) if asked. The copy
    is cached per graph object (and dropped when the graph's size changes): treat it as
    read-only.
    """
    size = (G.number_of_nodes(), G.number_of_edges())
    cached = _converted.get(G, {}).get(weight)
    if cached is not None and cached[0] == size:
        return cached[1], cached[2]
    g, nodes = _convert(G, weight)
    _converted.setdefault(G, {})[weight] = (size, g, nodes)
    return g, nodes


def _convert(G: nx.Graph, weight: str | None) -> tuple[ig.Graph, list[Hashable]]:
    # vertices in the order of their names, not of insertion: a seeded algorithm (Louvain)
    # then gives the same answer whatever order the engine returned the rows in
    nodes = sorted(G, key=str)
    index = {n: i for i, n in enumerate(nodes)}
    edges = [(index[a], index[b]) for a, b in G.edges()]
    g = ig.Graph(n=len(nodes), edges=edges, directed=G.is_directed())
    if weight is not None:
        g.es["weight"] = [float(d.get(weight, 1.0) or 0.0) for _, _, d in G.edges(data=True)]
    return g, nodes


@contextmanager
def _seeded(seed: int | None) -> Any:
    if seed is None:
        yield
        return
    ig.set_random_number_generator(random.Random(seed))
    try:
        yield
    finally:
        ig.set_random_number_generator(random)


def pagerank(G: nx.Graph, alpha: float = 0.85, weight: str | None = "weight") -> dict:
    """PageRank (as ``nx.pagerank``; dangling nodes spread uniformly)."""
    if G.number_of_nodes() == 0:
        return {}
    g, nodes = to_igraph(G, weight)
    pr = g.pagerank(damping=alpha, weights="weight" if weight else None, directed=g.is_directed())
    return dict(zip(nodes, pr, strict=True))


def betweenness(G: nx.Graph, *, k: int | None = None, seed: int | None = 0,
                weight: str | None = None, normalized: bool = True) -> dict:
    """Shortest-path betweenness with networkx's scaling; ``k`` samples source nodes.

    With ``k`` the result estimates the exact value like ``nx.betweenness_centrality(G, k)``:
    paths from ``k`` random sources, scaled by n/k.
    """
    n = G.number_of_nodes()
    if n == 0:
        return {}
    g, nodes = to_igraph(G, weight)
    w = "weight" if weight else None
    if k is not None and k < n:
        rng = random.Random(seed)
        sources = rng.sample(range(n), k)
        raw = g.betweenness(directed=g.is_directed(), weights=w, sources=sources,
                            targets=None)
        factor = n / k
    else:
        raw = g.betweenness(directed=g.is_directed(), weights=w)
        factor = 1.0
    if normalized and n > 2:
        scale = 1.0 / ((n - 1) * (n - 2))
        if not g.is_directed():
            scale *= 2.0
    else:
        scale = 1.0
    return {node: v * scale * factor for node, v in zip(nodes, raw, strict=True)}


def louvain(G: nx.Graph, *, seed: int | None = 0, resolution: float = 1.0,
            weight: str | None = "weight") -> list[set]:
    """Louvain communities (igraph's multilevel), largest first; direction is ignored."""
    if G.number_of_nodes() == 0:
        return []
    g, nodes = to_igraph(G, weight)
    if g.is_directed():
        g = g.as_undirected(mode="collapse", combine_edges={"weight": "sum"})
    with _seeded(seed):
        parts = g.community_multilevel(weights="weight" if weight else None,
                                       resolution=resolution)
    comms = [{nodes[i] for i in members} for members in parts]
    return sorted(comms, key=lambda c: (-len(c), min(map(str, c))))


def components(G: nx.Graph) -> list[set]:
    """Connected components (weak ones for a directed graph), largest first."""
    g, nodes = to_igraph(G, None)
    parts = g.connected_components(mode="weak")
    return sorted(({nodes[i] for i in c} for c in parts), key=lambda c: (-len(c), min(map(str, c))))


def bipartite_projection(B: nx.Graph, keep: Iterable[Hashable]) -> nx.Graph:
    """Project ``B`` onto ``keep``: weight = number of shared neighbours (igraph, in C)."""
    keep_set = set(keep)
    g, nodes = _convert(B, None)
    types = [n in keep_set for n in nodes]
    # only edges between the two sides count; drop others (e.g. two kept nodes linked)
    bad = [e.index for e in g.es if types[e.source] == types[e.target]]
    if bad:
        g.delete_edges(bad)
    proj = g.bipartite_projection(types=types, multiplicity=True, which=True)
    kept_nodes = [n for n, t in zip(nodes, types, strict=True) if t]
    P = nx.Graph()
    P.add_nodes_from(kept_nodes)
    ws = proj.es["weight"] if proj.ecount() else []
    # The adjacency is filled directly: a projection has no self-loops and no parallel edges
    # (igraph merged them into ``weight``), so add_edges_from's checks and its generator of
    # (u, v, dict) triples are pure overhead: 30 s of 40 for skill-skill at national scale
    # (2 million edges), about 10x less this way (README, "Precomputed answers").
    adj = P._adj
    for (s, t), w in zip(proj.get_edgelist(), ws, strict=True):
        a, b = kept_nodes[s], kept_nodes[t]
        d = {"weight": int(w)}
        adj[a][b] = d
        adj[b][a] = d
    return P
