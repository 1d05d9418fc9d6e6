"""Small JSON data behind the explorer pages: pick-lists, map indicators, home-page counts.

All of it is a few cheap SPARQL queries through the worker pool, cached per store generation.

- ``GET /api/picklists/{vocabulary}?lang=``: ``[{"code", "iri", "label"}]`` for the values of
  a catalogue parameter vocabulary (nuts = the Italian NUTS 2 regions, area, ateco2025
  sections and divisions, its = the academies, partner-type, country, eqf, class, ...).
- ``GET /api/map/{indicator}?lang=``: one value per map region. Trentino-Alto Adige is one
  shape on the map (as in ISTAT's regions) but two NUTS 2 units, ITH1 (Bolzano) and ITH2
  (Trento): its key is ``ITH1+ITH2`` and every indicator is computed over both together
  (distinct counts and ratios stay exact; nothing is summed after the fact).
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from itskg.api.pages.i18n import page_lang, pick_label, t
from itskg.api.pages.rendering import cached, select, term_value
from itskg.graph.errors import ItskgError
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

__all__ = ["INDICATORS", "TRENTINO", "home_stats", "indicator", "licence_name", "picklist",
           "router"]

router = APIRouter(tags=["explorer data"])
P = _prefixes(["itskg", "skos", "elm", "rdf", "rdfs", "owl", "dct", "void", "voc"])
TRENTINO = "ITH1+ITH2"
_NUTS2_IT = ("ITC1 ITC2 ITC3 ITC4 ITF1 ITF2 ITF3 ITF4 ITF5 ITF6 ITG1 ITG2 ITH1 ITH2 ITH3 ITH4 "
             "ITH5 ITI1 ITI2 ITI3 ITI4").split()
_KEYS = " ".join(
    f'(<{NUTS_CODE}{c}> "{TRENTINO if c in ("ITH1", "ITH2") else c}")' for c in _NUTS2_IT)
_SAME_REGION = (f"(?r2 = ?r || (?r IN (<{NUTS_CODE}ITH1>, <{NUTS_CODE}ITH2>) && "
                f"?r2 IN (<{NUTS_CODE}ITH1>, <{NUTS_CODE}ITH2>)))")

#: indicator -> (SPARQL body binding ?r (NUTS 2 of the academy) and ?x / ?d, kind, unit)
#: kind "count": COUNT(DISTINCT ?x); "share": 100 * distinct ?d / distinct ?x; "sum": SUM(?n);
#: "ratio": 100 * SUM(?n) / SUM(?m); "gap": distinct ?x of the demand pattern minus those of
#: the supply pattern (two queries, subtracted here: one NOT EXISTS query took over 30 s).
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
}

_AGG = {
    "count": "(COUNT(DISTINCT ?x) AS ?value)",
    "share": "(100 * COUNT(DISTINCT ?d) / COUNT(DISTINCT ?x) AS ?value)",
    "sum": "(SUM(?n) AS ?value)",
    "ratio": "(100 * SUM(?n) / SUM(?m) AS ?value)",
    "gap": "",
}


def indicator_query(name: str) -> str | tuple[str, str]:
    body, kind = INDICATORS[name]
    if kind == "gap":
        demand, supply = body.split("|")
        return tuple(f"{P}SELECT DISTINCT ?key ?x WHERE {{ VALUES (?r ?key) {{ {_KEYS} }} {b} }}"
                     for b in (demand, supply))  # type: ignore[return-value]
    return (f"{P}SELECT ?key {_AGG[kind]} WHERE {{ VALUES (?r ?key) {{ {_KEYS} }} {body} }} "
            "GROUP BY ?key")


async def _labels(request: Request, where: str, lang: str) -> dict[str, str]:
    """?s -> best label, for subjects matched by ``where`` (which binds ?s)."""
    rows = await select(request, f"{P}SELECT ?s ?l WHERE {{ {where} ?s skos:prefLabel ?l }}")
    by: dict[str, list[tuple[str, str | None]]] = {}
    for r in rows:
        by.setdefault(r["s"]["value"], []).append((r["l"]["value"], r["l"].get("xml:lang")))
    return {s: pick_label(v, lang) or s for s, v in by.items()}


async def region_labels(request: Request, lang: str) -> dict[str, str]:
    """Map key (ITC1, ..., ITH1+ITH2) -> region name."""
    async def make() -> dict[str, str]:
        names = await _labels(request, f"VALUES (?s ?k) {{ {_KEYS} }}", lang)
        out = {c: names.get(NUTS_CODE + c, c) for c in _NUTS2_IT if c not in ("ITH1", "ITH2")}
        out[TRENTINO] = "Trentino-Alto Adige/Südtirol"
        return out
    return await cached(request, ("region-labels", lang), make)  # type: ignore[no-any-return]


async def indicator(request: Request, name: str, lang: str) -> dict[str, Any]:
    """The values of one map indicator per map region, with labels and the title."""
    if name not in INDICATORS:
        raise KeyError(name)

    async def make() -> dict[str, Any]:
        query = indicator_query(name)
        if isinstance(query, tuple):
            sets: list[dict[str, set[str]]] = []
            for q in query:
                by: dict[str, set[str]] = {}
                for r in await select(request, q):
                    by.setdefault(term_value(r, "key"), set()).add(term_value(r, "x"))
                sets.append(by)
            return {k: len(v - sets[1].get(k, set())) for k, v in sets[0].items()}
        rows = await select(request, query)
        return {term_value(r, "key"): term_value(r, "value") for r in rows}

    values = await cached(request, ("indicator", name), make)
    labels = await region_labels(request, lang)
    kind = INDICATORS[name][1]
    return {
        "indicator": name, "title": t(f"ind.{name}", lang), "kind": kind,
        "regions": [{"key": k, "label": labels[k],
                     "value": _round(values.get(k, 0 if kind in ("count", "sum", "gap") else None),
                                     kind),
                     "nuts": k.split("+")} for k in labels],
    }


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
                 "PublicAuthority", "CompanyCollaboration", "MobilityFlow",
                 "IndicatorObservation", "Network")
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
@router.get("/api/picklists/{vocabulary}", summary="Values for a query parameter pick-list")
async def picklist_route(request: Request, vocabulary: str) -> JSONResponse:
    """Codes, IRIs and labels (``?lang=it|en``) of a parameter vocabulary."""
    if vocabulary not in VOCABULARIES:
        return JSONResponse({"ok": False, "status": 404, "type": "UnknownVocabulary",
                             "error": f"No vocabulary {vocabulary!r}; known: "
                                      f"{', '.join(sorted(VOCABULARIES))}."}, status_code=404)
    return JSONResponse(await picklist(request, vocabulary, page_lang(request)))


@router.get("/api/map/{name}", summary="One map indicator per Italian region")
async def indicator_route(request: Request, name: str) -> JSONResponse:
    """Values per region (NUTS 2; Trentino-Alto Adige = ITH1+ITH2) for the map page."""
    try:
        return JSONResponse(await indicator(request, name, page_lang(request)))
    except KeyError:
        return JSONResponse({"ok": False, "status": 404, "type": "UnknownIndicator",
                             "error": f"No indicator {name!r}; known: "
                                      f"{', '.join(INDICATORS)}."}, status_code=404)
    except ItskgError as err:
        return JSONResponse({"ok": False, "status": 503, "type": type(err).__name__,
                             "error": str(err)}, status_code=503)
