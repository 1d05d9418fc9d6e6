"""Network work as tasks a query worker runs: a graph view, an export, a metric, a summary.

``KnowledgeGraph.network`` sends a task (a plain dict, see ``network_task``) to the worker
pool, so network analysis runs under the same deadline and in the same killable processes
as SPARQL queries; without a pool it runs in the calling process. Each worker keeps the
networkx graphs it built in a small per-process cache keyed by store generation,
projection and filters. Answers are bytes: JSON for views, metrics and summaries, the file
for exports.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from typing import Any

import networkx as nx

from itskg.graph.analysis.extract import Filters, build_graph
from itskg.graph.backends.interface import Store
from itskg.graph.errors import AnalysisError

__all__ = ["EXPORT_MEDIA", "GRAPH_CACHE_SIZE", "TASKS", "network_task", "run_task"]

GRAPH_CACHE_SIZE = 4  # networkx graphs kept per worker process
EXPORT_MEDIA = {"gexf": "application/gexf+xml", "graphml": "application/graphml+xml",
                "csv": "application/zip"}
TASKS = ("view", "export", "metric", "summary")
_JSON = "application/json"


def network_task(task: str, projection: str, filters: Filters, **options: Any) -> dict[str, Any]:
    """A task dict for ``run_task``: what to do on which projection, with which filters.

    >>> network_task("metric", "academy-academy", Filters(), metric="degree")["task"]
    'metric'
    """
    if task not in TASKS:
        raise AnalysisError(f"Unknown network task {task!r}; use one of {', '.join(TASKS)}.")
    return {"task": task, "projection": projection, "filters": filters, "options": options}


def projection_graph(store: Store, projection: str, filters: Filters,
                     cache: dict[str, Any]) -> nx.Graph:
    """The projection's graph, built once per store generation and filters in this process."""
    graphs: OrderedDict[Any, nx.Graph] = cache.setdefault("network_graphs", OrderedDict())
    key = (store.generation, projection, repr(filters))
    if key in graphs:
        graphs.move_to_end(key)
        return graphs[key]
    G = build_graph(store, projection, filters)
    graphs[key] = G
    while len(graphs) > GRAPH_CACHE_SIZE:
        graphs.popitem(last=False)
    return G


def _json(data: Any) -> tuple[bytes, str]:
    return json.dumps(data, ensure_ascii=False, default=str).encode(), _JSON


def run_task(store: Store, req: dict[str, Any], cache: dict[str, Any]
             ) -> tuple[bytes, str]:
    """Run one task (from ``network_task``) on ``store``; returns (body, media type).

    Raises AnalysisError for an unknown projection, metric, format or parameter, and for a
    view larger than ``max_nodes``.
    """
    from itskg.graph.analysis.metrics import METRICS, run_metric

    task, projection, filters = req["task"], req["projection"], req["filters"]
    opt = req["options"]
    if task == "metric" and opt["metric"] not in METRICS:
        run_metric(nx.Graph(), opt["metric"])  # raises the AnalysisError listing metrics
    if task == "export":
        from itskg.graph.analysis.export import FORMATS

        if opt["format"] not in FORMATS:
            raise AnalysisError(
                f"Unknown format {opt['format']!r}; use one of {', '.join(FORMATS)}.")
    G = projection_graph(store, projection, filters, cache)
    if task == "view":
        return _json(_view(G, projection, opt["max_nodes"], opt["communities"], opt["prefix"]))
    if task == "export":
        from itskg.graph.analysis.export import export_graph

        return export_graph(G, opt["format"]), EXPORT_MEDIA[opt["format"]]
    if task == "summary":
        from itskg.graph.analysis.structure import summary

        return _json({**summary(G), "seconds": G.graph.get("seconds")})
    res = run_metric(G, opt["metric"], kind=opt.get("kind"), **opt.get("params", {}))
    answer = {"metric": opt["metric"], "projection": projection, "params": res.params,
              "filters": G.graph.get("filters"), "summary": res.summary,
              "total": len(res.rows), "rows": [r.to_json() for r in res.top(opt.get("top"))]}
    if opt.get("write_back"):  # the layer to commit, built here under the deadline
        from itskg.graph.analysis.writeback import measures_layer

        layer = measures_layer(G, res)
        answer["layer"] = {"source": layer.source, "title": layer.title, "kind": layer.kind,
                           "derived_from": list(layer.derived_from),
                           "description": layer.description, "rows": layer.rows,
                           "ntriples": bytes(layer.data).decode()}
    return _json(answer)


def _view(G: nx.Graph, projection: str, max_nodes: int, communities: bool,
          prefix: str) -> dict[str, Any]:
    from itskg.graph.analysis.communities import louvain, modularity
    from itskg.graph.analysis.export import to_web_json
    from itskg.graph.analysis.structure import summary

    if G.number_of_nodes() > max_nodes:
        raise AnalysisError(
            f"The projection '{projection}' has {G.number_of_nodes():,} nodes with these "
            f"filters, more than max_nodes={max_nodes:,} (over HTTP at most "
            "ITSKG_NETWORK_MAX_NODES). Add region/area/sector/year filters, raise max_nodes, "
            f"or download it from {prefix}/{projection}/export?format=gexf.")
    comms = louvain(G) if communities and G.number_of_edges() else []
    info = summary(G)
    if comms:
        info["modularity"] = round(modularity(G, comms), 4)
    degree = {n: G.degree(n) for n in G}
    return to_web_json(G, {"degree": degree}, comms, info)
