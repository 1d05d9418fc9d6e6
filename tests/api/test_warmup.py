"""Precompute per generation (issue 10, item 2): what the explorer's pages open with is
computed ahead, kept on disk beside the generation, and served from there after a restart.

The proof that a restarted server did not recompute: ``KnowledgeGraph.answer_counts`` counts
every answer the cache had to compute (a worker request or page data) and every answer it
found on disk; after a restart the whole plan is answered with ``computed == 0``.
"""

from __future__ import annotations

import importlib.util
import shutil
import time
from collections import deque
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from itskg.api.app import create_app
from itskg.api.warmup import Visit, WarmReport, plan, precompute_store
from itskg.graph.config import Settings
from itskg.graph.knowledge import KnowledgeGraph
from itskg.graph.store import Layer

LANGS = ("it",)


def _tiny_ttl() -> str:
    path = Path(__file__).resolve().parents[1] / "graph" / "analysis" / "conftest.py"
    spec = importlib.util.spec_from_file_location("itskg_tests_tiny_ecosystem_warm", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module._ttl()


@pytest.fixture(scope="module")
def store(reference_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A writable copy of the reference store (answers are written beside its generation)."""
    dest = tmp_path_factory.mktemp("warm") / "store"
    shutil.copytree(reference_store, dest)
    return dest


def _settings(store: Path, *, precompute: bool) -> Settings:
    return Settings(store=store, query_workers=1, lookup_workers=0, precompute=precompute)


def _visit_all(client: TestClient, langs: tuple[str, ...] = LANGS) -> dict[str, Any]:
    """GET every request of the plan (following the network views to their metric)."""
    out: dict[str, Any] = {}
    todo: deque[Visit] = deque(plan(langs))
    while todo:
        v = todo.popleft()
        r = client.get(v.url)
        out[v.url] = (r.status_code, r.headers.get("content-type"), r.content)
        if r.status_code < 400 and v.follow is not None:
            todo.extendleft(reversed(v.follow(r.content)))
    return out


def _wait_for_report(client: TestClient, generation: str, limit: float = 240) -> WarmReport:
    start = time.monotonic()
    while time.monotonic() - start < limit:
        rep = client.app.state.precompute_report
        if rep is not None and rep.generation == generation:
            return rep
        time.sleep(0.2)
    raise AssertionError("the background precompute did not finish")


def test_plan_covers_what_pages_open_with() -> None:
    urls = [v.url for v in plan(("it", "en"))]
    assert len(urls) == len(set(urls))
    assert urls[0] == "/?lang=it"
    assert "/api/network/academy-academy?max_nodes=4000" in urls  # the explorer's default
    assert "/api/map/digital_share?level=region&lang=en" in urls
    assert "/api/queries/regional_profile?lang=it&format=json" in urls  # defaults
    assert any(u.startswith("/api/queries/skill_gaps_by_region?region=ITH5") for u in urls)
    assert "/api/network/academy-company?region=ITH5&max_nodes=4000" in urls  # entry point


def test_precomputed_answers_equal_live_ones_and_survive_a_restart(store: Path) -> None:
    # live answers, before anything is precomputed (nothing is written to disk by visitors)
    with TestClient(create_app(_settings(store, precompute=False))) as c:
        live = _visit_all(c)
        kg: KnowledgeGraph = c.app.state.kg
        gen = kg.generation()
        assert gen is not None and kg.precomputed() == 0
        assert kg.answer_counts["computed"] > 100
    ok = [u for u, (status, _, _) in live.items() if status == 200 and u.startswith("/api/")]
    assert len(ok) > 100

    # a server precomputes in the background without delaying its first answers
    with TestClient(create_app(_settings(store, precompute=True))) as c:
        assert c.get("/api/network/projections").status_code == 200
        rep = _wait_for_report(c, gen)
        assert rep.stopped is None and rep.computed > 100
        on_disk = c.app.state.kg.precomputed()
        assert on_disk >= rep.computed

    # restart: the whole plan, in both languages, comes from disk, nothing is computed
    with TestClient(create_app(_settings(store, precompute=True))) as c:
        kg = c.app.state.kg
        again = _visit_all(c)
        for url in ok:
            assert again[url] == live[url], url  # same status, media type and bytes
        assert kg.answer_counts["computed"] == 0, kg.answer_counts
        assert kg.answer_counts["from_disk"] >= len(ok)
        rep = _wait_for_report(c, gen)
        assert rep.computed == 0 and kg.answer_counts["computed"] == 0
    assert (store / "answers" / gen).is_dir()


def test_a_new_generation_gets_its_own_answers(store: Path) -> None:
    settings = _settings(store, precompute=False)
    old = KnowledgeGraph(settings, workers=0).generation()
    assert old is not None
    before = precompute_store(settings, langs=LANGS)  # the CLI's step after a commit
    assert before.generation == old
    with TestClient(create_app(settings)) as c:
        academies = c.get("/api/network/academy-academy?max_nodes=4000").json()
    assert not any(n["id"].endswith("/its/A1") for n in academies["nodes"])

    kg = KnowledgeGraph(settings, workers=0)
    kg.replace_layers([Layer("tiny", "Tiny ecosystem", _tiny_ttl().encode(), format="ttl")])
    new = kg.generation()
    kg.close()
    assert new != old
    report = precompute_store(settings, langs=LANGS)
    assert report.generation == new and report.computed > 50
    assert not (store / "answers" / old).exists()  # the old generation's answers went with it
    with TestClient(create_app(settings)) as c:
        kg2 = c.app.state.kg
        view = c.get("/api/network/academy-academy?max_nodes=4000").json()
        assert kg2.answer_counts["computed"] == 0 and kg2.answer_counts["from_disk"] == 1
    assert any(n["id"].endswith("/its/A1") for n in view["nodes"])  # the new data


def test_a_failing_request_is_skipped_not_fatal(store: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """A request past the deadline is logged and skipped; the others are kept."""
    from itskg.api import warmup

    settings = Settings(store=store, query_workers=1, lookup_workers=0, precompute=False,
                        query_timeout=0.001)
    monkeypatch.setattr(warmup, "plan", lambda langs=LANGS: [
        Visit("/api/queries/regional_profile?lang=it&format=json"),
        Visit("/api/network/projections")])
    gen = KnowledgeGraph(settings, workers=0).generation()
    shutil.rmtree(store / "answers" / str(gen), ignore_errors=True)
    rep = precompute_store(settings, langs=LANGS)
    assert rep.requests == 2 and len(rep.failed) == 1 and "503" in rep.failed[0], rep
