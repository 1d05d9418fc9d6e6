"""Results back into the graph: one named graph per (projection, metric), joinable in SPARQL.

Each row becomes an ``itskg:NetworkMeasure``::

    <https://w3id.org/itskg/id/measure/academy-company/betweenness/…> a itskg:NetworkMeasure ;
        itskg:measureOf <node> ; itskg:measureCounterpart <other or item> (pairs, cells) ;
        itskg:metric "betweenness" ; itskg:projection "academy-company" ;
        itskg:value 0.53 ; itskg:rank 1 ; prov:wasGeneratedBy <…/id/analysis/…> ;
        dct:type <…/vocab/data-kind/synthetic|real> .

The analysis activity records the projection, filters, parameters, store generation and
time (``itskg:parameters`` holds them as JSON). The layer is ``network-<projection>-<metric>``,
of kind synthetic when any input node or edge was synthetic, committed with
``KnowledgeStore.replace_layers`` (atomic: readers see all of it or none).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any, cast

import networkx as nx

from itskg.graph.analysis.metrics import MetricResult
from itskg.graph.backends import open_store
from itskg.graph.config import Settings
from itskg.graph.namespaces import DATA, ONTOLOGY, VOCAB
from itskg.graph.rdfwriter import NTriplesWriter, lit
from itskg.graph.store import KnowledgeStore, Layer, LayerKind, LayerRecord

__all__ = ["layer_source", "measures_layer", "measures_ntriples", "write_back"]

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
PROV = "http://www.w3.org/ns/prov#"
DCT = "http://purl.org/dc/terms/"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
ONT = ONTOLOGY


def layer_source(projection: str, metric: str) -> str:
    """The layer (and graph) name of a result: ``network-<projection>-<metric>``."""
    return f"network-{projection}-{metric}"


def _key(*parts: str) -> str:
    return hashlib.sha1("\x1f".join(parts).encode()).hexdigest()[:16]


def measures_ntriples(G: nx.Graph, result: MetricResult, *, when: str | None = None) -> bytes:
    """The N-Triples of the measures and of the analysis activity."""
    projection = str(G.graph.get("projection", "graph"))
    source = layer_source(projection, result.metric)
    when = when or dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    kind = "synthetic" if G.graph.get("synthetic") else "real"
    activity = f"{DATA}analysis/{source}"
    w = NTriplesWriter()
    w.iri(activity, RDF_TYPE, PROV + "Activity")
    w.lit(activity, RDFS_LABEL, f"{result.metric} on the {projection} network", lang="en")
    w.lit(activity, PROV + "startedAtTime", when, datatype="dateTime")
    w.lit(activity, ONT + "metric", result.metric)
    w.lit(activity, ONT + "projection", projection)
    w.lit(activity, ONT + "parameters", json.dumps({
        "params": result.params, "filters": G.graph.get("filters", {}),
        "generation": G.graph.get("generation"), "summary_keys": sorted(result.summary),
    }, sort_keys=True, default=str))
    for r in result.rows:
        other = r.extra.get("other") or r.extra.get("item")
        m = f"{DATA}measure/{projection}/{result.metric}/{_key(r.node, str(other or ''))}"
        w.iri(m, RDF_TYPE, ONT + "NetworkMeasure")
        w.iri(m, ONT + "measureOf", r.node)
        if isinstance(other, str) and other.startswith(("http://", "https://")):
            w.iri(m, ONT + "measureCounterpart", other)
        w.lit(m, ONT + "metric", result.metric)
        w.lit(m, ONT + "projection", projection)
        w.add(m, ONT + "value", lit(float(r.value), datatype="double"))
        w.add(m, ONT + "rank", lit(int(r.rank)))
        w.iri(m, PROV + "wasGeneratedBy", activity)
        w.iri(m, DCT + "type", f"{VOCAB}data-kind/{kind}")
    return w.to_bytes()


def measures_layer(G: nx.Graph, result: MetricResult) -> Layer:
    """The layer ``network-<projection>-<metric>`` holding ``result`` (not committed)."""
    projection = str(G.graph.get("projection", "graph"))
    kind = "synthetic" if G.graph.get("synthetic") else "real"
    desc = json.dumps({"projection": projection, "metric": result.metric,
                       "params": result.params, "filters": G.graph.get("filters", {}),
                       "rows": len(result.rows)}, sort_keys=True, default=str)
    return Layer(
        source=layer_source(projection, result.metric),
        title=f"Network analysis: {result.metric} on {projection}",
        data=measures_ntriples(G, result), format="nt", kind=cast(LayerKind, kind),
        derived_from=(f"itskg projection {projection} (queries/projections)",
                      f"store generation {G.graph.get('generation')}"),
        description=desc, rows=len(result.rows),
    )


def write_back(store_root: Path | str | Settings, G: nx.Graph, result: MetricResult,
               *, progress: Any = None) -> LayerRecord:
    """Commit ``result`` as the layer ``network-<projection>-<metric>`` (replacing it).

    ``store_root``: a store directory, or Settings (a directory or a remote engine)."""
    layer = measures_layer(G, result)
    opened = open_store(store_root, read_only=False) if isinstance(store_root, Settings) \
        else KnowledgeStore.open(store_root, read_only=False)
    with opened as st:
        return st.replace_layers([layer], progress=progress)[0]
