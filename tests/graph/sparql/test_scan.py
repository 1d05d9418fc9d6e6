"""The one SPARQL tokenizer and every scan built on it (store, executor, catalogue, VALUES)."""

from __future__ import annotations

import pytest

from itskg.graph.errors import DataError, QueryParameterError
from itskg.graph.sparql.catalogue import parse_query_text
from itskg.graph.sparql.queryformat import inline_bindings
from itskg.graph.sparql.scan import has_dataset_clause, scan_query, tokens, variables, with_limit
from itskg.graph.terms import iri

TRICKY = '''SELECT ?s # a { comment with ?hidden and FROM
WHERE { ?s <urn:p#x> "a { brace" , 'FROM' , """SERVICE
{""" }'''


def test_strings_iris_and_comments_are_single_tokens() -> None:
    kinds = [(t.kind, t.text) for t in tokens(TRICKY)]
    assert ("iri", "<urn:p#x>") in kinds and ("string", '"a { brace"') in kinds
    assert [t.text for t in tokens(TRICKY) if t.text in "{}"] == ["{", "}"]
    assert variables(tokens(TRICKY)) == ["s", "s"]  # ?hidden is in a comment


def test_dataset_clause_ignores_words_in_strings_and_comments() -> None:
    assert not has_dataset_clause(TRICKY)
    assert has_dataset_clause("SELECT * FROM <urn:g> { ?s ?p ?o }")
    assert has_dataset_clause("select * from named <urn:g> { graph ?g { ?s ?p ?o } }")


def test_service_in_a_literal_is_harmless() -> None:
    assert scan_query(TRICKY).form == "select"


def test_with_limit_lowers_adds_and_respects_trailing_values() -> None:
    assert with_limit("SELECT * { ?s ?p ?o } LIMIT 5", 10).endswith("LIMIT 5")
    assert with_limit("SELECT * { ?s ?p ?o } LIMIT 50 OFFSET 2", 10).endswith("LIMIT 10 OFFSET 2")
    text = with_limit("SELECT * { ?s ?p ?o } VALUES ?s { <urn:a> }", 3)
    assert text.index("LIMIT 3") < text.index("VALUES")
    inner = "SELECT * { { SELECT ?s { ?s ?p ?o } LIMIT 99 } }"  # only the top level counts
    assert with_limit(inner, 3).endswith("LIMIT 3\n") and "LIMIT 99" in with_limit(inner, 3)


def test_inline_bindings_opens_every_select_group_but_not_braces_in_text() -> None:
    text = ('SELECT ?x ?s WHERE { ?s ?p "{" # } {\n { SELECT ?x ?s WHERE { ?s ?q ?x } } }')
    out = inline_bindings(text, {"s": iri("urn:a")})
    assert out.count("VALUES (?s) { (<urn:a>) }") == 2
    assert '"{" # } {' in out  # the literal and the comment are untouched
    construct = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    assert inline_bindings(construct, {"s": iri("urn:a")}).startswith(
        "CONSTRUCT { ?s ?p ?o } WHERE { VALUES")
    with pytest.raises(QueryParameterError, match="no WHERE group"):
        inline_bindings("DESCRIBE <urn:a>", {"s": iri("urn:a")})


HEAD = "#+ name: q\n#+ title: {it: a, en: a}\n#+ description: {it: a, en: a}\n"


def test_catalogue_reads_parameters_with_the_tokenizer() -> None:
    ok = parse_query_text("q", HEAD + "#+ params: [{name: region, type: iri}]\n"
                                      "SELECT ?region ?s WHERE { ?s ?p ?region }\n")
    assert ok.kind == "select" and [p.name for p in ok.params] == ["region"]
    with pytest.raises(DataError, match="not used"):  # ?region only in a comment
        parse_query_text("q", HEAD + "#+ params: [{name: region, type: iri}]\n"
                                     "SELECT ?s WHERE { ?s ?p ?o } # ?region\n")
    with pytest.raises(DataError, match="projection"):
        parse_query_text("q", HEAD + "#+ params: [{name: region, type: iri}]\n"
                                     "SELECT ?s WHERE { ?s ?p ?region }\n")
    with pytest.raises(DataError, match="read-only"):
        parse_query_text("q", HEAD + "INSERT DATA { <urn:a> <urn:b> <urn:c> }\n")
    lang = parse_query_text("q", HEAD + "SELECT ?s ?lang WHERE { ?s ?p ?lang }\n")
    assert [p.name for p in lang.params] == ["lang"]


def test_a_shifted_scan_is_the_scan_of_the_inlined_text() -> None:
    """The worker scans a ``binding: values`` query once and shifts the scan past the VALUES
    blocks it inlines (``QueryInfo.shifted``): for every such catalogue query and its example
    parameters, and for planted texts with a top-level LIMIT or a trailing VALUES block, that
    is exactly the scan of the inlined text, so the row cap lands where it would have."""
    from itskg.graph.sparql.catalogue import bind_params, load_catalog

    cases = [(q.text, bind_params(q, {**q.example, **({"lang": "it"} if q.uses_lang else {})}))
             for q in load_catalog().values() if q.binding == "values"]
    assert len(cases) >= 10
    cases += [("SELECT ?s { { SELECT ?s { ?s ?p ?o } LIMIT 3 } } LIMIT 7", {"s": iri("urn:a")}),
              ("SELECT ?s { ?s ?p ?o } VALUES ?o { 1 }", {"s": iri("urn:a")}),
              ("SELECT ?s { ?s ?p ?o }", {"s": iri("urn:a")})]
    for text, bindings in cases:
        inlined = inline_bindings(text, bindings)
        shifted = scan_query(text).shifted(len(inlined) - len(text))
        assert shifted == scan_query(inlined), text[:80]
        assert shifted.capped(inlined, 10) == scan_query(inlined).capped(inlined, 10)
