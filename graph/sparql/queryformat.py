"""Named query results and bindings as text: result formats, display rows, inlined VALUES.

``format_rows`` serialises a result for ``itskg query --format`` and the HTTP routes
(SPARQL 1.1 json/xml/csv/tsv, or ``rows``: a JSON list of row objects); ``table_rows`` gives
display strings for a rich table. ``inline_bindings`` writes validated bindings as a VALUES
block (terms serialised by the engine) for engines without substitutions: remote SPARQL
endpoints and the worker pool.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections.abc import Mapping
from typing import Any

from itskg.graph.errors import QueryParameterError
from itskg.graph.sparql.results import plain_value
from itskg.graph.sparql.scan import tokens
from itskg.graph.terms import IRI, QueryResult, Term

__all__ = [
    "RESULT_MEDIA",
    "binding_slots",
    "format_rows",
    "inline_bindings",
    "plain_value",
    "table_rows",
    "values_clause",
]

XSD = "http://www.w3.org/2001/XMLSchema#"
_IRI_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*$")


def _term(value: Any) -> Term:
    if isinstance(value, Term):
        return value
    if isinstance(value, IRI):
        if not _IRI_RE.match(value):
            raise QueryParameterError(f"{value!r} is not a valid IRI")
        return Term("iri", str(value))
    if isinstance(value, bool):
        return Term("literal", "true" if value else "false", XSD + "boolean")
    if isinstance(value, int):
        return Term("literal", str(value), XSD + "integer")
    if isinstance(value, float):
        return Term("literal", repr(value), XSD + "double")
    if isinstance(value, dt.date):
        return Term("literal", value.isoformat(), XSD + "date")
    return Term("literal", str(value), XSD + "string")


def values_clause(bindings: Mapping[str, Any]) -> str:
    """A one-row VALUES block for ``bindings``, each term serialised by the engine."""
    names = sorted(bindings)
    for n in names:
        if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", n):
            raise QueryParameterError(f"{n!r} is not a SPARQL variable name")
    terms = " ".join(_term(bindings[n]).n3() for n in names)
    return f"VALUES ({' '.join('?' + n for n in names)}) {{ ({terms}) }}"


def inline_bindings(text: str, bindings: Mapping[str, Any]) -> str:
    """The query with ``bindings`` as a VALUES block opening each SELECT's WHERE group.

    For engines without substitutions (remote SPARQL endpoints, the worker pool): terms are
    typed and escaped by the engine's serialiser, never pasted raw. The block opens the
    top-level group and every sub-select, as engine substitution does for the variables a
    sub-select projects. The catalogue's queries give the same rows this way as with engine
    substitutions (a test checks every query).
    """
    if not bindings:
        return text
    block = " " + values_clause(bindings)
    for b in binding_slots(text):  # from the end: each insertion leaves earlier offsets valid
        text = text[: b + 1] + block + text[b + 1:]
    return text


@functools.lru_cache(maxsize=256)
def binding_slots(text: str) -> tuple[int, ...]:
    """Where ``inline_bindings`` opens the groups of ``text``: the offsets of the ``{`` of
    every SELECT's WHERE group (or of the CONSTRUCT's WHERE, or the ASK/DESCRIBE group),
    last first. Cached: a catalogue query's text is the same on every request, so the worker
    tokenises it once. Raises QueryParameterError when the query has no WHERE group."""
    toks = tokens(text)  # strings, IRIs and comments are whole tokens: their '{' never counts
    starts = [i for i, t in enumerate(toks) if t.is_word("SELECT")]
    if not starts:
        form = next((i for i, t in enumerate(toks) if t.is_word("ASK", "CONSTRUCT", "DESCRIBE")),
                    None)
        if form is not None and toks[form].is_word("CONSTRUCT"):  # bind the WHERE group
            where = next((i for i in range(form, len(toks)) if toks[i].is_word("WHERE")), form)
            starts = [where]
        else:
            starts = [form if form is not None else 0]
    braces = set()
    for s in starts:
        b = next((t.start for t in toks[s:] if t.kind == "other" and t.text == "{"), None)
        if b is None:
            raise QueryParameterError("cannot bind parameters: the query has no WHERE group")
        braces.add(b)
    return tuple(sorted(braces, reverse=True))


RESULT_MEDIA = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "rows": "application/json",
}


def format_rows(result: QueryResult, fmt: str) -> bytes:
    """Serialise a result: json/xml/csv/tsv (SPARQL 1.1 formats) or rows (JSON list of objects).

    Consumes ``result``. For ``itskg query --format``: table uses ``table_rows`` instead.
    """
    from itskg.graph.sparql.executor import serialize_rows

    if result.kind == "ask":
        if fmt == "rows":
            return json.dumps([{"result": result.boolean}]).encode()
        return result.serialize(fmt) or b""
    if result.kind == "graph":
        return result.serialize("turtle") or b""
    rows = list(result.rows())
    if fmt == "rows":
        data = [{k: plain_value(v) for k, v in r.items()} for r in rows]
        return json.dumps(data, ensure_ascii=False, indent=1).encode()
    if fmt not in RESULT_MEDIA:
        raise QueryParameterError(f"Unknown format {fmt!r}; use one of {sorted(RESULT_MEDIA)}")
    return serialize_rows(result.variables, rows, fmt)


def table_rows(result: QueryResult) -> tuple[list[str], list[list[str]]]:
    """Column names and rows of display strings (for a rich table in the CLI)."""
    if result.kind == "ask":
        return ["result"], [[str(result.boolean).lower()]]
    rows = [["" if (t := r[v]) is None else t.value for v in result.variables]
            for r in result.rows()]
    return list(result.variables), rows
