"""Region and academy profile pages, their JSON, chart CSVs and HTML/PDF reports.

- ``GET /profiles``: the regions and academies that have a profile;
- ``GET /profiles/region/{code}``, ``/profiles/academy/{key}``: the page (it/en), charts drawn
  by profile.js with Vega-Lite under a CSP without 'unsafe-eval';
- ``.../report.html`` (self-contained file), ``.../report.pdf`` (headless Chromium),
  ``GET /api/profiles/{kind}/{code}`` (JSON), ``.../charts/{chart}.csv`` (a chart's data).

Profiles come from the app's KnowledgeGraph (``kg.aprofile``), computed in a query worker
(killable, under ``CALL_TIMEOUT_FACTOR`` x ITSKG_QUERY_TIMEOUT and the worker memory bound)
and cached per store generation and language; the national figures are warmed in every
worker when the server starts; at most ``PDF_SLOTS`` PDFs print at once.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from itskg.api.deps import get_kg
from itskg.api.http_errors import NotFoundError
from itskg.api.pages import webdata
from itskg.api.pages.i18n import page_lang
from itskg.api.pages.rendering import error_page, render
from itskg.api.pages.report_render import chart_csv, html_to_pdf, page_context, report_html
from itskg.graph.errors import ItskgError
from itskg.graph.reports import Profile

__all__ = ["register", "router"]

router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api/profiles", tags=["profiles"])
PDF_SLOTS = asyncio.Semaphore(1)


async def _profile(request: Request, kind: str, code: str) -> Profile:
    """The profile through the app's KnowledgeGraph, once per store generation and language,
    in a query worker under the deadline (the national figures are warmed at start)."""
    lang = page_lang(request)
    kg = await get_kg(request)

    async def make() -> Profile:
        return await kg.aprofile(kind, code, lang)

    return await kg.acached(("profile", kind, code, lang), make)  # type: ignore[no-any-return]


def _links(kind: str, code: str, lang: str) -> dict[str, str]:
    base = f"/profiles/{kind}/{code}"
    return {"html": f"{base}/report.html?lang={lang}", "pdf": f"{base}/report.pdf?lang={lang}",
            "json": f"/api/profiles/{kind}/{code}?lang={lang}",
            "csv": f"/api/profiles/{kind}/{code}/charts/"}


def _kind(kind: str) -> None:
    if kind not in ("region", "academy"):
        raise NotFoundError(f"No profile kind {kind!r}: use /profiles/region/ITH5 or "
                            "/profiles/academy/KEY.")


@router.get("/profiles", response_class=HTMLResponse)
async def profiles_index(request: Request) -> Response:
    lang = page_lang(request)
    try:
        regions = await webdata.picklist(request, "nuts", lang)
        academies = await webdata.picklist(request, "its", lang)
    except ItskgError as err:
        return error_page(request, err)
    return render(request, "profiles.html", {"regions": regions, "academies": academies})


@router.get("/profiles/{kind}/{code}", response_class=HTMLResponse)
async def profile_page(request: Request, kind: str, code: str) -> Response:
    try:
        _kind(kind)
        p = await _profile(request, kind, code)
    except (ItskgError, NotFoundError) as err:
        return error_page(request, err)
    return render(request, "profile.html", page_context(p, _links(kind, code, p.lang)))


@router.get("/profiles/{kind}/{code}/report.{fmt}")
async def profile_report(request: Request, kind: str, code: str, fmt: str) -> Response:
    """The profile as a self-contained HTML file or a PDF (errors: the one JSON shape)."""
    _kind(kind)
    if fmt not in ("html", "pdf"):
        raise NotFoundError(f"No report format {fmt!r}: use report.html or report.pdf.")
    p = await _profile(request, kind, code)
    html = await run_in_threadpool(report_html, p, request.app.state.settings)
    name = f"itskg-{kind}-{p.code}-{p.lang}"
    if fmt == "html":
        return Response(html, media_type="text/html; charset=utf-8", headers={
            "Content-Disposition": f'attachment; filename="{name}.html"'})
    async with PDF_SLOTS:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "r.pdf"
            await run_in_threadpool(html_to_pdf, html, out,
                                    browser=request.app.state.settings.browser)
            data = out.read_bytes()
    return Response(data, media_type="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{name}.pdf"'})


_KIND = Annotated[str, PathParam(json_schema_extra={"enum": ["region", "academy"]})]
_PROFILE_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such region, academy or chart"},
    503: {"description": "Deadline passed (Retry-After)"}}


@api_router.get("/{kind}/{code}", summary="A region or academy profile (figures and charts)",
                responses=_PROFILE_ERRORS)
async def profile_json(request: Request, kind: _KIND, code: str) -> JSONResponse:
    """The profile as JSON: sections with figures (against Italy) and Vega-Lite charts."""
    _kind(kind)
    return JSONResponse((await _profile(request, kind, code)).to_json())


@api_router.get("/{kind}/{code}/charts/{chart}.csv", summary="The data of one profile chart",
                responses=_PROFILE_ERRORS)
async def chart_data(request: Request, kind: _KIND, code: str, chart: str) -> Response:
    """One chart's rows as CSV (UTF-8 with BOM)."""
    _kind(kind)
    c = (await _profile(request, kind, code)).chart(chart)
    if c is None:
        raise NotFoundError(f"No chart {chart!r} in this profile.")
    return Response(chart_csv(c), media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="{code}-{chart}.csv"'})


def register(app: FastAPI) -> None:
    """Add the profile pages and their API."""
    app.include_router(router)
    app.include_router(api_router)
