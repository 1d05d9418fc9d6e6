"""RDF terms and results without a store: Term, QueryResult, bindings, N-Triples helpers.

What query results are made of (``Term``: iri, bnode or literal), a consumed-once
``QueryResult``, Python values as engine terms for bindings (``to_term``, ``iri``), and the
small parse/serialise helpers the build and importers use. Split from ``itskg.graph.store``
so code that only reads results needs no store.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

__all__ = [
    "IRI",
    "RDF_FORMATS",
    "QueryResult",
    "Term",
    "iri",
    "literal_ntriples",
    "parse_triples",
    "to_term",
    "turtle_to_ntriples",
]

RDF_FORMATS = {
    "nt": ox.RdfFormat.N_TRIPLES,
    "ttl": ox.RdfFormat.TURTLE,
    "nq": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "rdf": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
}


class Term:
    """A neutral RDF term in query results: ``kind`` is iri, bnode or literal."""

    __slots__ = ("datatype", "kind", "lang", "value")

    def __init__(self, kind: str, value: str, datatype: str | None = None, lang: str | None = None):
        self.kind = kind
        self.value = value
        self.datatype = datatype
        self.lang = lang

    @classmethod
    def of(cls, t: Any) -> Term | None:
        if t is None:
            return None
        if isinstance(t, ox.NamedNode):
            return cls("iri", t.value)
        if isinstance(t, ox.BlankNode):
            return cls("bnode", t.value)
        if isinstance(t, ox.Literal):
            return cls("literal", t.value, t.datatype.value, t.language)
        return cls("literal", str(t))

    def to_python(self) -> Any:
        """IRIs and strings as str, numbers as int/float, booleans as bool."""
        if self.kind != "literal" or self.datatype is None:
            return self.value
        dt_local = self.datatype.rsplit("#", 1)[-1]
        try:
            if dt_local in {"integer", "int", "long", "short", "nonNegativeInteger",
                            "positiveInteger", "gYear"}:
                return int(self.value)
            if dt_local in {"decimal", "double", "float"}:
                return float(self.value)
            if dt_local == "boolean":
                return self.value in {"true", "1"}
        except ValueError:
            return self.value
        return self.value

    def n3(self) -> str:
        if self.kind == "iri":
            return f"<{self.value}>"
        if self.kind == "bnode":
            return f"_:{self.value}"
        return str(ox.Literal(self.value, language=self.lang) if self.lang else ox.Literal(
            self.value, datatype=ox.NamedNode(self.datatype) if self.datatype else None))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Term) and (self.kind, self.value, self.datatype, self.lang) == (
            other.kind, other.value, other.datatype, other.lang)

    def __hash__(self) -> int:
        return hash((self.kind, self.value, self.datatype, self.lang))

    def __repr__(self) -> str:
        return f"Term({self.n3()})"

    def __str__(self) -> str:
        return self.value


_RESULT_FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
_GRAPH_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
    "trig": ox.RdfFormat.TRIG,
}


class QueryResult:
    """The result of a SPARQL query: ``kind`` is select, ask or graph.

    Consume it once: iterate ``rows()`` (select), read ``boolean`` (ask), iterate
    ``triples()`` (graph), or ``serialize(fmt)`` in a standard format.
    """

    def __init__(self, raw: Any):
        self._raw = raw
        if isinstance(raw, ox.QueryBoolean):
            self.kind = "ask"
            self.variables: list[str] = []
        elif isinstance(raw, ox.QuerySolutions):
            self.kind = "select"
            self.variables = [v.value for v in raw.variables]
        else:
            self.kind = "graph"
            self.variables = []

    @property
    def boolean(self) -> bool:
        return bool(self._raw)

    def rows(self, limit: int | None = None) -> Iterator[dict[str, Term | None]]:
        """Select solutions as dicts of variable name -> Term (None when unbound)."""
        names = self.variables
        for i, sol in enumerate(self._raw):
            if limit is not None and i >= limit:
                return
            yield {n: Term.of(sol[n]) for n in names}

    def tuples(self, limit: int | None = None) -> Iterator[tuple[Any, ...]]:
        """Select solutions as tuples of plain Python values (None when unbound)."""
        names = self.variables
        for i, sol in enumerate(self._raw):
            if limit is not None and i >= limit:
                return
            yield tuple(
                (None if (t := Term.of(sol[n])) is None else t.to_python()) for n in names
            )

    def triples(self) -> Iterator[tuple[Term, Term, Term]]:
        for t in self._raw:
            yield (Term.of(t.subject), Term.of(t.predicate), Term.of(t.object))  # type: ignore[misc]

    def serialize(self, fmt: str, output: IO[bytes] | None = None) -> bytes | None:
        """Serialise in a standard format.

        select/ask: json, xml, csv, tsv. graph: turtle, ntriples, nquads, rdfxml, jsonld.
        """
        if self.kind == "graph":
            f = _GRAPH_FORMATS[fmt]
            if fmt in {"nquads", "trig"}:
                f = _GRAPH_FORMATS["ntriples" if fmt == "nquads" else "turtle"]
            return ox.serialize(self._raw, output, f)
        return self._raw.serialize(output, _RESULT_FORMATS[fmt])


class IRI(str):
    """Marks a string binding as an IRI (plain str binds as a literal)."""


def iri(value: str) -> IRI:
    return IRI(value)


def to_term(v: Any) -> Any:
    """Python value -> engine term for substitutions (IRI, str, int, float, bool, date)."""
    if isinstance(v, Term):
        if v.kind == "iri":
            return ox.NamedNode(v.value)
        if v.kind == "bnode":
            return ox.BlankNode(v.value)
        if v.lang:
            return ox.Literal(v.value, language=v.lang)
        return ox.Literal(v.value, datatype=ox.NamedNode(v.datatype) if v.datatype else None)
    if isinstance(v, IRI):
        try:
            return ox.NamedNode(str(v))
        except ValueError as err:
            from itskg.graph.errors import QueryParameterError

            raise QueryParameterError(f"{v!r} is not a valid IRI") from err
    if isinstance(v, bool):
        return ox.Literal("true" if v else "false",
                          datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean"))
    if isinstance(v, int):
        return ox.Literal(str(v), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
    if isinstance(v, float):
        return ox.Literal(repr(v), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#double"))
    if isinstance(v, dt.date):
        return ox.Literal(v.isoformat(),
                          datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date"))
    return ox.Literal(str(v))


def literal_ntriples(value: str, *, lang: str | None = None, datatype: str | None = None) -> str:
    """An N-Triples literal with correct escaping (via the engine's own serialiser)."""
    if lang:
        return str(ox.Literal(value, language=lang))
    if datatype:
        return str(ox.Literal(value, datatype=ox.NamedNode(datatype)))
    return str(ox.Literal(value))


def turtle_to_ntriples(data: bytes | str) -> bytes:
    """Parse Turtle and re-serialise it as N-Triples (used to merge small files)."""
    buf = io.BytesIO()
    ox.serialize(ox.parse(data, ox.RdfFormat.TURTLE), buf, ox.RdfFormat.N_TRIPLES)
    return buf.getvalue()


def parse_triples(
    data: bytes | str | Path, fmt: str = "ttl", *, base_iri: str | None = None
) -> Iterator[tuple[Term, Term, Term]]:
    """Parse RDF (nt/ttl/rdf/jsonld) into neutral Terms without a store."""
    src: Any = data.read_bytes() if isinstance(data, Path) else data
    try:
        for t in ox.parse(src, RDF_FORMATS[fmt], base_iri=base_iri):
            yield (Term.of(t.subject), Term.of(t.predicate), Term.of(t.object))  # type: ignore[misc]
    except SyntaxError as err:
        from itskg.graph.errors import OntologyError

        raise OntologyError(f"Cannot parse {base_iri or 'RDF data'}: {err}") from err
