"""Shared machinery of the web explorer: templates, local links, SPARQL helpers, caching.

- ``render(request, name, context)``: a Jinja2 page in the request's language (``?lang=``
  also sets the ``itskg_lang`` cookie), with ``t``, ``href`` and ``num`` available.
- ``href(iri)``: the page of an IRI on this server. Our namespaces map to their own paths
  (``/id/...``, ``/vocab/...``, ``/ontology#Term``), anything else to ``/resource?iri=``.
- ``select(request, sparql)`` and ``construct(request, sparql, fmt)``: queries through the
  app's ``KnowledgeGraph`` (the killable worker pool); SELECT rows as SPARQL-JSON terms.
- ``cached(request, key, make)``: a value computed once per store generation (the
  KnowledgeGraph's cache), so a new ``itskg import`` is visible at the next request.
- ``vendor_dir()``: the npm packages served at ``/vendor`` (``web/node_modules`` of the
  repository, or ``Settings.web_assets``, i.e. ITSKG_WEB_ASSETS).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from itskg.api.deps import get_kg
from itskg.api.http_errors import status_for
from itskg.api.pages.i18n import COOKIE, LANGS, page_lang, t
from itskg.graph.config import Settings
from itskg.graph.namespaces import DATA, ONTOLOGY, ONTOLOGY_IRI, VOCAB
from itskg.graph.reports.readings import Reading, term_value

__all__ = [
    "STATIC_DIR",
    "TEMPLATES_DIR",
    "cached",
    "construct",
    "error_page",
    "href",
    "num",
    "read",
    "render",
    "select",
    "term_value",
    "vendor_dir",
]

PAGES_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = PAGES_DIR / "templates"
STATIC_DIR = PAGES_DIR / "static"
WHEEL_VENDOR = PAGES_DIR.parent / "vendor"
REPO_WEB = PAGES_DIR.parents[1] / "web" / "node_modules"

templates = Jinja2Templates(directory=str(TEMPLATES_DIR))


def vendor_dir(settings: Settings) -> Path | None:
    """Where the browser assets are, or None.

    In order: ``settings.web_assets`` (ITSKG_WEB_ASSETS); ``itskg/api/vendor`` of an installed
    wheel (copied there at build time by setup.py, with their licences); ``web/node_modules``
    of a checkout.
    """
    for path in ([settings.web_assets] if settings.web_assets else [WHEEL_VENDOR, REPO_WEB]):
        if path.is_dir():
            return path
    return None


def vendor_has(request: Request, package_file: str) -> bool:
    """True when ``package_file`` (e.g. ``@zazuko/yasgui/build/yasgui.min.js``) is installed."""
    root = vendor_dir(request.app.state.settings)
    return root is not None and (root / package_file).is_file()


def href(iri: str) -> str:
    """The local page of ``iri``."""
    if iri.startswith(DATA):
        return "/id/" + quote(iri[len(DATA):], safe="/:@!$&'()*+,;=-._~")
    if iri.startswith(VOCAB):
        return "/vocab/" + quote(iri[len(VOCAB):], safe="/:@!$&'()*+,;=-._~")
    if iri.startswith(ONTOLOGY):
        return "/ontology#" + quote(iri[len(ONTOLOGY):], safe="")
    if iri == ONTOLOGY_IRI:
        return "/ontology"
    return "/resource?iri=" + quote(iri, safe="")


def num(value: Any) -> str:
    """A number with thin grouping (1 234 567), or the value as text."""
    if isinstance(value, int):
        return f"{value:,}".replace(",", "\u202f")
    if isinstance(value, float):
        return f"{value:,.2f}".replace(",", "\u202f")
    return "" if value is None else str(value)


def render(request: Request, name: str, context: dict[str, Any],
           status: int = 200) -> HTMLResponse:
    """Render a template in the page language; remember an explicit ?lang= in a cookie."""
    lang = page_lang(request)
    other = "en" if lang == "it" else "it"
    query = dict(request.query_params)
    query["lang"] = other
    switch = request.url.path + "?" + "&".join(
        f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in query.items())
    ctx = {
        "request": request, "lang": lang, "other_lang": other, "lang_switch": switch,
        "t": lambda key: t(key, lang), "href": href, "num": num, "path": request.url.path,
        **context,
    }
    response = templates.TemplateResponse(request, name, ctx, status_code=status)
    asked = request.query_params.get("lang")
    if asked in LANGS:
        response.set_cookie(COOKIE, asked, max_age=365 * 24 * 3600, samesite="lax")
    return response


def error_page(request: Request, err: BaseException) -> HTMLResponse:
    """An HTML page's error: error.html with the status of the one table (api/http_errors)."""
    return render(request, "error.html", {"message": str(err)}, status=status_for(err))


async def cached(request: Request, key: tuple[Any, ...],
                 make: Callable[[], Awaitable[Any]]) -> Any:
    """``await make()`` once per store generation and key (the app's KnowledgeGraph cache)."""
    return await (await get_kg(request)).acached(key, make)


async def read(request: Request, reading: Reading) -> Any:
    """A library reading (``itskg.graph.reports``) run by the app's KnowledgeGraph."""
    return await (await get_kg(request)).aread(reading)


async def select(request: Request, sparql: str, lane: str = "main"
                 ) -> list[dict[str, dict[str, str]]]:
    """The bindings of a SELECT query (SPARQL 1.1 JSON terms), run by the worker pool.

    ``lane="lookup"`` for look-ups of one resource (the executor's fast lane)."""
    return await (await get_kg(request)).aselect(sparql, lane=lane)


async def construct(request: Request, sparql: str, fmt: str) -> Response:
    """A CONSTRUCT query's answer in ``fmt``, as a response negotiated on Accept."""
    res = await (await get_kg(request)).asparql(sparql, fmt)
    return Response(res.body, media_type=res.media_type, headers={"Vary": "Accept"})
