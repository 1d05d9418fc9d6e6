"""Synthetic EU partners, learner mobility flows and per-academy indicators (qb:Observation).

Called by ``ecosystem`` after ``generator.Generator`` has made the Italian organisations.
Mobility flows scale with the ScaleSpec's ``mobility_mult``; indicators are one observation per
academy and year at every scale.
"""

from __future__ import annotations

import random
from collections import defaultdict

from itskg.graph.rdfwriter import lit, ref
from itskg.graph.synthetic.calibration import EMPLOYMENT_RANGE
from itskg.graph.synthetic.generator import (
    COVID,
    DATASET,
    NAME,
    PREF,
    SOURCE,
    SYNTHETIC_BASE,
    TITLE,
    YEARS,
    Generator,
    R,
    T,
    V,
    _year,
)
from itskg.graph.synthetic.model import GRAVITY, PROFILE_KEYS, eu_company_name

__all__ = ["datasets", "eu_partners", "indicators", "mobility"]

MOBILITY_DS = SYNTHETIC_BASE + "dataset/mobility"
INDICATOR_DS = SYNTHETIC_BASE + "dataset/indicators"
ENROLMENT_DS = SYNTHETIC_BASE + "dataset/enrolment"
P_INCOMING = 0.15
MOBILITY_TYPES = (("traineeship", 7.5), ("study", 1.0), ("staff-teaching", 0.8),
                  ("staff-training", 0.7))


