"""One store generation copied into an in-memory Oxigraph database: the serving copy.

``itskg serve`` answers from memory (issue 10): the on-disk engine reads its RocksDB files
for every query (on the national store the 41 catalogue queries took 29.8 s on disk and
6.0 s in memory, p50 summed). ``MemoryStore.load(root, generation)`` copies one committed
generation into memory and behaves as a read-only ``KnowledgeStore`` pinned to it: same
queries, same layers and graphs, ``refresh()`` never switches (the query executor loads the
next generation into a new copy and swaps, so a query never sees a half-loaded store).

The copy is made in two steps, both measured on the national store (1,998,610 quads): the
generation is dumped as N-Quads to a temporary file (23-50 s on a loaded 2-core machine: the
engine looks every term up in its string table), then bulk-loaded from that file (11 s; the
loader parses the file in parallel; from a pipe it is serial and took 79-142 s). The dump
runs in a forked child when the calling process has no other thread, so the RocksDB threads
never live in the process that later forks the query workers. While the dump runs, the
generation's reader lock is held, so no import can collect it. The dump is kept in the
store's ``memcopy/`` folder (one generation's, the others are deleted), so a restarted server
only bulk-loads it; a store the server cannot write is dumped to a temporary file each time.

``estimate_mb`` tells the memory a generation's copy will take (from its manifest's triple
counts: 350 bytes a quad measured, plus a margin), for the memory budget check.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from itskg.graph.errors import StoreError
from itskg.graph.store import KnowledgeStore, current_generation

__all__ = ["BYTES_PER_QUAD", "CACHE_DIR", "MemoryStore", "estimate_mb", "manifest_quads"]

log = logging.getLogger(__name__)

#: folder of the store where the N-Quads copy of the current generation is kept, so that a
#: restarted server skips the dump (the slower half of the copy); one generation at a time
CACHE_DIR = "memcopy"

#: Resident bytes per quad of the in-memory copy (measured: 700 MB for 1,998,610 quads, so
#: about 350), rounded up for the query workers' own allocations on top of the shared copy.
BYTES_PER_QUAD = 450


def manifest_quads(root: Path | str, generation: str) -> int:
    """The quads of ``generation`` as its manifest counts them (0 when it has none)."""
    path = Path(root) / "db" / f"{generation}.json"
    try:
        layers = json.loads(path.read_text()).get("layers", {})
    except (OSError, ValueError):
        return 0
    return sum(int(d.get("triples") or 0) for d in layers.values())


def estimate_mb(root: Path | str, generation: str) -> int:
    """Estimated MiB of the in-memory copy of ``generation`` (``BYTES_PER_QUAD`` a quad).

    >>> estimate_mb("/nonexistent", "g")
    0
    """
    return (manifest_quads(root, generation) * BYTES_PER_QUAD) >> 20


class MemoryStore(KnowledgeStore):
    """A read-only ``KnowledgeStore`` whose database is an in-memory copy of one generation.

    >>> import tempfile, pathlib
    >>> from itskg.graph.store import Layer
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> with KnowledgeStore.open(root, read_only=False) as st:
    ...     _ = st.replace_layers([Layer("demo", "Demo", b'<http://a> <http://b> "c" .')],
    ...                           rules=[])
    >>> mem = MemoryStore.load(root)
    >>> mem.ask("ASK { <http://a> <http://b> ?o }"), mem.refresh(), [r.source for r in mem.layers()]
    (True, False, ['demo', 'inferred', 'meta'])
    """

    #: the executor swaps copies; a copy never follows CURRENT by itself
    pinned = True

    def __init__(self, root: Path, generation: str, db: ox.Store,
                 manifest: dict[str, Any]) -> None:
        super().__init__(root, read_only=True)
        self._db, self._gen, self._manifest = db, generation, manifest
        self.load_seconds = 0.0

    @classmethod
    def load(cls, root: Path | str, generation: str | None = None, *,
             progress: Callable[[str], None] | None = None) -> MemoryStore:
        """Copy ``generation`` (default: CURRENT) of the store at ``root`` into memory.

        Raises StoreError when the store has no such generation or it cannot be read.
        """
        root = Path(root).expanduser()
        gen = generation or current_generation(root)
        if gen is None:
            raise StoreError(f"No graph in {root}: the store is empty or missing. "
                             "Run 'itskg build' first (or pass --store / set ITSKG_STORE).")
        say = progress or (lambda _m: None)
        t0 = time.monotonic()
        dbdir = root / "db"
        mpath = dbdir / f"{gen}.json"
        with tempfile.TemporaryDirectory(prefix="itskg-memcopy-") as tmp:
            cached = _cache_file(root, gen)
            dump = cached if cached is not None and cached.is_file() else Path(tmp) / f"{gen}.nq"
            try:
                readers = (dbdir / f"{gen}.readers").open("a")
            except OSError as err:
                raise StoreError(f"Cannot open the store generation {dbdir / gen}: {err}") from err
            with readers:
                fcntl.flock(readers, fcntl.LOCK_SH)  # no import collects it while we read it
                if not (dbdir / gen).is_dir():
                    raise StoreError(f"The store generation {dbdir / gen} is gone (collected "
                                     "after a newer import); load the current one.")
                manifest = json.loads(mpath.read_text()) if mpath.exists() else {"layers": {}}
                if dump is not cached:
                    say(f"dumping generation {gen}")
                    _dump(dbdir / gen, dump)
            say(f"loading generation {gen} into memory")
            db = ox.Store()
            try:
                db.bulk_load(path=str(dump), format=ox.RdfFormat.N_QUADS)
            except (OSError, SyntaxError) as err:
                if dump is cached:
                    cached.unlink(missing_ok=True)  # a damaged copy: dumped afresh next time
                raise StoreError(f"Cannot load the copy of {dbdir / gen} into memory: "
                                 f"{err}") from err
            if dump is not cached and cached is not None:
                _keep(dump, cached)
        st = cls(root, gen, db, manifest)
        st.load_seconds = time.monotonic() - t0
        return st

    def refresh(self) -> bool:
        """Never switches: a copy is one generation (the executor loads the next one)."""
        return False

    def close(self) -> None:
        self._db = None


def _cache_file(root: Path, gen: str) -> Path | None:
    """Where the N-Quads copy of ``gen`` is kept for the next start (None: store not
    writable). Dumps of other generations are removed."""
    cache = root / CACHE_DIR
    try:
        cache.mkdir(exist_ok=True)
        for p in cache.iterdir():
            if p.name != f"{gen}.nq" and not _partial_of_live_process(p.name):
                p.unlink(missing_ok=True)
    except OSError:
        return None
    return cache / f"{gen}.nq"


def _partial_of_live_process(name: str) -> bool:
    _, _, pid = name.partition(".partial-")
    return pid.isdigit() and Path(f"/proc/{pid}").exists()


def _keep(dump: Path, cached: Path) -> None:
    """Move a fresh dump into the cache (atomically; skipped when the disk is full)."""
    partial = cached.with_name(f"{cached.name}.partial-{os.getpid()}")
    try:
        shutil.move(str(dump), partial)
        os.replace(partial, cached)
    except OSError as err:
        log.warning("could not keep the N-Quads copy of the store for the next start: %s", err)
        partial.unlink(missing_ok=True)


def _dump(database: Path, out: Path) -> None:
    """Write the on-disk database as N-Quads to ``out`` (in a forked child when alone)."""
    if threading.active_count() > 1 or not hasattr(os, "fork"):
        _dump_here(database, out)
        return
    pid = os.fork()
    if pid == 0:  # the child: open RocksDB, dump, leave without running any Python cleanup
        code = 0
        try:
            _dump_here(database, out)
        except BaseException as err:  # reported through the exit code
            with contextlib.suppress(Exception):
                (out.parent / "error").write_text(str(err))
            code = 1
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        why = out.parent / "error"
        text = why.read_text() if why.exists() else f"wait status {status}"
        raise StoreError(f"Cannot read the store generation {database}: {text}")


def _dump_here(database: Path, out: Path) -> None:
    db: ox.Store | None = None
    try:
        db = ox.Store.read_only(str(database))
        db.dump(output=str(out), format=ox.RdfFormat.N_QUADS)
    except OSError as err:
        raise StoreError(f"Cannot read the store generation {database}: {err}") from err
    finally:
        db = None  # closes RocksDB before the caller reads the file
