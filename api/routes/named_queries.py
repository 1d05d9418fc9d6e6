"""HTTP routes of the named query catalogue: /api/queries, /api/queries/{name}, {name}.rq.

``register(app)`` adds one documented operation per named query (typed query parameters, so
/docs shows a form per question), the catalogue listing and the SPARQL text of each query.

Where queries run: ``app.state.executor`` (the killable worker pool, ``QueryExecutor``) when the
app has one, parameters then inlined as a VALUES block of engine-serialised terms; otherwise a
read-only ``KnowledgeStore`` on ``app.state.store`` (refreshed per request to follow new
generations), parameters bound by the engine. Answers are cached per store generation.

Results are content-negotiated (Accept header, or ``?format=json|rows|csv|tsv|xml``):
application/sparql-results+json (default), application/json (a list of row objects),
text/csv, text/tab-separated-values, application/sparql-results+xml.
Errors: ``{"ok": false, "error": ..., "type": ..., "status": ...}`` with 400 for a bad
parameter, 404 for an unknown query, 406 for an unacceptable media type, 503 for a timeout
(as at /sparql).
"""

from __future__ import annotations

import inspect
import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import JSONResponse, Response

from itskg.api.formats import negotiate
from itskg.graph.errors import (
    ItskgError,
    QueryParameterError,
    QueryTimeoutError,
    StoreError,
    UnknownQueryError,
)
from itskg.graph.sparql.catalogue import (
    RESULT_MEDIA,
    NamedQuery,
    bind_params,
    format_rows,
    get_query,
    inline_bindings,
    load_catalog,
)
from itskg.graph.store import current_generation
from itskg.graph.terms import Term

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
_STATUS = {QueryParameterError: 400, UnknownQueryError: 404, QueryTimeoutError: 503,
           StoreError: 503}


def error_response(err: Exception, status: int | None = None) -> JSONResponse:
    """The one JSON error shape of the API."""
    code = status or next((s for t, s in _STATUS.items() if isinstance(err, t)), 500)
    return JSONResponse({"ok": False, "error": str(err), "type": type(err).__name__,
                         "status": code}, status_code=code)


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
            "links": {"results": f"{PREFIX}/{q.name}", "sparql": f"{PREFIX}/{q.name}.rq"},
        }
        for q in load_catalog().values()
    ]


# ------------------------------------------------------------------ negotiation
def _negotiate(request: Request) -> str:
    fmt = request.query_params.get("format")
    if fmt:
        if fmt not in RESULT_MEDIA:
            raise QueryParameterError(
                f"Unknown format {fmt!r}; use one of {', '.join(sorted(RESULT_MEDIA))}.")
        return fmt
    accept = request.headers.get("accept")
    best = negotiate(accept, MEDIA_FORMAT)  # the one Accept parser (api/formats.py)
    if best is None:
        raise _NotAcceptable(
            f"None of the requested media types ({accept}) is available; use one of "
            f"{', '.join(MEDIA_FORMAT)}.")
    return best


class _NotAcceptable(ItskgError):
    """No acceptable result media type."""


# ------------------------------------------------------------------ running
class _ExecutorAsk:
    """Lets bind_params check codes through the worker pool (ASK with inlined values)."""

    def __init__(self, executor: Any):
        self.executor = executor

    def ask(self, sparql: str, bindings: dict[str, Any] | None = None) -> bool:
        res = self.executor.run(inline_bindings(sparql, bindings or {}), "json")
        return bool(json.loads(res.body)["boolean"])


_cache: OrderedDict[tuple[Any, ...], tuple[bytes, str]] = OrderedDict()
_cache_lock = threading.Lock()
_refresh_lock = threading.Lock()
CACHE_SIZE = 256


def _rows_from_sparql_json(body: bytes) -> bytes:
    data = json.loads(body)
    if "boolean" in data:
        return json.dumps([{"result": data["boolean"]}]).encode()
    from itskg.graph.sparql.catalogue import plain_value

    out = []
    for b in data["results"]["bindings"]:
        row: dict[str, Any] = {}
        for v in data["head"]["vars"]:
            t = b.get(v)
            row[v] = None if t is None else plain_value(Term(
                "iri" if t["type"] == "uri" else "bnode" if t["type"] == "bnode" else "literal",
                t["value"], t.get("datatype"), t.get("xml:lang")))
        out.append(row)
    return json.dumps(out, ensure_ascii=False, indent=1).encode()


def _answer(request: Request, q: NamedQuery, fmt: str) -> tuple[bytes, str]:
    raw = {k: v for k, v in request.query_params.items() if k != "format"}
    if q.uses_lang:
        raw.setdefault("lang", "it")
    else:
        raw.pop("lang", None)
    state = request.app.state
    executor = getattr(state, "executor", None)
    if executor is not None:
        root = Path(executor.store_path)
        gen = current_generation(root)
        key = (str(root), gen, q.name, tuple(sorted(raw.items())), fmt)
        with _cache_lock:
            if gen is not None and key in _cache:
                _cache.move_to_end(key)
                return _cache[key]
        bindings = bind_params(q, raw, store=_ExecutorAsk(executor))  # type: ignore[arg-type]
        res = executor.run(inline_bindings(q.text, bindings), "json" if fmt == "rows" else fmt)
        body = _rows_from_sparql_json(res.body) if fmt == "rows" else res.body
        out = (body, RESULT_MEDIA[fmt])
        if gen is not None and res.generation == gen and not res.truncated:
            _remember(key, out)
        return out
    store = getattr(state, "store", None)
    if store is None:
        raise StoreError("The server has no store open (app.state.store is not set).")
    with _refresh_lock:
        store.refresh()
    key = (str(store.root), store.generation, q.name, tuple(sorted(raw.items())), fmt)
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    bindings = bind_params(q, raw, store=store)
    body = format_rows(store.query(q.text, bindings=bindings), fmt)
    out = (body, RESULT_MEDIA[fmt])
    _remember(key, out)
    return out


def _remember(key: tuple[Any, ...], out: tuple[bytes, str]) -> None:
    """Keep an answer for its store generation (the store is immutable between commits)."""
    with _cache_lock:
        _cache[key] = out
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)


def _respond(request: Request, name: str) -> Response:
    try:
        q = get_query(name)
        try:
            fmt = _negotiate(request)
        except _NotAcceptable as err:
            return error_response(err, 406)
        body, media = _answer(request, q, fmt)
        return Response(body, media_type=media)
    except ItskgError as err:
        return error_response(err)


# ------------------------------------------------------------------ routes
def _query_endpoint(q: NamedQuery) -> Callable[..., Response]:
    def endpoint(request: Request, **_: Any) -> Response:
        return _respond(request, q.name)

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
        return error_response(UnknownQueryError(str(get_query_error(name))), 404)

    return router


def get_query_error(name: str) -> str:
    try:
        get_query(name.removesuffix(".rq"))
    except UnknownQueryError as err:
        return str(err)
    return f"No named query '{name}'."


def register(app: FastAPI) -> None:
    """Add the named query routes to ``app`` (call once, after the app is created)."""
    app.include_router(build_router())
