"""RDF -> networkx on the tiny ecosystem: exact nodes, edges, attributes and filters."""

from __future__ import annotations

import pytest

from itskg.graph.analysis.extract import Filters, build_graph
from itskg.graph.errors import AnalysisError

ITS = "https://w3id.org/itskg/id/its/"
CO = "https://w3id.org/itskg/id/company/"


def test_academy_company_is_bipartite_with_attributes(tiny) -> None:
    G = build_graph(tiny, "academy-company")
    assert (G.number_of_nodes(), G.number_of_edges()) == (12, 15)
    a1 = G.nodes[ITS + "A1"]
    assert a1 == {**a1, "kind": "academy", "label": "ITS A1", "region": "ITH5",
                  "region_label": "Emilia-Romagna", "area": "D6", "bipartite": 0,
                  "synthetic": False}
    b1 = G.nodes[CO + "b1"]
    assert (b1["region"], b1["province"], b1["activity"], b1["sector"]) == (
        "ITH5", "ITH55", "62.10", "J")
    assert G.nodes[CO + "c4"]["synthetic"] is True
    e = G.edges[CO + "b1", ITS + "A2"]
    assert (e["role"], e["partnerType"], e["weight"]) == ("founder", "company", 1)
    assert G.graph["synthetic"] is True and G.graph["projection"] == "academy-company"


def test_derived_projection_weights_are_shared_members(tiny) -> None:
    P = build_graph(tiny, "academy-academy")
    assert {(a[-2:], b[-2:]) if a < b else (b[-2:], a[-2:]): d["weight"]
            for a, b, d in P.edges(data=True)} == {("A1", "A2"): 3, ("A2", "A3"): 1,
                                                   ("A3", "A4"): 3}
    assert P.nodes[ITS + "A3"]["region"] == "ITC4"
    nx_backend = build_graph(tiny, "academy-academy", backend="networkx")
    assert sorted(nx_backend.edges(data="weight")) == sorted(P.edges(data="weight"))


def test_region_filter_keeps_academies_there_and_their_members(tiny) -> None:
    G = build_graph(tiny, "academy-company", Filters(regions=("ITH5",)))
    kinds = {n.rsplit("/", 1)[-1] for n in G}
    assert kinds == {"A1", "A2", "c1", "c2", "c3", "c7", "b1"}
    assert G.graph["filters"]["regions"] == ["ITH5"]


def test_sector_year_and_real_only_filters(tiny) -> None:
    G = build_graph(tiny, "academy-company", Filters(sectors=("J",)))
    assert {n.rsplit("/", 1)[-1] for n in G} == {"b1", "c4", "c5", "c6", "A2", "A3", "A4"}
    old = build_graph(tiny, "academy-company", Filters(year=2020))
    assert CO + "c7" not in old  # joined A1 in 2023
    real = build_graph(tiny, "academy-company", Filters(real_only=True))
    assert not any(d["synthetic"] for _, d in real.nodes(data=True))
    assert real.graph["synthetic"] is False
    assert CO + "c4" not in real


def test_mobility_is_directed_and_weighted_by_participants(tiny) -> None:
    M = build_graph(tiny, "mobility")
    assert M.is_directed()
    prt = "http://publications.europa.eu/resource/authority/country/PRT"
    assert M.in_degree(prt, weight="weight") == 7
    assert M.nodes[prt]["label"] == "Portogallo"
    assert build_graph(tiny, "mobility", Filters(year=2023)).in_degree(prt, weight="weight") == 5


def test_node_cap_and_projection_size_are_refused_with_advice(tiny) -> None:
    with pytest.raises(AnalysisError, match="more than the cap of 3"):
        build_graph(tiny, "academy-company", max_nodes=3)
    with pytest.raises(AnalysisError, match="Narrow it with --region"):
        build_graph(tiny, "company-company", max_edges=5)


