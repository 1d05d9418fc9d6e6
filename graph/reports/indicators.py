"""Map indicators and home-page counts: the figures the explorer's map and home page show.

Domain logic, kept in the library so every surface (the map page, ``/api/map``, a
per-generation precomputation, a notebook) computes the same figures through
``KnowledgeGraph.map_indicator`` / ``home_counts`` (and their ``a``-prefixed async twins):

- the map units: the 21 Italian NUTS 2 regions (``ITALIAN_REGIONS``; Trentino-Alto Adige is
  its two units ITH1 Bolzano and ITH2 Trento, as ISTAT's provinces dissolve into them: the
  former merged key ``TRENTINO`` is no longer used), the 107 NUTS 3 provinces, or countries
  (ISO alpha-3);
- each indicator as a declaration (SPARQL body and kind, ``LEVELS``) and the queries that
  compute it (``indicator_query``); derived kinds (gap, s3, territorial) combine two or three
  queries here (one NOT EXISTS query took over 30 s);
- the home page's instance counts per class, real and synthetic, and the layer list.

Every figure is a :class:`~itskg.graph.reports.readings.Reading`: fixed queries plus a pure
function of their rows.
"""

from __future__ import annotations

import re
from typing import Any

from itskg.graph.namespaces import (
    COUNTRY,
    META_GRAPH,
    NUTS_CODE,
    ONTOLOGY,
    VOCAB,
)
from itskg.graph.namespaces import sparql_prefixes as _prefixes
from itskg.graph.reports.readings import (
    Reading,
    Row,
    labels_by_subject,
    pick_label,
    term_value,
)

__all__ = [
    "COUNTRY_INDICATORS",
    "INDICATORS",
    "ITALIAN_REGIONS",
    "ITS_SECTIONS",
    "LEVELS",
    "PROVINCE_INDICATORS",
    "TRENTINO",
    "home_reading",
    "indicator_kind",
    "indicator_query",
    "indicator_reading",
    "indicator_table",
    "licence_name",
    "units_reading",
]

P = _prefixes(["itskg", "skos", "elm", "rdf", "rdfs", "owl", "dct", "void", "voc"])
TRENTINO = "ITH1+ITH2"  # former merged key; kept for callers, no longer used by the map
#: the 21 Italian NUTS 2 regions (2021 classification), the units of the regional map
ITALIAN_REGIONS = ("ITC1 ITC2 ITC3 ITC4 ITF1 ITF2 ITF3 ITF4 ITF5 ITF6 ITG1 ITG2 ITH1 ITH2 ITH3 "
                   "ITH4 ITH5 ITI1 ITI2 ITI3 ITI4").split()
_KEYS = " ".join(f'(<{NUTS_CODE}{c}> "{c}")' for c in ITALIAN_REGIONS)
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
#: course (three queries; see ``_territorial``).
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

# the numerators cast to xsd:decimal: integer / integer is integer division on Virtuoso 7
# (28.6 % came back as 28), a decimal everywhere else
_DEC = "<http://www.w3.org/2001/XMLSchema#decimal>"
_AGG = {
    "count": "(COUNT(DISTINCT ?x) AS ?value)",
    "s3": "(COUNT(DISTINCT ?x) AS ?value)",
    "share": f"({_DEC}(100 * COUNT(DISTINCT ?d)) / COUNT(DISTINCT ?x) AS ?value)",
    "sum": "(SUM(?n) AS ?value)",
    "ratio": f"({_DEC}(100 * SUM(?n)) / SUM(?m) AS ?value)",
    "gap": "",
}


def indicator_kind(name: str, level: str = "region") -> str:
    """The kind of an indicator (count, share, sum, ratio, gap, s3, territorial).

    Raises KeyError for an unknown level, or an indicator the level does not have."""
    return LEVELS[level][name][1]


def indicator_query(name: str, level: str = "region") -> str | tuple[str, ...]:
    """The SPARQL of an indicator at ``level`` (a tuple of queries for the derived kinds).

    Raises KeyError for an unknown level or indicator."""
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


_S3_HAVING = (f"{P}SELECT DISTINCT ?key WHERE {{ VALUES (?r ?key) "
              f"{{ {_KEYS} }} ?x itskg:s3Region ?r }}")


