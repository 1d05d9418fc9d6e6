"""Network work as tasks a query worker runs: a graph view, an export, a metric, a summary.

``KnowledgeGraph.network`` sends a task (a plain dict, see ``network_task``) to the worker
pool, so network analysis runs under the same deadline and in the same killable processes
as SPARQL queries; without a pool it runs in the calling process. Each worker keeps the
networkx graphs it built in a small per-process cache keyed by store generation,
projection and filters; a graph that took ``SHELF_MIN_SECONDS`` or more to build is also
pickled beside the generation's precomputed answers (``STORE/answers/<generation>/graphs/``,
removed with them), so the next worker that needs it (the explorer's metric request often
lands on another worker than its view) or the next server loads it instead of building it
again. Answers are bytes: JSON for views, metrics and summaries, the file
for exports.
"""

from __future__ import annotations

import contextlib
import hashlib
import heapq
import json
import logging
import os
import pickle
import time
from collections import OrderedDict
from pathlib import Path
from typing import Any

import networkx as nx

from itskg.graph.analysis.extract import Filters, build_graph
from itskg.graph.backends.interface import Store
from itskg.graph.errors import AnalysisError

__all__ = ["EXPORT_MEDIA", "GRAPH_CACHE_SIZE", "TASKS", "network_task", "run_task", "thin"]

GRAPH_CACHE_SIZE = 4  # networkx graphs kept per worker process
#: a graph built in this many seconds or more is pickled for other workers (cheaper ones are
#: rebuilt); one with more than SHELF_MAX_EDGES edges is not (its pickle would be slow too)
SHELF_MIN_SECONDS = 1.0
SHELF_MAX_EDGES = 1_000_000
log = logging.getLogger(__name__)
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
    path = _shelf_path(store, key)
    G = _unshelve(path) if path is not None else None  # raises a kept refusal
    if G is None:
        t0 = time.monotonic()
        try:
            G = build_graph(store, projection, filters)
        except AnalysisError as err:  # too large: the same answer for this generation
            if path is not None and time.monotonic() - t0 >= SHELF_MIN_SECONDS:
                _shelve(path, err)
            raise
        if (path is not None and time.monotonic() - t0 >= SHELF_MIN_SECONDS
                and G.number_of_edges() <= SHELF_MAX_EDGES):
            _shelve(path, G)
    graphs[key] = G
    while len(graphs) > GRAPH_CACHE_SIZE:
        graphs.popitem(last=False)
    return G


def _shelf_path(store: Store, key: tuple[Any, ...]) -> Path | None:
    """Where the graph of ``key`` is pickled for the store's generation (None: remote)."""
    from itskg.graph.answers import ANSWERS_DIR

    root, generation = getattr(store, "root", None), getattr(store, "generation", None)
    if not isinstance(root, Path) or not generation:
        return None
    name = hashlib.sha256(repr(key).encode("utf-8")).hexdigest()[:40] + ".graph"
    return root / ANSWERS_DIR / generation / "graphs" / name


def _unshelve(path: Path) -> nx.Graph | None:
    """The graph pickled at ``path`` by a worker of this server (None when there is none or
    it cannot be read: the caller builds it). Raises the AnalysisError kept there when the
    projection was refused (too large: at national scale company-company took 5 s to say
    so)."""
    try:
        with path.open("rb") as fh:
            G = pickle.load(fh)
    except FileNotFoundError:
        return None
    except Exception as err:  # damaged or from another version: built again
        log.warning("network graph %s unreadable (%s): building it again", path, err)
        with contextlib.suppress(OSError):
            path.unlink()
        return None
    if isinstance(G, AnalysisError):
        raise G
    return G if isinstance(G, nx.Graph) else None


