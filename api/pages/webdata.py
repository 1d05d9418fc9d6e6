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
from itskg.api.pages.i18n import page_lang, t
from itskg.api.pages.rendering import read
from itskg.graph.reports.indicators import (
    COUNTRY_INDICATORS,
    INDICATORS,
    LEVELS,
    PROVINCE_INDICATORS,
    TRENTINO,
    licence_name,
)
from itskg.graph.reports.picklists import picklist_reading
from itskg.graph.sparql.catalogue import VOCABULARIES

__all__ = ["COUNTRY_INDICATORS", "INDICATORS", "LEVELS", "PROVINCE_INDICATORS", "TRENTINO",
           "home_stats", "indicator", "licence_name", "picklist", "router"]

router = APIRouter(tags=["explorer data"])


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
async def picklist(request: Request, vocabulary: str, lang: str) -> list[dict[str, str]]:
    """``[{"code", "iri", "label"}]`` for ``vocabulary`` (empty when it has no list): the
    library's reading (``itskg.graph.reports.picklists``), answers cached per generation."""
    reading = picklist_reading(vocabulary, lang)
    if reading is None:
        return []
    return await read(request, reading)  # type: ignore[no-any-return]


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
