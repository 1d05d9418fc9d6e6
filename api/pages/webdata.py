"""Small JSON data behind the explorer pages: pick-lists, map indicators, home-page counts.

All of it is a few cheap SPARQL queries through the worker pool, cached per store generation.

- ``GET /api/picklists/{vocabulary}?lang=``: ``[{"code", "iri", "label"}]`` for the values of
  a catalogue parameter vocabulary (nuts = the Italian NUTS 2 regions, area, ateco2025
  sections and divisions, its = the academies, partner-type, country, eqf, class, ...).
- ``GET /api/map/{indicator}?lang=&level=region|province|country``: one value per map unit:
  the 21 NUTS 2 regions (ITH1 Bolzano and ITH2 Trento apart: the map dissolves ISTAT's
  provinces into NUTS 2 units), the 107 NUTS 3 provinces, or countries (ISO alpha-3, with the
  ISO numeric id of the world-atlas shapes). Regions without S3 data have no value for the S3
  indicators (not zero).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse

from itskg.api.deps import get_kg
from itskg.api.http_errors import NotFoundError
from itskg.api.pages.i18n import page_lang, pick_label, t
from itskg.api.pages.rendering import cached, select
from itskg.graph.namespaces import COUNTRY, EQF, NUTS_CODE, ONTOLOGY, ONTOLOGY_GRAPH, VOCAB
from itskg.graph.namespaces import sparql_prefixes as _prefixes
from itskg.graph.reports.indicators import (
    COUNTRY_INDICATORS,
    INDICATORS,
    ITALIAN_REGIONS,
    LEVELS,
    PROVINCE_INDICATORS,
    TRENTINO,
    licence_name,
)
from itskg.graph.sparql.catalogue import VOCABULARIES

__all__ = ["COUNTRY_INDICATORS", "INDICATORS", "LEVELS", "PROVINCE_INDICATORS", "TRENTINO",
           "home_stats", "indicator", "licence_name", "picklist", "router"]

router = APIRouter(tags=["explorer data"])
P = _prefixes(["itskg", "skos", "elm", "rdf", "rdfs", "owl", "dct", "void", "voc"])


async def indicator(request: Request, name: str, lang: str,
                    level: str = "region") -> dict[str, Any]:
    """The values of one map indicator per map unit at ``level`` (region = NUTS 2, province
    = NUTS 3, country), with labels and the title: ``KnowledgeGraph.amap_indicator`` (the
    figures are the library's, see ``itskg.graph.reports.indicators``). Raises KeyError for
    an unknown indicator or one the level does not have."""
    table = LEVELS.get(level)
    if table is None or name not in table:
        raise KeyError(name)
    answer = await (await get_kg(request)).amap_indicator(name, level, lang)
    return {**answer, "title": t(f"ind.{name}", lang)}


# ------------------------------------------------------------------ pick-lists
_SCHEME_OF = {"ateco2025": VOCAB + "ateco2025", "ateco2007": VOCAB + "ateco2007",
              "area-2023": VOCAB + "area-2023", "area-2008": VOCAB + "area-2008",
              "country": COUNTRY.rstrip("/")}


def _picklist_query(vocabulary: str) -> str | None:
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


async def picklist(request: Request, vocabulary: str, lang: str) -> list[dict[str, str]]:
    """``[{"code", "iri", "label"}]`` for ``vocabulary`` (empty when it has no list)."""
    query = _picklist_query(vocabulary)
    if query is None:
        return []

    async def make() -> list[dict[str, str]]:
        rows = await select(request, query)
        by: dict[str, list[tuple[str, str | None]]] = {}
        for r in rows:
            labels = by.setdefault(r["s"]["value"], [])
            if "l" in r:
                labels.append((r["l"]["value"], r["l"].get("xml:lang")))
        items = []
        for iri, labels in by.items():
            code = _code(iri, vocabulary)
            label = pick_label(labels, lang) or code
            items.append({"code": code, "iri": iri, "label": label})
        if vocabulary in ("its", "class"):
            return sorted(items, key=lambda i: i["label"].lower())
        return sorted(items, key=lambda i: _sort_key(i["code"]))

    return await cached(request, ("picklist", vocabulary, lang), make)  # type: ignore


# ------------------------------------------------------------------ home page
async def home_stats(request: Request, lang: str) -> dict[str, Any]:
    """Counts by class (real / synthetic) and the layers with kind, triples and licence
    (``KnowledgeGraph.ahome_counts``)."""
    return await (await get_kg(request)).ahome_counts(lang)


# ------------------------------------------------------------------ routes
_NOT_FOUND = {404: {"description": "No such vocabulary or indicator"}}


@router.get("/api/picklists/{vocabulary}", summary="Values for a query parameter pick-list",
            responses=_NOT_FOUND)
async def picklist_route(
    request: Request,
    vocabulary: Annotated[str, Path(json_schema_extra={"enum": sorted(VOCABULARIES)})],
) -> JSONResponse:
    """Codes, IRIs and labels (``?lang=it|en``) of a parameter vocabulary."""
    if vocabulary not in VOCABULARIES:
        raise NotFoundError(f"No vocabulary {vocabulary!r}; known: "
                            f"{', '.join(sorted(VOCABULARIES))}.")
    return JSONResponse(await picklist(request, vocabulary, page_lang(request)))


@router.get("/api/map/{name}", summary="One map indicator per region, province or country",
            responses={**_NOT_FOUND, 503: {"description": "Query timeout (Retry-After)"}})
async def indicator_route(
    request: Request,
    name: Annotated[str, Path(json_schema_extra={
        "enum": sorted({n for names in LEVELS.values() for n in names})})],
    level: Annotated[str, Query(json_schema_extra={"enum": list(LEVELS)})] = "region",
) -> JSONResponse:
    """Values per NUTS 2 region (ITH1 Bolzano and ITH2 Trento apart), per NUTS 3 province
    (``level=province``, for the indicators that have it) or per country (``level=country``:
    mobility destinations, foreign project partners) for the map page."""
    if level not in LEVELS:
        raise NotFoundError(f"No map level {level!r}; levels: {', '.join(LEVELS)}.")
    if name not in LEVELS[level]:
        raise NotFoundError(f"No indicator {name!r} at level {level!r}; known: "
                            f"{', '.join(LEVELS[level])}.")
    return JSONResponse(await indicator(request, name, page_lang(request), level))
