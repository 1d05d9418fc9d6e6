"""Completeness of ITS qualifications by the official Europass LOQ shapes (pySHACL).

The shapes (``LOQ-constraints.ttl`` and the controlled-vocabulary constraints
``LOQ-constraints-mdr.ttl``, SHACL of the ELM "Learning Opportunity and Qualification"
application profile v1.1.0, EUPL 1.2) are used unchanged. Each violation is attributed to the
qualification whose export holds the failing node (the qualification itself, one of its
learning outcomes, its awarding body...) and named by the shape's own ``sh:name``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from rdflib import RDF, Graph, Namespace, URIRef

from itskg.graph.elm.derive import Qualification
from itskg.graph.elm.elm_rdf import ELM, qualification_graph
from itskg.graph.errors import ConfigError

__all__ = ["ELM_FILES", "CompletenessReport", "Finding", "check_qualifications", "elm_files",
           "loq_shapes"]

SH = Namespace("http://www.w3.org/ns/shacl#")
ELM_FILES = ("ELM.ttl", "ELM-external.ttl", "LOQ-constraints.ttl", "LOQ-constraints-mdr.ttl",
             "LICENSE-EUPL-1.2.txt")
_HERE = Path(__file__).resolve().parent
#: Where the files are looked for, in order: next to this module (an installed wheel), then
#: ../shared/data/elm beside the checkout (graph/elm -> repository -> ..).
SEARCH = (_HERE / "loq", _HERE.parents[2] / "shared" / "data" / "elm")
_NODE_KIND: dict[Any, str] = {
              ELM.Qualification: "qualification", ELM.LearningOutcome: "learning outcome",
              ELM.Organisation: "awarding body", ELM.AwardingOpportunity: "awarding",
              URIRef("http://purl.org/dc/terms/Location"): "location", ELM.Address: "address",
              ELM.Note: "note"}


def elm_files(directory: Path | None = None) -> Path:
    """The folder holding the unchanged ELM/LOQ files (and their EUPL licence).

    Raises ConfigError naming the places looked at when none holds all of them.
    """
    places = (directory,) if directory is not None else SEARCH
    for place in places:
        if place is not None and all((place / f).is_file() for f in ELM_FILES):
            return place
    raise ConfigError(
        "The ELM 3.1 ontology and LOQ shapes were not found (looked in "
        + ", ".join(str(p) for p in places if p is not None)
        + "). A checkout reads them from ../shared/data/elm; a wheel carries them in "
        "itskg/graph/elm/loq/.")


@lru_cache(maxsize=2)
def loq_shapes(directory: Path | None = None) -> Graph:
    """The LOQ shapes graph (constraints + controlled-vocabulary constraints), parsed once."""
    root = elm_files(directory)
    g = Graph()
    for name in ("LOQ-constraints.ttl", "LOQ-constraints-mdr.ttl"):
        g.parse(root / name, format="turtle")
    return g


@dataclass(frozen=True)
class Finding:
    """One thing the LOQ shapes find wrong: on which node, which field, what."""

    node_kind: str  # qualification, learning outcome, awarding body, ...
    node: str
    field: str  # the shape's sh:name, e.g. "NQF level"
    path: str  # the property, e.g. elm:NQFLevel
    problem: str  # "missing" or the shape's message
    message: str

    def as_json(self) -> dict[str, str]:
        return {"node_kind": self.node_kind, "node": self.node, "field": self.field,
                "path": self.path, "problem": self.problem, "message": self.message}


@dataclass
class CompletenessReport:
    """The LOQ verdict on one qualification."""

    qualification: Qualification
    findings: list[Finding] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.findings

    @property
    def missing(self) -> list[str]:
        """The fields the shapes find missing, e.g. ['NQF level'] (node kind prefixed when
        the field is not on the qualification itself)."""
        out = []
        for f in self.findings:
            name = f.field if f.node_kind == "qualification" else f"{f.node_kind}: {f.field}"
            if name not in out:
                out.append(name)
        return out

    def as_json(self, lang: str = "en") -> dict[str, Any]:
        q = self.qualification
        return {"qualification": q.iri, "key": q.key,
                "title": q.title.get(lang) or next(iter(q.title.values()), ""),
                "academy": q.academy, "eqf": q.eqf, "synthetic": q.synthetic,
                "courses": len(q.courses), "learning_outcomes": len(q.outcomes),
                "complete": self.complete, "missing": self.missing,
                "findings": [f.as_json() for f in self.findings]}


def _curie(g: Graph, term: Any) -> str:
    try:
        return g.namespace_manager.normalizeUri(term)
    except Exception:  # rdflib raises on terms it cannot shorten
        return str(term)


def check_qualifications(quals: Iterable[Qualification],
                         directory: Path | None = None) -> list[CompletenessReport]:
    """Validate the ELM export of every qualification against the LOQ shapes; one report each.

    All qualifications are validated together in one pySHACL run (shared nodes such as an
    academy or a skill are checked once and their findings given to every qualification that
    uses them).
    """
    from pyshacl import validate

    quals = list(quals)
    data = Graph()
    owners: dict[Any, set[str]] = {}
    for q in quals:
        before = set(data.subjects())
        qualification_graph(q, data)
        for node in set(data.subjects()) - before:
            owners.setdefault(node, set()).add(q.iri)
        for node in (URIRef(q.academy), URIRef(q.academy + "#seat"),
                     URIRef(q.academy + "#seat-address")):
            owners.setdefault(node, set()).add(q.iri)
        for _, _, node in data.triples((URIRef(q.iri), None, None)):
            owners.setdefault(node, set()).add(q.iri)
        for lo in data.objects(URIRef(q.iri), ELM.learningOutcome):
            for _, _, node in data.triples((lo, None, None)):
                owners.setdefault(node, set()).add(q.iri)
    reports = {q.iri: CompletenessReport(q) for q in quals}
    if not quals:
        return []
    conforms, results, _ = validate(data, shacl_graph=loq_shapes(directory), inference="none",
                                    abort_on_first=False, allow_infos=True, allow_warnings=True)
    if conforms:
        return list(reports.values())
    shapes = loq_shapes(directory)
    for res in results.subjects(RDF.type, SH.ValidationResult):
        focus = results.value(res, SH.focusNode)
        path = results.value(res, SH.resultPath)
        source = results.value(res, SH.sourceShape)
        component = results.value(res, SH.sourceConstraintComponent)
        message = str(results.value(res, SH.resultMessage) or "")
        name = shapes.value(source, SH.name) if source is not None else None
        kinds = [_NODE_KIND[t] for t in data.objects(focus, RDF.type) if t in _NODE_KIND]
        problem = ("missing" if component == SH.MinCountConstraintComponent
                   else _curie(shapes, component).split(":")[-1].replace("ConstraintComponent",
                                                                           ""))
        finding = Finding(
            node_kind=kinds[0] if kinds else "concept", node=str(focus),
            field=str(name) if name is not None else _curie(data, path),
            path=_curie(data, path) if path is not None else "", problem=problem,
            message=message)
        for owner in owners.get(focus, ()):
            if finding not in reports[owner].findings:
                reports[owner].findings.append(finding)
    return list(reports.values())