def _territorial(level: str, answers: list[list[Row]]) -> dict[str, int]:
    """CQ39: companies of ITS-relevant sections per province with no academy seat and no
    course located there (0 where there is one); per region, the sum over its provinces."""
    companies, seats, parents = answers
    seated = {term_value(r, "key") for r in seats}
    by_province = {term_value(r, "key"): int(term_value(r, "value") or 0) for r in companies}
    gaps = {k: (0 if k in seated else v) for k, v in by_province.items()}
    if level == "province":
        return gaps
    out: dict[str, int] = {}
    for r in parents:
        region = term_value(r, "r").rsplit("/", 1)[-1]
        out[region] = out.get(region, 0) + gaps.get(term_value(r, "key"), 0)
    return out


def _gap(answers: list[list[Row]]) -> dict[str, int]:
    sets: list[dict[str, set[str]]] = []
    for rows in answers:
        by: dict[str, set[str]] = {}
        for r in rows:
            by.setdefault(term_value(r, "key"), set()).add(term_value(r, "x"))
        sets.append(by)
    return {k: len(v - sets[1].get(k, set())) for k, v in sets[0].items()}


def indicator_reading(name: str, level: str = "region") -> Reading:
    """The raw values of an indicator: ``{map key: number}`` (keys without data are absent,
    except S3 regions with data and nothing counted, which are 0).

    Raises KeyError for an unknown level or indicator."""
    kind = indicator_kind(name, level)
    query = indicator_query(name, level)
    if kind == "territorial":
        assert isinstance(query, tuple)
        return Reading(query, lambda answers: _territorial(level, answers))
    if isinstance(query, tuple):
        return Reading(query, _gap)

    def values(answers: list[list[Row]]) -> dict[str, Any]:
        out = {term_value(r, "key"): term_value(r, "value") for r in answers[0]}
        if kind == "s3":  # regions with S3 data and nothing uncovered are 0, without data None
            for r in answers[1]:
                out.setdefault(term_value(r, "key"), 0)
        return out

    return Reading((query, _S3_HAVING) if kind == "s3" else (query,), values)


def _label_query(where: str) -> str:
    return f"{P}SELECT ?s ?l WHERE {{ {where} ?s skos:prefLabel ?l }}"


def units_reading(level: str, lang: str) -> Reading:
    """Map key -> name at ``level``: NUTS 2 codes (ITH1 and ITH2 apart) in the order of
    ``ITALIAN_REGIONS``, NUTS 3 codes sorted, or ISO alpha-3 codes of the countries with a
    label. Raises KeyError for an unknown level."""
    if level not in LEVELS:
        raise KeyError(level)

    def names(rows: list[Row]) -> dict[str, str]:
        return {s: pick_label(v, lang) or s for s, v in labels_by_subject(rows).items()}

    if level == "province":
        return Reading((_label_query(_IT3.replace("?p", "?s")),), lambda a: dict(
            sorted((s.rsplit("/", 1)[-1], n) for s, n in names(a[0]).items())))
    if level == "country":
        return Reading((_label_query(f'FILTER(STRSTARTS(STR(?s), "{COUNTRY}"))'),),
                       lambda a: {s.rsplit("/", 1)[-1]: n for s, n in names(a[0]).items()})

    def regions(a: list[list[Row]]) -> dict[str, str]:
        found = names(a[0])
        return {c: found.get(NUTS_CODE + c, c) for c in ITALIAN_REGIONS}

    return Reading((_label_query(f"VALUES (?s ?k) {{ {_KEYS} }}"),), regions)


def indicator_table(name: str, level: str, values: dict[str, Any], units: dict[str, str]
                    ) -> dict[str, Any]:
    """The map's answer: ``{"indicator", "level", "kind", "regions": [{"key", "label",
    "value", "nuts"} (+ "iso_numeric" per country)]}``, one entry per map unit.

    Counts and sums are 0 where a unit has no data; shares, ratios and S3 figures are None
    (no data is not zero). Countries: only those with a value."""
    kind = indicator_kind(name, level)
    if level == "country":
        units = {k: units.get(k, k) for k in values}
    zero = 0 if kind in ("count", "sum", "gap", "territorial") else None
    regions: list[dict[str, Any]] = [
        {"key": k, "label": units[k], "value": _round(values.get(k, zero), kind), "nuts": [k]}
        for k in units]
    if level == "country":
        for r in regions:
            r["iso_numeric"] = iso_numeric(r["key"])
    return {"indicator": name, "level": level, "kind": kind, "regions": regions}


def iso_numeric(alpha3: str) -> str | None:
    """ISO 3166-1 numeric code (the ids of the world-atlas countries) for an alpha-3 code.

    >>> iso_numeric("ITA")
    '380'
    """
    import pycountry

    c = pycountry.countries.get(alpha_3=alpha3)
    return c.numeric if c else None


def _round(v: Any, kind: str) -> Any:
    if v is None:
        return None
    return round(float(v), 1) if kind in ("share", "ratio") else int(v)


