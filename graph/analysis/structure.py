"""Structure: is the network one piece, and which single links or nodes hold it together.

Policy reading: a component is a part of the ecosystem with no membership path to the rest;
a bridge is a tie whose loss splits a component; a cut point (articulation point) is a node
whose loss does (a single company linking two academies' networks).
"""

from __future__ import annotations

import networkx as nx

from itskg.graph.analysis import _igraph
from itskg.graph.analysis.measures import Measure, label_of, ranked

__all__ = ["bridges", "components", "cut_points", "summary"]


def components(G: nx.Graph, backend: str = "igraph") -> list[Measure]:
    """One row per node: value = size of its component, ``extra.component`` its number."""
    if backend == "networkx":
        conn = (nx.weakly_connected_components if G.is_directed()
                else nx.connected_components)
        comps = sorted(conn(G), key=lambda c: (-len(c), min(map(str, c))))
    else:
        comps = _igraph.components(G)
    vals, extra = {}, {}
    for i, c in enumerate(comps):
        for n in c:
            vals[n] = len(c)
            extra[n] = {"component": i}
    return ranked(G, vals, extra=extra)


def _subtree_sizes(H: nx.Graph) -> tuple[dict, dict, dict]:
    """DFS forest of ``H``: parent and subtree size of each node, component size of roots."""
    parent: dict = {}
    size: dict = {}
    comp_size: dict = {}
    for root in H:
        if root in parent:
            continue
        parent[root] = None
        order = []
        stack = [root]
        while stack:
            v = stack.pop()
            order.append(v)
            for w in H[v]:
                if w not in parent:
                    parent[w] = v
                    stack.append(w)
        for v in reversed(order):
            size[v] = size.get(v, 0) + 1
            if parent[v] is not None:
                size[parent[v]] = size.get(parent[v], 0) + size[v]
        for v in order:
            comp_size[v] = len(order)
    return parent, size, comp_size


def bridges(G: nx.Graph) -> list[Measure]:
    """Edges whose removal disconnects their component (direction ignored).

    ``node``/``label`` is one end, ``extra.other`` the other; value = size of the smaller
    side that would be cut off (bigger = more important bridge; 1 = a leaf hanging on).
    """
    H = G.to_undirected() if G.is_directed() else G
    parent, size, comp = _subtree_sizes(H)
    vals, extra, labels = {}, {}, {}
    for a, b in nx.bridges(H):
        child = b if parent.get(b) == a else a
        small = min(size[child], comp[child] - size[child])
        key = f"{a} {b}"
        vals[key] = small
        labels[key] = label_of(G, a)
        extra[key] = {"other": b, "other_label": label_of(G, b)}
    rows = ranked(G, vals, extra=extra, labels=labels)
    for r in rows:
        r.node = r.node.split(" ", 1)[0]
    return rows


def cut_points(G: nx.Graph) -> list[Measure]:
    """Nodes whose removal splits their component; value = number of pieces it leaves.

    (A node in b biconnected blocks leaves exactly b pieces when removed.)
    """
    H = G.to_undirected() if G.is_directed() else G
    blocks: dict = {}
    for comp in nx.biconnected_components(H):
        for n in comp:
            blocks[n] = blocks.get(n, 0) + 1
    return ranked(G, {n: blocks[n] for n in nx.articulation_points(H)})


def summary(G: nx.Graph) -> dict[str, object]:
    """Counts a reader checks first: nodes, edges by kind, density, components."""
    kinds: dict[str, int] = {}
    for _, d in G.nodes(data=True):
        k = str(d.get("kind", "node"))
        kinds[k] = kinds.get(k, 0) + 1
    comps = _igraph.components(G) if G.number_of_nodes() else []
    return {
        "nodes": G.number_of_nodes(), "edges": G.number_of_edges(), "kinds": kinds,
        "directed": G.is_directed(), "density": round(nx.density(G), 6),
        "components": len(comps), "largest_component": len(comps[0]) if comps else 0,
        "synthetic": bool(G.graph.get("synthetic")),
    }
