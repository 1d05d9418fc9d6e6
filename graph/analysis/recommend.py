"""Partner recommendation: where to look for what a region's ITS supply lacks (CQ17).

For a target region R, the weak items are those whose location quotient in R is below
``threshold`` (1 = the national share; items R does not supply at all have LQ 0). A candidate
academy outside R scores the sum, over R's weak items it supplies, of its supply (courses)
times R's gap (1 - LQ_R); a candidate region scores the mean over R's weak items of its own
LQ (capped at 5) times R's gap. Policy reading: the academies or regions best placed to
close R's gaps through joint courses, teacher exchange or mobility.
"""

from __future__ import annotations

from typing import Any

import networkx as nx

from itskg.graph.analysis.measures import Measure, ranked
from itskg.graph.analysis.profiles import code_iri, item_labels, profiles
from itskg.graph.analysis.specialisation import location_quotients, lq_matrix
from itskg.graph.errors import AnalysisError

__all__ = ["recommend_partners"]

_LQ_CAP = 5.0


def recommend_partners(G: nx.Graph, *, target: str = "", level: str = "academy",
                       profile: str = "skill", threshold: float = 1.0) -> list[Measure]:
    """Academies (``level=academy``) or regions (``level=region``) that supply what
    ``target`` (a NUTS-2 code such as ITH5) is weak in; ``extra`` names the weak items covered.
    """
    prof = profiles(G, profile)
    if not target:
        raise AnalysisError(
            "Give the region to find partners for: target=<NUTS-2 code> (e.g. target=ITH5).")
    if target not in prof:
        raise AnalysisError(
            f"Region {target!r} has no {profile} supply in this graph; regions with supply: "
            f"{', '.join(sorted(prof))}.")
    lq_r = location_quotients(prof, target)
    gap = {i: 1.0 - min(lq, 1.0) for i, lq in lq_r.items() if lq < threshold}
    if not gap:
        return []
    labels = item_labels(G)
    scores: dict[Any, float] = {}
    extra: dict[Any, dict[str, Any]] = {}
    names: dict[Any, str] = {}
    if level == "region":
        m = lq_matrix(prof)
        glabels = G.graph.get("code_labels", {})
        for g, row in m.items():
            if g == target:
                continue
            contrib: dict[str, float] = {i: min(row.get(i, 0.0), _LQ_CAP) * w
                                         for i, w in gap.items()}
            score = sum(contrib.values()) / len(gap)
            if score <= 0:
                continue
            key = code_iri("region", g)
            scores[key], names[key] = score, str(glabels.get(g, g))
            top = sorted(contrib, key=lambda i: -contrib[i])[:3]
            extra[key] = {"group": g, "weak_items_covered": sum(1 for v in contrib.values()
                                                                  if v > 0),
                          "top_items": [labels.get(i, i) for i in top if contrib[i] > 0]}
    elif level == "academy":
        for n, d in G.nodes(data=True):
            if d.get("kind") != "academy" or d.get("region") == target:
                continue
            contrib = {}
            for nb in G[n]:
                item = nb if profile == "skill" else G.nodes[nb].get(profile)
                if isinstance(item, str) and item in gap:
                    contrib[item] = contrib.get(item, 0.0) + float(
                        G[n][nb].get("weight", 1.0)) * gap[item]
            if not contrib:
                continue
            scores[n] = sum(contrib.values())
            top = sorted(contrib, key=lambda i: -contrib[i])[:3]
            extra[n] = {"region": d.get("region"), "weak_items_covered": len(contrib),
                        "top_items": [labels.get(i, i) for i in top]}
    else:
        raise AnalysisError(f"level must be 'academy' or 'region', not {level!r}.")
    rows = ranked(G, scores, extra=extra, labels=names or None)
    for r in rows:
        r.extra["for_region"] = target
        r.extra["weak_items"] = len(gap)
    return rows
