"""The distributions and tables behind ``itskg synth`` (overview: ``ecosystem``).

Everything random goes through ``random.Random`` instances seeded from the user's seed, and
every table here is a plain ordered structure, so one seed gives one output, byte for byte.
"""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass

from itskg.graph.errors import ConfigError

__all__ = [
    "AREA_PROFILE", "GRAVITY", "PROFILES", "SCALES", "SectorProfile", "ScaleSpec", "company_name",
    "parse_scale", "scale_spec", "vat_check_digit", "vat_number", "zipf_sampler",
]

NATIONAL_COMPANIES = 20_000


@dataclass(frozen=True)
class ScaleSpec:
    """How much to generate.

    ``calibrated`` (the ``national`` scale): partner counts and mix, courses, cohorts and
    outcomes follow INDIRE's published figures (graph/synthetic/calibration.py); companies and
    courses are then derived, not set (0 here). Otherwise (``national-bench``, ``eu``, an
    integer N) the benchmark workload: N companies with heavy-tailed memberships, courses and
    mobility flows x N/20000; the partner mix and the indicators stay per academy and year.
    ``eu_projects``: synthetic EU projects (CoVE, Erasmus+ KA2, Horizon) with foreign partners.
    """

    name: str
    companies: int
    courses: int
    eu_partners: int = 0
    mobility_mult: float = 1.0
    calibrated: bool = False
    eu_projects: int = 0


SCALES = ("national", "national-bench", "eu")


def parse_scale(value: str | int) -> str | int:
    """``national``, ``national-bench``, ``eu`` or a positive number of companies (the CLI's
    ``--scale``). Raises ConfigError naming the valid values."""
    if isinstance(value, int) or str(value).strip().isdigit():
        n = int(value)
        if n < 1:
            raise ConfigError(f"--scale {value}: the number of companies must be at least 1.")
        return n
    v = str(value).strip().lower()
    if v not in SCALES:
        raise ConfigError(
            f"--scale {value!r} is not valid: use 'national' (calibrated to INDIRE's figures), "
            "'national-bench' (the benchmark load), 'eu' or a number of companies (e.g. 500)."
        )
    return v


def scale_spec(scale: str | int) -> ScaleSpec:
    s = parse_scale(scale)
    if s == "national":
        return ScaleSpec("national", 0, 0, calibrated=True, eu_projects=60)
    if s == "national-bench":
        return ScaleSpec("national-bench", NATIONAL_COMPANIES, 1_500, eu_projects=60)
    if s == "eu":
        return ScaleSpec("eu", 165_000, 12_000, eu_partners=40_000, mobility_mult=5.0,
                         eu_projects=400)
    f = int(s) / NATIONAL_COMPANIES
    return ScaleSpec(str(s), int(s), max(1, round(1_500 * f)), mobility_mult=f,
                     eu_projects=max(3, round(60 * f)))


@dataclass(frozen=True)
class SectorProfile:
    """A sector profile: ATECO divisions (weights), ESCO occupation cues, names and topics."""

    key: str
    divisions: dict[str, int]
    keywords: tuple[str, ...]
    isco: tuple[str, ...]
    words: tuple[str, ...]
    topics: tuple[str, ...]
    green: float = 0.05  # share of green skills in a course


