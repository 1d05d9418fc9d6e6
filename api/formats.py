"""The SPARQL protocol's format choice: the ``format=`` shortcut and its aliases, then Accept.

The one Accept parser is the library's (``itskg.graph.answers.negotiate``: the named-query
routes and the Linked Data pages use it too); this module adds what only the /sparql
protocol accepts: the ``format=`` names SPARQLWrapper, Virtuoso and Fuseki clients send,
and the 406 that says which media types would do.
"""

from __future__ import annotations

from itskg.api.http_errors import NotAcceptableError
from itskg.graph.answers import GRAPH_OFFERS, RESULT_OFFERS, negotiate
from itskg.graph.sparql.results import GRAPH_FORMATS, RESULT_FORMATS

__all__ = ["choose_format"]

# format= values (as SPARQLWrapper, Virtuoso and Fuseki clients send them) -> format key
_RESULT_ALIASES = {"json": "json", "srj": "json", "xml": "xml", "srx": "xml", "csv": "csv",
                   "tsv": "tsv"}
_GRAPH_ALIASES = {"turtle": "turtle", "ttl": "turtle", "ntriples": "ntriples", "nt": "ntriples",
                  "n-triples": "ntriples", "jsonld": "jsonld", "json-ld": "jsonld",
                  "json": "jsonld", "rdfxml": "rdfxml", "rdf+xml": "rdfxml", "rdf": "rdfxml",
                  "xml": "rdfxml"}


def choose_format(is_graph: bool, accept: str | None, format_param: str | None) -> str:
    """Pick the format key for a query result (or raise NotAcceptableError, 406)."""
    offers = GRAPH_OFFERS if is_graph else RESULT_OFFERS
    kind = "CONSTRUCT/DESCRIBE (RDF graph)" if is_graph else "SELECT/ASK"
    if format_param:
        value = format_param.strip().lower()
        aliases = _GRAPH_ALIASES if is_graph else _RESULT_ALIASES
        fmt = aliases.get(value) or offers.get(value.split(";")[0].strip())
        if fmt is None:
            raise NotAcceptableError(
                f"format={format_param!r} does not fit a {kind} result; use one of "
                f"{', '.join(sorted(set(aliases)))}."
            )
        return fmt
    fmt = negotiate(accept, offers)
    if fmt is None:
        media = GRAPH_FORMATS if is_graph else RESULT_FORMATS
        raise NotAcceptableError(
            f"None of the media types in 'Accept: {accept}' can represent a {kind} result. "
            f"Available: {', '.join(m.split(';')[0] for m in media.values())}."
        )
    return fmt
