"""What the synthetic generator reads from the real layers: a few SPARQL queries, sorted results.

``read_reference(store)`` returns a :class:`Reference` with the real ITS academies (seat
NUTS-2, province NUTS-3, technological areas), the Italian NUTS-3 and NUTS-2 regions, the EU
NUTS-2 regions with their countries, the ATECO 2025 classes, and ESCO (skills, the digital /
green / transversal collections, occupations with ISCO group, essential and optional skills).
Everything is sorted so that the generator is deterministic for a given store and seed.
Synthetic resources (``dct:type <.../data-kind/synthetic>``) are never read back as reference.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from itskg.graph.backends.interface import Store
from itskg.graph.errors import DataError, Problem
from itskg.graph.namespaces import (
    COUNTRY,
    ESCO_DIGITAL,
    ESCO_GREEN,
    ESCO_LANGUAGE_GROUPS,
    ESCO_TRANSVERSAL_GROUPS,
    ESCO_TRANSVERSAL_LEVEL,
    NUTS_CODE,
    VOCAB,
    sparql_prefixes,
)

__all__ = ["Academy", "Reference", "read_reference", "DIGITAL", "GREEN", "TRANSVERSAL_LEVEL"]

DIGITAL = ESCO_DIGITAL
GREEN = ESCO_GREEN
TRANSVERSAL_GROUPS = ESCO_TRANSVERSAL_GROUPS
LANGUAGE_GROUPS = ESCO_LANGUAGE_GROUPS
TRANSVERSAL_LEVEL = ESCO_TRANSVERSAL_LEVEL
SYNTHETIC_KIND = VOCAB + "data-kind/synthetic"
ATECO2025 = VOCAB + "ateco2025"

# NUTS-0 code -> ISO 3166 alpha-3 (EU authority table): the 27 EU member states (EL = Greece).
NUTS0_ISO3 = {
    "AT": "AUT", "BE": "BEL", "BG": "BGR", "CY": "CYP", "CZ": "CZE", "DE": "DEU", "DK": "DNK",
    "EE": "EST", "EL": "GRC", "ES": "ESP", "FI": "FIN", "FR": "FRA", "HR": "HRV", "HU": "HUN",
    "IE": "IRL", "IT": "ITA", "LT": "LTU", "LU": "LUX", "LV": "LVA", "MT": "MLT", "NL": "NLD",
    "PL": "POL", "PT": "PRT", "RO": "ROU", "SE": "SWE", "SI": "SVN", "SK": "SVK",
}
OccupationFilter = Callable[[str, str], bool]
_CLASS_RE = re.compile(r"/ateco2025/\d\d\.\d\d$")


@dataclass(frozen=True)
class Academy:
    """A real ITS academy as the generator sees it (gaps are None / empty)."""

    iri: str
    region: str | None  # NUTS-2 IRI
    province: str | None  # NUTS-3 IRI
    areas: tuple[str, ...]  # technological-area concept IRIs (area-2008 and/or area-2023)


@dataclass
class Reference:
    """The real facts the generator builds on (all lists sorted)."""

    academies: list[Academy]
    nuts3: dict[str, str]  # Italian NUTS-3 IRI -> parent NUTS-2 IRI
    nuts2_it: list[str]
    labels: dict[str, str]  # NUTS IRI -> label
    eu_nuts2: dict[str, list[str]]  # EU country IRI (not Italy) -> its NUTS-2 IRIs
    italy: str  # country IRI of Italy
    ateco_classes: list[str]
    skills: list[str]
    digital: set[str]
    green: set[str]
    transversal: set[str]
    occupations: list[tuple[str, str, str]]  # (IRI, English label lower-case, ISCO code)
    essential: dict[str, list[str]] = field(default_factory=dict)
    optional: dict[str, list[str]] = field(default_factory=dict)

    def provinces_of(self, nuts2: str | None) -> list[str]:
        return self._by_region().get(nuts2 or "", [])

    def _by_region(self) -> dict[str, list[str]]:
        cache = self.__dict__.get("_by_region_cache")
        if cache is None:
            cache = defaultdict(list)
            for n3, n2 in sorted(self.nuts3.items()):
                cache[n2].append(n3)
            self.__dict__["_by_region_cache"] = cache
        return cache


def _col(store: Store, q: str) -> list[tuple]:
    return sorted(
        tuple("" if v is None else v for v in row)
        for row in store.query(sparql_prefixes() + q).tuples()
    )


def _need(ok: bool, what: str, command: str, problems: list[Problem]) -> None:
    if not ok:
        problems.append(Problem(f"{what} not found in the store; run `{command}` first."))


def _academies(store: Store) -> list[Academy]:
    rows = _col(store, f"""
        SELECT ?a ?region ?province ?area WHERE {{
          ?a a itskg:ITSAcademy .
          OPTIONAL {{ ?a itskg:seatRegion ?region }}
          OPTIONAL {{ ?a itskg:locatedInRegion ?province }}
          OPTIONAL {{ ?a itskg:technologicalArea ?area }}
          MINUS {{ ?a dct:type <{SYNTHETIC_KIND}> }}
        }}""")
    info: dict[str, dict[str, set[str]]] = {}
    for a, region, province, area in rows:
        d = info.setdefault(a, {"r": set(), "p": set(), "a": set()})
        for key, v in (("r", region), ("p", province), ("a", area)):
            if v:
                d[key].add(v)
    out = []
    for a in sorted(info):
        d = info[a]
        region = min(d["r"]) if d["r"] else None
        provs = sorted(p for p in d["p"] if len(p) == len(NUTS_CODE) + 5)
        out.append(Academy(a, region, provs[0] if provs else None, tuple(sorted(d["a"]))))
    return out


def _nuts(store: Store, ref: dict) -> None:
    rows = _col(store, f"""
        SELECT ?r ?label WHERE {{
          ?r skos:prefLabel ?label .
          FILTER(STRSTARTS(STR(?r), "{NUTS_CODE}"))
        }}""")
    labels: dict[str, str] = {}
    for r, label in rows:
        labels.setdefault(r, label)
    codes = {r[len(NUTS_CODE):]: r for r in labels}
    nuts3 = {
        r: NUTS_CODE + c[:4] for c, r in codes.items()
        if len(c) == 5 and c.startswith("IT") and not c.endswith("ZZZ") and c[:4] in codes
    }
    ref["nuts3"] = dict(sorted(nuts3.items()))
    ref["nuts2_it"] = sorted({n2 for n2 in nuts3.values()})
    ref["labels"] = labels
    countries = {c for (c,) in _col(store, f"""
        SELECT DISTINCT ?c WHERE {{
          {{ ?c skos:inScheme <{COUNTRY.rstrip('/')}> }} UNION {{ ?n skos:exactMatch ?c }}
          FILTER(STRSTARTS(STR(?c), "{COUNTRY}"))
        }}""")}
    eu: dict[str, list[str]] = defaultdict(list)
    for c, r in sorted(codes.items()):
        iso = NUTS0_ISO3.get(c[:2])
        if len(c) != 4 or c.endswith("ZZ") or iso is None or iso == "ITA":
            continue
        country = COUNTRY + iso
        # Use the store's country IRIs when it has them; else the EU authority IRI by rule.
        if not countries or country in countries:
            eu[country].append(r)
    ref["eu_nuts2"] = dict(sorted(eu.items()))
    ref["italy"] = COUNTRY + "ITA"


def _ateco(store: Store) -> list[str]:
    rows = _col(store, f"SELECT ?c WHERE {{ ?c skos:inScheme <{ATECO2025}> }}")
    return [c for (c,) in rows if _CLASS_RE.search(c)]


def _esco(store: Store, ref: dict, wanted: OccupationFilter | None) -> None:
    ref["skills"] = [s for (s,) in _col(store, "SELECT ?s WHERE { ?s a esco:Skill }")]
    skills = set(ref["skills"])

    def members(pattern: str) -> set[str]:
        return {s for (s,) in _col(store, f"SELECT ?s WHERE {{ ?s a esco:Skill . {pattern} }}")}

    ref["digital"] = members(f"?s skos:inScheme <{DIGITAL}>")
    ref["green"] = members(f"?s skos:inScheme <{GREEN}>")
    ref["transversal"] = (
        members(f"?s esco:skillReuseLevel <{TRANSVERSAL_LEVEL}>")
        | members(f"?s skos:inScheme <{TRANSVERSAL_GROUPS}>")
    ) - members(f"?s skos:inScheme <{LANGUAGE_GROUPS}>")
    occ: dict[str, list[str]] = {}
    for o, label, lang, isco in _col(store, """
        SELECT ?o ?label (LANG(?label) AS ?lang) ?g WHERE {
          ?o a esco:Occupation .
          OPTIONAL { ?o skos:prefLabel ?label }
          OPTIONAL { ?o esco:memberOfISCOGroup ?g }
        }"""):
        d = occ.setdefault(o, ["", ""])
        if label and (lang == "en" or not d[0]):
            d[0] = label.lower()
        if isco:
            d[1] = isco.rsplit("/", 1)[-1].lstrip("C")
    ref["occupations"] = [(o, lab, isco) for o, (lab, isco) in sorted(occ.items())]
    keep = [o for o, lab, isco in ref["occupations"] if wanted is None or wanted(lab, isco)]
    if len(keep) < 10:
        keep = [o for o, _, _ in ref["occupations"]]
    for key, prop in (("essential", "relatedEssentialSkill"), ("optional", "relatedOptionalSkill")):
        rel: dict[str, list[str]] = defaultdict(list)
        for i in range(0, len(keep), 400):
            values = " ".join(f"<{o}>" for o in keep[i:i + 400])
            for o, s in _col(store, f"""
                SELECT ?o ?s WHERE {{ VALUES ?o {{ {values} }} ?o esco:{prop} ?s }}"""):
                rel[o].append(s)
        ref[key] = {o: [s for s in v if s in skills] for o, v in sorted(rel.items())}


def read_reference(store: Store, wanted: OccupationFilter | None = None) -> Reference:
    """Read the real reference facts; raise DataError naming the command to run if missing.

    ``wanted(label, isco)`` selects the occupations whose skills are read (all if it keeps
    fewer than 10): reading the 130k occupation-skill pairs of ESCO costs seconds.
    """
    ref: dict = {"academies": _academies(store)}
    _nuts(store, ref)
    ref["ateco_classes"] = _ateco(store)
    _esco(store, ref, wanted)
    problems: list[Problem] = []
    build = "itskg build"
    _need(bool(ref["academies"]), "The ITS academies (itskg:ITSAcademy)", build, problems)
    _need(bool(ref["nuts3"]), "The Italian NUTS-3 regions", build, problems)
    _need(bool(ref["eu_nuts2"]), "The EU NUTS-2 regions", build, problems)
    _need(bool(ref["ateco_classes"]), "The ATECO 2025 classes (voc:ateco2025)", build, problems)
    esco = "itskg import esco DIR"
    _need(bool(ref["skills"]), "ESCO skills (esco:Skill)", esco, problems)
    _need(bool(ref["occupations"]), "ESCO occupations (esco:Occupation)", esco, problems)
    _need(bool(ref["essential"]), "ESCO occupation-skill relations", esco, problems)
    if problems:
        raise DataError(
            f"Cannot generate synthetic data: the store {store.root} lacks reference data.",
            problems,
        )
    return Reference(**ref)
