"""SPARQL content negotiation: Accept headers (with q-values) and the ``format=`` shortcut.

The Accept parser is hand-written (about 30 lines): no maintained parser is installed, and
the rules needed are small (RFC 9110 section 12.5.1): a media range with parameters, ``q``
between 0 and 1, the most specific matching range decides an offer's quality (``text/csv``
beats ``text/*`` beats ``*/*``), q=0 means "not acceptable", ties go to the server's order.
"""

from __future__ import annotations

from dataclasses import dataclass

from itskg.api.http_errors import NotAcceptableError
from itskg.graph.sparql.results import GRAPH_FORMATS, RESULT_FORMATS

__all__ = [
    "GRAPH_OFFERS",
    "RESULT_OFFERS",
    "MediaRange",
    "choose_format",
    "negotiate",
    "parse_accept",
]

#: media type -> format key, in the server's order of preference (first = default)
RESULT_OFFERS: dict[str, str] = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
    "application/json": "json",
    "application/xml": "xml",
    "text/xml": "xml",
}
GRAPH_OFFERS: dict[str, str] = {
    "text/turtle": "turtle",
    "application/n-triples": "ntriples",
    "application/ld+json": "jsonld",
    "application/rdf+xml": "rdfxml",
    "application/x-turtle": "turtle",
    "text/plain": "ntriples",
    "application/json": "jsonld",
    "application/xml": "rdfxml",
}
# format= values (as SPARQLWrapper, Virtuoso and Fuseki clients send them) -> format key
_RESULT_ALIASES = {"json": "json", "srj": "json", "xml": "xml", "srx": "xml", "csv": "csv",
                   "tsv": "tsv"}
_GRAPH_ALIASES = {"turtle": "turtle", "ttl": "turtle", "ntriples": "ntriples", "nt": "ntriples",
                  "n-triples": "ntriples", "jsonld": "jsonld", "json-ld": "jsonld",
                  "json": "jsonld", "rdfxml": "rdfxml", "rdf+xml": "rdfxml", "rdf": "rdfxml",
                  "xml": "rdfxml"}


@dataclass(frozen=True)
class MediaRange:
    type: str
    subtype: str
    q: float

    def specificity(self, media_type: str) -> int:
        """2 exact, 1 ``type/*``, 0 ``*/*``, -1 no match."""
        t, _, s = media_type.partition("/")
        if self.type == "*":
            return 0
        if self.type != t:
            return -1
        if self.subtype == "*":
            return 1
        return 2 if self.subtype == s else -1


def parse_accept(header: str | None) -> list[MediaRange]:
    """The media ranges of an Accept header; malformed entries are skipped."""
    out: list[MediaRange] = []
    for part in (header or "").split(","):
        fields = [f.strip() for f in part.split(";")]
        t, sep, s = fields[0].lower().partition("/")
        if not sep or not t or not s:
            continue
        q = 1.0
        for f in fields[1:]:
            k, _, v = f.partition("=")
            if k.strip().lower() == "q":
                try:
                    q = min(max(float(v), 0.0), 1.0)
                except ValueError:
                    q = -1.0
        if q >= 0:
            out.append(MediaRange(t, s, q))
    return out


def negotiate(accept: str | None, offers: dict[str, str]) -> str | None:
    """The format key of the best offer for ``accept``, or None when nothing is acceptable."""
    ranges = parse_accept(accept)
    if not ranges:
        return next(iter(offers.values()))
    best: tuple[float, int] = (0.0, 0)
    chosen: str | None = None
    for i, (media, fmt) in enumerate(offers.items()):
        spec, q = -1, 0.0
        for r in ranges:
            sp = r.specificity(media)
            if sp > spec:
                spec, q = sp, r.q
        if spec >= 0 and q > 0 and (q, -i) > best:
            best, chosen = (q, -i), fmt
    return chosen


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
