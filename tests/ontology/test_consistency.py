"""HermiT (owlready2) consistency of the TBox with the sample ABox, and a planted clash."""

from __future__ import annotations

import shutil

import pytest

from itskg.graph.consistency import check_consistency, hermit_input
from itskg.graph.errors import ConfigError

needs_java = pytest.mark.skipif(shutil.which("java") is None, reason="HermiT needs Java")

ITSKG = "https://w3id.org/itskg/ontology#"


@needs_java
def test_tbox_and_sample_are_consistent_and_classified(sample_ttl) -> None:
    r = check_consistency(sample_ttl.read_bytes())
    assert r.consistent, r.message
    assert r.message.startswith("consistent")
    skill = "http://data.europa.eu/esco/skill/"
    assert r.inferred[skill + "sample-digital-1"] == [ITSKG + "DigitalSkill"]
    assert r.inferred[skill + "sample-transversal-2"] == [ITSKG + "TransversalSkill"]
    assert ITSKG + "Organisation" in r.inferred["https://w3id.org/itskg/id/its/SAMPLE1"]
    assert skill + "sample-untyped" not in r.inferred


@needs_java
def test_company_that_is_also_an_academy_is_inconsistent(sample_ttl) -> None:
    bad = sample_ttl.read_bytes() + (
        b"\n<https://w3id.org/itskg/id/company/IT01234567890> a "
        b"<https://w3id.org/itskg/ontology#ITSAcademy> .\n")
    r = check_consistency(bad)
    assert not r.consistent
    assert "IT01234567890> is both" in r.message and "declared disjoint" in r.message


@needs_java
def test_hermit_input_drops_unsupported_literals_and_qb_punning(sample_ttl) -> None:
    g = hermit_input(sample_ttl.read_bytes())
    text = g.serialize(format="nt")
    assert "XMLSchema#gYear" not in text and "XMLSchema#date>" not in text
    assert "http://purl.org/linked-data/cube#DimensionProperty" not in text
    assert "http://purl.org/linked-data/cube#Observation" in text  # alignment kept


def test_without_the_reasoning_extra_the_error_says_how_to_install_it(monkeypatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "owlready2", None)  # import owlready2 -> ImportError
    monkeypatch.setattr(shutil, "which", lambda _name: "/usr/bin/java")
    with pytest.raises(ConfigError, match=r"itskg\[reasoning\]"):
        check_consistency(None)
