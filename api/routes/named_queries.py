"""HTTP routes of the named query catalogue: /api/queries, /api/queries/{name}, {name}.rq.

``register(app)`` adds one documented operation per named query (typed query parameters, so
/docs shows a form per question), the catalogue listing and the SPARQL text of each query.

A request goes route -> ``KnowledgeGraph.arun_named`` (validates the parameters, checks code
parameters and runs the query in one worker round trip, bindings bound by the engine, answer
cached per store generation) -> the worker's result writer. The route reads the app's
facade from ``request.app.state.kg`` and negotiates with the library's Accept parser
(``itskg.graph.answers``): in the server, a named query walks four project modules (this
route, the facade, the executor, the answers module), as ``tests/api/test_request_walk.py``
pins. Results are content-negotiated
(Accept header, or ``?format=json|rows|csv|tsv|xml``): application/sparql-results+json
(default), application/json (a list of row objects), text/csv, text/tab-separated-values,
application/sparql-results+xml. Errors are raised and rendered by ``itskg.api.http_errors``
(400 bad parameter, 404 unknown query, 406 unacceptable media type, 503 timeout).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import Response
from starlette.routing import BaseRoute, Match, request_response
from starlette.types import ASGIApp, Receive, Scope, Send

from itskg.api.http_errors import NotAcceptableError
from itskg.graph.answers import negotiate
from itskg.graph.errors import QueryParameterError, StoreError, UnknownQueryError
from itskg.graph.knowledge import NOT_RUNNING
from itskg.graph.sparql.catalogue import (
    RESULT_MEDIA,
    VOCABULARIES,
    NamedQuery,
    get_query,
    load_catalog,
)

__all__ = ["EndpointTable", "build_router", "catalogue_json", "register"]

PREFIX = "/api/queries"
MEDIA_FORMAT = {v: k for k, v in RESULT_MEDIA.items()}
def catalogue_json() -> list[dict[str, Any]]:
    """The catalogue as plain JSON objects (GET /api/queries)."""
    return [
        {
            "name": q.name, "title": q.title, "description": q.description, "kind": q.kind,
            "tags": list(q.tags), "cq": list(q.cq), "example": q.example,
            "parameters": [
                {"name": p.name, "type": p.type, "required": p.required, "default": p.default,
                 "allowed": list(p.allowed) if p.allowed else None, "vocabulary": p.vocabulary,
                 "description": p.description}
                for p in q.params
            ],
            "columns": [c.as_json() for c in q.columns],
            "links": {"results": f"{PREFIX}/{q.name}", "sparql": f"{PREFIX}/{q.name}.rq"},
        }
        for q in load_catalog().values()
    ]


# ------------------------------------------------------------------ negotiation
def _negotiate(request: Request, fmt: str | None) -> str:
    if fmt is not None:  # format= (empty) is a bad value, not "no format"
        if fmt not in RESULT_MEDIA:
            raise QueryParameterError(
                f"Unknown format {fmt!r}; use one of {', '.join(sorted(RESULT_MEDIA))}.")
        return fmt
    accept = request.headers.get("accept")
    best = negotiate(accept, MEDIA_FORMAT)  # the one Accept parser (graph/answers.py)
    if best is None:
        raise NotAcceptableError(
            f"None of the requested media types ({accept}) is available; use one of "
            f"{', '.join(MEDIA_FORMAT)}.")
    return best


# ------------------------------------------------------------------ routes
def _query_endpoint(q: NamedQuery) -> Callable[..., Awaitable[Response]]:
    """The endpoint of one named query. Its parameters are read from the request (a typo is
    an unknown parameter, 400) and checked by ``bind_params``; the OpenAPI schema declares
    them (``_openapi_parameters``), so FastAPI adds nothing of its own."""
    lane = "lookup" if "lookup" in q.tags else "main"

    async def endpoint(request: Request) -> Response:
        params = {k: v for k, v in request.query_params.items() if k != "format"}
        fmt = _negotiate(request, request.query_params.get("format"))
        kg = request.app.state.kg  # the app's KnowledgeGraph, started by the lifespan
        if kg is None:
            raise StoreError(NOT_RUNNING)
        res = await kg.arun_named(q.name, params, fmt, lane=lane)
        return Response(res.body, media_type=res.media_type)

    endpoint.__name__ = f"query_{q.name}"
    return endpoint


_ANY_IRI = r"[A-Za-z][A-Za-z0-9+.-]*:[!#$%&'()*+,\-./0-9:;=?@A-Z\[\]_a-z~]+"


def _value_schema(p: Any) -> dict[str, Any]:
    """The JSON Schema of one parameter's value, exactly what ``bind_params`` accepts.

    Codes and IRIs get a pattern from their vocabulary (the bare code, or the IRI in one of
    its namespaces), so a schema-valid value is one the server takes; an optional parameter
    may be empty (the server reads empty as not given, as the HTML forms send it).
    """
    if p.allowed:
        schema: dict[str, Any] = {"type": "string", "enum": list(p.allowed)}
    elif p.type in ("iri", "code"):
        voc = VOCABULARIES.get(p.vocabulary or "")
        if voc is None:
            body = _ANY_IRI
        else:
            code = voc.pattern.removeprefix("^").removesuffix("$")
            spaces = "|".join(re.escape(ns) for ns in voc.namespaces)
            body = f"(?:{code})|(?:{spaces})(?:{code})"
        schema = {"type": "string", "pattern": f"^(?:{body})$"}
    elif p.type == "integer":
        schema = {"type": "integer", "minimum": -(10 ** 18 - 1), "maximum": 10 ** 18 - 1}
    elif p.type == "decimal":
        schema = {"type": "number", "minimum": -1e9, "maximum": 1e9}
    elif p.type == "year":
        schema = {"type": "string", "pattern": "^[0-9]{4}$"}
    elif p.type == "date":
        schema = {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
    else:  # free text: any characters (bound as a literal, never pasted into the query)
        schema = {"type": "string", "pattern": r"\S"} if p.required else {"type": "string"}
    if p.default is not None:
        schema["default"] = p.default
    if p.required:
        return schema
    if schema["type"] == "string" and "enum" not in schema:
        pat = schema.get("pattern")
        if pat and pat.startswith("^"):
            schema["pattern"] = f"^(?:{pat[1:-1]})?$"
        return schema
    return {"anyOf": [schema, {"type": "string", "maxLength": 0}]}


def _openapi_parameters(q: NamedQuery) -> list[dict[str, Any]]:
    out = []
    for p in q.params:
        desc = p.description.get("en", "") + (f" ({p.expected()})" if p.type in {
            "code", "iri"} else "")
        item = {"name": p.name, "in": "query", "required": p.required, "description": desc,
                "schema": _value_schema(p)}
        if p.name in q.example:
            item["example"] = q.example[p.name]
        out.append(item)
    out.append({"name": "format", "in": "query", "required": False,
                "description": "Result format instead of the Accept header",
                "schema": {"type": "string", "enum": sorted(RESULT_MEDIA)}})
    return out


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": {
        "$ref": "#/components/schemas/Error"}}}}


def build_router() -> APIRouter:
    """A router with the listing, one operation per named query and the .rq texts."""
    router = APIRouter(prefix=PREFIX, tags=["named queries"])

    @router.get("", summary="List the named queries")
    def list_queries() -> list[dict[str, Any]]:
        """Every named query with its title, description and typed parameters."""
        return catalogue_json()

    media = {m: {} for m in RESULT_MEDIA.values()}
    for q in load_catalog().values():
        cq = f" Answers {', '.join(q.cq)}." if q.cq else ""
        router.add_api_route(
            f"/{q.name}", _query_endpoint(q), methods=["GET"], summary=q.title["en"],
            description=f"{q.description['en']}{cq}\n\n*{q.title['it']}*: {q.description['it']}",
            operation_id=f"query_{q.name}", response_class=Response,
            responses={200: {"content": media, "description": "Query results"},
                       400: _error("Bad parameter value (the message names it)"),
                       404: _error("A code that is well formed but not in the graph"),
                       406: _error("No acceptable result format"),
                       429: _error("Client over its query-time budget (Retry-After)"),
                       503: _error("Query timeout or all workers busy (Retry-After)")},
            openapi_extra={"parameters": _openapi_parameters(q)},
        )

        def text(_q: NamedQuery = q) -> Response:
            return Response(_q.text, media_type="application/sparql-query")

        router.add_api_route(f"/{q.name}.rq", text, methods=["GET"],
                             summary=f"SPARQL text of {q.name}", include_in_schema=False)

    @router.get("/{name}", include_in_schema=False)
    def unknown(name: str) -> Response:
        get_query(name.removesuffix(".rq"))  # raises UnknownQueryError with a suggestion
        raise UnknownQueryError(f"No named query '{name}'.")

    return router


class EndpointTable(BaseRoute):
    """The app's hot endpoints, found by one dict look-up of (path, method), first in the router.

    Why: the router tries its routes in order, and each route costs a regex and FastAPI's
    route bookkeeping: about 0.2-0.5 ms of a request's server CPU to reach a named query near
    the end of the catalogue, and FastAPI's request handling of an ``APIRoute`` (dependency
    solving, response validation) on top, for endpoints that take only the request. This
    route answers those endpoints (every ``GET /api/queries/{name}``, and ``GET``/``POST
    /sparql``: ``create_app`` adds them) inside the same middleware and exception handlers;
    their ``APIRoute`` operations stay registered for the OpenAPI document, and anything else
    (``.rq`` texts, unknown names, other methods) goes on to the router as before.
    """

    def __init__(self) -> None:
        self.apps: dict[tuple[str, str], ASGIApp] = {}

    def add(self, path: str, method: str, endpoint: Callable[[Request], Awaitable[Response]]
            ) -> None:
        """Answer ``method path`` with ``endpoint(request) -> Response`` (GET also answers
        HEAD, as for the router's routes)."""
        app = request_response(endpoint)
        self.apps[(path, method)] = app
        if method == "GET":
            self.apps[(path, "HEAD")] = app

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] == "http":
            path, root = scope["path"], scope.get("root_path", "")
            if root and path.startswith(root):
                path = path[len(root):]
            app = self.apps.get((path, scope["method"]))
            if app is not None:
                return Match.FULL, {"endpoint": app, "path_params": {}}
        return Match.NONE, {}

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        await scope["endpoint"](scope, receive, send)


def register(app: FastAPI, table: EndpointTable) -> None:
    """Add the named query routes to ``app`` (call once, after the app is created): the
    documented operations, and each query's endpoint in ``table`` (the hot endpoints)."""
    app.include_router(build_router())
    for q in load_catalog().values():
        table.add(f"{PREFIX}/{q.name}", "GET", _query_endpoint(q))
