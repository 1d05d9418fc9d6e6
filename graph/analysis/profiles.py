"""Group profiles: how much of each item (skill, sector, area) a group (region) supplies.

The input of similarity, specialisation and recommendation. A profile is read from a built
projection: groups are the values of ``group_attr`` on nodes of ``group_kinds`` (e.g. the
region of each academy); items are, by ``profile``:

- ``skill``: the neighbouring skill nodes, weighted by the edge weight (courses);
- ``sector``: the ``sector`` of neighbouring members (ATECO section), one per membership;
- ``area``: the group node's own ``area`` (technological area), one per academy.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import networkx as nx

from itskg.graph.errors import AnalysisError

__all__ = ["PROFILES", "Profiles", "code_iri", "profiles"]

PROFILES = ("skill", "sector", "area")
Profiles = dict[str, dict[str, float]]

_IRI_BASE = {
    "region": "http://data.europa.eu/nuts/code/",
    "sector": "https://w3id.org/itskg/vocab/ateco2025/",
    "area": "https://w3id.org/itskg/vocab/area-2023/",
    "area2008": "https://w3id.org/itskg/vocab/area-2008/",
}


def code_iri(attr: str, code: str) -> str:
    """The IRI of an attribute code (region ITH5 -> NUTS IRI); IRIs pass through."""
    if code.startswith(("http://", "https://")):
        return code
    if attr == "area" and code.startswith("A"):
        attr = "area2008"
    return _IRI_BASE.get(attr, "urn:itskg:code:") + code


def _vals(v: Any) -> list[str]:
    if v is None:
        return []
    return [str(x) for x in v] if isinstance(v, list) else [str(v)]


def profiles(G: nx.Graph, profile: str = "skill", *, group_attr: str = "region",
             group_kinds: tuple[str, ...] = ("academy",)) -> Profiles:
    """``{group: {item: amount}}`` (see the module docstring); AnalysisError if empty."""
    if profile not in PROFILES:
        raise AnalysisError(f"Unknown profile {profile!r}; use one of {', '.join(PROFILES)}.")
    out: Profiles = defaultdict(lambda: defaultdict(float))
    for n, d in G.nodes(data=True):
        if d.get("kind") not in group_kinds:
            continue
        groups = _vals(d.get(group_attr))
        if not groups:
            continue
        if profile == "area":
            items = [(a, 1.0) for a in _vals(d.get("area"))]
        else:
            items = []
            for m in G[n]:
                md = G.nodes[m]
                w = float(G[n][m].get("weight", 1.0))
                if profile == "skill" and md.get("kind") == "skill":
                    items.append((m, w))
                elif profile == "sector":
                    items.extend((s, 1.0) for s in _vals(md.get("sector")))
        for g in groups:
            for item, w in items:
                out[g][item] += w / len(groups)
    if not out:
        need = {"skill": "academy-skill", "sector": "academy-company",
                "area": "academy-company"}[profile]
        raise AnalysisError(
            f"No {profile} profile can be read from this graph (projection "
            f"'{G.graph.get('projection')}'): use the '{need}' projection.")
    return {g: dict(items) for g, items in out.items()}


def item_labels(G: nx.Graph) -> dict[str, str]:
    """Labels for items: node labels, plus code labels recorded by the builder."""
    labels = {str(k): str(v) for k, v in G.graph.get("code_labels", {}).items()}
    labels.update({str(n): str(d.get("label", n)) for n, d in G.nodes(data=True)
                   if d.get("kind") == "skill"})
    return labels
