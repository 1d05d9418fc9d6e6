"""HTML pages of the web explorer: home, SPARQL editor, questions, network, map.

``register(app)`` adds these pages, the explorer's JSON helpers (``webdata``), the Linked
Data pages (``resources``), ``/static`` (api/pages/static) and ``/vendor`` (the npm packages of
``web/node_modules``: YASGUI, Cytoscape, the region shapes; never copied into the repo).

Every page is in Italian or English (``?lang=``, then the ``itskg_lang`` cookie, then
Accept-Language). Pages are rendered on the server; the slow parts (query results, network
layouts, map values) are fetched by small scripts from the JSON API, so a page itself renders
in milliseconds and works as a plain form without JavaScript.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

from itskg.api.pages import geo, profile_pages, webdata
from itskg.api.pages import linkeddata as resources
from itskg.api.pages.i18n import page_lang
from itskg.api.pages.rendering import STATIC_DIR, error_page, render, vendor_dir, vendor_has
from itskg.graph.errors import ItskgError, UnknownQueryError
from itskg.graph.namespaces import PREFIXES
from itskg.graph.sparql.catalogue import NamedQuery, bind_params, inline_bindings, load_catalog

__all__ = ["ENTRY_POINTS", "register", "router"]

router = APIRouter(include_in_schema=False)

#: Home-page entry points: (string key, link).
ENTRY_POINTS: list[tuple[str, str]] = [
    ("q.bridges", "/questions/companies_in_several_regions?min_regions=2&run=1"),
    ("q.brokers", "/network?projection=academy-company&region=ITH5&metric=betweenness"),
    ("q.gaps", "/questions/skill_gaps_by_region?region=ITH5&section=C&skill_class=digital&run=1"),
    ("q.map_digital", "/map?indicator=digital_share"),
    ("q.profile", "/questions/skill_profile_by_academy?run=1"),
    ("q.regions", "/questions/regional_profile?run=1"),
    ("q.outcomes", "/questions/employment_rate_by_area_region?year=2023&run=1"),
    ("q.mobility", "/questions/mobility_by_destination?run=1"),
]
MAP_INDICATORS = list(webdata.INDICATORS)
MAP_LEVELS = {level: list(table) for level, table in webdata.LEVELS.items()}
MAP_VENDOR = ("topojson-client/dist/topojson-client.min.js", "d3-array/dist/d3-array.min.js",
              "d3-geo/dist/d3-geo.min.js", "world-atlas/countries-110m.json")


@router.get("/", response_class=HTMLResponse)
async def home(request: Request) -> Response:
    lang = page_lang(request)
    try:
        stats = await webdata.home_stats(request, lang)
        error = None
    except ItskgError as err:
        stats, error = {"classes": [], "layers": [], "any_synthetic": False}, str(err)
    return render(request, "home.html", {"stats": stats, "error": error,
                                         "entries": ENTRY_POINTS})


def _example_text(q: NamedQuery, lang: str) -> str:
    """The query text with its example values (and the page language) inlined."""
    raw = dict(q.example)
    if q.uses_lang:
        raw["lang"] = lang
    try:
        return inline_bindings(q.text, bind_params(q, raw))
    except ItskgError:
        return q.text


@router.get("/editor", response_class=HTMLResponse)
async def editor(request: Request) -> Response:
    lang = page_lang(request)
    tabs = [{"name": q.name, "title": q.title[lang], "query": _example_text(q, lang)}
            for q in load_catalog().values()]
    prefixes = {k: v for k, v in PREFIXES.items()}
    return render(request, "editor.html", {
        "available": vendor_has(request, "@zazuko/yasgui/build/yasgui.min.js"),
        "config": json.dumps({"endpoint": str(request.base_url).rstrip("/") + "/sparql",
                              "prefixes": prefixes, "tabs": tabs,
                              "first": ["regional_profile", "academies_by_region",
                                        "members_by_academy", "skill_profile_by_academy"]},
                             ensure_ascii=False).replace("</", "<\\/"),
    })


@router.get("/questions", response_class=HTMLResponse)
async def questions(request: Request) -> Response:
    lang = page_lang(request)
    items = sorted(load_catalog().values(), key=lambda q: q.title[lang].lower())
    groups: dict[str, list[NamedQuery]] = {}
    for q in items:
        groups.setdefault(q.tags[0] if q.tags else "other", []).append(q)
    return render(request, "questions.html", {"groups": sorted(groups.items())})


async def _fields(request: Request, q: NamedQuery, lang: str) -> list[dict[str, Any]]:
    fields = []
    for p in q.params:
        if p.name == "lang":  # the page language decides
            continue
        options: list[dict[str, str]] = []
        if p.allowed:
            options = [{"value": a, "label": a} for a in p.allowed]
        elif p.vocabulary:
            try:
                items = await webdata.picklist(request, p.vocabulary, lang)
            except ItskgError:
                items = []
            key = "iri" if p.type == "iri" else "code"
            options = [{"value": i[key], "label": f"{i['label']} ({i['code']})"
                        if i["code"] != i["label"] else i["label"]} for i in items]
        value = request.query_params.get(p.name)
        fields.append({
            "name": p.name, "label": p.description.get(lang) or p.name, "type": p.type,
            "required": p.required, "default": p.default,
            "value": value if value is not None else (
                p.default or (q.example.get(p.name, "") if p.required else "")),
            "options": options, "example": q.example.get(p.name, ""),
        })
    return fields


@router.get("/questions/{name}", response_class=HTMLResponse)
async def question(request: Request, name: str) -> Response:
    lang = page_lang(request)
    try:
        q = load_catalog()[name] if name in load_catalog() else None
        if q is None:
            raise UnknownQueryError(f"No question named {name!r}; see the list at /questions.")
    except UnknownQueryError as err:
        return error_page(request, err)
    fields = await _fields(request, q, lang)
    params = {f["name"]: request.query_params[f["name"]] for f in fields
              if request.query_params.get(f["name"])}
    if q.uses_lang:
        params["lang"] = lang
    qs = urlencode(params)
    api = f"/api/queries/{q.name}"
    return render(request, "question.html", {
        "q": q, "title": q.title[lang], "description": q.description[lang], "fields": fields,
        "run": "run" in request.query_params, "api": api, "api_query": qs,
        "downloads": [("CSV", f"{api}?{qs}&format=csv".replace("?&", "?")),
                      ("JSON", f"{api}?{qs}&format=rows".replace("?&", "?")),
                      ("SPARQL JSON", f"{api}?{qs}&format=json".replace("?&", "?"))],
        "sparql": q.text, "example_text": _example_text(q, lang),
        "columns": {c.name: {"label": c.label[lang], "format": c.format,
                             "list": c.list_separator} for c in q.columns},
        "charts": vendor_has(request, "itskg/charts.min.js"),
    })


@router.get("/network", response_class=HTMLResponse)
async def network(request: Request) -> Response:
    lang = page_lang(request)
    lists = {}
    for voc in ("nuts", "area-2023", "ateco2025"):
        try:
            lists[voc] = await webdata.picklist(request, voc, lang)
        except ItskgError:
            lists[voc] = []
    lists["ateco2025"] = [i for i in lists["ateco2025"] if i["code"].isalpha()]
    return render(request, "network.html", {
        "available": vendor_has(request, "cytoscape/dist/cytoscape.min.js"),
        "regions": lists["nuts"], "areas": lists["area-2023"], "sectors": lists["ateco2025"],
        "params": dict(request.query_params),
    })


@router.get("/map", response_class=HTMLResponse)
async def map_page(request: Request) -> Response:
    level = request.query_params.get("level", "region")
    level = level if level in MAP_LEVELS else "region"
    chosen = request.query_params.get("indicator", "academies")
    names = MAP_LEVELS[level]
    return render(request, "map.html", {
        "available": all(vendor_has(request, f) for f in MAP_VENDOR),
        "geometry": (path := geo.provinces_path(request)) is not None and path.is_file(),
        "levels": MAP_LEVELS, "level": level,
        "indicators": names,
        "indicator": chosen if chosen in names else names[0],
    })


def register(app: FastAPI) -> None:
    """Add the explorer pages, their JSON helpers, the Linked Data pages and static files."""
    app.include_router(router)
    app.include_router(webdata.router)
    app.include_router(geo.router)
    profile_pages.register(app)
    resources.register(app)
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
    vendor = vendor_dir(app.state.settings)
    if vendor is not None:
        app.mount("/vendor", StaticFiles(directory=str(vendor)), name="vendor")
