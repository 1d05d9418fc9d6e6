"""The materialisation rules (ontology/rules/*.rq) on the sample, and agreement with owlrl."""

from __future__ import annotations

import owlrl
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from itskg.graph.namespaces import INFERRED_GRAPH
from itskg.graph.store import KnowledgeStore
from itskg.graph.validate import ontology_graph

ITSKG = "https://w3id.org/itskg/ontology#"
ID = "https://w3id.org/itskg/id/"
ORG = "http://www.w3.org/ns/org#"
SKILL = "http://data.europa.eu/esco/skill/"
ACADEMY = ID + "its/SAMPLE1"
ACME = ID + "company/IT01234567890"
SHORTCUTS = [ORG + "memberOf"] + [ITSKG + p for p in (
    "memberOfFoundation", "collaboratesWith", "eqfLevel", "teachesSkill", "memberOfNetwork",
    "participatesInProject")]
DEFINED = [ITSKG + "DigitalSkill", ITSKG + "GreenSkill", ITSKG + "TransversalSkill"]


def _inferred(st: KnowledgeStore, s: str | None, p: str, o: str | None) -> set[tuple[str, str]]:
    rows = st.select(
        f"SELECT ?s ?o {{ GRAPH <{INFERRED_GRAPH}> {{ ?s <{p}> ?o }} }}")
    return {(r["s"].value, r["o"].value) for r in rows
            if (s is None or r["s"].value == s) and (o is None or r["o"].value == o)}


def test_membership_chain_gives_member_of_foundation_and_org_member_of(sample_store) -> None:
    members = {s for s, _ in _inferred(sample_store, None, ITSKG + "memberOfFoundation", ACADEMY)}
    assert len(members) == 5 and ACME in members
    assert (ACME, ACADEMY) in _inferred(sample_store, ACME, ORG + "memberOf", None)
    # network and project chains
    assert _inferred(sample_store, ACADEMY, ITSKG + "memberOfNetwork", None) == {
        (ACADEMY, ID + "network/SAMPLE-NET")}
    assert _inferred(sample_store, ACADEMY, ITSKG + "participatesInProject", None) == {
        (ACADEMY, ID + "project/COVE-SAMPLE")}


def test_collaboration_chain(sample_store) -> None:
    assert _inferred(sample_store, None, ITSKG + "collaboratesWith", None) == {(ACME, ACADEMY)}


def test_course_chains_eqf_level_and_taught_skills(sample_store) -> None:
    digital6 = ID + "course/SAMPLE1/2023/digital6"
    mecca = ID + "course/SAMPLE1/2023/mecca"
    assert _inferred(sample_store, None, ITSKG + "eqfLevel", None) == {
        (digital6, "http://data.europa.eu/snb/eqf/6")}  # mecca states its level itself
    assert _inferred(sample_store, None, ITSKG + "teachesSkill", None) == {
        (digital6, SKILL + "sample-transversal-1"), (digital6, SKILL + "sample-transversal-2"),
        (mecca, SKILL + "sample-digital-1")}


def test_inverses_are_not_materialised_but_answerable_with_paths(sample_store) -> None:
    assert not _inferred(sample_store, ACADEMY, ITSKG + "hasFoundationMember", None)
    rows = sample_store.select(
        f"SELECT ?m {{ <{ACADEMY}> ^<{ITSKG}memberOfFoundation> ?m }}")
    assert ACME in {r["m"].value for r in rows}


def test_sub_property_closure_towards_itskg_and_org_member_of(sample_store) -> None:
    assert (ACME, ACADEMY) in _inferred(sample_store, ACME, ORG + "memberOf", None)
    # other external alignments stay in the TBox only
    assert not _inferred(sample_store, None, ORG + "member", None)
    assert not _inferred(sample_store, ACME, "http://www.w3.org/ns/regorg#orgActivity", None)


def test_sub_class_closure(sample_store) -> None:
    types = {o for _, o in _inferred(sample_store, ACADEMY, str(RDF.type), None)}
    assert types == {ITSKG + "EducationProvider", ITSKG + "Organisation", ORG + "Organization"}


def test_defined_skill_classes(sample_store) -> None:
    got = {(s.removeprefix(SKILL), o.removeprefix(ITSKG)) for c in DEFINED
           for s, o in _inferred(sample_store, None, str(RDF.type), c)}
    assert got == {("sample-digital-1", "DigitalSkill"), ("sample-green-1", "GreenSkill"),
                   ("sample-transversal-1", "TransversalSkill"),
                   ("sample-transversal-2", "TransversalSkill")}  # sample-untyped: no esco:Skill


def test_rules_add_nothing_already_stated(sample_store) -> None:
    # mecca states eqfLevel 5; the chain derives it again but it must not be restated
    assert not sample_store.ask(
        f"ASK {{ GRAPH <{INFERRED_GRAPH}> {{ <{ID}course/SAMPLE1/2023/mecca> "
        f"<{ITSKG}eqfLevel> ?l }} }}")


@pytest.fixture(scope="module")
def owlrl_closure(sample_ttl) -> Graph:
    g = Graph()
    for t in ontology_graph():
        g.add(t)
    g.parse(sample_ttl)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(g)
    return g


@pytest.mark.parametrize("prop", SHORTCUTS, ids=lambda p: p.rsplit("#", 1)[-1])
def test_shortcuts_agree_with_owlrl(sample_store, owlrl_closure: Graph, prop: str) -> None:
    expected = {(str(s), str(o)) for s, o in owlrl_closure.subject_objects(URIRef(prop))
                if not isinstance(s, Literal) and not isinstance(o, Literal)}
    rows = sample_store.select(f"SELECT ?s ?o {{ ?s <{prop}> ?o }}")
    assert {(r["s"].value, r["o"].value) for r in rows} == expected
    assert expected


@pytest.mark.parametrize("cls", DEFINED, ids=lambda c: c.rsplit("#", 1)[-1])
def test_defined_classes_agree_with_owlrl(sample_store, owlrl_closure: Graph, cls: str) -> None:
    expected = {str(s) for s in owlrl_closure.subjects(RDF.type, URIRef(cls))}
    rows = sample_store.select(f"SELECT ?s {{ ?s a <{cls}> }}")
    assert {r["s"].value for r in rows} == expected
    assert expected


def test_one_ordered_pass_reaches_the_fixpoint(sample_store) -> None:
    from itskg.graph.reasoning import load_rules

    for rule in load_rules():
        for s, p, o in sample_store.query(rule).triples():
            assert sample_store.ask(f"ASK {{ {s.n3()} {p.n3()} {o.n3()} }}"), (s, p, o)
