"""Dumps: the whole graph as files that move between engines, and loading them back.

``write_dump(store, DIR)`` writes every layer (the derived ``inferred`` and ``meta`` graphs
included, so an engine's own bulk loader gets the complete graph) as gzip-compressed N-Quads,
one file per layer, plus a manifest in two forms:

- ``manifest.ttl``: a VoID/DCAT description (a ``void:Dataset`` whose subsets are the layer
  graphs; per layer a ``dcat:Distribution`` with its file, ``void:triples``, SPDX sha256
  checksum, source and licence), for people and catalogues;
- ``manifest.json``: the same records for ``load_dump``.

``load_dump(DIR, store)`` checks the dump first (every file present, its sha256 and its number
of lines as the manifest says, in one read), refuses a store that already holds layers, and
then commits the data layers in one ``replace_layers``. The files are loaded as they are: a
local store bulk-loads the N-Quads (strict parsing) and checks that every graph holds the
manifest's count and no quad is outside the layers' graphs before it commits; a remote engine
gets them block by block, parsed and checked locally, as N-Triples. When the manifest records
the digest of the rules that made its ``inferred`` graph and it is the digest of the rules in
use, that graph is loaded too and nothing is re-derived (``rederive=True``, ``itskg load
--rederive``, runs the rules instead); the ``meta`` graph is always written by the target.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tempfile
import zlib
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

from itskg.graph.backends.remote import meta_ntriples
from itskg.graph.errors import DataError, Problem, StoreError
from itskg.graph.metadata import DATASET_IRI
from itskg.graph.namespaces import PREFIXES
from itskg.graph.rdfwriter import NTriplesWriter, sha256_file
from itskg.graph.store import DERIVED_SOURCES, Layer, LayerRecord

__all__ = ["DumpReport", "check_dump", "load_dump", "read_manifest", "write_dump"]

Progress = Callable[[str], None]
MANIFEST = "manifest.json"
FORMAT = "itskg-dump/1"
RDF_TYPE = PREFIXES["rdf"] + "type"
DCT, DCAT, VOID = PREFIXES["dct"], PREFIXES["dcat"], PREFIXES["void"]
SPDX = "http://spdx.org/rdf/terms#"
_BLOCK = 1 << 20


@dataclass
class DumpReport:
    """What a dump or a load did: directory, per-layer triples, total, seconds."""

    directory: Path
    layers: dict[str, int]
    seconds: float

    @property
    def triples(self) -> int:
        return sum(self.layers.values())


def write_dump(store: Any, directory: Path, *, progress: Progress | None = None,
               compresslevel: int = 4) -> DumpReport:
    """Dump every layer of ``store`` (local or remote) into ``directory`` (created; must be
    empty). Raises StoreError when the directory is not empty or a layer's count is off."""
    import time

    say = progress or (lambda _m: None)
    t0 = time.perf_counter()
    directory = Path(directory)
    if directory.exists() and any(directory.iterdir()):
        raise StoreError(f"{directory} is not empty; dump into a new directory.")
    directory.mkdir(parents=True, exist_ok=True)
    layers = store.layers()
    entries = []
    counts: dict[str, int] = {}
    for rec in layers:
        name = f"{rec.source}.nq.gz"
        path = directory / name
        say(f"dumping {rec.source} ({rec.triples:,} triples)")
        with tempfile.TemporaryFile() as nt:
            if rec.source == "meta":  # with the records and generation a remote store reads
                nt.write(meta_ntriples(
                    {r.source: asdict(r) for r in layers if r.source != "meta"},
                    store.generation))
            else:
                store.dump_graph(rec.graph, nt)
            nt.seek(0)
            n = _nt_to_nquads(nt, path, rec.graph, compresslevel)
        if rec.source == "meta":
            pass  # its own size: the records' description plus the records themselves
        elif n != rec.triples:
            raise StoreError(
                f"Layer {rec.source}: the store says {rec.triples} triples but gave {n}; the "
                "dump is incomplete (on Virtuoso, raise ResultSetMaxRows in virtuoso.ini).")
        counts[rec.source] = n
        entries.append({**_record_dict(rec), "file": name, "triples": n,
                        "sha256": sha256_file(path), "source_file": rec.file,
                        "source_sha256": rec.sha256})
    manifest = {"format": FORMAT, "generation": store.generation, "layers": entries,
                "triples": sum(counts.values()),
                "rules": getattr(store, "rules_digest", None)}
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    (directory / "manifest.ttl").write_bytes(_manifest_turtle(manifest))
    say(f"wrote {directory}")
    return DumpReport(directory, counts, time.perf_counter() - t0)


def _record_dict(rec: LayerRecord) -> dict[str, Any]:
    keep = ("source", "graph", "title", "kind", "loaded_at", "derived_from", "license",
            "description", "rows", "tool_version")
    return {k: getattr(rec, k) for k in keep}