def datasets(g: Generator) -> None:
    """The two qb:DataSets the observations belong to."""
    sets = [
        (MOBILITY_DS, "Synthetic learner mobility flows", "Flussi di mobilità sintetici"),
        (INDICATOR_DS, "Synthetic ITS outcome indicators", "Indicatori ITS sintetici"),
    ]
    if g.spec.calibrated:
        sets.append((ENROLMENT_DS, "Synthetic enrolment per course cohort",
                     "Iscritti sintetici per coorte"))
    for iri, en, it in sets:
        s = ref(iri)
        g.o.t(s, ref("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
              ref("http://purl.org/linked-data/cube#DataSet"))
        g.o.t(s, ref("http://purl.org/dc/terms/type"),
              ref("https://w3id.org/itskg/vocab/data-kind/synthetic"))
        g.o.t(s, TITLE, lit(en, lang="en"))
        g.o.t(s, TITLE, lit(it, lang="it"))
        g.o.t(s, SOURCE, lit(f"itskg synth (SYNTHETIC, seed={g.seed}, scale={g.spec.name})"))


def eu_partners(g: Generator) -> None:
    """EU partner organisations (eu scale): hosts of mobility and internships abroad."""
    rng = g.rng("eu")
    g.eu_by_country = defaultdict(list)
    countries = list(g.r.eu_nuts2)
    w = [GRAVITY.get(c.rsplit("/", 1)[-1], 0.5) for c in countries]
    for n in range(1, g.spec.eu_partners + 1):
        country = rng.choices(countries, weights=w)[0]
        iso = country.rsplit("/", 1)[-1]
        cls = rng.choices(("Company", "TrainingProvider", "University"), (7, 2, 1))[0]
        s = g.res(f"{SYNTHETIC_BASE}partner/{n:06d}", cls)
        prof = rng.choice(PROFILE_KEYS)
        name = eu_company_name(rng, iso, prof)
        g.o.t(s, PREF, lit(name))
        g.o.t(s, NAME, lit(name))
        g.o.t(s, T("locatedInRegion"), R(rng.choice(g.r.eu_nuts2[country])))
        if cls == "Company":
            g.o.t(s, T("primaryActivity"), R(g._activity(rng, prof)))
            skills, _ = g._skills(rng, prof, rng.randint(3, 10), 0.35, 0.1, 0.1, False)
            for sk in skills:
                g.o.t(s, T("requiresSkill"), R(sk))
        g.eu_by_country[country].append(s)
    g.stats["eu_partners"] = g.spec.eu_partners
    if g.spec.eu_partners:  # internships abroad: EU companies host Italian learners
        k = g.stats["collaborations"]
        hosts = [x for c in countries for x in g.eu_by_country[c]]
        for j in range(len(g.acads)):
            for _ in range(round(g.size[j] * 40)):
                k += 1
                g.collaboration(rng, k, rng.choice(hosts), j, rng.choice(YEARS),
                                "internship-hosting")
        g.stats["collaborations"] = k


def mobility(g: Generator) -> None:
    """Flows between academies and EU regions: gravity-weighted countries, mostly outgoing."""
    rng = g.rng("mobility")
    r = g.r
    countries = list(r.eu_nuts2)
    weights = [GRAVITY.get(c.rsplit("/", 1)[-1], 0.3) for c in countries]
    hosts = getattr(g, "eu_by_country", {})
    italy = R(r.italy)
    ds = ref(MOBILITY_DS)
    n = 0
    for j, a in enumerate(g.acads):
        for year in YEARS:
            base = rng.randint(2, 8) * COVID.get(year, 1.0) * g.spec.mobility_mult * g.size[j]
            k = int(base) + (rng.random() < base - int(base))  # stochastic rounding
            for _ in range(k):
                n += 1
                s = g.res(f"{SYNTHETIC_BASE}mobility-flow/{n:06d}", "MobilityFlow")
                country = rng.choices(countries, weights=weights)[0]
                region = rng.choice(r.eu_nuts2[country])
                partner = rng.choice(hosts[country]) if hosts.get(country) else None
                incoming = rng.random() < P_INCOMING
                academy = R(a.iri)
                o = g.o
                o.t(s, DATASET, ds)
                o.t(s, T("direction"), V("mobility-direction",
                                         "incoming" if incoming else "outgoing"))
                if incoming:
                    o.t(s, T("originCountry"), R(country))
                    o.t(s, T("originRegion"), R(region))
                    o.t(s, T("destinationCountry"), italy)
                    if a.region:
                        o.t(s, T("destinationRegion"), R(a.region))
                    o.t(s, T("receivingOrganisation"), academy)
                    if partner:
                        o.t(s, T("sendingOrganisation"), partner)
                else:
                    o.t(s, T("originCountry"), italy)
                    if a.region:
                        o.t(s, T("originRegion"), R(a.region))
                    o.t(s, T("destinationCountry"), R(country))
                    o.t(s, T("destinationRegion"), R(region))
                    o.t(s, T("sendingOrganisation"), academy)
                    if partner:
                        o.t(s, T("receivingOrganisation"), partner)
                mtype = rng.choices([m for m, _ in MOBILITY_TYPES],
                                    [w for _, w in MOBILITY_TYPES])[0]
                o.t(s, T("mobilityType"), V("mobility-type", mtype))
                o.t(s, T("participants"), lit(1 + int(rng.lognormvariate(0.8, 0.8))))
                o.t(s, T("year"), _year(year))
    g.stats["mobility_flows"] = n


def _calibrated_indicators(g: Generator) -> None:
    """Calibrated scale: the enrolment of every cohort (one observation per course,
    ``refCourse``, year = cohort start) and, per academy and year, the outcomes of the cohorts
    that ended that year (enrolled = their enrolment; employed at 12 months 82-92 % of
    graduates, INDIRE's 87 % on average)."""
    rng = g.rng("indicators")
    lo, hi = EMPLOYMENT_RANGE
    enrol, outcome = ref(ENROLMENT_DS), ref(INDICATOR_DS)
    ended: dict[tuple[int, int], int] = defaultdict(int)
    n = 0
    for i, course, start, end, size in g.cohorts:
        n += 1
        s = g.res(f"{SYNTHETIC_BASE}enrolment/{n:06d}", "IndicatorObservation")
        g.o.t(s, DATASET, enrol)
        g.o.t(s, T("refCourse"), course)
        g.o.t(s, T("year"), _year(start))
        g.o.t(s, T("enrolled"), lit(size))
        if end <= YEARS[-1]:
            ended[(i, end)] += size
    g.stats["enrolment_observations"] = n
    n = 0
    for (j, year), enrolled in sorted(ended.items()):
        n += 1
        _outcome(g, rng, n, outcome, g.acads[j].iri, year, enrolled, lo, hi)
    g.stats["indicators"] = n


def _outcome(g: Generator, rng: random.Random, n: int, ds: str, academy: str, year: int,
             enrolled: int, lo: float, hi: float) -> None:
    """Observation ``n``: dropouts 10-28 % of ``enrolled``, 0-4 % still enrolled, the rest
    graduates; employed at 12 months U(lo, hi) of graduates, coherent 85-97 % of employed."""
    s = g.res(f"{SYNTHETIC_BASE}indicator/{n:05d}", "IndicatorObservation")
    dropouts = round(enrolled * rng.uniform(0.1, 0.28))
    still = round(enrolled * rng.uniform(0.0, 0.04))
    graduates = enrolled - dropouts - still
    employed = round(graduates * rng.uniform(lo, hi))
    coherent = round(employed * rng.uniform(0.85, 0.97))
    o = g.o
    o.t(s, DATASET, ds)
    o.t(s, T("refITS"), R(academy))
    o.t(s, T("year"), _year(year))
    o.t(s, T("enrolled"), lit(enrolled))
    o.t(s, T("graduates"), lit(graduates))
    o.t(s, T("employedAt12Months"), lit(employed))
    o.t(s, T("employedCoherently"), lit(coherent))
    o.t(s, T("dropouts"), lit(dropouts))
    rate = employed / graduates if graduates else 0.0
    o.t(s, T("employmentRate12m"), lit(f"{rate:.4f}", datatype="decimal"))


def indicators(g: Generator) -> None:
    """One observation per academy and year: graduates <= enrolled, employed <= graduates,
    coherent <= employed, dropouts = enrolled - graduates - still enrolled."""
    if g.spec.calibrated:
        _calibrated_indicators(g)
        return
    rng = g.rng("indicators")
    ds = ref(INDICATOR_DS)
    n = 0
    for j, a in enumerate(g.acads):
        for year in YEARS[:-1]:
            n += 1
            enrolled = max(15, round(25 * g.size[j] * rng.uniform(1.5, 4.0)))
            _outcome(g, rng, n, ds, a.iri, year, enrolled, 0.78, 0.93)
    g.stats["indicators"] = n
