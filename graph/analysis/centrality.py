"""Centrality: who is connected, who sits on the paths between others, who is prominent.

Every function takes a networkx graph built by ``itskg.graph.analysis.extract`` and returns
``Measure`` rows sorted best first. Heavy ones (betweenness, PageRank) run on igraph by
default and give networkx's figures (``backend="networkx"`` runs networkx itself).
"""

from __future__ import annotations

import networkx as nx

from itskg.graph.analysis import _igraph
from itskg.graph.analysis.measures import Measure, ranked

__all__ = [
    "AUTO_SAMPLE_ABOVE",
    "betweenness",
    "degree",
    "eigenvector",
    "in_strength",
    "pagerank",
    "strength",
]

#: Above this many nodes, betweenness samples ``AUTO_K`` sources unless ``k`` is given.
AUTO_SAMPLE_ABOVE = 5_000
AUTO_K = 500


def degree(G: nx.Graph) -> list[Measure]:
    """Number of partners of each node.

    Policy reading: in the academy-company network, an academy's degree is the size of its
    partnership; a member's degree is the number of foundations it sits on (CQ07: the
    institutional hubs whose commitment keeps many foundations running).
    """
    extra = None
    if G.is_directed():
        extra = {n: {"in": G.in_degree(n), "out": G.out_degree(n)} for n in G}
        return ranked(G, {n: G.in_degree(n) + G.out_degree(n) for n in G}, extra=extra)
    return ranked(G, dict(G.degree()))


def strength(G: nx.Graph, weight: str = "weight") -> list[Measure]:
    """Weighted degree: the sum of edge weights (shared members, learners, courses).

    Policy reading: how much a node exchanges, not only with how many (an academy linked to
    three others by 40 shared members is more embedded than one linked to ten by one each).
    """
    if G.is_directed():
        extra = {n: {"in": G.in_degree(n, weight=weight), "out": G.out_degree(n, weight=weight)}
                 for n in G}
        return ranked(G, {n: e["in"] + e["out"] for n, e in extra.items()}, extra=extra)
    return ranked(G, dict(G.degree(weight=weight)))


def in_strength(G: nx.Graph, weight: str = "weight") -> list[Measure]:
    """Incoming weight (directed graphs): e.g. learners received by a destination country.

    Policy reading (CQ32): the countries where ITS internationalisation concentrates.
    """
    if not G.is_directed():
        return strength(G, weight)
    return ranked(G, dict(G.in_degree(weight=weight)))


def betweenness(G: nx.Graph, *, k: int | None = None, seed: int = 0,
                backend: str = "igraph") -> list[Measure]:
    """Share of shortest paths between other nodes that pass through a node (0..1).

    Policy reading (CQ04, CQ35): brokers and gatekeepers; removing a high-betweenness company
    or academy lengthens or cuts the paths between parts of the ecosystem.
    Exact up to ``AUTO_SAMPLE_ABOVE`` nodes; above, or when ``k`` is given, it is estimated
    from ``k`` random sources (seeded, scaled by n/k). The estimate's error shrinks like
    1/sqrt(k): with k=500 the ranking of the top nodes is stable, small values are noisy.
    """
    n = G.number_of_nodes()
    if k is None and n > AUTO_SAMPLE_ABOVE:
        k = AUTO_K
    if k is not None and k >= n:
        k = None
    if backend == "networkx":
        vals = nx.betweenness_centrality(G, k=k, seed=seed)
    else:
        vals = _igraph.betweenness(G, k=k, seed=seed)
    rows = ranked(G, vals)
    if k is not None:
        for r in rows:
            r.extra["sampled_sources"] = k
    return rows


def pagerank(G: nx.Graph, *, alpha: float = 0.85, weight: str | None = "weight",
             backend: str = "igraph") -> list[Measure]:
    """PageRank: prominence that counts being linked from prominent nodes (sums to 1).

    Policy reading (CQ32): on the mobility network, destinations that attract flows from
    regions that are themselves central; on projections, academies at the core.
    """
    if backend == "networkx":
        from networkx.algorithms.link_analysis.pagerank_alg import _pagerank_python

        vals = _pagerank_python(G, alpha=alpha, weight=weight)
    else:
        vals = _igraph.pagerank(G, alpha=alpha, weight=weight)
    return ranked(G, vals)


def eigenvector(G: nx.Graph, weight: str | None = "weight") -> list[Measure]:
    """Eigenvector centrality: linked to nodes that are themselves well linked.

    Policy reading: the core of a projection (academies sharing members with other
    well-connected academies). Computed per connected component is not done: on a
    disconnected graph nodes outside the main component get values near 0.
    """
    if G.number_of_nodes() == 0:
        return []
    try:
        vals = nx.eigenvector_centrality(G, max_iter=1000, tol=1e-08, weight=weight)
    except nx.PowerIterationFailedConvergence:
        from itskg.graph.errors import AnalysisError

        raise AnalysisError("Eigenvector centrality did not converge on this graph; use "
                            "pagerank instead.") from None
    return ranked(G, vals)
