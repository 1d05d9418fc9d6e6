"""HTTP routes of the network analysis: /api/network/...

- ``GET /api/network/projections``: the declared projections (and their filters);
- ``GET /api/network/metrics``: the metric catalogue with the policy reading of each;
- ``GET /api/network/{projection}``: the graph for a web view, ``{nodes, edges, communities,
  summary, total_nodes, total_edges, thinned}``: above ``max_nodes`` nodes it keeps the most
  connected ones (weighted degree), above ``ITSKG_NETWORK_MAX_EDGES`` edges the heaviest, and
  ``thinned`` says what was kept of what and by which rule (None: the whole graph);
- ``GET /api/network/{projection}/export?format=gexf|graphml|csv``: a download of the whole
  graph (never thinned), computed under the same deadline: a projection too large to write
  in time answers 503 and is narrowed with the filters;
- ``GET /api/network/{projection}/{metric}?top=N``: ranked results; other query parameters
  are the metric's own (``k``, ``seed``, ``attr``, ``profile``, ``level``, ``target``...).

Filters everywhere: ``region`` and ``area`` and ``sector`` (repeatable), ``year``,
``real_only``. Every request is a task of ``KnowledgeGraph.anetwork``: it runs in a query
worker under the query deadline (``ITSKG_QUERY_TIMEOUT``), which builds the graph once per
store generation and filters; answers are cached per generation.

Server-side bounds a client cannot raise (issues 10, 12): a view sends at most
``ITSKG_NETWORK_MAX_NODES`` nodes (a larger ``max_nodes`` is clamped) and
``ITSKG_NETWORK_MAX_EDGES`` edges; a metric sends at most ``ITSKG_NETWORK_MAX_NODES`` rows
(``top`` is clamped; ``total`` states all of them); betweenness is
estimated from at most ``ITSKG_NETWORK_BETWEENNESS_SAMPLES`` sources with the fixed seed 0 (a
client's ``seed`` is dropped, so it can neither multiply cache entries nor work); every task
shares the worker pool (so at most ``ITSKG_QUERY_WORKERS`` run at once), its deadline and its
memory limit (``ITSKG_WORKER_MEMORY_MB``). Empty filter values count as not given.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Path, Query, Request
from fastapi.responses import Response

from itskg.api.deps import get_kg
from itskg.graph.analysis.extract import Filters
from itskg.graph.analysis.metrics import METRICS
from itskg.graph.analysis.projections import load_projections
from itskg.graph.errors import AnalysisError

__all__ = ["DEFAULT_MAX_NODES", "EXPLORER_MAX_NODES", "register", "router"]

PREFIX = "/api/network"
DEFAULT_MAX_NODES = 5_000
#: What the explorer's network view asks for (api/pages/static/network.js reads it from the
#: page; the precompute plan asks the same, so a first visit finds it ready).
EXPLORER_MAX_NODES = 4_000
_RESERVED = {"region", "area", "sector", "year", "real_only", "top", "max_nodes", "kind"}

router = APIRouter(prefix=PREFIX, tags=["network analysis"], responses={
    429: {"description": "Client over its query-time budget (Retry-After)"},
    503: {"description": "Task past the query deadline or all workers busy (Retry-After)"}})

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
_MEDIA = ("application/gexf+xml", "application/graphml+xml", "application/zip")


def _filters(region: list[str] | None, area: list[str] | None, sector: list[str] | None,
             year: int | None, real_only: bool) -> Filters:
    def given(values: list[str] | None) -> tuple[str, ...]:  # an empty value is not a filter
        return tuple(v for v in (values or ()) if v.strip())

    return Filters(regions=given(region), areas=given(area), sectors=given(sector), year=year,
                   real_only=real_only)


def _bounded(request: Request, metric: str, params: dict[str, str]) -> dict[str, str]:
    """A metric's parameters with the server's bounds: no client seed, capped samples."""
    params.pop("seed", None)  # fixed seed over HTTP: one answer, one cache entry
    if metric == "betweenness":
        cap = request.app.state.settings.network_betweenness_samples
        try:
            asked = int(params.get("k") or cap)
        except ValueError:
            raise AnalysisError(f"k must be a whole number, not {params['k']!r}.") from None
        params["k"] = str(max(1, min(asked, cap)))
    return params


@router.get("/projections", summary="List the declared network projections")
def list_projections() -> list[dict[str, Any]]:
    """Every projection with its title, description, shape and supported filters."""
    return [p.to_json() for p in load_projections().values()]


@router.get("/metrics", summary="List the network metrics")
def list_metrics() -> list[dict[str, Any]]:
    """Every metric with its parameters and what its figure means for a policy reader."""
    return [m.to_json() for m in METRICS.values()]


@router.get("/{projection}", summary="A projection as nodes and edges for a graph view")
async def graph_view(
    request: Request, projection: Projection, region: Regions = None, area: Areas = None,
    sector: Sectors = None, year: Year = None, real_only: RealOnly = False,
    max_nodes: Annotated[int, Query(ge=1, description="Send at most this many nodes (the most "
                                    "connected; the payload says what was left out)")] =
    DEFAULT_MAX_NODES,
    communities: Annotated[bool, Query(description="Add Louvain communities")] = True,
) -> Response:
    """Nodes (id, label, kind, attributes, degree, community), edges (source, target, weight),
    communities, a summary of the whole projection, ``total_nodes`` and ``total_edges``, and
    ``thinned``: how a graph above the caps was cut (the most connected nodes, the heaviest
    edges), or null when it is sent whole."""
    settings = request.app.state.settings
    res = await (await get_kg(request)).anetwork(
        "view", projection, _filters(region, area, sector, year, real_only),
        max_nodes=min(max_nodes, settings.network_max_nodes), communities=communities,
        prefix=PREFIX, max_edges=settings.network_max_edges)
    return Response(res.body, media_type=res.media_type)


@router.get("/{projection}/export", summary="Download a projection (GEXF, GraphML, CSV zip)",
            response_class=Response, responses={200: {"description": "The file", "content": {
                m: {"schema": {}} for m in _MEDIA}}})
async def export(
    request: Request, projection: Projection,
    format: Annotated[str, Query(description="gexf, graphml or csv (a zip)",
                                 json_schema_extra={"enum": ["gexf", "graphml", "csv"]})
                      ] = "gexf",
    region: Regions = None, area: Areas = None, sector: Sectors = None, year: Year = None,
    real_only: RealOnly = False,
) -> Response:
    """The projection for Gephi/Cytoscape (GEXF, GraphML) or spreadsheets (nodes.csv +
    edges.csv in a zip)."""
    res = await (await get_kg(request)).anetwork(
        "export", projection, _filters(region, area, sector, year, real_only), format=format)
    ext = "zip" if format == "csv" else format
    return Response(res.body, media_type=res.media_type, headers={
        "Content-Disposition": f'attachment; filename="{projection}.{ext}"'})


@router.get("/{projection}/{metric}", summary="Ranked results of a metric on a projection")
async def metric_results(
    request: Request, projection: Projection, metric: MetricName,
    top: Annotated[int | None, Query(ge=1, description="First N rows (at most "
                                     "ITSKG_NETWORK_MAX_NODES)")] = 50,
    region: Regions = None, area: Areas = None, sector: Sectors = None, year: Year = None,
    real_only: RealOnly = False,
    kind: Annotated[str | None, Query(description="Rank only nodes of this kind")] = None,
) -> Response:
    """``{metric, projection, params, summary, total, rows: [{node, label, value, rank,
    ...}]}``; any other query parameter is passed to the metric (e.g. ``k=500``)."""
    params = _bounded(request, metric, {k: v for k, v in request.query_params.items()
                                        if k not in _RESERVED})
    cap = request.app.state.settings.network_max_nodes
    res = await (await get_kg(request)).anetwork(
        "metric", projection, _filters(region, area, sector, year, real_only),
        metric=metric, top=min(top or cap, cap), kind=kind or None, params=params)
    return Response(res.body, media_type=res.media_type)


def register(app: FastAPI) -> None:
    """Add the network routes to ``app``."""
    app.include_router(router)
