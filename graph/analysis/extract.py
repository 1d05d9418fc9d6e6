"""The one place that turns RDF into networkx: ``build_graph(store, projection, filters)``.

Steps: render the projection's SPARQL with the filters (directive lines become ``FILTER``
blocks over concept IRIs the vocabulary resolved and expanded, or ``VALUES`` of a validated
integer; user text never reaches the query), run the node and edge queries, merge the rows
into nodes and edges, prune nodes the filters left without a purpose, and for a derived
projection project the bipartite base graph onto the requested kinds (with igraph).

Node ids are IRI strings; attributes: ``kind``, ``label`` (Italian, else English), ``region``
(NUTS-2 code) and ``province`` (NUTS-3 code), ``area`` (DM 203/2023 code) and ``area2008``,
``activity`` (ATECO code) and ``sector`` (ATECO section), ``synthetic``, plus any other column
of the node query. Edges carry ``weight`` (sum over rows; 1 per row when the query has no
``?weight``), ``weight_<type>`` per ``?type`` value, ``synthetic`` and the other columns.
"""

from __future__ import annotations

import re
import time
from collections import defaultdict
from dataclasses import asdict, dataclass
from typing import Any

import networkx as nx

from itskg.graph.analysis.codelists import CodeLists, vocabulary
from itskg.graph.analysis.projections import DIRECTIVE, Projection, get_projection
from itskg.graph.backends.interface import Store
from itskg.graph.errors import AnalysisError
from itskg.graph.namespaces import sparql_prefixes
from itskg.graph.rdfwriter import ref
from itskg.graph.terms import Term

RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

__all__ = ["MAX_PROJECTED_EDGES", "Filters", "build_graph", "render_query"]

SYNTHETIC = "https://w3id.org/itskg/vocab/data-kind/synthetic"
#: Refuse one-mode projections estimated larger than this (edges before merging).
MAX_PROJECTED_EDGES = 5_000_000
_IRI_ATTRS = {"region", "area", "activity"}
_UNSET = object()
_MAX_YEAR = 2100


@dataclass(frozen=True)
class Filters:
    """What the user asked to keep. Values are user text until ``build_graph`` resolves them."""

    regions: tuple[str, ...] = ()
    areas: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    year: int | None = None
    real_only: bool = False

    def active(self) -> list[str]:
        """Names of the active filters, as used in projection declarations."""
        names = [("region", self.regions), ("area", self.areas), ("sector", self.sectors),
                 ("year", self.year is not None), ("real", self.real_only)]
        return [n for n, v in names if v]

    def to_json(self) -> dict[str, Any]:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in asdict(self).items()}


def _concepts(vocab: CodeLists, family: str, values: tuple[str, ...]) -> list[str]:
    out: set[str] = set()
    for v in values:
        out |= vocab.descendants(vocab.resolve(family, v))
    return sorted(out)


def render_query(sparql: str, filters: Filters, vocab: CodeLists | None) -> str:
    """The query with its filter directives filled in (or left as comments when inactive)."""
    if filters.year is not None and not (1900 <= int(filters.year) <= _MAX_YEAR):
        raise AnalysisError(f"Year {filters.year} is out of range (1900-{_MAX_YEAR}).")
    sets: dict[str, list[str]] = {}
    for fam, vals in (("region", filters.regions), ("area", filters.areas),
                      ("sector", filters.sectors)):
        if vals:
            assert vocab is not None
            sets[fam] = _concepts(vocab, fam, vals)

    def fill(m: Any) -> str:
        name, var, path = m["name"], m["var"], m["path"]
        if name in sets:
            terms = ", ".join(ref(i) for i in sets[name])
            if path is None:
                return f"  FILTER(?{var} IN ({terms}))"
            return (f"  FILTER EXISTS {{ ?{var} {path} ?_f_{name} . "
                    f"FILTER(?_f_{name} IN ({terms})) }}")
        if name == "year" and filters.year is not None:
            return f"  VALUES ?{var} {{ {int(filters.year)} }}"
        if name == "real" and filters.real_only:
            return f"  FILTER NOT EXISTS {{ ?{var} dct:type {ref(SYNTHETIC)} }}"
        return m.group(0)

    return sparql_prefixes() + DIRECTIVE.sub(fill, sparql)


_ESCAPES = {"t": "\t", "n": "\n", "r": "\r", "b": "\b", "f": "\f", '"': '"', "'": "'",
            "\\": "\\"}
_ESCAPE = re.compile(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)")
_XSD = "http://www.w3.org/2001/XMLSchema#"


def _unescape(m: re.Match[str]) -> str:
    e = m.group(1)
    return chr(int(e[1:], 16)) if len(e) > 1 else _ESCAPES.get(e, e)


