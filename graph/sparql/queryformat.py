"""Named query results and bindings as text: result formats, display rows, inlined VALUES.

``format_rows`` serialises a result for ``itskg query --format`` and the HTTP routes
(SPARQL 1.1 json/xml/csv/tsv, or ``rows``: a JSON list of row objects); ``table_rows`` gives
display strings for a rich table. ``inline_bindings`` writes validated bindings as a VALUES
block (terms serialised by the engine) for engines without substitutions: remote SPARQL
endpoints and the worker pool.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from itskg.graph.errors import QueryParameterError
from itskg.graph.terms import IRI, QueryResult, Term

__all__ = [
    "RESULT_MEDIA",
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
    # blank out whole-line comments so a '{' in a comment is never taken for a group
    masked = "\n".join(" " * len(ln) if ln.lstrip().startswith("#") else ln
                       for ln in text.split("\n"))
    starts = [m.end() for m in re.finditer(r"(?i)\bSELECT\b", masked)]
    if not starts:
        m = re.search(r"(?i)\b(ASK|CONSTRUCT|DESCRIBE)\b", masked)
        if m and m.group(1).upper() == "CONSTRUCT":  # skip the template, bind the WHERE group
            w = re.search(r"(?i)\bWHERE\b", masked[m.end():])
            starts = [m.end() + (w.end() if w else 0)]
        else:
            starts = [m.end() if m else 0]
    braces = sorted({masked.find("{", s) for s in starts})
    if braces and braces[0] < 0:
        raise QueryParameterError("cannot bind parameters: the query has no WHERE group")
    for b in reversed(braces):
        text = text[: b + 1] + block + text[b + 1:]
    return text


RESULT_MEDIA = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "rows": "application/json",
}


def plain_value(t: Term | None) -> Any:
    """A result term as plain JSON: IRIs and strings as str, numbers, booleans, None."""
    if t is None:
        return None
    v = t.to_python()
    if isinstance(v, float) and t.datatype == XSD + "decimal":
        return float(Decimal(t.value))
    return v


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
