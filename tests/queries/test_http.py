"""The named query HTTP routes: create_app (the production path) over the fixture store."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from itskg.api.app import create_app
from itskg.graph.config import Settings
from itskg.graph.sparql.catalogue import load_catalog
from itskg.graph.store import KnowledgeStore


@pytest.fixture(scope="module")
def client(catalog_store: KnowledgeStore) -> Iterator[TestClient]:
    app = create_app(Settings(store=catalog_store.root, query_workers=1))
    with TestClient(app) as c:  # the lifespan starts the app's KnowledgeGraph
        yield c


def test_catalogue_listing(client: TestClient) -> None:
    r = client.get("/api/queries")
    assert r.status_code == 200
    data = r.json()
    assert {q["name"] for q in data} == set(load_catalog())
    q = next(q for q in data if q["name"] == "skill_gaps_by_region")
    assert q["title"]["en"] and q["description"]["it"]
    params = {p["name"]: p for p in q["parameters"]}
    assert params["region"]["required"] is True and params["region"]["type"] == "code"
    assert params["skill_class"]["allowed"] == ["digital", "green", "transversal"]
    assert params["section"]["default"] == "C"
    assert set(params["lang"]) >= {"name", "type", "required", "default", "allowed"}


def test_results_content_negotiation(client: TestClient) -> None:
    url = "/api/queries/academies_by_region?region=ITC4&lang=en"
    r = client.get(url, headers={"Accept": "application/sparql-results+json"})
    assert r.headers["content-type"].startswith("application/sparql-results+json")
    b = r.json()["results"]["bindings"]
    assert b[0]["regionLabel"] == {"type": "literal", "value": "Lombardy", "xml:lang": "en"}
    r = client.get(url, headers={"Accept": "application/json"})
    assert r.headers["content-type"].startswith("application/json")
    assert r.json()[0]["academyLabel"] == "ITS Lombardy ICT Foundation"
    r = client.get(url, headers={"Accept": "text/csv"})
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert r.headers["content-type"].startswith("text/csv")
    assert rows[0]["province"].endswith("ITC4C")
    r = client.get(url, headers={"Accept": "text/tab-separated-values"})
    assert r.text.startswith("?academy\t")
    r = client.get(url, headers={"Accept": "application/sparql-results+xml"})
    assert r.headers["content-type"].startswith("application/sparql-results+xml")
    assert "<sparql" in r.text
    r = client.get(url, headers={"Accept": "text/html;q=0.9, text/csv;q=0.8"})
    assert r.headers["content-type"].startswith("text/csv")
    r = client.get(url + "&format=rows", headers={"Accept": "text/csv"})
    assert isinstance(r.json(), list)
    r = client.get(url, headers={"Accept": "image/png"})
    assert r.status_code == 406 and r.json()["ok"] is False


def test_sparql_text(client: TestClient) -> None:
    r = client.get("/api/queries/academies_by_region.rq")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/sparql-query")
    assert r.text == load_catalog()["academies_by_region"].text


def test_error_shapes(client: TestClient) -> None:
    r = client.get("/api/queries/skill_gaps_by_region")  # region is required
    assert r.status_code == 400
    body = r.json()
    assert body == {"ok": False, "error": body["error"], "type": "QueryParameterError",
                    "status": 400}
    assert "region" in body["error"]
    r = client.get("/api/queries/academies_by_region?region=ITZ9")
    assert r.status_code == 400 and "no such concept" in r.json()["error"]
    r = client.get("/api/queries/companies_in_several_regions?min_regions=two")
    assert r.status_code == 400 and r.json()["type"] == "QueryParameterError"
    r = client.get('/api/queries/search_by_label?text=x" } ; DROP ALL ; #')
    assert r.status_code == 200 and r.json()["results"]["bindings"] == []
    r = client.get("/api/queries/academy_by_region")
    assert r.status_code == 404
    assert r.json()["type"] == "UnknownQueryError" and "Did you mean" in r.json()["error"]
    assert client.get("/api/queries/nope.rq").status_code == 404


def test_openapi_has_one_typed_operation_per_query(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    ops = {op["operationId"]: op for path in spec["paths"].values() for op in path.values()}
    for name, q in load_catalog().items():
        op = ops[f"query_{name}"]
        params = {p["name"]: p for p in op["parameters"]}
        for p in q.params:
            assert p.name in params, (name, p.name)
    gaps = {p["name"]: p for p in ops["query_skill_gaps_by_region"]["parameters"]}
    assert gaps["skill_class"]["schema"].get("enum") == ["digital", "green", "transversal"] or \
        any(s.get("enum") == ["digital", "green", "transversal"]
            for s in gaps["skill_class"]["schema"].get("anyOf", []))
    several = {p["name"]: p for p in ops["query_companies_in_several_regions"]["parameters"]}
    assert "integer" in json.dumps(several["min_regions"]["schema"])


def test_results_follow_a_new_generation(tmp_path, catalog_store: KnowledgeStore) -> None:
    from itskg.graph.store import Layer

    st = KnowledgeStore.open(tmp_path / "s", read_only=False)
    st.replace_layers([Layer("a", "A", b'<https://w3id.org/itskg/id/its/x> '
                             b'<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> '
                             b'<https://w3id.org/itskg/ontology#ITSAcademy> .')], rules=[])
    with TestClient(create_app(Settings(store=tmp_path / "s", query_workers=1))) as c:
        url = "/api/queries/search_by_label?text=zeta"
        assert c.get(url).json()["results"]["bindings"] == []
        st.replace_layers([Layer("b", "B", b'<https://w3id.org/itskg/id/its/x> '
                                 b'<http://www.w3.org/2004/02/skos/core#prefLabel> "Zeta" .')],
                          rules=[])
        assert len(c.get(url).json()["results"]["bindings"]) == 1
    st.close()


def test_routes_run_through_the_worker_pool(client: TestClient) -> None:
    """Parameters travel with the query to a worker and are bound by the engine there."""
    r = client.get("/api/queries/skill_gaps_by_region?region=ITH5&lang=en",
                   headers={"Accept": "application/json"})
    assert r.status_code == 200, r.text
    assert [(x["skillLabel"], x["demandingCompanies"], x["taughtElsewhereBy"])
            for x in r.json()] == [("cloud technologies", 2, "ITS Lombardy ICT Foundation")]
    r = client.get("/api/queries/academies_by_region?region=ITZ9")
    assert r.status_code == 400 and "no such concept" in r.json()["error"]
