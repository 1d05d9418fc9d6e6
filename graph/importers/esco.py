"""ESCO importer: the official ESCO CSV export (one folder per language) -> the ``esco`` layer.

``read_esco`` streams every recognised file (see :mod:`itskg.graph.importers.esco_files`) into
a temporary N-Triples file and returns it as a :class:`~itskg.graph.store.Layer` with a report;
``import_esco`` also loads it into a store (atomically: a failure leaves the store unchanged).

RDF written (all IRIs are ESCO's own; nothing is minted):

* skills: ``esco:Skill``, ``skos:Concept``, ``esco:MemberConcept``; ``esco:skillType``,
  ``esco:skillReuseLevel``; occupations: ``esco:Occupation``, ``skos:Concept``,
  ``esco:MemberConcept``; ``esco:code`` and ``skos:notation``, ``esco:memberOfISCOGroup``,
  ``esco:regulatedProfessionNote``; ISCO groups and skill groups: ``skos:Concept``,
  ``esco:GroupConcept`` with ``skos:notation``;
* on all concepts: ``skos:prefLabel``/``altLabel``/``hiddenLabel`` (language-tagged; an
  alternative label equal to the preferred one is dropped, SKOS S13), ``skos:definition``,
  ``skos:scopeNote``, ``dct:description``, ``iso-thes:status``, ``dct:modified``, and
  ``skos:inScheme`` for every scheme in ``inScheme`` *and* for every collection file the
  concept is listed in (so v1.2.0-style exports, whose collections are separate files, work);
* ``skos:broader`` from ``broaderRelations*`` and ``skillsHierarchy``;
* ``esco:relatedEssentialSkill`` / ``esco:relatedOptionalSkill`` from occupations *and* from
  skills (``skillSkillRelations``): the ESCO model defines them as "the skill that is
  essential/optional for the subject occupation or skill";
* concept schemes: ``skos:ConceptScheme`` with label, title, description, top concepts.

Concepts that appear only in a collection file (e.g. v1.2.0, which ships no skills_en.csv) are
described from that file so that they are still typed and labelled.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from itskg.graph.backends.interface import Store
from itskg.graph.errors import DataError, Problem
from itskg.graph.importers.esco_files import (
    REQUIRED_KINDS,
    Discovery,
    EscoFile,
    EscoReport,
    discover,
    fingerprint,
    read_rows,
)
from itskg.graph.namespaces import (
    ESCO_DIGITAL,
    ESCO_GREEN,
    ESCO_LANGUAGE_GROUPS,
    ESCO_TRANSVERSAL_GROUPS,
    PREFIXES,
)
from itskg.graph.rdfwriter import NTriplesWriter
from itskg.graph.store import Layer, LayerRecord

__all__ = ["COLLECTIONS", "LICENSE", "EscoImport", "EscoReport", "import_esco", "read_esco"]

Progress = Callable[[str, int, int], None]

LICENSE = "https://eur-lex.europa.eu/eli/dec/2011/833/oj"
ATTRIBUTION = "This service uses the ESCO classification of the European Commission."
ESCO_M = PREFIXES["esco"]
SKOS, DCT = PREFIXES["skos"], PREFIXES["dct"]
RDF_TYPE = PREFIXES["rdf"] + "type"
ISOTHES = "http://purl.org/iso25964/skos-thes#"
E = "http://data.europa.eu/esco/"
SCHEME = E + "concept-scheme/"
SKILL_TYPES = {"skill/competence": E + "skill-type/skill", "skill": E + "skill-type/skill",
               "knowledge": E + "skill-type/knowledge"}
REUSE_LEVELS = ("transversal", "cross-sector", "sector-specific", "occupation-specific")
# Collection file stem -> (English label in conceptSchemes_en.csv, IRI used if it is absent).
COLLECTIONS: dict[str, tuple[str, str]] = {
    "digitalSkillsCollection": ("Digital", ESCO_DIGITAL),
    "greenSkillsCollection": ("Green", ESCO_GREEN),
    "transversalSkillsCollection": ("ESCO transversal skill groups", ESCO_TRANSVERSAL_GROUPS),
    "languageSkillsCollection": ("Language", ESCO_LANGUAGE_GROUPS),
    "digCompSkillsCollection": ("DigComp", SCHEME + "digcomp"),
    "researchSkillsCollection": ("Research", SCHEME + "research"),
    "researchOccupationsCollection": ("Research occupations",
                                      SCHEME + "8ae4b9f3-507e-4057-a145-2f96f0132613"),
}
# conceptType / broaderType column values -> concept kind
TYPE_KIND = {"KnowledgeSkillCompetence": "skills", "SkillGroup": "skill_groups",
             "Occupation": "occupations", "ISCOGroup": "isco_groups"}
MAX_LISTED = 20  # located warnings kept per file (all are counted)
_IRI = re.compile(r"^https?://\S+$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$")
_SPLIT_SCHEMES = re.compile(r"[\s,|]+")
FLUSH = 20_000


@dataclass
class EscoImport:
    """The layer to load (N-Triples in a temporary file) and the report; ``close`` removes it."""

    layer: Layer
    report: EscoReport
    path: Path

    def close(self) -> None:
        self.path.unlink(missing_ok=True)

    def __enter__(self) -> EscoImport:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _split_lines(value: str | None, sep: str) -> list[str]:
    if not value:
        return []
    return [v.strip() for v in value.split(sep) if v.strip()]


class _Builder:
    """Turns rows into N-Triples lines, keeps the known concepts and the counters."""

    def __init__(self, fh: IO[bytes], disc: Discovery):
        self.fh, self.disc = fh, disc
        self.w = NTriplesWriter()
        self.written = 0
        self.known: dict[str, set[str]] = defaultdict(set)
        self.all_known: set[str] = set()
        self.counter: Counter[str] = Counter()
        self.pairs: dict[str, set[tuple[str, str]]] = defaultdict(set)
        self.scheme_by_label: dict[str, str] = {}
        self.errors: list[Problem] = []
        self.warnings: list[Problem] = []
        self.warning_counts: Counter[str] = Counter()
        self.warned: set[tuple[str, str]] = set()
        self.notations: set[tuple[str, str]] = set()
        self.present = {f.kind.kind for f in disc.used}

    # ------------------------------------------------------------ output
    def flush(self) -> None:
        if self.w.lines:
            self.w.write(self.fh)
            self.written += len(self.w.lines)
            self.w.lines.clear()

    def warn(self, ef: EscoFile, line: int, column: str, message: str) -> None:
        self.warning_counts[ef.name] += 1
        if self.warning_counts[ef.name] <= MAX_LISTED:
            self.warnings.append(Problem(message, file=ef.name, row=line, column=column,
                                         severity="warning"))

    def iri_of(self, ef: EscoFile, line: int, row: dict[str, str], col: str) -> str | None:
        v = row.get(col, "").strip()
        if _IRI.match(v):
            return v
        self.errors.append(Problem(f"not an IRI: {v!r}" if v else "empty value (an IRI is "
                                   "required)", file=ef.name, row=line, column=col))
        return None

    def check(self, ef: EscoFile, line: int, col: str, iri: str, kind: str | None) -> None:
        """Warn when ``iri`` is not described by any file although that kind's file was read."""
        if iri in self.all_known or (kind is not None and kind not in self.present):
            return
        if (ef.name, iri) in self.warned:
            return
        self.warned.add((ef.name, iri))
        what = kind.replace("_", " ").rstrip("s") if kind else "concept"
        self.warn(ef, line, col, f"{iri} ({what}) is not described in any file read")

    # ------------------------------------------------------------ concepts
    def concept(self, ef: EscoFile, s: str, row: dict[str, str], kind: str,
                types: tuple[str, ...], alt_sep: str = "\n") -> None:
        w, lang = self.w, ef.lang
        new = s not in self.known[kind]
        self.known[kind].add(s)
        self.all_known.add(s)
        if new:
            for t in types:
                w.iri(s, RDF_TYPE, t)
        pref = row.get("preferredLabel", "").strip()
        w.lit(s, SKOS + "prefLabel", pref, lang=lang)
        for col, prop, sep in (("altLabels", "altLabel", alt_sep),
                               ("hiddenLabels", "hiddenLabel", "\n")):
            for label in _split_lines(row.get(col), sep):
                if label != pref:
                    w.lit(s, SKOS + prop, label, lang=lang)
        for col, prop in (("description", DCT + "description"), ("definition", SKOS + "definition"),
                          ("scopeNote", SKOS + "scopeNote")):
            w.lit(s, prop, row.get(col, "").strip(), lang=lang)
        if status := row.get("status", "").strip():
            w.lit(s, ISOTHES + "status", status)
        if mod := row.get("modifiedDate", "").strip():
            w.lit(s, DCT + "modified", mod, datatype="dateTime" if _DATETIME.match(mod) else None)
        for scheme in _SPLIT_SCHEMES.split(row.get("inScheme", "")):
            if scheme:
                w.iri(s, SKOS + "inScheme", scheme)

    def skill_facets(self, ef: EscoFile, line: int, s: str, row: dict[str, str]) -> None:
        st = row.get("skillType", "").strip()
        if st:
            target = st if _IRI.match(st) else SKILL_TYPES.get(st.lower())
            if target:
                self.w.iri(s, ESCO_M + "skillType", target)
            else:
                self.warn(ef, line, "skillType", f"unknown skill type {st!r}; not written")
        rl = row.get("reuseLevel", "").strip()
        if rl:
            if _IRI.match(rl) or rl.lower() in REUSE_LEVELS:
                target = rl if _IRI.match(rl) else f"{E}skill-reuse-level/{rl.lower()}"
                self.w.iri(s, ESCO_M + "skillReuseLevel", target)
            else:
                self.warn(ef, line, "reuseLevel", f"unknown reuse level {rl!r}; not written")

    def row(self, ef: EscoFile, line: int, row: dict[str, str]) -> None:
        k, w = ef.kind.kind, self.w
        if k == "schemes":
            s = self.iri_of(ef, line, row, "conceptSchemeUri")
            if s is None:
                return
            self.known["schemes"].add(s)
            w.iri(s, RDF_TYPE, SKOS + "ConceptScheme")
            pref = row.get("preferredLabel", "").strip()
            w.lit(s, SKOS + "prefLabel", pref, lang=ef.lang)
            if ef.lang == "en" and pref:
                self.scheme_by_label.setdefault(pref.lower(), s)
            w.lit(s, DCT + "title", row.get("title", "").strip(), lang=ef.lang)
            w.lit(s, DCT + "description", row.get("description", "").strip(), lang=ef.lang)
            for top in _SPLIT_SCHEMES.split(row.get("hasTopConcept", "")):
                if top:
                    w.iri(s, SKOS + "hasTopConcept", top)
            return
        if k in {"skills", "occupations", "isco_groups", "skill_groups"}:
            s = self.iri_of(ef, line, row, "conceptUri")
            if s is None:
                return
            if k == "skills":
                self.concept(ef, s, row, k, (ESCO_M + "Skill", SKOS + "Concept",
                                             ESCO_M + "MemberConcept"))
                self.skill_facets(ef, line, s, row)
            elif k == "occupations":
                self.occupation(ef, s, row)
            else:
                self.concept(ef, s, row, k, (SKOS + "Concept", ESCO_M + "GroupConcept"))
                w.lit(s, SKOS + "notation", row.get("code", "").strip())
            return
        if k == "collection":
            self.collection(ef, line, row)
        elif k == "hierarchy":
            self.hierarchy(ef, line, row)
        elif k == "broader":
            s = self.iri_of(ef, line, row, "conceptUri")
            b = self.iri_of(ef, line, row, "broaderUri")
            if s and b:
                w.iri(s, SKOS + "broader", b)
                self.pairs["broader"].add((s, b))
                self.check(ef, line, "conceptUri", s, TYPE_KIND.get(row.get("conceptType", "")))
                self.check(ef, line, "broaderUri", b, TYPE_KIND.get(row.get("broaderType", "")))
        else:
            self.relation(ef, line, row)

    def occupation(self, ef: EscoFile, s: str, row: dict[str, str]) -> None:
        w = self.w
        self.concept(ef, s, row, "occupations",
                     (ESCO_M + "Occupation", SKOS + "Concept", ESCO_M + "MemberConcept"))
        code = row.get("code", "").strip()
        w.lit(s, ESCO_M + "code", code)
        w.lit(s, SKOS + "notation", code)
        if isco := row.get("iscoGroup", "").strip():
            w.iri(s, ESCO_M + "memberOfISCOGroup", isco if _IRI.match(isco) else f"{E}isco/C{isco}")
        if note := row.get("regulatedProfessionNote", "").strip():
            if _IRI.match(note):
                w.iri(s, ESCO_M + "regulatedProfessionNote", note)
            else:
                w.lit(s, ESCO_M + "regulatedProfessionNote", note, lang=ef.lang)

    def collection_iri(self, ef: EscoFile) -> str:
        label, default = COLLECTIONS[ef.kind.stem]
        return self.scheme_by_label.get(label.lower(), default)

    def collection(self, ef: EscoFile, line: int, row: dict[str, str]) -> None:
        s = self.iri_of(ef, line, row, "conceptUri")
        if s is None:
            return
        coll = self.collection_iri(ef)
        self.w.iri(s, SKOS + "inScheme", coll)
        self.pairs[coll].add((s, coll))
        if s in self.all_known:
            return
        kind = TYPE_KIND.get(row.get("conceptType", "").strip())
        if kind == "skills":
            self.concept(ef, s, row, "skills", (ESCO_M + "Skill", SKOS + "Concept",
                                                ESCO_M + "MemberConcept"), alt_sep="|")
            self.skill_facets(ef, line, s, row)
        elif kind == "occupations":
            self.concept(ef, s, row, "occupations", (ESCO_M + "Occupation", SKOS + "Concept",
                                                     ESCO_M + "MemberConcept"), alt_sep="|")
        else:
            self.check(ef, line, "conceptUri", s, None)
            return
        self.counter[f"{kind} described only by collection files"] += 1

    def hierarchy(self, ef: EscoFile, line: int, row: dict[str, str]) -> None:
        parent = None
        for i in range(4):
            uri = (row.get(f"Level {i} URI") or "").strip()
            if not uri:
                continue
            if not _IRI.match(uri):
                self.iri_of(ef, line, row, f"Level {i} URI")
                return
            code = (row.get(f"Level {i} code") or "").strip()
            if code and (uri, code) not in self.notations:
                self.notations.add((uri, code))
                self.w.lit(uri, SKOS + "notation", code)
            self.check(ef, line, f"Level {i} URI", uri, "skill_groups")
            if parent and (uri, parent) not in self.pairs["broader"]:
                self.w.iri(uri, SKOS + "broader", parent)
                self.pairs["broader"].add((uri, parent))
            parent = uri

    def relation(self, ef: EscoFile, line: int, row: dict[str, str]) -> None:
        occ = ef.kind.kind == "occupation_skill"
        cols = ("occupationUri", "skillUri") if occ else ("originalSkillUri", "relatedSkillUri")
        s, o = self.iri_of(ef, line, row, cols[0]), self.iri_of(ef, line, row, cols[1])
        rt = row.get("relationType", "").strip().lower()
        if not (s and o):
            return
        if rt not in {"essential", "optional"}:
            self.warn(ef, line, "relationType",
                      f"relationType {rt!r} is neither 'essential' nor 'optional'; row skipped")
            return
        self.w.iri(s, f"{ESCO_M}related{rt.capitalize()}Skill", o)
        self.counter[f"{'occupation' if occ else 'skill'}-skill relations ({rt})"] += 1
        self.check(ef, line, cols[0], s, "occupations" if occ else "skills")
        self.check(ef, line, cols[1], o, "skills")


