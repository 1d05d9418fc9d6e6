"""Algorithms with exact expected values on known small graphs."""

from __future__ import annotations

import networkx as nx
import pytest

from itskg.graph.analysis import brokerage, centrality, communities, structure
from itskg.graph.analysis.extract import build_graph
from itskg.graph.analysis.metrics import METRICS, run_metric
from itskg.graph.analysis.specialisation import lq_matrix
from itskg.graph.errors import AnalysisError

ITS = "https://w3id.org/itskg/id/its/"
CO = "https://w3id.org/itskg/id/company/"
SK = "http://data.europa.eu/esco/skill/"


def _by_node(rows):
    return {r.node: r.value for r in rows}


def test_degree_and_betweenness_on_the_academy_path(tiny) -> None:
    P = build_graph(tiny, "academy-academy")  # A1 - A2 - A3 - A4
    assert _by_node(centrality.degree(P)) == {ITS + "A1": 1, ITS + "A2": 2, ITS + "A3": 2,
                                             ITS + "A4": 1}
    bc = centrality.betweenness(P)
    assert _by_node(bc)[ITS + "A2"] == pytest.approx(2 / 3)
    assert _by_node(bc)[ITS + "A1"] == 0
    assert [r.rank for r in bc] == [1, 1, 3, 3]
    assert _by_node(centrality.strength(P))[ITS + "A2"] == 4


def test_broker_company_is_found_by_betweenness_and_regions_bridged(tiny) -> None:
    G = build_graph(tiny, "academy-company")
    companies = [r for r in centrality.betweenness(G) if "/company/" in r.node]
    assert companies[0].node == CO + "b1"
    only = run_metric(G, "betweenness", kind="company").rows
    assert (only[0].node, only[0].rank, len(only)) == (CO + "b1", 1, 8)
    bridged = [r for r in brokerage.bridging(G, "region") if "/company/" in r.node]
    assert [(r.node, r.value, r.extra["regions"]) for r in bridged] == [
        (CO + "b1", 2, ["ITC4", "ITH5"])]
    cons = _by_node(brokerage.constraint(G))
    assert cons[CO + "b1"] == pytest.approx(0.5) and cons[CO + "c7"] == pytest.approx(1.0)


def test_two_cliques_joined_by_a_bridge() -> None:
    G = nx.barbell_graph(5, 0)  # cliques 0-4 and 5-9 joined by the edge 4-5
    nx.set_node_attributes(G, {n: ("R1" if n < 5 else "R2") for n in G}, "region")
    comms = communities.louvain(G, seed=1)
    assert sorted(map(sorted, comms)) == [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]
    al = communities.alignment(G, comms, "region")
    assert (al["nmi"], al["purity"]) == (1.0, 1.0)
    assert communities.modularity(G, comms) == pytest.approx(
        nx.community.modularity(G, comms))
    br = structure.bridges(G)
    assert [(r.node, r.extra["other"], r.value) for r in br] == [("4", 5, 5)]
    assert {r.node for r in structure.cut_points(G)} == {"4", "5"}


def test_nmi_of_unrelated_partitions_is_zero() -> None:
    assert communities.nmi([0, 0, 1, 1], ["a", "b", "a", "b"]) == pytest.approx(0.0)


def test_location_quotient_on_a_tiny_matrix(tiny) -> None:
    m = lq_matrix({"R1": {"x": 2, "y": 1}, "R2": {"z": 3}})
    assert m["R1"]["x"] == pytest.approx((2 / 3) / (2 / 6))
    assert m["R2"]["z"] == pytest.approx(2.0)
    G = build_graph(tiny, "academy-skill")
    rows = run_metric(G, "specialisation", profile="skill").rows
    cell = next(r for r in rows if r.extra["group"] == "ITH5" and r.extra["item"] == SK + "s1")
    assert cell.value == pytest.approx(2.0) and cell.node.endswith("/ITH5")
    assert cell.label == "Emilia-Romagna" and cell.extra["item_label"] == "saldare"


def test_similarity_and_recommendation(tiny) -> None:
    G = build_graph(tiny, "academy-skill")
    sim = run_metric(G, "similarity").rows
    assert len(sim) == 1 and sim[0].value == 0.0
    rec = run_metric(G, "recommend", target="ITH5").rows
    assert [(r.node, r.value) for r in rec] == [(ITS + "A4", 2), (ITS + "A3", 1)]
    assert "analizzare dati" in rec[0].extra["top_items"]
    with pytest.raises(AnalysisError, match="regions with supply"):
        run_metric(G, "recommend", target="ITZZ")


def test_every_metric_runs_on_small_graphs(tiny) -> None:
    for projection in ("academy-company", "academy-academy", "mobility"):
        G = build_graph(tiny, projection)
        for name in METRICS:
            params = {"target": "ITH5"} if name == "recommend" else {}
            if name in {"similarity", "specialisation", "recommend"} and projection != (
                    "academy-company"):
                continue
            if name in {"similarity", "recommend"}:
                params["profile"] = "sector"
            if name == "eigenvector" and G.is_directed():
                with pytest.raises(AnalysisError, match="did not converge"):
                    run_metric(G, name)  # the mobility graph is acyclic
                continue
            res = run_metric(G, name, **params)
            for r in res.rows:
                assert isinstance(r.value, (int, float)) and r.rank >= 1, (projection, name)


def test_bad_parameters_are_explained(tiny) -> None:
    G = build_graph(tiny, "academy-academy")
    with pytest.raises(AnalysisError, match="it takes: k, seed, backend"):
        run_metric(G, "betweenness", kk=3)
    with pytest.raises(AnalysisError, match="must be a number"):
        run_metric(G, "betweenness", k="many")
    with pytest.raises(AnalysisError, match="Known metrics"):
        run_metric(G, "closeness-ish")


def test_gould_fernandez_roles_by_country() -> None:
    """An Italian academy tied to two foreign partners (DE, ES) and an Italian company: it is
    the gatekeeper between Italy and each foreign partner, and the liaison DE-ES."""
    G = nx.Graph()
    G.add_node("its", country="ITA")
    G.add_node("co", country="ITA")
    G.add_node("de", country="DEU")
    G.add_node("es", country="ESP")
    G.add_node("de2", country="DEU")
    G.add_node("nogroup")
    G.add_edges_from([("its", "co"), ("its", "de"), ("its", "es"), ("de", "de2"),
                      ("its", "nogroup")])
    out = {m.node: m for m in brokerage.gould_fernandez(G, attr="country")}
    its = out["its"]
    assert its.value == 2 and its.extra["gatekeeper"] == 2  # (co, de), (co, es)
    assert its.extra["liaison"] == 1 and its.extra["coordinator"] == 0  # (de, es)
    assert out["de"].extra["consultant"] == 0 and out["de"].extra["gatekeeper"] == 1
    assert "co" not in out and "nogroup" not in out  # brokers nothing / has no country
