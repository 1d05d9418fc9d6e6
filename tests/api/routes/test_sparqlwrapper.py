"""A standard SPARQL client (SPARQLWrapper) against the real server: JSON, XML, CSV, Turtle."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from conftest import BACKENDS
from SPARQLWrapper import CSV, JSON, POST, TURTLE, XML, SPARQLWrapper

pytestmark = pytest.mark.server


@pytest.fixture(scope="module", params=BACKENDS)
def live(request: pytest.FixtureRequest, live_on: Callable[[str], Any]) -> Any:
    """The same server in front of each backend: local store, Oxigraph server, Virtuoso."""
    return live_on(request.param)


EX = "http://example.org/"
Q = f"SELECT ?s ?rank WHERE {{ ?s <{EX}rank> ?rank }} ORDER BY ?rank LIMIT 3"


def client(live: Any, fmt: str, method: str = "GET") -> SPARQLWrapper:
    sw = SPARQLWrapper(live.sparql)
    sw.setReturnFormat(fmt)
    sw.setMethod(method)
    return sw


@pytest.mark.parametrize("method", ["GET", POST])
def test_json_select(live: Any, method: str) -> None:
    sw = client(live, JSON, method)
    sw.setQuery(Q)
    res = sw.query().convert()
    assert [b["rank"]["value"] for b in res["results"]["bindings"]] == ["0", "1", "2"]
    assert res["results"]["bindings"][0]["rank"]["datatype"].endswith("#integer")


def test_xml_select(live: Any) -> None:
    sw = client(live, XML)
    sw.setQuery(Q)
    doc = sw.query().convert()  # xml.dom.minidom document
    assert [u.firstChild.data for u in doc.getElementsByTagName("uri")] == [
        f"{EX}academy/0", f"{EX}academy/1", f"{EX}academy/2"]


def test_csv_select(live: Any) -> None:
    sw = client(live, CSV)
    sw.setQuery(Q)
    rows = list(csv.reader(io.StringIO(sw.query().convert().decode())))
    assert rows == [["s", "rank"], [f"{EX}academy/0", "0"], [f"{EX}academy/1", "1"],
                    [f"{EX}academy/2", "2"]]


def test_ask(live: Any) -> None:
    sw = client(live, JSON)
    sw.setQuery(f"ASK {{ <{EX}academy/1> ?p ?o }}")
    assert sw.query().convert()["boolean"] is True


def test_construct_as_turtle(live: Any) -> None:
    sw = client(live, TURTLE)
    sw.setQuery(f"CONSTRUCT WHERE {{ <{EX}academy/5> ?p ?o }}")
    ret = sw.query()
    assert ret.response.headers["Content-Type"].startswith("text/turtle")
    import rdflib

    g = rdflib.Graph().parse(data=ret.convert(), format="turtle")
    assert len(g) == 3


def test_bad_query_raises_query_bad_formed(live: Any) -> None:
    from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

    sw = client(live, JSON)
    sw.setQuery("SELECT * WHERE { ?s ?p }")
    with pytest.raises(QueryBadFormed, match="syntax"):
        sw.query()