def test_columns_from_the_engine_tsv_equal_its_rows(tiny) -> None:
    """Projections read the engine's TSV as columns (issue 10, item 5): every cell must be
    the Term the row-by-row reading gives, for every projection query and for literals of
    every shape (language, datatype, escapes, bare numbers and booleans, unbound)."""
    from itskg.graph.analysis.codelists import vocabulary
    from itskg.graph.analysis.extract import Filters, _table, render_query
    from itskg.graph.analysis.projections import load_projections

    queries = [render_query(getattr(p, part), Filters(), vocabulary(tiny))
               for p in load_projections().values() if not p.derived
               for part in ("nodes", "edges")]
    queries.append(
        'SELECT ?a ?b ?c WHERE { VALUES (?a ?b ?c) { ("x\\ty\\n\\"z\\"\\\\ é"@it 1 true) '
        '(2.5 "1.0E3"^^<http://www.w3.org/2001/XMLSchema#double> UNDEF) '
        '(<http://a/b> "2024-01-01"^^<http://www.w3.org/2001/XMLSchema#date> false) '
        '(UNDEF UNDEF "plain") } }')
    queries.append('SELECT ?a WHERE { VALUES ?a { 1 UNDEF "b" } }')  # one column
    for q in queries:
        expected = list(tiny.query(q).rows())
        n, cols = _table(tiny, q)
        assert n == len(expected), q
        assert [{k: cols[k][i] for k in cols} for i in range(n)] == expected, q
    assert sum(_table(tiny, q)[0] for q in queries) > 40  # the tiny ecosystem has rows



def test_a_slow_graph_is_kept_for_the_other_workers_with_its_generation(
        tiny_store_path, tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    import networkx as nx

    from itskg.graph.analysis import tasks
    from itskg.graph.store import KnowledgeStore

    root = tmp_path / "store"  # a copy of its own: the shelf is written beside it
    shutil.copytree(tiny_store_path, root)
    monkeypatch.setattr(tasks, "SHELF_MIN_SECONDS", 0.0)  # the tiny graph is "slow"
    with KnowledgeStore.open(root) as st:
        built = tasks.projection_graph(st, "academy-academy", Filters(), {})
        kept = list((root / "answers" / st.generation / "graphs").glob("*.graph"))
        assert len(kept) == 1

        def no_build(*a: object, **k: object) -> None:
            raise AssertionError("built again although another worker kept it")

        monkeypatch.setattr(tasks, "build_graph", no_build)
        other_worker = tasks.projection_graph(st, "academy-academy", Filters(), {})
        assert nx.utils.graphs_equal(other_worker, built)
        kept[0].write_bytes(b"damaged")  # a damaged file is built again, not trusted
        monkeypatch.undo()
        again = tasks.projection_graph(st, "academy-academy", Filters(), {})
        assert nx.utils.nodes_equal(again.nodes(data=True), built.nodes(data=True))
        assert nx.utils.edges_equal(again.edges(data=True), built.edges(data=True))
        assert not kept[0].exists()  # removed; the tiny graph is fast again: not kept


def test_a_slow_refusal_is_kept_too(tiny_store_path, tmp_path,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    from itskg.graph.analysis import extract, tasks
    from itskg.graph.store import KnowledgeStore

    root = tmp_path / "store"
    shutil.copytree(tiny_store_path, root)
    monkeypatch.setattr(tasks, "SHELF_MIN_SECONDS", 0.0)
    monkeypatch.setattr(extract, "MAX_PROJECTED_EDGES", 0)  # every projection "too large"
    monkeypatch.setattr(tasks, "build_graph", lambda st, p, f: extract.build_graph(
        st, p, f, max_edges=0))
    with KnowledgeStore.open(root) as st:
        with pytest.raises(AnalysisError, match="too large") as first:
            tasks.projection_graph(st, "academy-academy", Filters(), {})
        monkeypatch.setattr(tasks, "build_graph", None)  # not built again: the refusal is kept
        with pytest.raises(AnalysisError) as again:
            tasks.projection_graph(st, "academy-academy", Filters(), {})
        assert str(again.value) == str(first.value)
