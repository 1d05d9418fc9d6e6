"""Synthetic EU projects: Erasmus+ CoVE and KA2 partnerships and Horizon projects with
foreign partners, so the project questions (CQ34, CQ37) and the co-participation network
(CQ35) have rows in demos. Called by ``ecosystem`` after the companies and courses.

Per project (``ScaleSpec.eu_projects`` of them, kinds CoVE : KA2 : Horizon = 15 : 55 : 30):
1-2 Italian academies (weighted by size) and 0-3 of their member companies (Horizon: 1-4),
2-7 foreign partners from the EU countries (gravity weights; 40 % reused from earlier
projects of the same country, so some foreign partners work with several Italian academies),
a coordinator (an Italian academy in 40 % of CoVE/KA2 projects, 15 % of Horizon ones), EU
grants of the programme's usual size split over the partners (coordinator 30 %). Foreign
partners are minted under ``id/synthetic/eu-partner/`` with ``itskg:country`` and a NUTS 2
region of that country. Everything is typed ``dct:type`` synthetic like the rest of the layer.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from itskg.graph.namespaces import VOCAB
from itskg.graph.rdfwriter import lit
from itskg.graph.synthetic.generator import (
    NAME,
    ORG_ORG,
    ORG_ROLE,
    PREF,
    SYNTHETIC_BASE,
    TITLE,
    Generator,
    R,
    T,
    V,
    _date,
)
from itskg.graph.synthetic.model import GRAVITY, PROFILE_KEYS, PROFILES, eu_company_name

__all__ = ["eu_projects"]

KINDS: tuple[tuple[str, str, str, int, tuple[int, int], float], ...] = (
    # (class, programme, action, share, grant range EUR, Italian coordinator p)
    ("CoVEProject", "erasmus-plus", "ERASMUS-EDU-2023-PEX-COVE", 15, (3_000_000, 4_000_000),
     0.4),
    ("ErasmusPartnershipProject", "erasmus-plus", "KA220-VET", 55, (120_000, 400_000), 0.4),
    ("HorizonProject", "horizon-europe", "HORIZON-RIA", 30, (2_000_000, 6_000_000), 0.15),
)
PARTNER_CLASSES: dict[str, tuple[tuple[str, int], ...]] = {
    "CoVEProject": (("TrainingProvider", 5), ("Company", 3), ("University", 2)),
    "ErasmusPartnershipProject": (("TrainingProvider", 6), ("Company", 2), ("ThirdSectorBody", 1)),
    "HorizonProject": (("University", 4), ("ResearchOrganisation", 3), ("Company", 4)),
}
TOPICS = ("mechatronics and automation", "green skills for construction", "digital agrifood",
          "sustainable mobility", "ICT and data", "fashion and textiles", "tourism and heritage",
          "life sciences", "energy transition", "advanced manufacturing")


def eu_projects(g: Generator) -> None:
    rng = g.rng("eu-projects")
    r = g.r
    countries = sorted(r.eu_nuts2)
    weights = [GRAVITY.get(c.rsplit("/", 1)[-1], 0.5) for c in countries]
    acad_idx = list(range(len(g.acads)))
    members_of: dict[int, list[int]] = defaultdict(list)
    for c, j in getattr(g, "members", []):
        members_of[j].append(c)
    pool: dict[tuple[str, str], list[str]] = defaultdict(list)
    n_partner = n_part = 0
    for n in range(1, g.spec.eu_projects + 1):
        cls, programme, action, _, (lo, hi), p_it = rng.choices(KINDS, [k[3] for k in KINDS])[0]
        year = rng.randint(2020, 2025)
        p = g.res(f"{SYNTHETIC_BASE}eu-project/{n:05d}", cls)
        topic = rng.choice(TOPICS)
        title = f"{action.split('-')[0] if cls != 'CoVEProject' else 'CoVE'} – {topic} ({year})"
        g.o.t(p, PREF, lit(title, lang="en"))
        g.o.t(p, TITLE, lit(title, lang="en"))
        g.o.t(p, T("projectIdentifier"), lit(f"SYN-{year}-{n:05d}"))
        g.o.t(p, T("fundingProgramme"), R(f"{VOCAB}programme/{programme}"))
        g.o.t(p, T("actionType"), lit(action))
        start = dt.date(year, rng.choice((1, 3, 9, 11)), 1)
        g.o.t(p, T("startDate"), _date(start))
        g.o.t(p, T("endDate"), _date(dt.date(year + rng.choice((2, 3, 4)), start.month, 1)))
        grant = rng.randint(lo // 1000, hi // 1000) * 1000
        g.o.t(p, T("euContribution"), lit(f"{grant}", datatype="decimal"))
        italians: list[str] = []
        for j in sorted(set(rng.choices(acad_idx, g.size, k=rng.randint(1, 2)))):
            italians.append(R(g.acads[j].iri))
            mine = members_of.get(j, [])
            k = rng.randint(1, 4) if cls == "HorizonProject" else rng.randint(0, 3)
            for c in rng.sample(mine, min(k, len(mine))):
                italians.append(g.company_iri[c])
        foreign: list[str] = []
        for _ in range(rng.randint(2, 7)):
            country = rng.choices(countries, weights)[0]
            classes = PARTNER_CLASSES[cls]
            pcls = rng.choices([c for c, _ in classes], [w for _, w in classes])[0]
            reuse = pool[(country, pcls)]
            if reuse and rng.random() < 0.4:
                org = rng.choice(reuse)
            else:
                n_partner += 1
                org = g.res(f"{SYNTHETIC_BASE}eu-partner/{n_partner:05d}", pcls)
                iso = country.rsplit("/", 1)[-1]
                name = eu_company_name(rng, iso, rng.choice(PROFILE_KEYS)) \
                    if pcls == "Company" else f"{pcls} {n_partner} ({iso})"
                if pcls != "Company":
                    words = PROFILES[rng.choice(PROFILE_KEYS)].words
                    name = {"University": f"University of {rng.choice(words)} {iso}-{n_partner}",
                            "ResearchOrganisation": f"Research Centre {rng.choice(words)} "
                                                    f"{iso}-{n_partner}",
                            "TrainingProvider": f"VET College {rng.choice(words)} "
                                                f"{iso}-{n_partner}",
                            "ThirdSectorBody": f"Association {rng.choice(words)} "
                                               f"{iso}-{n_partner}"}[pcls]
                g.o.t(org, PREF, lit(name))
                g.o.t(org, NAME, lit(name))
                g.o.t(org, T("country"), R(country))
                g.o.t(org, T("locatedInRegion"), R(rng.choice(r.eu_nuts2[country])))
                reuse.append(org)
            if org not in foreign:
                foreign.append(org)
        participants = italians + foreign
        coord = italians[0] if rng.random() < p_it else foreign[0]
        shares = [rng.uniform(0.5, 1.5) for _ in participants]
        rest = sum(s for o, s in zip(participants, shares, strict=True) if o != coord)
        for org, share in zip(participants, shares, strict=True):
            n_part += 1
            pp = g.res(f"{SYNTHETIC_BASE}participation/{n_part:06d}", "ProjectParticipation")
            role = "coordinator" if org == coord else "partner"
            g.o.t(pp, T("projectParticipant"), org)
            g.o.t(pp, ORG_ORG, p)
            g.o.t(pp, ORG_ROLE, V("project-role", role))
            amount = 0.3 * grant if role == "coordinator" else 0.7 * grant * share / rest
            g.o.t(pp, T("euContribution"), lit(f"{amount:.2f}", datatype="decimal"))
            # no itskg:participatesInProject shortcut: the rules materialise it, and the
            # synthetic layer never states anything about a real academy
    g.stats["eu_projects"] = g.spec.eu_projects
    g.stats["eu_project_partners"] = n_partner
    g.stats["project_participations"] = n_part
