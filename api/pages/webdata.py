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

import re
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse

from itskg.api.http_errors import NotFoundError
from itskg.api.pages.i18n import page_lang, pick_label, t
from itskg.api.pages.rendering import cached, select, term_value
from itskg.graph.namespaces import (
    COUNTRY,
    EQF,
    META_GRAPH,
    NUTS_CODE,
    ONTOLOGY,
    ONTOLOGY_GRAPH,
    VOCAB,
)
from itskg.graph.namespaces import sparql_prefixes as _prefixes
from itskg.graph.sparql.catalogue import VOCABULARIES

__all__ = ["COUNTRY_INDICATORS", "INDICATORS", "LEVELS", "PROVINCE_INDICATORS", "TRENTINO",
           "home_stats", "indicator", "iso_numeric", "licence_name", "picklist", "router"]

router = APIRouter(tags=["explorer data"])
P = _prefixes(["itskg", "skos", "elm", "rdf", "rdfs", "owl", "dct", "void", "voc"])
TRENTINO = "ITH1+ITH2"  # former merged key; kept for callers, no longer used by the map
_NUTS2_IT = ("ITC1 ITC2 ITC3 ITC4 ITF1 ITF2 ITF3 ITF4 ITF5 ITF6 ITG1 ITG2 ITH1 ITH2 ITH3 ITH4 "
             "ITH5 ITI1 ITI2 ITI3 ITI4").split()
_KEYS = " ".join(f'(<{NUTS_CODE}{c}> "{c}")' for c in _NUTS2_IT)
_IT3 = (f'?p <http://data.europa.eu/nuts/level> 3 . FILTER(STRSTARTS(STR(?p), "{NUTS_CODE}IT") '
        '&& !STRENDS(STR(?p), "ZZZ")) BIND(STRAFTER(STR(?p), "/nuts/code/") AS ?key)')
#: ATECO 2025 sections served by the DM 203/2023 areas (agri-food A; manufacturing C; energy
#: D; construction F; logistics H; tourism I; media and digital J, K; business services N):
#: the "ITS-relevant" sectors of the territorial-gap indicator (CQ39).
ITS_SECTIONS = "A C D F H I J K N".split()
# the divisions of those sections, read from the ATECO 2025 code (same as the named query
# provinces_without_its_seat): a skos:broader* path is slow and not portable to Virtuoso
_DIVISION_FILTER = (
    f'BIND(SUBSTR(STRAFTER(STR(?act), "{VOCAB}ateco2025/"), 1, 2) AS ?division) '
    'FILTER(STRLEN(?division) = 2 && (?division <= "03" || (?division >= "10" && '
    '?division <= "33") || ?division = "35" || (?division >= "41" && ?division <= "43") || '
    '(?division >= "49" && ?division <= "53") || ?division IN ("55", "56") || '
    '(?division >= "58" && ?division <= "63") || (?division >= "69" && ?division <= "75")))')