def _cell(raw: str) -> Term | None:
    """One cell of SPARQL TSV results (an N-Triples-like term, or bare number/boolean)."""
    if not raw:
        return None
    c = raw[0]
    if c == "<":
        return Term("iri", raw[1:-1])
    if c == '"':
        end = raw.rfind('"')
        text, rest = raw[1:end], raw[end + 1:]
        if "\\" in text:
            text = _ESCAPE.sub(_unescape, text)
        if rest.startswith("@"):
            return Term("literal", text, RDF_LANG_STRING, rest[1:])
        if rest.startswith("^^<"):
            return Term("literal", text, rest[3:-1])
        return Term("literal", text, _XSD + "string")
    if raw.startswith("_:"):
        return Term("bnode", raw[2:])
    if raw in ("true", "false"):
        return Term("literal", raw, _XSD + "boolean")
    if "e" in raw or "E" in raw:
        return Term("literal", raw, _XSD + "double")
    return Term("literal", raw, _XSD + ("decimal" if "." in raw else "integer"))


def _table(store: Store, sparql: str) -> tuple[int, dict[str, list[Term | None]]]:
    """A SELECT's answer as columns: (rows, {variable: [Term or None per row]}).

    Read from the engine's own TSV writer and split in C (one ``split`` over the whole text,
    columns as strided slices), so no per-row Python object is made; each distinct cell is
    parsed once and shared (a column of 60,000 cells typically has a few hundred distinct
    values). Measured at national scale: the row-by-row conversion of the engine's solutions
    cost more than the query itself (see README, "Precomputed answers").
    """
    res = store.query(sparql)
    names = list(res.variables)
    data = res.serialize("tsv")
    assert data is not None
    text = data.decode("utf-8")
    head, _, body = text.partition("\n")  # every row ends with a newline
    width = len(names)
    if width == 1:  # an empty line is a row with its one value unbound
        flat = body.split("\n")[:-1]
    elif not body or width == 0:
        return 0, {n: [] for n in names}
    else:
        flat = body[:-1].replace("\n", "\t").split("\t")
    if len(flat) % width:
        raise AnalysisError(f"The engine's TSV answer has {len(flat)} cells, not a multiple "
                            f"of its {width} columns; please report this.")
    rows = len(flat) // width
    cols: dict[str, list[Term | None]] = {}
    order = [h.lstrip("?") for h in head.split("\t")]
    for j, name in enumerate(order):
        memo: dict[str, Term | None] = {}
        col = flat[j::width]
        for raw in set(col):
            memo[raw] = _cell(raw)
        cols[name] = [memo[raw] for raw in col]
    return rows, cols


def _pick_label(values: dict[str, str]) -> str | None:
    for lang in ("it", "en", ""):
        if lang in values:
            return values[lang]
    return next(iter(values.values()), None)


def _scalar(values: set[Any]) -> Any:
    if not values:
        return None
    if len(values) == 1:
        return next(iter(values))
    return sorted(values, key=str)


def _flag(values: Any) -> bool:
    """A boolean column's values (a set, or one value) read as one flag: true when any is
    true, whether the engine wrote ``true``/``false`` or, as Virtuoso 7 does for
    ``BIND(EXISTS {...} AS ?x)``, the integers 1/0.

    >>> _flag({False, 1}), _flag(True), _flag({0, False}), _flag(set())
    (True, True, False, False)
    """
    vals = values if isinstance(values, set) else {values}
    return any(v is True or (type(v) in (int, float) and v == 1) for v in vals)


def _value(t: Term, vocab: CodeLists) -> Any:
    if t.kind == "iri":
        return vocab.code(t.value) if t.value in vocab.concepts or "/vocab/" in t.value else t.value
    return t.to_python()


