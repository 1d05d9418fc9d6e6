"""/sparql: the SPARQL 1.1 Protocol (queries; updates only with the admin token).

Requests: GET ``?query=``, POST ``application/x-www-form-urlencoded`` (``query=`` or
``update=``), POST ``application/sparql-query`` and ``application/sparql-update`` bodies;
``default-graph-uri`` / ``named-graph-uri`` (repeatable) set the dataset, otherwise the default
graph is the union of all layers. ``format=`` overrides the Accept header. GET without a query
returns the service description. Responses to a capped SELECT carry
``X-ITSKG-Truncated: true`` and ``X-ITSKG-Row-Cap: N`` (and the JSON/XML head a link to
``itskg:truncated``); ``X-ITSKG-Rows`` gives the row count when it is known exactly.

Updates are refused (403) unless ``ITSKG_ADMIN_TOKEN`` is set; then a missing or wrong
``Authorization: Bearer <token>`` gets 401 with ``WWW-Authenticate: Bearer``, and more than
``ITSKG_ADMIN_ATTEMPTS`` bad tokens from one client in a minute get 429 with Retry-After
(the right token included, until the minute has passed). With the token,
``DROP|CLEAR [SILENT] GRAPH <layer graph>`` removes that layer as a new store generation, and
any other operation gets 501 (load and change data with ``itskg import``: store generations
are immutable). Query and update texts are checked against the parser-bomb limits of
``itskg.graph.sparql.limits`` first.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from itskg.api.deps import get_kg, get_settings
from itskg.api.fairuse import AttemptThrottle
from itskg.api.formats import _GRAPH_ALIASES, _RESULT_ALIASES, choose_format
from itskg.api.guard import client_key
from itskg.api.http_errors import (
    MalformedRequestError,
    MethodNotAllowedError,
    TooManyRequestsError,
    UnauthorizedError,
    UnsupportedMediaTypeError,
    UpdateNotSupportedError,
)
from itskg.api.routes.meta import service_description
from itskg.graph.config import Settings
from itskg.graph.errors import QueryRefusedError
from itskg.graph.knowledge import KnowledgeGraph
from itskg.graph.namespaces import is_iri
from itskg.graph.sparql.limits import QueryLimits, check_query_text, looks_cheap
from itskg.graph.sparql.scan import scan_query, scan_update

__all__ = ["ProtocolRequest", "answer_query", "read_protocol_request", "router"]

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
    bad = [g for g in (*req.default_graphs, *req.named_graphs) if not is_iri(g)]
    if bad:
        raise MalformedRequestError(
            f"default-graph-uri / named-graph-uri must be absolute IRIs, not {bad[0]!r}.")
    formats = [v for k, v in params if k == "format"]
    req.format = formats[-1] if formats else None
    return req


def _check_admin(request: Request, settings: Settings) -> None:
    if not settings.admin_token:
        raise QueryRefusedError(
            "This endpoint is read-only: SPARQL Update is disabled. Load data with "
            "'itskg import' (or start the server with ITSKG_ADMIN_TOKEN set)."
        )
    state = request.app.state
    throttle = getattr(state, "admin_throttle", None)
    if throttle is None:
        throttle = state.admin_throttle = AttemptThrottle(settings.admin_attempts)
    who = client_key(request.scope, settings)
    wait = throttle.retry_after(who)
    if wait > 0:
        raise TooManyRequestsError(
            f"Too many bad admin tokens from this client (more than {settings.admin_attempts} "
            f"a minute, setting ITSKG_ADMIN_ATTEMPTS); retry in {wait:.0f} s.",
            headers={"Retry-After": str(max(1, round(wait)))})
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
            token.strip().encode(), settings.admin_token.encode()):
        if header:  # a wrong token is a guess; a missing one is not
            throttle.fail(who)
        error = ', error="invalid_token"' if header else ""
        raise UnauthorizedError(
            "SPARQL Update needs the header 'Authorization: Bearer <token>' with the "
            "server's ITSKG_ADMIN_TOKEN" + (": the token sent is not it." if header else "."),
            headers={"WWW-Authenticate": f'Bearer realm="itskg"{error}'},
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


def _err(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": {
        "$ref": "#/components/schemas/Error"}}}}


_RESULTS: dict[str, Any] = {m: {"schema": {}} for m in (
    "application/sparql-results+json", "application/sparql-results+xml", "text/csv",
    "text/tab-separated-values", "text/turtle", "application/n-triples",
    "application/ld+json", "application/rdf+xml")}
_GRAPH_URI = {"type": "array", "items": {"type": "string", "format": "uri"}}
_FORMATS = sorted({*_RESULT_ALIASES, *_GRAPH_ALIASES})
_PROTOCOL_PARAMS = [
    {"name": "query", "in": "query", "required": False, "schema": {"type": "string"},
     "description": "A SPARQL 1.1 query (without it, GET returns the service description).",
     "example": "SELECT ?a WHERE { ?a a itskg:ITSAcademy } LIMIT 5"},
    {"name": "default-graph-uri", "in": "query", "required": False, "schema": _GRAPH_URI,
     "style": "form", "explode": True},
    {"name": "named-graph-uri", "in": "query", "required": False, "schema": _GRAPH_URI,
     "style": "form", "explode": True},
    {"name": "format", "in": "query", "required": False,
     "schema": {"type": "string", "enum": _FORMATS},
     "description": "Result format instead of the Accept header."},
]
_PROTOCOL_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "Results (SELECT/ASK), a graph (CONSTRUCT/DESCRIBE), the service "
          "description (GET without a query) or an update report", "content": _RESULTS},
    400: _err("Malformed request or query, or a parser-bomb limit (the message names it)"),
    401: _err("Update without the right admin token (WWW-Authenticate: Bearer)"),
    403: _err("Refused feature (SERVICE, LOAD, remote graphs) or updates disabled"),
    406: _err("No acceptable result format"),
    408: _err("The request body did not arrive within ITSKG_BODY_TIMEOUT"),
    413: _err("Body or query text over ITSKG_MAX_BODY_BYTES / ITSKG_MAX_QUERY_LENGTH"),
    414: _err("URL over ITSKG_MAX_URL_BYTES: send long queries with POST"),
    415: _err("POST body of a type the protocol does not define"),
    429: _err("Client over its query-time budget, or too many bad admin tokens"),
    501: _err("An update operation the immutable store cannot apply"),
    503: _err("Query timeout, all workers busy, or a worker crashed twice (Retry-After)"),
}
_POST_BODY = {"required": False, "content": {
    "application/x-www-form-urlencoded": {"schema": {"type": "object", "properties": {
        "query": {"type": "string"}, "update": {"type": "string"}}}},
    "application/sparql-query": {"schema": {"type": "string"}},
    "application/sparql-update": {"schema": {"type": "string"}},
}}


@router.api_route("/sparql", methods=["GET"], summary="SPARQL 1.1 Protocol endpoint (query)",
                  responses=_PROTOCOL_RESPONSES,
                  openapi_extra={"parameters": _PROTOCOL_PARAMS})
async def sparql_get(request: Request) -> Response:
    """SPARQL 1.1 Protocol query operation by GET; without ``query``, the service description."""
    return await sparql(request)


@router.api_route("/sparql", methods=["POST"],
                  summary="SPARQL 1.1 Protocol endpoint (query or update)",
                  responses=_PROTOCOL_RESPONSES,
                  openapi_extra={"parameters": _PROTOCOL_PARAMS[1:],
                                 "requestBody": _POST_BODY})
async def sparql_post(request: Request) -> Response:
    """Query (form ``query=`` or ``application/sparql-query``) or update (form ``update=`` or
    ``application/sparql-update``, with the admin token)."""
    return await sparql(request)


async def sparql(request: Request) -> Response:
    """The protocol operation behind GET and POST /sparql."""
    # No Depends() here: FastAPI's dependency solving costs more than the rest of this route.
    settings, kg = await get_settings(request), await get_kg(request)
    req = await read_protocol_request(request)
    limits = QueryLimits.from_settings(settings)
    if req.update is not None:
        check_query_text(req.update, limits)
        return await _update(request, req.update, settings, kg)
    if req.query is None:
        if request.method == "GET":
            return await service_description(request, kg, settings, req.format)
        raise MalformedRequestError("POST /sparql without a query; send query=... or a body.")
    res, headers = await answer_query(kg, req.query, limits, request.headers.get("accept"),
                                      req.format, req.default_graphs, req.named_graphs)
    return Response(res.body, media_type=res.media_type, headers=headers)


async def answer_query(kg: KnowledgeGraph, query: str, limits: QueryLimits,
                       accept: str | None, fmt_param: str | None = None,
                       default_graphs: list[str] | None = None,
                       named_graphs: list[str] | None = None) -> tuple[Any, dict[str, str]]:
    """Run one protocol query: (the worker's answer, the headers it adds besides its media
    type). Parser-bomb limits first (nothing reaches a worker), then the form, the format
    and the lane. Raises what ``check_query_text``, ``choose_format`` and the facade raise."""
    toks = check_query_text(query, limits)  # parser bombs never reach a worker
    info = scan_query(query, toks)
    fmt = choose_format(info.is_graph, accept, fmt_param)
    lane = "lookup" if looks_cheap(query, info.form, info.limit, toks) else "main"
    res = await kg.asparql(query, fmt, info=info, default_graphs=default_graphs or (),
                           named_graphs=named_graphs or (), lane=lane)
    headers = {"Vary": "Accept"}
    if res.rows is not None:
        headers["X-ITSKG-Rows"] = str(res.rows)
    if res.truncated:
        headers["X-ITSKG-Truncated"] = "true"
        headers["X-ITSKG-Row-Cap"] = str(kg.max_rows)
    return res, headers


@router.api_route("/sparql", methods=["PUT", "DELETE", "PATCH", "OPTIONS"],
                  include_in_schema=False)
async def sparql_wrong_method(request: Request) -> Response:
    raise MethodNotAllowedError(
        f"{request.method} is not part of the SPARQL protocol at /sparql; use GET or POST.",
        headers={"Allow": "GET, POST"},
    )

