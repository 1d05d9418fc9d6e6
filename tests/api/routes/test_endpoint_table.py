"""The app's table of hot endpoints (api/routes/named_queries.EndpointTable) answers exactly
as the documented routes behind it: same status, body and headers, middleware included."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from itskg.api.app import create_app
from itskg.api.routes.named_queries import EndpointTable
from itskg.graph.config import Settings
from itskg.graph.knowledge import KnowledgeGraph
from tests.queries.conftest import build_fixture_store

REQUESTS = [
    ("GET", "/api/queries/academies_by_region?region=ITH5", {}),
    ("GET", "/api/queries/academies_by_region?region=ITH5&format=csv", {}),
    ("GET", "/api/queries/academies_by_region?region=ITZ9", {}),  # well formed, unknown: 404
    ("GET", "/api/queries/academies_by_region?regio=ITH5", {}),  # a typo: 400
    ("GET", "/api/queries/search_by_label?text=maker", {"Accept": "text/csv"}),
    ("GET", "/api/queries/search_by_label?text=maker", {"Accept": "image/png"}),  # 406
    ("HEAD", "/api/queries/province_codes", {}),
    ("GET", "/api/queries/province_codes.rq", {}),  # not in the table: the router's
    ("GET", "/api/queries/provinces_codes", {}),  # unknown: 404 with a suggestion
    ("POST", "/api/queries/province_codes", {}),  # 405
    ("GET", "/api/queries/province_codes", {"Origin": "https://example.org"}),  # CORS
    ("GET", "/sparql?query=ASK%20%7B%7D", {}),
    ("GET", "/sparql?query=SELECT%20*%20%7B", {}),  # syntax error: 400
    ("POST", "/sparql", {"Content-Type": "application/sparql-query"}),
]


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    path = tmp_path_factory.mktemp("table") / "store"
    build_fixture_store(path).close()
    application = create_app(Settings(store=path, client_budget=0))
    application.state.kg = KnowledgeGraph(application.state.settings, workers=0)
    yield application
    application.state.kg.close()


def _answers(app: Any) -> list[tuple[int, bytes, dict[str, str]]]:
    async def go() -> list[tuple[int, bytes, dict[str, str]]]:
        out = []
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            for method, url, headers in REQUESTS:
                body = b"ASK {}" if method == "POST" and url == "/sparql" else None
                r = await c.request(method, url, headers=headers, content=body)
                out.append((r.status_code, r.content, {
                    k: v for k, v in r.headers.items() if k not in ("date", "retry-after")}))
        return out
    return asyncio.run(go())


def test_the_table_answers_as_the_routes_behind_it(app: Any) -> None:
    table = app.router.routes[0]
    assert isinstance(table, EndpointTable)
    names = set(app.state.kg.catalogue())
    assert {p.removeprefix("/api/queries/") for p, m in table.apps if m == "GET"} == \
        names | {"/sparql"}
    assert ("/sparql", "POST") in table.apps and ("/sparql", "HEAD") in table.apps
    hits: list[str] = []
    apps = dict(table.apps)
    for key, inner in apps.items():
        async def counted(scope: Any, receive: Any, send: Any, inner: Any = inner,
                          key: Any = key) -> None:
            hits.append(key[0])
            await inner(scope, receive, send)
        table.apps[key] = counted
    try:
        with_table = _answers(app)
    finally:
        table.apps.update(apps)
    assert len(hits) == 11  # all but the .rq text, the unknown name and POST to a query
    app.router.routes.pop(0)
    try:
        app.state.kg._cache.clear()
        without = _answers(app)
    finally:
        app.router.routes.insert(0, table)
    statuses = [s for s, _, _ in with_table]
    assert statuses == [200, 200, 404, 400, 200, 406, 200, 200, 404, 405, 200, 200, 400, 200]
    for (method, url, _), a, b in zip(REQUESTS, with_table, without, strict=True):
        assert a == b, (method, url)
    assert "access-control-allow-origin" in with_table[10][2]  # the middleware ran
    assert "content-security-policy" in with_table[0][2] or "x-content-type-options" in \
        with_table[0][2]
