"""Network analysis over HTTP has bounds a client cannot raise (issue 12, failure 2).

Before: ``max_nodes`` was the client's choice, ``k`` (sampled betweenness sources) too, and
every new ``seed`` was new work and a new cache entry. Now the tasks run in the worker pool
(its deadline and memory limit), and the route clamps what the client sends.
"""

from __future__ import annotations

import importlib.util
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
                        network_betweenness_samples=3)
    with TestClient(create_app(settings)) as c:
        yield c


def test_a_client_cannot_raise_max_nodes(client: TestClient) -> None:
    r = client.get("/api/network/academy-company", params={"max_nodes": 1_000_000})
    assert r.status_code == 422 and "ITSKG_NETWORK_MAX_NODES" in r.json()["error"]
    assert "max_nodes=5" in r.json()["error"]


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