# ------------------------------------------------------------------ home page
#: the classes the home page counts, in its order (then the ESCO skills and occupations)
MAIN_CLASSES = ("ITSAcademy", "Course", "FoundationMembership", "Company", "University",
                "SecondarySchool", "TrainingProvider", "ResearchOrganisation",
                "PublicAuthority", "TradeAssociation", "ChamberOfCommerce", "Bank",
                "BankFoundation", "TradeUnion", "ThirdSectorBody", "ProfessionalBody",
                "CompanyCollaboration", "MobilityFlow", "IndicatorObservation", "Network",
                "SmartSpecialisationPriority", "EUProject", "ProjectParticipation")
ESCO_CLASSES = ("http://data.europa.eu/esco/model#Skill",
                "http://data.europa.eu/esco/model#Occupation")
_CLASSES = " ".join([*(f"itskg:{c}" for c in MAIN_CLASSES), *(f"<{c}>" for c in ESCO_CLASSES)])
_HOME_QUERIES = (
    f"{P}SELECT ?c ?g (COUNT(?s) AS ?n) WHERE {{ VALUES ?c {{ {_CLASSES} }} "
    "GRAPH ?g { ?s a ?c } } GROUP BY ?c ?g",
    f"{P}SELECT ?g ?id ?title ?kind ?n ?lic WHERE {{ GRAPH <{META_GRAPH}> {{ "
    "?g dct:identifier ?id ;"
    " dct:title ?title ; dct:type ?kind ; void:triples ?n OPTIONAL { ?g dct:license ?lic }"
    " } } ORDER BY ?id",
    f"{P}SELECT ?c ?l WHERE {{ VALUES ?c {{ {_CLASSES} }} "
    "{ ?c rdfs:label ?l } UNION { ?c skos:prefLabel ?l } }",
)


def home_reading(lang: str) -> Reading:
    """Instances per main class, real and synthetic (and other: ontology, inferred), with the
    class label in ``lang``; the layers with kind, triples and licence::

        {"classes": [{"iri", "label", "real", "synthetic", "other"}],
         "layers": [{"iri", "id", "title", "kind", "triples", "license", "license_name"}],
         "any_synthetic": bool}

    Classes without real or synthetic instances are left out."""
    def combine(answers: list[list[Row]]) -> dict[str, Any]:
        counts, layer_rows, label_rows = answers
        names = labels_by_subject(label_rows, "c", "l")
        kinds = {term_value(r, "g"): term_value(r, "kind").rsplit("/", 1)[-1]
                 for r in layer_rows}
        table: dict[str, dict[str, Any]] = {}
        for r in counts:
            c = r["c"]["value"]
            kind = kinds.get(term_value(r, "g"), "")
            row = table.setdefault(c, {"iri": c, "real": 0, "synthetic": 0, "other": 0,
                                       "label": pick_label(names.get(c, []), lang)
                                       or c.rsplit("#", 1)[-1]})
            bucket = kind if kind in ("real", "synthetic") else "other"
            row[bucket] += term_value(r, "n", 0)
        order = [*(ONTOLOGY + c for c in MAIN_CLASSES), *ESCO_CLASSES]
        rows = [table[c] for c in order
                if c in table and (table[c]["real"] + table[c]["synthetic"])]
        layers = [{"iri": term_value(r, "g"), "id": term_value(r, "id"),
                   "title": term_value(r, "title"),
                   "kind": term_value(r, "kind").rsplit("/", 1)[-1],
                   "triples": term_value(r, "n", 0), "license": term_value(r, "lic"),
                   "license_name": licence_name(term_value(r, "lic"))}
                  for r in layer_rows]
        return {"classes": rows, "layers": layers,
                "any_synthetic": any(lay["kind"] == "synthetic" for lay in layers)}

    return Reading(_HOME_QUERIES, combine)


def licence_name(url: str | None) -> str | None:
    """A short name for a licence URL (CC BY 4.0, EU Decision 2011/833/EU, ...).

    >>> licence_name("https://creativecommons.org/licenses/by/4.0/")
    'CC BY 4.0'
    """
    if not url:
        return None
    m = re.search(r"creativecommons\.org/(?:licenses|publicdomain)/([a-z-]+)/([\d.]+)", url)
    if m:
        return f"CC {m.group(1).upper()} {m.group(2)}"
    if "2011/833" in url:
        return "EU Decision 2011/833/EU (reuse of Commission documents)"
    return url.rstrip("/").rsplit("/", 1)[-1] if url.startswith("http") else url
