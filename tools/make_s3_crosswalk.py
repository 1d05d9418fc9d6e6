# ruff: noqa: E501  (a data table: one link per line reads best)
"""Write ontology/data/s3-crosswalk.ttl: the curated S3 domain -> ITS area / ATECO crosswalk.

Run: python tools/make_s3_crosswalk.py   (then commit the .ttl; a test checks they agree)

The links below are CURATED by the itskg project: no official correspondence between regional
S3 priority domains, the DM 203/2023 technological areas and ATECO sections exists. Each link
carries its rationale. Rules followed:

* a domain links to an ITS area when the area's courses train technicians for the domain's
  core activities (by the DM 203/2023 area names), not for any marginal overlap;
* cross-cutting components (digital / ecological transition, skills, social innovation) link
  only where one area is clearly their vehicle (digital -> D10, ecological -> D1);
* an ATECO 2025 section is given only where the domain is essentially that section;
* domains with no ITS counterpart (public administration reform, social inclusion, culture
  and knowledge as research) get no area: CQ36 reports them as "no ITS area matches".
"""

from __future__ import annotations

from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "ontology" / "data" / "s3-crosswalk.ttl"
AREA = "https://w3id.org/itskg/vocab/area-2023/"
ATECO = "https://w3id.org/itskg/vocab/ateco2025/"
S3 = "https://w3id.org/itskg/id/s3/"

