"""Map geometry for the map page, read at serve time from ``Settings.geo_dir``.

``GET /api/geo/italy`` is openpolis' TopoJSON of the 107 Italian provinces (ISTAT
administrative boundaries, June 2023; CC BY 4.0, attribution "ISTAT, openpolis") as found in
``geo_dir`` (default: shared/data/geo beside the source checkout, whatever the working
directory; set ``ITSKG_GEO_DIR`` in a wheel install), with two properties added to
every province from the store's NUTS layer: ``nuts3`` (by the car-plate code ``prov_acr``) and
``nuts2``. The browser dissolves provinces into NUTS 2 regions with topojson-client's
``merge``, so Trentino-Alto Adige becomes ITH1 (Bolzano) and ITH2 (Trento). The file is not
copied into the project: the licence would allow a derived copy with attribution, but reading
the shared data keeps one source and lets a newer boundary file be dropped in.
The world map uses the npm package world-atlas (Natural Earth, public domain) from /vendor.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from itskg.api.deps import get_kg
from itskg.api.http_errors import NotFoundError
from itskg.api.pages.rendering import cached, term_value
from itskg.graph.config import Settings
from itskg.graph.namespaces import NUTS_CODE

__all__ = ["ATTRIBUTION", "PROVINCES_FILE", "italy_topology", "router"]

router = APIRouter(tags=["explorer data"])
log = logging.getLogger("itskg.geo")
PROVINCES_FILE = "limits_IT_provinces.topo.json"
ATTRIBUTION = {"source": "ISTAT administrative boundaries (June 2023), TopoJSON by openpolis "
                         "(github.com/openpolis/geojson-italy)",
               "license": "https://creativecommons.org/licenses/by/4.0/"}


def provinces_path(request: Request) -> Path | None:
    """The provinces file of ``Settings.geo_dir``, or None when no folder is set."""
    return provinces_file(request.app.state.settings)


def provinces_file(settings: Settings) -> Path | None:
    """``geo_dir / PROVINCES_FILE`` (None without a ``geo_dir``: a wheel install)."""
    return None if settings.geo_dir is None else Path(settings.geo_dir) / PROVINCES_FILE


def log_missing_shapes(settings: Settings) -> bool:
    """Log one warning saying how to get the map's shapes when they are missing; whether
    they are there."""
    path = provinces_file(settings)
    if path is not None and path.is_file():
        return True
    where = "no ITSKG_GEO_DIR and no source checkout" if path is None else f"{path} not found"
    log.warning("Map shapes missing (%s): the map page shows no Italian regions. Set "
                "ITSKG_GEO_DIR to the folder holding %s (the project's shared/data/geo).",
                where, PROVINCES_FILE)
    return False


async def italy_topology(request: Request) -> dict[str, Any]:
    """The provinces TopoJSON with ``nuts3``/``nuts2`` properties. Raises FileNotFoundError
    when ``geo_dir`` has no provinces file."""
    path = provinces_path(request)
    if path is None or not path.is_file():
        raise FileNotFoundError(path or "ITSKG_GEO_DIR (unset)")

    async def make() -> dict[str, Any]:
        topo = json.loads(path.read_text(encoding="utf-8"))
        res = await (await get_kg(request)).arun_named("province_codes", {}, "json")
        rows = json.loads(res.body)["results"]["bindings"]
        by_acr = {term_value(r, "abbreviation"): (term_value(r, "province")[len(NUTS_CODE):],
                                                  term_value(r, "region")[len(NUTS_CODE):])
                  for r in rows}
        objects = topo.get("objects", {})
        provinces = objects.get("provinces") or next(iter(objects.values()), {})
        for g in provinces.get("geometries", []):
            props = g.setdefault("properties", {})
            props["nuts3"], props["nuts2"] = by_acr.get(props.get("prov_acr"), (None, None))
        topo["itskg"] = {**ATTRIBUTION, "object": "provinces", "file": path.name,
                         "unmatched": [g["properties"].get("prov_acr")
                                       for g in provinces.get("geometries", [])
                                       if not g["properties"].get("nuts3")]}
        return topo

    return await cached(request, ("geo-italy", str(path)), make)  # type: ignore[no-any-return]


@router.get("/api/geo/italy", summary="Italian provinces (TopoJSON) with NUTS codes")
async def italy_route(request: Request) -> JSONResponse:
    """ISTAT/openpolis province boundaries (CC BY 4.0) with ``nuts3`` and ``nuts2``."""
    try:
        return JSONResponse(await italy_topology(request))
    except FileNotFoundError as err:
        raise NotFoundError(f"{err.args[0]} not found: set ITSKG_GEO_DIR to the folder "
                            f"holding {PROVINCES_FILE} (../shared/data/geo).") from None