PROFILES: dict[str, SectorProfile] = {p.key: p for p in (
    SectorProfile("energy", {"35": 5, "43": 3, "42": 1, "27": 2, "33": 1},
            ("energy", "solar", "wind turbine", "renewable", "power plant", "electrical",
             "heating"), ("2151", "3113", "7411", "7412", "3131", "7126"),
            ("Energia", "Impianti", "Solare", "Termotecnica", "Elettrica"),
            ("l'efficienza energetica degli edifici", "le energie rinnovabili",
             "la gestione delle reti elettriche", "l'impiantistica termica"), 0.25),
    SectorProfile("mobility", {"49": 3, "52": 4, "53": 1, "50": 1, "51": 1, "29": 2, "30": 2},
            ("logistic", "transport", "aircraft", "vehicle", "ship", "railway", "warehouse",
             "supply chain", "freight"), ("1324", "4321", "8322", "8332", "3152", "3153", "3154"),
            ("Logistica", "Trasporti", "Spedizioni", "Navale", "Aerotecnica"),
            ("la logistica integrata", "la mobilità sostenibile", "la manutenzione aeronautica",
             "la conduzione del mezzo navale"), 0.15),
    SectorProfile("life", {"20": 3, "21": 4, "72": 2, "32": 1, "86": 1},
            ("chemi", "pharmac", "biotech", "laborator", "biomedical", "medical device"),
            ("2113", "2131", "3111", "3141", "3212", "3213", "8131"),
            ("Farmaceutica", "Biotech", "Chimica", "Biomedicale", "Laboratori"),
            ("le biotecnologie industriali", "la produzione farmaceutica",
             "i dispositivi biomedicali", "la chimica dei materiali"), 0.10),
    SectorProfile("agrifood", {"01": 3, "10": 5, "11": 2, "03": 1},
            ("food", "agricultur", "wine", "dairy", "crop", "farm", "baker"),
            ("6111", "6112", "6121", "7511", "7512", "7513", "3142", "2132", "8160"),
            ("Agroalimentare", "Alimentari", "Vini", "Caseificio", "Agricola"),
            ("le produzioni agroalimentari", "l'enologia e il marketing del vino",
             "la qualità e sicurezza alimentare", "l'agricoltura di precisione"), 0.15),
    SectorProfile("home", {"41": 2, "43": 3, "16": 2, "23": 2, "31": 2, "71": 1},
            ("construction", "building", "furniture", "architect", "carpent", "civil engineer"),
            ("7111", "7112", "7115", "7119", "7522", "3112", "2142", "2161"),
            ("Costruzioni", "Edilizia", "Arredamento", "Legno", "Ceramiche"),
            ("l'edilizia sostenibile", "il design del mobile", "la gestione del cantiere",
             "il BIM e la progettazione edile"), 0.20),
    SectorProfile("mechatronics", {"25": 3, "26": 1, "27": 2, "28": 4, "29": 2, "30": 1, "33": 1},
            ("mechatronic", "mechanical", "machine", "automation", "robot", "industrial", "cnc",
             "welding"), ("2144", "3115", "7223", "7233", "7212", "3122", "2149"),
            ("Meccanica", "Automazioni", "Robotica", "Componenti", "Precisione", "Macchine"),
            ("l'automazione e i sistemi meccatronici", "la manutenzione predittiva",
             "la progettazione meccanica CAD/CAM", "la robotica industriale"), 0.05),
    SectorProfile("fashion", {"13": 3, "14": 4, "15": 3},
            ("textile", "fashion", "garment", "leather", "footwear", "clothing", "tailor"),
            ("7531", "7532", "7533", "7536", "8152", "8153", "8156", "2163"),
            ("Moda", "Tessile", "Calzature", "Pelletteria", "Confezioni"),
            ("il prodotto moda", "la produzione tessile sostenibile",
             "la modellistica calzaturiera", "il marketing della moda"), 0.10),
    SectorProfile("business",
                  {"69": 2, "70": 2, "73": 2, "74": 1, "77": 1, "78": 1, "82": 2, "66": 1},
            ("accountant", "marketing", "business", "administrative", "sales", "human resources",
             "office", "financ"), ("2411", "2421", "2423", "2431", "3313", "3322", "3334", "4110"),
            ("Consulting", "Servizi", "Marketing", "Gestioni", "Amministrazioni"),
            ("il marketing digitale", "l'amministrazione e il controllo d'impresa",
             "la gestione delle risorse umane", "l'internazionalizzazione delle imprese"), 0.05),
    SectorProfile("tourism", {"55": 3, "56": 3, "79": 2, "90": 1, "91": 2, "93": 1},
            ("tourism", "hotel", "travel", "restaurant", "museum", "cultural", "event", "cook"),
            ("1411", "1412", "4221", "4224", "5120", "5113", "3332", "3433", "2621"),
            ("Turismo", "Hotel", "Viaggi", "Eventi", "Cultura"),
            ("il turismo sostenibile", "la valorizzazione dei beni culturali",
             "l'ospitalità e la ristorazione", "l'organizzazione di eventi"), 0.05),
    SectorProfile("ict", {"62": 6, "63": 2, "61": 1, "58": 1, "26": 1},
            ("software", "ict", "data", "network", "web", "computer", "database", "cyber",
             "cloud"), ("2511", "2512", "2513", "2514", "2519", "2521", "2522", "2523", "3511",
                        "3512", "3513", "3514"),
            ("Software", "Digital", "Informatica", "Data", "Sistemi", "Cloud"),
            ("lo sviluppo software", "la cybersecurity", "i big data e l'intelligenza artificiale",
             "il cloud computing"), 0.05),
)}
PROFILE_KEYS = tuple(PROFILES)
# An academy without a (known) area is "generic": its companies draw from every profile.
GENERIC = "generic"

# Technological-area code (last IRI segment) -> profile. A4 (Made in Italy, no ambito) and
# unknown codes are generic.
AREA_PROFILE = {
    "A1": "energy", "A2": "mobility", "A3": "life", "A4.1": "agrifood", "A4.2": "home",
    "A4.3": "mechatronics", "A4.4": "fashion", "A4.5": "business", "A5": "tourism", "A6": "ict",
    "D1": "energy", "D2": "mobility", "D3": "life", "D4": "agrifood", "D5": "home",
    "D6": "mechatronics", "D7": "fashion", "D8": "business", "D9": "tourism", "D10": "ict",
}

