"""The pandas client: typed DataFrames from a local store and from every remote backend."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pandas as pd
import pytest
from engines import Engine

from itskg.graph.client import Client, iri
from itskg.graph.config import Settings
from itskg.graph.errors import QueryParameterError, StoreError
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


def _client_of(store: Any) -> Client:
    """A client on the same graph as ``store``: its directory or its engine's URL."""
    if isinstance(store, KnowledgeStore):
        return Client(store.root)
    return Client(store.endpoint.query_url,
                  settings=Settings(store_engine=store.client.detect()))


def test_every_backend_gives_the_same_frame(local: Client, backend_store: Any) -> None:
    """The client reads an engine through the store backends (RemoteStore): the same typed
    frames as from the local store, booleans included (Virtuoso writes them 1/0)."""
    with _client_of(backend_store) as remote:
        for name, params in [("skill_gaps_by_region", {"region": "ITH5"}),
                             ("employment_rate_by_area_region", {"year": "2023"}),
                             ("members_by_academy", {"academy": "maker"}),
                             ("skills_taught_by_academy", {})]:
            a = local.run(name, lang="en", **params)
            b = remote.run(name, lang="en", **params)
            pd.testing.assert_frame_equal(a, b)
        assert remote.query("ASK { ?s ?p ?o }")["result"].tolist() == [True]
        with pytest.raises(QueryParameterError, match="no such concept"):
            remote.run("academies_by_region", region="ITZ9")


def test_any_sparql_endpoint_is_read_as_it_is(start_engine: Callable[[str], Engine]) -> None:
    """An endpoint that holds no itskg graph is still read (its own dataset)."""
    eng = start_engine("oxigraph")
    httpx.post(eng.update_url, data={"update": 'INSERT DATA { <http://example.org/a> '
                                     '<http://example.org/n> 42 }'}).raise_for_status()
    with Client(eng.query_url, timeout=10) as c:
        df = c.query("SELECT ?s ?n WHERE { ?s <http://example.org/n> ?n }")
        assert df["n"].tolist() == [42] and str(df["n"].dtype) == "Int64"
        df = c.query("SELECT ?s WHERE { ?s ?p ?n }", n=42)
        assert df["s"].tolist() == ["http://example.org/a"]


def test_unreachable_endpoint_is_a_clear_error() -> None:
    from engines import free_port

    with pytest.raises(StoreError, match="Cannot reach"):
        Client(f"http://127.0.0.1:{free_port()}/sparql", timeout=2)