def _nt_to_nquads(nt: IO[bytes], path: Path, graph: str, level: int) -> int:
    """Rewrite canonical N-Triples (what both backends write: one triple a line, `` .`` at its
    end, newlines in literals escaped) as N-Quads of ``graph``, a block at a time: ``" .\\n"``
    ends a line and nowhere else, so one bytes replace per block is exact. Returns lines."""
    suffix = f" <{graph}> .\n".encode()
    n = 0
    rest = b""
    with gzip.open(path, "wb", compresslevel=level) as gz:
        while block := nt.read(_BLOCK):
            block = rest + block
            cut = block.rfind(b"\n") + 1
            block, rest = block[:cut], block[cut:]
            lines = block.count(b"\n")
            if block.count(b" .\n") != lines or b"\n\n" in block or block.startswith(b"\n"):
                bad = next(ln for ln in block.split(b"\n")[:-1] if not ln.endswith(b" ."))
                raise StoreError(f"Unexpected N-Triples line while dumping <{graph}>: "
                                 f"{bad[:200]!r}")
            gz.write(block.replace(b" .\n", suffix))
            n += lines
        if rest.strip():
            raise StoreError(f"Unexpected end of the N-Triples of <{graph}>: {rest[:200]!r}")
    return n


def _manifest_turtle(m: dict[str, Any]) -> bytes:
    w = NTriplesWriter()
    w.iri(DATASET_IRI, RDF_TYPE, VOID + "Dataset")
    w.iri(DATASET_IRI, RDF_TYPE, DCAT + "Dataset")
    w.lit(DATASET_IRI, VOID + "triples", int(m["triples"]))
    if m.get("generation"):
        w.lit(DATASET_IRI, DCAT + "version", m["generation"])
    for e in m["layers"]:
        g = e["graph"]
        dist = f"{g}/distribution/nquads"
        w.iri(DATASET_IRI, VOID + "subset", g)
        w.iri(g, RDF_TYPE, VOID + "Dataset")
        w.iri(g, RDF_TYPE, DCAT + "Dataset")
        w.lit(g, DCT + "identifier", e["source"])
        w.lit(g, DCT + "title", e["title"], lang="en")
        w.lit(g, VOID + "triples", int(e["triples"]))
        w.iri(g, DCT + "type", f"https://w3id.org/itskg/vocab/data-kind/{e['kind']}")
        if e.get("license"):
            lic = e["license"]
            (w.iri if lic.startswith(("http://", "https://")) else w.lit)(g, DCT + "license", lic)
        for src in e.get("derived_from") or []:
            (w.iri if src.startswith(("http://", "https://")) else w.lit)(g, DCT + "source", src)
        w.iri(g, DCAT + "distribution", dist)
        w.iri(dist, RDF_TYPE, DCAT + "Distribution")
        w.lit(dist, DCAT + "downloadURL", e["file"])
        w.lit(dist, DCAT + "mediaType", "application/n-quads")
        w.lit(dist, DCAT + "compressFormat", "application/gzip")
        ck = f"{dist}/checksum"
        w.iri(dist, SPDX + "checksum", ck)
        w.iri(ck, SPDX + "algorithm", SPDX + "checksumAlgorithm_sha256")
        w.lit(ck, SPDX + "checksumValue", e["sha256"])
    buf = io.BytesIO()
    prefixes = {"void": VOID, "dcat": DCAT, "dct": DCT, "spdx": SPDX}
    ox.serialize(ox.parse(w.to_bytes(), ox.RdfFormat.N_TRIPLES), buf, ox.RdfFormat.TURTLE,
                 prefixes=prefixes)
    return buf.getvalue()


def read_manifest(directory: Path) -> dict[str, Any]:
    """The dump's manifest.json; DataError when it is missing or not an itskg dump."""
    path = Path(directory) / MANIFEST
    try:
        m = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as err:
        raise DataError(f"{directory} is not an itskg dump: {MANIFEST} is missing.",
                        [Problem("no manifest", file=str(path))]) from err
    except json.JSONDecodeError as err:
        raise DataError(f"{path} is not valid JSON.", [Problem(str(err), file=str(path))]) \
            from err
    if m.get("format") != FORMAT:
        raise DataError(f"{path}: unknown dump format {m.get('format')!r} (expected {FORMAT}).",
                        [Problem("format", file=str(path))])
    return dict(m)


