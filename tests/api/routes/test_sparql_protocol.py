"""The SPARQL 1.1 Protocol at /sparql, over a real HTTP server (httpx)."""

from __future__ import annotations

import csv
import io
import json
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from conftest import BACKENDS

from itskg.graph.namespaces import graph_iri

pytestmark = pytest.mark.server


@pytest.fixture(scope="module", params=BACKENDS)
def live(request: pytest.FixtureRequest, live_on: Callable[[str], Any]) -> Any:
    """The same server in front of each backend: local store, Oxigraph server, Virtuoso."""
    return live_on(request.param)


# The store built by conftest.build_store (tests cannot import conftest in importlib mode).
EX = "http://example.org/"
COMPANIES = 1200
MAX_ROWS = 1000
ADMIN_TOKEN = "s3cret-token"
ACADEMIES_G, COMPANIES_G, SCRATCH_G = (graph_iri(s) for s in ("academies", "companies", "scratch"))

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
N_ACADEMY_TRIPLES = 20 * 3 + 1


def count(resp: httpx.Response) -> int:
    assert resp.status_code == 200, resp.text
    return int(resp.json()["results"]["bindings"][0]["n"]["value"])


def assert_error(resp: httpx.Response, status: int, *words: str) -> dict:
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert body["ok"] is False and body["status"] == status and body["type"]
    for w in words:
        assert w.lower() in body["error"].lower(), body["error"]
    return body


# ------------------------------------------------------------------ request forms
def test_get_query_uses_union_of_all_layers_by_default(live: Any) -> None:
    r = httpx.get(live.sparql, params={"query": COUNT})
    assert r.headers["content-type"].startswith("application/sparql-results+json")
    all_graphs = httpx.get(live.sparql, params={
        "query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"})
    assert count(r) == count(all_graphs) > N_ACADEMY_TRIPLES + 3 * COMPANIES + 1  # + meta


def test_post_form_and_post_direct_give_the_same_answer(live: Any) -> None:
    form = httpx.post(live.sparql, data={"query": COUNT})
    direct = httpx.post(live.sparql, content=COUNT,
                        headers={"Content-Type": "application/sparql-query; charset=utf-8"})
    assert count(form) == count(direct) == count(httpx.get(live.sparql, params={"query": COUNT}))


def test_default_graph_uri_restricts_the_default_graph(live: Any) -> None:
    r = httpx.get(live.sparql, params={"query": COUNT, "default-graph-uri": ACADEMIES_G})
    assert count(r) == N_ACADEMY_TRIPLES
    both = httpx.get(live.sparql, params=[("query", COUNT), ("default-graph-uri", ACADEMIES_G),
                                          ("default-graph-uri", SCRATCH_G)])
    assert count(both) == N_ACADEMY_TRIPLES + 1
    direct = httpx.post(live.sparql, params={"default-graph-uri": SCRATCH_G}, content=COUNT,
                        headers={"Content-Type": "application/sparql-query"})
    assert count(direct) == 1


def test_named_graph_uri_limits_graph_patterns(live: Any) -> None:
    q = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    r = httpx.post(live.sparql, data={"query": q, "named-graph-uri": [SCRATCH_G, ACADEMIES_G]})
    graphs = {b["g"]["value"] for b in r.json()["results"]["bindings"]}
    assert graphs == {SCRATCH_G, ACADEMIES_G}


def test_graph_and_from_address_single_layers(live: Any) -> None:
    g = httpx.get(live.sparql, params={
        "query": f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{COMPANIES_G}> {{ ?s ?p ?o }} }}"})
    assert count(g) == 3 * COMPANIES
    f = httpx.get(live.sparql, params={
        "query": f"PREFIX g: <{COMPANIES_G.rsplit('/', 1)[0]}/>\n"
                 "SELECT (COUNT(*) AS ?n) FROM g:scratch WHERE { ?s ?p ?o }"})
    assert count(f) == 1


# --------------------------------------------------------------- content negotiation
@pytest.mark.parametrize(("accept", "media"), [
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
    ("text/*;q=0.8, application/sparql-results+json;q=0.2", "text/csv"),
    ("text/csv;q=0, */*;q=0.1", "application/sparql-results+json"),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "application/sparql-"
     "results+xml"),
])
def test_select_results_follow_accept_q_values(live: Any, accept: str, media: str) -> None:
    r = httpx.get(live.sparql, params={"query": "SELECT * { ?s ?p ?o } LIMIT 2"},
                  headers={"Accept": accept})
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] == media
    assert "Accept" in r.headers["vary"]