def _nodes(store: Store, p: Projection, f: Filters, vocab: CodeLists,
           code_labels: dict[str, str]) -> dict[str, dict]:
    n, table = _table(store, render_query(p.nodes, f, vocab))
    raw: dict[str, dict[str, Any]] = {}
    node_col = table.get("node") or [None] * n
    others = [(c, vals) for c, vals in table.items() if c != "node"]
    values: dict[str, dict[int, Any]] = {c: {} for c, _ in others}  # per distinct Term
    for i, node in enumerate(node_col):
        if node is None:
            continue
        d = raw.get(node.value)
        if d is None:
            d = raw[node.value] = {"labels": {}, "cols": defaultdict(set)}
        for col, vals in others:
            t = vals[i]
            if t is None:
                continue
            if col == "label":
                d["labels"].setdefault(t.lang or "", t.value)
            elif col in _IRI_ATTRS and t.kind == "iri":
                d["cols"][col].add(t.value)
            else:
                memo = values[col]
                v = memo.get(id(t), _UNSET)
                if v is _UNSET:
                    v = memo[id(t)] = _value(t, vocab)
                d["cols"][col].add(v)
    out: dict[str, dict[str, Any]] = {}

    def note(iris: set[str]) -> None:
        for i in iris:
            code_labels.setdefault(vocab.code(i), vocab.label(i) or vocab.code(i))

    for iri, d in raw.items():
        cols = d["cols"]
        attrs: dict[str, Any] = {"kind": _scalar(cols.pop("kind", set())) or "node"}
        attrs["label"] = _pick_label(d["labels"]) or vocab.label(iri) or vocab.code(iri)
        attrs["synthetic"] = _flag(cols.pop("synthetic", set()))
        regions = cols.pop("region", set())
        if regions:
            r2 = {vocab.nuts2(r) for r in regions}
            note(r2 | regions)
            attrs["region"] = _scalar({vocab.code(r) for r in r2})
            attrs["region_label"] = _scalar({vocab.label(r) or vocab.code(r) for r in r2})
            prov = {vocab.code(r) for r in regions if r not in r2}
            if prov:
                attrs["province"] = _scalar(prov)
        areas = cols.pop("area", set())
        if areas:
            note(areas)
            new = {vocab.code(a) for a in areas if "/area-2008/" not in a}
            old = {vocab.code(a) for a in areas if "/area-2008/" in a}
            if new:
                attrs["area"] = _scalar(new)
            if old:
                attrs["area2008"] = _scalar(old)
        acts = cols.pop("activity", set())
        if acts:
            attrs["activity"] = _scalar({vocab.code(a) for a in acts})
            roots = {vocab.root(a) for a in acts}
            note(roots)
            attrs["sector"] = _scalar({vocab.code(r) for r in roots})
        for col, vals in cols.items():
            attrs[col] = _scalar(vals)
        out[iri] = attrs
    return out


def _edges(store: Store, p: Projection, f: Filters, vocab: CodeLists,
           nodes: dict[str, dict]) -> tuple[dict[tuple[str, str], dict], int]:
    n, table = _table(store, render_query(p.edges, f, vocab))
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    dropped = 0
    none = [None] * n
    sources, targets = table.get("source") or none, table.get("target") or none
    weights = table.get("weight") or none
    others = [(c, vals) for c, vals in table.items() if c not in {"source", "target", "weight"}]
    values: dict[str, dict[int, Any]] = {c: {} for c, _ in others}  # per distinct Term
    wvalues: dict[int, float] = {}
    for i, (s, t) in enumerate(zip(sources, targets, strict=True)):
        if s is None or t is None or s.value not in nodes or t.value not in nodes:
            dropped += 1
            continue
        a, b = s.value, t.value
        if not p.directed and b < a:
            a, b = b, a
        e = merged.get((a, b))
        if e is None:
            e = merged[(a, b)] = {"weight": 0.0, "synthetic": False, "cols": defaultdict(set)}
        w = weights[i]
        if w is None:
            wv = 1.0
        else:
            got = wvalues.get(id(w))
            wv = wvalues[id(w)] = float(w.to_python()) if got is None else got
        e["weight"] += wv
        for col, vals in others:
            term = vals[i]
            if term is None:
                continue
            memo = values[col]
            val = memo.get(id(term), _UNSET)
            if val is _UNSET:
                val = memo[id(term)] = _value(term, vocab)
            if col == "synthetic":
                e["synthetic"] = e["synthetic"] or _flag(val)
            elif col == "type":
                e[f"weight_{val}"] = e.get(f"weight_{val}", 0.0) + wv
                e["cols"]["type"].add(val)
            else:
                e["cols"][col].add(val)
    for e in merged.values():
        for col, vals in e.pop("cols").items():
            e[col] = _scalar(vals)
        if float(e["weight"]).is_integer():
            e["weight"] = int(e["weight"])
    return merged, dropped


def _prune(G: nx.Graph, p: Projection, f: Filters) -> None:
    """Drop nodes the active filters left without a purpose.

    Kinds restricted by every active filter keep all their matching nodes (an academy of the
    selected region without members stays); other nodes stay only when linked to a kept
    node, and context nodes (regions, sectors...) only when linked to a kept node.
    """
    active = f.active()
    if active:
        kinds = {d["kind"] for _, d in G.nodes(data=True)}
        anchored = {k for k in kinds if all(k in p.filters.get(n, ()) for n in active)}
        if anchored:
            keep = {n for n, d in G.nodes(data=True) if d["kind"] in anchored}
        else:
            keep = {n for n, d in G.nodes(data=True)
                    if d["kind"] not in p.context and G.degree(n) > 0}
        plain = {n for n, d in G.nodes(data=True)
                 if n not in keep and d["kind"] not in p.context}
        keep |= {n for n in plain if any(m in keep for m in nx.all_neighbors(G, n))}
        ctx = {n for n, d in G.nodes(data=True) if d["kind"] in p.context}
        keep |= {n for n in ctx if any(m in keep for m in nx.all_neighbors(G, n))}
        G.remove_nodes_from([n for n in list(G) if n not in keep])
    if p.drop_isolates:
        G.remove_nodes_from([n for n in list(G) if G.degree(n) == 0])


