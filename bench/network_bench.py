"""Network analysis benchmark: projection extraction and metrics, networkx vs igraph, one run.

Usage: python bench/network_bench.py [STORE]
(default /tmp/stn, a store built with --synthetic national-bench)

Prints, for each declared projection, the extraction time (SPARQL -> networkx), then on the
academy-company graph (the largest one users analyse) the time of degree, PageRank,
components, Louvain and the bipartite projection with both backends and their ratio, and
exact betweenness on a 10k-node subgraph (networkx time extrapolated from 100 sources:
exact networkx takes minutes). Targets (design/performance.md): degree + PageRank +
components + Louvain <= 1 s; exact betweenness on 10k nodes <= 10 s.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import networkx as nx

from itskg.graph.analysis import _igraph
from itskg.graph.analysis.extract import Filters, build_graph, project
from itskg.graph.analysis.projections import load_projections
from itskg.graph.store import KnowledgeStore


def _t(fn: Callable[[], Any]) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def main(store: Path) -> None:
    from networkx.algorithms.link_analysis.pagerank_alg import _pagerank_python

    st = KnowledgeStore.open(store)
    print(f"store {store} ({len(st):,} quads, generation {st.generation})\n")
    print(f"{'projection':18} {'nodes':>8} {'edges':>9} {'seconds':>8}")
    graphs: dict[str, nx.Graph] = {}
    for name in load_projections():
        if name == "company-company":
            filt = Filters(regions=("ITH5",))
            label = name + " (ITH5)"
        else:
            filt, label = Filters(), name
        t = time.perf_counter()
        G = build_graph(st, name, filt)
        graphs[name] = G
        print(f"{label:18} {G.number_of_nodes():>8,} {G.number_of_edges():>9,} "
              f"{time.perf_counter() - t:>8.2f}")

    B = graphs["academy-company"]
    print(f"\nacademy-company: {B.number_of_nodes():,} nodes, {B.number_of_edges():,} edges")
    rows = [
        ("degree", lambda: dict(B.degree()), lambda: _igraph.to_igraph(B)[0].degree()),
        ("pagerank", lambda: _pagerank_python(B), lambda: _igraph.pagerank(B)),
        ("components", lambda: list(nx.connected_components(B)),
         lambda: _igraph.components(B)),
        ("louvain", lambda: nx.community.louvain_communities(B, seed=1),
         lambda: _igraph.louvain(B, seed=1)),
    ]
    onto = ("academy",)
    rows.append(("bipartite projection", lambda: project(B, onto, backend="networkx"),
                 lambda: project(B, onto)))
    print(f"{'step':22} {'networkx s':>11} {'igraph s':>9} {'ratio':>7}")
    tot_i = 0.0
    for name, f_nx, f_ig in rows:
        a, b = _t(f_nx), _t(f_ig)
        if name != "bipartite projection":
            tot_i += b
        print(f"{name:22} {a:>11.3f} {b:>9.3f} {a / max(b, 1e-9):>7.1f}")
    print(f"{'degree+PR+comp+Louvain':22} {'':>11} {tot_i:>9.3f}   target <= 1 s")

    comp = max(nx.connected_components(B), key=len)
    start = next(n for n in comp if B.nodes[n]["kind"] == "academy")
    sub_nodes = list(nx.bfs_tree(B, start, depth_limit=None))[:10_000]
    S = B.subgraph(sub_nodes).copy()
    k = 100
    t_nx = _t(lambda: nx.betweenness_centrality(S, k=k, seed=1)) * S.number_of_nodes() / k
    t_ig = _t(lambda: _igraph.betweenness(S))
    print(f"\nexact betweenness on {S.number_of_nodes():,} nodes / {S.number_of_edges():,} "
          f"edges: networkx ~{t_nx:.0f} s (extrapolated from {k} sources), igraph "
          f"{t_ig:.2f} s, ratio ~{t_nx / max(t_ig, 1e-9):.0f}   target <= 10 s")
    t_full = _t(lambda: _igraph.betweenness(B))
    print(f"exact betweenness, whole academy-company graph (igraph): {t_full:.2f} s")
    st.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/tmp/stn"))
