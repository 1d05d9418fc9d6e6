"""Every shipped ontology, vocabulary, shapes and rule file parses and is documented."""

from __future__ import annotations

import re

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from itskg.graph.namespaces import ONTOLOGY, graph_iri
from itskg.graph.resources import ontology_files, rule_files, shape_files, vocab_files
from itskg.graph.validate import load_shapes, ontology_graph

ONTOLOGY_IRI = URIRef("https://w3id.org/itskg/ontology")
MODULES = {"core", "membership", "education", "skills", "collaboration", "mobility",
           "projects", "indicators", "s3", "meta", "align"}
DCT = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
DCAT = "http://www.w3.org/ns/dcat#"


def _ours(g: Graph) -> list[URIRef]:
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
    return sorted({s for k in kinds for s in g.subjects(RDF.type, k)
                   if isinstance(s, URIRef) and str(s).startswith(ONTOLOGY)})


def test_all_modules_are_shipped() -> None:
    assert {f.name[:-4] for f in ontology_files()} == MODULES


@pytest.mark.parametrize("f", ontology_files() + vocab_files() + shape_files(),
                         ids=lambda f: f.name)
def test_turtle_parses_in_rdflib_and_oxigraph(f) -> None:
    base = graph_iri(f.name[:-4])
    g = Graph().parse(data=f.read_bytes(), format="turtle", publicID=base)
    n = sum(1 for _ in ox.parse(f.read_bytes(), ox.RdfFormat.TURTLE, base_iri=base))
    assert len(g) == n > 10


@pytest.mark.parametrize("f", rule_files(), ids=lambda f: f.name)
def test_rules_are_construct_queries_that_parse(f) -> None:
    text = f.read_text()
    assert re.search(r"^CONSTRUCT\b", text, re.M)
    assert "NOT EXISTS" not in text.upper()  # slow in Oxigraph on big stores
    assert list(ox.Store().query(text)) == []  # parses and runs on an empty store


@pytest.mark.parametrize("term", _ours(ontology_graph()), ids=lambda t: t.split("#")[1])
def test_every_term_has_it_en_labels_comments_and_is_defined_by(term: URIRef) -> None:
    g = ontology_graph()
    for prop in (RDFS.label, RDFS.comment):
        langs = sorted(o.language for o in g.objects(term, prop) if isinstance(o, Literal))
        assert langs == ["en", "it"], f"{term} {prop}: {langs}"
    assert (term, RDFS.isDefinedBy, ONTOLOGY_IRI) in g


def test_agreed_core_terms_are_declared() -> None:
    agreed = """ITSAcademy Company University SecondarySchool TrainingProvider ResearchOrganisation
    PublicAuthority Organisation Network NetworkMembership FoundationMembership Course
    CompanyCollaboration MobilityFlow IndicatorObservation DigitalSkill GreenSkill TransversalSkill
    shortName seatRegion locatedInRegion seatMunicipality municipalityCode technologicalArea
    ipaCode vatNumber taxCode primaryActivity foundationMember partnerType startDate endDate
    memberOfFoundation eqfLevel totalHours internshipHours cohortStartYear cohortEndYear
    teachesSkill targetsOccupation leadsToQualification collaboratingCompany
    collaboratingProvider collaborationType relatedCourse internsHosted teachingHours year
    collaboratesWith sendingOrganisation receivingOrganisation originCountry destinationCountry
    originRegion destinationRegion mobilityType direction participants refITS enrolled graduates
    employedAt12Months employedCoherently dropouts employmentRate12m requiresSkill
    abroadInternshipHours industryTeachingShare semesters picNumber euContribution
    participantDays applicants eligible coherentEmploymentRate dropoutRate demandCount
    demandShare toolVersion sourceFile sha256 rowCount""".split()
    declared = {str(t)[len(ONTOLOGY):] for t in _ours(ontology_graph())}
    assert sorted(set(agreed) - declared) == []


def test_only_one_owl_ontology_header_and_no_imports() -> None:
    g = ontology_graph()
    assert list(g.subjects(RDF.type, OWL.Ontology)) == [ONTOLOGY_IRI]
    assert list(g.triples((None, OWL.imports, None))) == []


