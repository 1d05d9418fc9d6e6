"""Exports: GEXF and GraphML for Gephi/Cytoscape, CSV (nodes.csv + edges.csv in a zip), and
the JSON a web graph view draws ({nodes, edges, communities, summary}).

GEXF/GraphML accept only scalar attributes: lists become "a; b" strings, None is dropped,
metric columns are added as node attributes (``metrics={"pagerank": {node: value}}``).
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path
from typing import Any

import networkx as nx

from itskg.graph.csvsafe import safe_row
from itskg.graph.errors import AnalysisError

__all__ = ["FORMATS", "export_graph", "flatten", "to_csv_zip", "to_web_json"]

FORMATS = ("gexf", "graphml", "csv")
_META = {"filters", "code_labels"}


def _scalar(v: Any) -> Any:
    if isinstance(v, (list, tuple, set)):
        return "; ".join(map(str, v))
    if isinstance(v, dict):
        return "; ".join(f"{k}={x}" for k, x in v.items())
    return v


def flatten(G: nx.Graph, metrics: dict[str, dict[Any, float]] | None = None) -> nx.Graph:
    """A copy with scalar attributes only (and metric columns added to nodes)."""
    H = G.__class__()
    H.graph.update({k: _scalar(v) for k, v in G.graph.items()
                    if k not in _META and v is not None})
    for n, d in G.nodes(data=True):
        attrs = {k: _scalar(v) for k, v in d.items() if v is not None}
        for name, vals in (metrics or {}).items():
            if n in vals:
                attrs[name] = float(vals[n])
        H.add_node(n, **attrs)
    for a, b, d in G.edges(data=True):
        H.add_edge(a, b, **{k: _scalar(v) for k, v in d.items() if v is not None})
    return H


def _table(rows: list[dict[str, Any]]) -> bytes:
    cols: list[str] = []
    for r in rows:
        cols.extend(k for k in r if k not in cols)
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=cols, lineterminator="\n")
    w.writeheader()
    w.writerows(safe_row(r) for r in rows)  # formula cells neutralised (OWASP)
    return buf.getvalue().encode("utf-8")


def to_csv_zip(G: nx.Graph, metrics: dict[str, dict[Any, float]] | None = None) -> bytes:
    """A zip with nodes.csv (id + attributes) and edges.csv (source, target + attributes)."""
    H = flatten(G, metrics)
    nodes = [{"id": n, **d} for n, d in H.nodes(data=True)]
    edges = [{"source": a, "target": b, **d} for a, b, d in H.edges(data=True)]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("nodes.csv", _table(nodes))
        z.writestr("edges.csv", _table(edges))
    return buf.getvalue()


def export_graph(G: nx.Graph, fmt: str, output: Path | None = None,
                 metrics: dict[str, dict[Any, float]] | None = None) -> bytes:
    """The graph as ``fmt`` (gexf, graphml, csv = zip); written to ``output`` if given."""
    if fmt not in FORMATS:
        raise AnalysisError(f"Unknown export format {fmt!r}; use one of {', '.join(FORMATS)}.")
    if fmt == "csv":
        data = to_csv_zip(G, metrics)
    else:
        H = flatten(G, metrics)
        buf = io.BytesIO()
        if fmt == "gexf":
            nx.write_gexf(H, buf)
        else:
            nx.write_graphml(H, buf)
        data = buf.getvalue()
    if output is not None:
        Path(output).write_bytes(data)
    return data


def to_web_json(G: nx.Graph, metrics: dict[str, dict[Any, float]] | None = None,
                communities: list[set] | None = None,
                summary: dict[str, Any] | None = None) -> dict[str, Any]:
    """``{nodes: [{id, label, kind, ...}], edges: [{source, target, weight, ...}],
    communities: [{id, size, members}], summary}`` for a web graph view."""
    comm_of = {n: i for i, c in enumerate(communities or []) for n in c}
    nodes = []
    for n, d in G.nodes(data=True):
        row = {"id": n, **{k: v for k, v in d.items() if v is not None}}
        for name, vals in (metrics or {}).items():
            if n in vals:
                row[name] = vals[n]
        if n in comm_of:
            row["community"] = comm_of[n]
        nodes.append(row)
    # an undirected edge is written with its ends in order, so the answer does not depend on
    # the order the engine returned the rows in (Oxigraph server and the embedded engine
    # differ there); the edges are listed in order too
    pairs = G.edges(data=True) if G.is_directed() else (
        ((a, b, d) if str(a) <= str(b) else (b, a, d)) for a, b, d in G.edges(data=True))
    edges = sorted(({"source": a, "target": b, "weight": d.get("weight", 1),
                     **{k: v for k, v in d.items() if k != "weight" and v is not None}}
                    for a, b, d in pairs), key=lambda e: (str(e["source"]), str(e["target"])))
    comms = [{"id": i, "size": len(c), "members": sorted(c, key=str)}
             for i, c in enumerate(communities or [])]
    return {"projection": G.graph.get("projection"), "directed": G.is_directed(),
            "filters": G.graph.get("filters", {}), "nodes": nodes, "edges": edges,
            "communities": comms, "summary": summary or {}}
