"""Derived figures through the facade: map indicators, home counts, Linked Data page data.

The figures are read from the catalogue fixture (tests/data/catalog_fixture.ttl): four
academies with seats in ITH5 (two), ITC4 and ITF4; a synthetic company and membership.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from itskg.graph.config import Settings
from itskg.graph.knowledge import KnowledgeGraph
from itskg.graph.reports import describe, indicators
from itskg.graph.reports.readings import Reading
from tests.queries.conftest import build_fixture_store


@pytest.fixture(scope="module")
def kg(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KnowledgeGraph]:
    path: Path = tmp_path_factory.mktemp("readings") / "store"
    build_fixture_store(path).close()
    with KnowledgeGraph(Settings(store=path), workers=0) as graph:
        yield graph


def values(answer: dict[str, Any]) -> dict[str, Any]:
    return {r["key"]: r["value"] for r in answer["regions"]}


def test_region_indicator_has_every_nuts2_unit_trentino_apart(kg: KnowledgeGraph) -> None:
    answer = kg.map_indicator("academies", "region", "en")
    got = values(answer)
    assert list(got) == indicators.ITALIAN_REGIONS and len(got) == 21
    assert {k: v for k, v in got.items() if v} == {"ITC4": 1, "ITF4": 1, "ITH5": 2}
    assert got["ITH1"] == 0 and got["ITH2"] == 0  # Bolzano and Trento, each its own unit
    labels = {r["key"]: r["label"] for r in answer["regions"]}
    assert labels["ITC4"] == "Lombardy" and labels["ITH5"] == "Emilia-Romagna"  # @it fallback
    assert kg.map_indicator("academies", "region", "it")["regions"][3]["label"] == "Lombardia"


def test_no_data_is_not_zero_for_shares_and_s3(kg: KnowledgeGraph) -> None:
    s3 = values(kg.map_indicator("s3_priorities"))
    assert s3["ITH5"] == 3 and s3["ITC4"] is None  # no S3 data for Lombardy in the fixture
    assert values(kg.map_indicator("s3_uncovered"))["ITH5"] == 2
    share = values(kg.map_indicator("digital_share"))
    assert share["ITC4"] == 50.0 and share["ITH5"] == 28.6 and share["ITC1"] is None


def test_province_and_country_levels(kg: KnowledgeGraph) -> None:
    prov = values(kg.map_indicator("members", "province"))
    assert {k: v for k, v in prov.items() if v} == {"ITC4C": 1, "ITF47": 2, "ITH55": 3,
                                                    "ITH58": 1}
    world = kg.map_indicator("mobility_destinations", "country", "en")
    assert {r["key"]: (r["value"], r["iso_numeric"]) for r in world["regions"]} == {
        "DEU": (9, "276"), "ESP": (4, "724")}
    with pytest.raises(KeyError):
        kg.map_indicator("skills", "province")


def test_home_counts_split_real_and_synthetic(kg: KnowledgeGraph) -> None:
    home = kg.home_counts("en")
    rows = {r["iri"].rsplit("#", 1)[-1]: r for r in home["classes"]}
    assert (rows["Company"]["real"], rows["Company"]["synthetic"]) == (6, 1)
    assert (rows["ITSAcademy"]["real"], rows["ITSAcademy"]["synthetic"]) == (4, 0)
    assert home["any_synthetic"] and {lay["id"] for lay in home["layers"]} >= {
        "fixture", "synthetic-fixture"}


def test_async_read_is_the_same_and_answers_are_cached(kg: KnowledgeGraph,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    reading = indicators.indicator_reading("members")
    first = kg.read(reading)
    assert asyncio.run(kg.aread(reading)) == first

    def no_engine(*a: object, **k: object) -> None:
        raise AssertionError("a cached answer went to the engine again")

    monkeypatch.setattr(kg, "sparql", no_engine)
    assert kg.read(reading) == first  # same generation: the answers come from the cache


def test_a_reading_can_continue_with_another(kg: KnowledgeGraph) -> None:
    chained = Reading(("SELECT ?n WHERE { VALUES ?n { 2 } }",),
                      lambda a: Reading(("SELECT ?m WHERE { VALUES ?m { 3 } }",),
                                        lambda b: int(a[0][0]["n"]["value"])
                                        * int(b[0][0]["m"]["value"]), cache=False),
                      cache=False)
    assert kg.read(chained) == 6


def test_resource_page_data(kg: KnowledgeGraph) -> None:
    maker = "https://w3id.org/itskg/id/its/maker"
    page = kg.read(describe.page_reading(maker, "it"))
    assert page["labels"][maker] == "Fondazione ITS Maker"
    seat = "https://w3id.org/itskg/ontology#seatRegion"
    assert page["props"][seat] and not page["truncated"]
    inverse = {r["p"]["value"]: int(r["n"]["value"]) for r in page["inverse"]}
    assert inverse and all(page["samples"][p] for p in inverse)
    assert kg.read(describe.page_reading("https://example.org/nothing", "it")) is None
    region = "http://data.europa.eu/nuts/code/ITH5"
    inv = kg.read(describe.inverse_reading(region, seat, 0, "it"))
    assert maker in inv["subjects"] and not inv["more"]


def test_profiles_and_qualifications_run_in_a_worker_under_the_deadline(
        kg: KnowledgeGraph, monkeypatch: pytest.MonkeyPatch) -> None:
    """Library calls go to a killable worker process (memory-bounded like every worker): a
    broken in-process copy of the call table changes nothing; the deadline stops them with
    a message naming the setting."""
    from itskg.graph import calls
    from itskg.graph.errors import QueryTimeoutError

    def here(*a: object, **k: object) -> None:
        raise AssertionError("ran in the calling process")

    monkeypatch.setattr(calls, "CALLS", {name: here for name in calls.CALLS})
    with KnowledgeGraph(kg.settings, workers=1) as pooled:
        profile = pooled.profile("region", "ITH5", "en")
        assert profile.code == "ITH5"
        quals = pooled.qualifications(region="http://data.europa.eu/nuts/code/ITH5")
        assert quals and len(pooled.check_qualifications(quals)) == len(quals)
    slow = kg.settings.model_copy(update={"query_timeout": 0.001})
    with KnowledgeGraph(slow, workers=1) as pooled, \
            pytest.raises(QueryTimeoutError, match="ITSKG_QUERY_TIMEOUT"):
        pooled.profile("region", "ITH5", "en")