#: indicator -> (SPARQL body binding ?r (NUTS 2 of the academy) and ?x / ?d, kind)
#: kind "count": COUNT(DISTINCT ?x); "share": 100 * distinct ?d / distinct ?x; "sum": SUM(?n);
#: "ratio": 100 * SUM(?n) / SUM(?m); "gap": distinct ?x of the demand pattern minus those of
#: the supply pattern (two queries, subtracted here: one NOT EXISTS query took over 30 s);
#: "s3": like count, but regions without any S3 priority have no value (not zero);
#: "territorial": companies of ITS-relevant sections in provinces with no academy seat or
#: course (two queries; see ``_territorial``).
INDICATORS: dict[str, tuple[str, str]] = {
    "academies": ("?x a itskg:ITSAcademy ; itskg:seatRegion ?r .", "count"),
    "courses": ("?a a itskg:ITSAcademy ; itskg:seatRegion ?r . ?x elm:providedBy ?a .",
                "count"),
    "members": ("?a a itskg:ITSAcademy ; itskg:seatRegion ?r . "
                "?x itskg:memberOfFoundation ?a .", "count"),
    "companies": ("?a a itskg:ITSAcademy ; itskg:seatRegion ?r . "
                  "?x itskg:memberOfFoundation ?a . ?x a itskg:Company .", "count"),
    "skills": ("?a a itskg:ITSAcademy ; itskg:seatRegion ?r . "
               "?c elm:providedBy ?a ; itskg:teachesSkill ?x .", "count"),
    "digital_share": ("?a a itskg:ITSAcademy ; itskg:seatRegion ?r . "
                      "?c elm:providedBy ?a ; itskg:teachesSkill ?x . "
                      "OPTIONAL { ?x a itskg:DigitalSkill BIND(?x AS ?d) }", "share"),
    "green_share": ("?a a itskg:ITSAcademy ; itskg:seatRegion ?r . "
                    "?c elm:providedBy ?a ; itskg:teachesSkill ?x . "
                    "OPTIONAL { ?x a itskg:GreenSkill BIND(?x AS ?d) }", "share"),
    "digital_gaps": ("?co a itskg:Company ; itskg:locatedInRegion/skos:broader* ?r ; "
                     "itskg:requiresSkill ?x . ?x a itskg:DigitalSkill .|"
                     "?a itskg:seatRegion ?r . ?c elm:providedBy ?a ; itskg:teachesSkill ?x . "
                     "?x a itskg:DigitalSkill .", "gap"),
    "mobility_out": ("?a a itskg:ITSAcademy ; itskg:seatRegion ?r . "
                     "?f itskg:sendingOrganisation ?a ; itskg:participants ?n ; "
                     f"itskg:direction <{VOCAB}mobility-direction/outgoing> .", "sum"),
    "employment": ("?a a itskg:ITSAcademy ; itskg:seatRegion ?r . "
                   "?o itskg:refITS ?a ; itskg:graduates ?m ; itskg:employedAt12Months ?n .",
                   "ratio"),
    "s3_priorities": ("?x a itskg:SmartSpecialisationPriority ; itskg:s3Region ?r .", "s3"),
    "s3_uncovered": ("?x a itskg:SmartSpecialisationPriority ; itskg:s3Region ?r . "
                     "FILTER NOT EXISTS { ?x itskg:relatedTechnologicalArea ?area . "
                     "?ac a itskg:ITSAcademy ; itskg:seatRegion ?r ; itskg:technologicalArea ?o "
                     "FILTER(?o = ?area || EXISTS { ?o skos:closeMatch ?area }) }", "s3"),
    "territorial_gaps": ("", "territorial"),
}
#: indicators with a province (NUTS 3) level: body binding ?p (the province) and ?x.
PROVINCE_INDICATORS: dict[str, tuple[str, str]] = {
    "academies": ("?x a itskg:ITSAcademy ; itskg:locatedInRegion ?p .", "count"),
    "courses": ("?x a itskg:Course ; itskg:locatedInRegion ?p .", "count"),
    "members": ("?x itskg:memberOfFoundation ?a ; itskg:locatedInRegion ?p .", "count"),
    "companies": ("?x a itskg:Company ; itskg:memberOfFoundation ?a ; "
                  "itskg:locatedInRegion ?p .", "count"),
    "territorial_gaps": ("", "territorial"),
}
#: indicators per country (the world map): body binding ?country and ?x / ?n.
COUNTRY_INDICATORS: dict[str, tuple[str, str]] = {
    "mobility_destinations": (
        "?f itskg:destinationCountry ?country ; itskg:participants ?n ; "
        f"itskg:direction <{VOCAB}mobility-direction/outgoing> .", "sum"),
    "project_partners": (
        "?pp itskg:projectParticipant ?x ; <http://www.w3.org/ns/org#organization> ?pr . "
        "?x itskg:country ?country . FILTER(?country != "
        f"<{COUNTRY}ITA>)", "count"),
}
LEVELS = {"region": INDICATORS, "province": PROVINCE_INDICATORS, "country": COUNTRY_INDICATORS}

