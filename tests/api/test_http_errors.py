"""One error renderer: every JSON route raises, itskg.api.http_errors answers, in one shape.

Every route reaches the library through the app's KnowledgeGraph, so making its request
path raise each error class exercises every route's error handling; the answer must be
``{"ok": false, "error", "type", "status"}`` with the status of ``STATUS``.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute

from itskg.api.http_errors import STATUS, status_for
from itskg.graph.errors import (
    AnalysisError,
    DataError,
    ItskgError,
    QueryError,
    QueryParameterError,
    QueryRefusedError,
    QuerySyntaxError,
    QueryTimeoutError,
    StoreError,
    UnknownQueryError,
)

ERRORS = [QuerySyntaxError, QueryParameterError, QueryRefusedError, QueryTimeoutError,
          UnknownQueryError, StoreError, DataError, AnalysisError, QueryError, ItskgError]

# one request per JSON route that runs something (method, path with a valid request)
JSON_ROUTES = {
    "/sparql": "/sparql?query=ASK%7B%7D",
    "/.well-known/void": "/.well-known/void",
    "/health": "/health",
    "/api/queries/search_by_label": "/api/queries/search_by_label?text=x",
    "/api/queries/academies_by_region": "/api/queries/academies_by_region",
    "/api/network/{projection}": "/api/network/academy-academy",
    "/api/network/{projection}/export": "/api/network/academy-academy/export?format=gexf",
    "/api/network/{projection}/{metric}": "/api/network/academy-academy/degree",
    "/api/picklists/{vocabulary}": "/api/picklists/nuts",
    "/api/map/{name}": "/api/map/academies",
    "/api/geo/italy": "/api/geo/italy",
}
# routes whose work the facade runs as a library call in a worker (kg.aprofile,
# kg.aqualifications: many small reads under CALL_TIMEOUT_FACTOR x the deadline)
CALL_ROUTES = {
    "/api/profiles/{kind}/{code}": "/api/profiles/region/ITH5",
    "/api/profiles/{kind}/{code}/charts/{chart}.csv": "/api/profiles/region/ITH5/charts/a.csv",
    "/profiles/{kind}/{code}/report.{fmt}": "/profiles/region/ITH5/report.html",
    "/api/qualifications": "/api/qualifications?region=ITH5",
    "/api/qualifications/{key}.jsonld": "/api/qualifications/KEY-1.jsonld",
}
# routes that never run anything in the store (declarations, texts, docs)
STATIC_JSON = {"/api/queries", "/api/queries/{name}", "/api/network/projections",
               "/api/network/metrics", "/openapi.json", "/docs"}


def _api_routes(routes: list[Any], prefix: str = "") -> list[tuple[str, APIRoute]]:
    """Every APIRoute with its full path (FastAPI keeps included routers as wrappers)."""
    out: list[tuple[str, APIRoute]] = []
    for r in routes:
        if isinstance(r, APIRoute):
            out.append((prefix + r.path, r))
        inner = getattr(r, "original_router", None)
        if inner is not None:
            ctx = getattr(r, "include_context", None)
            out += _api_routes(inner.routes, prefix + (getattr(ctx, "prefix", "") or ""))
    return out


def test_every_json_route_is_covered(live: Any) -> None:
    from fastapi.responses import HTMLResponse

    routes = {path for path, r in _api_routes(live.app.routes)
              if r.response_class is not HTMLResponse}
    # one operation per named query, all made by one function: search_by_label stands for them
    named = {p for p in routes if p.startswith("/api/queries/") and "{" not in p}
    texts = {p for p in named if p.endswith(".rq")}
    missing = routes - named - STATIC_JSON - set(JSON_ROUTES) - set(CALL_ROUTES)
    assert not missing, f"add these routes to JSON_ROUTES: {missing}"
    assert len(named - texts) == len(texts) > 40


@pytest.mark.parametrize("error", ERRORS, ids=lambda e: e.__name__)
def test_each_error_class_has_one_shape_and_status_on_every_route(
        live: Any, monkeypatch: pytest.MonkeyPatch, error: type[ItskgError]) -> None:
    kg = live.app.state.kg

    async def fail(_req: dict[str, Any], _lane: str = "main") -> Any:
        raise error(f"planted {error.__name__}")

    monkeypatch.setattr(kg, "asubmit", fail)
    monkeypatch.setattr(kg, "_cache_get", lambda _key: None)  # no cached answer hides it
    expected = status_for(error("x"))
    assert expected == STATUS.get(error, expected)
    with httpx.Client(base_url=live.url, timeout=30) as client:
        for path, url in JSON_ROUTES.items():
            if path == "/api/queries/academies_by_region":
                continue  # same route code as search_by_label (one operation per query)
            r = client.get(url)
            assert r.status_code == expected, (path, r.status_code, r.text)
            assert r.json() == {"ok": False, "error": f"planted {error.__name__}",
                                "type": error.__name__, "status": expected}, (path, r.text)


@pytest.mark.parametrize("error", [DataError, QueryTimeoutError, StoreError],
                         ids=lambda e: e.__name__)
def test_worker_call_routes_answer_errors_in_the_one_shape(
        live: Any, monkeypatch: pytest.MonkeyPatch, error: type[ItskgError]) -> None:
    kg = live.app.state.kg

    def fail(*_a: Any, **_kw: Any) -> Any:
        raise error(f"planted {error.__name__}")

    async def afail(*_a: Any, **_kw: Any) -> Any:
        raise error(f"planted {error.__name__}")

    monkeypatch.setattr(kg, "_call", fail)
    monkeypatch.setattr(kg, "_acall", afail)
    monkeypatch.setattr(kg, "_cache_get", lambda _key: None)
    expected = status_for(error("x"))
    with httpx.Client(base_url=live.url, timeout=30) as client:
        for path, url in CALL_ROUTES.items():
            r = client.get(url)
            assert r.status_code == expected, (path, r.status_code, r.text)
            assert r.json() == {"ok": False, "error": f"planted {error.__name__}",
                                "type": error.__name__, "status": expected}, (path, r.text)


@pytest.mark.parametrize("error", [QueryTimeoutError, QuerySyntaxError, QueryError],
                         ids=lambda e: e.__name__)
def test_html_pages_answer_errors_with_the_same_status_table(
        live: Any, monkeypatch: pytest.MonkeyPatch, error: type[ItskgError]) -> None:
    kg = live.app.state.kg

    async def fail(_req: dict[str, Any], _lane: str = "main") -> Any:
        raise error(f"planted {error.__name__}")

    monkeypatch.setattr(kg, "asubmit", fail)
    monkeypatch.setattr(kg, "_cache_get", lambda _key: None)
    with httpx.Client(base_url=live.url, timeout=30) as client:
        for url in ("/id/its/X", "/ontology", "/resource?iri=urn:x"):
            r = client.get(url, headers={"Accept": "text/html"})
            assert r.status_code == status_for(error("x")), (url, r.status_code)
            assert r.headers["content-type"].startswith("text/html")
            assert f"planted {error.__name__}" in r.text
        r = client.get("/resource?iri=not%20an%20iri", headers={"Accept": "text/html"})
        assert r.status_code == 400 and "Not an IRI" in r.text
