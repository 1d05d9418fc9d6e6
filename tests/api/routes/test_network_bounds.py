"""Network analysis over HTTP has bounds a client cannot raise (issue 12, failure 2).

Before: ``max_nodes`` was the client's choice, ``k`` (sampled betweenness sources) too, every
``seed`` was new work and nothing capped concurrent analyses.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from itskg.api.http_errors import install_error_handlers
from itskg.api.routes.network import register
from itskg.graph.config import Settings


def _make_store() -> Any:
    path = Path(__file__).resolve().parents[2] / "graph" / "analysis" / "conftest.py"
    spec = importlib.util.spec_from_file_location("itskg_tests_tiny_ecosystem_bounds", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.make_store


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _make_store()(tmp_path_factory.mktemp("netbounds") / "store")


def _client(store: Path, **settings: Any) -> TestClient:
    app = FastAPI()
    app.state.settings = Settings(store=store, **settings)
    install_error_handlers(app)
    register(app)
    return TestClient(app)


def test_a_client_cannot_raise_max_nodes(store: Path) -> None:
    c = _client(store, network_max_nodes=5)
    r = c.get("/api/network/academy-company", params={"max_nodes": 1_000_000})
    assert r.status_code == 422 and "ITSKG_NETWORK_MAX_NODES" in r.json()["error"]
    r = c.get("/api/network/academy-company/degree")
    assert r.status_code == 422 and "ITSKG_NETWORK_MAX_NODES" in r.json()["error"]
    assert _client(store).get("/api/network/academy-company").status_code == 200


def test_betweenness_samples_are_capped_and_seeds_do_not_multiply_work(store: Path) -> None:
    c = _client(store, network_betweenness_samples=3)
    first = c.get("/api/network/academy-company/betweenness",
                  params={"k": 10_000, "seed": 1, "top": 5})
    assert first.status_code == 200, first.text
    assert first.json()["params"]["k"] == 3
    for seed in range(2, 12):
        r = c.get("/api/network/academy-company/betweenness",
                  params={"k": 10_000, "seed": seed, "top": 5})
        assert r.json()["rows"] == first.json()["rows"]
    assert len(c.app.state.network_metric_cache) == 1


def test_analyses_beyond_the_concurrency_cap_get_503(store: Path) -> None:
    c = _client(store, network_concurrency=1, query_timeout=0.2)
    assert c.get("/api/network/academy-company/degree").status_code == 200
    c.app.state.network_slots.acquire()  # one analysis in flight
    try:
        r = c.get("/api/network/academy-company/pagerank")
        assert r.status_code == 503 and "ITSKG_NETWORK_CONCURRENCY" in r.json()["error"]
    finally:
        c.app.state.network_slots.release()
