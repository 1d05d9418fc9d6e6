"""Europass-ready qualifications over HTTP (CQ21).

- ``GET /api/qualifications?region=ITH5`` (or ``academy=KEY``): per qualification derived from
  the courses, its completeness by the official Europass LOQ shapes, naming what is missing;
- ``GET /api/qualifications/{key}.jsonld``: one qualification in the European Learning Model
  (ELM 3.1) as JSON-LD.

``nqf=5=IRI`` (repeatable) gives the QDR IRI of the Italian NQF level matching an EQF level.
A report needs a region or an academy (a national report is ``itskg elm report`` on the
command line: the shapes check takes about 0.1 s per qualification). The work runs in a query
worker through the KnowledgeGraph (killable, under ``CALL_TIMEOUT_FACTOR`` x
ITSKG_QUERY_TIMEOUT and the worker memory bound).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import JSONResponse
from pydantic import StringConstraints

from itskg.api.deps import get_kg
from itskg.graph.elm import qualification_jsonld
from itskg.graph.elm.lookup import academy_iri, nqf_option, region_iri
from itskg.graph.errors import ElmError

__all__ = ["register", "router"]

router = APIRouter(prefix="/api/qualifications", tags=["qualifications (Europass, ELM)"])
_NQF_ITEM = Annotated[str, StringConstraints(pattern=r"^[56]=http://data\.europa\.eu/snb/qdr/[A-Za-z0-9_.~/-]+$")]
Nqf = Annotated[list[_NQF_ITEM] | None, Query(
    description="EQF level = QDR IRI of the Italian NQF level, e.g. 5=http://data.europa.eu/"
                "snb/qdr/c_... (repeatable)")]


@router.get("", summary="Completeness of ITS qualifications by the Europass LOQ shapes",
            responses={503: {"description": "Deadline passed (Retry-After)"}})
async def report(request: Request,
                 region: Annotated[str | None, Query(description="NUTS 2 code, e.g. ITH5",
                                                     min_length=1)]
                 = None,
                 academy: Annotated[str | None, Query(description="Academy key or IRI",
                                                       min_length=1)] = None,
                 nqf: Nqf = None,
                 lang: Annotated[str, Query(pattern="^(it|en)$")] = "it") -> JSONResponse:
    """One row per qualification: title, EQF level, synthetic flag, complete, what is missing."""
    if not region and not academy:
        raise ElmError("Give region=ITH5 or academy=KEY (a national report: 'itskg elm "
                       "report' on the command line).")
    kg = await get_kg(request)
    levels = nqf_option(nqf)
    quals = await kg.aqualifications(academy=academy_iri(academy), region=region_iri(region),
                                     nqf_levels=levels)
    reports = await kg.acheck_qualifications(quals)
    return JSONResponse([r.as_json(lang) for r in reports])


@router.get("/{key}.jsonld", summary="One ITS qualification as ELM 3.1 JSON-LD",
            responses={404: {"description": "No qualification with this key"},
                       503: {"description": "Deadline passed (Retry-After)"}})
async def export(request: Request, key: str, nqf: Nqf = None) -> JSONResponse:
    """The qualification in the European Learning Model, ready for Europass."""
    kg = await get_kg(request)
    q = await kg.aqualification(key, nqf_option(nqf))
    return JSONResponse(qualification_jsonld(q), media_type="application/ld+json")


def register(app: FastAPI) -> None:
    """Add the qualification routes."""
    app.include_router(router)