def _shelve(path: Path, G: nx.Graph | AnalysisError) -> None:
    """Pickle ``G`` (a graph or its refusal) at ``path`` (a temporary name renamed: readers
    see all of it or none); a disk problem only costs the next worker a rebuild."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tmp.open("wb") as fh:
            pickle.dump(G, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError as err:
        log.info("network graph not kept for other workers (%s)", err)
        with contextlib.suppress(OSError):
            tmp.unlink()


def _json(data: Any) -> tuple[bytes, str]:
    return json.dumps(data, ensure_ascii=False, default=str).encode(), _JSON


def run_task(store: Store, req: dict[str, Any], cache: dict[str, Any]
             ) -> tuple[bytes, str]:
    """Run one task (from ``network_task``) on ``store``; returns (body, media type).

    Raises AnalysisError for an unknown projection, metric, format or parameter. A view
    larger than its caps is thinned (``thin``), never refused.
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
        return _json(_view(G, projection, opt["max_nodes"], opt["communities"], opt["prefix"],
                           opt.get("max_edges")))
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


def thin(G: nx.Graph, max_nodes: int, max_edges: int) -> tuple[nx.Graph, dict[str, Any] | None]:
    """The part of ``G`` a view sends: at most ``max_nodes`` nodes (those with the largest
    weighted degree) and ``max_edges`` edges among them (the heaviest); ties by id, so the
    same graph always gives the same view. Returns (graph, how it was thinned or None).

    >>> G = nx.Graph([("a", "b", {"weight": 5}), ("b", "c", {"weight": 1}), ("c", "d")])
    >>> H, how = thin(G, 3, 1)
    >>> sorted(H.nodes), list(H.edges), how["nodes"]["kept"], how["edges"]["of"]
    (['a', 'b', 'c'], [('a', 'b')], 3, 3)
    """
    n, m = G.number_of_nodes(), G.number_of_edges()
    if n <= max_nodes and m <= max_edges:
        return G, None
    how: dict[str, Any] = {"nodes": {"kept": n, "of": n, "by": None},
                           "edges": {"kept": m, "of": m, "by": None},
                           "caps": {"nodes": max_nodes, "edges": max_edges}}
    H = G
    if n > max_nodes:
        strength = dict(G.degree(weight="weight"))
        keep = sorted(G, key=lambda v: (-float(strength[v] or 0), str(v)))[:max_nodes]
        H = G.subgraph(keep)
        how["nodes"].update(kept=max_nodes, by="weighted degree (the most connected first)")
    if H.number_of_edges() > max_edges:
        edges = heapq.nsmallest(max_edges, H.edges(data="weight", default=1),
                                key=lambda e: (-float(e[2] or 0), str(e[0]), str(e[1])))
        K = G.__class__()
        K.graph.update(G.graph)
        K.add_nodes_from(H.nodes(data=True))
        K.add_edges_from((a, b, G.edges[a, b]) for a, b, _ in edges)
        H = K
        how["edges"]["by"] = "weight (the heaviest first)"
    how["edges"]["kept"] = H.number_of_edges()
    return H, how


def _view(G: nx.Graph, projection: str, max_nodes: int, communities: bool,
          prefix: str, max_edges: int | None = None) -> dict[str, Any]:
    """The JSON of a graph view, thinned to the caps (``thin``); the payload says so:
    ``total_nodes``, ``total_edges`` (of the whole projection), ``thinned`` (None when all
    of it is sent, else what was kept of what, by what rule, and the caps). The summary is
    of the whole projection; degrees are in the whole projection; communities are those of
    the graph sent (``communities_of``). The full graph is in ``{prefix}/{projection}/export``."""
    from itskg.graph.analysis.communities import louvain, modularity
    from itskg.graph.analysis.export import to_web_json
    from itskg.graph.analysis.structure import summary

    H, how = thin(G, max_nodes, max_edges if max_edges is not None else G.number_of_edges())
    comms = louvain(H) if communities and H.number_of_edges() else []
    info = summary(G)
    if comms:
        info["modularity"] = round(modularity(H, comms), 4)
    degree = {n: G.degree(n) for n in H}
    out = to_web_json(H, {"degree": degree}, comms, info)
    out.update(total_nodes=G.number_of_nodes(), total_edges=G.number_of_edges(), thinned=how,
               communities_of="shown graph" if how else "whole graph",
               export=f"{prefix}/{projection}/export")
    return out
