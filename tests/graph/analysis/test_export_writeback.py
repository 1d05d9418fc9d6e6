"""Exports read back with networkx; results written back and joined in SPARQL."""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import networkx as nx

from itskg.graph.analysis.export import export_graph, to_web_json
from itskg.graph.analysis.extract import build_graph
from itskg.graph.analysis.metrics import run_metric
from itskg.graph.analysis.writeback import write_back
from itskg.graph.namespaces import graph_iri, sparql_prefixes
from itskg.graph.store import KnowledgeStore

CO = "https://w3id.org/itskg/id/company/"


def test_gexf_graphml_and_csv_read_back(tiny, tmp_path: Path) -> None:
    G = build_graph(tiny, "academy-company")
    pr = {r.node: r.value for r in run_metric(G, "pagerank").rows}
    for fmt in ("gexf", "graphml"):
        out = tmp_path / f"g.{fmt}"
        export_graph(G, fmt, out, metrics={"pagerank": pr})
        H = nx.read_gexf(out) if fmt == "gexf" else nx.read_graphml(out)
        assert (H.number_of_nodes(), H.number_of_edges()) == (12, 15)
        assert H.nodes[CO + "b1"]["sector"] == "J"
        assert float(H.nodes[CO + "b1"]["pagerank"]) == pr[CO + "b1"]
    data = export_graph(G, "csv")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        nodes = z.read("nodes.csv").decode().splitlines()
        edges = z.read("edges.csv").decode().splitlines()
    assert nodes[0].startswith("id,kind,label") and len(nodes) == 13 and len(edges) == 16
    web = to_web_json(G, {"degree": dict(G.degree())})
    assert {"id", "label", "kind", "degree"} <= set(web["nodes"][0])


def test_list_attributes_are_flattened(tiny, tmp_path: Path) -> None:
    G = build_graph(tiny, "academy-company")
    G.nodes[CO + "b1"]["tags"] = ["x", "y"]
    export_graph(G, "graphml", tmp_path / "g.graphml")
    assert nx.read_graphml(tmp_path / "g.graphml").nodes[CO + "b1"]["tags"] == "x; y"


def test_write_back_top_brokers_in_emilia_romagna_with_sectors(
        tiny_store_path: Path, tmp_path: Path) -> None:
    root = tmp_path / "store"
    shutil.copytree(tiny_store_path, root)
    with KnowledgeStore.open(root) as st:
        G = build_graph(st, "academy-company")
    result = run_metric(G, "betweenness")
    rec = write_back(root, G, result)
    assert rec.source == "network-academy-company-betweenness" and rec.kind == "synthetic"
    q = sparql_prefixes() + """
    SELECT ?company ?label ?value ?rank ?section WHERE {
      ?m a itskg:NetworkMeasure ; itskg:metric "betweenness" ;
         itskg:projection "academy-company" ; itskg:measureOf ?company ;
         itskg:value ?value ; itskg:rank ?rank .
      ?company a itskg:Company ; skos:prefLabel ?label ;
               itskg:locatedInRegion/skos:broader* nutscode:ITH5 ;
               itskg:primaryActivity/skos:broader* ?section .
      ?section skos:topConceptOf voc:ateco2025 .
    } ORDER BY DESC(?value) ?company"""
    with KnowledgeStore.open(root) as st:
        rows = list(st.query(q).tuples())
        assert rows[0][0] == CO + "b1" and rows[0][4].endswith("/ateco2025/J")
        assert {r[0] for r in rows} == {CO + c for c in ("b1", "c1", "c2", "c3", "c7")}
        assert st.ask(sparql_prefixes() + """ASK { GRAPH ?g {
            ?a a prov:Activity ; itskg:parameters ?p ; itskg:metric "betweenness" } }""")
        assert graph_iri(rec.source) in st.graphs()
        n = st.count(graph_iri(rec.source))
    # writing again replaces the layer instead of adding to it
    write_back(root, G, result)
    with KnowledgeStore.open(root) as st:
        assert st.count(graph_iri(rec.source)) == n
