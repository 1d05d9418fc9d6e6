"""Dumps round-trip between backends: local -> dump -> Oxigraph server -> dump -> local, with
the same counts and the same catalogue answers; damaged dumps and non-empty targets refused."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from engines import Engine

from itskg.graph.backends import open_store
from itskg.graph.backends.dumps import check_dump, load_dump, write_dump
from itskg.graph.config import Settings
from itskg.graph.errors import DataError, StoreError
from itskg.graph.sparql.catalogue import load_catalog, run_query
from itskg.graph.store import KnowledgeStore

CATALOG = load_catalog()
UNBOUND = sorted(n for n, q in CATALOG.items() if not any(p.required for p in q.params))


def answers(st: Any) -> dict[str, list[tuple[Any, ...]]]:
    """Every parameter-free catalogue query's rows (sorted; bnode labels and times masked)."""
    out = {}
    for name in UNBOUND:
        rows = []
        for r in run_query(st, name, {}, lang="en").rows():
            rows.append(tuple(
                None if v is None else ("<dt>" if v.datatype and v.datatype.endswith("dateTime")
                                         else (v.kind, v.value)) for v in r.values()))
        out[name] = sorted(rows, key=repr)
    return out


def counts(st: Any) -> dict[str, int]:
    return {r.source: r.triples for r in st.layers() if r.source != "meta"}


def test_round_trip_through_oxigraph(tmp_path: Path, catalog_store: KnowledgeStore,
                                     start_engine: Callable[[str], Engine]) -> None:
    first = write_dump(catalog_store, tmp_path / "dump1")
    files = sorted(p.name for p in (tmp_path / "dump1").iterdir())
    assert "manifest.json" in files and "manifest.ttl" in files
    assert "fixture.nq.gz" in files and "inferred.nq.gz" in files
    manifest = json.loads((tmp_path / "dump1" / "manifest.json").read_text())
    fixture = next(e for e in manifest["layers"] if e["source"] == "fixture")
    assert fixture["triples"] == catalog_store.layer("fixture").triples
    assert len(fixture["sha256"]) == 64 and fixture["derived_from"] == ["hand-written test data"]
    ttl = (tmp_path / "dump1" / "manifest.ttl").read_text()
    assert "spdx:checksumValue" in ttl and "void:triples" in ttl and "fixture.nq.gz" in ttl
    with gzip.open(tmp_path / "dump1" / "fixture.nq.gz", "rt") as fh:
        assert fh.readline().rstrip().endswith("<https://w3id.org/itskg/graph/fixture> .")

    eng = start_engine("oxigraph")
    with open_store(Settings(**eng.settings()), read_only=False) as remote:
        load_dump(tmp_path / "dump1", remote)
        assert counts(remote) == counts(catalog_store)
        assert answers(remote) == answers(catalog_store)
        write_dump(remote, tmp_path / "dump2")
        with pytest.raises(StoreError, match="already holds layers"):
            load_dump(tmp_path / "dump1", remote)
    with open_store(Settings(store=tmp_path / "local2"), read_only=False) as local2:
        report = load_dump(tmp_path / "dump2", local2)
        assert report.layers["fixture"] == first.layers["fixture"]
        assert counts(local2) == counts(catalog_store)
        assert answers(local2) == answers(catalog_store)


def test_damaged_dump_is_refused_before_loading(tmp_path: Path,
                                                catalog_store: KnowledgeStore) -> None:
    write_dump(catalog_store, tmp_path / "dump")
    path = tmp_path / "dump" / "synthetic-fixture.nq.gz"
    data = path.read_bytes()
    path.write_bytes(data[:-8])  # truncated
    (tmp_path / "dump" / "fixture.nq.gz").unlink()
    with pytest.raises(DataError, match="damaged") as info:
        check_dump(tmp_path / "dump")
    text = str(info.value)
    assert "fixture.nq.gz" in text and "file missing" in text and "sha256" in text
    with open_store(Settings(store=tmp_path / "target"), read_only=False) as st:
        with pytest.raises(DataError):
            load_dump(tmp_path / "dump", st)
        assert st.layers() == []
    with pytest.raises(StoreError, match="not empty"):
        write_dump(catalog_store, tmp_path / "dump")
    with pytest.raises(DataError, match="not an itskg dump"):
        check_dump(tmp_path)


def test_a_dump_bulk_loaded_by_the_engine_is_a_complete_store(
        tmp_path: Path, catalog_store: KnowledgeStore) -> None:
    """An engine filled by its own loader (here `oxigraph load`) from a dump is an itskg store:
    the metadata graph of a dump carries the layer records and the generation."""
    import subprocess
    import sys

    from engines import start_oxigraph

    write_dump(catalog_store, tmp_path / "dump")
    data = tmp_path / "ox"
    exe = Path(sys.executable).parent / "oxigraph"
    files = sorted(str(p) for p in (tmp_path / "dump").glob("*.nq.gz"))
    subprocess.run([str(exe), "load", "--location", str(data), "--format", "nq", "--file",
                    *files], check=True, capture_output=True, timeout=120)
    eng = start_oxigraph(data)
    try:
        with open_store(Settings(**eng.settings())) as st:
            assert st.generation == catalog_store.generation
            assert counts(st) == counts(catalog_store)
            assert answers(st) == answers(catalog_store)
    finally:
        eng.stop()