def _sha256_and_lines(path: Path) -> tuple[str, int]:
    """One read of a gzip file: the sha256 of its bytes and the number of lines in it
    (newlines, plus a last line without one). Corrupt data counts as -1 lines."""
    h = hashlib.sha256()
    n, last = 0, b"\n"
    inflate = zlib.decompressobj(wbits=31)
    try:
        with path.open("rb") as fh:
            while block := fh.read(_BLOCK):
                h.update(block)
                while block:
                    out = inflate.decompress(block)
                    if out:
                        n += out.count(b"\n")
                        last = out[-1:]
                    block = inflate.unused_data  # a next gzip member
                    if block:
                        inflate = zlib.decompressobj(wbits=31)
    except zlib.error:
        return h.hexdigest(), -1
    return h.hexdigest(), n + (last != b"\n")


def check_dump(directory: Path, progress: Progress | None = None) -> dict[str, Any]:
    """Verify every file of a dump (present, sha256, triple count); return the manifest.

    Raises DataError listing every problem found.
    """
    say = progress or (lambda _m: None)
    m = read_manifest(directory)
    problems = []
    for e in m["layers"]:
        path = Path(directory) / e["file"]
        say(f"checking {e['file']}")
        if not path.exists():
            problems.append(Problem("file missing", file=str(path)))
            continue
        digest, n = _sha256_and_lines(path)
        if digest != e["sha256"]:
            problems.append(Problem("sha256 differs from the manifest (file changed or "
                                    "truncated)", file=str(path)))
            continue
        if n != e["triples"]:
            problems.append(Problem(f"{n} quads, the manifest says {e['triples']}",
                                    file=str(path)))
    if problems:
        raise DataError(f"The dump in {directory} is damaged; nothing was loaded.", problems)
    return m


def load_dump(directory: Path, store: Any, *, progress: Progress | None = None,
              rules: list[str] | None = None, rederive: bool = False) -> DumpReport:
    """Load a dump into an empty ``store`` (local directory or remote engine, opened for
    writing) in one commit.

    The files are checked first (present, sha256, lines), then loaded as they are (no
    conversion): every quad must be in its layer's graph and every graph must hold the
    manifest's count, or nothing is committed. When the manifest records the digest of the
    same ``rules`` (default: the shipped ones) the dump's ``inferred`` graph is loaded as it
    is, since re-deriving it would give the same triples; ``rederive`` (or another digest)
    runs the rules instead. Raises DataError (damaged dump, a quad outside its graph, counts
    off), StoreError (the store is not empty, or re-derived entailments differ in size).
    """
    import time

    from itskg.graph.reasoning import load_rules, rules_digest

    say = progress or (lambda _m: None)
    t0 = time.perf_counter()
    directory = Path(directory)
    m = check_dump(directory, say)
    present = [r.source for r in store.layers() if r.source not in DERIVED_SOURCES]
    if present:
        raise StoreError(
            f"The store {store.root} already holds layers ({', '.join(present)}); load a dump "
            "only into an empty store (a new directory, or an engine without itskg graphs).")

    def layer(e: dict[str, Any]) -> Layer:
        return Layer(
            source=e["source"], title=e["title"], data=directory / e["file"], format="nq",
            kind=e["kind"], derived_from=tuple(e.get("derived_from") or ()),
            license=e.get("license"), description=e.get("description"),
            file=e.get("source_file"), sha256=e.get("source_sha256"), rows=e.get("rows"),
            triples=int(e["triples"]))

    layers = [layer(e) for e in m["layers"] if e["source"] not in DERIVED_SOURCES]
    inferred = next((e for e in m["layers"] if e["source"] == "inferred"), None)
    digest = rules_digest(load_rules() if rules is None else rules)
    given = None
    if inferred is None or rederive or m.get("rules") != digest:
        say("entailments to be derived by the rules: " + (
            "asked for" if rederive else "the dump has no inferred graph" if inferred is None
            else "the dump does not record the rules that made them" if not m.get("rules")
            else "the dump's were made by other rules"))
    else:
        given = layer(inferred)
        say("the dump's entailments were made by the same rules: loaded, not re-derived "
            "(itskg load --rederive runs the rules)")
    store.replace_layers(layers, fresh=True, progress=say, rules=rules, entailments=given)
    expected = {e["source"]: e["triples"] for e in m["layers"]}
    got = {r.source: r.triples for r in store.layers()}
    other_rules = bool(m.get("rules")) and m.get("rules") != digest
    wrong = [f"{s}: {got.get(s)} (dump: {n})" for s, n in expected.items()
             if s != "meta" and got.get(s) != n and not (s == "inferred" and other_rules)]
    if wrong:
        raise StoreError("Loaded, but the counts differ from the dump's: " + "; ".join(wrong)
                         + ". (An 'inferred' difference means this itskg's rules differ from "
                         "those of the dump's version.)")
    counts = {ly.source: got[ly.source] for ly in layers}
    counts["inferred"] = got.get("inferred", 0)
    return DumpReport(directory, counts, time.perf_counter() - t0)


def _batches(it: Any, size: int = 100_000) -> Any:
    batch = []
    for x in it:
        batch.append(x)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch

