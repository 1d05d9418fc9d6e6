"""itskg.graph.sparql.executor: query scanning, row serialisers, worker refresh and recovery.

(Library tests; they sit in tests/api/ because the executor exists for the HTTP endpoint.)
"""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import time
from pathlib import Path

import pytest

from itskg.graph.errors import QueryError, QueryParameterError, QueryRefusedError, StoreError
from itskg.graph.sparql.executor import QueryExecutor
from itskg.graph.sparql.results import (
    TRUNCATED_LINK,
    _drop_last_json_row,
    _trim,
    serialize_rows,
)
from itskg.graph.sparql.scan import scan_query, scan_update
from itskg.graph.store import KnowledgeStore, Layer

EX = "http://example.org/"


# ---------------------------------------------------------------------- scanning
@pytest.mark.parametrize(("query", "form"), [
    ("SELECT * { ?s ?p ?o }", "select"),
    ("PREFIX select: <urn:x#>\nBASE <http://b/>\nask { ?s select:p ?o }", "ask"),
    ("# DESCRIBE\nCONSTRUCT WHERE { ?s ?p ?o }", "construct"),
    ("describe <urn:x>", "describe"),
    ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", "update"),
    ("", "unknown"),
])
def test_scan_query_finds_the_form(query: str, form: str) -> None:
    assert scan_query(query).form == form


def test_scan_query_resolves_from_graphs() -> None:
    info = scan_query(
        "BASE <http://base.example/dir/>\nPREFIX g: <http://g.example/>\n"
        "SELECT * FROM <rel> FROM g:one FROM NAMED <http://abs/x> FROM NAMED g:two. "
        "WHERE { ?s ?p 'FROM <http://not/this>' }"
    )
    assert info.from_graphs == ["http://base.example/dir/rel", "http://g.example/one"]
    assert info.from_named_graphs == ["http://abs/x", "http://g.example/two"]


def test_scan_query_reports_undeclared_prefix() -> None:
    with pytest.raises(QueryParameterError, match="nope:"):
        scan_query("SELECT * FROM nope:g { ?s ?p ?o }")


@pytest.mark.parametrize("query", [
    "SELECT * { SERVICE <http://x/> { ?s ?p ?o } }",
    "SELECT * {\n  Service\n<http://x/> {} }",
    "SELECT * { ?s ?p ?o . SERVICE ?ep {} }",
    "LOAD <http://x/data.ttl>",
])
def test_scan_query_refuses_service_and_load(query: str) -> None:
    with pytest.raises(QueryRefusedError):
        scan_query(query)


@pytest.mark.parametrize("query", [
    'SELECT * { ?s ?p "SERVICE" }',
    "SELECT * { ?s ?p 'it''s SERVICE' }",
    'SELECT * { ?s ?p """a "SERVICE" \\""" LOAD""" }',
    "SELECT ?service { ?service ?load ?o } # SERVICE LOAD",
    "PREFIX service: <urn:x#> SELECT * { ?s service:load ?o }",
    'SELECT * { ?s ?p "x"@service }',
    "SELECT * { ?s ?p <http://x/SERVICE> }",
])
def test_scan_query_ignores_service_outside_keywords(query: str) -> None:
    assert scan_query(query).form == "select"


def test_scan_update_splits_supported_and_unsupported_operations() -> None:
    plan = scan_update(
        "PREFIX g: <http://g/>\nDROP GRAPH g:a ;\nCLEAR SILENT GRAPH <http://g/b> ;\n"
        "DROP ALL ; INSERT DATA { <urn:a> <urn:b> 'x;y' } ; CLEAR DEFAULT"
    )
    assert plan.drop_graphs == [("http://g/a", False), ("http://g/b", True)]
    assert plan.unsupported == ["DROP", "INSERT", "CLEAR"]
    with pytest.raises(QueryRefusedError, match="LOAD"):
        scan_update("LOAD <http://x/> INTO GRAPH <http://g/>")


# ----------------------------------------------------------------- a real store
def _layer(n: int, source: str = "data") -> Layer:
    lines = [f'<{EX}s{i}> <{EX}p> "v{i}, \\"q\\"\\t{i}"@it .' for i in range(n)]
    lines.append(f'<{EX}s0> <{EX}n> "5"^^<http://www.w3.org/2001/XMLSchema#integer> .')
    lines.append(f"<{EX}s0> <{EX}b> _:blank .")
    return Layer(source, source.title(), "\n".join(lines).encode())


def _build(root: Path) -> Path:
    with KnowledgeStore.open(root, read_only=False) as st:
        st.replace_layers([_layer(10)], rules=[])
    return root