_AGG = {
    "count": "(COUNT(DISTINCT ?x) AS ?value)",
    "s3": "(COUNT(DISTINCT ?x) AS ?value)",
    "share": "(100 * COUNT(DISTINCT ?d) / COUNT(DISTINCT ?x) AS ?value)",
    "sum": "(SUM(?n) AS ?value)",
    "ratio": "(100 * SUM(?n) / SUM(?m) AS ?value)",
    "gap": "",
}


def indicator_query(name: str, level: str = "region") -> str | tuple[str, ...]:
    """The SPARQL of an indicator at ``level`` (a tuple of queries for the derived kinds)."""
    body, kind = LEVELS[level][name]
    if kind == "territorial":
        companies = ("?co a itskg:Company ; itskg:locatedInRegion ?p ; itskg:primaryActivity ?act "
                     f". {_DIVISION_FILTER}")
        seats = "{ ?a a itskg:ITSAcademy ; itskg:locatedInRegion ?p } UNION " \
                "{ ?c elm:providedBy ?a ; itskg:locatedInRegion ?p }"
        return (f"{P}SELECT ?key ?p (COUNT(DISTINCT ?co) AS ?value) WHERE {{ {_IT3} "
                f"{companies} }} GROUP BY ?key ?p",
                f"{P}SELECT DISTINCT ?key WHERE {{ {_IT3} {seats} }}",
                f"{P}SELECT ?key ?r WHERE {{ {_IT3} ?p skos:broader ?r }}")
    if level == "province":
        return f"{P}SELECT ?key {_AGG[kind]} WHERE {{ {_IT3} {body} }} GROUP BY ?key"
    if level == "country":
        return (f"{P}SELECT ?key {_AGG[kind]} WHERE {{ {body} "
                'BIND(STRAFTER(STR(?country), "/country/") AS ?key) } GROUP BY ?key')
    if kind == "gap":
        demand, supply = body.split("|")
        return tuple(f"{P}SELECT DISTINCT ?key ?x WHERE {{ VALUES (?r ?key) {{ {_KEYS} }} {b} }}"
                     for b in (demand, supply))
    return (f"{P}SELECT ?key {_AGG[kind]} WHERE {{ VALUES (?r ?key) {{ {_KEYS} }} {body} }} "
            "GROUP BY ?key")


async def _labels(request: Request, where: str, lang: str) -> dict[str, str]:
    """?s -> best label, for subjects matched by ``where`` (which binds ?s)."""
    rows = await select(request, f"{P}SELECT ?s ?l WHERE {{ {where} ?s skos:prefLabel ?l }}")
    by: dict[str, list[tuple[str, str | None]]] = {}
    for r in rows:
        by.setdefault(r["s"]["value"], []).append((r["l"]["value"], r["l"].get("xml:lang")))
    return {s: pick_label(v, lang) or s for s, v in by.items()}


async def region_labels(request: Request, lang: str, level: str = "region") -> dict[str, str]:
    """Map key -> name: NUTS 2 codes (ITH1 and ITH2 apart), NUTS 3 codes, or ISO alpha-3
    country codes (the countries with a value are added by ``indicator``)."""
    async def make() -> dict[str, str]:
        if level == "province":
            names = await _labels(request, _IT3.replace("?p", "?s"), lang)
            return dict(sorted((s.rsplit("/", 1)[-1], n) for s, n in names.items()))
        if level == "country":
            names = await _labels(request, f'FILTER(STRSTARTS(STR(?s), "{COUNTRY}"))', lang)
            return {s.rsplit("/", 1)[-1]: n for s, n in names.items()}
        names = await _labels(request, f"VALUES (?s ?k) {{ {_KEYS} }}", lang)
        return {c: names.get(NUTS_CODE + c, c) for c in _NUTS2_IT}
    return await cached(request, ("region-labels", level, lang), make)  # type: ignore


