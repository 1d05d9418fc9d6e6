"""Accept parsing (itskg.graph.answers) and the protocol's format choice (itskg.api.formats)."""

from __future__ import annotations

import pytest

from itskg.api.formats import choose_format
from itskg.api.http_errors import NotAcceptableError
from itskg.graph.answers import GRAPH_OFFERS, RESULT_OFFERS, negotiate, parse_accept


def test_parse_accept_reads_q_and_skips_garbage() -> None:
    ranges = parse_accept("text/csv;q=0.4, garbage, application/json;charset=utf-8, a/b;q=x")
    assert [(r.type, r.subtype, r.q) for r in ranges] == [
        ("text", "csv", 0.4), ("application", "json", 1.0)]


@pytest.mark.parametrize(("accept", "expected"), [
    (None, "json"),
    ("", "json"),
    ("*/*", "json"),
    ("text/csv", "csv"),
    ("text/*", "csv"),
    ("text/*, text/tab-separated-values;q=0.9", "csv"),
    ("text/*;q=0.5, text/tab-separated-values", "tsv"),
    ("application/sparql-results+xml;q=0.9, application/sparql-results+json;q=0.9", "json"),
    ("text/csv;q=0, text/*", "tsv"),
    ("image/png", None),
    ("text/csv;q=0", None),
])
def test_negotiate_results(accept: str | None, expected: str | None) -> None:
    assert negotiate(accept, RESULT_OFFERS) == expected


def test_negotiate_graphs_prefers_turtle() -> None:
    assert negotiate("*/*", GRAPH_OFFERS) == "turtle"
    assert negotiate("application/json", GRAPH_OFFERS) == "jsonld"


def test_format_parameter_aliases_depend_on_query_kind() -> None:
    assert choose_format(False, "text/turtle", "xml") == "xml"
    assert choose_format(True, None, "xml") == "rdfxml"
    assert choose_format(True, None, "json") == "jsonld"
    assert choose_format(False, None, "application/sparql-results+json") == "json"
    with pytest.raises(NotAcceptableError, match="turtle"):
        choose_format(False, None, "turtle")
    with pytest.raises(NotAcceptableError, match="text/turtle"):
        choose_format(True, "text/csv", None)
