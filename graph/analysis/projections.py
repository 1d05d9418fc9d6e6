"""Declared network projections: the YAML files in queries/projections/, read and checked.

A projection says which graph to draw from the knowledge graph, in data, not code::

    name: academy-company
    title: {en: ..., it: ...}
    description: {en: ..., it: ...}
    directed: false
    bipartite: true          # nodes of the ``top`` kinds get bipartite=0, the others 1
    top: [academy]
    weighted: false
    nodes: |                 # SELECT ?node ?kind [?label ?region ?area ?activity ...]
      ...
    edges: |                 # SELECT ?source ?target [?weight ?type ...]
      ...
    filters:                 # filter -> node kinds it restricts ("edges" for edge filters)
      region: [academy]
    context: [region]        # kinds kept only when linked to a kept node (when filtering)
    drop_isolates: false     # drop nodes without edges

A *derived* projection is the one-mode projection of another one::

    name: academy-academy
    project_from: academy-company
    onto: [academy]          # keep these kinds; link two of them by their shared neighbours
    weight: shared           # weight = number of shared neighbours

Filters are *directives* in the SPARQL text, comment lines the builder fills in with values
it has validated (see ``itskg.graph.analysis.extract``):

- ``#@region ?s path`` / ``#@area ?s path`` / ``#@sector ?s path``: keep ``?s`` when
  ``?s path ?x`` holds for one of the selected concepts or their narrower concepts (without a
  path: when ``?s`` itself is one of them);
- ``#@year ?y``: binds ``?y`` to the year (the query compares, e.g. ``!BOUND(?y) || ...``);
- ``#@real ?s``: drops ``?s`` when it is marked synthetic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import yaml

from itskg.graph.errors import AnalysisError
from itskg.graph.resources import projection_files

__all__ = [
    "DIRECTIVE",
    "FILTERS",
    "Projection",
    "get_projection",
    "load_projections",
]

#: The filters a projection can support, in the order users see them.
FILTERS = ("region", "area", "sector", "year", "real")
#: ``#@name ?var [path]``: path is a prefixed name or a simple property path.
DIRECTIVE = re.compile(
    r"^[ \t]*#@(?P<name>[a-z]+)[ \t]+\?(?P<var>[A-Za-z_]\w*)"
    r"(?:[ \t]+(?P<path>[A-Za-z][\w\-]*:[\w\-.]+(?:/[A-Za-z][\w\-]*:[\w\-.]+)*))?[ \t]*$",
    re.MULTILINE,
)
_NAME = re.compile(r"^[a-z][a-z0-9-]*$")


@dataclass(frozen=True)
class Projection:
    """One declared projection (see the module docstring for the YAML fields)."""

    name: str
    title: dict[str, str]
    description: dict[str, str]
    directed: bool = False
    bipartite: bool = False
    weighted: bool = False
    top: tuple[str, ...] = ()
    nodes: str = ""
    edges: str = ""
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    context: tuple[str, ...] = ()
    drop_isolates: bool = False
    project_from: str | None = None
    onto: tuple[str, ...] = ()
    weight: str = "shared"
    file: str = ""

    @property
    def derived(self) -> bool:
        return self.project_from is not None

    def supported_filters(self) -> tuple[str, ...]:
        """The filters this projection honours (those of its base, if derived)."""
        if self.project_from:
            return get_projection(self.project_from).supported_filters()
        return tuple(f for f in FILTERS if f in self.filters)

    def base(self) -> Projection:
        """The projection whose queries run (itself, or the one it projects from)."""
        return get_projection(self.project_from) if self.project_from else self

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name, "title": self.title, "description": self.description,
            "directed": self.directed, "bipartite": self.bipartite, "weighted": self.weighted,
            "derived_from": self.project_from, "onto": list(self.onto),
            "filters": list(self.supported_filters()),
        }


def _text(value: Any, field_name: str, file: str) -> dict[str, str]:
    if isinstance(value, str):
        return {"en": value, "it": value}
    if isinstance(value, dict) and "en" in value:
        return {"en": str(value["en"]), "it": str(value.get("it", value["en"]))}
    raise AnalysisError(f"{file}: '{field_name}' must be a text or {{en: ..., it: ...}}.")


def _check_directives(name: str, sparql: str, where: str, file: str) -> set[str]:
    found = set()
    for line in sparql.splitlines():
        if line.strip().startswith("#@"):
            m = DIRECTIVE.match(line)
            if not m or m["name"] not in FILTERS:
                raise AnalysisError(
                    f"{file}: bad filter directive in the {where} query of '{name}': "
                    f"{line.strip()!r}. Use '#@region|area|sector ?var prefix:path', "
                    "'#@year ?var' or '#@real ?var'.")
            if m["path"] and m["name"] in {"year", "real"}:
                raise AnalysisError(
                    f"{file}: directive {line.strip()!r} in '{name}' takes no property path.")
            found.add(m["name"])
    return found


def _parse(doc: dict[str, Any], file: str) -> Projection:
    name = doc.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise AnalysisError(f"{file}: 'name' must be lower-case words joined by '-'.")
    title = _text(doc.get("title", name), "title", file)
    description = _text(doc.get("description", ""), "description", file)
    if "project_from" in doc:
        onto = tuple(doc.get("onto") or ())
        if not onto:
            raise AnalysisError(f"{file}: a derived projection needs 'onto' (node kinds).")
        if doc.get("weight", "shared") != "shared":
            raise AnalysisError(f"{file}: only 'weight: shared' is supported.")
        return Projection(
            name=name, title=title, description=description, directed=False,
            bipartite=False, weighted=True, project_from=str(doc["project_from"]),
            onto=onto, file=file,
        )
    nodes, edges = doc.get("nodes"), doc.get("edges")
    if not isinstance(nodes, str) or not isinstance(edges, str):
        raise AnalysisError(f"{file}: '{name}' needs a 'nodes' and an 'edges' SPARQL query.")
    found = _check_directives(name, nodes, "nodes", file) | _check_directives(
        name, edges, "edges", file)
    filters = {k: tuple(v or ()) for k, v in (doc.get("filters") or {}).items()}
    for k in filters:
        if k not in FILTERS:
            raise AnalysisError(f"{file}: unknown filter {k!r}; known: {', '.join(FILTERS)}.")
    missing = set(filters) ^ found
    if missing:
        raise AnalysisError(
            f"{file}: filters declared and directives used differ in '{name}': "
            f"{', '.join(sorted(missing))}.")
    return Projection(
        name=name, title=title, description=description,
        directed=bool(doc.get("directed", False)), bipartite=bool(doc.get("bipartite", False)),
        weighted=bool(doc.get("weighted", False)), top=tuple(doc.get("top") or ()),
        nodes=nodes, edges=edges, filters=filters, file=file,
        context=tuple(doc.get("context") or ()), drop_isolates=bool(doc.get("drop_isolates")),
    )


@cache
def load_projections() -> dict[str, Projection]:
    """Every shipped projection by name (read once per process)."""
    out: dict[str, Projection] = {}
    for f in projection_files():
        try:
            doc = yaml.safe_load(f.read_text(encoding="utf-8"))
        except yaml.YAMLError as err:
            raise AnalysisError(f"{f.name}: not valid YAML: {err}") from err
        p = _parse(doc or {}, f.name)
        if p.name in out:
            raise AnalysisError(f"{f.name}: projection name '{p.name}' is used twice.")
        out[p.name] = p
    for p in out.values():
        if p.project_from and p.project_from not in out:
            raise AnalysisError(f"{p.file}: projects from unknown '{p.project_from}'.")
    return out


def get_projection(name: str) -> Projection:
    """The projection called ``name``; an AnalysisError lists the known ones."""
    projections = load_projections()
    if name not in projections:
        raise AnalysisError(
            f"No projection '{name}'. Known projections: {', '.join(sorted(projections))} "
            "(run 'itskg network projections').")
    return projections[name]
