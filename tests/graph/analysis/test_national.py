"""On the national-bench synthetic store at /tmp/stn if it exists (skipped elsewhere, e.g. CI)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from itskg.graph.analysis.extract import Filters, build_graph
from itskg.graph.analysis.metrics import run_metric
from itskg.graph.store import KnowledgeStore

STN = Path("/tmp/stn")


@pytest.fixture(scope="module")
def national():
    if not (STN / "CURRENT").exists():
        pytest.skip("national synthetic store /tmp/stn not built")
    with KnowledgeStore.open(STN) as st:
        yield st


def test_mobility_destinations_and_regional_academy_communities(national) -> None:
    t = time.perf_counter()
    M = build_graph(national, "mobility", Filters(year=2023))
    top = run_metric(M, "in-strength").rows[0]
    assert "/country/" in top.node and top.value > 0
    P = build_graph(national, "academy-academy", Filters(regions=("ITH5", "ITC4")))
    res = run_metric(P, "communities")
    assert res.summary["communities"] >= 1 and "alignment_region" in res.summary
    assert time.perf_counter() - t < 60