def _rewrite(dump: Path, name: str, edit: Callable[[bytes], bytes]) -> None:
    """Change one file of a dump and update its manifest entry, so only load can tell."""
    import hashlib

    path = dump / name
    with gzip.open(path, "rb") as fh:
        data = edit(fh.read())
    path.write_bytes(gzip.compress(data))
    m = json.loads((dump / "manifest.json").read_text())
    for e in m["layers"]:
        if e["file"] == name:
            e["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
            e["triples"] = data.count(b"\n")
    (dump / "manifest.json").write_text(json.dumps(m))


def test_entailments_of_the_same_rules_are_loaded_not_rederived(
        tmp_path: Path, catalog_store: KnowledgeStore,
        start_engine: Callable[[str], Engine]) -> None:
    write_dump(catalog_store, tmp_path / "dump")
    manifest = json.loads((tmp_path / "dump" / "manifest.json").read_text())
    assert manifest["rules"] == catalog_store.rules_digest is not None
    targets = {"local": Settings(store=tmp_path / "given"),
               "oxigraph": Settings(**start_engine("oxigraph").settings()),
               "virtuoso": Settings(**start_engine("virtuoso").settings())}
    for name, settings in targets.items():
        said: list[str] = []
        with open_store(settings, read_only=False) as st:
            load_dump(tmp_path / "dump", st, progress=said.append)
            assert any("nothing re-derived" in m for m in said), name
            assert not any(m.startswith("materialising") for m in said), name
            assert counts(st) == counts(catalog_store), name
            if name != "virtuoso":  # its GROUP_CONCAT orders differ (the catalogue tests
                assert answers(st) == answers(catalog_store), name  # compare those rows)
    # asked for, the rules run, with the same result
    said = []
    with KnowledgeStore.open(tmp_path / "rederived", read_only=False) as st:
        load_dump(tmp_path / "dump", st, progress=said.append, rederive=True)
        assert any("derived by the rules: asked for" in m for m in said)
        assert any(m.startswith("materialising") for m in said)
        assert counts(st) == counts(catalog_store)
        assert st.rules_digest == manifest["rules"]
    # a dump made with other rules: its entailments are not trusted
    manifest["rules"] = "0" * 64
    (tmp_path / "dump" / "manifest.json").write_text(json.dumps(manifest))
    said = []
    with KnowledgeStore.open(tmp_path / "other-rules", read_only=False) as st:
        load_dump(tmp_path / "dump", st, progress=said.append)
        assert any("made by other rules" in m for m in said)
        assert counts(st) == counts(catalog_store)


@pytest.mark.parametrize("backend", ["local", "oxigraph"])
def test_a_quad_outside_its_layer_graph_loads_nothing(
        tmp_path: Path, catalog_store: KnowledgeStore,
        start_engine: Callable[[str], Engine], backend: str) -> None:
    write_dump(catalog_store, tmp_path / "dump")
    fixture = b"<https://w3id.org/itskg/graph/fixture>"
    _rewrite(tmp_path / "dump", "synthetic-fixture.nq.gz",
             lambda data: data.replace(b"<https://w3id.org/itskg/graph/synthetic-fixture>",
                                       fixture, 1))
    check_dump(tmp_path / "dump")  # the files themselves are as the manifest says
    settings = Settings(store=tmp_path / "target") if backend == "local" \
        else Settings(**start_engine("oxigraph").settings())
    with open_store(settings, read_only=False) as st:
        with pytest.raises(DataError) as info:
            load_dump(tmp_path / "dump", st)
        assert "graph/fixture" in str(info.value) or "expected" in str(info.value)
        st.refresh()
        assert st.layers() == [] and st.generation is None
    # a line in no graph at all (the default graph) is refused the same way
    _rewrite(tmp_path / "dump", "synthetic-fixture.nq.gz",
             lambda data: data.replace(b" " + fixture + b" .", b" .", 1))
    with open_store(Settings(store=tmp_path / "target2"), read_only=False) as st:
        with pytest.raises(DataError, match="not what its layers declare"):
            load_dump(tmp_path / "dump", st)
        assert st.layers() == []


def test_blank_nodes_stay_one_node_across_upload_blocks(
        tmp_path: Path, start_engine: Callable[[str], Engine],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A dump's blank node whose triples fall in different upload blocks is one node on the
    engine too (blocks with blank nodes keep the file's labels and are skolemised alike)."""
    from itskg.graph.backends import remote
    from itskg.graph.store import Layer

    ttl = b"""@prefix ex: <http://example.org/> .
ex:a ex:shape [ ex:kind "circle" ; ex:size 3 ] .
ex:b ex:list ( ex:x ex:y ex:z ) ."""
    with KnowledgeStore.open(tmp_path / "src", read_only=False) as src:
        src.replace_layers([Layer("shapes-demo", "Shapes", ttl, format="ttl")], rules=[])
        write_dump(src, tmp_path / "dump")
    monkeypatch.setattr(remote, "UPLOAD_BYTES", 64)  # about one line a block
    with open_store(Settings(**start_engine("oxigraph").settings()), read_only=False) as st:
        load_dump(tmp_path / "dump", st, rules=[])
        assert st.layer("shapes-demo").triples == 10
        ex = "http://example.org/"
        assert st.ask(f'ASK {{ <{ex}a> <{ex}shape> ?s . ?s <{ex}kind> "circle" ; '
                      f'<{ex}size> 3 }}')
        rows = st.select(f"SELECT ?m WHERE {{ <{ex}b> <{ex}list>/rdf:rest*/rdf:first ?m }}")
        assert sorted(str(r["m"]) for r in rows) == [f"{ex}x", f"{ex}y", f"{ex}z"]