# (NUTS2, domain code, areas, ATECO sections, rationale)
LINKS: list[tuple[str, str, tuple[str, ...], tuple[str, ...], str]] = [
    ("ITC1", "PIE-SPI1", ("D2", "D6"), (), "Aerospace: aircraft maintenance and production are taught in the mobility (D2, aeronautics) and mechatronics (D6) areas."),
    ("ITC1", "PIE-SPI2", ("D2",), ("H",), "Sustainable mobility is the name of area D2; its core economic activity is transport (section H)."),
    ("ITC1", "PIE-SPI3", ("D6",), ("C",), "Advanced manufacturing is the field of mechatronics (D6); manufacturing is section C."),
    ("ITC1", "PIE-SPI4", ("D1", "D3"), (), "Green technologies, resources and materials: energy (D1) and chemistry/new materials (D3)."),
    ("ITC1", "PIE-SPI5", ("D4",), ("A", "C"), "Food is the agri-food system (D4); agriculture (A) and food manufacturing (C)."),
    ("ITC1", "PIE-SPI6", ("D3",), ("R",), "Health: life technologies, biomedical and pharmaceutical technicians (D3); health activities are section R."),
    ("ITC1", "PIE-CTI1", ("D10",), (), "The digital transition is carried by the ICT and data area (D10)."),
    ("ITC1", "PIE-CTI2", ("D1",), (), "The ecological transition is carried first by the energy area (D1)."),
    ("ITC4", "LOM-E1", ("D4",), ("A", "C"), "Nutrition: the agri-food system (D4); agriculture (A) and food manufacturing (C)."),
    ("ITC4", "LOM-E2", ("D3",), ("R",), "Health and life science: chemistry and new life technologies (D3); health activities (R)."),
    ("ITC4", "LOM-E4", ("D10",), ("K",), "Connectivity and information: ICT and data (D10); telecommunications and computing are section K."),
    ("ITC4", "LOM-E5", ("D2", "D5"), (), "Smart mobility (D2) and architecture, i.e. the built environment (D5)."),
    ("ITC4", "LOM-E6", ("D1",), (), "Sustainability: energy efficiency and renewables (D1)."),
    ("ITC4", "LOM-E8", ("D6",), ("C",), "Advanced manufacturing: mechatronics (D6); manufacturing (C)."),
    ("ITH3", "VEN-A1", ("D4",), ("A", "C"), "Smart agrifood: the agri-food system (D4); agriculture (A) and food manufacturing (C)."),
    ("ITH3", "VEN-A2", ("D6", "D7"), ("C",), "Smart manufacturing: mechatronics (D6) and, for Veneto's fashion and footwear districts, the fashion system (D7); manufacturing (C)."),
    ("ITH3", "VEN-A3", ("D1", "D5"), (), "Smart living and energy: energy (D1) and home system / built environment (D5)."),
    ("ITH3", "VEN-A4", ("D3",), ("R",), "Smart health: chemistry and new life technologies (D3); health (R)."),
    ("ITH3", "VEN-A5", ("D9",), (), "Culture and creativity: technologies for cultural heritage and activities (D9)."),
    ("ITH3", "VEN-A6", ("D9",), ("I",), "Smart destination (tourism): cultural heritage and tourism (D9); accommodation and food services (I)."),
    ("ITH3", "VEN-M1", ("D3", "D1"), (), "Bioeconomy (biotechnologies, bioenergies, hydrogen): life technologies (D3) and energy (D1)."),
    ("ITH3", "VEN-M2", ("D10",), (), "Space economy (AI, quantum and space technologies): ICT and data (D10) is the ITS counterpart of AI and data."),
    ("ITH4", "FVG-A1", ("D1",), (), "Energy transition, circular economy and environmental sustainability: energy (D1)."),
    ("ITH4", "FVG-A2", ("D6", "D7", "D5"), ("C",), "Smart factory and Made in Italy supply chains: mechatronics (D6), fashion (D7) and home/furniture (D5, FVG's furniture district); manufacturing (C)."),
    ("ITH4", "FVG-A3", ("D2",), ("H",), "Maritime technologies and waterborne mobility: sustainable mobility and logistics (D2); transport (H)."),
    ("ITH4", "FVG-A4", ("D3", "D4"), (), "Health, quality of life, agri-food and bioeconomy: life technologies (D3) and agri-food (D4)."),
    ("ITH4", "FVG-A5", ("D9",), (), "Cultural heritage, design, creative industry, tourism: cultural heritage and tourism (D9)."),
    ("ITH5", "ER-S1", ("D4",), ("A", "C"), "Agri-food: the agri-food system (D4); agriculture (A) and food manufacturing (C)."),
    ("ITH5", "ER-S2", ("D5",), ("F",), "Building and construction: home system and built environment (D5); construction (F)."),
    ("ITH5", "ER-S3", ("D6",), ("C",), "Mechatronics and motor industry: mechatronics (D6); manufacturing (C)."),
    ("ITH5", "ER-S4", ("D3",), ("R",), "Health and well-being industries: life technologies and biomedical (D3); health (R)."),
    ("ITH5", "ER-S5", ("D9",), (), "Cultural and creative industries: cultural heritage and activities (D9)."),
    ("ITH5", "ER-S6", ("D1",), ("D",), "Energy and sustainable development: energy (D1); energy supply (D)."),
    ("ITH5", "ER-S7", ("D8", "D10"), (), "Innovation in services: services to businesses (D8) and ICT (D10)."),
    ("ITH5", "ER-S8", ("D9",), ("I",), "Tourism industry: cultural heritage and tourism (D9); accommodation and food services (I)."),
    ("ITH5", "ER-T1", ("D1",), (), "Sustainability (clean energy, circular economy, blue growth, materials): energy (D1)."),
    ("ITH5", "ER-T2", ("D10",), (), "Digitalisation, AI, big data: ICT and data (D10)."),
    ("ITH5", "ER-T3", ("D6",), (), "Manufacturing 4.0: mechatronics (D6)."),
    ("ITH5", "ER-T4", ("D10",), (), "Connectivity of ground and space systems: ICT and data (D10)."),
    ("ITH5", "ER-T5", ("D2", "D6"), (), "Sustainable and innovative mobility and motor industry: mobility (D2) and mechatronics (D6)."),
    ("ITH5", "ER-T8", ("D9",), (), "Territorial heritage and regional identity (cultural content, creative activities, tourism): D9."),
    ("ITH5", "ER-T11", ("D2", "D6"), (), "Aerospace: aeronautics in mobility (D2) and mechatronics (D6)."),
]
# Domains deliberately left without an ITS area (rationale shown by CQ36).
NO_AREA: list[tuple[str, str, str]] = [
    ("ITC1", "PIE-CTI3", "Social and territorial impact innovation: a policy objective, no ITS area trains for it."),
    ("ITC1", "PIE-CTI4", "Capabilities and skills: cross-cutting to every area, so linked to none."),
    ("ITC4", "LOM-E3", "Culture and knowledge (research and higher education ecosystem): no ITS area corresponds."),
    ("ITC4", "LOM-E7", "Social development: welfare and inclusion, no ITS area corresponds."),
    ("ITH5", "ER-S9", "Urban economy: a policy field across sectors; no ITS area corresponds."),
    ("ITH5", "ER-T6", "Social inclusion, well-being and quality of life: no ITS area corresponds."),
    ("ITH5", "ER-T7", "Security, cities and communities of the future: no single ITS area corresponds."),
    ("ITH5", "ER-T9", "Well-being, nutrition, health, social innovation and participation: too broad for one area."),
    ("ITH5", "ER-T10", "Transformation of public administration: no ITS area corresponds."),
]


