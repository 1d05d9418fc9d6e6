"""Pick-lists: the values of a named-query parameter vocabulary, with codes and labels.

``picklist_reading(vocabulary, lang)`` answers ``[{"code", "iri", "label"}]`` for the forms
of the question pages and the profile index: the 21 Italian NUTS 2 regions (``nuts``), the
academies (``its``: short name, else the label), the ontology's classes (``class``), the
technological areas of both decrees (``area``), EQF 5 and 6, ATECO sections and divisions,
and any SKOS scheme of the project's vocabularies. Sorted by label (academies, classes) or
by code (sections before divisions, D2 before D10). None for a vocabulary without a list.
"""

from __future__ import annotations

from typing import Any

from itskg.graph.namespaces import COUNTRY, EQF, NUTS_CODE, ONTOLOGY, ONTOLOGY_GRAPH, VOCAB
from itskg.graph.namespaces import sparql_prefixes as _prefixes
from itskg.graph.reports.indicators import ITALIAN_REGIONS
from itskg.graph.reports.readings import Reading, Row, labels_by_subject, pick_label
from itskg.graph.sparql.catalogue import VOCABULARIES

__all__ = ["picklist_query", "picklist_reading"]

P = _prefixes(["itskg", "skos", "rdfs", "owl", "voc"])
_SCHEME_OF = {"ateco2025": VOCAB + "ateco2025", "ateco2007": VOCAB + "ateco2007",
              "area-2023": VOCAB + "area-2023", "area-2008": VOCAB + "area-2008",
              "country": COUNTRY.rstrip("/")}


def picklist_query(vocabulary: str) -> str | None:
    """The SELECT (?s ?l, and ?n for notations) of a vocabulary's list, or None."""
    if vocabulary == "nuts":
        keys = " ".join(f"<{NUTS_CODE}{c}>" for c in ITALIAN_REGIONS)
        return f"{P}SELECT ?s ?l WHERE {{ VALUES ?s {{ {keys} }} ?s skos:prefLabel ?l }}"
    if vocabulary == "eqf":
        return (f"{P}SELECT ?s ?l WHERE {{ VALUES ?s {{ <{EQF}5> <{EQF}6> }} "
                "OPTIONAL { ?s skos:prefLabel ?l } }")
    if vocabulary == "its":
        return (f"{P}SELECT ?s ?l WHERE {{ ?s a itskg:ITSAcademy . "
                "{ ?s itskg:shortName ?l } UNION { ?s skos:prefLabel ?l "
                "FILTER NOT EXISTS { ?s itskg:shortName ?n } } }")
    if vocabulary == "class":
        return (f"{P}SELECT ?s ?l WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?s a owl:Class "
                f'FILTER(STRSTARTS(STR(?s), "{ONTOLOGY}")) OPTIONAL {{ ?s rdfs:label ?l }} }} }}')
    if vocabulary == "area":
        return (f"{P}SELECT ?s ?l WHERE {{ VALUES ?sc {{ voc:area-2023 voc:area-2008 }} "
                "?s skos:inScheme ?sc ; skos:prefLabel ?l }")
    scheme = _SCHEME_OF.get(vocabulary)
    if scheme is None and vocabulary in VOCABULARIES and VOCABULARIES[vocabulary].pattern == (
            r"^[a-z0-9][a-z0-9-]*$"):
        scheme = VOCAB + vocabulary
    if scheme is None:
        return None
    short = ('FILTER(STRLEN(?n) <= 2) ' if vocabulary.startswith("ateco") else "")
    return (f"{P}SELECT ?s ?l ?n WHERE {{ ?s skos:inScheme <{scheme}> ; skos:prefLabel ?l "
            f"OPTIONAL {{ ?s skos:notation ?n }} {short}}}")


def _code(iri: str, vocabulary: str) -> str:
    voc = VOCABULARIES.get(vocabulary)
    for ns in voc.namespaces if voc else ():
        if iri.startswith(ns):
            return iri[len(ns):]
    return iri.rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _sort_key(code: str) -> tuple[int, str]:
    """Sections (letters) before divisions; D2 before D10."""
    head = code.rstrip("0123456789.")
    tail = code[len(head):].replace(".", "")
    return (len(head) == 0, f"{head}{int(tail) if tail.isdigit() else 0:06d}{code}")


def picklist_reading(vocabulary: str, lang: str) -> Reading | None:
    """The pick-list of ``vocabulary`` in ``lang`` (see the module), or None."""
    query = picklist_query(vocabulary)
    if query is None:
        return None

    def combine(answers: list[list[Row]]) -> list[dict[str, Any]]:
        items = []
        for iri, labels in labels_by_subject(answers[0]).items():
            code = _code(iri, vocabulary)
            items.append({"code": code, "iri": iri, "label": pick_label(labels, lang) or code})
        if vocabulary in ("its", "class"):
            return sorted(items, key=lambda i: i["label"].lower())
        return sorted(items, key=lambda i: _sort_key(i["code"]))

    return Reading((query,), combine)
