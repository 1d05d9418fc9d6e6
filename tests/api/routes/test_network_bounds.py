"""Network analysis over HTTP has bounds a client cannot raise (issue 12, failure 2).

Before: ``max_nodes`` was the client's choice, ``k`` (sampled betweenness sources) too, and
every new ``seed`` was new work and a new cache entry. Now the tasks run in the worker pool
(its deadline and memory limit), and the route clamps what the client sends.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from itskg.api.app import create_app
from itskg.graph.config import Settings


def _make_store() -> Any:
    path = Path(__file__).resolve().parents[2] / "graph" / "analysis" / "conftest.py"
    spec = importlib.util.spec_from_file_location("itskg_tests_tiny_ecosystem_bounds", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.make_store


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    store = _make_store()(tmp_path_factory.mktemp("netbounds") / "store")
    settings = Settings(store=store, query_workers=1, lookup_workers=0, network_max_nodes=5,
                        network_max_edges=2, network_betweenness_samples=3)
    with TestClient(create_app(settings)) as c:
        yield c


def test_a_client_cannot_raise_max_nodes(client: TestClient) -> None:
    """Above the server's cap a view is thinned (issue 10): the most connected nodes, the
    heaviest edges, with the whole graph's totals and the rule stated in the payload; the
    export is never thinned."""
    g = client.get("/api/network/academy-company/export", params={"format": "csv"})
    z = zipfile.ZipFile(io.BytesIO(g.content))
    all_nodes = len(z.read("nodes.csv").decode().strip().splitlines()) - 1
    all_edges = len(z.read("edges.csv").decode().strip().splitlines()) - 1
    assert all_nodes == 12 and all_edges > 2  # the whole graph, above both caps

    r = client.get("/api/network/academy-company", params={"max_nodes": 1_000_000})
    assert r.status_code == 200, r.text
    body = r.json()
    assert len(body["nodes"]) == 5 and body["total_nodes"] == all_nodes
    assert len(body["edges"]) <= 2 and body["total_edges"] == all_edges
    assert body["thinned"]["caps"] == {"nodes": 5, "edges": 2}
    assert body["thinned"]["nodes"] == {"kept": 5, "of": 12,
                                        "by": "weighted degree (the most connected first)"}
    assert body["thinned"]["edges"]["of"] == all_edges
    assert body["thinned"]["edges"]["kept"] == len(body["edges"])
    assert body["summary"]["nodes"] == 12  # the summary is of the whole projection
    # the kept nodes are the most connected ones of the whole graph
    full = client.get("/api/network/academy-company/degree", params={"top": 1000}).json()
    assert full["total"] == 12 and len(full["rows"]) == 5  # top is clamped to the cap too
    shown = {n["id"] for n in body["nodes"]}
    assert max(full["rows"], key=lambda x: x["value"])["node"] in shown


def test_a_dense_view_keeps_the_heaviest_edges(client: TestClient) -> None:
    g = client.get("/api/network/academy-academy/export", params={"format": "csv"})
    rows = list(csv.DictReader(io.StringIO(
        zipfile.ZipFile(io.BytesIO(g.content)).read("edges.csv").decode())))
    body = client.get("/api/network/academy-academy").json()  # 4 academies: under the node cap
    assert body["total_edges"] == len(rows) > 2 and len(body["edges"]) == 2
    assert body["thinned"]["nodes"]["kept"] == body["total_nodes"] == len(body["nodes"])
    assert body["thinned"]["edges"] == {"kept": 2, "of": len(rows),
                                        "by": "weight (the heaviest first)"}
    heaviest = sorted((int(r["weight"]) for r in rows), reverse=True)[:2]
    assert sorted((e["weight"] for e in body["edges"]), reverse=True) == heaviest


def test_betweenness_samples_are_capped_and_seeds_do_not_multiply_work(
        client: TestClient) -> None:
    kg = client.app.state.kg
    first = client.get("/api/network/academy-company/betweenness",
                       params={"k": 10_000, "seed": 1, "top": 5})
    assert first.status_code == 200, first.text
    assert first.json()["params"]["k"] == 3
    cached = len(kg._cache)
    for seed in range(2, 12):
        r = client.get("/api/network/academy-company/betweenness",
                       params={"k": 10_000, "seed": seed, "top": 5})
        assert r.json()["rows"] == first.json()["rows"]
    assert len(kg._cache) == cached  # ten seeds, no new work and no new entry
