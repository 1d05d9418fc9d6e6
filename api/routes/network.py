"""HTTP routes of the network analysis: /api/network/...

- ``GET /api/network/projections``: the declared projections (and their filters);
- ``GET /api/network/metrics``: the metric catalogue with the policy reading of each;
- ``GET /api/network/{projection}``: the graph for a web view, ``{nodes, edges, communities,
  summary}``, refused (422) above ``max_nodes`` with a message saying how to narrow it;
- ``GET /api/network/{projection}/export?format=gexf|graphml|csv``: a download;
- ``GET /api/network/{projection}/{metric}?top=N``: ranked results; other query parameters
  are the metric's own (``k``, ``seed``, ``attr``, ``profile``, ``level``, ``target``...).

Filters everywhere: ``region`` and ``area`` and ``sector`` (repeatable), ``year``,
``real_only``.

Server-side bounds that a client cannot raise (issue 12): at most
``ITSKG_NETWORK_MAX_NODES`` nodes per drawn or analysed projection (a larger ``max_nodes`` is
clamped); betweenness estimated from at most ``ITSKG_NETWORK_BETWEENNESS_SAMPLES`` sources
with the fixed seed 0 (a client's ``seed`` is ignored, so it cannot multiply cache entries or
work); at most ``ITSKG_NETWORK_CONCURRENCY`` analyses at once (others wait up to the query
timeout, then 503); metric results cached per generation, projection, filters and metric.
Graphs are built in-process from a read-only store handle (refreshed per request, so a new
generation is picked up) and cached per generation and filters.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Annotated, Any

import networkx as nx
from fastapi import APIRouter, FastAPI, Path, Query, Request
from fastapi.responses import Response

from itskg.graph.analysis.export import FORMATS, export_graph, to_web_json
from itskg.graph.analysis.extract import Filters, build_graph
from itskg.graph.analysis.metrics import METRICS, run_metric
from itskg.graph.analysis.projections import load_projections
from itskg.graph.errors import AnalysisError, QueryTimeoutError
from itskg.graph.store import KnowledgeStore

__all__ = ["DEFAULT_MAX_NODES", "register", "router"]

PREFIX = "/api/network"
DEFAULT_MAX_NODES = 5_000
CACHE_SIZE = 4  # projections kept per app (each up to ITSKG_NETWORK_MAX_NODES nodes for views)
METRIC_CACHE_SIZE = 64
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
Projection = Annotated[str, Path(description="A declared projection (GET /api/network/"
                                 "projections)", json_schema_extra={
                                     "enum": sorted(load_projections())})]
MetricName = Annotated[str, Path(description="A metric (GET /api/network/metrics)",
                                 json_schema_extra={"enum": sorted(METRICS)})]


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


def _metric_cache(request: Request) -> OrderedDict[Any, Any]:
    state = request.app.state
    with _lock:
        cache = getattr(state, "network_metric_cache", None)
        if cache is None:
            cache = state.network_metric_cache = OrderedDict()
        return cache  # type: ignore[no-any-return]


def _remember_metric(request: Request, key: Any, res: Any) -> None:
    cache = _metric_cache(request)
    with _lock:
        cache[key] = res
        while len(cache) > METRIC_CACHE_SIZE:
            cache.popitem(last=False)


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


class _Busy:
    """The concurrency cap of network analyses (one semaphore per app)."""

    def __init__(self, request: Request) -> None:
        state = request.app.state
        with _lock:
            sem = getattr(state, "network_slots", None)
            if sem is None:
                sem = state.network_slots = threading.BoundedSemaphore(
                    state.settings.network_concurrency)
        self.sem, self.wait = sem, state.settings.query_timeout

    def __enter__(self) -> None:
        if not self.sem.acquire(timeout=self.wait):
            raise QueryTimeoutError(
                f"All network analysis slots stayed busy for {self.wait:g} s; retry later "
                "(slots: ITSKG_NETWORK_CONCURRENCY).")

    def __exit__(self, *exc: object) -> None:
        self.sem.release()


def _node_cap(request: Request, G: nx.Graph, projection: str, asked: int | None = None
              ) -> None:
    cap = request.app.state.settings.network_max_nodes
    limit = min(asked, cap) if asked else cap
    if G.number_of_nodes() > limit:
        raise AnalysisError(
            f"The projection '{projection}' has {G.number_of_nodes():,} nodes with these "
            f"filters, more than max_nodes={limit:,} (the server's cap is {cap:,}, setting "
            "ITSKG_NETWORK_MAX_NODES). Add region/area/sector/year filters, use "
            f"'itskg network' on the command line, or download it from "
            f"{PREFIX}/{projection}/export?format=gexf.")


def _filters(region: list[str] | None, area: list[str] | None, sector: list[str] | None,
             year: int | None, real_only: bool) -> Filters:
    def given(values: list[str] | None) -> tuple[str, ...]:  # an empty value is not a filter
        return tuple(v for v in (values or ()) if v.strip())

    return Filters(regions=given(region), areas=given(area), sectors=given(sector), year=year,
                   real_only=real_only)


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
    request: Request, projection: Projection, region: Regions = None, area: Areas = None,
    sector: Sectors = None, year: Year = None, real_only: RealOnly = False,
    max_nodes: Annotated[int, Query(ge=1, description="Refuse larger graphs")] =
    DEFAULT_MAX_NODES,
    communities: Annotated[bool, Query(description="Add Louvain communities")] = True,
) -> dict[str, Any]:
    """Nodes (id, label, kind, attributes, degree, community), edges (source, target, weight),
    communities and a summary. Larger than ``max_nodes``: 422 with how to narrow it."""
    from itskg.graph.analysis.communities import louvain, modularity
    from itskg.graph.analysis.structure import summary

    with _Busy(request):
        G = _graph(request, projection, _filters(region, area, sector, year, real_only))
        _node_cap(request, G, projection, max_nodes)
        comms = louvain(G) if communities and G.number_of_edges() else []
        info = summary(G)
        if comms:
            info["modularity"] = round(modularity(G, comms), 4)
        degree = {n: G.degree(n) for n in G}
        return to_web_json(G, {"degree": degree}, comms, info)


@router.get("/{projection}/export", summary="Download a projection (GEXF, GraphML, CSV zip)",
            response_class=Response, responses={200: {"description": "The file", "content": {
                m: {"schema": {}} for m in _MEDIA.values()}}})
def export(
    request: Request, projection: Projection,
    format: Annotated[str, Query(description="gexf, graphml or csv (a zip)",
                                 json_schema_extra={"enum": list(FORMATS)})] = "gexf",
    region: Regions = None, area: Areas = None, sector: Sectors = None, year: Year = None,
    real_only: RealOnly = False,
) -> Response:
    """The projection for Gephi/Cytoscape (GEXF, GraphML) or spreadsheets (nodes.csv +
    edges.csv in a zip)."""
    if format not in FORMATS:
        raise AnalysisError(f"Unknown format {format!r}; use one of {', '.join(FORMATS)}.")
    with _Busy(request):
        G = _graph(request, projection, _filters(region, area, sector, year, real_only))
        data = export_graph(G, format)
    ext = "zip" if format == "csv" else format
    return Response(data, media_type=_MEDIA[format], headers={
        "Content-Disposition": f'attachment; filename="{projection}.{ext}"'})


@router.get("/{projection}/{metric}", summary="Ranked results of a metric on a projection")
def metric_results(
    request: Request, projection: Projection, metric: MetricName,
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
    params.pop("seed", None)  # fixed seed over HTTP: one answer, one cache entry
    if metric == "betweenness":  # sampled sources, capped by the server
        cap = request.app.state.settings.network_betweenness_samples
        try:
            asked = int(params.get("k") or cap)
        except ValueError:
            raise AnalysisError(f"k must be a whole number, not {params['k']!r}.") from None
        params["k"] = str(max(1, min(asked, cap)))
    filters = _filters(region, area, sector, year, real_only)
    with _Busy(request):
        G = _graph(request, projection, filters)
        _node_cap(request, G, projection)
        key = (G.graph.get("generation"), projection, repr(filters), metric,
               tuple(sorted(params.items())), kind)
        res = _metric_cache(request).get(key)
        if res is None or key[0] is None:
            res = run_metric(G, metric, kind=kind or None, **params)
            _remember_metric(request, key, res)
    return {"metric": metric, "projection": projection, "params": res.params,
            "filters": G.graph.get("filters"), "summary": res.summary, "total": len(res.rows),
            "rows": [r.to_json() for r in res.top(top)]}


def register(app: FastAPI) -> None:
    """Add the network routes to ``app``."""
    app.include_router(router)