# Gravity-like weights of destination countries for learner mobility (ISO3 -> weight).
GRAVITY = {
    "DEU": 10, "ESP": 9, "FRA": 8, "IRL": 6, "PRT": 5, "NLD": 4, "BEL": 3, "AUT": 3, "MLT": 2.5,
    "POL": 2, "GRC": 2, "SWE": 2, "FIN": 1.5, "DNK": 1.5, "CZE": 1.5, "HUN": 1, "ROU": 1,
    "HRV": 1, "SVN": 1, "BGR": 0.7, "SVK": 0.7, "CYP": 0.7, "LTU": 0.6, "EST": 0.6, "LVA": 0.5,
    "LUX": 0.5,
}

SURNAMES = (
    "Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino",
    "Greco", "Bruno", "Gallo", "Conti", "De Luca", "Mancini", "Costa", "Giordano", "Rizzo",
    "Lombardi", "Moretti", "Barbieri", "Fontana", "Santoro", "Mariani", "Rinaldi", "Caruso",
    "Ferrara", "Galli", "Martini", "Leone", "Longo", "Gentile", "Martinelli", "Vitale", "Serra",
    "Coppola", "De Santis", "Marchetti", "Parisi", "Villa", "Cattaneo", "Pellegrini", "Palumbo",
)
PLACES = ("Adriatica", "Tirrenica", "Padana", "Alpina", "Appenninica", "Mediterranea",
          "Italia", "Europa", "Nord", "Sud", "Centro", "Tecno", "Nova", "Delta")
LEGAL = ("S.r.l.", "S.r.l.", "S.r.l.", "S.r.l.", "S.p.A.", "S.n.c.", "S.a.s.", "S.r.l.s.",
         "Soc. Coop.")
EU_LEGAL = {"DEU": "GmbH", "AUT": "GmbH", "FRA": "SAS", "ESP": "S.L.", "IRL": "Ltd",
            "NLD": "B.V.", "BEL": "SRL", "POL": "Sp. z o.o.", "PRT": "Lda."}


def company_name(rng: random.Random, profile: str) -> str:
    """A plausible Italian company name, e.g. ``Rossi Meccanica S.r.l.``."""
    words = PROFILES[profile].words if profile in PROFILES else ("Industrie", "Servizi")
    legal = rng.choice(LEGAL)
    k = rng.randrange(4)
    if k == 0:
        return f"{rng.choice(SURNAMES)} {rng.choice(words)} {legal}"
    if k == 1:
        return f"{rng.choice(words)} {rng.choice(PLACES)} {legal}"
    if k == 2:
        a, b = rng.sample(SURNAMES, 2)
        return f"{a} & {b} {legal}"
    return f"{rng.choice(PLACES)}{rng.choice(words).lower()} {legal}"


def eu_company_name(rng: random.Random, iso3: str, profile: str) -> str:
    words = PROFILES[profile].words if profile in PROFILES else ("Industrie",)
    return f"{rng.choice(PLACES)} {rng.choice(words)} {EU_LEGAL.get(iso3, 'Ltd')}"


def vat_check_digit(first10: str) -> int:
    """Check digit of an Italian partita IVA (Luhn on the first 10 digits)."""
    total = 0
    for i, ch in enumerate(first10):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return (10 - total % 10) % 10


def vat_number(index: int, office: int, offset: int) -> str:
    """A well-formed 11-digit partita IVA, unique per ``index`` (< 10**7) for one offset:
    7-digit serial (a bijection of the index), 3-digit office code, check digit."""
    serial = (index * 7_654_321 + offset) % 10_000_000
    first10 = f"{serial:07d}{office:03d}"
    return first10 + str(vat_check_digit(first10))


def zipf_sampler(rng: random.Random, alpha: float, kmax: int):
    """Sampler of k in 1..kmax with P(k) proportional to k**-alpha (truncated Zipf)."""
    ks = list(range(1, kmax + 1))
    cum = list(itertools.accumulate(k ** -alpha for k in ks))
    return lambda: rng.choices(ks, cum_weights=cum)[0]


def weighted(rng: random.Random, items: Sequence, weights: Sequence[float]):
    cum = list(itertools.accumulate(weights))
    return lambda: rng.choices(items, cum_weights=cum)[0]


def matches(profile: SectorProfile, label: str, isco: str) -> bool:
    """True if an ESCO occupation (English label lower-case, ISCO code) fits the profile:
    its ISCO unit group is listed, or a keyword starts a word of its label."""
    rx = _KEYWORD_RX.get(profile.key)
    if rx is None:
        rx = _KEYWORD_RX[profile.key] = re.compile(
            r"\b(?:" + "|".join(map(re.escape, profile.keywords)) + ")")
    return isco[:4] in profile.isco or rx.search(label) is not None


def wanted_occupation(label: str, isco: str) -> bool:
    """True for an ESCO occupation that fits some profile."""
    return any(matches(p, label, isco) for p in PROFILES.values())


_KEYWORD_RX: dict[str, re.Pattern[str]] = {}
