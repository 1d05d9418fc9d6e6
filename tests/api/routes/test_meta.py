"""Service description, VoID, health, CORS and the JSON error shape."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import rdflib
from rdflib.namespace import RDF

from itskg.graph.metadata import DATASET_IRI
from itskg.graph.namespaces import META_GRAPH, graph_iri

pytestmark = pytest.mark.server

SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")


@pytest.mark.parametrize(("accept", "rdflib_format"), [
    ("text/turtle", "turtle"), ("application/rdf+xml", "xml"), ("application/ld+json", "json-ld"),
    (None, "turtle"),
])
def test_service_description_by_conneg(live: Any, accept: str | None, rdflib_format: str) -> None:
    r = httpx.get(live.sparql, headers={"Accept": accept} if accept else {})
    assert r.status_code == 200, r.text
    g = rdflib.Graph().parse(data=r.content, format=rdflib_format)
    svc = rdflib.URIRef(live.sparql)
    assert (svc, RDF.type, SD.Service) in g
    assert (svc, SD.endpoint, svc) in g
    assert (svc, SD.supportedLanguage, SD.SPARQL11Query) in g
    assert (svc, SD.supportedLanguage, SD.SPARQL11Update) in g  # the live server has a token
    assert (svc, SD.feature, SD.UnionDefaultGraph) in g
    names = {str(o) for o in g.objects(None, SD.name)}
    assert {graph_iri("academies"), graph_iri("companies"), META_GRAPH} <= names


def test_service_description_format_parameter(live: Any) -> None:
    r = httpx.get(live.sparql, params={"format": "ntriples"})
    assert r.headers["content-type"].startswith("application/n-triples")
    assert_406 = httpx.get(live.sparql, headers={"Accept": "text/csv"})
    assert assert_406.status_code == 406


def test_void_lists_layers_and_the_endpoint(live: Any) -> None:
    r = httpx.get(live.url + "/.well-known/void", headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    g = rdflib.Graph().parse(data=r.content, format="turtle")
    ds = rdflib.URIRef(DATASET_IRI)
    assert (ds, RDF.type, VOID.Dataset) in g
    assert (ds, VOID.sparqlEndpoint, rdflib.URIRef(live.sparql)) in g
    subsets = {str(o) for o in g.objects(ds, VOID.subset)}
    assert {graph_iri("academies"), graph_iri("companies"), graph_iri("scratch")} <= subsets
    triples = g.value(rdflib.URIRef(graph_iri("companies")), VOID.triples)
    assert int(triples) == 3 * 1200


def test_void_as_jsonld(live: Any) -> None:
    r = httpx.get(live.url + "/.well-known/void", params={"format": "jsonld"})
    assert r.headers["content-type"].startswith("application/ld+json")
    assert DATASET_IRI in r.text


def test_health(live: Any) -> None:
    r = httpx.get(live.url + "/health")
    body = r.json()
    assert r.status_code == 200 and body["ok"] is True and body["workers"] >= 1
    assert body["generation"]


def test_cors_preflight_and_simple_request(live: Any) -> None:
    origin = "https://example.net"
    pre = httpx.options(live.sparql, headers={
        "Origin": origin, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert pre.status_code == 200
    assert pre.headers["access-control-allow-origin"] == origin
    assert "POST" in pre.headers["access-control-allow-methods"]
    r = httpx.get(live.sparql, params={"query": "SELECT * { ?s ?p ?o }"},
                  headers={"Origin": origin})
    assert r.headers["access-control-allow-origin"] == origin
    assert "X-ITSKG-Truncated" in r.headers["access-control-expose-headers"]
    other = httpx.options(live.sparql, headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
    assert other.status_code == 400


def test_executor_error_shape_for_every_error_kind(live: Any) -> None:
    cases = [
        httpx.get(live.sparql, params={"query": "SELEC"}),
        httpx.get(live.sparql, params={"query": "SELECT * { SERVICE <http://x/> {} }"}),
        httpx.get(live.sparql, params={"query": "ASK {}", "format": "nope"}),
        httpx.put(live.sparql),
        httpx.get(live.url + "/missing"),
    ]
    for r in cases:
        body = r.json()
        assert set(body) == {"ok", "error", "type", "status"}
        assert body["ok"] is False and body["status"] == r.status_code >= 400
        assert r.headers["content-type"] == "application/json"
