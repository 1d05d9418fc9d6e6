"""The ITS qualifications of the graph, derived from its courses (see the package docstring).

A :class:`Qualification` gathers what the ELM export needs: titles by language, EQF level,
ISCED-F fields (from the course's technological area through the curated crosswalk
``isced_areas.yaml``), NQF levels (stated in the graph or given by the caller), learning
outcomes (the ESCO skills its courses teach) and the awarding body (the ITS Academy).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from itskg.graph.errors import ElmError
from itskg.graph.namespaces import DATA, VOCAB
from itskg.graph.store import KnowledgeStore

__all__ = ["ISCED", "Qualification", "derive_qualifications", "isced_crosswalk"]

ISCED = "http://data.europa.eu/snb/isced-f/"
SYNTHETIC_KIND = VOCAB + "data-kind/synthetic"
_COHORT = re.compile(r"\s*\(\s*\d{4}\s*[-–/]\s*\d{2,4}\s*\)\s*$")
_AREA23 = VOCAB + "area-2023/"


@dataclass
class Qualification:
    """One ITS qualification (diploma) as the ELM export sees it."""

    iri: str
    academy: str
    academy_name: dict[str, str]
    title: dict[str, str]
    eqf: str | None
    isced: list[tuple[str, str]] = field(default_factory=list)  # (code, English label)
    nqf: list[str] = field(default_factory=list)
    outcomes: list[tuple[str, dict[str, str]]] = field(default_factory=list)  # (ESCO IRI, labels)
    courses: list[str] = field(default_factory=list)
    hours: int | None = None
    municipality: str | None = None
    region: str | None = None
    synthetic: bool = False
    declared: bool = False  # True when the graph states the qualification itself

    @property
    def key(self) -> str:
        """The short key used in URLs and on the command line (the IRI's last segment)."""
        return self.iri.rstrip("/").rsplit("/", 1)[-1]


@lru_cache(maxsize=1)
def isced_crosswalk() -> dict[str, tuple[str, str]]:
    """Area code (D1-D10) -> (ISCED-F code, English label), from isced_areas.yaml (curated)."""
    raw = yaml.safe_load((Path(__file__).with_name("isced_areas.yaml")).read_text("utf-8"))
    return {k: (str(v["code"]), str(v["label"])) for k, v in raw["areas"].items()}


def _q(sparql: str) -> str:
    return "PREFIX dct: <http://purl.org/dc/terms/>\n" + sparql


_COURSES = _q("""
SELECT ?course ?academy ?title ?eqf ?kind ?area ?qual ?hours ?lang WHERE {
  %s
  ?course a itskg:Course ; elm:providedBy ?academy .
  OPTIONAL { ?course dct:title ?t1 }
  OPTIONAL { ?course skos:prefLabel ?t2 }
  BIND(COALESCE(?t1, ?t2) AS ?title)
  BIND(LANG(?title) AS ?lang)
  OPTIONAL { ?course itskg:eqfLevel ?eqf }
  OPTIONAL { ?course dct:type ?kind }
  OPTIONAL { ?course itskg:technologicalArea ?area }
  OPTIONAL { ?course itskg:leadsToQualification ?qual }
  OPTIONAL { ?course itskg:totalHours ?hours }
}""")
_IRI = re.compile(r"^https?://[^\s<>\"{}|\\^`]+$")


def _scope(academy: str | None, region: str | None) -> str:
    """The graph pattern that restricts ?academy (IRIs checked, then written as VALUES)."""
    for value in (academy, region):
        if value is not None and not _IRI.match(value):
            raise ElmError(f"Not an IRI: {value!r}; give an academy (id/its/...) or a NUTS 2 "
                           "region IRI.")
    if academy:
        return f"VALUES ?academy {{ <{academy}> }}"
    if region:
        return f"?academy itskg:seatRegion <{region}> ."
    return ""


def _text(term: Any) -> str | None:
    return None if term is None else str(term.value)


def _slug(*parts: str) -> str:
    return hashlib.sha1("|".join(parts).encode("utf-8")).hexdigest()[:12]


def derive_qualifications(
    store: KnowledgeStore,
    *,
    academy: str | None = None,
    region: str | None = None,
    nqf_levels: Mapping[str, str] | None = None,
) -> list[Qualification]:
    """The qualifications of the courses in ``store`` (optionally of one academy or region).

    ``academy`` and ``region`` are IRIs (an academy of ``id/its/``, a NUTS 2 region).
    ``nqf_levels`` maps an EQF level number (``"5"``, ``"6"``) to the IRI of the matching
    national (Italian QNQ) level in the EU Qualification Dataset Register, for publishers who
    have it: itskg's sources do not hold those IRIs, so without it (and without
    ``elm:NQFLevel`` stated in the graph) every qualification lacks its NQF level.
    Sorted by academy and title. Raises ElmError when the academy or region has no course.
    """
    rows = store.select(_COURSES % _scope(academy, region))
    if not rows and (academy or region):
        raise ElmError(f"No ITS course in the graph for {academy or region}; the qualifications "
                       "are derived from courses (import them with 'itskg import courses').")
    close = _close_matches(store)
    by_key: dict[str, Qualification] = {}
    course_of: dict[str, Qualification] = {}
    for r in rows:
        course, acad = r["course"].value, r["academy"].value  # type: ignore[union-attr]
        title = _COHORT.sub("", _text(r.get("title")) or "").strip()
        lang = _text(r.get("lang")) or "it"  # ITS course titles are Italian when untagged
        eqf = _text(r.get("eqf"))
        synthetic = _text(r.get("kind")) == SYNTHETIC_KIND or "/synthetic/" in course
        stated = _text(r.get("qual"))
        if stated:
            qiri = stated
        else:
            base = DATA + ("synthetic/qualification/" if synthetic else "qualification/")
            qiri = base + acad.rsplit("/", 1)[-1] + "-" + _slug(acad, title.lower(), eqf or "")
        q = by_key.get(qiri)
        if q is None:
            q = by_key[qiri] = Qualification(iri=qiri, academy=acad, academy_name={},
                                             title={lang: title} if title else {}, eqf=eqf,
                                             synthetic=synthetic, declared=bool(stated))
        if course not in q.courses:
            q.courses.append(course)
        course_of[course] = q
        area = _text(r.get("area"))
        for code in _area_codes(area, close):
            pair = isced_crosswalk().get(code)
            if pair and pair not in q.isced:
                q.isced.append(pair)
        hours = r.get("hours")
        if hours is not None:
            q.hours = max(q.hours or 0, int(hours.value))
        if eqf and not q.eqf:
            q.eqf = eqf
    _add_outcomes(store, course_of)
    _add_academies(store, by_key.values())
    _add_stated(store, [q for q in by_key.values() if q.declared])
    for q in by_key.values():
        if nqf_levels and q.eqf and not q.nqf:
            level = q.eqf.rstrip("/").rsplit("/", 1)[-1]
            if level in nqf_levels:
                q.nqf.append(nqf_levels[level])
    return sorted(by_key.values(), key=lambda q: (q.academy, q.title.get("it", ""), q.iri))


def _close_matches(store: KnowledgeStore) -> dict[str, list[str]]:
    rows = store.select(f"""SELECT ?a ?d WHERE {{ ?a skos:closeMatch ?d
        FILTER(STRSTARTS(STR(?d), "{_AREA23}")) }}""")
    out: dict[str, list[str]] = {}
    for r in rows:
        out.setdefault(r["a"].value, []).append(r["d"].value[len(_AREA23):])  # type: ignore
    return out


def _area_codes(area: str | None, close: dict[str, list[str]]) -> list[str]:
    if not area:
        return []
    if area.startswith(_AREA23):
        return [area[len(_AREA23):]]
    return close.get(area, [])


def _values(iris: list[str]) -> str:
    return " ".join(f"<{i}>" for i in iris)


def _add_outcomes(store: KnowledgeStore, course_of: dict[str, Qualification]) -> None:
    courses = list(course_of)
    skills_of: dict[str, list[str]] = {}
    for i in range(0, len(courses), 500):
        rows = store.select(f"SELECT ?c ?s WHERE {{ VALUES ?c {{ {_values(courses[i:i + 500])} }} "
                            "?c itskg:teachesSkill ?s }")
        for r in rows:
            skills_of.setdefault(r["c"].value, []).append(r["s"].value)  # type: ignore
    skills = sorted({s for v in skills_of.values() for s in v})
    labels: dict[str, dict[str, str]] = {}
    for i in range(0, len(skills), 500):
        rows = store.select(f"SELECT ?s ?l WHERE {{ VALUES ?s {{ {_values(skills[i:i + 500])} }} "
                            "?s skos:prefLabel ?l }")
        for r in rows:
            lab = r["l"]
            labels.setdefault(r["s"].value, {})[lab.lang or "en"] = lab.value  # type: ignore
    for course, q in course_of.items():
        have = {s for s, _ in q.outcomes}
        for s in skills_of.get(course, []):
            if s not in have:
                q.outcomes.append((s, labels.get(s, {})))
                have.add(s)


def _add_academies(store: KnowledgeStore, quals: Any) -> None:
    quals = list(quals)
    academies = sorted({q.academy for q in quals})
    info: dict[str, dict[str, Any]] = {}
    for i in range(0, len(academies), 200):
        chunk = _values(academies[i:i + 200])
        rows = store.select(f"""SELECT ?a ?l ?m ?r WHERE {{ VALUES ?a {{ {chunk} }}
            OPTIONAL {{ ?a skos:prefLabel ?l }} OPTIONAL {{ ?a itskg:seatMunicipality ?m }}
            OPTIONAL {{ ?a itskg:seatRegion ?r }} }}""")
        for r in rows:
            d = info.setdefault(r["a"].value, {"name": {}})  # type: ignore[union-attr]
            if r.get("l") is not None:
                d["name"][r["l"].lang or "it"] = r["l"].value  # type: ignore[union-attr]
            d["municipality"] = _text(r.get("m"))
            d["region"] = _text(r.get("r"))
    for q in quals:
        d = info.get(q.academy, {"name": {}})
        q.academy_name = dict(d["name"])
        q.municipality = d.get("municipality")
        q.region = d.get("region")


def _add_stated(store: KnowledgeStore, quals: list[Qualification]) -> None:
    """Facts stated on the qualification itself (titles, NQF, ISCED-F, EQF) win."""
    if not quals:
        return
    by = {q.iri: q for q in quals}
    rows = store.select(_q(f"""SELECT ?q ?p ?o WHERE {{ VALUES ?q {{ {_values(list(by))} }}
        VALUES ?p {{ dct:title elm:NQFLevel elm:ISCEDFCode elm:EQFLevel }} ?q ?p ?o }}"""))
    titles: dict[str, dict[str, str]] = {}
    for r in rows:
        q, p, o = by[r["q"].value], r["p"].value, r["o"]  # type: ignore[union-attr]
        name = p.rsplit("/", 1)[-1]
        if name == "title":
            titles.setdefault(q.iri, {})[o.lang or "it"] = o.value  # type: ignore
        elif name == "NQFLevel" and o.value not in q.nqf:  # type: ignore[union-attr]
            q.nqf.append(o.value)  # type: ignore[union-attr]
        elif name == "ISCEDFCode" and o.value.startswith(ISCED):  # type: ignore[union-attr]
            code = o.value[len(ISCED):]  # type: ignore[union-attr]
            label = next((lab for c, lab in isced_crosswalk().values() if c == code), code)
            if (code, label) not in q.isced:
                q.isced.append((code, label))
        elif name == "EQFLevel":
            q.eqf = o.value  # type: ignore[union-attr]
    for qi, t in titles.items():
        by[qi].title = t
