"""``GET /sparql?query=`` answered by the fast path is the route's answer, errors included."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from itskg.api.sparql_fastpath import SparqlFastPath

EX = "http://example.org/"
SELECT = f"SELECT ?p ?o WHERE {{ <{EX}academy/3> ?p ?o }} ORDER BY ?p ?o"
SKIP = ("date", "content-length", "server")


def _pair(live: Any, query: str, accept: str) -> tuple[httpx.Response, httpx.Response]:
    fast = httpx.get(live.sparql, params={"query": query}, headers={"Accept": accept})
    # the same request through the route: a second parameter keeps it off the fast path
    route = httpx.post(live.sparql, data={"query": query}, headers={"Accept": accept})
    return fast, route


def test_the_fast_path_answers_get_with_only_a_query(live: Any,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import itskg.api.sparql_fastpath as fastpath

    assert any(m.cls is SparqlFastPath for m in live.app.user_middleware)
    calls: list[str] = []
    real = fastpath.answer_query

    async def counted(kg: Any, query: str, *a: Any, **kw: Any) -> Any:
        calls.append(query)
        return await real(kg, query, *a, **kw)

    monkeypatch.setattr(fastpath, "answer_query", counted)
    assert httpx.get(live.sparql, params={"query": "ASK {}"}).status_code == 200
    assert httpx.get(live.sparql, params={"query": "ASK {}", "format": "json"}).is_success
    assert httpx.post(live.sparql, data={"query": "ASK {}"}).is_success
    assert calls == ["ASK {}"]  # only the first took the fast path


@pytest.mark.parametrize(("query", "accept"), [
    (SELECT, "application/sparql-results+json"),
    (SELECT, "text/csv"),
    (f"ASK {{ <{EX}academy/3> ?p ?o }}", "application/sparql-results+xml"),
    (f"CONSTRUCT WHERE {{ <{EX}academy/3> ?p ?o }}", "application/n-triples"),
    ("SELECT * WHERE { ?s ?p ?o }", "application/sparql-results+json"),  # over the row cap
    ("SELECT * WHERE { ?s ?p ", "application/sparql-results+json"),  # 400
    ("SELECT * WHERE { SERVICE <http://x/> { ?s ?p ?o } }", "application/json"),  # 403
    ("ASK {}", "image/png"),  # 406
])
def test_fast_path_and_route_agree(live: Any, query: str, accept: str) -> None:
    fast, route = _pair(live, query, accept)
    assert fast.status_code == route.status_code
    assert fast.content == route.content
    keep = {k: v for k, v in route.headers.items() if k not in SKIP}
    assert {k: v for k, v in fast.headers.items() if k not in SKIP} == keep
    if fast.status_code >= 400:
        assert fast.json()["ok"] is False and fast.json()["status"] == fast.status_code
