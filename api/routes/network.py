"""HTTP routes of the network analysis: /api/network/...

- ``GET /api/network/projections``: the declared projections (and their filters);
- ``GET /api/network/metrics``: the metric catalogue with the policy reading of each;
- ``GET /api/network/{projection}``: the graph for a web view, ``{nodes, edges, communities,
  summary}``, refused (422) above ``max_nodes`` with a message saying how to narrow it;
- ``GET /api/network/{projection}/export?format=gexf|graphml|csv``: a download;
- ``GET /api/network/{projection}/{metric}?top=N``: ranked results; other query parameters
  are the metric's own (``k``, ``seed``, ``attr``, ``profile``, ``level``, ``target``...).

Filters everywhere: ``region`` and ``area`` and ``sector`` (repeatable), ``year``,
``real_only``. Graphs are built in-process from a read-only store handle (refreshed per
request, so a new generation is picked up) and cached per generation and filters.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Annotated, Any

import networkx as nx
from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import Response

from itskg.graph.analysis.export import FORMATS, export_graph, to_web_json
from itskg.graph.analysis.extract import Filters, build_graph
from itskg.graph.analysis.metrics import METRICS, run_metric
from itskg.graph.analysis.projections import load_projections
from itskg.graph.errors import AnalysisError
from itskg.graph.store import KnowledgeStore

__all__ = ["DEFAULT_MAX_NODES", "register", "router"]

PREFIX = "/api/network"
DEFAULT_MAX_NODES = 5_000
CACHE_SIZE = 8
_MEDIA = {"gexf": "application/gexf+xml", "graphml": "application/graphml+xml",
          "csv": "application/zip"}
_RESERVED = {"region", "area", "sector", "year", "real_only", "top", "max_nodes", "kind"}

router = APIRouter(prefix=PREFIX, tags=["network analysis"])
_lock = threading.Lock()

Regions = Annotated[list[str] | None, Query(description="NUTS code or name, repeatable")]
Areas = Annotated[list[str] | None, Query(description="Technological area, repeatable")]
Sectors = Annotated[list[str] | None, Query(description="ATECO code or section, repeatable")]
Year = Annotated[int | None, Query(ge=1900, le=2100)]
RealOnly = Annotated[bool, Query(description="Leave out synthetic data")]


def _store(request: Request) -> KnowledgeStore:
    state = request.app.state
    with _lock:
        st = getattr(state, "network_store", None)
        if st is None:
            st = KnowledgeStore.open(state.settings.store)
            state.network_store = st
        else:
            st.refresh()
        return st  # type: ignore[no-any-return]


def _graph(request: Request, projection: str, filters: Filters) -> nx.Graph:
    st = _store(request)
    state = request.app.state
    with _lock:
        cache: OrderedDict[Any, nx.Graph] = getattr(state, "network_cache", None) or OrderedDict()
        state.network_cache = cache
        key = (st.generation, projection, repr(filters))
        if key in cache:
            cache.move_to_end(key)
            return cache[key]
    G = build_graph(st, projection, filters)
    with _lock:
        cache[key] = G
        while len(cache) > CACHE_SIZE:
            cache.popitem(last=False)
    return G


def _filters(region: list[str] | None, area: list[str] | None, sector: list[str] | None,
             year: int | None, real_only: bool) -> Filters:
    return Filters(regions=tuple(region or ()), areas=tuple(area or ()),
                   sectors=tuple(sector or ()), year=year, real_only=real_only)


@router.get("/projections", summary="List the declared network projections")
def list_projections() -> list[dict[str, Any]]:
    """Every projection with its title, description, shape and supported filters."""
    return [p.to_json() for p in load_projections().values()]


@router.get("/metrics", summary="List the network metrics")
def list_metrics() -> list[dict[str, Any]]:
    """Every metric with its parameters and what its figure means for a policy reader."""
    return [m.to_json() for m in METRICS.values()]


@router.get("/{projection}", summary="A projection as nodes and edges for a graph view")
def graph_view(
    request: Request, projection: str, region: Regions = None, area: Areas = None,
    sector: Sectors = None, year: Year = None, real_only: RealOnly = False,
    max_nodes: Annotated[int, Query(ge=1, description="Refuse larger graphs")] =
    DEFAULT_MAX_NODES,
    communities: Annotated[bool, Query(description="Add Louvain communities")] = True,
) -> dict[str, Any]:
    """Nodes (id, label, kind, attributes, degree, community), edges (source, target, weight),
    communities and a summary. Larger than ``max_nodes``: 422 with how to narrow it."""
    from itskg.graph.analysis.communities import louvain, modularity
    from itskg.graph.analysis.structure import summary

    G = _graph(request, projection, _filters(region, area, sector, year, real_only))
    if G.number_of_nodes() > max_nodes:
        raise AnalysisError(
            f"The projection '{projection}' has {G.number_of_nodes():,} nodes with these "
            f"filters, more than max_nodes={max_nodes:,}. Add region/area/sector/year filters, "
            f"raise max_nodes, or download it from {PREFIX}/{projection}/export?format=gexf.")
    comms = louvain(G) if communities and G.number_of_edges() else []
    info = summary(G)
    if comms:
        info["modularity"] = round(modularity(G, comms), 4)
    degree = {n: G.degree(n) for n in G}
    return to_web_json(G, {"degree": degree}, comms, info)


@router.get("/{projection}/export", summary="Download a projection (GEXF, GraphML, CSV zip)")
def export(
    request: Request, projection: str,
    format: Annotated[str, Query(description="gexf, graphml or csv (a zip)")] = "gexf",
    region: Regions = None, area: Areas = None, sector: Sectors = None, year: Year = None,
    real_only: RealOnly = False,
) -> Response:
    """The projection for Gephi/Cytoscape (GEXF, GraphML) or spreadsheets (nodes.csv +
    edges.csv in a zip)."""
    if format not in FORMATS:
        raise AnalysisError(f"Unknown format {format!r}; use one of {', '.join(FORMATS)}.")
    G = _graph(request, projection, _filters(region, area, sector, year, real_only))
    data = export_graph(G, format)
    ext = "zip" if format == "csv" else format
    return Response(data, media_type=_MEDIA[format], headers={
        "Content-Disposition": f'attachment; filename="{projection}.{ext}"'})


@router.get("/{projection}/{metric}", summary="Ranked results of a metric on a projection")
def metric_results(
    request: Request, projection: str, metric: str,
    top: Annotated[int | None, Query(ge=1, description="First N rows")] = 50,
    region: Regions = None, area: Areas = None, sector: Sectors = None, year: Year = None,
    real_only: RealOnly = False,
    kind: Annotated[str | None, Query(description="Rank only nodes of this kind")] = None,
) -> dict[str, Any]:
    """``{metric, projection, params, summary, total, rows: [{node, label, value, rank,
    ...}]}``; any other query parameter is passed to the metric (e.g. ``k=500``)."""
    if metric not in METRICS:
        run_metric(nx.Graph(), metric)  # raises the AnalysisError listing metrics
    params = {k: v for k, v in request.query_params.items() if k not in _RESERVED}
    G = _graph(request, projection, _filters(region, area, sector, year, real_only))
    res = run_metric(G, metric, kind=kind, **params)
    return {"metric": metric, "projection": projection, "params": res.params,
            "filters": G.graph.get("filters"), "summary": res.summary, "total": len(res.rows),
            "rows": [r.to_json() for r in res.top(top)]}


def register(app: FastAPI) -> None:
    """Add the network routes to ``app``."""
    app.include_router(router)
