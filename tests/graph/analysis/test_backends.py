"""igraph and networkx give the same answers (the igraph backend is what runs by default)."""

from __future__ import annotations

import networkx as nx
import pytest

from itskg.graph.analysis import _igraph, centrality, communities, structure
from itskg.graph.analysis.extract import project


def _graph() -> nx.Graph:
    G = nx.planted_partition_graph(4, 25, 0.4, 0.02, seed=7)
    for a, b in G.edges():
        G[a][b]["weight"] = 1 + (a * b) % 3
    return G


def test_pagerank_agrees_within_tolerance() -> None:
    for G in (_graph(), nx.gnm_random_graph(80, 300, seed=3, directed=True)):
        a = {r.node: r.value for r in centrality.pagerank(G)}
        b = {r.node: r.value for r in centrality.pagerank(G, backend="networkx")}
        assert max(abs(a[n] - b[n]) for n in a) < 1e-4


def test_exact_betweenness_agrees() -> None:
    for G in (_graph(), nx.gnm_random_graph(60, 200, seed=3, directed=True)):
        a = _igraph.betweenness(G)
        b = nx.betweenness_centrality(G)
        assert max(abs(a[n] - b[n]) for n in G) < 1e-9


def test_sampled_betweenness_estimates_the_exact_value() -> None:
    G = _graph()
    exact = nx.betweenness_centrality(G)
    est = _igraph.betweenness(G, k=60, seed=2)
    assert sum(est.values()) == pytest.approx(sum(exact.values()), rel=0.15)
    top = max(exact, key=exact.get)
    assert est[top] >= sorted(est.values())[-5]


def test_louvain_modularity_is_comparable() -> None:
    G = _graph()
    qi = communities.modularity(G, communities.louvain(G, seed=1))
    qn = communities.modularity(G, communities.louvain(G, seed=1, backend="networkx"))
    assert abs(qi - qn) < 0.03 and qi > 0.5
    assert communities.louvain(G, seed=1) == communities.louvain(G, seed=1)  # seeded


def test_components_and_projection_agree() -> None:
    G = nx.disjoint_union(_graph(), nx.path_graph(5))
    a = {r.node: r.value for r in structure.components(G)}
    b = {r.node: r.value for r in structure.components(G, backend="networkx")}
    assert a == b
    B = nx.complete_bipartite_graph(3, 4)
    nx.set_node_attributes(B, {n: "academy" if n < 3 else "company" for n in B}, "kind")
    P1, P2 = project(B, ("company",)), project(B, ("company",), backend="networkx")
    assert sorted(P1.edges(data="weight")) == sorted(P2.edges(data="weight"))
    assert {d for _, _, d in P1.edges(data="weight")} == {3}