@pytest.mark.parametrize(("fmt", "media"), [
    ("json", "application/sparql-results+json"), ("xml", "application/sparql-results+xml"),
    ("csv", "text/csv"), ("tsv", "text/tab-separated-values")])
def test_format_parameter_overrides_accept(live: Any, fmt: str, media: str) -> None:
    r = httpx.get(live.sparql, params={"query": "ASK { ?s ?p ?o }", "format": fmt},
                  headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and r.headers["content-type"].split(";")[0] == media
    assert "true" in r.text


@pytest.mark.parametrize(("accept", "fmt", "media"), [
    ("text/turtle", None, "text/turtle"),
    ("application/n-triples", None, "application/n-triples"),
    ("application/ld+json", None, "application/ld+json"),
    ("application/rdf+xml", None, "application/rdf+xml"),
    ("*/*", "ntriples", "application/n-triples"),
    (None, "jsonld", "application/ld+json"),
    (None, None, "text/turtle"),
])
def test_construct_results_are_negotiated(live: Any, accept: str | None,
                                          fmt: str | None, media: str) -> None:
    import rdflib

    params = {"query": f"CONSTRUCT WHERE {{ <{EX}academy/3> ?p ?o }}"}
    if fmt:
        params["format"] = fmt
    r = httpx.get(live.sparql, params=params, headers={"Accept": accept} if accept else {})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == media
    g = rdflib.Graph().parse(data=r.content, format={
        "text/turtle": "turtle", "application/n-triples": "nt", "application/ld+json": "json-ld",
        "application/rdf+xml": "xml"}[media])
    assert len(g) == 3


def test_describe_is_a_graph_result(live: Any) -> None:
    r = httpx.get(live.sparql, params={"query": f"DESCRIBE <{EX}academy/3>"},
                  headers={"Accept": "application/n-triples"})
    assert r.status_code == 200 and r.text.count("\n") >= 3


@pytest.mark.parametrize(("query", "accept", "fmt"), [
    ("SELECT * { ?s ?p ?o } LIMIT 1", "text/turtle", None),
    ("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1", "text/csv", None),
    ("SELECT * { ?s ?p ?o } LIMIT 1", None, "turtle"),
    ("SELECT * { ?s ?p ?o } LIMIT 1", "application/sparql-results+json;q=0", None),
])
def test_nothing_acceptable_is_406(live: Any, query: str, accept: str | None,
                                   fmt: str | None) -> None:
    r = httpx.get(live.sparql, params={"query": query, **({"format": fmt} if fmt else {})},
                  headers={"Accept": accept} if accept else {})
    assert_error(r, 406)


# ----------------------------------------------------------------------- result bodies
def test_csv_and_tsv_escape_awkward_literals(live: Any) -> None:
    q = f"SELECT ?note ?s WHERE {{ ?s <{EX}note> ?note }}"
    c = httpx.get(live.sparql, params={"query": q, "format": "csv"})
    rows = list(csv.reader(io.StringIO(c.text, newline="")))
    assert rows[0] == ["note", "s"]
    assert rows[1] == ['a, "quoted"\tvalue\nwith SERVICE and àèì', f"{EX}academy/0"]
    t = httpx.get(live.sparql, params={"query": q, "format": "tsv"})
    lines = t.text.split("\n")
    assert lines[0] == "?note\t?s" and lines[1].count("\t") == 1 and lines[2] == ""
    assert lines[1].endswith(f"<{EX}academy/0>")


def test_xml_results_are_well_formed(live: Any) -> None:
    q = f"SELECT ?s ?name ?rank WHERE {{ ?s <{EX}name> ?name ; <{EX}rank> ?rank }} ORDER BY ?rank"
    r = httpx.get(live.sparql, params={"query": q},
                  headers={"Accept": "application/sparql-results+xml"})
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    root = ET.fromstring(r.content)
    assert [v.get("name") for v in root.findall("r:head/r:variable", ns)] == ["s", "name", "rank"]
    first = root.find("r:results/r:result", ns)
    assert first is not None
    lit = first.find("r:binding[@name='name']/r:literal", ns)
    assert lit is not None and lit.text == "Academy 0"
    assert lit.get("{http://www.w3.org/XML/1998/namespace}lang") == "it"


# -------------------------------------------------------------------------- row cap
def test_row_cap_is_signalled_in_headers_and_json_head(live: Any) -> None:
    r = httpx.get(live.sparql, params={"query": "SELECT * { ?s ?p ?o }"})
    body = r.json()
    assert len(body["results"]["bindings"]) == MAX_ROWS
    assert r.headers["x-itskg-truncated"] == "true"
    assert r.headers["x-itskg-row-cap"] == str(MAX_ROWS)
    assert body["head"]["link"] == ["https://w3id.org/itskg/ontology#truncated"]
    small = httpx.get(live.sparql, params={"query": "SELECT * { ?s ?p ?o } LIMIT 1000"})
    assert "x-itskg-truncated" not in small.headers and "link" not in small.json()["head"]
    assert len(small.json()["results"]["bindings"]) == 1000
    tsv = httpx.get(live.sparql, params={"query": "SELECT * { ?s ?p ?o } LIMIT 7", "format": "tsv"})
    assert tsv.headers["x-itskg-rows"] == "7"  # sent when the count is known exactly


def test_row_cap_is_signalled_in_csv_and_xml(live: Any) -> None:
    c = httpx.get(live.sparql, params={"query": "SELECT ?s { ?s ?p ?o }", "format": "csv"})
    assert c.headers["x-itskg-truncated"] == "true" and c.text.count("\r\n") == MAX_ROWS + 1
    x = httpx.get(live.sparql, params={"query": "SELECT ?s { ?s ?p ?o }", "format": "xml"})
    assert b"ontology#truncated" in x.content


# -------------------------------------------------------------------- errors
def test_syntax_error_is_400_with_the_parser_message(live: Any) -> None:
    r = httpx.get(live.sparql, params={"query": "SELECT * WHERE { ?s ?p "})
    body = assert_error(r, 400, "syntax")
    assert body["type"] == "QuerySyntaxError" and "1:" in body["error"]


@pytest.mark.parametrize(("kwargs", "status", "word"), [
    ({"method": "POST", "data": {}}, 400, "without a query"),
    ({"method": "GET", "params": [("query", "ASK {}"), ("query", "ASK {}")]}, 400, "more than one"),
    ({"method": "POST", "data": {"query": "ASK {}", "update": "CLEAR ALL"}}, 400, "both"),
    ({"method": "POST", "params": {"query": "ASK {}"}, "content": "ASK {}",
      "headers": {"Content-Type": "application/sparql-query"}}, 400, "body"),
    ({"method": "GET", "params": {"update": "CLEAR ALL"}}, 400, "POST"),
    ({"method": "POST", "content": "ASK {}", "headers": {"Content-Type": "text/plain"}}, 415,
     "content-type"),
    ({"method": "POST", "content": b'{"query": "ASK {}"}',
      "headers": {"Content-Type": "application/json"}}, 415, "sparql-query"),
    ({"method": "PUT", "content": "ASK {}"}, 405, "GET or POST"),
    ({"method": "DELETE"}, 405, "GET or POST"),
])
def test_malformed_protocol_requests(live: Any, kwargs: dict, status: int,
                                     word: str) -> None:
    r = httpx.request(url=live.sparql, **kwargs)
    assert_error(r, status, word)
    if status == 405:
        assert r.headers["allow"] == "GET, POST"


def test_unknown_route_uses_the_same_error_shape(live: Any) -> None:
    assert_error(httpx.get(live.url + "/no/such/page"), 404)


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p ?o . service <http://example.org/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE SILENT ?ep { ?s ?p ?o } }",
    "SELECT * FROM <http://example.org/remote.ttl> WHERE { ?s ?p ?o }",
    "SELECT * FROM NAMED <http://example.org/remote.ttl> WHERE { GRAPH ?g { ?s ?p ?o } }",
    "PREFIX ex: <http://example.org/>\nSELECT * FROM ex:remote WHERE { ?s ?p ?o }",
])
def test_service_and_remote_graphs_are_refused(live: Any, query: str) -> None:
    body = assert_error(httpx.get(live.sparql, params={"query": query}), 403)
    assert body["type"] == "QueryRefusedError"


