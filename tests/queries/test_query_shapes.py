"""Shapes of the catalogue's queries: deterministic answers, rewrites that keep their rows.

- Every SELECT (top level or sub-select) with LIMIT/OFFSET has an ORDER BY naming every
  column it projects (parameters aside), so the rows kept never depend on the engine or on
  the store's layout. Read with the project's SPARQL tokenizer (``scan_selects``), so braces
  and keywords in strings or comments cannot fool it.
- Each query rewritten for speed or for portability keeps its old text in
  tests/data/queries_before/; old and new give the same rows on the fixture, with the
  parameters bound by the engine and inlined as VALUES, for the example parameters and (when
  no parameter is required) for none.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from itskg.graph.sparql.catalogue import (
    NamedQuery,
    bind_params,
    inline_bindings,
    load_catalog,
    parse_query_text,
)
from itskg.graph.sparql.scan import scan_selects
from itskg.graph.store import KnowledgeStore

CATALOG = load_catalog()
BEFORE = Path(__file__).resolve().parents[1] / "data" / "queries_before"
REWRITTEN = sorted(p.stem for p in BEFORE.glob("*.rq"))
Normalize = Callable[..., list[dict[str, Any]]]


# ------------------------------------------------------------------ determinism
@pytest.mark.parametrize("name", sorted(CATALOG))
def test_limit_comes_with_an_order_that_decides_every_row(name: str) -> None:
    q = CATALOG[name]
    constants = {p.name for p in q.params}  # one value per run
    for clause in scan_selects(q.text):
        free = clause.unordered_under_limit(constants)
        assert not free, (
            f"{name}: a SELECT at depth {clause.depth} has LIMIT/OFFSET but its ORDER BY "
            f"leaves {free} free, so engines may keep different rows; order by them too")


def test_the_determinism_check_catches_a_limit_without_order() -> None:
    text = ('SELECT ?a ?n WHERE { { SELECT ?a WHERE { ?a ?p "} LIMIT 9 {" } LIMIT 5 } '
            "?a ?q ?n } ORDER BY ?a")
    top, sub = scan_selects(text)
    assert top.unordered_under_limit() == []  # no LIMIT at the top
    assert (sub.limit, sub.unordered_under_limit()) == (5, ["a"])
    ordered = text.replace("LIMIT 5", "ORDER BY DESC(?a) LIMIT 5")
    assert scan_selects(ordered)[1].unordered_under_limit() == []
    partial = "SELECT ?a ?b WHERE { ?a ?p ?b } ORDER BY ?a LIMIT 3"
    assert scan_selects(partial)[0].unordered_under_limit() == ["b"]
    assert scan_selects("SELECT * { ?s ?p ?o } LIMIT 1")[0].unordered_under_limit() == ["*"]


# ------------------------------------------------------------------ rewrites
def _before(name: str) -> NamedQuery:
    return parse_query_text(name, (BEFORE / f"{name}.rq").read_text(encoding="utf-8"))


def _cases(q: NamedQuery) -> list[dict[str, str]]:
    cases = [{**q.example, **({"lang": "it"} if q.uses_lang else {})}]
    if not any(p.required for p in q.params):
        cases.append({"lang": "en"} if q.uses_lang else {})
    return cases


def test_every_rewritten_query_is_still_in_the_catalogue() -> None:
    assert REWRITTEN, "tests/data/queries_before/ is empty"
    assert set(REWRITTEN) <= set(CATALOG)


# Rewrites that change the columns on purpose (the test compares the columns they share).
CHANGED_COLUMNS = {
    # Virtuoso 7 refuses a GROUP_CONCAT over ~4 KB (error SR319): the foundations' names
    # became their number, plus the regions' NUTS codes.
    "companies_in_several_regions": {"foundations", "regionCodes"},
}

@pytest.mark.parametrize("name", REWRITTEN)
def test_rewrite_gives_the_rows_of_the_old_text_in_both_binding_forms(
    name: str, catalog_store: KnowledgeStore, normalize: Normalize
) -> None:
    new, old = CATALOG[name], _before(name)
    dropped = CHANGED_COLUMNS.get(name, set())
    for raw in _cases(new):
        bindings = bind_params(new, raw, store=catalog_store)
        answers = {}
        for label, q in (("old", old), ("new", new)):
            for form in ("engine", "values"):
                res = (catalog_store.query(q.text, bindings=bindings) if form == "engine"
                       else catalog_store.query(inline_bindings(q.text, bindings)))
                rows = normalize(q, res)
                answers[label, form] = sorted(
                    (tuple(sorted((k, v) for k, v in r.items() if k not in dropped))
                     for r in rows), key=repr)
        reference = answers["old", "engine"]
        assert reference, f"{name} {raw}: no rows on the fixture, the comparison proves nothing"
        for key, rows in answers.items():
            assert rows == reference, f"{name} {raw}: {key} differs from the old text"
