"""HTTP routes /api/network/... and the `itskg network` command, on the tiny ecosystem."""

from __future__ import annotations

import importlib.util
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
import typer
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from itskg.api.app import create_app
from itskg.api.cli.network_command import network
from itskg.graph.config import Settings


def _load_tiny() -> Any:
    path = Path(__file__).resolve().parents[2] / "graph" / "analysis" / "conftest.py"
    spec = importlib.util.spec_from_file_location("itskg_tests_tiny_ecosystem", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_store = _load_tiny().make_store

CO = "https://w3id.org/itskg/id/company/"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_store(tmp_path_factory.mktemp("netapi") / "store")


@pytest.fixture(scope="module")
def client(store: Path):
    with TestClient(create_app(Settings(store=store, query_workers=1))) as c:
        yield c


def test_lists_projections_and_metrics(client: TestClient) -> None:
    names = {p["name"] for p in client.get("/api/network/projections").json()}
    assert {"academy-company", "academy-academy", "mobility"} <= names
    metrics = {m["name"]: m for m in client.get("/api/network/metrics").json()}
    assert "Policy reading" in metrics["betweenness"]["description"]


def test_graph_view_json(client: TestClient) -> None:
    r = client.get("/api/network/academy-academy")
    assert r.status_code == 200
    body = r.json()
    assert {n["id"].rsplit("/", 1)[-1] for n in body["nodes"]} == {"A1", "A2", "A3", "A4"}
    assert {e["weight"] for e in body["edges"]} == {1, 3}
    assert len(body["communities"]) == 2 and body["summary"]["nodes"] == 4
    assert all("community" in n and "label" in n and "kind" in n for n in body["nodes"])
    filtered = client.get("/api/network/academy-company", params={"region": "ITH5"}).json()
    assert filtered["summary"]["nodes"] == 7


def test_ranked_metric_with_params_and_top(client: TestClient) -> None:
    r = client.get("/api/network/academy-company/betweenness", params={"top": 3, "k": 12})
    body = r.json()
    assert r.status_code == 200 and len(body["rows"]) == 3 and body["total"] == 12
    assert body["params"] == {"k": 12}
    rec = client.get("/api/network/academy-skill/recommend", params={"target": "ITH5"}).json()
    assert rec["rows"][0]["node"].endswith("/A4")


def test_exports_download(client: TestClient) -> None:
    r = client.get("/api/network/academy-company/export", params={"format": "graphml"})
    assert r.status_code == 200 and "graphml" in r.headers["content-type"]
    G = nx.read_graphml(io.BytesIO(r.content))
    assert G.number_of_nodes() == 12
    z = client.get("/api/network/academy-company/export", params={"format": "csv"})
    assert set(zipfile.ZipFile(io.BytesIO(z.content)).namelist()) == {"nodes.csv", "edges.csv"}


def test_errors_are_clear(client: TestClient) -> None:
    big = client.get("/api/network/academy-company", params={"max_nodes": 5})
    assert big.status_code == 422 and "max_nodes=5" in big.json()["error"]
    assert client.get("/api/network/nope").status_code == 422
    bad = client.get("/api/network/academy-company/degree", params={"region": "Atlantis"})
    assert bad.status_code == 422 and "Unknown region" in bad.json()["error"]
    assert "Known metrics" in client.get("/api/network/academy-company/x").json()["error"]


def _cli() -> typer.Typer:
    app = typer.Typer(add_completion=False)
    app.command()(network)
    return app


def test_cli_metric_export_and_write_back(store: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(_cli(), ["brokerage", "--projection", "academy-company", "--store",
                                 str(store), "--format", "json", "--top", "5"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    assert {r["node"] for r in rows} >= {CO + "b1"}
    out = tmp_path / "net.gexf"
    res = runner.invoke(_cli(), ["export", "-p", "academy-academy", "--format", "gexf",
                                 "--output", str(out), "--store", str(store)])
    assert res.exit_code == 0 and nx.read_gexf(out).number_of_edges() == 3
    bad = runner.invoke(_cli(), ["degree", "--region", "Atlantis", "--store", str(store)])
    assert bad.exit_code == 8 and "Unknown region" in bad.output


def test_cli_write_back(tmp_path: Path) -> None:
    root = make_store(tmp_path / "store")
    res = CliRunner().invoke(_cli(), ["pagerank", "-p", "academy-academy", "--write-back",
                                      "--store", str(root), "--format", "csv"])
    assert res.exit_code == 0, res.output
    assert "network-academy-academy-pagerank" in res.output


def test_cli_network_work_runs_in_a_worker_under_the_deadline(
        store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The command sends its work to a killable worker process (like the HTTP routes): a
    broken in-process task runner changes nothing, and the deadline stops it with one line
    naming the setting."""
    from itskg.graph.analysis import tasks

    def in_process(*a: object, **k: object) -> None:
        raise AssertionError("network work ran in the CLI process")

    monkeypatch.setattr(tasks, "run_task", in_process)
    ok = CliRunner().invoke(_cli(), ["degree", "-p", "academy-academy", "--store", str(store),
                                     "--format", "json"])
    assert ok.exit_code == 0, ok.output
    monkeypatch.setenv("ITSKG_QUERY_TIMEOUT", "0.001")
    slow = CliRunner().invoke(_cli(), ["betweenness", "-p", "academy-company", "--store",
                                       str(store)])
    assert slow.exit_code != 0
    assert "ITSKG_QUERY_TIMEOUT" in slow.output and "Network analysis" in slow.output
