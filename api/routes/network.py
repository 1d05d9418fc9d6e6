"""HTTP routes of the network analysis: /api/network/...

- ``GET /api/network/projections``: the declared projections (and their filters);
- ``GET /api/network/metrics``: the metric catalogue with the policy reading of each;
- ``GET /api/network/{projection}``: the graph for a web view, ``{nodes, edges, communities,
  summary}``, refused (422) above ``max_nodes`` with a message saying how to narrow it;
- ``GET /api/network/{projection}/export?format=gexf|graphml|csv``: a download;
- ``GET /api/network/{projection}/{metric}?top=N``: ranked results; other query parameters
  are the metric's own (``k``, ``seed``, ``attr``, ``profile``, ``level``, ``target``...).

Filters everywhere: ``region`` and ``area`` and ``sector`` (repeatable), ``year``,
``real_only``. Every request is a task of ``KnowledgeGraph.anetwork``: it runs in a query
worker under the query deadline (``ITSKG_QUERY_TIMEOUT``), which builds the graph once per
store generation and filters; answers are cached per generation.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import Response

from itskg.api.deps import get_kg
from itskg.graph.analysis.extract import Filters
from itskg.graph.analysis.metrics import METRICS
from itskg.graph.analysis.projections import load_projections

__all__ = ["DEFAULT_MAX_NODES", "register", "router"]

PREFIX = "/api/network"
DEFAULT_MAX_NODES = 5_000
_RESERVED = {"region", "area", "sector", "year", "real_only", "top", "max_nodes", "kind"}

router = APIRouter(prefix=PREFIX, tags=["network analysis"])

Regions = Annotated[list[str] | None, Query(description="NUTS code or name, repeatable")]
Areas = Annotated[list[str] | None, Query(description="Technological area, repeatable")]
Sectors = Annotated[list[str] | None, Query(description="ATECO code or section, repeatable")]
Year = Annotated[int | None, Query(ge=1900, le=2100)]
RealOnly = Annotated[bool, Query(description="Leave out synthetic data")]


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
async def graph_view(
    request: Request, projection: str, region: Regions = None, area: Areas = None,
    sector: Sectors = None, year: Year = None, real_only: RealOnly = False,
    max_nodes: Annotated[int, Query(ge=1, description="Refuse larger graphs")] =
    DEFAULT_MAX_NODES,
    communities: Annotated[bool, Query(description="Add Louvain communities")] = True,
) -> Response:
    """Nodes (id, label, kind, attributes, degree, community), edges (source, target, weight),
    communities and a summary. Larger than ``max_nodes``: 422 with how to narrow it."""
    res = await (await get_kg(request)).anetwork(
        "view", projection, _filters(region, area, sector, year, real_only),
        max_nodes=max_nodes, communities=communities, prefix=PREFIX)
    return Response(res.body, media_type=res.media_type)


@router.get("/{projection}/export", summary="Download a projection (GEXF, GraphML, CSV zip)")
async def export(
    request: Request, projection: str,
    format: Annotated[str, Query(description="gexf, graphml or csv (a zip)")] = "gexf",
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
    request: Request, projection: str, metric: str,
    top: Annotated[int | None, Query(ge=1, description="First N rows")] = 50,
    region: Regions = None, area: Areas = None, sector: Sectors = None, year: Year = None,
    real_only: RealOnly = False,
    kind: Annotated[str | None, Query(description="Rank only nodes of this kind")] = None,
) -> Response:
    """``{metric, projection, params, summary, total, rows: [{node, label, value, rank,
    ...}]}``; any other query parameter is passed to the metric (e.g. ``k=500``)."""
    params = {k: v for k, v in request.query_params.items() if k not in _RESERVED}
    res = await (await get_kg(request)).anetwork(
        "metric", projection, _filters(region, area, sector, year, real_only),
        metric=metric, top=top, kind=kind, params=params)
    return Response(res.body, media_type=res.media_type)


def register(app: FastAPI) -> None:
    """Add the network routes to ``app``."""
    app.include_router(router)
