"""`itskg build`: the reference layer, idempotent, atomic when a file is broken mid-build."""

from __future__ import annotations

from pathlib import Path

import pytest

from itskg.graph.build import build, reference_layers
from itskg.graph.errors import DataError
from itskg.graph.namespaces import META_GRAPH, graph_iri, sparql_prefixes
from itskg.graph.store import KnowledgeStore, Layer

EXPECTED_LAYERS = {"ontology", "shapes", "ateco", "nuts", "academies", "networks", "areas",
                   "eqf", "codelists", "inferred", "meta"}


def test_reference_build_has_every_layer_in_its_own_graph(reference_store: Path) -> None:
    with KnowledgeStore.open(reference_store) as st:
        layers = {r.source: r for r in st.layers()}
        assert EXPECTED_LAYERS <= set(layers)
        for name in EXPECTED_LAYERS - {"inferred"}:
            assert layers[name].triples > 0, name
            assert graph_iri(name) in st.graphs() or name == "meta"
        assert META_GRAPH in st.graphs()


def test_every_layer_has_provenance_in_the_metadata_graph(reference_store: Path) -> None:
    with KnowledgeStore.open(reference_store) as st:
        rows = st.select(sparql_prefixes() + f"""
            SELECT ?g ?title ?lic WHERE {{ GRAPH <{META_GRAPH}> {{
              ?g a dcat:Dataset ; dct:title ?title ; prov:generatedAtTime ?t .
              OPTIONAL {{ ?g dct:license ?lic }} }} }}""")
        described = {str(r["g"]) for r in rows}
        for rec in st.layers():
            if rec.source != "meta":  # the catalogue does not describe itself
                assert rec.graph in described, rec.source
        lic = {str(r["g"]): r["lic"] for r in rows}
        for name in ("ateco", "nuts", "academies"):
            assert lic[graph_iri(name)] is not None, f"{name} has no licence"


def test_queries_see_the_union_of_layers(reference_store: Path) -> None:
    with KnowledgeStore.open(reference_store) as st:
        q = sparql_prefixes() + """SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE {
            ?a a itskg:ITSAcademy ; itskg:seatRegion ?r . ?r skos:prefLabel ?label }"""
        assert int(st.select(q)[0]["n"].value) > 100  # academies + nuts layers joined


def test_a_broken_file_mid_build_leaves_the_store_as_it_was(reference_store: Path,
                                                           tmp_path: Path) -> None:
    path = tmp_path / "store"
    layers = reference_layers()
    with KnowledgeStore.open(path, read_only=False) as st:
        st.replace_layers(layers, fresh=True)
        before = (st.generation, [(r.source, r.triples) for r in st.layers()])
        broken = Layer("broken", "Broken", b"<http://a> <http://b> .\n", format="nt")
        mid = len(layers) // 2
        with pytest.raises(DataError, match="broken"):
            st.replace_layers(layers[:mid] + [broken] + layers[mid:], fresh=True)
        assert (st.generation, [(r.source, r.triples) for r in st.layers()]) == before


def test_build_is_idempotent(tmp_path: Path) -> None:
    path = tmp_path / "store"
    first = {r.source: r.triples for r in build(path).records}
    second = {r.source: r.triples for r in build(path).records}
    assert first == second
