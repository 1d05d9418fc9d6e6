"""Europass-ready qualifications: derivation, ELM JSON-LD, completeness by the official shapes.

Runs on the shared test site store (reference layer, an ESCO subset and a synthetic ecosystem)
and the unchanged LOQ shapes from ../shared/data/elm.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import Graph

from itskg.graph.elm import (
    check_qualifications,
    derive_qualifications,
    elm_files,
    qualification_jsonld,
)
from itskg.graph.elm.loq import loq_shapes
from itskg.graph.errors import ConfigError, ElmError
from itskg.graph.store import KnowledgeStore
from tests.web.site import build_site_store

QDR = "http://data.europa.eu/snb/qdr/"
# Test values only: itskg's sources hold no QDR IRI for the Italian NQF (QNQ) levels.
NQF = {"5": QDR + "c_test_qnq5", "6": QDR + "c_test_qnq6"}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeStore:
    path = build_site_store(tmp_path_factory.getbasetemp() / "web-site" / "store")
    with KnowledgeStore.open(path) as st:
        yield st


@pytest.fixture(scope="module")
def region(store: KnowledgeStore) -> str:
    """The region with most courses in the small synthetic ecosystem."""
    rows = store.select("SELECT ?r (COUNT(?c) AS ?n) WHERE { ?c a itskg:Course ; "
                        "elm:providedBy/itskg:seatRegion ?r } GROUP BY ?r ORDER BY DESC(?n) "
                        "LIMIT 1")
    return rows[0]["r"].value  # type: ignore[union-attr]


@pytest.fixture
def quals(store: KnowledgeStore, region: str) -> list:
    qs = derive_qualifications(store, region=region)
    assert qs
    return qs


def test_qualifications_are_derived_from_synthetic_courses_and_marked(quals: list) -> None:
    q = quals[0]
    assert q.synthetic and "/id/synthetic/qualification/" in q.iri
    assert q.title["it"] and "(" not in q.title["it"][-6:], "cohort years stripped"
    assert q.eqf in {"http://data.europa.eu/snb/eqf/5", "http://data.europa.eu/snb/eqf/6"}
    assert q.isced, "ISCED-F field from the area crosswalk"
    assert all(s.startswith("http://data.europa.eu/esco/skill/") for s, _ in q.outcomes)
    doc = qualification_jsonld(q)
    text = json.dumps(doc)
    assert "Synthetic" in text and "elm:additionalNote" in text


def test_incomplete_qualification_report_names_what_the_shapes_find_missing(
        quals: list) -> None:
    reports = check_qualifications(quals[:3])
    for r in reports:
        assert not r.complete
        assert "NQF level" in r.missing  # no source holds the Italian NQF IRIs
    bare = quals[0]
    bare.outcomes, bare.isced = [], []
    r = check_qualifications([bare])[0]
    assert {"NQF level", "learning outcome", "thematic area"} <= set(r.missing), r.missing
    assert all(f.problem == "missing" for f in r.findings)


def test_export_of_complete_qualification_conforms_to_official_loq_shapes(
        store: KnowledgeStore, region: str) -> None:
    from pyshacl import validate

    qs = derive_qualifications(store, region=region, nqf_levels=NQF)
    report = check_qualifications(qs[:2])
    assert all(r.complete for r in report), [r.missing for r in report]
    # Round trip: the JSON-LD document itself, parsed back, conforms to the unchanged shapes.
    data = Graph().parse(data=json.dumps(qualification_jsonld(qs[0])), format="json-ld")
    conforms, _, text = validate(data, shacl_graph=loq_shapes(), inference="none")
    assert conforms, text
    assert len(data) > 30


def test_unknown_inputs_and_missing_shapes_fail_clearly(store: KnowledgeStore,
                                                        tmp_path: Path) -> None:
    from itskg.graph.elm.lookup import find_qualification, nqf_option, region_iri

    with pytest.raises(ElmError, match="NUTS code"):
        region_iri("Emilia")
    with pytest.raises(ElmError, match="QDR|Qualification Dataset Register"):
        nqf_option(["5=http://example.org/x"])
    with pytest.raises(ElmError, match="No qualification|No ITS course"):
        find_qualification(store, "0QBSMAW1-000000000000")
    with pytest.raises(ConfigError, match="ELM 3.1"):
        elm_files(tmp_path)
