"""The published figures the synthetic ``national`` scale is calibrated to, and how to check it.

INDIRE's monitoring of the ITS system is published as aggregate figures (secondary reports,
collected with their sources in ../shared/data/monitoring/its_reported_figures.csv). The
default synthetic scale ``national`` reproduces them *per foundation*, scaled to the number of
academies in the store (136 real academies against INDIRE's 146-147 foundations):

================================  ==========================  ===========================
figure                            published                   generated (model)
================================  ==========================  ===========================
partners per foundation           1,599 companies = 45 % ->   lognormal partner count,
                                  ~3,553 partners / 146       mean 24.3, sigma 0.7
partner mix                       companies 45 %,             shares below (the rest:
                                  business associations 4.5 % assumed, not published)
foundations with 21-50 partners   36.7 %                      from the lognormal above
courses (Dec 2025)                1,825 / 147 foundations     cohorts 2019-2025, +30 %/year
students (Apr 2025)               45,000 / 146 foundations    ~32 enrolled per cohort
employed within a year            87 %                        U(0.82, 0.92) of graduates
partner companies, Puglia/Veneto  152 / 155 (Oct 2023)        regional partner counts
================================  ==========================  ===========================

:func:`aggregates` measures the same figures on a store with a synthetic layer, and
:data:`FIGURES` holds the published values, their tolerances and sources: the test
(tests/graph/test_synth_calibration.py) and the README table use both.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from itskg.graph.namespaces import sparql_prefixes

__all__ = [
    "COHORT_MEAN", "COMPANY_REUSE", "COURSE_GROWTH", "EMPLOYMENT_RANGE", "FIGURES", "Figure",
    "PARTNER_MIX", "PARTNERS_MEAN", "PARTNERS_SIGMA", "REGIONAL_COMPANIES", "aggregates",
    "compare",
]

INDIRE_2024 = ("https://www.borsaitaliana.it/borsa/notizie/radiocor/economia/dettaglio/"
               "scuola-its-academy-premiato-il-685-dei-percorsi-di-formazione-nRC_24032024_"
               "1213_197731600.html")
SOLE_2025 = ("https://fondazione-eat.it/da-sole-24-ore-balzo-degli-its-academy-triplicati-"
             "studenti-e-corsi")
ORIZZ_2025 = ("https://www.orizzontescuola.it/its-academy-numeri-raddoppiati-negli-ultimi-due-"
              "anni-oltre-45mila-torrielli-orientamento-e-fondamentale-occorre-anche-maggiore-"
              "raccordo-con-gli-atenei/")
PUGLIA_2023 = ("https://www.quotidianodipuglia.it/regione/its_la_puglia_funziona_otto_diplomati_"
               "su_dieci_lavorano_dopo_un_anno-7706179.html")

FOUNDATIONS_2024 = 146  # INDIRE, 2024 monitoring materials
FOUNDATIONS_2025 = 147  # Dec 2025 (Il Sole 24 Ore, INDIRE source)
PARTNERS_TOTAL = 1599 / 0.45  # 1,599 companies are 45 % of the institutional partners
PARTNERS_MEAN = PARTNERS_TOTAL / FOUNDATIONS_2024  # 24.3 partners per foundation
PARTNERS_SIGMA = 0.7  # lognormal sigma: gives ~36-37 % of foundations with 21-50 partners
PARTNERS_MIN = 6  # Law 99/2022 asks for at least four kinds of founders
# Share of each partner type among all partners. company and trade-association are INDIRE's
# (45 %, 4.5 %); the others are ASSUMED (plausible, not published) and sum to the rest.
PARTNER_MIX = {
    "company": 0.45, "trade-association": 0.045, "school": 0.18, "training-body": 0.09,
    "university": 0.05, "research": 0.03, "local-authority": 0.08,
    "chamber-of-commerce": 0.025, "bank": 0.005, "bank-foundation": 0.01, "trade-union": 0.01,
    "third-sector": 0.02, "professional-body": 0.01, "other": 0.005,
}
# Partner companies reported per region (INDIRE annual report, Oct 2023): the academies of
# these regions get the partner counts that give these many distinct companies.
REGIONAL_COMPANIES = {"ITF4": 152, "ITH3": 155}
COMPANY_REUSE = 0.12  # a company slot is filled by a company already member elsewhere
COURSES_DEC_2025 = 1825
COURSE_GROWTH = 1.3  # cohorts started per year grow 30 %/year (ITS "tripled" since 2021)
STUDENTS_APR_2025 = 45_000
COHORT_MEAN = 32  # enrolled per cohort: 45,000 students over the ~1,400 cohorts of Apr 2025
EMPLOYMENT_RANGE = (0.82, 0.92)  # employed at 12 months / graduates: mean 0.87


@dataclass(frozen=True)
class Figure:
    """A published figure, per foundation unless ``per_foundation`` is False."""

    key: str
    label: str
    value: float
    tolerance: float  # absolute for shares and rates, relative (fraction) for counts
    relative: bool
    source: str
    note: str = ""

    def ok(self, got: float) -> bool:
        if self.relative:
            return abs(got - self.value) <= self.tolerance * self.value
        return abs(got - self.value) <= self.tolerance


FIGURES: tuple[Figure, ...] = (
    Figure("partners_per_foundation", "institutional partners per foundation",
           PARTNERS_MEAN, 0.10, True, INDIRE_2024, "1,599 companies = 45 % over 146"),
    Figure("company_share", "share of partners that are companies", 0.45, 0.03, False,
           INDIRE_2024),
    Figure("trade_association_share", "share of partners that are business associations",
           0.045, 0.015, False, INDIRE_2024),
    Figure("foundations_21_50", "share of foundations with 21-50 partners", 0.367, 0.10,
           False, INDIRE_2024),
    Figure("courses_per_foundation", "courses running in Dec 2025 per foundation",
           COURSES_DEC_2025 / FOUNDATIONS_2025, 0.12, True, SOLE_2025),
    Figure("students_per_foundation", "students (Apr 2025) per foundation",
           STUDENTS_APR_2025 / FOUNDATIONS_2024, 0.15, True, ORIZZ_2025),
    Figure("employment_rate", "graduates employed within one year", 0.87, 0.02, False,
           ORIZZ_2025),
    Figure("companies_ITF4", "partner companies of Puglia's foundations", 152, 0.25, True,
           PUGLIA_2023, "regional total, not per foundation"),
    Figure("companies_ITH3", "partner companies of Veneto's foundations", 155, 0.25, True,
           PUGLIA_2023, "regional total, not per foundation"),
)

_SYN = "<https://w3id.org/itskg/vocab/data-kind/synthetic>"


def _one(store: Any, body: str) -> dict[str, Any]:
    rows = list(store.query(sparql_prefixes() + body).rows())
    return {k: (float(v.value) if v is not None else 0.0) for k, v in rows[0].items()} \
        if rows else {}


def aggregates(store: Any) -> dict[str, float]:
    """The FIGURES measured on the synthetic memberships, courses and indicators of ``store``.

    Shares are over synthetic foundation memberships; courses and students count synthetic
    cohorts running at the dates of the published figures; per-foundation values divide by
    the number of real academies.
    """
    out: dict[str, float] = {}
    n = _one(store, "SELECT (COUNT(?a) AS ?n) WHERE { ?a a itskg:ITSAcademy }")["n"]
    m = _one(store, f"""SELECT (COUNT(?m) AS ?all)
        (SUM(IF(?t = <https://w3id.org/itskg/vocab/partner-type/company>, 1, 0)) AS ?co)
        (SUM(IF(?t = <https://w3id.org/itskg/vocab/partner-type/trade-association>, 1, 0))
         AS ?ta) WHERE {{ ?m a itskg:FoundationMembership ; dct:type {_SYN} ;
                           itskg:partnerType ?t }}""")
    out["partners_per_foundation"] = m["all"] / n
    out["company_share"] = m["co"] / m["all"]
    out["trade_association_share"] = m["ta"] / m["all"]
    per = store.query(sparql_prefixes() + f"""SELECT ?a (COUNT(?m) AS ?k) WHERE {{
        ?m a itskg:FoundationMembership ; dct:type {_SYN} ; org:organization ?a }}
        GROUP BY ?a""")
    counts = [int(r["k"].value) for r in per.rows()]
    counts += [0] * (int(n) - len(counts))
    out["foundations_21_50"] = sum(21 <= k <= 50 for k in counts) / n
    c = _one(store, f"""SELECT (COUNT(?c) AS ?active) WHERE {{
        ?c a itskg:Course ; dct:type {_SYN} ; itskg:cohortStartYear ?s ; itskg:cohortEndYear ?e
        FILTER(YEAR(?s) <= 2025 && YEAR(?e) >= 2026) }}""")
    out["courses_per_foundation"] = c.get("active", 0.0) / n
    s = _one(store, f"""SELECT (SUM(?k) AS ?students) WHERE {{
        ?o a itskg:IndicatorObservation ; dct:type {_SYN} ; itskg:refCourse ?c ;
           itskg:enrolled ?k .
        ?c itskg:cohortStartYear ?s ; itskg:cohortEndYear ?e
        FILTER(YEAR(?s) <= 2024 && YEAR(?e) >= 2025) }}""")
    out["students_per_foundation"] = s.get("students", 0.0) / n
    e = _one(store, f"""SELECT (SUM(?emp) AS ?employed) (SUM(?g) AS ?graduates) WHERE {{
        ?o a itskg:IndicatorObservation ; dct:type {_SYN} ; itskg:refITS ?a ;
           itskg:graduates ?g ; itskg:employedAt12Months ?emp }}""")
    out["employment_rate"] = e["employed"] / e["graduates"] if e.get("graduates") else 0.0
    for region in REGIONAL_COMPANIES:
        r = _one(store, f"""SELECT (COUNT(DISTINCT ?co) AS ?n) WHERE {{
            ?m a itskg:FoundationMembership ; dct:type {_SYN} ; itskg:foundationMember ?co ;
               org:organization ?a .
            ?co a itskg:Company .
            ?a itskg:seatRegion <http://data.europa.eu/nuts/code/{region}> }}""")
        out[f"companies_{region}"] = r["n"]
    return out


def compare(measured: dict[str, float]) -> list[tuple[Figure, float, bool]]:
    """(figure, measured value, within tolerance) for every published figure."""
    return [(f, measured.get(f.key, float("nan")), f.ok(measured.get(f.key, float("nan"))))
            for f in FIGURES]
