"""The IRIs itskg mints and reuses, and the one prefix map used by files, queries and pages."""

from __future__ import annotations

import re

__all__ = [
    "ABSOLUTE_IRI",
    "BASE",
    "DATA",
    "ESCO_DIGITAL",
    "ESCO_GREEN",
    "ESCO_LANGUAGE_GROUPS",
    "ESCO_TRANSVERSAL_GROUPS",
    "ESCO_TRANSVERSAL_LEVEL",
    "GRAPH",
    "INFERRED_GRAPH",
    "META_GRAPH",
    "ONTOLOGY",
    "ONTOLOGY_GRAPH",
    "PREFIXES",
    "VOCAB",
    "data_iri",
    "is_iri",
    "graph_iri",
    "sparql_prefixes",
    "vocab_iri",
]

BASE = "https://w3id.org/itskg/"
ONTOLOGY = BASE + "ontology#"
ONTOLOGY_IRI = BASE + "ontology"
VOCAB = BASE + "vocab/"
DATA = BASE + "id/"
GRAPH = BASE + "graph/"
SHAPES = BASE + "shapes#"

META_GRAPH = GRAPH + "meta"
ONTOLOGY_GRAPH = GRAPH + "ontology"
INFERRED_GRAPH = GRAPH + "inferred"

NUTS_CODE = "http://data.europa.eu/nuts/code/"
COUNTRY = "http://publications.europa.eu/resource/authority/country/"
EQF = "http://data.europa.eu/snb/eqf/"
ESCO = "http://data.europa.eu/esco/"
# The ESCO collections behind itskg:DigitalSkill, GreenSkill and TransversalSkill.
ESCO_DIGITAL = ESCO + "concept-scheme/6c930acd-c104-4ece-acf7-f44fd7333036"
ESCO_GREEN = ESCO + "concept-scheme/green"
ESCO_TRANSVERSAL_GROUPS = ESCO + "concept-scheme/skill-transversal-groups"
ESCO_LANGUAGE_GROUPS = ESCO + "concept-scheme/skill-language-groups"
ESCO_TRANSVERSAL_LEVEL = ESCO + "skill-reuse-level/transversal"

PREFIXES: dict[str, str] = {
    "itskg": ONTOLOGY,
    "itskgsh": SHAPES,
    "voc": VOCAB,
    "id": DATA,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "xkos": "http://rdf-vocabulary.ddialliance.org/xkos#",
    "dct": "http://purl.org/dc/terms/",
    "org": "http://www.w3.org/ns/org#",
    "rov": "http://www.w3.org/ns/regorg#",
    "schema": "http://schema.org/",
    "esco": "http://data.europa.eu/esco/model#",
    "elm": "http://data.europa.eu/snb/model/elm/",
    "qb": "http://purl.org/linked-data/cube#",
    "sdmx-dimension": "http://purl.org/linked-data/sdmx/2009/dimension#",
    "sdmx-measure": "http://purl.org/linked-data/sdmx/2009/measure#",
    "sdmx-attribute": "http://purl.org/linked-data/sdmx/2009/attribute#",
    "prov": "http://www.w3.org/ns/prov#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "void": "http://rdfs.org/ns/void#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "geo": "http://www.opengis.net/ont/geosparql#",
    "locn": "http://www.w3.org/ns/locn#",
    "time": "http://www.w3.org/2006/time#",
    "nuts": "http://data.europa.eu/nuts/",
    "nutscode": NUTS_CODE,
    "country": COUNTRY,
    "sh": "http://www.w3.org/ns/shacl#",
    "cov": "https://w3id.org/italia/onto/COV/",
}


def vocab_iri(scheme: str, code: str | None = None) -> str:
    """IRI of a vocabulary (``.../vocab/ateco2025``) or of one of its concepts."""
    return f"{VOCAB}{scheme}" if code is None else f"{VOCAB}{scheme}/{code}"


def data_iri(kind: str, key: str) -> str:
    """IRI of a resource itskg mints: ``https://w3id.org/itskg/id/{kind}/{key}``."""
    return f"{DATA}{kind}/{key}"


def graph_iri(source: str) -> str:
    """IRI of the named graph that holds one source layer."""
    return f"{GRAPH}{source}"


def sparql_prefixes(names: list[str] | None = None) -> str:
    """PREFIX lines for a SPARQL query (all known prefixes unless ``names`` is given)."""
    items = PREFIXES.items() if names is None else ((n, PREFIXES[n]) for n in names)
    return "".join(f"PREFIX {k}: <{v}>\n" for k, v in items)


#: An absolute IRI as SPARQL and N-Triples accept it between < >: a scheme, then no control
#: character, space, < > " { } | \\ ^ ` and no lone surrogate (what a %ED%A0%80 in a URL
#: decodes to). Used for every IRI a client sends (pages, named-query parameters).
ABSOLUTE_IRI = re.compile(r'^[A-Za-z][A-Za-z0-9+.-]*:[^\x00-\x20<>"{}|\\^`\x7f\ud800-\udfff]*$')


def is_iri(value: str) -> bool:
    """True when ``value`` can be written as ``<value>`` in SPARQL (an absolute IRI).

    >>> is_iri("https://w3id.org/itskg/id/its/X"), is_iri("http://x/\x01"), is_iri("x y")
    (True, False, False)
    """
    return bool(ABSOLUTE_IRI.match(value))
