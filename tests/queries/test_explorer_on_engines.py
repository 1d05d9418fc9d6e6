"""The explorer gives the same answers on every backend (issue 11: "point every itskg command
and the explorer at a running Virtuoso or Oxigraph server and get the same answers").

One app per backend (``create_app`` on the local fixture store, then on the same graph in an
Oxigraph server and in Virtuoso 7, loaded through itskg's own import path) receives every
request a first visitor's browser makes (the precompute plan, ``api/warmup.plan``: the pages,
every question's answer with its default, form and example parameters, every map indicator at
every level, every network projection's default view and its metric). The JSON answers must be
the same as the local store's, with numbers compared to 6 decimals, JSON lists and GROUP_CONCAT
lists in any order and load times masked; every HTML page must open (200) on every engine.

What it caught: the network views depended on the order the engine returned the rows in (an
undirected edge's ends, and the Louvain communities, which the seeded algorithm computed over
vertices in insertion order); both are now in the order of the node names.
"""

from __future__ import annotations

import json
import re
from collections import deque
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import pytest
from engines import Engine
from fastapi.testclient import TestClient

from itskg.api.app import create_app
from itskg.api.warmup import Visit, plan
from itskg.graph.backends import open_store
from itskg.graph.backends.remote import RemoteStore
from itskg.graph.config import Settings
from itskg.graph.sparql.catalogue import NamedQuery, load_catalog
from itskg.graph.store import Layer

pytestmark = pytest.mark.server
CATALOG = load_catalog()

_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}")
_GENERATION = re.compile(r"\b\d{8}T\d{6}-[0-9a-f]{8}\b")


def _settings(store: Any) -> Settings:
    common = {"query_workers": 1, "lookup_workers": 0, "precompute": False}
    if isinstance(store, RemoteStore):
        ep = store.endpoint
        return Settings(store=ep.query_url, store_update=ep.update_url, store_gsp=ep.gsp_url,
                        store_engine=ep.engine, **common)
    return Settings(store=store.root, **common)


_XSD = "http://www.w3.org/2001/XMLSchema#"
_JSON = ("application/json", "application/sparql-results+json")


def _norm(v: Any) -> Any:
    """A JSON value with volatile parts masked and its order made irrelevant."""
    if isinstance(v, dict):
        if v.get("datatype") in (_XSD + "decimal", _XSD + "double", _XSD + "float"):
            v = {**v, "value": str(round(Decimal(v["value"]), 6).normalize())}
        return {k: _norm(x) for k, x in v.items() if k not in ("generation", "elapsed_ms")}
    if isinstance(v, list):
        return sorted((_norm(x) for x in v), key=lambda x: json.dumps(x, sort_keys=True))
    if isinstance(v, bool) or v is None:
        return v
    if isinstance(v, (int, float)):
        return str(round(Decimal(str(v)), 6).normalize())
    if isinstance(v, str):
        if _DATETIME.match(v):
            return "<datetime>"
        return _GENERATION.sub("<generation>", v)
    return v


def _sort_lists(url: str, data: Any, seps: Callable[[NamedQuery], dict[str, str]]) -> Any:
    """A named query's SPARQL JSON answer with its GROUP_CONCAT lists sorted (SPARQL leaves
    their order to the engine)."""
    name = urlsplit(url).path.rsplit("/", 1)[-1]
    concat = seps(CATALOG[name]) if url.startswith("/api/queries/") else {}
    for row in data.get("results", {}).get("bindings", []) if concat else []:
        for var, sep in concat.items():
            if var in row and row[var].get("value"):
                row[var]["value"] = sep.join(sorted(row[var]["value"].split(sep)))
    return data


def _visit_all(client: TestClient, seps: Callable[[NamedQuery], dict[str, str]]
               ) -> dict[str, tuple[int, str, Any]]:
    """GET every request of the plan (following network views to their metric)."""
    out: dict[str, tuple[int, str, Any]] = {}
    todo: deque[Visit] = deque(plan(("it",)))
    while todo:
        v = todo.popleft()
        r = client.get(v.url)
        kind = r.headers.get("content-type", "").split(";")[0]
        body: Any = r.content
        if kind in _JSON:
            body = _norm(_sort_lists(v.url, r.json(), seps))
        out[v.url] = (r.status_code, kind, body)
        if v.follow is not None and r.status_code == 200:
            todo.extendleft(reversed(v.follow(r.content)))
    return out


@pytest.fixture(scope="module")
def local_answers(catalog_store: Any, concat_separators: Callable[[NamedQuery], dict[str, str]]
                  ) -> Iterator[dict[str, tuple[int, str, Any]]]:
    with TestClient(create_app(_settings(catalog_store))) as c:
        yield _visit_all(c, concat_separators)


def test_the_explorer_answers_alike_on_every_backend(
        backend_store: Any, local_answers: dict[str, tuple[int, str, Any]],
        concat_separators: Callable[[NamedQuery], dict[str, str]]) -> None:
    ok = [u for u, (status, kind, _) in local_answers.items()
          if status == 200 and kind in _JSON]
    assert len(ok) > 100, "the plan should reach the JSON answers of every page"
    assert all(status == 200 for status, kind, _ in local_answers.values()
               if kind == "text/html"), "every page opens on the local store"
    if not isinstance(backend_store, RemoteStore):
        return  # the local store is the reference
    with TestClient(create_app(_settings(backend_store))) as c:
        remote = _visit_all(c, concat_separators)
    assert set(remote) == set(local_answers)
    differ = []
    for url, (status, kind, body) in local_answers.items():
        r_status, r_kind, r_body = remote[url]
        if (status, kind) != (r_status, r_kind):
            differ.append(f"{url}: {status} {kind} locally, {r_status} {r_kind} on the engine: "
                          + (repr(r_body[:300]) if isinstance(r_body, bytes) else str(r_body)))
        elif kind in _JSON and body != r_body:
            differ.append(f"{url}: a different answer")
    assert not differ, "\n".join(differ[:20]) + f"\n({len(differ)} of {len(local_answers)})"


def test_virtuosos_sorted_rows_limit_is_named_when_it_refuses_the_row_cap(
        fixture_graph: tuple[list[Layer], list[str]],
        start_engine: Callable[..., Engine]) -> None:
    """With Virtuoso's default MaxSortedTopRows (10,000), below the LIMIT itskg sends to cap
    answers (ITSKG_MAX_ROWS + 1), every ordered question fails with SR353: the error names
    the two settings; with ITSKG_MAX_ROWS under the limit the same question answers."""
    eng = start_engine("virtuoso", max_sorted_top_rows=10_000)
    layers, rules = fixture_graph
    with open_store(Settings(**eng.settings()), read_only=False) as st:
        st.replace_layers(layers, fresh=True, rules=rules)
    url = "/api/queries/academies_by_region?format=json"
    remote = {**eng.settings(), "query_workers": 1, "lookup_workers": 0, "precompute": False}
    with TestClient(create_app(Settings(**remote))) as c:
        r = c.get(url)
    assert r.status_code >= 500 and "MaxSortedTopRows" in r.json()["error"], r.text
    assert "ITSKG_MAX_ROWS" in r.json()["error"]
    with TestClient(create_app(Settings(**remote, max_rows=5_000))) as c:
        assert c.get(url).status_code == 200
