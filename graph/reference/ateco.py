"""ATECO 2025 and ATECO 2007 (ISTAT) as SKOS schemes, built from the ``ateco`` PyPI package.

One layer, source ``ateco``, graph ``https://w3id.org/itskg/graph/ateco``:

* schemes ``voc:ateco2025`` and ``voc:ateco2007``; every node of the package is a
  ``skos:Concept`` at ``https://w3id.org/itskg/vocab/ateco{edition}/{code}`` with the code as
  ISTAT writes it (``K``, ``62``, ``62.1``, ``62.10``, ``62.10.0``, ``62.10.00``):
  ``skos:notation``, ``skos:prefLabel`` (the ISTAT title, ``@it`` only: no English is invented),
  ``skos:broader``/``skos:narrower``, ``skos:topConceptOf`` for sections and ``skos:scopeNote``
  (the ISTAT "centrale" note of ATECO 2025, the note text of ATECO 2007);
* levels as XKOS: ``.../vocab/ateco2025/level/{1..6}`` is an ``xkos:ClassificationLevel`` with
  ``xkos:depth`` (1 section .. 6 subcategory) and ``skos:member`` to each concept of that level.
  ``xkos:depth`` is not put on the concepts: its domain is ``xkos:ClassificationLevel``. Query
  ``?level skos:member ?concept ; xkos:depth 4`` for the classes;
* NACE: ATECO 2025 ``skos:exactMatch`` NACE Rev. 2.1 (``http://data.europa.eu/ux2/nace2.1/{code
  without dots}``) from section to class, and categories/subcategories ``skos:broadMatch`` their
  NACE class; ATECO 2007 likewise to NACE Rev. 2 (``http://data.europa.eu/ux2/nace2/...``);
* ATECO 2007 -> 2025 through ISTAT's theoretical 2025<->2022 correspondence bundled in the package
  (ATECO 2007 "aggiornamento 2022" keeps the 2007 codes; a 2007 code absent from the 2022 edition
  gets no link). The SKOS mapping follows the table's cardinalities: 1:1 -> ``skos:exactMatch``;
  the 2025 code also receives other 2022 codes (it is wider) -> ``skos:broadMatch``; the 2022 code
  is split over several 2025 codes (the 2025 code is narrower) -> ``skos:narrowMatch``; many to
  many -> ``skos:relatedMatch``. ``skos:closeMatch`` is not used because it would claim a near
  equivalence that a partial correspondence does not give.
"""

from __future__ import annotations

from typing import Any

from itskg.graph.namespaces import PREFIXES, vocab_iri
from itskg.graph.rdfwriter import NTriplesWriter, lit
from itskg.graph.store import Layer

__all__ = ["ATECO_LICENSE", "LEVELS", "ateco_layer", "ateco_ntriples", "concept_iri"]

ATECO_LICENSE = "https://creativecommons.org/licenses/by/4.0/"
NACE21 = "http://data.europa.eu/ux2/nace2.1/"
NACE2 = "http://data.europa.eu/ux2/nace2/"

# package level name -> (xkos:depth, Italian name used by ISTAT)
LEVELS: dict[str, tuple[int, str]] = {
    "section": (1, "sezione"),
    "division": (2, "divisione"),
    "group": (3, "gruppo"),
    "class": (4, "classe"),
    "category": (5, "categoria"),
    "subcategory": (6, "sottocategoria"),
}

RDF_TYPE = PREFIXES["rdf"] + "type"
SKOS = PREFIXES["skos"]
XKOS = PREFIXES["xkos"]
DCT = PREFIXES["dct"]
PROV = PREFIXES["prov"]

_EDITIONS = {
    "2025": ("ATECO 2025", NACE21, "NACE Rev. 2.1", "centrale"),
    "2007": ("ATECO 2007", NACE2, "NACE Rev. 2", "text"),
}


def concept_iri(edition: str, code: str) -> str:
    """IRI of an ATECO concept, e.g. ``concept_iri("2025", "62.10")``."""
    return vocab_iri(f"ateco{edition}", code)


def _nace_code(code: str) -> str:
    return code.replace(".", "")


