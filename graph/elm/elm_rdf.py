"""One qualification as RDF in ELM 3.1 terms, and as ELM JSON-LD.

Only properties of the ELM LOQ application profile are written (its shapes are closed), so
what the shapes report is exactly what the data lack. Referenced concepts (EQF and NQF
levels, ISCED-F fields, ESCO skills, the country) are described inline with their scheme, as
Europass expects, because the shapes check ``sh:class skos:Concept`` and ``skos:inScheme``.
"""

from __future__ import annotations

import json
from typing import Any

from rdflib import RDF, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, SKOS

from itskg.graph.elm.derive import ISCED, Qualification

__all__ = ["CONTEXT", "ELM", "qualification_graph", "qualification_jsonld"]

ELM = Namespace("http://data.europa.eu/snb/model/elm/")
ROV = Namespace("http://www.w3.org/ns/regorg#")
EQF_SCHEME = URIRef("http://data.europa.eu/snb/eqf/25831c2")
ISCED_SCHEME = URIRef(ISCED + "25831c2")
QDR_SCHEME = URIRef("http://data.europa.eu/snb/qdr/25831c2")
COUNTRY_SCHEME = URIRef("http://publications.europa.eu/resource/authority/country")
ITALY = URIRef("http://publications.europa.eu/resource/authority/country/ITA")
CONTEXT = {"elm": str(ELM), "dc": str(DCTERMS), "skos": str(SKOS), "rov": str(ROV),
           "xsd": str(XSD)}
SYNTHETIC_NOTE = {
    "en": "Synthetic: derived by itskg from generated (synthetic) courses for demonstration; "
          "not a real qualification.",
    "it": "Sintetico: derivato da itskg da percorsi generati (sintetici) a scopo dimostrativo; "
          "non è un titolo reale.",
}


def _concept(g: Graph, node: URIRef, scheme: URIRef | None, labels: dict[str, str]) -> URIRef:
    g.add((node, RDF.type, SKOS.Concept))
    if scheme is not None:
        g.add((node, SKOS.inScheme, scheme))
        g.add((scheme, RDF.type, SKOS.ConceptScheme))
    for lang, text in labels.items():
        g.add((node, SKOS.prefLabel, Literal(text, lang=lang)))
    return node


def qualification_graph(q: Qualification, g: Graph | None = None) -> Graph:
    """Add ``q`` in ELM terms to ``g`` (a new graph by default) and return the graph."""
    g = Graph() if g is None else g
    g.bind("elm", ELM)
    g.bind("dc", DCTERMS)
    g.bind("skos", SKOS)
    g.bind("rov", ROV)
    s = URIRef(q.iri)
    g.add((s, RDF.type, ELM.Qualification))
    for lang, text in q.title.items():
        g.add((s, DCTERMS.title, Literal(text, lang=lang)))
    if q.eqf:
        level = q.eqf.rstrip("/").rsplit("/", 1)[-1]
        g.add((s, ELM.EQFLevel, _concept(g, URIRef(q.eqf), EQF_SCHEME,
                                         {"en": f"EQF level {level}",
                                          "it": f"Livello EQF {level}"})))
    for code, label in q.isced:
        g.add((s, ELM.ISCEDFCode, _concept(g, URIRef(ISCED + code), ISCED_SCHEME, {"en": label})))
    for nqf in q.nqf:
        g.add((s, ELM.NQFLevel, _concept(g, URIRef(nqf), QDR_SCHEME, {})))
    for skill, labels in q.outcomes:
        lo = URIRef(f"{q.iri}#outcome-{skill.rstrip('/').rsplit('/', 1)[-1]}")
        g.add((s, ELM.learningOutcome, lo))
        g.add((lo, RDF.type, ELM.LearningOutcome))
        for lang, text in labels.items():
            g.add((lo, DCTERMS.title, Literal(text, lang=lang)))
        g.add((lo, ELM.relatedESCOSkill, _concept(g, URIRef(skill), None, labels)))
    if q.hours:
        g.add((s, ELM.volumeOfLearning, Literal(f"PT{q.hours}H", datatype=XSD.duration)))
    org = URIRef(q.academy)
    ao = URIRef(f"{q.iri}#awarding")
    g.add((s, ELM.awardingOpportunity, ao))
    g.add((ao, RDF.type, ELM.AwardingOpportunity))
    g.add((ao, ELM.awardingBody, org))
    g.add((ao, ELM.learningAchievementSpecification, s))
    g.add((org, RDF.type, ELM.Organisation))
    for lang, text in q.academy_name.items():
        g.add((org, ROV.legalName, Literal(text, lang=lang)))
    loc, addr = URIRef(q.academy + "#seat"), URIRef(q.academy + "#seat-address")
    g.add((org, ELM.location, loc))
    g.add((loc, RDF.type, DCTERMS.Location))
    if q.municipality:
        g.add((loc, ELM.geographicName, Literal(q.municipality, lang="it")))
    g.add((loc, ELM.address, addr))
    g.add((addr, RDF.type, ELM.Address))
    g.add((addr, ELM.countryCode, _concept(g, ITALY, COUNTRY_SCHEME,
                                           {"en": "Italy", "it": "Italia"})))
    if q.synthetic:
        note = URIRef(f"{q.iri}#synthetic")
        g.add((s, ELM.additionalNote, note))
        g.add((note, RDF.type, ELM.Note))
        for lang, text in SYNTHETIC_NOTE.items():
            g.add((note, ELM.noteLiteral, Literal(text, lang=lang)))
    return g


def qualification_jsonld(q: Qualification) -> dict[str, Any]:
    """``q`` as a JSON-LD document (ELM terms, compacted with the elm/dc/skos prefixes)."""
    text = qualification_graph(q).serialize(format="json-ld", context=CONTEXT, indent=1)
    doc: dict[str, Any] = json.loads(text)
    return doc
