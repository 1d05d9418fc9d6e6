"""Specialisation: location quotients (revealed comparative advantage) of groups in items.

LQ(g, i) = (x_gi / x_g) / (x_i / x): the share of item i in group g's supply divided by its
share nationally. Policy reading (CQ16): LQ > 1 means the region is relatively specialised
in that skill, sector or technological area (LQ 2 = twice the national share); LQ < 1 a
relative weakness. Small counts make LQs jumpy: use ``min_count`` to hide cells with fewer
than that many units.
"""

from __future__ import annotations

import networkx as nx

from itskg.graph.analysis.measures import Measure
from itskg.graph.analysis.profiles import Profiles, code_iri, item_labels, profiles

__all__ = ["location_quotients", "lq_matrix", "specialisation"]


def lq_matrix(prof: Profiles) -> dict[str, dict[str, float]]:
    """LQ for every (group, item) with x_gi > 0."""
    tot_g = {g: sum(items.values()) for g, items in prof.items()}
    tot_i: dict[str, float] = {}
    for items in prof.values():
        for i, x in items.items():
            tot_i[i] = tot_i.get(i, 0.0) + x
    total = sum(tot_g.values())
    out: dict[str, dict[str, float]] = {}
    for g, items in prof.items():
        if tot_g[g] <= 0:
            continue
        out[g] = {i: (x / tot_g[g]) / (tot_i[i] / total) for i, x in items.items() if x > 0}
    return out


def location_quotients(prof: Profiles, group: str) -> dict[str, float]:
    """LQ of ``group`` in every item supplied anywhere (0 where the group supplies none)."""
    m = lq_matrix(prof)
    items = {i for p in prof.values() for i in p}
    row = m.get(group, {})
    return {i: row.get(i, 0.0) for i in items}


def specialisation(G: nx.Graph, profile: str = "area", *, group_attr: str = "region",
                   min_count: float = 1.0) -> list[Measure]:
    """One row per (group, item) with LQ, highest first.

    ``node`` is the group's IRI (NUTS region), ``extra`` has ``item``, ``item_label`` and
    ``count`` (x_gi).
    """
    prof = profiles(G, profile, group_attr=group_attr)
    m = lq_matrix(prof)
    labels = item_labels(G)
    glabels = {str(k): str(v) for k, v in G.graph.get("code_labels", {}).items()}
    rows = []
    for g, items in m.items():
        for i, lq in items.items():
            if prof[g][i] < min_count:
                continue
            rows.append((lq, g, i))
    rows.sort(key=lambda r: (-r[0], r[1], r[2]))
    out = []
    for rank, (lq, g, i) in enumerate(rows, start=1):
        out.append(Measure(code_iri(group_attr, g), glabels.get(g, g), round(lq, 6), rank, {
            "group": g, "item": code_iri(profile, i), "item_label": labels.get(i, i),
            "count": round(prof[g][i], 3)}))
    return out
