"""The synthetic ecosystem generator proper (called by ``ecosystem``; read its docstring).

One ``Generator`` writes N-Triples lines through an ``Out`` sink. Each section draws from its own
``random.Random`` seeded with ``"{seed}/{section}"``, and iterates over sorted inputs only, so a
seed gives the same bytes whatever the hash seed of the Python process.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import random
from collections import defaultdict
from collections.abc import Callable
from typing import IO

from itskg.graph.namespaces import DATA, EQF, PREFIXES, VOCAB
from itskg.graph.rdfwriter import lit, ref
from itskg.graph.synthetic.calibration import (
    COHORT_MEAN,
    COMPANY_REUSE,
    COURSE_GROWTH,
    COURSES_DEC_2025,
    FOUNDATIONS_2025,
    PARTNER_MIX,
    PARTNERS_MEAN,
    PARTNERS_MIN,
    PARTNERS_SIGMA,
    REGIONAL_COMPANIES,
)
from itskg.graph.synthetic.inputs import Academy, Reference
from itskg.graph.synthetic.model import (
    AREA_PROFILE,
    GENERIC,
    PROFILE_KEYS,
    PROFILES,
    ScaleSpec,
    company_name,
    matches,
    vat_number,
    weighted,
    zipf_sampler,
)

__all__ = ["R", "Generator", "Out", "SYNTHETIC_BASE", "T", "V"]

SYNTHETIC_BASE = DATA + "synthetic/"
YEARS = tuple(range(2019, 2026))
COVID = {2020: 0.35, 2021: 0.6}  # mobility dip
ALPHA, KMAX = 2.0, 60  # company degree ~ truncated Zipf(ALPHA) on 1..KMAX
P_ELSEWHERE = 0.10  # company seated outside its main academy's region
P_OUT = 0.15  # an additional membership goes to an academy outside the company's region
P_NONCOMPLIANT = 0.06  # academy missing one of the Law 99/2022 partner types
P_LOW_INTERNSHIP = 0.07  # course with internship < 35 % of hours
P_EQF6 = 0.12
N_WEAK_DIGITAL = 4  # NUTS-2 regions deliberately weak in digital skills
OTHER_MIX = {  # partner type -> (class, min, max, reuse probability within the region)
    "school": ("SecondarySchool", 2, 8, 0.3),
    "training-body": ("TrainingProvider", 1, 4, 0.5),
    "university": ("University", 1, 3, 0.85),
    "research": ("ResearchOrganisation", 0, 2, 0.7),
    "local-authority": ("PublicAuthority", 1, 4, 0.6),
    "other": ("Organisation", 0, 3, 0.3),  # each new one is one of OTHER_KINDS
}
# The benchmark scales' "other" partners are first-class kinds, drawn with these weights.
OTHER_KINDS = {"trade-association": 45, "chamber-of-commerce": 15, "bank-foundation": 10,
               "bank": 5, "trade-union": 10, "third-sector": 10, "professional-body": 5}
KIND_CLASS = {  # partner type -> itskg class
    "company": "Company", "school": "SecondarySchool", "training-body": "TrainingProvider",
    "university": "University", "research": "ResearchOrganisation",
    "local-authority": "PublicAuthority", "trade-association": "TradeAssociation",
    "chamber-of-commerce": "ChamberOfCommerce", "bank": "Bank",
    "bank-foundation": "BankFoundation", "trade-union": "TradeUnion",
    "third-sector": "ThirdSectorBody", "professional-body": "ProfessionalBody",
    "other": "Organisation",
}
REUSE = {  # probability that a partner slot goes to an organisation already in the region
    "school": 0.3, "training-body": 0.5, "university": 0.85, "research": 0.7,
    "local-authority": 0.6, "trade-association": 0.5, "chamber-of-commerce": 0.7, "bank": 0.5,
    "bank-foundation": 0.7, "trade-union": 0.6, "third-sector": 0.3, "professional-body": 0.5,
    "other": 0.3,
}
ROLE_WEIGHTS = {"company": (0.25, 0.6, 0.15), "other": (0.2, 0.5, 0.3)}  # founder/part./supp.
ORG_NAMES = {
    "school": "Istituto di Istruzione Superiore {n} – {place}",
    "training-body": "Ente di formazione accreditato {n} – {place}",
    "university": "Ateneo {n} – {place}",
    "research": "Centro di ricerca {n} – {place}",
    "local-authority": "Ente territoriale {n} – {place}",
    "trade-association": "Associazione di categoria {n} – {place}",
    "chamber-of-commerce": "Camera di commercio {n} – {place}",
    "bank": "Banca di credito {n} – {place}",
    "bank-foundation": "Fondazione di origine bancaria {n} – {place}",
    "trade-union": "Organizzazione sindacale {n} – {place}",
    "third-sector": "Ente del Terzo settore {n} – {place}",
    "professional-body": "Ordine professionale {n} – {place}",
    "other": "Altro ente {n} – {place}",
}

_P = PREFIXES
RDF_TYPE = ref(_P["rdf"] + "type")
DCT_TYPE = ref(_P["dct"] + "type")
SYNTHETIC = ref(VOCAB + "data-kind/synthetic")
PREF = ref(_P["skos"] + "prefLabel")
NAME = ref(_P["schema"] + "name")
TITLE = ref(_P["dct"] + "title")
SOURCE = ref(_P["dct"] + "source")
ORG_ORG = ref(_P["org"] + "organization")
ORG_ROLE = ref(_P["org"] + "role")
PROVIDED_BY = ref(_P["elm"] + "providedBy")
DATASET = ref(_P["qb"] + "dataSet")


# Rendered terms of things used many times (reference IRIs, ontology terms): cached.
R = functools.lru_cache(maxsize=100_000)(ref)


@functools.cache
def T(local: str) -> str:
    """An itskg ontology term, rendered."""
    return ref(_P["itskg"] + local)


@functools.cache
def V(scheme: str, code: str) -> str:
    return ref(f"{VOCAB}{scheme}/{code}")


class Out:
    """Buffered N-Triples sink that counts triples."""

    def __init__(self, fh: IO[str]):
        self.fh, self.n = fh, 0
        self.buf: list[str] = []

    def t(self, s: str, p: str, o: str) -> None:
        self.buf.append(f"{s} {p} {o} .\n")
        if len(self.buf) >= 50_000:
            self.flush()

    def flush(self) -> None:
        self.n += len(self.buf)
        self.fh.write("".join(self.buf))
        self.buf.clear()


def _date(d: dt.date) -> str:
    return lit(d.isoformat(), datatype="date")


def _year(y: int) -> str:
    return lit(str(y), datatype="gYear")


class Generator:
    """Generate every section in a fixed order; ``stats`` counts what was made."""

    eu_by_country: dict[str, list[str]]  # EU partners by country, set by observations

    def __init__(self, ref_: Reference, spec: ScaleSpec, seed: int, out: Out,
                 say: Callable[[str], None]):
        self.r, self.spec, self.seed, self.o, self.say = ref_, spec, seed, out, say
        self.stats: dict[str, int] = defaultdict(int)

    def rng(self, section: str) -> random.Random:
        return random.Random(f"{self.seed}/{section}")

    def res(self, iri: str, cls: str) -> str:
        s = ref(iri)
        self.o.t(s, RDF_TYPE, T(cls))
        self.o.t(s, DCT_TYPE, SYNTHETIC)
        return s

    # ------------------------------------------------------------------ setup
    def prepare(self) -> None:
        rng = self.rng("setup")
        r = self.r
        self.acads: list[Academy] = r.academies
        self.profile = [self._profile_of(a, rng) for a in self.acads]
        self.size = [rng.lognormvariate(0, 0.6) for _ in self.acads]
        self.founded = [dt.date(rng.randint(2010, 2016), rng.randint(1, 12), rng.randint(1, 28))
                        for _ in self.acads]
        self.by_region: dict[str | None, list[int]] = defaultdict(list)
        for i, a in enumerate(self.acads):
            self.by_region[a.region].append(i)
        if self.spec.calibrated:
            self._calibrate()
        self.weak = sorted(rng.sample(r.nuts2_it, min(N_WEAK_DIGITAL, len(r.nuts2_it))))
        self.digital_share = {n2: (rng.uniform(0.0, 0.04) if n2 in self.weak
                                   else rng.uniform(0.12, 0.3)) for n2 in r.nuts2_it}
        classes: dict[str, list[str]] = defaultdict(list)
        for c in r.ateco_classes:
            classes[c.rsplit("/", 1)[-1][:2]].append(c)
        self.classes = classes
        with_skills = [o for o, _, _ in r.occupations if r.essential.get(o)]
        self.occ: dict[str, list[str]] = {}
        for key, p in PROFILES.items():
            hits = [o for o, label, isco in r.occupations
                    if r.essential.get(o) and matches(p, label, isco)]
            if len(hits) < 3:
                hits = rng.sample(with_skills, min(30, len(with_skills)))
            self.occ[key] = sorted(rng.sample(hits, min(60, len(hits))))
        self.digital = sorted(r.digital) or list(r.skills)
        self.green = sorted(r.green) or list(r.skills)
        self.transversal = sorted(r.transversal) or list(r.skills)
        self.say(f"digital-weak regions: {', '.join(w.rsplit('/', 1)[-1] for w in self.weak)}")

    def _calibrate(self) -> None:
        """Partner counts per academy (lognormal, INDIRE's mean and 21-50 share), raised in
        the regions whose partner companies are published, the others lowered to keep the
        national mean; ``size`` becomes the partner count relative to the mean."""
        rng = self.rng("calibration")
        m = len(self.acads)
        mu = math.log(PARTNERS_MEAN) - PARTNERS_SIGMA ** 2 / 2
        raw = [max(PARTNERS_MIN, rng.lognormvariate(mu, PARTNERS_SIGMA)) for _ in range(m)]
        fixed: set[int] = set()
        share, distinct = PARTNER_MIX["company"], 1 - COMPANY_REUSE * 0.85
        for region, companies in sorted(REGIONAL_COMPANIES.items()):
            idx = self.by_region.get(f"http://data.europa.eu/nuts/code/{region}", [])
            have = sum(raw[i] for i in idx) * share * distinct
            for i in idx:
                raw[i] *= companies / have
            fixed.update(idx)
        rest = [i for i in range(m) if i not in fixed]
        if rest:
            f = (PARTNERS_MEAN * m - sum(raw[i] for i in fixed)) / sum(raw[i] for i in rest)
            for i in rest:
                raw[i] = max(PARTNERS_MIN, raw[i] * f)
        self.partners = [max(PARTNERS_MIN, round(x)) for x in raw]
        mean = sum(self.partners) / m
        self.size = [p / mean for p in self.partners]
        self.company_slots = [self._round(rng, p * share) for p in self.partners]

    @staticmethod
    def _round(rng: random.Random, x: float) -> int:
        """Stochastic rounding: E[result] = x."""
        return int(x) + (rng.random() < x - int(x))

    def _profile_of(self, a: Academy, rng: random.Random) -> str:
        keys = sorted({AREA_PROFILE[c] for c in (x.rsplit("/", 1)[-1] for x in a.areas)
                       if c in AREA_PROFILE})
        return keys[-1] if len(keys) == 1 else (rng.choice(keys) if keys else GENERIC)

    def _activity(self, rng: random.Random, profile: str) -> str:
        p = PROFILES.get(profile) or PROFILES[rng.choice(PROFILE_KEYS)]
        divs = [d for d in p.divisions if self.classes.get(d)]
        if not divs:
            return rng.choice(self.r.ateco_classes)
        d = rng.choices(divs, weights=[p.divisions[x] for x in divs])[0]
        return rng.choice(self.classes[d])

    def _province(self, rng: random.Random, a: Academy | None) -> str:
        if a is not None and a.region and rng.random() >= P_ELSEWHERE:
            if a.province in self.r.nuts3 and rng.random() < 0.4:
                return a.province
            provs = self.r.provinces_of(a.region)
            if provs:
                return rng.choice(provs)
        return rng.choice(list(self.r.nuts3))

    def _skills(self, rng: random.Random, profile: str, n: int, digital: float,
                green: float, transversal: float, optional: bool) -> tuple[list[str], list[str]]:
        """``n`` ESCO skills for a course or a company, and the occupations they came from."""
        prof = profile if profile in PROFILES else rng.choice(PROFILE_KEYS)
        occs = rng.sample(self.occ[prof], min(len(self.occ[prof]), rng.randint(1, 3)))
        pool: list[str] = []
        for o in occs:
            pool += self.r.essential.get(o, [])
            if optional:
                pool += self.r.optional.get(o, [])
        chosen: dict[str, None] = {}
        for share, lst in ((digital, self.digital), (green, self.green),
                           (transversal, self.transversal)):
            for s in rng.sample(lst, min(len(lst), round(n * share))):
                chosen[s] = None
        low_digital = digital < 0.05
        for s in rng.sample(pool, min(len(pool), 2 * n + 10)):
            if len(chosen) >= n:
                break
            if low_digital and s in self.r.digital and rng.random() < 0.8:
                continue
            chosen[s] = None
        return list(chosen), occs

    def _start(self, rng: random.Random, i: int, role: str) -> dt.date:
        f = self.founded[i]
        if role == "founder":
            return f
        lo, hi = f.toordinal() + 180, dt.date(2025, 6, 30).toordinal()
        return dt.date.fromordinal(rng.randint(lo, max(lo, hi)))

    def _membership(self, rng: random.Random, org: str, i: int, ptype: str) -> None:
        self.stats["memberships"] += 1
        m = self.res(f"{SYNTHETIC_BASE}membership/{self.stats['memberships']:07d}",
                     "FoundationMembership")
        role = rng.choices(("founder", "participant", "supporter"),
                           weights=ROLE_WEIGHTS["company" if ptype == "company" else "other"])[0]
        start = self._start(rng, i, role)
        o = self.o
        o.t(m, T("foundationMember"), org)
        o.t(m, ORG_ORG, R(self.acads[i].iri))
        o.t(m, ORG_ROLE, V("member-role", role))
        o.t(m, T("partnerType"), V("partner-type", ptype))
        o.t(m, T("startDate"), _date(start))
        if rng.random() < 0.05:
            end = dt.date.fromordinal(min(start.toordinal() + rng.randint(365, 3000),
                                          dt.date(2025, 12, 31).toordinal()))
            o.t(m, T("endDate"), _date(end))

    # -------------------------------------------------------------- sections
    def other_members(self) -> None:
        """Schools, training bodies, universities, ... per academy, shared within a region."""
        rng = self.rng("partners")
        kind_rng = self.rng("partner-kinds")
        kinds, kind_w = list(OTHER_KINDS), list(OTHER_KINDS.values())
        pools: dict[tuple[str | None, str], list[tuple[str, str]]] = defaultdict(list)
        for i, a in enumerate(self.acads):
            if self.spec.calibrated:
                mix = {t: self._round(rng, self.partners[i] * share)
                       for t, share in PARTNER_MIX.items() if t != "company"}
            else:
                mix = {t: rng.randint(lo, hi) for t, (_, lo, hi, _) in OTHER_MIX.items()}
            if rng.random() < P_NONCOMPLIANT:
                for t in rng.choice((("school",), ("training-body",), ("university", "research"))):
                    mix[t] = 0
            for ptype, k in mix.items():
                reuse = REUSE[ptype]
                pool, mine = pools[(a.region, ptype)], set()
                for _ in range(k):
                    free = [x for x in pool if x[0] not in mine]
                    if free and rng.random() < reuse:
                        org, kind = rng.choice(free)
                    else:
                        kind = ptype
                        if ptype == "other" and not self.spec.calibrated:
                            kind = kind_rng.choices(kinds, kind_w)[0]
                        org = self._new_org(rng, kind, KIND_CLASS[kind], a)
                        pool.append((org, kind))
                    mine.add(org)
                    self._membership(rng, org, i, kind)

    def _new_org(self, rng: random.Random, ptype: str, cls: str, a: Academy) -> str:
        self.stats[f"org:{ptype}"] += 1
        n = self.stats[f"org:{ptype}"]
        iri = f"{SYNTHETIC_BASE}{ptype}/{n:05d}"
        s = self.res(iri, cls)
        prov = self._province(rng, a)
        place = self.r.labels.get(prov, prov.rsplit("/", 1)[-1])
        name = ORG_NAMES[ptype].format(n=n, place=place)
        self.o.t(s, PREF, lit(name, lang="it"))
        self.o.t(s, NAME, lit(name))
        self.o.t(s, T("locatedInRegion"), R(prov))
        return s

    def _company(self, rng: random.Random, c: int, main: int, offset: int) -> tuple[str, str]:
        """Company number ``c`` of academy ``main``'s sector and region: (term, NUTS-2)."""
        prof = self.profile[main]
        if prof == GENERIC:
            prof = rng.choice(PROFILE_KEYS)
        prov = self._province(rng, self.acads[main])
        region = self.r.nuts3[prov]
        iri = f"{SYNTHETIC_BASE}company/{c:06d}"
        s = self.res(iri, "Company")
        name = company_name(rng, prof)
        vat = vat_number(c, rng.randint(1, 100), offset)
        o = self.o
        o.t(s, PREF, lit(name, lang="it"))
        o.t(s, NAME, lit(name))
        o.t(s, T("vatNumber"), lit(vat))
        o.t(s, T("taxCode"), lit(vat))
        o.t(s, T("primaryActivity"), R(self._activity(rng, prof)))
        o.t(s, T("locatedInRegion"), R(prov))
        skills, _ = self._skills(rng, prof, rng.randint(3, 10), 0.3, 0.05, 0.1, False)
        for sk in skills:
            o.t(s, T("requiresSkill"), R(sk))
        return s, region

    def _companies_calibrated(self) -> None:
        """Fill each academy's company slots (``company_slots``): a slot goes to a company
        already member elsewhere with p = COMPANY_REUSE (85 % of those in the same region),
        otherwise to a new company of the academy's sector and region."""
        rng = self.rng("companies")
        offset = rng.randrange(10_000_000)
        self.members: list[tuple[int, int]] = []  # (company, academy)
        self.company_iri: list[str] = []
        self.company_region: dict[str, list[int]] = defaultdict(list)
        member_of: list[set[int]] = []
        for i, a in enumerate(self.acads):
            for _ in range(self.company_slots[i]):
                c = None
                if self.company_iri and rng.random() < COMPANY_REUSE:
                    near = self.company_region.get(a.region or "", []) \
                        if rng.random() < 0.85 else range(len(self.company_iri))
                    free = [x for x in near if i not in member_of[x]]
                    c = rng.choice(free) if free else None
                if c is None:
                    c = len(self.company_iri)
                    s, region = self._company(rng, c, i, offset)
                    self.company_iri.append(s)
                    self.company_region[region].append(c)
                    member_of.append(set())
                member_of[c].add(i)
                self._membership(rng, self.company_iri[c], i, "company")
                self.members.append((c, i))
        self.stats["companies"] = len(self.company_iri)

    def companies(self) -> None:
        """Companies, their sector, seat, skill demand and foundation memberships."""
        if self.spec.calibrated:
            self._companies_calibrated()
            return
        rng = self.rng("companies")
        m, n = len(self.acads), self.spec.companies
        pick_any = weighted(rng, range(m), self.size)
        degree = zipf_sampler(rng, ALPHA, min(KMAX, m))
        offset = rng.randrange(10_000_000)
        self.members = []
        self.company_iri = []
        self.company_region = defaultdict(list)
        for c in range(n):
            main = c if c < m else pick_any()
            s, region = self._company(rng, c, main, offset)
            chosen = {main}
            k = degree()
            local = [j for j in self.by_region.get(region, []) if j != main]
            for _ in range(8 * k):
                if len(chosen) >= k:
                    break
                free = [j for j in local if j not in chosen] if local else []
                if free and rng.random() >= P_OUT:
                    chosen.add(rng.choice(free))
                else:
                    chosen.add(pick_any())
            for j in sorted(chosen):
                self._membership(rng, s, j, "company")
                self.members.append((c, j))
            self.company_iri.append(s)
            self.company_region[region].append(c)
        self.stats["companies"] = n

    def _courses_calibrated(self) -> None:
        """Cohorts started 2019-2025 per academy, growing COURSE_GROWTH a year, so that the
        cohorts running in Dec 2025 match INDIRE's course count per foundation."""
        rng = self.rng("courses")
        m, g = len(self.acads), COURSE_GROWTH
        running = (1 - P_EQF6) * (1 + 1 / g) + P_EQF6 * (1 + 1 / g + 1 / g ** 2)
        starts_2025 = COURSES_DEC_2025 / FOUNDATIONS_2025 * m / running
        total = sum(self.size)
        self.course_of: list[list[str]] = [[] for _ in range(m)]
        self.cohorts: list[tuple[int, str, int, int, int]] = []  # academy, course, start, end, n
        n = 0
        for i, a in enumerate(self.acads):
            for year in YEARS:
                k = self._round(rng, starts_2025 * self.size[i] / total * g ** (year - 2025))
                for _ in range(k):
                    n += 1
                    s = self.res(f"{SYNTHETIC_BASE}course/{n:06d}", "Course")
                    self.course_of[i].append(s)
                    eqf6 = rng.random() < P_EQF6
                    start, end = self._course(rng, s, i, a, self.profile[i], start=year,
                                              eqf6=eqf6)
                    size = max(12, round(COHORT_MEAN * rng.uniform(0.75, 1.25)))
                    self.cohorts.append((i, s, start, end, size))
        self.stats["courses"] = n

    def courses(self) -> None:
        if self.spec.calibrated:
            self._courses_calibrated()
            return
        rng = self.rng("courses")
        m = len(self.acads)
        total = self.spec.courses
        alloc = [1 if total >= m else 0 for _ in range(m)]
        pick = weighted(rng, range(m), self.size)
        for _ in range(total - sum(alloc)):
            alloc[pick()] += 1
        self.course_of = [[] for _ in range(m)]
        n = 0
        for i, a in enumerate(self.acads):
            prof = self.profile[i]
            for _ in range(alloc[i]):
                n += 1
                s = self.res(f"{SYNTHETIC_BASE}course/{n:06d}", "Course")
                self.course_of[i].append(s)
                self._course(rng, s, i, a, prof)
        self.stats["courses"] = n

    def _course(self, rng: random.Random, s: str, i: int, a: Academy, prof: str, *,
                start: int | None = None, eqf6: bool | None = None) -> tuple[int, int]:
        """Write course ``s``; -> (cohort start year, end year)."""
        o = self.o
        eqf6 = rng.random() < P_EQF6 if eqf6 is None else eqf6
        start = rng.randint(2019, 2022 if eqf6 else 2023) if start is None else start
        end = start + (3 if eqf6 else 2)
        total = 3000 if eqf6 else rng.choice((1800, 1800, 1900, 2000, 2000))
        if rng.random() < P_LOW_INTERNSHIP:
            intern = 10 * round(total * rng.uniform(0.22, 0.33) / 10)
        else:
            intern = max(10 * round(total * rng.uniform(0.35, 0.45) / 10),
                         10 * math.ceil(total * 0.35 / 10))
        topic = rng.choice((PROFILES.get(prof) or PROFILES[rng.choice(PROFILE_KEYS)]).topics)
        kind = "Tecnico superiore" if not eqf6 else "Tecnico superiore specializzato (EQF 6)"
        title = f"{kind} per {topic} ({start}-{end})"
        o.t(s, PROVIDED_BY, R(a.iri))
        o.t(s, TITLE, lit(title, lang="it"))
        o.t(s, PREF, lit(title, lang="it"))
        for area in a.areas:
            o.t(s, T("technologicalArea"), R(area))
        o.t(s, T("eqfLevel"), R(f"{EQF}{6 if eqf6 else 5}"))
        o.t(s, T("totalHours"), lit(total))
        o.t(s, T("internshipHours"), lit(intern))
        o.t(s, T("cohortStartYear"), _year(start))
        o.t(s, T("cohortEndYear"), _year(end))
        if a.province:
            o.t(s, T("locatedInRegion"), R(a.province))
        dig = self.digital_share.get(a.region or "", 0.2) + (0.2 if prof == "ict" else 0.0)
        if a.region in self.weak:
            dig = self.digital_share[a.region]
        green = PROFILES[prof].green if prof in PROFILES else 0.05
        skills, occs = self._skills(rng, prof, rng.randint(8, 25), dig, green, 0.1, True)
        for sk in skills:
            o.t(s, T("teachesSkill"), R(sk))
        for occ in occs[:2]:
            o.t(s, T("targetsOccupation"), R(occ))
        return start, end

    def collaborations(self) -> None:
        rng = self.rng("collaborations")
        n = 0
        pairs = list(self.members)
        per_academy = [0] * len(self.acads)
        for _c, j in self.members:
            per_academy[j] += 1
        # ~10 % extra collaborations with non-member companies seated in the academy's region.
        for j, a in enumerate(self.acads):
            near = self.company_region.get(a.region or "", [])
            for _ in range(round(0.1 * per_academy[j]) if near else 0):
                pairs.append((rng.choice(near), j))
        for c, j in pairs:
            if rng.random() >= 0.5:
                continue
            for year in sorted(rng.sample(YEARS, rng.randint(1, 2))):
                n += 1
                self.collaboration(rng, n, self.company_iri[c], j, year)
        self.stats["collaborations"] = n

    def collaboration(self, rng: random.Random, n: int, company: str, j: int, year: int,
                       ctype: str | None = None) -> None:
        o = self.o
        s = self.res(f"{SYNTHETIC_BASE}collaboration/{n:07d}", "CompanyCollaboration")
        ctype = ctype or rng.choices(("internship-hosting", "teaching", "lab"), (6, 3, 1.5))[0]
        o.t(s, T("collaboratingCompany"), company)
        o.t(s, T("collaboratingProvider"), R(self.acads[j].iri))
        o.t(s, T("collaborationType"), V("collaboration-type", ctype))
        o.t(s, T("year"), _year(year))
        courses = self.course_of[j]
        if courses and ctype != "lab" and rng.random() < 0.7:
            o.t(s, T("relatedCourse"), rng.choice(courses))
        if ctype == "internship-hosting":
            o.t(s, T("internsHosted"), lit(rng.randint(1, 6)))
        elif ctype == "teaching":
            o.t(s, T("teachingHours"), lit(rng.choice((8, 12, 16, 24, 32, 40, 60, 80, 120))))