def _write_edition(w: NTriplesWriter, edition: str, nodes: dict[str, dict[str, Any]]) -> None:
    title, nace_ns, nace_name, note_key = _EDITIONS[edition]
    scheme = vocab_iri(f"ateco{edition}")
    w.iri(scheme, RDF_TYPE, SKOS + "ConceptScheme")
    w.lit(scheme, SKOS + "prefLabel", title, lang="it")
    w.lit(scheme, SKOS + "prefLabel", title, lang="en")
    w.lit(scheme, DCT + "title",
          f"{title} – classificazione delle attività economiche (ISTAT)", lang="it")
    w.lit(scheme, DCT + "title",
          f"{title} – classification of economic activities (ISTAT)", lang="en")
    w.lit(scheme, DCT + "publisher", "Istituto Nazionale di Statistica (ISTAT)")
    w.lit(scheme, XKOS + "numberOfLevels", len(LEVELS))
    w.lit(scheme, SKOS + "note",
          f"Codes down to class level (4 digits) coincide with {nace_name}.", lang="en")
    for level, (depth, it_name) in LEVELS.items():
        lv = f"{scheme}/level/{depth}"
        w.iri(lv, RDF_TYPE, XKOS + "ClassificationLevel")
        w.iri(lv, SKOS + "inScheme", scheme)
        w.lit(lv, XKOS + "depth", depth)
        w.lit(lv, SKOS + "prefLabel", it_name, lang="it")
        w.lit(lv, SKOS + "prefLabel", level, lang="en")
    for code, node in nodes.items():
        c = concept_iri(edition, code)
        level = node["level"]
        depth = LEVELS[level][0]
        w.iri(c, RDF_TYPE, SKOS + "Concept")
        w.iri(c, SKOS + "inScheme", scheme)
        w.lit(c, SKOS + "notation", code)
        w.lit(c, SKOS + "prefLabel", node["title"].strip(), lang="it")
        w.iri(f"{scheme}/level/{depth}", SKOS + "member", c)
        note = (node.get("notes") or {}).get(note_key)
        if note:
            w.lit(c, SKOS + "scopeNote", note.strip(), lang="it")
        parent = node.get("parent")
        if parent:
            p = concept_iri(edition, parent)
            w.iri(c, SKOS + "broader", p)
            w.iri(p, SKOS + "narrower", c)
        else:
            w.iri(c, SKOS + "topConceptOf", scheme)
            w.iri(scheme, SKOS + "hasTopConcept", c)
        if depth <= 4:
            w.iri(c, SKOS + "exactMatch", nace_ns + _nace_code(code))
        else:
            cls = code
            while nodes[cls]["level"] != "class":
                cls = nodes[cls]["parent"]
            w.iri(c, SKOS + "broadMatch", nace_ns + _nace_code(cls))


def _mapping_predicate(m: dict[str, str]) -> str:
    one_2025 = m["n_corr_2025"] == "1"  # the 2025 code corresponds to this 2022 code only
    one_2022 = m["n_corr_2022"] == "1"  # the 2022 code corresponds to this 2025 code only
    if one_2025 and one_2022:
        return SKOS + "exactMatch"
    if one_2022:
        return SKOS + "broadMatch"
    if one_2025:
        return SKOS + "narrowMatch"
    return SKOS + "relatedMatch"


def _write_2007_to_2025(w: NTriplesWriter, n2007: dict[str, Any], n2022: dict[str, Any],
                        n2025: dict[str, Any], mappings: list[dict[str, str]]) -> int:
    links = 0
    for m in mappings:
        c2022, c2025 = m["code_2022"], m["code_2025"]
        if c2022 not in n2007 or c2022 not in n2022 or c2025 not in n2025:
            continue
        w.iri(concept_iri("2007", c2022), _mapping_predicate(m), concept_iri("2025", c2025))
        links += 1
    return links


def ateco_ntriples() -> tuple[bytes, dict[str, int]]:
    """N-Triples of both schemes and their mappings, and counts (nodes per edition, links)."""
    from ateco import _load

    n2025 = _load.load_nodes("2025")
    n2007 = _load.load_nodes("2007")
    n2022 = _load.load_nodes("2022")
    w = NTriplesWriter()
    _write_edition(w, "2025", n2025)
    _write_edition(w, "2007", n2007)
    corr = _load.load_correspondence_2025_2022()
    links = _write_2007_to_2025(w, n2007, n2022, n2025, corr["mappings"])
    scheme07 = vocab_iri("ateco2007")
    w.add(scheme07, SKOS + "note", lit(
        "Links to ATECO 2025 come from ISTAT's theoretical correspondence table "
        "ATECO 2025 <-> ATECO 2007 aggiornamento 2022, applied to the 2007 codes kept in the "
        "2022 update: exactMatch = 1:1, broadMatch = the 2025 code is wider, narrowMatch = the "
        "2025 code is narrower, relatedMatch = many to many.", lang="en"))
    counts = {"2025": len(n2025), "2007": len(n2007), "links_2007_2025": links}
    return w.to_bytes(), counts


def ateco_layer() -> Layer:
    """The ``ateco`` layer (ATECO 2025 + 2007 with NACE and 2007->2025 links)."""
    from importlib.metadata import version as dist_version

    from ateco import _load

    data, counts = ateco_ntriples()
    prov = _load.provenance_meta()
    derived = tuple(s["url"] for s in prov.get("sources", []) if s.get("url"))
    version = dist_version("ateco")
    return Layer(
        source="ateco",
        title="ATECO 2025 and ATECO 2007 classifications of economic activities (ISTAT)",
        data=data,
        format="nt",
        kind="real",
        derived_from=(*derived, f"https://pypi.org/project/ateco/{version}/"),
        license=ATECO_LICENSE,
        description=(
            f"{counts['2025']} ATECO 2025 and {counts['2007']} ATECO 2007 concepts from the "
            f"'ateco' package {version}; {prov.get('attribution', 'ISTAT')}. "
            f"{prov.get('license_note', '')}".strip()
        ),
        rows=counts["2025"] + counts["2007"],
    )