def test_remote_protocol_dataset_is_refused(live: Any) -> None:
    r = httpx.get(live.sparql, params={"query": COUNT,
                                       "named-graph-uri": "http://example.org/remote"})
    assert_error(r, 403, "http://example.org/remote", "void")


@pytest.mark.parametrize("query", [
    'SELECT * WHERE { ?s ?p "SERVICE <http://x/> { }" } LIMIT 1',
    "SELECT * WHERE { ?s ?p '''FROM <http://x/>\nSERVICE''' } LIMIT 1",
    "# SERVICE <http://example.org/sparql>\nSELECT ?service WHERE { ?service ?p ?o } LIMIT 1",
    f"PREFIX service: <{EX}>\nSELECT * WHERE {{ ?s service:name ?o }} LIMIT 1",
    'SELECT * WHERE { ?s ?p ?o FILTER(?o != "x"@service) } LIMIT 1',
    f"SELECT * WHERE {{ ?s ?p <{EX}SERVICE> }} LIMIT 1",
])
def test_service_word_outside_keywords_is_harmless(live: Any, query: str) -> None:
    r = httpx.get(live.sparql, params={"query": query})
    assert r.status_code == 200, r.text


# ------------------------------------------------------------------------- updates
def test_update_without_token_is_refused(live: Any) -> None:
    upd = f"DROP GRAPH <{SCRATCH_G}>"
    missing = httpx.post(live.sparql, data={"update": upd})
    assert_error(missing, 401, "ITSKG_ADMIN_TOKEN")
    assert missing.headers["www-authenticate"] == 'Bearer realm="itskg"'
    wrong = httpx.post(live.sparql, content=upd, headers={
        "Content-Type": "application/sparql-update", "Authorization": "Bearer wrong"})
    assert_error(wrong, 401, "not it")
    assert 'error="invalid_token"' in wrong.headers["www-authenticate"]
    assert count(httpx.get(live.sparql, params={"query": COUNT,
                                                "default-graph-uri": SCRATCH_G})) == 1