def _esc(s: str) -> str:
    return s.replace("\\", "\\\\").replace('"', '\\"')


def render() -> str:
    out = [
        "# Generated by tools/make_s3_crosswalk.py; do not edit by hand (change the tool).",
        "# CURATED correspondences (itskg project), not an official table: see the rationale",
        "# of each link. The direct edges (itskg:relatedTechnologicalArea, itskg:economicDomain)",
        "# are derived from these records by ontology/rules/13_s3_links.rq.",
        "",
        "@prefix itskg: <https://w3id.org/itskg/ontology#> .",
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .",
        "@prefix dct: <http://purl.org/dc/terms/> .",
        "@prefix dcat: <http://www.w3.org/ns/dcat#> .",
        "@prefix prov: <http://www.w3.org/ns/prov#> .",
        "",
        "<> a dcat:Dataset ;",
        '    dct:title "Curated crosswalk: S3 priority domains to ITS technological areas and ATECO sections"@en ,',
        '        "Corrispondenza curata: ambiti prioritari S3, aree tecnologiche ITS e sezioni ATECO"@it ;',
        '    dct:description "Links written by the itskg curators from the names of the priority domains (shared/data/s3) and of the DM 203/2023 areas, each with its rationale. Not an official correspondence."@en ;',
        "    dct:license <https://creativecommons.org/licenses/by/4.0/> ;",
        "    dct:type <https://w3id.org/itskg/vocab/data-kind/curated> ;",
        '    dct:source "itskg curators (tools/make_s3_crosswalk.py), from s3_priority_domains_it.csv and the DM 203/2023 area list on https://www.indire.it/progetto/its-istituti-tecnologici-superiori/" .',
        "",
    ]
    n = 0
    for nuts, code, areas, sections, why in LINKS:
        d = f"<{S3}{nuts}/{code}>"
        for prop, targets in (("relatedTechnologicalArea", [AREA + a for a in areas]),
                              ("economicDomain", [ATECO + s for s in sections])):
            for t in targets:
                n += 1
                out.append(
                    f"<https://w3id.org/itskg/id/s3-crosswalk/{n:03d}> a itskg:CuratedMapping ;\n"
                    f"    dct:type <https://w3id.org/itskg/vocab/data-kind/curated> ;\n"
                    f"    itskg:mappingSubject {d} ; itskg:mappingTarget <{t}> ;\n"
                    f"    itskg:mappedProperty itskg:{prop} ;\n"
                    f'    itskg:rationale "{_esc(why)}"@en .')
        out.append("")
    for nuts, code, why in NO_AREA:
        n += 1
        out.append(
            f"<https://w3id.org/itskg/id/s3-crosswalk/{n:03d}> a itskg:CuratedMapping ;\n"
            f"    dct:type <https://w3id.org/itskg/vocab/data-kind/curated> ;\n"
            f"    itskg:mappingSubject <{S3}{nuts}/{code}> ;\n"
            f"    itskg:mappedProperty itskg:relatedTechnologicalArea ;\n"
            f'    itskg:rationale "No ITS area: {_esc(why)}"@en .')
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    OUT.write_text(render(), encoding="utf-8")
    print(f"wrote {OUT} ({len(LINKS)} domains linked, {len(NO_AREA)} without an area)")
