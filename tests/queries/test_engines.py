"""Every catalogue query means the same on Virtuoso 7 as on the embedded engine.

A private Virtuoso (tools/virtuoso.py: own database directory, free loopback ports) bulk-loads
the fixture store's quads; each named query runs there over the SPARQL 1.1 Protocol with its
parameters inlined as VALUES (as itskg sends them to a remote endpoint) and must return the
rows pyoxigraph returns on the same quads: numbers compared to 6 decimals, GROUP_CONCAT parts
in any order unless the query sorts them (a sub-select ordered by the concatenated variable:
then in the same order), load times masked. Virtuoso comes from ``bash tools/install_virtuoso.sh``
(``make install`` runs it); when it is missing or does not start, these tests fail, they are
not skipped.

What this caught (Virtuoso 7.2.5): integer/integer division is integer division there (every
course fell under the 35 % internship share); MINUS and FILTER NOT EXISTS over a variable bound
by a VALUES block return rows the anti-join should remove; a GROUP_CONCAT over ~4 KB is refused
(SR319). The catalogue is written so that none of these can change an answer.
"""

from __future__ import annotations

import importlib.util
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from itskg.graph.sparql.catalogue import NamedQuery, bind_params, inline_bindings, load_catalog
from itskg.graph.store import KnowledgeStore
from itskg.graph.terms import Term

pytestmark = pytest.mark.server

REPO = Path(__file__).resolve().parents[2]
CATALOG = load_catalog()


def _virtuoso_module() -> Any:
    spec = importlib.util.spec_from_file_location("itskg_tools_virtuoso",
                                                  REPO / "tools" / "virtuoso.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def virtuoso(catalog_store: KnowledgeStore, tmp_path_factory: pytest.TempPathFactory
             ) -> Iterator[Any]:
    """Virtuoso on loopback holding exactly the fixture store's quads."""
    vt_mod = _virtuoso_module()
    if not vt_mod.installed():
        pytest.fail(f"Virtuoso is not installed: {vt_mod.INSTALL_HINT}")
    root = tmp_path_factory.mktemp("virtuoso")
    dump = root / "fixture.nq"
    buf = io.BytesIO()
    catalog_store._store.dump(buf, ox.RdfFormat.N_QUADS)
    dump.write_bytes(buf.getvalue())
    server = vt_mod.VirtuosoServer(root / "db", buffers=20_000)
    server.start()
    try:
        server.load_nquads(dump)
        loaded = server.count(catalog_store.graphs())
        assert loaded == len(catalog_store), "Virtuoso did not load every quad of the fixture"
        yield server
    finally:
        server.stop()


def _concat_separators(q: NamedQuery) -> dict[str, str]:
    pattern = (r'GROUP_CONCAT\((?:[^()]|\([^()]*\))*?separator="([^"]*)"\)'
               r'(?:\s*,\s*""\s*\))?\s*AS\s*\?(\w+)')  # COALESCE(GROUP_CONCAT(..), "") too
    return {m.group(2): m.group(1) for m in re.finditer(pattern, q.text)}


def _sorted_concats(q: NamedQuery) -> set[str]:
    """GROUP_CONCAT columns whose parts the query sorts: the concatenated variable is the
    first key of an ORDER BY (in the sub-select that feeds the group)."""
    pattern = (r'GROUP_CONCAT\((?:DISTINCT\s+)?\?(\w+)\s*;\s*separator="[^"]*"\)'
               r'\s*AS\s*\?(\w+)')
    return {col for var, col in re.findall(pattern, q.text)
            if re.search(rf"ORDER BY \?{var}\b", q.text)}


_NUMERIC = ("integer", "decimal", "double", "float", "int", "long")


def _norm(t: Term | None, sep: str | None, ordered: bool = False) -> Any:
    """A comparable value. Documented engine limits it evens out: a GROUP_CONCAT over nothing
    is "" on Virtuoso and unbound on pyoxigraph (COALESCE around it does not compile on
    Virtuoso 7: SQ156); booleans may be "1" or "true"."""
    if t is None:
        return None
    if t.kind != "literal":
        return t.value
    kind = (t.datatype or "").rsplit("#", 1)[-1]
    if kind == "dateTime":
        return "<datetime>"
    if kind in _NUMERIC:
        return format(round(float(t.value), 6), ".6f")
    if kind == "boolean":
        return t.value in {"true", "1"}
    if sep is not None:  # a GROUP_CONCAT: parts in any order, unless the query sorts them
        if not t.value:
            return None
        return t.value if ordered else sep.join(sorted(t.value.split(sep)))
    return t.value


def _rows(q: NamedQuery, rows: list[dict[str, Term | None]]) -> list[tuple[Any, ...]]:
    seps, ordered = _concat_separators(q), _sorted_concats(q)
    return sorted((tuple((k, _norm(r.get(k), seps.get(k), k in ordered)) for k in sorted(r))
                   for r in rows), key=repr)


def _virtuoso_rows(server: Any, sparql: str) -> list[dict[str, Term | None]]:
    data = server.request(sparql).json()
    if "boolean" in data:
        return [{"result": Term("literal", str(data["boolean"]).lower(),
                                "http://www.w3.org/2001/XMLSchema#boolean")}]
    out = []
    for b in data["results"]["bindings"]:
        row: dict[str, Term | None] = {}
        for v in data["head"]["vars"]:
            t = b.get(v)
            row[v] = None if t is None else Term(
                "iri" if t["type"] == "uri" else "bnode" if t["type"] == "bnode" else "literal",
                t["value"], t.get("datatype"), t.get("xml:lang"))
        out.append(row)
    return out


def _cases(q: NamedQuery) -> list[tuple[str, dict[str, str]]]:
    lang = {"lang": "it"} if q.uses_lang else {}
    cases = [("example", {**q.example, **lang})]
    if not any(p.required for p in q.params) and q.example:
        cases.append(("all", dict(lang)))
    return cases


def test_the_catalogue_sorts_the_lists_that_differed_between_engines() -> None:
    for name, col in [("academies_by_region", "areas"), ("company_academy_edges", "areas"),
                      ("companies_in_several_regions", "regionCodes"),
                      ("institutional_members_ranking", "regionCodes"),
                      ("academies_outside_s3_priorities", "areas"),
                      ("courses_teaching_green_skills", "skillLabels")]:
        assert col in _sorted_concats(CATALOG[name]), name


@pytest.mark.parametrize("name", sorted(CATALOG))
def test_virtuoso_gives_the_rows_of_the_embedded_engine(
    name: str, catalog_store: KnowledgeStore, virtuoso: Any
) -> None:
    q = CATALOG[name]
    for case, raw in _cases(q):
        bindings = bind_params(q, raw, store=catalog_store)
        text = inline_bindings(q.text, bindings)
        local = catalog_store.query(text)
        expected = ([{"result": Term("literal", str(local.boolean).lower(),
                                     "http://www.w3.org/2001/XMLSchema#boolean")}]
                    if local.kind == "ask" else list(local.rows()))
        got = _virtuoso_rows(virtuoso, text)
        assert _rows(q, got) == _rows(q, expected), f"{name} ({case}): Virtuoso differs"
