"""What the SPARQL endpoint says about itself: its graphs, its VoID graph, its liveness query.

The SPARQL text behind ``GET /sparql`` without a query (the SPARQL 1.1 Service Description
lists every named graph with its size), ``GET /.well-known/void`` (the store's metadata graph
plus the endpoint's own ``void:sparqlEndpoint`` triple) and ``GET /health`` (a trivial query
that proves a worker answers). The HTTP routes run them through ``KnowledgeGraph``
(``aread`` for the reading, ``asparql`` for the texts), under the deadline and row cap.

>>> print(void_construct("http://example.org/sparql").split(" WHERE ")[1])
{ GRAPH <https://w3id.org/itskg/graph/meta> { ?s ?p ?o } }
>>> graphs_reading().combine([[{"g": {"type": "uri", "value": "http://g"},
...     "n": {"type": "literal", "value": "3"}}]])[0]
('http://g', 3)
"""

from __future__ import annotations

from itskg.graph.metadata import DATASET_IRI
from itskg.graph.namespaces import META_GRAPH, PREFIXES
from itskg.graph.reports.readings import Reading, Row

__all__ = ["LIVENESS_QUERY", "graphs_reading", "void_construct"]

_VOID = PREFIXES["void"]
#: what /health asks a worker: the cheapest query there is (the look-up lane answers it)
LIVENESS_QUERY = "ASK {}"
_GRAPHS = (f"SELECT ?g ?n WHERE {{ GRAPH <{META_GRAPH}> {{ <{DATASET_IRI}> <{_VOID}subset> ?g "
           f"OPTIONAL {{ ?g <{_VOID}triples> ?n }} }} }} ORDER BY ?g")


def _graphs(answers: list[list[Row]]) -> list[tuple[str, int | None]]:
    out = [(r["g"]["value"], int(r["n"]["value"]) if "n" in r else None) for r in answers[0]]
    return [*out, (META_GRAPH, None)]


def graphs_reading() -> Reading:
    """The named graphs the metadata graph lists (one ``void:subset`` per layer) with their
    triple counts where known, in IRI order, then the metadata graph itself (size unknown):
    ``[(graph IRI, triples or None)]``. Cached per store generation by the facade."""
    return Reading((_GRAPHS,), _graphs)


def void_construct(endpoint: str) -> str:
    """The CONSTRUCT of the VoID description: the metadata graph (DCAT, PROV, VoID, one
    ``void:subset`` per layer) plus ``<dataset> void:sparqlEndpoint <endpoint>``."""
    return (f"CONSTRUCT {{ ?s ?p ?o . <{DATASET_IRI}> <{_VOID}sparqlEndpoint> <{endpoint}> }} "
            f"WHERE {{ GRAPH <{META_GRAPH}> {{ ?s ?p ?o }} }}")