@pytest.fixture(scope="module")
def small_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store shared by the tests that only read it."""
    return _build(tmp_path_factory.mktemp("exec") / "store")


@pytest.fixture(scope="module")
def executor(small_store: Path):  # type: ignore[no-untyped-def]
    ex = QueryExecutor(small_store, workers=1, timeout=5, max_rows=100)
    yield ex
    ex.close()


@pytest.fixture
def own_executor(tmp_path: Path):  # type: ignore[no-untyped-def]
    """An executor over a store of its own (for tests that change the store or kill workers)."""
    ex = QueryExecutor(_build(tmp_path / "store"), workers=1, timeout=5, max_rows=100)
    yield ex
    ex.close()


def _native(store: Path, query: str, fmt: str) -> bytes:
    with KnowledgeStore.open(store) as st:
        out = st.query(query).serialize(fmt)
        assert out is not None
        return out


@pytest.mark.parametrize(("query", "expected"), [
    ("SELECT * { ?s ?p ?o }", "SELECT * { ?s ?p ?o }\nLIMIT 11\n"),
    ("SELECT * { ?s ?p ?o } LIMIT 500 OFFSET 2", "SELECT * { ?s ?p ?o } LIMIT 11 OFFSET 2"),
    ("SELECT * { ?s ?p ?o } LIMIT 10", None),
    ("SELECT * { { SELECT * { ?s ?p ?o } LIMIT 5 } } # c",
     "SELECT * { { SELECT * { ?s ?p ?o } LIMIT 5 } } # c\nLIMIT 11\n"),
    ("SELECT * { ?s ?p ?o } OFFSET 1 VALUES ?s { <urn:a> }",
     "SELECT * { ?s ?p ?o } OFFSET 1 \nLIMIT 11\nVALUES ?s { <urn:a> }"),
    ("SELECT * { ?s ?p 'LIMIT 3' }", "SELECT * { ?s ?p 'LIMIT 3' }\nLIMIT 11\n"),
    ("CONSTRUCT WHERE { ?s ?p ?o }", None),
    ("ASK { ?s ?p ?o }", None),
])
def test_capped_query_text(query: str, expected: str | None) -> None:
    assert scan_query(query).capped(query, 10) == expected


def test_trim_cuts_engine_output_in_every_format(small_store: Path) -> None:
    q = f"SELECT ?s ?o WHERE {{ ?s <{EX}p> ?o }} ORDER BY ?s"
    for fmt in ("json", "xml", "csv", "tsv"):
        full = _native(small_store, q, fmt)
        cut, truncated, rows = _trim(full, fmt, 4)
        assert truncated and rows == 4
        expected = _native(small_store, q + " LIMIT 4", fmt)
        if fmt == "json":
            doc = json.loads(cut)
            assert doc["head"].pop("link") == [TRUNCATED_LINK]
            assert doc == json.loads(expected)
        elif fmt == "xml":
            assert cut == expected.replace(
                b"</head>", f'<link href="{TRUNCATED_LINK}"/></head>'.encode())
        elif fmt == "csv":
            assert list(csv.reader(io.StringIO(cut.decode(), newline=""))) == list(
                csv.reader(io.StringIO(expected.decode(), newline="")))
        else:
            assert cut == expected
        assert _trim(full, fmt, 10)[:2] == (full, False)


@pytest.mark.parametrize("nasty", [
    'x},{"a":{"type":"uri","value":"y"}}', "},{", '"},{"', "}]}}", "},{}"])
def test_trim_json_fast_path_drops_exactly_the_last_row(small_store: Path, nasty: str) -> None:
    lit = json.dumps(nasty)
    q = f"SELECT ?s ?o WHERE {{ ?s <{EX}p> ?v BIND({lit} AS ?o) }} ORDER BY DESC(?s)"
    five, four = (json.loads(_native(small_store, f"{q} LIMIT {n}", "json")) for n in (5, 4))
    body = _native(small_store, f"{q} LIMIT 5", "json")
    assert _drop_last_json_row(body) is not None  # the fast path, not the json.loads fallback
    cut, truncated, rows = _trim(body, "json", 4, True)
    doc = json.loads(cut)
    assert truncated and rows == 4 and doc["head"].pop("link") == [TRUNCATED_LINK]
    assert doc == four and five["results"]["bindings"][:4] == four["results"]["bindings"]
    assert four["results"]["bindings"][0]["o"]["value"] == nasty


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_serialize_rows_matches_the_engine(small_store: Path, fmt: str) -> None:
    q = ("SELECT ?s ?p ?o ?none WHERE { ?s ?p ?o OPTIONAL { ?s <urn:no> ?none } "
         "FILTER(!isBlank(?o)) }")
    with KnowledgeStore.open(small_store) as st:
        res = st.query(q)
        ours = serialize_rows(res.variables, list(res.rows()), fmt)
    theirs = _native(small_store, q, fmt)
    if fmt == "json":
        assert json.loads(ours) == json.loads(theirs)
    elif fmt == "xml":
        import rdflib.plugins.sparql.results.xmlresults as xr

        parse = xr.XMLResultParser().parse
        assert list(parse(io.BytesIO(ours))) == list(parse(io.BytesIO(theirs)))
    elif fmt == "csv":
        assert list(csv.reader(io.StringIO(ours.decode(), newline=""))) == list(
            csv.reader(io.StringIO(theirs.decode(), newline="")))
    else:
        assert ours.decode().splitlines()[0] == theirs.decode().splitlines()[0]
        assert len(ours.splitlines()) == len(theirs.splitlines())
    with pytest.raises(QueryParameterError, match="json"):
        serialize_rows(["x"], [], "yaml")


def test_trim_rejects_unknown_format() -> None:
    with pytest.raises(QueryParameterError, match="json"):
        _trim(b"", "yaml", 3)


def test_row_cap_truncates_and_says_so(small_store: Path) -> None:
    with QueryExecutor(small_store, workers=1, max_rows=4) as ex:
        res = ex.run("SELECT * { ?s ?p ?o }", "json")
        assert res.truncated and res.rows == 4
        assert len(json.loads(res.body)["results"]["bindings"]) == 4
        exact = ex.run("SELECT * { ?s ?p ?o } LIMIT 4", "tsv")
        assert not exact.truncated and exact.rows == 4
        sub = ex.run("SELECT * { { SELECT * { ?s ?p ?o } LIMIT 6 } } VALUES ?x { 1 }", "xml")
        assert sub.truncated and sub.body.count(b"<result>") == 4


def test_workers_follow_a_new_generation(own_executor: QueryExecutor) -> None:
    executor = own_executor
    q = "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"
    before = executor.run(q)
    pids = executor.pids
    with KnowledgeStore.open(executor.store_path, read_only=False) as st:
        st.replace_layers([_layer(3, "more")], rules=[])
        new_gen = st.generation
    after = executor.run(q)
    assert after.generation == new_gen != before.generation
    n = [int(json.loads(r.body)["results"]["bindings"][0]["n"]["value"]) for r in (before, after)]
    assert n[1] > n[0]
    assert executor.pids == pids  # switched in place, no restart


def test_dataset_must_name_local_graphs(executor: QueryExecutor) -> None:
    with pytest.raises(QueryRefusedError, match="urn:remote"):
        executor.run("ASK {}", default_graphs=["urn:remote"])
    with pytest.raises(QueryParameterError, match="turtle"):
        executor.run("ASK {}", "turtle")


def test_killed_worker_is_reported_and_replaced(own_executor: QueryExecutor) -> None:
    executor = own_executor
    (pid,) = executor.pids
    os.kill(pid, signal.SIGKILL)
    time.sleep(0.1)
    with pytest.raises(QueryError, match="stopped unexpectedly"):
        executor.run("ASK {}")
    deadline = time.monotonic() + 10
    while True:
        try:
            assert executor.run("ASK { ?s ?p ?o }").body.find(b"true") > 0
            break
        except QueryError:  # the replacement may still be starting
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    assert executor.pids != [pid]


def test_empty_store_fails_at_start(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="itskg build"):
        QueryExecutor(tmp_path / "nothing", workers=1)


def test_closed_executor_refuses_queries(small_store: Path) -> None:
    ex = QueryExecutor(small_store, workers=1)
    pid = ex.pids[0]
    ex.close()
    with pytest.raises(QueryError, match="closed"):
        ex.run("ASK {}")
    time.sleep(0.05)
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_an_empty_layer_is_a_local_graph(tmp_path: Path) -> None:
    root = tmp_path / "store"
    with KnowledgeStore.open(root, read_only=False) as st:
        st.replace_layers([_layer(2), Layer("empty", "Empty", b"")], rules=[])
    g = "https://w3id.org/itskg/graph/empty"
    with QueryExecutor(root, workers=1) as ex:
        assert b"false" in ex.run(f"ASK FROM <{g}> {{ ?s ?p ?o }}").body
        assert b"false" in ex.run("ASK { ?s ?p ?o }", default_graphs=[g]).body
