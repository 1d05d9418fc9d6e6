"""The store: layers as named graphs, union default graph, atomic generations, locks."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from itskg.graph.errors import DataError, QueryParameterError, StoreError, StoreLockedError
from itskg.graph.namespaces import META_GRAPH, graph_iri
from itskg.graph.store import KnowledgeStore, Layer
from itskg.graph.terms import iri

EX = "http://example.org/"
RULE = (
    "PREFIX ex: <http://example.org/> "
    "CONSTRUCT { ?s ex:knows ?o } WHERE { ?o ex:knows ?s }"
)


def nt(*triples: tuple[str, str, str]) -> bytes:
    return "".join(f"<{EX}{s}> <{EX}{p}> {o} .\n" for s, p, o in triples).encode()


A = Layer("alpha", "Alpha", nt(("a", "p", '"1"'), ("a", "knows", f"<{EX}b>")), license="CC0")
B = Layer("beta", "Beta", nt(("a", "p", '"1"'), ("c", "p", '"2"')))


def count(st: KnowledgeStore, q: str = "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", **kw) -> int:
    return int(st.select(q, **kw)[0]["n"].value)


@pytest.fixture
def st(store_path: Path) -> KnowledgeStore:
    s = KnowledgeStore.open(store_path, read_only=False)
    s.replace_layers([A, B], rules=[RULE])
    yield s
    s.close()


def test_each_layer_is_its_own_named_graph(st: KnowledgeStore) -> None:
    assert {graph_iri("alpha"), graph_iri("beta"), META_GRAPH} <= set(st.graphs())
    rec = st.layer("alpha")
    assert rec is not None and rec.triples == 2 and rec.license == "CC0"
    assert [r.source for r in st.layers()][:2] == ["alpha", "beta"]


def test_default_graph_is_the_union_but_graph_addresses_one_layer(st: KnowledgeStore) -> None:
    q = f"SELECT (COUNT(*) AS ?n) {{ ?s <{EX}p> ?o }}"
    assert count(st, q) == 3  # union is a bag: the triple in both layers counts twice
    in_beta = f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{graph_iri('beta')}> {{ ?s ?p ?o }} }}"
    assert count(st, in_beta) == 2
    assert count(st, q, default_graphs=[graph_iri("alpha")]) == 1
    q_from = f"SELECT (COUNT(*) AS ?n) FROM <{graph_iri('beta')}> {{ ?s <{EX}p> ?o }}"
    assert count(st, q_from) == 2


def test_metadata_graph_describes_every_layer(st: KnowledgeStore) -> None:
    rows = st.select(
        "PREFIX void: <http://rdfs.org/ns/void#> PREFIX dct: <http://purl.org/dc/terms/> "
        "PREFIX prov: <http://www.w3.org/ns/prov#> "
        f"SELECT ?g ?n ?t WHERE {{ GRAPH <{META_GRAPH}> {{ ?g void:triples ?n ; dct:type ?t ; "
        "prov:generatedAtTime ?when ; prov:wasGeneratedBy ?act } }"
    )
    got = {str(r["g"]): int(r["n"].value) for r in rows}
    assert got[graph_iri("alpha")] == 2 and got[graph_iri("beta")] == 2
    assert str(rows[0]["t"]).startswith("https://w3id.org/itskg/vocab/data-kind/")


def test_rules_materialise_only_new_triples(st: KnowledgeStore) -> None:
    inferred = st.layer("inferred")
    assert inferred is not None and inferred.triples == 1  # b knows a
    assert st.ask(f"ASK {{ <{EX}b> <{EX}knows> <{EX}a> }}")


def test_a_broken_layer_mid_build_leaves_the_store_exactly_as_it_was(st: KnowledgeStore) -> None:
    before = (st.generation, count(st), [(r.source, r.triples) for r in st.layers()])
    good = Layer("gamma", "Gamma", nt(("g", "p", '"3"')))
    broken = Layer("delta", "Delta", b'<http://ex.org/x> <http://ex.org/p> "unterminated .\n')
    with pytest.raises(DataError, match="Layer 'delta' is not valid RDF"):
        st.replace_layers([good, broken, B])
    after = (st.generation, count(st), [(r.source, r.triples) for r in st.layers()])
    assert after == before
    assert sorted(p.name for p in (st.root / "db").iterdir() if p.is_dir()) == [st.generation]


def test_replacing_a_layer_is_idempotent(st: KnowledgeStore) -> None:
    n = count(st)
    st.replace_layers([A], rules=[RULE])
    st.replace_layers([A], rules=[RULE])
    assert count(st) == n
    st.remove_layers(["beta"])
    assert st.layer("beta") is None
    assert graph_iri("beta") not in st.graphs()


def test_second_writer_is_refused_with_a_clear_message(st: KnowledgeStore) -> None:
    code = (
        "import sys, time; from itskg.graph.store import KnowledgeStore\n"
        "s = KnowledgeStore.open(sys.argv[1], read_only=False)\n"
        "with s._write_lock():\n    print('locked', flush=True); time.sleep(30)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code, str(st.root)], stdout=subprocess.PIPE)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == b"locked"
        with pytest.raises(StoreLockedError, match=f"being written by pid {proc.pid}"):
            st.replace_layers([A])
    finally:
        proc.kill()
        proc.communicate()  # waits and closes the pipe
    st.replace_layers([A])  # lock released with the process


def test_readers_keep_their_generation_until_refresh(st: KnowledgeStore) -> None:
    reader = KnowledgeStore.open(st.root)
    old = reader.generation
    st.replace_layers([Layer("gamma", "Gamma", nt(("g", "p", '"3"')))])
    assert reader.generation == old and graph_iri("gamma") not in reader.graphs()
    assert (st.root / "db" / old).exists()  # held by the reader: not collected
    assert reader.refresh() and graph_iri("gamma") in reader.graphs()
    reader.close()
    st.replace_layers([A])
    assert not (st.root / "db" / old).exists()


def test_read_only_open_of_an_empty_store_says_what_to_do(store_path: Path) -> None:
    with pytest.raises(StoreError, match="Run 'itskg build' first"):
        KnowledgeStore.open(store_path)


def test_bindings_are_substituted_by_the_engine(st: KnowledgeStore) -> None:
    q = "SELECT ?s ?o WHERE { ?s ?p ?o }"
    assert [str(r["o"]) for r in st.select(q, bindings={"s": iri(EX + "c")})] == ["2"]
    evil = '"} UNION { ?s ?p ?o } #'
    assert st.select(f"SELECT ?s ?o WHERE {{ ?s <{EX}p> ?o }}", bindings={"o": evil}) == []
    with pytest.raises(QueryParameterError, match="must be in the SELECT"):
        st.select("SELECT ?o WHERE { ?s ?p ?o }", bindings={"s": iri(EX + "c")})


def test_killed_writer_leaves_the_store_as_it_was(st: KnowledgeStore, tmp_path: Path) -> None:
    big = tmp_path / "big.nt"
    with big.open("w") as fh:
        for i in range(400_000):
            fh.write(f'<{EX}s{i}> <{EX}p{i % 7}> "v{i}" .\n')
    before = (st.generation, count(st))
    code = (
        "import sys; from pathlib import Path\n"
        "from itskg.graph.store import KnowledgeStore, Layer\n"
        "s = KnowledgeStore.open(sys.argv[1], read_only=False)\n"
        "s.replace_layers([Layer('big', 'Big', Path(sys.argv[2]))])\n"
    )
    gens = {p.name for p in (st.root / "db").iterdir()}
    proc = subprocess.Popen([sys.executable, "-c", code, str(st.root), str(big)])
    deadline = time.time() + 60
    while time.time() < deadline:  # wait until the new generation exists, then kill -9
        if {p.name for p in (st.root / "db").iterdir() if p.is_dir()} - gens:
            break
        time.sleep(0.01)
    time.sleep(0.2)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    reader = KnowledgeStore.open(st.root)
    assert (reader.generation, count(reader)) == before
    assert reader.layer("big") is None
    reader.close()
    st.replace_layers([A])  # the next writer collects the stray generation
    assert len([p for p in (st.root / "db").iterdir() if p.is_dir()]) == 1


def test_declared_triple_counts_and_nquads_layers_are_checked_before_the_commit(
        st: KnowledgeStore, tmp_path: Path) -> None:
    """A layer's declared ``triples`` (a dump's manifest) must match what was loaded; N-Quads
    layers load only into a fresh commit and must keep to their graphs; a failure commits
    nothing."""
    import gzip

    before, quads_before = st.generation, count(st)
    with pytest.raises(DataError, match="not what its layers declare") as info:
        st.replace_layers([Layer("gamma", "Gamma", nt(("c", "p", '"2"')), triples=2)])
    assert "1 distinct triples" in str(info.value.problems)
    assert "2 expected" in str(info.value.problems)
    assert st.generation == before and st.layer("gamma") is None
    path = tmp_path / "gamma.nq.gz"
    g = graph_iri("gamma")
    path.write_bytes(gzip.compress(f'<{EX}c> <{EX}p> "2" <{g}> .\n'.encode()))
    with pytest.raises(StoreError, match="fresh commit"):
        st.replace_layers([Layer("gamma", "Gamma", path, format="nq")])
    # a quad in another layer's graph, fresh: refused, the store as it was
    path.write_bytes(gzip.compress(
        f'<{EX}c> <{EX}p> "2" <{g}> .\n<{EX}c> <{EX}p> "3" <{graph_iri("alpha")}> .\n'.encode()))
    with pytest.raises(DataError) as info:
        st.replace_layers([Layer("gamma", "Gamma", path, format="nq")], fresh=True)
    assert graph_iri("alpha") in str(info.value.problems)
    assert st.generation == before and count(st) == quads_before
    # the same file without the stray quad loads, counted
    path.write_bytes(gzip.compress(f'<{EX}c> <{EX}p> "2" <{g}> .\n'.encode()))
    (rec,) = st.replace_layers([Layer("gamma", "Gamma", path, format="nq", triples=1)],
                               fresh=True)
    assert rec.triples == 1 and st.layer("alpha") is None and st.generation != before
