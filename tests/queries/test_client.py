"""The pandas client: typed DataFrames from a local store and from a SPARQL endpoint."""

from __future__ import annotations

import pandas as pd
import pytest
from fastapi import FastAPI, Form
from fastapi.responses import Response
from fastapi.testclient import TestClient

from itskg.graph.client import Client, iri
from itskg.graph.errors import QueryParameterError
from itskg.graph.store import KnowledgeStore


@pytest.fixture(scope="module")
def local(catalog_store: KnowledgeStore) -> Client:
    c = Client(catalog_store.root)
    yield c
    c.close()


def test_named_query_typed_columns(local: Client) -> None:
    df = local.run("companies_in_several_regions", lang="en")
    assert list(df["regions"]) == [3, 2] and str(df["regions"].dtype) == "Int64"
    assert df["company"].iloc[0] == "https://w3id.org/itskg/id/company/softco"
    rate = local.run("employment_rate_by_area_region", year="2023", region="ITF4")
    assert rate["rate"].dtype == "float64" and rate["rate"].round(4).tolist() == [0.6667] * 2
    assert str(rate["belowNational"].dtype) == "boolean" and rate["belowNational"].all()
    assert str(rate["year"].dtype) == "Int64" and rate["year"].iloc[0] == 2023
    members = local.run("members_by_academy", academy="0QBSMAW1")
    assert pd.api.types.is_datetime64_any_dtype(members["start"])
    assert members["end"].notna().sum() == 1
    assert members["end"].dropna().iloc[0] == pd.Timestamp("2023-06-30")


def test_query_with_bindings(local: Client) -> None:
    df = local.query(
        "PREFIX itskg: <https://w3id.org/itskg/ontology#> "
        "SELECT ?its ?region WHERE { ?its itskg:seatRegion ?region } ORDER BY ?its",
        region=iri("http://data.europa.eu/nuts/code/ITH5"))
    assert df["its"].str.rsplit("/", n=1).str[-1].tolist() == ["0QBSMAW1", "maker"]
    with pytest.raises(QueryParameterError):
        local.run("academies_by_region", region="not a code")


def _endpoint(store: KnowledgeStore) -> TestClient:
    """A minimal real SPARQL 1.1 endpoint (POST form) over the fixture store."""
    app = FastAPI()

    @app.post("/sparql")
    def sparql(query: str = Form(...)) -> Response:
        return Response(store.query(query).serialize("json") or b"",
                        media_type="application/sparql-results+json")

    return TestClient(app)


def test_remote_endpoint_gives_the_same_frame(local: Client, catalog_store: KnowledgeStore) -> None:
    remote = Client("http://testserver/sparql", http_client=_endpoint(catalog_store))
    for name, params in [("skill_gaps_by_region", {"region": "ITH5"}),
                         ("employment_rate_by_area_region", {"year": "2023"}),
                         ("members_by_academy", {"academy": "maker"})]:
        a = local.run(name, lang="en", **params)
        b = remote.run(name, lang="en", **params)
        pd.testing.assert_frame_equal(a, b)
    assert remote.query("ASK { ?s ?p ?o }")["result"].tolist() == [True]
