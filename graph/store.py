"""The store: an on-disk Oxigraph database behind one small interface.

Nothing else in itskg talks to pyoxigraph. A store directory holds immutable *generations*::

    STORE/
      CURRENT                  name of the generation readers use (switched atomically)
      write.lock               held (flock) by the one process that writes
      db/<gen>/                an Oxigraph (RocksDB) database, never written after commit
      db/<gen>.json            its manifest: one record per layer (source, graph, triples, ...)
      db/<gen>.readers         readers hold a shared flock on it while they use <gen>

Writing never touches the generation readers use: a change (``replace_layers``) builds a new
generation (hard-linked checkpoint or reload of the unchanged layers, then the new layers,
then the materialised entailments, updated incrementally when the change is small (see
:mod:`itskg.graph.reasoning`), and the metadata graph), and only then switches CURRENT
with an atomic rename. A parse error, a validation error or a killed process therefore leaves
the store exactly as it was, and ``itskg serve`` keeps answering from the old generation until
it notices the new one. Old generations are deleted once no reader holds them.

Queries see the union of all layers by default (like Fuseki's and Oxigraph's union default
graph option); GRAPH, FROM and explicit default/named graph lists still address single layers.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import gc
import gzip
import json
import logging
import os
import shutil
import tempfile
import time
import traceback
import uuid
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal, cast

import pyoxigraph as ox

from itskg.graph.backends.records import (
    LayeredStore,
    inferred_record,
    layer_record,
    meta_record,
)
from itskg.graph.errors import (
    QueryRefusedError,
    QuerySyntaxError,
    StoreError,
    StoreLockedError,
    os_error,
)
from itskg.graph.namespaces import INFERRED_GRAPH, META_GRAPH, PREFIXES, graph_iri
from itskg.graph.sparql.scan import has_dataset_clause
from itskg.graph.terms import RDF_FORMATS, QueryResult, to_term

__all__ = [
    "KnowledgeStore",
    "Layer",
    "LayerRecord",
    "count_quads",
    "current_generation",
    "generation_file",
    "parse_check",
    "projected_variables",
]

log = logging.getLogger(__name__)

Progress = Callable[[str], None]

#: what a layer holds: real data, synthetic data, or the ontology
LayerKind = Literal["real", "synthetic", "curated", "ontology"]

# A checkpoint is already compacted; compact (``optimize``, which rewrites every table) only
# when the commit wrote at least 1/OPTIMISE_SHARE of the generation, or rebuilt it all.
OPTIMISE_SHARE = 4
# ... or when that many commits in a row went without (their small tables add up).
MAX_UNOPTIMISED = 8

# Retracting a layer's entailments incrementally pays while the outgoing layers are under
# 1/RETRACT_SHARE of what is kept (measured on a 622k-quad store: 572 outgoing triples 0.7 s
# against a 9 s full pass; 47k outgoing triples 12 s, slower than the full pass).
RETRACT_SHARE = 50

# Graphs the store computes itself on every commit (never loaded from a Layer).
DERIVED_SOURCES = ("inferred", "meta")


@dataclass(frozen=True)
class Layer:
    """One source layer to load into its own named graph ``graph_iri(source)``.

    ``data`` is a path or bytes in ``format``: nt or ttl (the triples go into the layer's
    graph), or nq, also gzip-compressed (``.nq.gz``), whose quads must all name the layer's
    graph (a dump's files, loaded as they are into a fresh store: see ``replace_layers``).
    ``kind`` says what it is: real data, synthetic data, curated correspondences (written by
    the project with a rationale each), the ontology, or rules output. ``derived_from``
    lists the files or URLs it was made from (prov:wasDerivedFrom). ``triples``, when given,
    is the number of distinct triples the layer must have once loaded (a dump's manifest):
    the commit fails, leaving the store as it was, when the loaded graph differs.
    ``generated`` marks N-Triples itskg wrote itself (the synthetic generator, whose IRIs and
    literals go through ``rdfwriter``, tested against the strict parser): it is parsed
    without re-validating every IRI, which the bulk load step otherwise spends time on.
    Never set it on a user's file.
    """

    source: str
    title: str
    data: Path | bytes
    format: str = "nt"
    kind: LayerKind = "real"
    derived_from: tuple[str, ...] = ()
    license: str | None = None
    description: str | None = None
    file: str | None = None
    sha256: str | None = None
    rows: int | None = None
    triples: int | None = None
    generated: bool = False

    @property
    def graph(self) -> str:
        return graph_iri(self.source)


@dataclass
class LayerRecord:
    """What the store knows about a committed layer (mirrored in the metadata graph)."""

    source: str
    graph: str
    title: str
    kind: str
    triples: int
    loaded_at: str
    derived_from: list[str] = field(default_factory=list)
    license: str | None = None
    description: str | None = None
    file: str | None = None
    sha256: str | None = None
    rows: int | None = None
    tool_version: str | None = None

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> LayerRecord:
        return cls(**{k: d.get(k) for k in cls.__dataclass_fields__})  # type: ignore[arg-type]


def parse_check(data: Path | bytes, fmt: str, *, name: str) -> int:
    """Parse RDF fully in memory and return its triple count; raise a located error if bad.

    Used to reject a broken file before any generation is created.
    """
    try:
        if isinstance(data, Path):
            with data.open("rb") as fh:
                return sum(1 for _ in ox.parse(fh, RDF_FORMATS[fmt]))
        return sum(1 for _ in ox.parse(data, RDF_FORMATS[fmt]))
    except SyntaxError as err:
        from itskg.graph.errors import DataError, Problem

        raise DataError(
            f"{name}: not valid {fmt.upper()} RDF; nothing was written.",
            [Problem(str(err), file=name)],
        ) from err


def _count(solutions: Any) -> int:
    """The ?n of a one-row COUNT query (the engine's result union is not narrowed by type)."""
    return int(next(iter(solutions))["n"].value)


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def _tool_version() -> str:
    try:
        from importlib.metadata import version

        return f"itskg {version('itskg')}"
    except Exception:  # pragma: no cover - not installed
        return "itskg (not installed)"


class KnowledgeStore(LayeredStore):
    """An itskg store directory, opened for reading or writing.

    >>> import tempfile, pathlib
    >>> with KnowledgeStore.open(pathlib.Path(tempfile.mkdtemp()), read_only=False) as st:
    ...     _ = st.replace_layers([Layer("demo", "Demo", b'<http://a> <http://b> "c" .')])
    ...     st.ask("ASK { <http://a> <http://b> ?o }")
    True
    """

    def __init__(self, root: Path, read_only: bool):
        self.root = Path(root)
        self.read_only = read_only
        self._db: ox.Store | None = None
        self._gen: str | None = None
        self._reader_fh: IO[str] | None = None
        self._manifest: dict[str, Any] = {"layers": {}}

    # ---------------------------------------------------------------- opening
    @classmethod
    def open(cls, root: Path | str, *, read_only: bool = True) -> KnowledgeStore:
        """Open a store directory. Read-only opens need an existing generation."""
        st = cls(Path(root).expanduser(), read_only)
        if not read_only:
            st.root.mkdir(parents=True, exist_ok=True)
            (st.root / "db").mkdir(exist_ok=True)
        st._attach(required=read_only)
        return st

    def _attach(self, *, required: bool) -> None:
        gen = self.current_generation()
        if gen is None:
            if required:
                raise StoreError(
                    f"No graph in {self.root}: the store is empty or missing. "
                    "Run 'itskg build' first (or pass --store / set ITSKG_STORE)."
                )
            self._db, self._gen = ox.Store(), None
            return
        path = self.root / "db" / gen
        fh = (self.root / "db" / f"{gen}.readers").open("a")
        fcntl.flock(fh, fcntl.LOCK_SH)
        try:
            db = ox.Store.read_only(str(path))
        except OSError as err:
            fh.close()
            raise StoreError(f"Cannot open the store generation {path}: {err}") from err
        self._release_reader()
        self._db, self._gen, self._reader_fh = db, gen, fh
        mpath = self.root / "db" / f"{gen}.json"
        self._manifest = json.loads(mpath.read_text()) if mpath.exists() else {"layers": {}}

    def _release_reader(self) -> None:
        if self._reader_fh is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._reader_fh, fcntl.LOCK_UN)
            self._reader_fh.close()
            self._reader_fh = None

    def current_generation(self) -> str | None:
        return current_generation(self.root)

    @property
    def rules_digest(self) -> str | None:
        """The digest of the rules that made this generation's ``inferred`` graph (None for
        a store built before it was recorded): a dump carries it, so that loading the dump
        with the same rules need not re-derive them."""
        return self._manifest.get("rules")

    def close(self) -> None:
        self._db = None
        self._release_reader()

    def __enter__(self) -> KnowledgeStore:
        return self

    @property
    def _store(self) -> ox.Store:
        if self._db is None:
            raise StoreError(f"The store {self.root} is closed.")
        return self._db

    # ---------------------------------------------------------------- reading
    def _layer_table(self) -> dict[str, dict[str, Any]]:
        return dict(self._manifest["layers"])

    def graphs(self) -> list[str]:
        return sorted(g.value for g in self._store.named_graphs())

    def __len__(self) -> int:
        return len(self._store)

    def query(
        self,
        sparql: str,
        *,
        bindings: dict[str, Any] | None = None,
        union: bool = True,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        base_iri: str | None = None,
    ) -> QueryResult:
        """Run a SPARQL 1.1 query.

        Without ``default_graphs`` the default graph is the union of every layer. The prefixes
        of ``namespaces.PREFIXES`` (itskg:, skos:, org:, ...) need no PREFIX declaration.
        ``bindings`` maps variable names to values (str IRIs wrapped with ``iri()``,
        or Python str/int/float/bool), substituted by the engine, never pasted into text.
        """
        kwargs: dict[str, Any] = {"prefixes": PREFIXES}  # predeclared, as Virtuoso does
        if default_graphs:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
        elif union and not has_dataset_clause(sparql):
            kwargs["use_default_graph_as_union"] = True
        if named_graphs:
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        if bindings:
            kwargs["substitutions"] = {ox.Variable(k): to_term(v) for k, v in bindings.items()}
        if base_iri:
            kwargs["base_iri"] = base_iri
        try:
            raw = self._store.query(sparql, **kwargs)
        except SyntaxError as err:
            raise QuerySyntaxError(f"SPARQL syntax error: {err}") from err
        except OSError as err:
            raise StoreError(f"Query failed while reading {self.root}: {err}") from err
        except RuntimeError as err:
            if "projection" in str(err):
                from itskg.graph.errors import QueryParameterError

                raise QueryParameterError(
                    f"{err}: a bound variable must be in the SELECT projection "
                    "(the engine substitutes only projected variables)."
                ) from err
            raise
        return QueryResult(raw)

    def update(self, sparql: str) -> None:
        """SPARQL Update is not applied in place: generations are immutable."""
        raise QueryRefusedError(
            "The store is immutable between builds; load data with 'itskg import' or "
            "KnowledgeStore.replace_layers() instead of SPARQL Update."
        )

    def dump_graph(self, graph: str, output: IO[bytes]) -> None:
        """Write one named graph as N-Triples."""
        self._store.dump(output, ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(graph))

    def count(self, graph: str | None = None) -> int:
        if graph is None:
            q = "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }"
        else:
            q = f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
        return _count(self._store.query(q))

    # ---------------------------------------------------------------- writing
    @contextlib.contextmanager
    def _write_lock(self) -> Iterator[None]:
        if self.read_only:
            raise StoreError("This store handle is read-only; open it with read_only=False.")
        lock = self.root / "write.lock"
        fh = lock.open("a+")
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as err:
            fh.seek(0)
            holder = fh.read().strip() or "another process"
            fh.close()
            raise StoreLockedError(
                f"The store {self.root} is being written by {holder}. Wait for it to finish "
                "(an 'itskg serve' on the same store is fine: it switches to the new graph "
                "when the import commits)."
            ) from err
        try:
            fh.seek(0)
            fh.truncate()
            fh.write(f"pid {os.getpid()}")
            fh.flush()
            yield
        finally:
            fh.seek(0)
            fh.truncate()
            fcntl.flock(fh, fcntl.LOCK_UN)
            fh.close()

    def replace_layers(
        self,
        layers: Sequence[Layer],
        *,
        remove: Iterable[str] = (),
        fresh: bool = False,
        progress: Progress | None = None,
        rules: Sequence[str] | None = None,
        incremental: bool = True,
        entailments: Layer | None = None,
    ) -> list[LayerRecord]:
        """Atomically replace (or add) ``layers`` and drop ``remove``; commit a new generation.

        ``fresh`` starts from an empty store (``itskg build``). ``rules`` are SPARQL
        CONSTRUCT queries whose union becomes the ``inferred`` graph (default: the
        ontology's rules). The entailments are updated incrementally (only what the changed
        layers can entail, see :mod:`itskg.graph.reasoning`) when the previous generation's
        were made by the same rules and the change is small next to what is kept;
        ``incremental=False`` recomputes them in full (same result; for benchmarks and as
        an escape hatch). ``entailments`` (only with ``fresh``) is the ``inferred`` graph
        already derived by these ``rules`` from exactly these layers (a dump whose manifest
        records the same rules' digest): it is loaded, counted and kept instead of running
        the rules. N-Quads layers (a dump's files) are also only for ``fresh`` commits; after
        loading, every graph must hold exactly the layer's ``triples`` when given, and no
        quad may be outside the layers' graphs. On any error the new generation is
        discarded and the store is exactly as before (StoreError, DataError).
        """
        say = progress or (lambda _m: None)
        quads = [ly.source for ly in [*layers, *([entailments] if entailments else [])]
                 if ly.format in {"nq", "nq.gz"}]
        if (quads or entailments is not None) and not fresh:
            raise StoreError(f"N-Quads layers ({', '.join(quads) or 'entailments'}) and given "
                             "entailments load only into a fresh commit (fresh=True).")
        with self._write_lock():
            self._gc()
            new_gen = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]
            new_path = self.root / "db" / new_gen
            replaced = {ly.source for ly in layers} | set(remove) | set(DERIVED_SOURCES)
            for src in remove:
                if src not in self._manifest["layers"]:
                    raise StoreError(
                        f"No layer '{src}' in {self.root}. Run 'itskg sources' to list them."
                    )
            records: dict[str, Any] = {}
            db: ox.Store | None = None
            from itskg.graph.reasoning import load_rules, rules_digest

            rule_texts = load_rules() if rules is None else list(rules)
            incremental_asked = incremental
            digest = rules_digest(rule_texts)
            try:
                db, gone = self._start_generation(
                    new_path, fresh, replaced, records, say,
                    incremental=incremental and self._manifest.get("rules") == digest)
                incremental = gone is not None
                if not incremental and self._gen is not None and not fresh:
                    say("entailments computed in full: " + (
                        "asked for" if not incremental_asked
                        else "the rules changed" if self._manifest.get("rules") != digest
                        else "the outgoing layers are large next to what is kept"))
                if incremental and gone:
                    incremental = self._retract(db, rule_texts, gone, say)
                for ly in layers:
                    say(f"loading {ly.source}")
                    self._load_layer(db, ly)
                if entailments is not None:
                    say("loading the entailments (inferred) given with the layers")
                    self._load_layer(db, entailments)
                loaded = [*layers, *([entailments] if entailments else [])]
                counted = self._check_loaded(db, loaded, whole=bool(quads))
                for ly in layers:
                    records[ly.source] = layer_record(ly, counted[ly.graph])
                if entailments is not None:
                    say(f"entailments taken as given ({counted[INFERRED_GRAPH]:,} triples, "
                        "made by the same rules): nothing re-derived")
                    records["inferred"] = inferred_record(counted[INFERRED_GRAPH])
                else:
                    records["inferred"] = self._entail(db, layers, records, rule_texts,
                                                       incremental, say)
                say("writing metadata")
                records["meta"] = self._write_meta(db, records)
                db.flush()
                written = sum(int(records[ly.source]["triples"]) for ly in layers)
                total = sum(int(d["triples"]) for d in records.values())
                skipped = int(self._manifest.get("unoptimised", 0)) + 1 if gone is not None else 0
                if gone is None or written * OPTIMISE_SHARE >= total or skipped > MAX_UNOPTIMISED:
                    say("optimising")
                    db.optimize()
                    skipped = 0
                db = None  # closes the database before CURRENT points at it
                manifest = {"generation": new_gen, "created": _now(), "layers": records,
                            "rules": digest, "unoptimised": skipped}
                _atomic_write(self.root / "db" / f"{new_gen}.json", json.dumps(manifest, indent=1))
            except BaseException as exc:
                db = None  # close RocksDB (also held by the traceback's frames) before deleting
                traceback.clear_frames(exc.__traceback__)
                _remove_tree(new_path)
                with contextlib.suppress(FileNotFoundError):
                    (self.root / "db" / f"{new_gen}.json").unlink()
                mapped = os_error(exc, f"writing a new generation of {self.root}")
                if mapped is not None:  # disk full / permission: one line, exit code 12 / 13
                    raise mapped from None
                raise
            _atomic_write(generation_file(self.root), new_gen)
            self._attach(required=True)
            self._gc()
            say(f"committed generation {new_gen}")
            return [LayerRecord.from_dict(records[ly.source]) for ly in layers]

    def remove_layers(self, sources: Iterable[str], progress: Progress | None = None) -> None:
        self.replace_layers([], remove=list(sources), progress=progress)

    def _start_generation(
        self, new_path: Path, fresh: bool, replaced: set[str], records: dict[str, Any],
        say: Progress, *, incremental: bool = False,
    ) -> tuple[ox.Store, list[str] | None]:
        """Create the new generation's database with the kept layers; return it and, when
        its entailments can be updated incrementally, the graphs of the replaced or removed
        layers still in it (to retract), else None (entailments to be computed in full).

        Incremental needs the previous entailments made by the same rules (``incremental``)
        and a checkpoint (the change is small next to what is kept): the checkpoint keeps the
        ``inferred`` graph and the outgoing layers, which the retraction reads then drops.
        """
        old = None if fresh or self._gen is None else self._db
        kept = {
            s: d for s, d in self._manifest["layers"].items() if s not in replaced
        } if old is not None else {}
        if old is None:
            return ox.Store(str(new_path)), None
        incremental = incremental and "inferred" in self._manifest["layers"]
        outgoing = sum(int(d["triples"]) for s, d in self._manifest["layers"].items()
                       if s in replaced and s not in DERIVED_SOURCES)
        if outgoing * RETRACT_SHARE > sum(int(d["triples"]) for d in kept.values()):
            incremental = False  # retraction costs more than a full pass (measured)
        drop = [d for s, d in self._manifest["layers"].items() if s in replaced]
        drop_n = sum(int(d["triples"]) for d in drop
                     if not incremental or d["source"] != "inferred")
        keep_n = sum(int(d["triples"]) for d in kept.values())
        gone: list[str] | None = None
        # Dropping in Oxigraph costs ~4x loading per triple (measured): checkpoint + drop when
        # the dropped part is small, otherwise reload the kept layers into an empty database.
        if drop_n * 4 < keep_n:
            say(f"checkpoint of {keep_n} kept triples, dropping {drop_n}")
            old.backup(str(new_path))
            db = ox.Store(str(new_path))
            if incremental:
                gone = [d["graph"] for s, d in self._manifest["layers"].items()
                        if s in replaced and s not in DERIVED_SOURCES]
                if db.contains_named_graph(ox.NamedNode(META_GRAPH)):
                    db.remove_graph(ox.NamedNode(META_GRAPH))
            else:
                for d in drop:
                    db.remove_graph(ox.NamedNode(d["graph"]))
        else:
            db = ox.Store(str(new_path))
            with tempfile.TemporaryDirectory(dir=self.root) as tmp:
                for s, d in kept.items():
                    say(f"copying {s} ({d['triples']} triples)")
                    part = Path(tmp) / f"{s}.nt"
                    with part.open("wb") as fh:
                        old.dump(fh, ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(d["graph"]))
                    load_into(db, part, ox.RdfFormat.N_TRIPLES, ox.NamedNode(d["graph"]),
                              lenient=True)
        records.update(kept)
        return db, gone

    def _retract(self, db: ox.Store, rules: Sequence[str], gone: list[str],
                 say: Progress) -> bool:
        """Drop the outgoing layers and their entailments; False when that had to be done
        without the entailments (to be recomputed in full)."""
        from itskg.graph.reasoning import NotIncremental, drop_staging, retract

        sizes = {d["graph"]: int(d["triples"]) for d in self._manifest["layers"].values()}
        say(f"retracting {len(gone)} outgoing layer(s)")
        try:
            retract(db, INFERRED_GRAPH, rules, gone, sizes=sizes, progress=say)
            return True
        except NotIncremental as why:
            say(f"entailments to be recomputed in full: {why}")
            drop_staging(db)
            for g in [*gone, INFERRED_GRAPH]:
                if db.contains_named_graph(ox.NamedNode(g)):
                    db.remove_graph(ox.NamedNode(g))
            return False

    def _entail(self, db: ox.Store, layers: Sequence[Layer], records: dict[str, Any],
                rules: Sequence[str], incremental: bool, say: Progress) -> dict[str, Any]:
        """Bring the ``inferred`` graph up to date after loading ``layers``: extended by what
        they entail when ``incremental`` and they are small next to what is kept, else
        computed in full. Returns its record."""
        say("materialising entailments")
        incoming = sum(int(records[ly.source]["triples"]) for ly in layers)
        kept_n = sum(int(d["triples"]) for s, d in records.items()
                     if s not in {ly.source for ly in layers})
        if incremental and incoming * RETRACT_SHARE > kept_n:
            # extending costs more than a full pass (measured: 47k new triples in a 575k
            # store, 20 s against 7.5 s)
            say("entailments computed in full: the new layers are large next to what is kept")
            incremental = False
            if db.contains_named_graph(ox.NamedNode(INFERRED_GRAPH)):
                db.remove_graph(ox.NamedNode(INFERRED_GRAPH))
        return self._materialise(
            db, rules, [ly.graph for ly in layers] if incremental else None,
            {d["graph"]: int(d["triples"]) for d in records.values()}
            | {INFERRED_GRAPH: int(self._manifest["layers"].get("inferred", {})
                                   .get("triples", 0))}, say)

    def _load_layer(self, db: ox.Store, ly: Layer) -> None:
        """Bulk-load one layer: triples into its graph, or a dump's N-Quads (gzip or not)
        as they are (``_check_loaded`` then checks where they went). DataError when the
        data is not valid RDF (strict parsing: IRIs and literals are validated)."""
        nquads = ly.format in {"nq", "nq.gz"}
        fmt = ox.RdfFormat.N_QUADS if nquads else RDF_FORMATS.get(ly.format)
        if fmt is None or ly.format == "trig":
            raise StoreError(f"Layer {ly.source}: unsupported format {ly.format!r} "
                             "(use nt, ttl, or a dump's nq)")
        name = ly.file or (str(ly.data) if isinstance(ly.data, Path) else ly.source)
        data = ly.data
        try:
            if nquads and isinstance(data, Path) and data.name.endswith(".gz"):
                if data.stat().st_size * 8 < SMALL_INPUT:  # small: one transaction
                    data = gzip.decompress(data.read_bytes())
                else:
                    with gzip.open(data, "rb") as fh:
                        db.bulk_load(cast(IO[bytes], fh), fmt)
                    return
            load_into(db, data, fmt, None if nquads else ox.NamedNode(ly.graph),
                      base_iri=None if nquads else ly.graph,
                      lenient=ly.generated and not nquads)
        except (SyntaxError, EOFError, zlib.error, gzip.BadGzipFile) as err:
            from itskg.graph.errors import DataError, Problem

            raise DataError(
                f"Layer '{ly.source}' is not valid RDF; the store was left unchanged.",
                [Problem(str(err), file=name)],
            ) from err

    def _check_loaded(self, db: ox.Store, layers: Sequence[Layer], *,
                      whole: bool) -> dict[str, int]:
        """Count each loaded layer's graph (distinct triples) and check it against the
        layer's ``triples`` when given; ``whole`` (N-Quads were loaded into a fresh
        database): also check that no quad went outside the layers' graphs. Returns the
        counts by graph; DataError naming every difference otherwise."""
        from itskg.graph.errors import DataError, Problem

        counted = {ly.graph: _count(db.query(
            f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{ly.graph}> {{ ?s ?p ?o }} }}"))
            for ly in layers}
        problems = [Problem(f"{counted[ly.graph]} distinct triples in <{ly.graph}>, "
                            f"{ly.triples} expected", file=ly.file or ly.source)
                    for ly in layers if ly.triples is not None and counted[ly.graph] != ly.triples]
        if whole:
            expected = {ly.graph for ly in layers}
            stray = sorted(g.value for g in db.named_graphs() if g.value not in expected)
            problems += [Problem(f"quads in <{g}>, which is not one of the layers' graphs",
                                 file=g) for g in stray]
            if next(iter(db.quads_for_pattern(None, None, None, ox.DefaultGraph())), None):
                problems.append(Problem("quads in the default graph (a dump names a graph "
                                        "on every line)", file="default graph"))
        if problems:
            raise DataError("The loaded data is not what its layers declare; the store was "
                            "left unchanged.", problems)
        return counted

    def _materialise(self, db: ox.Store, rules: Sequence[str], added: list[str] | None,
                     sizes: dict[str, int], say: Progress) -> dict[str, Any]:
        """Entailments of the new generation: extended from the kept ones when ``added`` is
        given (the layers loaded in this commit), else computed in full."""
        from itskg.graph.reasoning import NotIncremental, drop_staging, extend, materialise

        n = None
        if added is not None:
            try:
                n = extend(db, INFERRED_GRAPH, rules, added, sizes=sizes, progress=say)
            except NotIncremental as why:
                say(f"entailments recomputed in full: {why}")
                drop_staging(db)
                db.remove_graph(ox.NamedNode(INFERRED_GRAPH))
        if n is None:
            n = materialise(db, INFERRED_GRAPH, rules)
        return inferred_record(n)

    def _write_meta(self, db: ox.Store, records: dict[str, Any]) -> dict[str, Any]:
        from itskg.graph.metadata import metadata_ntriples

        data = metadata_ntriples(list(records.values()))
        load_into(db, data, ox.RdfFormat.N_TRIPLES, ox.NamedNode(META_GRAPH))
        n = sum(1 for _ in db.quads_for_pattern(None, None, None, ox.NamedNode(META_GRAPH)))
        return meta_record(n)

    def _gc(self) -> None:
        """Delete generations other than CURRENT that no reader holds, and stray builds."""
        cur = self.current_generation()
        dbdir = self.root / "db"
        if not dbdir.exists():
            return
        for p in dbdir.iterdir():
            if not p.is_dir() or p.name == cur or p.name == self._gen:
                continue
            lockf = dbdir / f"{p.name}.readers"
            fh = lockf.open("a")
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                fh.close()
                continue
            try:
                shutil.rmtree(p, ignore_errors=True)
                for suffix in (".json", ".readers"):
                    with contextlib.suppress(FileNotFoundError):
                        (dbdir / f"{p.name}{suffix}").unlink()
            finally:
                fh.close()


# bulk_load writes SST files directly: fast per triple but ~0.3 s fixed cost per call
# (measured); the transactional load() wins below about a megabyte of input.
SMALL_INPUT = 1 << 20


def load_into(
    db: ox.Store, data: Path | bytes, fmt: Any, graph: Any, base_iri: str | None = None,
    *, lenient: bool = False,
) -> None:
    """Load RDF into one graph of a database being built, choosing the cheaper loader.

    ``lenient`` skips IRI and literal validation: only for data itskg or the engine wrote
    itself (generated layers, rule output, copies of committed layers), never a user's file.
    """
    size = data.stat().st_size if isinstance(data, Path) else len(data)
    if size < SMALL_INPUT:
        raw = data.read_bytes() if isinstance(data, Path) else data
        db.load(raw, fmt, to_graph=graph, base_iri=base_iri, lenient=lenient)
    elif isinstance(data, Path):
        db.bulk_load(path=str(data), format=fmt, to_graph=graph, base_iri=base_iri,
                     lenient=lenient)
    else:
        db.bulk_load(data, fmt, to_graph=graph, base_iri=base_iri, lenient=lenient)


def count_quads(database: Path | str) -> int:
    """The number of quads in the Oxigraph database folder ``database`` (opened read-only).

    Raises OSError when it is not a database (a damaged or partial copy).
    """
    db = ox.Store.read_only(str(database))
    try:
        return len(db)
    finally:
        del db


def generation_file(root: Path | str) -> Path:
    """The file naming a store's current generation; replaced by atomic rename on each commit,
    so a stat of it tells cheaply whether a reader should refresh."""
    return Path(root) / "CURRENT"


def projected_variables(sparql: str, prefixes: dict[str, str] | None = None) -> list[str]:
    """The variables a SELECT query projects, in order, as the engine parses it (the query
    runs on an empty in-memory database, so this costs no data access). Raises
    QuerySyntaxError when the engine cannot parse it."""
    from itskg.graph.errors import QuerySyntaxError

    try:
        res = ox.Store().query(sparql, prefixes=prefixes or {})
    except SyntaxError as err:
        raise QuerySyntaxError(f"The query does not parse: {err}") from err
    variables = getattr(res, "variables", None)
    return [v.value for v in variables] if variables is not None else []


def current_generation(root: Path | str) -> str | None:
    """The generation readers of the store at ``root`` should use now (None: empty store)."""
    try:
        name = generation_file(root).read_text().strip()
    except (FileNotFoundError, NotADirectoryError):
        return None
    return name or None


def _remove_tree(path: Path, attempts: int = 20) -> None:
    """Delete a discarded generation; retry while a closing RocksDB still writes into it."""
    for _ in range(attempts):
        gc.collect()
        shutil.rmtree(path, ignore_errors=True)
        if not path.exists():
            return
        time.sleep(0.05)
    log.warning("could not remove %s; the next write will collect it", path)


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + f".tmp{os.getpid()}")
    with tmp.open("w") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    dfd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dfd)
    finally:
        os.close(dfd)
