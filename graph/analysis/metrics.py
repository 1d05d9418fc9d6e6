"""The metric catalogue: every algorithm users can run, by name, with its parameters.

``run_metric(G, name, **params)`` returns a ``MetricResult``: ranked ``Measure`` rows plus a
summary (modularity and region/area alignment for communities, sampling for betweenness).
The CLI (``itskg network <metric>``), the HTTP API and the write-back all go through here.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from itskg.graph.analysis import (
    brokerage,
    centrality,
    communities,
    recommend,
    similarity,
    specialisation,
    structure,
)
from itskg.graph.analysis.measures import Measure
from itskg.graph.errors import AnalysisError

__all__ = ["METRICS", "Metric", "MetricResult", "get_metric", "run_metric"]


@dataclass
class MetricResult:
    metric: str
    rows: list[Measure]
    summary: dict[str, Any] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)

    def top(self, n: int | None) -> list[Measure]:
        return self.rows if n is None else self.rows[:n]


def _communities(G: nx.Graph, *, seed: int = 1, resolution: float = 1.0,
                 backend: str = "igraph") -> MetricResult:
    comms = communities.louvain(G, seed=seed, resolution=resolution, backend=backend)
    summary: dict[str, Any] = {
        "communities": len(comms), "sizes": [len(c) for c in comms[:20]],
        "modularity": round(communities.modularity(G, comms), 4),
    }
    for attr in ("region", "area"):
        if any(d.get(attr) is not None for _, d in G.nodes(data=True)):
            summary[f"alignment_{attr}"] = communities.alignment(G, comms, attr)
    return MetricResult("communities", communities.community_measures(G, comms), summary)


@dataclass(frozen=True)
class Metric:
    name: str
    title: str
    fn: Callable[..., Any]
    shape: str = "node"  # node | pair | cell | group
    ascending: bool = False

    @property
    def doc(self) -> str:
        return inspect.getdoc(self.fn) or ""

    @property
    def params(self) -> list[str]:
        sig = inspect.signature(self.fn)
        return [p for p, v in sig.parameters.items() if v.kind == v.KEYWORD_ONLY
                or (v.default is not inspect.Parameter.empty)]

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "title": self.title, "shape": self.shape,
                "lower_is_better": self.ascending, "params": self.params,
                "description": self.doc}


METRICS: dict[str, Metric] = {m.name: m for m in [
    Metric("degree", "Degree (number of partners)", centrality.degree),
    Metric("weighted-degree", "Weighted degree (strength)", centrality.strength),
    Metric("in-strength", "Incoming weight (directed graphs)", centrality.in_strength),
    Metric("betweenness", "Betweenness centrality", centrality.betweenness),
    Metric("pagerank", "PageRank", centrality.pagerank),
    Metric("eigenvector", "Eigenvector centrality", centrality.eigenvector),
    Metric("constraint", "Burt's constraint (low = broker)", brokerage.constraint,
           ascending=True),
    Metric("effective-size", "Burt's effective size", brokerage.effective_size),
    Metric("brokerage", "Distinct regions/areas bridged", brokerage.bridging),
    Metric("gatekeeper", "Gould-Fernandez brokerage roles (gatekeeper count)",
           brokerage.gould_fernandez),
    Metric("communities", "Louvain communities", _communities, shape="group"),
    Metric("components", "Connected components", structure.components, shape="group"),
    Metric("bridges", "Bridges (ties whose loss splits the network)", structure.bridges,
           shape="pair"),
    Metric("cut-points", "Cut points (nodes whose loss splits the network)",
           structure.cut_points),
    Metric("similarity", "Regional similarity (cosine of profiles)",
           similarity.region_similarity, shape="pair"),
    Metric("specialisation", "Location quotient (specialisation)",
           specialisation.specialisation, shape="cell"),
    Metric("recommend", "Partner recommendation for a region", recommend.recommend_partners),
]}


def get_metric(name: str) -> Metric:
    if name not in METRICS:
        raise AnalysisError(
            f"No metric '{name}'. Known metrics: {', '.join(METRICS)} "
            "(run 'itskg network metrics').")
    return METRICS[name]


def _coerce(fn: Callable[..., Any], params: dict[str, Any]) -> dict[str, Any]:
    sig = inspect.signature(fn)
    out: dict[str, Any] = {}
    for k, v in params.items():
        if v is None:
            continue
        if k not in sig.parameters or k == "G":
            known = [p for p in sig.parameters if p != "G"]
            raise AnalysisError(
                f"Unknown parameter {k!r} for this metric; it takes: "
                f"{', '.join(known) or 'no parameters'}.")
        ann = str(sig.parameters[k].annotation)
        target = int if "int" in ann else float if "float" in ann else None
        if isinstance(v, str) and target is not None:
            try:
                v = target(v)
            except ValueError:
                raise AnalysisError(f"Parameter {k!r} must be a number, not {v!r}.") from None
        out[k] = v
    return out


def _only_kind(G: nx.Graph, res: MetricResult, kind: str) -> MetricResult:
    """Keep the rows about nodes of ``kind`` and rank them among themselves."""
    rows = [r for r in res.rows if r.node in G and G.nodes[r.node].get("kind") == kind]
    prev, rank = None, 0
    for i, r in enumerate(rows, start=1):
        if r.value != prev:
            rank, prev = i, r.value
        r.rank = rank
    res.rows = rows
    res.params["kind"] = kind
    return res


def run_metric(G: nx.Graph, name: str, *, kind: str | None = None,
               **params: Any) -> MetricResult:
    """Run the metric called ``name`` on ``G`` with keyword ``params`` (strings coerced).

    ``kind`` keeps only rows about nodes of that kind (company, academy...), re-ranked:
    "the top brokers among companies" rather than among all nodes.
    """
    m = get_metric(name)
    kw = _coerce(m.fn, params)
    res = m.fn(G, **kw)
    if isinstance(res, MetricResult):
        res.params = kw
    else:
        res = MetricResult(name, res, {}, kw)
    if kind:
        if m.shape not in {"node", "group"}:
            raise AnalysisError(f"'{name}' ranks pairs or cells: kind= does not apply.")
        res = _only_kind(G, res, kind)
    return res