def _base_graph(store: Store, p: Projection, f: Filters) -> nx.Graph:
    unsupported = [n for n in f.active() if n not in p.filters]
    if unsupported:
        raise AnalysisError(
            f"The projection '{p.name}' cannot be filtered by {', '.join(unsupported)}; "
            f"it supports: {', '.join(p.supported_filters()) or 'no filters'}.")
    vocab = vocabulary(store)
    code_labels: dict[str, str] = {}
    nodes = _nodes(store, p, f, vocab, code_labels)
    edges, dropped = _edges(store, p, f, vocab, nodes)
    G: nx.Graph = nx.DiGraph() if p.directed else nx.Graph()
    for n, attrs in nodes.items():
        if p.bipartite:
            attrs["bipartite"] = 0 if attrs["kind"] in p.top else 1
        G.add_node(n, **attrs)
    for (a, b), attrs in edges.items():
        G.add_edge(a, b, **attrs)
    _prune(G, p, f)
    G.graph["dropped_edges"] = dropped
    G.graph["code_labels"] = code_labels
    return G


def project(B: nx.Graph, onto: tuple[str, ...], *,
            max_edges: int = MAX_PROJECTED_EDGES, backend: str = "igraph") -> nx.Graph:
    """One-mode projection of ``B`` onto the nodes whose kind is in ``onto``.

    Two kept nodes are linked when they share neighbours; ``weight`` = number shared.
    Refused (AnalysisError) when the estimated number of pairs exceeds ``max_edges``.
    """
    keep = [n for n, d in B.nodes(data=True) if d.get("kind") in onto]
    keepset = set(keep)
    est = 0
    for n in B:
        if n not in keepset:
            k = sum(1 for m in B[n] if m in keepset)
            est += k * (k - 1) // 2
    if est > max_edges:
        raise AnalysisError(
            f"This projection would have about {est:,} edges (limit {max_edges:,}): too large "
            "to compute and show. Narrow it with --region, --area or --sector (or ?region=... "
            "over HTTP), or analyse the bipartite projection it comes from instead.")
    if backend == "networkx":
        P = nx.bipartite.weighted_projected_graph(B, keep)
    else:
        from itskg.graph.analysis._igraph import bipartite_projection

        P = bipartite_projection(B, keep)
    for n in P:
        d = dict(B.nodes[n])
        d.pop("bipartite", None)
        P.nodes[n].update(d)
    return P


def _any_synthetic(G: nx.Graph) -> bool:
    return any(d.get("synthetic") for _, d in G.nodes(data=True)) or any(
        d.get("synthetic") for _, _, d in G.edges(data=True))


def build_graph(
    store: Store,
    projection: str | Projection,
    filters: Filters | None = None,
    *,
    max_nodes: int | None = None,
    max_edges: int = MAX_PROJECTED_EDGES,
    backend: str = "igraph",
) -> nx.Graph:
    """The networkx graph of a declared projection, filtered.

    ``G.graph`` records the projection, filters, store generation, whether any node or edge
    is synthetic, the build time and the edges dropped because an end was filtered out.
    ``max_nodes`` refuses larger graphs with an AnalysisError saying how to narrow them.
    """
    t0 = time.perf_counter()
    p = get_projection(projection) if isinstance(projection, str) else projection
    f = filters or Filters()
    if p.derived:
        B = _base_graph(store, p.base(), f)
        G = project(B, p.onto, max_edges=max_edges, backend=backend)
        G.graph["dropped_edges"] = B.graph["dropped_edges"]
        G.graph["code_labels"] = B.graph["code_labels"]
        synthetic = _any_synthetic(B)
    else:
        G = _base_graph(store, p, f)
        synthetic = _any_synthetic(G)
    if max_nodes is not None and G.number_of_nodes() > max_nodes:
        raise AnalysisError(
            f"The projection '{p.name}' has {G.number_of_nodes():,} nodes with these filters, "
            f"more than the cap of {max_nodes:,}. Add filters (region, area, sector, year) or "
            "raise the cap (max_nodes), or export it for Gephi instead.")
    G.graph.update(
        projection=p.name, directed=p.directed, bipartite=p.bipartite and not p.derived,
        weighted=p.weighted, filters=f.to_json(), generation=store.generation,
        store=str(store.root), synthetic=synthetic,
        seconds=round(time.perf_counter() - t0, 3),
    )
    return G