def test_qb_punning_stays_in_mobility_and_indicators() -> None:
    qb = "http://purl.org/linked-data/cube#"
    for f in ontology_files():
        if qb + "DimensionProperty" in f.read_text() or "qb:DimensionProperty" in f.read_text():
            assert f.name in {"mobility.ttl", "indicators.ttl"}


def _used_itskg_terms(text: str) -> set[str]:
    full = set(re.findall(r"<https://w3id\.org/itskg/ontology#([A-Za-z0-9_-]+)>", text))
    short = set(re.findall(r"\bitskg:([A-Za-z][A-Za-z0-9_-]*)", text))
    return full | short


@pytest.mark.parametrize("f", shape_files() + rule_files(), ids=lambda f: f.name)
def test_shapes_and_rules_use_only_declared_itskg_terms(f) -> None:
    declared = {str(t)[len(ONTOLOGY):] for t in _ours(ontology_graph())}
    assert sorted(_used_itskg_terms(f.read_text()) - declared) == []


def test_shapes_namespace_and_messages() -> None:
    sh = "http://www.w3.org/ns/shacl#"
    g = load_shapes()
    shapes = set(g.subjects(RDF.type, URIRef(sh + "NodeShape")))
    assert shapes and all(str(s).startswith("https://w3id.org/itskg/shapes#") for s in shapes)
    # every constraint (property shape, SPARQL constraint) carries an English message
    for kind in ("property", "sparql"):
        for node in g.objects(None, URIRef(sh + kind)):
            msgs = [m for m in g.objects(node, URIRef(sh + "message")) if m.language == "en"]
            assert msgs, f"{kind} {node} has no @en sh:message"


@pytest.mark.parametrize("f", vocab_files(), ids=lambda f: f.name)
def test_vocab_files_describe_themselves(f) -> None:
    me = URIRef(graph_iri(f.name[:-4]))
    g = Graph().parse(data=f.read_bytes(), format="turtle", publicID=str(me))
    assert (me, RDF.type, URIRef(DCAT + "Dataset")) in g
    titles = {o.language for o in g.objects(me, URIRef(DCT + "title"))}
    assert titles == {"en", "it"}
    assert g.value(me, URIRef(DCT + "license")) is not None
    assert g.value(me, URIRef(DCT + "source")) is not None
    assert g.value(me, URIRef(PROV + "wasDerivedFrom")) is not None


def test_areas_follow_the_reference_csv() -> None:
    f = next(f for f in vocab_files() if f.name == "areas.ttl")
    g = Graph().parse(data=f.read_bytes(), format="turtle")
    skos = "http://www.w3.org/2004/02/skos/core#"
    a08 = "https://w3id.org/itskg/vocab/area-2008/"
    a23 = "https://w3id.org/itskg/vocab/area-2023/"
    concepts = set(g.subjects(RDF.type, URIRef(skos + "Concept")))
    assert len(concepts) == 21
    assert (URIRef(a08 + "A4.3"), URIRef(skos + "broader"), URIRef(a08 + "A4")) in g
    assert (URIRef(a08 + "A4.3"), URIRef(skos + "closeMatch"), URIRef(a23 + "D6")) in g
    assert len(list(g.objects(URIRef(a08 + "A4"), URIRef(skos + "closeMatch")))) == 5
    assert Literal("Meccatronica", lang="it") in set(g.objects(URIRef(a23 + "D6"),
                                                               URIRef(skos + "prefLabel")))
    notes = " ".join(str(o) for o in g.objects(URIRef(a23 + "D6"), URIRef(skos + "note")))
    assert "compiler translation" in notes
    assert g.value(URIRef(a08 + "A1"), URIRef(DCT + "source")) is not None


def test_data_kind_concepts_match_the_store_kinds() -> None:
    f = next(f for f in vocab_files() if f.name == "codelists.ttl")
    g = Graph().parse(data=f.read_bytes(), format="turtle")
    base = "https://w3id.org/itskg/vocab/data-kind/"
    kinds = {str(s)[len(base):] for s in g.subjects() if str(s).startswith(base)}
    assert kinds == {"real", "synthetic", "curated", "ontology", "inferred", "meta"}
