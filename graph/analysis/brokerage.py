"""Brokerage: who connects parts of the ecosystem that are otherwise apart.

Burt's structural holes (constraint, effective size) computed in one pass over precomputed
tie proportions, giving the figures of ``nx.constraint`` / ``nx.effective_size`` in
O(sum of degree x common neighbours) instead of networkx's cubic cost on hubs; and the
number of distinct regions or areas a node's neighbours belong to.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import networkx as nx

from itskg.graph.analysis.measures import Measure, ranked

__all__ = ["bridging", "constraint", "effective_size", "gould_fernandez"]


def _mutual(G: nx.Graph, weight: str | None) -> dict[Any, dict[Any, float]]:
    """w_ij + w_ji for every pair of neighbours (direction ignored)."""
    m: dict[Any, dict[Any, float]] = defaultdict(dict)
    for a, b, d in G.edges(data=True):
        if a == b:
            continue
        w = float(d.get(weight, 1.0)) if weight else 1.0
        m[a][b] = m[a].get(b, 0.0) + w
        m[b][a] = m[b].get(a, 0.0) + w
    return m


def constraint(G: nx.Graph, weight: str | None = None) -> list[Measure]:
    """Burt's constraint (0..1+): how much a node's partners are tied to each other.

    Policy reading (CQ04): LOW constraint = broker. A company on two foundations whose other
    members never meet has few redundant ties and controls what flows between them; a
    company inside one closed foundation has constraint near 1. Sorted ascending (brokers
    first); isolated nodes are left out (constraint is undefined).
    """
    m = _mutual(G, weight)
    tot = {i: sum(nb.values()) for i, nb in m.items()}
    p = {i: {j: w / tot[i] for j, w in nb.items()} for i, nb in m.items() if tot[i] > 0}
    vals: dict[Any, float] = {}
    for i, pi in p.items():
        c = 0.0
        for j, pij in pi.items():
            indirect = sum(piq * p[q].get(j, 0.0) for q, piq in pi.items()
                           if q != j and j in m[q])
            c += (pij + indirect) ** 2
        vals[i] = c
    return ranked(G, vals, descending=False)


def effective_size(G: nx.Graph, weight: str | None = None) -> list[Measure]:
    """Burt's effective size: the number of partners minus their redundancy.

    Policy reading: how many *non-redundant* contacts a node has; an academy whose members
    are all members of the same other foundations has a small effective size.
    """
    m = _mutual(G, weight)
    tot = {i: sum(nb.values()) for i, nb in m.items()}
    mx = {i: max(nb.values()) for i, nb in m.items() if nb}
    vals: dict[Any, float] = {}
    for i, nb in m.items():
        if not nb:
            continue
        s = 0.0
        for j in nb:
            red = sum((w_iq / tot[i]) * (m[j][q] / mx[j]) for q, w_iq in nb.items()
                      if q != j and q in m[j])
            s += 1.0 - red
        vals[i] = s
    return ranked(G, vals)


def bridging(G: nx.Graph, attr: str = "region") -> list[Measure]:
    """Number of distinct ``attr`` values (regions, areas) among a node's neighbours.

    Policy reading (CQ04, CQ07): a company on foundations of three regions carries practice
    across three regional systems; ``extra`` lists them. Nodes bridging fewer than two are
    left out.
    """
    vals: dict[Any, int] = {}
    extra: dict[Any, dict[str, Any]] = {}
    for n in G:
        seen: set[str] = set()
        for nb in nx.all_neighbors(G, n) if G.is_directed() else G[n]:
            v = G.nodes[nb].get(attr)
            if isinstance(v, list):
                seen.update(map(str, v))
            elif v is not None:
                seen.add(str(v))
        if len(seen) >= 2:
            vals[n] = len(seen)
            extra[n] = {f"{attr}s": sorted(seen)}
    return ranked(G, vals, extra=extra)


def gould_fernandez(G: nx.Graph, attr: str = "country") -> list[Measure]:
    """Gould-Fernandez brokerage roles; value = gatekeeper/representative count.

    For every node v and every pair of its neighbours a, b that are not tied to each other,
    v brokers the pair; the role depends on the groups (``attr``: country, region, area) of
    a, v and b: *coordinator* (all three in one group), *consultant* (a and b in one group,
    v outside), *gatekeeper/representative* (v shares its group with exactly one of a, b: on
    an undirected network the two roles are the same), *liaison* (three different groups).
    Nodes without a value of ``attr`` are not counted as brokers or as ends of a pair.

    Policy reading (CQ35): on the co-participation network of EU projects with
    ``attr=country``, an Italian academy or company with a high gatekeeper count is the door
    through which foreign VET providers and firms reach the Italian ecosystem (and the way
    out for its partners); liaisons connect two foreign countries through Italy. ``extra``
    gives the four counts. Sorted by gatekeeper count; nodes that broker nothing are left out.
    """
    groups = {n: d.get(attr) for n, d in G.nodes(data=True)}
    vals: dict[Any, float] = {}
    extra: dict[Any, dict[str, Any]] = {}
    U = G.to_undirected(as_view=True) if G.is_directed() else G
    for v in U:
        gv = groups.get(v)
        if gv is None:
            continue
        nbs = [n for n in U[v] if n != v and groups.get(n) is not None]
        roles = {"coordinator": 0, "consultant": 0, "gatekeeper": 0, "liaison": 0}
        for i, a in enumerate(nbs):
            ga = groups[a]
            for b in nbs[i + 1:]:
                if U.has_edge(a, b):
                    continue
                gb = groups[b]
                if ga == gv == gb:
                    roles["coordinator"] += 1
                elif ga == gb:
                    roles["consultant"] += 1
                elif ga == gv or gb == gv:
                    roles["gatekeeper"] += 1
                else:
                    roles["liaison"] += 1
        if any(roles.values()):
            vals[v] = roles["gatekeeper"]
            extra[v] = dict(roles, group=str(gv))
    return ranked(G, vals, extra=extra)
