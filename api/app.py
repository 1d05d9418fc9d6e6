"""The FastAPI application: ``create_app(settings)``; nothing is built at import time.

The lifespan starts the app's ``KnowledgeGraph`` (its query worker processes over
``settings.store``) and stops it on shutdown; every route and page reaches the library
through it (``itskg.api.deps.get_kg``). Every error is rendered in one JSON shape (see
``itskg.api.http_errors``).
To add a router, append it to ``routers`` in ``create_app``.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from itskg.api.fairuse import BudgetGuard
from itskg.api.guard import RequestGuard, ScopedCORS, csp_for
from itskg.api.http_errors import install_error_handlers
from itskg.api.pages import explorer as pages
from itskg.api.pages import geo
from itskg.api.routes import meta
from itskg.api.routes import named_queries as query_routes
from itskg.api.routes import network as network_routes
from itskg.api.routes import qualifications as qualification_routes
from itskg.api.routes import sparql_protocol as sparql
from itskg.api.warmup import keep_warm
from itskg.graph.config import Settings
from itskg.graph.knowledge import KnowledgeGraph

__all__ = ["create_app"]

EXPOSED_HEADERS = ["X-ITSKG-Truncated", "X-ITSKG-Row-Cap", "X-ITSKG-Rows"]


def create_app(settings: Settings) -> FastAPI:
    """A new app serving the store at ``settings.store``."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        kg = await run_in_threadpool(KnowledgeGraph(settings).start)
        app.state.kg = kg
        kg.warm_profiles()  # national figures of /profiles, in a daemon thread
        geo.log_missing_shapes(settings)  # one line saying how to get the map's shapes
        # what pages open with, computed ahead per generation in the background (api/warmup)
        warming = asyncio.create_task(keep_warm(app), name="itskg-precompute") if (
            settings.precompute and not settings.remote) else None
        try:
            yield
        finally:
            if warming is not None:
                warming.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await warming
            app.state.kg = None
            await run_in_threadpool(kg.close)

    app = FastAPI(
        title="itskg",
        description="Knowledge graph of the Italian ITS Academy ecosystem: SPARQL 1.1 endpoint "
        "at /sparql, VoID at /.well-known/void.",
        lifespan=lifespan,
        docs_url=None,  # served below from local assets, so /docs works offline
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.kg = None
    app.state.precompute_report = None  # the last background precompute (api/warmup)
    install_error_handlers(app)
    # Middleware, innermost first: the per-client budget (429), CORS on /sparql and /api/
    # only (so a browser can read a 429's Retry-After), then the outermost request guard
    # (size limits, HEAD, security headers).
    app.add_middleware(BudgetGuard, settings=settings)
    app.add_middleware(
        ScopedCORS,
        allow_origins=settings.cors_origins,
        allow_methods=["GET", "HEAD", "POST"],
        allow_headers=["Accept", "Content-Type", "Authorization"],
        expose_headers=[*EXPOSED_HEADERS, "Retry-After"],
    )
    app.add_middleware(RequestGuard, settings=settings)
    routers = [sparql.router, meta.router]  # add a router: one more item here
    for router in routers:
        app.include_router(router)
    # the hot endpoints first in the router, found by one dict look-up (same middleware)
    table = query_routes.EndpointTable()
    app.router.routes.insert(0, table)
    table.add("/sparql", "GET", sparql.sparql_get)
    table.add("/sparql", "POST", sparql.sparql_post)
    query_routes.register(app, table)  # one documented operation per named query
    network_routes.register(app)  # /api/network/...
    qualification_routes.register(app)  # /api/qualifications (Europass ELM)
    pages.register(app)  # web explorer pages, Linked Data pages, /static and /vendor
    _register_docs(app)
    _error_schema(app)
    return app


def _error_schema(app: FastAPI) -> None:
    """Add the one error shape (``itskg.api.http_errors``) to the OpenAPI components."""
    base = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = base()
            schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = {
                "type": "object", "required": ["ok", "error", "type", "status"],
                "properties": {"ok": {"type": "boolean", "enum": [False]},
                               "error": {"type": "string"}, "type": {"type": "string"},
                               "status": {"type": "integer"}}}
        return app.openapi_schema  # type: ignore[return-value]

    app.openapi = openapi  # type: ignore[method-assign]


def _register_docs(app: FastAPI) -> None:
    """Swagger UI at /docs from the npm package swagger-ui-dist (served at /vendor/)."""

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        base = "/vendor/swagger-ui-dist"
        page = get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title="itskg API",
            swagger_js_url=f"{base}/swagger-ui-bundle.js",
            swagger_css_url=f"{base}/swagger-ui.css",
            swagger_favicon_url=f"{base}/favicon-32x32.png",
        )
        page.headers["Content-Security-Policy"] = csp_for(page.body)  # its one inline script
        return page
