"""SPARQL results as bytes: media types, row serialisers, and cutting engine output to a cap."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from itskg.graph.errors import (
    QueryParameterError,
)
from itskg.graph.namespaces import ONTOLOGY
from itskg.graph.terms import Term

__all__ = ["GRAPH_FORMATS", "RESULT_FORMATS", "ROWS_MEDIA", "TRUNCATED_LINK", "plain_value",
           "rows_from_sparql_json", "serialize_rows"]

#: format key -> media type (SELECT/ASK results, then CONSTRUCT/DESCRIBE graphs)
RESULT_FORMATS = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv; charset=utf-8",
    "tsv": "text/tab-separated-values; charset=utf-8",
}
GRAPH_FORMATS = {
    "turtle": "text/turtle; charset=utf-8",
    "ntriples": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
}
TRUNCATED_LINK = ONTOLOGY + "truncated"
#: media type of ``rows``: a JSON list of row objects with plain values
ROWS_MEDIA = "application/json"
_XSD_DECIMAL = "http://www.w3.org/2001/XMLSchema#decimal"


def plain_value(t: Term | None) -> Any:
    """A result term as plain JSON: IRIs and strings as str, numbers, booleans, None.

    >>> plain_value(Term("literal", "0.10", _XSD_DECIMAL)), plain_value(None)
    (0.1, None)
    """
    if t is None:
        return None
    v = t.to_python()
    if isinstance(v, float) and t.datatype == _XSD_DECIMAL:
        return float(Decimal(t.value))
    return v


def rows_from_sparql_json(body: bytes) -> bytes:
    """SPARQL 1.1 JSON results -> ``rows``: a JSON list of ``{variable: plain value}``.

    >>> rows_from_sparql_json(b'{"head": {"vars": ["n"]}, "results": {"bindings": [{"n": '
    ...     b'{"type": "literal", "value": "2", "datatype": '
    ...     b'"http://www.w3.org/2001/XMLSchema#integer"}}]}}')
    b'[\\n {\\n  "n": 2\\n }\\n]'
    """
    data = json.loads(body)
    if "boolean" in data:
        return json.dumps([{"result": data["boolean"]}]).encode()
    out = []
    for b in data["results"]["bindings"]:
        row: dict[str, Any] = {}
        for v in data["head"]["vars"]:
            t = b.get(v)
            row[v] = None if t is None else plain_value(Term(
                "iri" if t["type"] == "uri" else "bnode" if t["type"] == "bnode" else "literal",
                t["value"], t.get("datatype"), t.get("xml:lang")))
        out.append(row)
    return json.dumps(out, ensure_ascii=False, indent=1).encode()

# ------------------------------------------------------------------- serialising rows
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def _json_term(t: Term) -> dict[str, str]:
    if t.kind == "iri":
        return {"type": "uri", "value": t.value}
    if t.kind == "bnode":
        return {"type": "bnode", "value": t.value}
    d = {"type": "literal", "value": t.value}
    if t.lang:
        d["xml:lang"] = t.lang
    elif t.datatype and t.datatype not in (_XSD_STRING, _LANG_STRING):
        d["datatype"] = t.datatype
    return d


def _xml_term(t: Term) -> str:
    if t.kind == "iri":
        return f"<uri>{escape(t.value)}</uri>"
    if t.kind == "bnode":
        return f"<bnode>{escape(t.value)}</bnode>"
    if t.lang:
        return f"<literal xml:lang={quoteattr(t.lang)}>{escape(t.value)}</literal>"
    if t.datatype and t.datatype not in (_XSD_STRING, _LANG_STRING):
        return f"<literal datatype={quoteattr(t.datatype)}>{escape(t.value)}</literal>"
    return f"<literal>{escape(t.value)}</literal>"


def _csv_cell(t: Term | None) -> str:
    if t is None:
        return ""
    v = f"_:{t.value}" if t.kind == "bnode" else t.value
    if any(c in v for c in ',"\r\n'):
        return '"' + v.replace('"', '""') + '"'
    return v


def serialize_rows(variables: Sequence[str], rows: Sequence[dict[str, Term | None]], fmt: str,
                   truncated: bool = False) -> bytes:
    """SPARQL 1.1 results (json, xml, csv, tsv) from rows of Terms (``QueryResult.rows()``).

    For rows already in Python; a whole result is faster through ``QueryResult.serialize``
    (about 4x on 100,000 rows). ``truncated`` adds the truncation link to the JSON/XML head.
    """
    if fmt == "json":
        head: dict[str, Any] = {"vars": list(variables)}
        if truncated:
            head["link"] = [TRUNCATED_LINK]
        bindings = [{k: _json_term(t) for k, t in r.items() if t is not None} for r in rows]
        return json.dumps({"head": head, "results": {"bindings": bindings}},
                          ensure_ascii=False, separators=(",", ":")).encode()
    if fmt == "xml":
        out = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
               "<head>"]
        out += [f"<variable name={quoteattr(v)}/>" for v in variables]
        if truncated:
            out.append(f"<link href={quoteattr(TRUNCATED_LINK)}/>")
        out.append("</head><results>")
        for r in rows:
            out.append("<result>")
            out += [f"<binding name={quoteattr(k)}>{_xml_term(t)}</binding>"
                    for k, t in r.items() if t is not None]
            out.append("</result>")
        out.append("</results></sparql>\n")
        return "".join(out).encode()
    if fmt == "csv":
        lines = [",".join(variables)]
        lines += [",".join(_csv_cell(r[v]) for v in variables) for r in rows]
        return ("\r\n".join(lines) + "\r\n").encode()
    if fmt == "tsv":
        lines = ["\t".join("?" + v for v in variables)]
        lines += ["\t".join("" if (t := r[v]) is None else t.n3().replace("\t", "\\t")
                            for v in variables) for r in rows]
        return ("\n".join(lines) + "\n").encode()
    raise QueryParameterError(f"Unknown result format {fmt!r}; use one of {sorted(RESULT_FORMATS)}")


# -------------------------------------------------------------- trimming to the cap
def _drop_last_json_row(body: bytes) -> bytes | None:
    """The engine's JSON results without their last row, plus the truncation link.

    Tries each ``},{`` from the end: the real row boundary is the one after which exactly one
    JSON object runs to the closing ``]}}`` (a ``},{`` inside a literal cannot start valid
    JSON: the literal's quotes are escaped). None when the shape is not the expected one.
    """
    text = body.decode()
    if not text.endswith("]}}") or '},"results":' not in text:
        return None
    dec = json.JSONDecoder()
    end = len(text) - 3
    pos = text.rfind("},{", 0, end)
    while pos > 0:
        try:
            row, stop = dec.raw_decode(text, pos + 2)
        except ValueError:
            row, stop = None, -1
        if stop == end and isinstance(row, dict):
            head = text[: pos + 1].replace(
                ']},"results":', f'],"link":{json.dumps([TRUNCATED_LINK])}}},"results":', 1)
            return (head + "]}}").encode()
        pos = text.rfind("},{", 0, pos)
    return None


def _trim(body: bytes, fmt: str, cap: int, one_extra: bool = False
          ) -> tuple[bytes, bool, int | None]:
    """Cut the engine's SELECT output to ``cap`` rows: (body, truncated, rows if known).

    ``one_extra``: the query ran with LIMIT cap+1, so at most one row is too many.
    Cheap exact or upper-bound row counts decide whether anything needs parsing: TSV rows are
    lines (the engine escapes newlines), ``<result>`` cannot occur escaped in XML, and every
    JSON row after the first starts with ``},{`` (literals can only add to that count).
    """
    if fmt == "tsv":
        lines = body.split(b"\n")
        n = len(lines) - 2
        if n <= cap:
            return body, False, n
        return b"\n".join(lines[: cap + 1]) + b"\n", True, cap
    if fmt == "xml":
        n = body.count(b"<result>")
        if n <= cap:
            return body, False, n
        kept = b"<result>".join(body.split(b"<result>", cap + 1)[: cap + 1])
        link = f"<link href={quoteattr(TRUNCATED_LINK)}/></head>".encode()
        return kept.replace(b"</head>", link, 1) + b"</results></sparql>", True, cap
    if fmt == "json":
        if body.count(b"},{") + 1 <= cap:
            return body, False, None
        if one_extra and (fast := _drop_last_json_row(body)) is not None:
            return fast, True, cap
        doc = json.loads(body)
        rows = doc["results"]["bindings"]
        if len(rows) <= cap:
            return body, False, len(rows)
        del rows[cap:]
        doc["head"]["link"] = [TRUNCATED_LINK]
        return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode(), True, cap
    if fmt == "csv":
        if body.count(b"\n") - 1 <= cap:
            return body, False, None
        table = list(csv.reader(io.StringIO(body.decode(), newline="")))
        if len(table) - 1 <= cap:
            return body, False, len(table) - 1
        out = io.StringIO()
        csv.writer(out, lineterminator="\r\n").writerows(table[: cap + 1])
        return out.getvalue().encode(), True, cap
    raise QueryParameterError(f"Unknown result format {fmt!r}; use one of {sorted(RESULT_FORMATS)}")


