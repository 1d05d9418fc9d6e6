"""HTTP routes of the named query catalogue: /api/queries, /api/queries/{name}, {name}.rq.

``register(app)`` adds one documented operation per named query (typed query parameters, so
/docs shows a form per question), the catalogue listing and the SPARQL text of each query.

A request goes route -> ``KnowledgeGraph.arun_named`` (validates the parameters, checks code
parameters and runs the query in one worker round trip, bindings bound by the engine, answer
cached per store generation) -> the worker's result writer. Results are content-negotiated
(Accept header, or ``?format=json|rows|csv|tsv|xml``): application/sparql-results+json
(default), application/json (a list of row objects), text/csv, text/tab-separated-values,
application/sparql-results+xml. Errors are raised and rendered by ``itskg.api.http_errors``
(400 bad parameter, 404 unknown query, 406 unacceptable media type, 503 timeout).
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import Response

from itskg.api.deps import get_kg
from itskg.api.formats import negotiate
from itskg.api.http_errors import NotAcceptableError
from itskg.graph.errors import QueryParameterError, UnknownQueryError
from itskg.graph.sparql.catalogue import RESULT_MEDIA, NamedQuery, get_query, load_catalog

__all__ = ["build_router", "catalogue_json", "register"]

PREFIX = "/api/queries"
MEDIA_FORMAT = {v: k for k, v in RESULT_MEDIA.items()}
_SCHEMA = {
    "iri": {"type": "string", "format": "uri"},
    "string": {"type": "string"},
    "integer": {"type": "integer"},
    "decimal": {"type": "number"},
    "date": {"type": "string", "format": "date"},
    "year": {"type": "string", "pattern": "^[0-9]{4}$"},
    "code": {"type": "string"},
}
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
    if fmt:
        if fmt not in RESULT_MEDIA:
            raise QueryParameterError(
                f"Unknown format {fmt!r}; use one of {', '.join(sorted(RESULT_MEDIA))}.")
        return fmt
    accept = request.headers.get("accept")
    best = negotiate(accept, MEDIA_FORMAT)  # the one Accept parser (api/formats.py)
    if best is None:
        raise NotAcceptableError(
            f"None of the requested media types ({accept}) is available; use one of "
            f"{', '.join(MEDIA_FORMAT)}.")
    return best


# ------------------------------------------------------------------ routes
def _query_endpoint(q: NamedQuery) -> Callable[..., Awaitable[Response]]:
    declared = {p.name for p in q.params} | {"format"}

    async def endpoint(request: Request, format: str | None = None, **params: Any) -> Response:
        unknown = sorted(set(request.query_params) - declared)
        if unknown:  # FastAPI ignores undeclared parameters; a typo must not mean "all"
            params.update({k: request.query_params[k] for k in unknown})
        fmt = _negotiate(request, format)
        res = await (await get_kg(request)).arun_named(q.name, params, fmt)
        return Response(res.body, media_type=res.media_type)

    params = [inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD,
                                annotation=Request)]
    for p in q.params:
        schema: dict[str, Any] = dict(_SCHEMA[p.type])
        if p.allowed:
            schema["enum"] = list(p.allowed)
        if p.default is not None:
            schema["default"] = p.default
        desc = p.description.get("en", "") + (f" ({p.expected()})" if p.type in {
            "code", "iri"} else "")
        params.append(inspect.Parameter(
            p.name, inspect.Parameter.KEYWORD_ONLY, annotation=str | None,
            default=Query(None, description=desc, json_schema_extra=schema,
                          examples=[q.example[p.name]] if p.name in q.example else None),
        ))
    params.append(inspect.Parameter(
        "format", inspect.Parameter.KEYWORD_ONLY, annotation=str | None,
        default=Query(None, description="Result format instead of the Accept header",
                      json_schema_extra={"enum": sorted(RESULT_MEDIA)}),
    ))
    endpoint.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    endpoint.__name__ = f"query_{q.name}"
    return endpoint


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
                       400: {"description": "Bad parameter"}},
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


def register(app: FastAPI) -> None:
    """Add the named query routes to ``app`` (call once, after the app is created)."""
    app.include_router(build_router())
