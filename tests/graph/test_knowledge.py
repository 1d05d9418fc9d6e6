"""KnowledgeGraph: the surfaces' one door (in-process and with its worker pool)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from itskg.graph.config import Settings
from itskg.graph.errors import QueryParameterError, UnknownQueryError
from itskg.graph.knowledge import KnowledgeGraph
from itskg.graph.sparql.catalogue import parse_query_text
from itskg.graph.store import Layer

ITS = "https://w3id.org/itskg/id/its/"
NUTS = "http://data.europa.eu/nuts/code/"
DATA = f"""
<{ITS}A1> a <https://w3id.org/itskg/ontology#ITSAcademy> ;
  <http://www.w3.org/2004/02/skos/core#prefLabel> "Alfa Academy"@it ;
  <https://w3id.org/itskg/ontology#seatRegion> <{NUTS}ITC4> .
<{NUTS}ITC4> <http://www.w3.org/2004/02/skos/core#prefLabel> "Lombardia"@it .
""".encode()


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("kg") / "store"
    kg = KnowledgeGraph(Settings(store=root), workers=0)
    kg.replace_layers([Layer("t", "Test", DATA, format="ttl")], rules=[])
    return root


@pytest.fixture
def local(store: Path) -> Iterator[KnowledgeGraph]:
    with KnowledgeGraph(Settings(store=store), workers=0) as kg:
        yield kg


def test_sparql_with_engine_bindings(local: KnowledgeGraph) -> None:
    from itskg.graph.terms import iri

    res = local.sparql("SELECT ?a ?l WHERE { ?a skos:prefLabel ?l }", "rows",
                       bindings={"a": iri(ITS + "A1")})
    assert json.loads(res.body) == [{"a": ITS + "A1", "l": "Alfa Academy"}]


def test_named_query_code_parameter_is_checked_in_the_same_request(
        local: KnowledgeGraph, monkeypatch: pytest.MonkeyPatch) -> None:
    from itskg.graph.sparql import catalogue

    calls: list[dict[str, Any]] = []
    built: list[dict[str, Any]] = []
    serve, build = local._serve_here, catalogue.named_request

    def counting(req: dict[str, Any]) -> Any:
        calls.append(req)
        return serve(req)

    monkeypatch.setattr(local, "_serve_here", counting)
    monkeypatch.setattr(catalogue, "named_request",
                        lambda *a, **k: built.append(build(*a, **k)) or built[-1])
    # regional_profile binds by the engine (its .rq header declares no `binding: values`)
    assert local.named_query("regional_profile").binding == "engine"
    with pytest.raises(QueryParameterError, match="no such concept"):
        local.run_named("regional_profile", {"region": "ITZ9"})
    # one request: the name and text parameters; the worker binds and checks the code
    assert len(calls) == 1 and calls[0]["op"] == "named"
    assert calls[0]["params"] == {"region": "ITZ9"}
    assert built[0]["exists"] and built[0]["bindings"]["region"]
    assert "VALUES" not in built[0]["sparql"]  # bound by the engine, not pasted into the text


def test_named_query_answers_are_cached_per_generation(local: KnowledgeGraph) -> None:
    a = local.run_named("search_by_label", {"text": "alfa"}, "rows")
    assert a is local.run_named("search_by_label", {"text": "alfa"}, "rows")
    assert any("Alfa" in str(r) for r in json.loads(a.body))
    with pytest.raises(UnknownQueryError, match="Did you mean"):
        local.run_named("search_by_labl", {})


def test_binding_values_inlines_a_values_block(local: KnowledgeGraph,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    q = local.named_query("search_by_label")
    values_q = parse_query_text(q.name, q.text.replace("#+ name:", "#+ binding: values\n#+ name:",
                                                       1))
    assert values_q.binding == "values" and q.binding == "engine"
    engine = json.loads(local.run_named(q.name, {"text": "alfa"}, "rows").body)
    from itskg.graph.sparql import catalogue

    monkeypatch.setattr(catalogue, "get_query", lambda _name: values_q)
    sent: list[dict[str, Any]] = []
    build = catalogue.named_request
    monkeypatch.setattr(catalogue, "named_request",
                        lambda *a, **k: sent.append(build(*a, **k)) or sent[-1])
    local._cache.clear()
    inlined = json.loads(local.run_named(q.name, {"text": "alfa"}, "rows").body)
    assert inlined == engine
    assert "VALUES" in sent[0]["sparql"] and not sent[0]["bindings"]


def test_a_bad_binding_header_is_refused() -> None:
    from itskg.graph.errors import DataError

    text = "#+ name: x\n#+ title: {it: a, en: a}\n#+ description: {it: a, en: a}\n" \
           "#+ binding: inline\nSELECT ?s WHERE { ?s ?p ?o }\n"
    with pytest.raises(DataError):
        parse_query_text("x", text)


def test_the_pool_answers_sparql_named_queries_and_network_tasks(store: Path) -> None:
    from itskg.graph.analysis.extract import Filters

    with KnowledgeGraph(Settings(store=store, query_workers=1, lookup_workers=0)) as kg:
        assert len(kg.pids) == 1
        assert kg.sparql("ASK { ?s ?p ?o }", "json").body.startswith(b'{"head"')
        rows = json.loads(kg.run_named("search_by_label", {"text": "alfa"}, "rows").body)
        assert rows
        res = kg.network("summary", "academy-academy", Filters())
        assert res.media_type == "application/json" and res.generation == kg.generation()
        assert "nodes" in json.loads(res.body)
