"""Incremental materialisation equals a full one, after any add, replace or remove of a layer.

The ABox of the catalogue fixture and the ontology sample is dealt at random (several seeds)
into layers, so rule bodies join triples of different layers; some layers also state triples
the rules derive, and some triples are stated by two layers. After each random change, the
``inferred`` graph of the store that was updated incrementally must equal the one a fresh
full build of the same layers computes, and the incremental path must really have run.
"""

from __future__ import annotations

import random
from pathlib import Path

import pyoxigraph as ox
import pytest

from itskg.graph import store as store_module
from itskg.graph.build import tbox_layers
from itskg.graph.namespaces import INFERRED_GRAPH
from itskg.graph.reasoning import load_rules, materialise
from itskg.graph.sparql.delta import Delta, NotIncremental, parse_rule
from itskg.graph.store import KnowledgeStore, Layer

DATA = Path(__file__).resolve().parents[1] / "data"


def _lines(path: Path) -> list[str]:
    with path.open("rb") as fh:
        return sorted({f"{t.subject} {t.predicate} {t.object} .\n"
                       for t in ox.parse(fh, ox.RdfFormat.TURTLE, base_iri="http://ex.org/")})


@pytest.fixture(scope="module")
def abox() -> list[str]:
    return _lines(DATA / "catalog_fixture.ttl") + _lines(DATA / "ontology_sample.ttl")


@pytest.fixture(scope="module")
def derivable(abox: list[str]) -> list[str]:
    """What the rules derive from the whole ABox (some layers will state part of it)."""
    db = ox.Store()
    for ly in tbox_layers():
        db.load(ly.data, ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(ly.graph))
    db.load("".join(abox).encode(), ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode("urn:abox"))
    materialise(db, INFERRED_GRAPH)
    return sorted(f"{q.subject} {q.predicate} {q.object} .\n"
                  for q in db.quads_for_pattern(None, None, None, ox.NamedNode(INFERRED_GRAPH)))


def _inferred(st: KnowledgeStore) -> set[str]:
    return {f"{r['s']} {r['p']} {r['o']}" for r in st.select(
        f"SELECT ?s ?p ?o {{ GRAPH <{INFERRED_GRAPH}> {{ ?s ?p ?o }} }}")}


def _layer(name: str, lines: list[str]) -> Layer:
    return Layer(name, name, "".join(lines).encode() or b"", format="nt")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_incremental_equals_full_after_random_changes(
        tmp_path: Path, abox: list[str], derivable: list[str], seed: int,
        monkeypatch: pytest.MonkeyPatch) -> None:
    # the fixture is small: let every change take the incremental path, however large
    monkeypatch.setattr(store_module, "RETRACT_SHARE", 0)
    rnd = random.Random(seed)
    pool = abox + rnd.sample(derivable, len(derivable) // 3)  # layers state some entailments

    def deal(k: int) -> list[list[str]]:
        parts: list[list[str]] = [[] for _ in range(k)]
        for line in pool:
            parts[rnd.randrange(k)].append(line)
            if rnd.random() < 0.05:  # the same triple stated by two layers
                parts[rnd.randrange(k)].append(line)
        return parts

    layers = {f"part{i}": part for i, part in enumerate(deal(4))}
    messages: list[str] = []
    inc = KnowledgeStore.open(tmp_path / "inc", read_only=False)
    inc.replace_layers([*tbox_layers(), *(_layer(n, ls) for n, ls in layers.items())],
                       fresh=True)
    for step in range(6):
        op = rnd.choice(["add", "replace", "remove"] if len(layers) > 2 else ["add", "replace"])
        name = rnd.choice(sorted(layers))
        messages.clear()
        if op == "remove":
            del layers[name]
            inc.replace_layers([], remove=[name], progress=messages.append)
        else:
            if op == "add":
                name = f"extra{step}"
            layers[name] = rnd.sample(pool, rnd.randrange(1, len(pool) // 3))
            inc.replace_layers([_layer(name, layers[name])], progress=messages.append)
        assert not any("in full" in m for m in messages), messages
        assert any(m.startswith(("derived", "retracted")) for m in messages), messages
        with KnowledgeStore.open(tmp_path / f"full{step}", read_only=False) as full:
            full.replace_layers([*tbox_layers(), *(_layer(n, ls) for n, ls in layers.items())],
                                fresh=True)
            expected = _inferred(full)
            assert inc.layer("inferred").triples == full.layer("inferred").triples  # type: ignore[union-attr]
        assert _inferred(inc) == expected, (op, name)
        assert not [g for g in inc.graphs() if g.startswith("urn:itskg:staging")]
    inc.close()


def test_a_rule_change_or_a_tbox_change_recomputes_in_full(tmp_path: Path,
                                                           abox: list[str]) -> None:
    messages: list[str] = []
    with KnowledgeStore.open(tmp_path / "s", read_only=False) as st:
        st.replace_layers([*tbox_layers(), _layer("a", abox)], fresh=True)
        before = _inferred(st)
        st.replace_layers([tbox_layers()[0]], progress=messages.append)  # path over subClassOf
        assert any("in full" in m for m in messages)
        assert _inferred(st) == before
        messages.clear()
        st.replace_layers([_layer("a", abox)], progress=messages.append)  # all the data
        assert any("outgoing layers are large" in m for m in messages), messages
        assert _inferred(st) == before
        messages.clear()
        rule = "CONSTRUCT { ?o <http://ex.org/r> ?s } WHERE { ?s <http://ex.org/r> ?o }"
        fact = "<http://ex.org/a> <http://ex.org/r> <http://ex.org/b> .\n"
        st.replace_layers([_layer("b", [fact])], rules=[rule], progress=messages.append)
        assert not any(m.startswith("derived") for m in messages)  # other rules: full pass
        assert st.ask("ASK { <http://ex.org/b> <http://ex.org/r> <http://ex.org/a> }")


def test_delta_rewriting_of_the_shipped_rules() -> None:
    rules = [parse_rule(r) for r in load_rules()]
    members = Delta({"https://w3id.org/itskg/ontology#foundationMember",
                     "http://www.w3.org/ns/org#organization"}, set())
    counts = [len(r.delta_queries(members, ["urn:d"])) for r in rules]
    assert counts[0] == 2 and counts[1] == 0  # membership chain: both patterns; collaboration: none
    tbox = Delta({"http://www.w3.org/2000/01/rdf-schema#subClassOf"}, set())
    with pytest.raises(NotIncremental, match="path"):
        rules[-1].delta_queries(tbox, ["urn:d"])
    for bad in ["CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o OPTIONAL { ?o ?q ?r } }",
                "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o FILTER NOT EXISTS { ?o ?q ?r } }",
                "CONSTRUCT { ?s ?p _:b } WHERE { ?s ?p ?o }",
                "CONSTRUCT { ?s ?p ?o } WHERE { { SELECT ?s (COUNT(*) AS ?o) { ?s ?p ?x } "
                "GROUP BY ?s } }"]:
        with pytest.raises(NotIncremental):
            parse_rule(bad)