def _report(disc: Discovery, dirs: Sequence[Path]) -> EscoReport:
    return EscoReport(
        dirs=[str(d) for d in dirs], version=disc.version, languages=disc.languages,
        found=disc.found, used=[f.name for f in disc.used], shadowed=disc.shadowed,
        missing=disc.missing, unrecognised=disc.unrecognised, notes=list(disc.notes),
    )


def read_esco(dirs: Sequence[Path], *, progress: Progress | None = None,
              tmp_dir: Path | None = None) -> EscoImport:
    """Read ESCO CSV export folders into an N-Triples layer ``esco`` (a temporary file).

    ``dirs``: one folder per language (the first one wins when two hold the same file).
    ``progress(name, rows_done, rows_estimate)`` is called when a file starts, every
    ``FLUSH`` rows and when it ends (then ``rows_done == rows_estimate``).
    Raises DataError (every problem located by file, row, column) if a file is broken or
    neither skills nor occupations are present; nothing is written to any store.
    """
    t0 = time.perf_counter()
    dirs = [Path(d) for d in dirs]
    if not dirs:
        raise DataError("No ESCO folder given: pass the folder(s) of the ESCO CSV export.")
    disc = discover(dirs)
    report = _report(disc, dirs)
    absent = [k for k in REQUIRED_KINDS if not disc.has(k)]
    if len(absent) == len(REQUIRED_KINDS):
        raise DataError(
            f"No skills or occupations file in {', '.join(map(str, dirs))}: found "
            f"{', '.join(report.used) or 'nothing usable'}. Expected skills_<lang>.csv and "
            "occupations_<lang>.csv of the official ESCO CSV export (e.g. skills_en.csv).")
    for k in absent:
        lang = disc.languages[0] if disc.languages else "en"
        note = (f"{k}_{lang}.csv is missing: {k} are imported only where other files "
                "(collections, relations) describe them; download the full ESCO export to "
                "complete the layer")
        report.notes.append(note)
        report.warnings.append(Problem(note, file=str(dirs[0]), severity="warning"))
    fd, tmp = tempfile.mkstemp(prefix="itskg-esco-", suffix=".nt", dir=tmp_dir)
    path = Path(tmp)
    digest = hashlib.sha256()
    try:
        with open(fd, "wb") as fh:
            b = _Builder(fh, disc)
            for ef in disc.used:
                sha, estimate = fingerprint(ef.path)
                digest.update(f"{ef.name} {sha}\n".encode())
                n = _read_file(b, ef, estimate, progress)
                report.rows[ef.name] = n
                if len(b.errors) >= 200:
                    break
            b.flush()
        if b.errors:
            raise DataError(f"{len(b.errors)} problem(s) in the ESCO files; nothing was written.",
                            b.errors)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    kinds = ("skills", "occupations", "isco_groups", "skill_groups", "schemes")
    report.counts = {k.replace("_", " "): len(b.known[k]) for k in kinds}
    report.counts.update(sorted(b.counter.items()))
    report.counts["broader relations"] = len(b.pairs.pop("broader", ()))
    report.collections = {c: len(p) for c, p in sorted(b.pairs.items())}
    report.counts["collection memberships"] = sum(report.collections.values())
    report.warnings += b.warnings
    report.warning_counts = dict(b.warning_counts)
    report.triples_written = b.written
    report.seconds["read"] = time.perf_counter() - t0
    version = f"v{disc.version}" if disc.version else "(version not detected)"
    layer = Layer(
        source="esco", title=f"ESCO {version} classification ({', '.join(disc.languages)})",
        data=path, format="nt", kind="real", derived_from=tuple(report.used), license=LICENSE,
        description=f"ESCO {version}, official CSV export, languages "
                    f"{', '.join(disc.languages)}. (c) European Union; reuse under Commission "
                    f"Decision 2011/833/EU. {ATTRIBUTION}",
        file="; ".join(str(d) for d in dirs), sha256=digest.hexdigest(),
        rows=sum(report.rows.values()),
    )
    return EscoImport(layer=layer, report=report, path=path)


def _read_file(b: _Builder, ef: EscoFile, estimate: int, progress: Progress | None) -> int:
    if progress:
        progress(ef.name, 0, estimate)
    n = 0
    try:
        for line, row in read_rows(ef):
            b.row(ef, line, row)
            n += 1
            if n % FLUSH == 0:
                b.flush()
                if progress:
                    progress(ef.name, n, max(n, estimate))
    except DataError as err:
        b.errors.extend(err.problems or [Problem(err.summary, file=ef.name)])
    if progress:
        progress(ef.name, n, n)
    return n


def import_esco(store: Store, dirs: Sequence[Path], *,
                progress: Progress | None = None) -> tuple[LayerRecord, EscoReport]:
    """Read ``dirs`` and replace the store's ``esco`` layer in one atomic commit."""
    with read_esco(dirs, progress=progress, tmp_dir=None) as imp:
        t0 = time.perf_counter()
        [record] = store.replace_layers([imp.layer])
        imp.report.seconds["load"] = time.perf_counter() - t0
        imp.report.triples_loaded = record.triples
        return record, imp.report
