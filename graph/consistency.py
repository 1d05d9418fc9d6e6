"""OWL consistency check of the ontology (+ an ABox sample) with HermiT through owlready2.

The store materialises OWL 2 RL entailments with SPARQL rules; this module is the DL-level
check that the TBox modules and a representative ABox sample have a model (e.g. nothing is
both an itskg:Company and an itskg:ITSAcademy). It needs Java (HermiT is a Java reasoner
shipped inside owlready2). Run it on the TBox and a sample, never on the full graph.

The input is prepared for the pitfalls the ontology design lists (section 7):

* owlready2 does not read Turtle: the graphs are converted with rdflib to RDF/XML;
* HermiT rejects ``xsd:date`` / ``xsd:gYear`` (not in the OWL 2 datatype map): such literals
  are dropped, and so are ranges that name those datatypes;
* qb:DimensionProperty / qb:MeasureProperty typing of our properties is punning: every qb:
  structure triple (DSDs, component specifications, qb property types) is left out;
* external properties used in axioms are declared in align.ttl, so they are not annotations.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD

from itskg.graph.errors import ConfigError, DataError, OntologyError, Problem
from itskg.graph.resources import ontology_files

__all__ = ["ConsistencyReport", "check_consistency", "hermit_input"]

QB = "http://purl.org/linked-data/cube#"
# Datatypes outside the OWL 2 datatype map that HermiT refuses.
_UNSUPPORTED = {XSD.date, XSD.gYear, XSD.gYearMonth, XSD.gMonth, XSD.gDay, XSD.gMonthDay,
                XSD.time, XSD.duration}
_QB_TYPES = {URIRef(QB + n) for n in ("DimensionProperty", "MeasureProperty",
                                      "AttributeProperty", "CodedProperty", "ComponentProperty",
                                      "DataStructureDefinition", "ComponentSpecification")}


@dataclass
class ConsistencyReport:
    """``consistent`` is HermiT's verdict; ``message`` explains it; ``inferred`` maps each
    individual IRI to the sorted list of itskg class IRIs HermiT inferred for it (beyond its
    asserted types)."""

    consistent: bool
    message: str
    inferred: dict[str, list[str]] = field(default_factory=dict)


def hermit_input(abox: bytes | None = None, fmt: str = "turtle") -> Graph:
    """The TBox modules plus ``abox``, cleaned for HermiT (see the module docstring)."""
    g = Graph()
    for f in ontology_files():
        g.parse(data=f.read_bytes(), format="turtle")
    if abox:
        try:
            g.parse(data=abox, format=fmt)
        except Exception as err:  # rdflib raises several unrelated types on bad input
            raise DataError("The ABox for the consistency check does not parse.",
                            [Problem(str(err))]) from err
    drop = []
    for s, p, o in g:
        if (isinstance(o, Literal) and o.datatype in _UNSUPPORTED) \
                or (p == RDFS.range and o in _UNSUPPORTED) \
                or (p == RDF.type and o in _QB_TYPES) \
                or str(p).startswith(QB) and p != RDFS.subClassOf:
            drop.append((s, p, o))
    for t in drop:
        g.remove(t)
    return g


def _owlready2() -> Any:
    """owlready2, an optional dependency (extra ``reasoning``), or a ConfigError saying so."""
    try:
        import owlready2
    except ImportError as err:
        raise ConfigError(
            "The consistency check needs owlready2, which is not installed: "
            "pip install 'itskg[reasoning]' (or 'itskg[dev]')."
        ) from err
    return owlready2


def check_consistency(abox: bytes | None = None, fmt: str = "turtle") -> ConsistencyReport:
    """Run HermiT on the ontology modules + ``abox`` (Turtle by default; None = TBox only).

    Raises :class:`~itskg.graph.errors.ConfigError` when Java or the optional dependency
    owlready2 (extra ``reasoning``) is not installed.
    """
    owlready2 = _owlready2()
    if shutil.which("java") is None:
        raise ConfigError("The consistency check needs Java (HermiT runs on the JVM). "
                          "Install a JRE (e.g. apt-get install default-jre) and retry.")

    g = hermit_input(abox, fmt)
    asserted = {(str(s), str(o)) for s, o in g.subject_objects(RDF.type)}
    data = g.serialize(format="xml", encoding="utf-8")
    world = owlready2.World()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "itskg-hermit.owl"
        path.write_bytes(data)
        try:
            onto = world.get_ontology(path.as_uri()).load()
        except Exception as err:  # owlready2 raises plain exceptions on bad input
            raise OntologyError(f"owlready2 could not load the ontology for HermiT: {err}") from err
        try:
            with onto:
                owlready2.sync_reasoner_hermit(world, infer_property_values=True, debug=0)
        except owlready2.OwlReadyInconsistentOntologyError:
            return ConsistencyReport(False, _inconsistency_message(g))
        except owlready2.OwlReadyJavaError as err:
            raise OntologyError(f"HermiT failed: {_tail(str(err))}") from err
    inferred: dict[str, list[str]] = {}
    prefix = "https://w3id.org/itskg/ontology#"
    n = 0
    for iri in sorted({s for s, _o in asserted}):
        ind = world[iri]
        if not isinstance(ind, owlready2.Thing):
            continue
        n += 1
        extra = sorted(
            c.iri for c in ind.INDIRECT_is_a
            if isinstance(c, owlready2.ThingClass) and c.iri.startswith(prefix)
            and (ind.iri, c.iri) not in asserted
        )
        if extra:
            inferred[ind.iri] = extra
    return ConsistencyReport(
        True, f"consistent: HermiT found a model for the ontology and {n} individuals", inferred)


def _tail(text: str, lines: int = 5) -> str:
    return " | ".join(text.strip().splitlines()[-lines:])


def _inconsistency_message(g: Graph) -> str:
    """HermiT says only "inconsistent"; name the resources typed with disjoint classes."""
    supers: dict = {}

    def closure(c: Any) -> set[Any]:
        if c not in supers:
            supers[c] = {c}
            for d in g.objects(c, RDFS.subClassOf):
                supers[c] |= closure(d)
        return supers[c]

    pairs = {(a, b) for a, b in g.subject_objects(OWL.disjointWith)}
    clashes = []
    for s in set(g.subjects(RDF.type, None)):
        types = set().union(*(closure(t) for t in g.objects(s, RDF.type)))
        for a, b in pairs:
            if a in types and b in types:
                clashes.append(f"<{s}> is both <{a}> and <{b}>, declared disjoint")
    if clashes:
        return "inconsistent: " + "; ".join(sorted(clashes)[:10])
    return ("inconsistent: HermiT found no model of the ontology and the ABox (no resource "
            "is typed with two disjoint classes; look for domain/range or inverse clashes)")
