"""/sparql: the SPARQL 1.1 Protocol (queries; updates only with the admin token).

Requests: GET ``?query=``, POST ``application/x-www-form-urlencoded`` (``query=`` or
``update=``), POST ``application/sparql-query`` and ``application/sparql-update`` bodies;
``default-graph-uri`` / ``named-graph-uri`` (repeatable) set the dataset, otherwise the default
graph is the union of all layers. ``format=`` overrides the Accept header. GET without a query
returns the service description. Responses to a capped SELECT carry
``X-ITSKG-Truncated: true`` and ``X-ITSKG-Row-Cap: N`` (and the JSON/XML head a link to
``itskg:truncated``); ``X-ITSKG-Rows`` gives the row count when it is known exactly.

Updates are refused (403) unless ``ITSKG_ADMIN_TOKEN`` is set and sent as
``Authorization: Bearer <token>``; then ``DROP|CLEAR [SILENT] GRAPH <layer graph>`` removes
that layer as a new store generation, and any other operation gets 501 (load and change data
with ``itskg import``: store generations are immutable).
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from itskg.api.deps import get_kg, get_settings
from itskg.api.formats import choose_format
from itskg.api.http_errors import (
    MalformedRequestError,
    MethodNotAllowedError,
    UnsupportedMediaTypeError,
    UpdateNotSupportedError,
)
from itskg.api.routes.meta import service_description
from itskg.graph.config import Settings
from itskg.graph.errors import QueryRefusedError
from itskg.graph.knowledge import KnowledgeGraph
from itskg.graph.sparql.scan import scan_query, scan_update

__all__ = ["ProtocolRequest", "read_protocol_request", "router"]

router = APIRouter(tags=["sparql"])

_QUERY_TYPES = {
    "application/x-www-form-urlencoded", "application/sparql-query", "application/sparql-update",
}


@dataclass
class ProtocolRequest:
    """The protocol parameters of one /sparql request."""

    query: str | None = None
    update: str | None = None
    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)
    format: str | None = None


async def read_protocol_request(request: Request) -> ProtocolRequest:
    """Collect the parameters from the URL and (for POST) the body; reject malformed ones."""
    params = list(request.query_params.multi_items())
    if request.method == "POST":
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if not ctype and request.headers.get("content-length", "0") == "0":
            ctype = "application/x-www-form-urlencoded"  # an empty POST: "no query" below
        if ctype not in _QUERY_TYPES:
            raise UnsupportedMediaTypeError(
                f"POST /sparql with Content-Type '{ctype or '(none)'}' is not part of the SPARQL "
                f"protocol; use one of {', '.join(sorted(_QUERY_TYPES))}."
            )
        try:
            text = (await request.body()).decode("utf-8")
        except UnicodeDecodeError as err:
            raise MalformedRequestError(f"The request body is not UTF-8: {err}") from err
        if ctype == "application/x-www-form-urlencoded":
            params += parse_qsl(text, keep_blank_values=True)
        else:
            key = "query" if ctype == "application/sparql-query" else "update"
            if any(k in ("query", "update") for k, _ in params):
                raise MalformedRequestError(
                    f"A {ctype} request carries the {key} in its body; remove query=/update= "
                    "from the URL."
                )
            params.append((key, text))
    req = ProtocolRequest()
    queries = [v for k, v in params if k == "query"]
    updates = [v for k, v in params if k == "update"]
    if len(queries) > 1 or len(updates) > 1:
        raise MalformedRequestError("The request has more than one query or update; send one.")
    if queries and updates:
        raise MalformedRequestError("The request has both query= and update=; send one of them.")
    if updates and request.method != "POST":
        raise MalformedRequestError("SPARQL Update must be sent with POST, not GET.")
    req.query = queries[0] if queries else None
    req.update = updates[0] if updates else None
    req.default_graphs = [v for k, v in params if k in ("default-graph-uri", "using-graph-uri")]
    req.named_graphs = [v for k, v in params
                        if k in ("named-graph-uri", "using-named-graph-uri")]
    formats = [v for k, v in params if k == "format"]
    req.format = formats[-1] if formats else None
    return req


def _check_admin(request: Request, settings: Settings) -> None:
    if not settings.admin_token:
        raise QueryRefusedError(
            "This endpoint is read-only: SPARQL Update is disabled. Load data with "
            "'itskg import' (or start the server with ITSKG_ADMIN_TOKEN set)."
        )
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
            token.strip().encode(), settings.admin_token.encode()):
        raise QueryRefusedError(
            "SPARQL Update needs the header 'Authorization: Bearer <token>' with the "
            "server's ITSKG_ADMIN_TOKEN."
        )


async def _update(request: Request, update: str, settings: Settings, kg: KnowledgeGraph
                  ) -> Response:
    _check_admin(request, settings)
    plan = scan_update(update)
    if plan.unsupported:
        raise UpdateNotSupportedError(
            f"This store applies only DROP/CLEAR GRAPH <layer> over HTTP, not "
            f"{', '.join(plan.unsupported)}: its generations are immutable. Load or change "
            "data with 'itskg import' (the server switches to the new data by itself)."
        )
    dropped = await run_in_threadpool(kg.apply_update, plan)
    return JSONResponse({"ok": True, "removed_layers": dropped})


# Two routes, not api_route(methods=[GET, POST]): that gives both one OpenAPI operation id.
@router.get("/sparql", summary="SPARQL 1.1 Protocol endpoint (query in the URL)")
@router.post("/sparql", summary="SPARQL 1.1 Protocol endpoint (query or update in the body)")
async def sparql(request: Request) -> Response:
    # No Depends() here: FastAPI's dependency solving costs more than the rest of this route.
    settings, kg = await get_settings(request), await get_kg(request)
    req = await read_protocol_request(request)
    if req.update is not None:
        return await _update(request, req.update, settings, kg)
    if req.query is None:
        if request.method == "GET":
            return await service_description(request, kg, settings, req.format)
        raise MalformedRequestError("POST /sparql without a query; send query=... or a body.")
    info = scan_query(req.query)
    fmt = choose_format(info.is_graph, request.headers.get("accept"), req.format)
    res = await kg.asparql(req.query, fmt, info=info, default_graphs=req.default_graphs,
                           named_graphs=req.named_graphs)
    headers = {"Vary": "Accept"}
    if res.rows is not None:
        headers["X-ITSKG-Rows"] = str(res.rows)
    if res.truncated:
        headers["X-ITSKG-Truncated"] = "true"
        headers["X-ITSKG-Row-Cap"] = str(kg.max_rows)
    return Response(res.body, media_type=res.media_type, headers=headers)


@router.api_route("/sparql", methods=["PUT", "DELETE", "PATCH"], include_in_schema=False)
async def sparql_wrong_method(request: Request) -> Response:
    raise MethodNotAllowedError(
        f"{request.method} is not part of the SPARQL protocol at /sparql; use GET or POST.",
        headers={"Allow": "GET, POST"},
    )