async def _territorial(request: Request, level: str) -> dict[str, int]:
    """CQ39: companies of ITS-relevant sections per province with no academy seat and no
    course located there (0 where there is one); per region, the sum over its provinces."""
    companies_q, seats_q, parents_q = indicator_query("territorial_gaps", "province")
    seated = {term_value(r, "key") for r in await select(request, seats_q)}
    by_province = {term_value(r, "key"): int(term_value(r, "value") or 0)
                   for r in await select(request, companies_q)}
    gaps = {k: (0 if k in seated else v) for k, v in by_province.items()}
    if level == "province":
        return gaps
    out: dict[str, int] = {}
    for r in await select(request, parents_q):
        region = term_value(r, "r").rsplit("/", 1)[-1]
        out[region] = out.get(region, 0) + gaps.get(term_value(r, "key"), 0)
    return out


async def indicator(request: Request, name: str, lang: str,
                    level: str = "region") -> dict[str, Any]:
    """The values of one map indicator per map unit at ``level`` (region = NUTS 2, province
    = NUTS 3, country), with labels and the title. Raises KeyError for an unknown
    indicator or one the level does not have."""
    table = LEVELS.get(level)
    if table is None or name not in table:
        raise KeyError(name)
    kind = table[name][1]

    async def make() -> dict[str, Any]:
        if kind == "territorial":
            return await _territorial(request, level)
        query = indicator_query(name, level)
        if isinstance(query, tuple):
            sets: list[dict[str, set[str]]] = []
            for q in query:
                by: dict[str, set[str]] = {}
                for r in await select(request, q):
                    by.setdefault(term_value(r, "key"), set()).add(term_value(r, "x"))
                sets.append(by)
            return {k: len(v - sets[1].get(k, set())) for k, v in sets[0].items()}
        rows = await select(request, query)
        values = {term_value(r, "key"): term_value(r, "value") for r in rows}
        if kind == "s3":  # regions with S3 data and nothing uncovered are 0, without data None
            having = await select(request, f"{P}SELECT DISTINCT ?key WHERE {{ VALUES (?r ?key) "
                                           f"{{ {_KEYS} }} ?x itskg:s3Region ?r }}")
            for r in having:
                values.setdefault(term_value(r, "key"), 0)
        return values

    values = await cached(request, ("indicator", level, name), make)
    labels = await region_labels(request, lang, level)
    if level == "country":
        labels = {k: labels.get(k, k) for k in values}
    zero = 0 if kind in ("count", "sum", "gap", "territorial") else None
    regions = [{"key": k, "label": labels[k], "value": _round(values.get(k, zero), kind),
                "nuts": [k]} for k in labels]
    if level == "country":
        for r in regions:
            r["iso_numeric"] = iso_numeric(r["key"])
    return {"indicator": name, "level": level, "title": t(f"ind.{name}", lang), "kind": kind,
            "regions": regions}


def iso_numeric(alpha3: str) -> str | None:
    """ISO 3166-1 numeric code (the ids of the world-atlas countries) for an alpha-3 code."""
    import pycountry

    c = pycountry.countries.get(alpha_3=alpha3)
    return c.numeric if c else None


def _round(v: Any, kind: str) -> Any:
    if v is None:
        return None
    return round(float(v), 1) if kind in ("share", "ratio") else int(v)


# ------------------------------------------------------------------ pick-lists
_SCHEME_OF = {"ateco2025": VOCAB + "ateco2025", "ateco2007": VOCAB + "ateco2007",
              "area-2023": VOCAB + "area-2023", "area-2008": VOCAB + "area-2008",
              "country": COUNTRY.rstrip("/")}


def _picklist_query(vocabulary: str) -> str | None:
    if vocabulary == "nuts":
        keys = " ".join(f"<{NUTS_CODE}{c}>" for c in _NUTS2_IT)
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
_MAIN_CLASSES = ("ITSAcademy", "Course", "FoundationMembership", "Company", "University",
                 "SecondarySchool", "TrainingProvider", "ResearchOrganisation",
                 "PublicAuthority", "TradeAssociation", "ChamberOfCommerce", "Bank",
                 "BankFoundation", "TradeUnion", "ThirdSectorBody", "ProfessionalBody",
                 "CompanyCollaboration", "MobilityFlow", "IndicatorObservation", "Network",
                 "SmartSpecialisationPriority", "EUProject", "ProjectParticipation")
