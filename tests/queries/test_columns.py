"""Every result column of every named query has an Italian and an English heading.

The headings live in each .rq file's ``#+ columns:`` header; the explorer, labelled CSV and
queries/README.md use them. The projection is read by rdflib's SPARQL parser, not a regex.
"""

from __future__ import annotations

import pytest

from itskg.graph.errors import DataError
from itskg.graph.sparql import catalogue as catalog

QUERIES = [q for q in catalog.load_catalog().values() if q.kind == "select"]


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: q.name)
def test_every_projected_variable_has_it_en_heading(query: catalog.NamedQuery) -> None:
    projected = catalog.projected_variables(query)
    assert projected, f"{query.name}: no projected variables found"
    missing = [v for v in projected if v != "lang" and query.column(v) is None]
    assert not missing, f"queries/{query.name}.rq: add '#+ columns:' headings for {missing}"
    declared = {c.name for c in query.columns}
    extra = declared - set(projected)
    assert not extra, f"queries/{query.name}.rq: columns {sorted(extra)} are not projected"
    for v in projected:
        label = query.column(v).label  # type: ignore[union-attr]
        assert label["it"].strip() and label["en"].strip()


def test_group_concat_columns_are_lists_and_percent_format_parsed() -> None:
    q = catalog.get_query("academies_by_region")
    assert q.column("areas").list_separator == ", "  # type: ignore[union-attr]
    assert q.column("academy").list_separator is None  # type: ignore[union-attr]
    assert catalog.get_query("skill_profile_by_academy").column(
        "digitalShare").format == "percent"  # type: ignore[union-attr]
    assert q.heading("regionLabel", "en") == "Region name"
    assert q.heading("regionLabel", "it") == "Nome della regione"


def test_bad_column_headers_are_refused_with_the_file_named() -> None:
    head = "#+ name: t\n#+ title: {it: a, en: b}\n#+ description: {it: a, en: b}\n"
    body = "SELECT ?x WHERE { ?x ?p ?o }"
    with pytest.raises(DataError) as err:
        catalog.parse_query_text("t", head + "#+ columns: {y: {it: a, en: b}}\n" + body)
    assert "queries/t.rq" in str(err.value.problems[0]) or "y" in str(err.value)
    with pytest.raises(DataError):
        catalog.parse_query_text("t", head + "#+ columns: {x: {it: a}}\n" + body)
    with pytest.raises(DataError):
        catalog.parse_query_text("t", head + "#+ columns: {x: {it: a, en: b, format: pct}}\n"
                                 + body)
    ok = catalog.parse_query_text("t", head + "#+ columns: {x: {it: a, en: b}}\n" + body)
    assert ok.heading("x", "en") == "b"
