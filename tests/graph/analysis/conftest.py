"""A small hand-built ecosystem with known network figures.

Academies A1, A2 (Emilia-Romagna, area D6) and A3, A4 (Lombardia, area D1). Members:
c1-c3 sit on A1 and A2, c4-c6 (synthetic) on A3 and A4, the broker b1 on A2 and A3, c7
only on A1 (since 2023). So academy-academy is the path A1 -3- A2 -1- A3 -3- A4.
Courses: A1 teaches s1, s2; A2 s1; A3 s3; A4 s3, s4. Mobility: A1 -> PRT 5 (2023),
A3 -> PRT 2 (2022), A3 -> ESP 4 (2023).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from itskg.graph.store import KnowledgeStore, Layer

P = """
@prefix itskg: <https://w3id.org/itskg/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix elm: <http://data.europa.eu/snb/model/elm/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix nutsp: <http://data.europa.eu/nuts/> .
@prefix nuts: <http://data.europa.eu/nuts/code/> .
@prefix ctry: <http://publications.europa.eu/resource/authority/country/> .
@prefix ateco: <https://w3id.org/itskg/vocab/ateco2025/> .
@prefix area: <https://w3id.org/itskg/vocab/area-2023/> .
@prefix its: <https://w3id.org/itskg/id/its/> .
@prefix co: <https://w3id.org/itskg/id/company/> .
@prefix mem: <https://w3id.org/itskg/id/membership/> .
@prefix crs: <https://w3id.org/itskg/id/course/> .
@prefix flow: <https://w3id.org/itskg/id/flow/> .
@prefix esco: <http://data.europa.eu/esco/skill/> .
@prefix role: <https://w3id.org/itskg/vocab/member-role/> .
@prefix pt: <https://w3id.org/itskg/vocab/partner-type/> .
@prefix dir: <https://w3id.org/itskg/vocab/mobility-direction/> .
"""
SYN = "<https://w3id.org/itskg/vocab/data-kind/synthetic>"


def _ttl() -> str:
    lines = [P]
    nuts = [("ITH", 1, None, "Nord-Est"), ("ITH5", 2, "ITH", "Emilia-Romagna"),
            ("ITH55", 3, "ITH5", "Bologna"), ("ITC", 1, None, "Nord-Ovest"),
            ("ITC4", 2, "ITC", "Lombardia"), ("ITC4C", 3, "ITC4", "Milano")]
    for code, level, up, name in nuts:
        b = f" ; skos:broader nuts:{up}" if up else ""
        lines.append(f'nuts:{code} a skos:Concept ; skos:inScheme <http://data.europa.eu/nuts/'
                     f'scheme/2024> ; skos:notation "{code}" ; nutsp:level {level} ; '
                     f'skos:prefLabel "{name}"@it{b} .')
    for code, name in (("PRT", "Portogallo"), ("ESP", "Spagna")):
        lines.append(f'ctry:{code} a skos:Concept ; skos:notation "{code}" ; skos:prefLabel '
                     f'"{name}"@it ; skos:inScheme <http://publications.europa.eu/resource/'
                     f'authority/country> .')
    for code, name in (("D1", "Energia"), ("D6", "Sistema meccanica")):
        lines.append(f'area:{code} a skos:Concept ; skos:inScheme <https://w3id.org/itskg/vocab/'
                     f'area-2023> ; skos:notation "{code}" ; skos:prefLabel "{name}"@it .')
    ateco = [("C", None, "Manifattura"), ("28", "C", "Macchinari"), ("28.1", "28", "Macchine"),
             ("28.11", "28.1", "Motori"), ("J", None, "Informazione"), ("62", "J", "Software"),
             ("62.10", "62", "Programmazione")]
    for code, up, name in ateco:
        b = f" ; skos:broader ateco:{up}" if up else (
            " ; skos:topConceptOf <https://w3id.org/itskg/vocab/ateco2025>")
        lines.append(f'<https://w3id.org/itskg/vocab/ateco2025/{code}> a skos:Concept ; '
                     f'skos:inScheme <https://w3id.org/itskg/vocab/ateco2025> ; skos:notation '
                     f'"{code}" ; skos:prefLabel "{name}"@it{b} .')
    academies = [("A1", "ITH5", "D6"), ("A2", "ITH5", "D6"), ("A3", "ITC4", "D1"),
                 ("A4", "ITC4", "D1")]
    for a, r, ar in academies:
        lines.append(f'its:{a} a itskg:ITSAcademy ; skos:prefLabel "ITS {a}"@it ; '
                     f'itskg:seatRegion nuts:{r} ; itskg:technologicalArea area:{ar} .')
    companies = {"c1": ("ITH55", "28.11", False), "c2": ("ITH55", "28.11", False),
                 "c3": ("ITH55", "28.11", False), "c4": ("ITC4C", "62.10", True),
                 "c5": ("ITC4C", "62.10", True), "c6": ("ITC4C", "62.10", True),
                 "b1": ("ITH55", "62.10", False), "c7": ("ITH55", "28.11", False)}
    for c, (r, act, syn) in companies.items():
        t = f" ; dct:type {SYN}" if syn else ""
        lines.append(f'co:{c} a itskg:Company ; skos:prefLabel "Impresa {c}"@it ; '
                     f'itskg:locatedInRegion nuts:{r} ; itskg:primaryActivity '
                     f'<https://w3id.org/itskg/vocab/ateco2025/{act}>{t} .')
    members = [("c1", "A1"), ("c1", "A2"), ("c2", "A1"), ("c2", "A2"), ("c3", "A1"),
               ("c3", "A2"), ("c4", "A3"), ("c4", "A4"), ("c5", "A3"), ("c5", "A4"),
               ("c6", "A3"), ("c6", "A4"), ("b1", "A2"), ("b1", "A3"), ("c7", "A1")]
    for i, (c, a) in enumerate(members):
        syn = companies[c][2]
        start = "2023-01-01" if c == "c7" else "2018-05-01"
        t = f" ; dct:type {SYN}" if syn else ""
        lines.append(f'mem:m{i} a itskg:FoundationMembership ; itskg:foundationMember '
                     f'co:{c} ; org:organization its:{a} ; org:role role:founder ; '
                     f'itskg:partnerType pt:company ; itskg:startDate "{start}"^^xsd:date{t} .')
    skills = {"s1": "saldare", "s2": "programmare PLC", "s3": "gestire reti",
              "s4": "analizzare dati"}
    for s, name in skills.items():
        lines.append(f'esco:{s} a skos:Concept ; skos:prefLabel "{name}"@it .')
    courses = [("A1", "s1"), ("A1", "s2"), ("A2", "s1"), ("A3", "s3"), ("A4", "s3"),
               ("A4", "s4")]
    for i, (a, s) in enumerate(courses):
        lines.append(f'crs:k{i} a itskg:Course ; elm:providedBy its:{a} ; '
                     f'itskg:teachesSkill esco:{s} ; itskg:cohortStartYear "2023"^^xsd:gYear .')
    flows = [("A1", "PRT", 5, 2023), ("A3", "PRT", 2, 2022), ("A3", "ESP", 4, 2023)]
    for i, (a, c, n, y) in enumerate(flows):
        lines.append(f'flow:f{i} a itskg:MobilityFlow ; itskg:sendingOrganisation its:{a} ;'
                     f' itskg:destinationCountry ctry:{c} ; itskg:participants {n} ; '
                     f'itskg:year "{y}"^^xsd:gYear ; itskg:direction dir:outgoing .')
    return "\n".join(lines) + "\n"


def make_store(path: Path) -> Path:
    with KnowledgeStore.open(path, read_only=False) as st:
        st.replace_layers([Layer("tiny", "Tiny ecosystem", _ttl().encode(), format="ttl")],
                          fresh=True)
    return path


@pytest.fixture(scope="session")
def tiny_store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny ecosystem store (read it only)."""
    return make_store(tmp_path_factory.mktemp("net") / "store")


@pytest.fixture
def tiny(tiny_store_path: Path):
    with KnowledgeStore.open(tiny_store_path) as st:
        yield st