_ESCO = ("http://data.europa.eu/esco/model#Skill", "http://data.europa.eu/esco/model#Occupation")


async def home_stats(request: Request, lang: str) -> dict[str, Any]:
    """Counts by class (real / synthetic) and the layers with kind, triples and licence."""
    async def make() -> dict[str, Any]:
        classes = " ".join([*(f"itskg:{c}" for c in _MAIN_CLASSES), *(f"<{c}>" for c in _ESCO)])
        counts = await select(request, (
            f"{P}SELECT ?c ?g (COUNT(?s) AS ?n) WHERE {{ VALUES ?c {{ {classes} }} "
            "GRAPH ?g { ?s a ?c } } GROUP BY ?c ?g"))
        layers = await select(request, (
            f"{P}SELECT ?g ?id ?title ?kind ?n ?lic WHERE {{ GRAPH <{META_GRAPH}> {{ "
            "?g dct:identifier ?id ;"
            " dct:title ?title ; dct:type ?kind ; void:triples ?n OPTIONAL { ?g dct:license ?lic }"
            " } } ORDER BY ?id"))
        labels = await select(request, (
            f"{P}SELECT ?c ?l WHERE {{ VALUES ?c {{ {classes} }} "
            "{ ?c rdfs:label ?l } UNION { ?c skos:prefLabel ?l } }"))
        return {"counts": counts, "layers": layers, "labels": labels}

    raw = await cached(request, ("home",), make)
    names: dict[str, list[tuple[str, str | None]]] = {}
    for r in raw["labels"]:
        names.setdefault(r["c"]["value"], []).append((r["l"]["value"], r["l"].get("xml:lang")))
    kinds = {term_value(r, "g"): term_value(r, "kind").rsplit("/", 1)[-1]
             for r in raw["layers"]}
    table: dict[str, dict[str, Any]] = {}
    for r in raw["counts"]:
        c = r["c"]["value"]
        kind = kinds.get(term_value(r, "g"), "")
        row = table.setdefault(c, {"iri": c, "real": 0, "synthetic": 0, "other": 0,
                                   "label": pick_label(names.get(c, []), lang)
                                   or c.rsplit("#", 1)[-1]})
        bucket = kind if kind in ("real", "synthetic") else "other"
        row[bucket] += term_value(r, "n", 0)
    order = [*(ONTOLOGY + c for c in _MAIN_CLASSES), *_ESCO]
    rows = [table[c] for c in order if c in table and (table[c]["real"] + table[c]["synthetic"])]
    layers = [{"iri": term_value(r, "g"), "id": term_value(r, "id"),
               "title": term_value(r, "title"), "kind": term_value(r, "kind").rsplit("/", 1)[-1],
               "triples": term_value(r, "n", 0), "license": term_value(r, "lic"),
               "license_name": licence_name(term_value(r, "lic"))}
              for r in raw["layers"]]
    return {"classes": rows, "layers": layers,
            "any_synthetic": any(lay["kind"] == "synthetic" for lay in layers)}


def licence_name(url: str | None) -> str | None:
    """A short name for a licence URL (CC BY 4.0, EU Decision 2011/833/EU, ...)."""
    if not url:
        return None
    m = re.search(r"creativecommons\.org/(?:licenses|publicdomain)/([a-z-]+)/([\d.]+)", url)
    if m:
        return f"CC {m.group(1).upper()} {m.group(2)}"
    if "2011/833" in url:
        return "EU Decision 2011/833/EU (reuse of Commission documents)"
    return url.rstrip("/").rsplit("/", 1)[-1] if url.startswith("http") else url


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