def backend_of(srv: Any) -> str:
    """'local', or the engine the server ``srv`` is in front of."""
    return srv.settings.store_engine if srv.settings.remote else "local"


def test_update_is_disabled_without_admin_token(live: Any, live_factory_on: Any) -> None:
    srv = live_factory_on(backend_of(live), query_workers=1)
    r = httpx.post(srv.sparql, data={"update": f"DROP GRAPH <{SCRATCH_G}>"},
                   headers={"Authorization": "Bearer anything"})
    assert_error(r, 403, "read-only")


def test_authorised_update_drops_a_layer_and_refuses_the_rest(live: Any,
                                                             live_factory_on: Any) -> None:
    srv = live_factory_on(backend_of(live), query_workers=1, admin_token=ADMIN_TOKEN)
    auth = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    insert = httpx.post(srv.sparql, data={"update": f"INSERT DATA {{ <{EX}a> <{EX}b> 1 }}"},
                        headers=auth)
    assert_error(insert, 501, "itskg import", "INSERT")
    load = httpx.post(srv.sparql, data={"update": "LOAD <http://example.org/x.ttl>"},
                      headers=auth)
    assert_error(load, 403, "LOAD")
    r = httpx.post(srv.sparql, content=f"DROP SILENT GRAPH <{EX}none> ;\n"
                   f"CLEAR GRAPH <{SCRATCH_G}>",
                   headers={**auth, "Content-Type": "application/sparql-update"})
    assert r.status_code == 200 and r.json() == {"ok": True, "removed_layers": ["scratch"]}
    q = f"ASK {{ GRAPH <{SCRATCH_G}> {{ ?s ?p ?o }} }}"
    assert httpx.get(srv.sparql, params={"query": q}).json()["boolean"] is False
    assert_error(httpx.post(srv.sparql, data={"update": f"DROP GRAPH <{SCRATCH_G}>"},
                            headers=auth), 400, "No graph")


# ------------------------------------------------------------------------- timeout
def test_timeout_kills_the_worker_and_the_next_query_is_fast(live: Any) -> None:
    executor = live.app.state.kg
    before = set(executor.pids)
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    t0 = time.monotonic()
    r = httpx.get(live.sparql, params={"query": slow}, timeout=30)
    elapsed = time.monotonic() - t0
    body = assert_error(r, 503, "1.5 s", "ITSKG_QUERY_TIMEOUT")
    assert body["type"] == "QueryTimeoutError"
    assert elapsed < 5
    t0 = time.monotonic()
    assert count(httpx.get(live.sparql, params={"query": COUNT})) > 0
    assert time.monotonic() - t0 < 1.0
    pool = live.settings.query_workers + live.settings.lookup_workers
    deadline = time.monotonic() + 10
    while len(executor.pids) < pool and time.monotonic() < deadline:
        time.sleep(0.05)
    after = set(executor.pids)
    assert len(after) == pool and after != before and len(before - after) == 1
    json.dumps(sorted(after))  # pids are plain ints
