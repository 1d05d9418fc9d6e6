"""Declared projections: every shipped file parses; directives are checked and filled safely."""

from __future__ import annotations

import pytest

from itskg.graph.analysis.codelists import vocabulary
from itskg.graph.analysis.extract import Filters, build_graph, render_query
from itskg.graph.analysis.projections import _parse, get_projection, load_projections
from itskg.graph.errors import AnalysisError

REQUIRED = {"ecosystem", "academy-company", "academy-academy", "company-company",
            "region-region", "academy-skill", "skill-skill", "mobility"}


def test_shipped_projections_parse_and_cover_the_issue() -> None:
    projections = load_projections()
    assert REQUIRED <= set(projections)
    assert get_projection("academy-academy").base().name == "academy-company"
    assert get_projection("skill-skill").onto == ("skill",)
    for p in projections.values():
        assert p.title["en"] and p.title["it"] and p.description["en"]
        assert p.to_json()["filters"] == list(p.supported_filters())


def test_unknown_projection_lists_known_ones() -> None:
    with pytest.raises(AnalysisError, match="academy-company"):
        get_projection("nope")


def _doc(nodes: str) -> dict:
    return {"name": "t", "nodes": nodes, "edges": "SELECT ?source ?target {}",
            "filters": {"region": ["x"]}}


def test_bad_directive_is_refused_with_its_line() -> None:
    with pytest.raises(AnalysisError, match="bad filter directive"):
        _parse(_doc("SELECT ?node {\n #@region ?node <http://x> }\n"), "t.yaml")
    with pytest.raises(AnalysisError, match="differ"):
        _parse(_doc("SELECT ?node { }"), "t.yaml")
    with pytest.raises(AnalysisError, match="takes no property path"):
        _parse({**_doc("SELECT ?node {\n #@year ?y skos:broader\n}"),
                "filters": {"year": ["edges"]}}, "t.yaml")


def test_filters_become_iri_lists_never_user_text(tiny) -> None:
    vocab = vocabulary(tiny)
    q = render_query("SELECT * {\n  #@region ?n itskg:seatRegion\n  #@year ?y\n  #@real ?n\n}",
                     Filters(regions=("Emilia-Romagna",), year=2023, real_only=True), vocab)
    assert "<http://data.europa.eu/nuts/code/ITH5>" in q
    assert "<http://data.europa.eu/nuts/code/ITH55>" in q  # narrower concepts included
    assert "VALUES ?y { 2023 }" in q and "FILTER NOT EXISTS" in q
    assert "Emilia" not in q.split("SELECT", 1)[1]
    inactive = render_query("SELECT * {\n  #@region ?n itskg:seatRegion\n}", Filters(), vocab)
    assert "#@region" in inactive


def test_hostile_or_unknown_filter_values_are_refused_with_suggestions(tiny) -> None:
    with pytest.raises(AnalysisError, match="Unknown region"):
        build_graph(tiny, "academy-company", Filters(regions=('ITH5> } ; DROP ALL #',)))
    with pytest.raises(AnalysisError, match="Did you mean: Emilia-Romagna"):
        build_graph(tiny, "academy-company", Filters(regions=("Emilia Romagna",)))
    with pytest.raises(AnalysisError, match="cannot be filtered by sector"):
        build_graph(tiny, "academy-skill", Filters(sectors=("C",)))
    with pytest.raises(AnalysisError, match="out of range"):
        build_graph(tiny, "mobility", Filters(year=20233))
