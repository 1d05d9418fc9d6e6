"""Killable SPARQL execution: a small pool of worker processes, each with its own store handle.

The engine cannot cancel a running query, so a hard time limit needs a process to kill.
``QueryExecutor`` keeps ``workers`` processes (multiprocessing *forkserver* context, never fork
after threads). Where they read (``source``, setting ITSKG_SERVE_FROM):

- ``disk``: each worker opens ``KnowledgeStore.open(store_path)`` read-only once and reuses it;
- ``memory``: a template process (``itskg.graph.sparql.template``) copies the current
  generation into memory once and the workers are ``fork()``s of it, sharing the copy
  copy-on-write; a killed worker is replaced by a new fork in milliseconds. A watcher thread
  follows CURRENT: after a commit the pool is swapped for on-disk workers at once (a query
  sent after the commit sees it), the new generation is copied by a new template in the
  background and its workers are swapped in when the copy is complete; a retired pool's
  workers stop after their current answer, then its template. A template that dies sends
  the executor back to disk and is replaced the same way;
- ``auto``: memory when the copy's estimate fits ``memory_budget_mb``, else disk (logged).

The workers of the pool in service (``_Pool``) wait in one idle queue per lane.
A query goes to an idle worker over a pipe; the worker answers with the result already
serialised in the requested format, so the parent only moves bytes. When the answer does not
arrive within ``timeout`` seconds the parent kills that worker (SIGKILL), starts a replacement
in the background and raises ``QueryTimeoutError``. ``run`` blocks the calling thread;
``arun`` waits on the worker's pipe from an asyncio loop (no thread hop, used by the server).
A script that creates an executor must guard its entry point (``if __name__ == "__main__"``),
as for any multiprocessing program that does not fork.

Before each query a worker checks the store's CURRENT generation and switches to it when an
``itskg import`` has committed a new one, so serving and importing can run side by side.

Row cap: a SELECT returns at most ``max_rows`` rows, and a cut is never silent. The parent
adds ``LIMIT max_rows+1`` to the query text (or lowers a larger top-level LIMIT; inserted
before a trailing VALUES block) so the engine stops early; the worker serialises with the
engine's own writers and, when ``max_rows+1`` rows came back, drops the last one and marks
the result ``truncated`` (``ExecResult.truncated``; JSON head ``"link":
["https://w3id.org/itskg/ontology#truncated"]``, XML head ``<link href=...>``). If the rewritten
text does not parse, the original runs and is trimmed the same way. Measured on 100,000 rows
(JSON): engine serialiser 1.2 s, Python rows from ``QueryResult.rows`` + json.dumps 4.5 s,
so the cut edits the engine's bytes (JSON: only the last row is parsed, TSV/XML: split).
``serialize_rows`` remains for callers that hold rows of Terms. CONSTRUCT/DESCRIBE and ASK
are not capped.

Faults (issue 12): every worker dies with the server, whatever kills it
(``itskg.graph.sparql.lifeline``); a worker may be given an address-space limit
(``memory_mb``, RLIMIT_AS) so one query or network task cannot take the machine's memory; a
worker that dies under a request (crash, out of memory, killed by an operator) is replaced
and the request, which is read-only, is retried once on another worker; a second death is
``WorkerCrashedError`` (HTTP 503). Lanes: ``lookup_workers`` extra processes serve the
``lane="lookup"`` requests (page look-ups, ASK, small LIMITs) with their own short deadline
``lookup_timeout``, so cheap questions never queue behind long analytics; a look-up that
overruns is stopped and moved to the main lane with the time left. Waiting for an idle worker
happens on the event loop (``asubmit``), never in a thread per waiter. The worker time of each
request is added to the accumulator in ``WORKER_TIME`` when the caller set one (the
per-client budget of the HTTP layer).

Refused before anything runs (``QueryRefusedError``): SERVICE (the engine would fetch remote
endpoints), LOAD, and FROM / FROM NAMED / protocol dataset IRIs that are not named graphs or
layers of the store (nothing remote is ever fetched). ``scan_query`` is a small SPARQL
tokenizer that skips strings, comments, IRIs and variables, so ``"SERVICE"`` in a literal is
harmless.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import io
import logging
import multiprocessing as mp
import os
import queue
import select
import threading
import time
from collections.abc import Generator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from itskg.graph.answers import ExecResult  # re-exported
from itskg.graph.backends import open_store
from itskg.graph.config import Settings
from itskg.graph.errors import (
    ItskgError,
    QueryError,
    QueryParameterError,
    QueryRefusedError,
    QuerySyntaxError,
    QueryTimeoutError,
    StoreError,
    UnknownValueError,
    WorkerCrashedError,
)
from itskg.graph.namespaces import INFERRED_GRAPH, META_GRAPH
from itskg.graph.sparql.results import (  # re-exported
    GRAPH_FORMATS,
    RESULT_FORMATS,
    ROWS_MEDIA,
    TRUNCATED_LINK,
    _trim,
    rows_from_sparql_json,
    serialize_rows,
)
from itskg.graph.sparql.scan import QueryInfo, UpdatePlan, scan_query, scan_update  # re-exported
from itskg.graph.store import KnowledgeStore, current_generation, generation_file
from itskg.graph.terms import IRI

if TYPE_CHECKING:  # pragma: no cover
    from itskg.graph.backends.interface import Store
    from itskg.graph.sparql.template import Template

# How often a worker asks a remote engine for its generation (a local store is followed by a
# stat of its CURRENT file on every request).
FOLLOW_REMOTE = 1.0
# How often an executor serving from memory looks for a new generation (a stat of CURRENT).
FOLLOW_LOCAL = 0.25
#: where the workers read: the on-disk store, an in-memory copy, or memory when it fits
SOURCES = ("disk", "memory", "auto")

__all__ = [
    "GRAPH_FORMATS",
    "LANES",
    "RESULT_FORMATS",
    "SOURCES",
    "TRUNCATED_LINK",
    "WORKER_TIME",
    "CurrentGeneration",
    "ExecResult",
    "QueryExecutor",
    "QueryInfo",
    "UpdatePlan",
    "WorkerState",
    "apply_update",
    "build_request",
    "scan_query",
    "scan_update",
    "serialize_rows",
]

log = logging.getLogger(__name__)

LANES = ("main", "lookup")
#: When set (to a one-item list), the executor adds the worker seconds of every request run
#: in this context to it: the HTTP layer charges them to the client's budget.
WORKER_TIME: contextvars.ContextVar[list[float] | None] = contextvars.ContextVar(
    "itskg_worker_time", default=None)
_LIFELINE = "itskg.graph.sparql.lifeline"


# ------------------------------------------------------------------------- the worker
# A code parameter names a concept that must exist: checked in the worker, in the same round
# trip as the query it belongs to (``Request.exists``).
EXISTS_QUERY = "ASK { { ?concept ?p ?o } UNION { ?s ?p ?concept } }"


class WorkerState:
    """What one query process keeps between requests: its store handle and small caches.

    The worker pool gives each process one; ``KnowledgeGraph`` without workers keeps one in
    the calling process. ``serve`` answers one request dict with either.
    """

    def __init__(self, store: Store, max_rows: int):
        self.store = store
        self.max_rows = max_rows
        self.graphs: set[str] | None = None
        self.scratch: dict[str, Any] = {}  # per-process caches of other tasks (network graphs)
        # a local store's CURRENT file is replaced by atomic rename on commits; a remote
        # engine is asked for its generation, at most every FOLLOW_REMOTE seconds
        self._current = generation_file(store.root) if isinstance(store.root, Path) else None
        self._seen: tuple[int, int] | None = (-1, -1)
        self._asked = -FOLLOW_REMOTE
        self._pinned = bool(getattr(store, "pinned", False))

    def follow(self) -> None:
        """Switch to the store's CURRENT generation if an import committed a new one.

        A store pinned to one generation (an in-memory copy) never switches: the executor
        swaps in workers of the next copy instead."""
        if self._pinned:
            return
        if self._current is None:
            now = time.monotonic()
            if now - self._asked >= FOLLOW_REMOTE:
                self._asked = now
                if self.store.refresh():
                    self.graphs = None
            return
        key = _stat_key(self._current)
        if key != self._seen and self.store.current_generation() != self.store.generation:
            self.store.refresh()
            self.graphs = None
        self._seen = key

    def known_graphs(self) -> set[str]:
        if self.graphs is None:
            self.graphs = set(self.store.graphs()) | {r.graph for r in self.store.layers()}
        return self.graphs

    def serve(self, req: dict[str, Any]) -> ExecResult:
        """Answer one request (``op`` sparql, or a registered task such as network)."""
        self.follow()
        op = req.get("op", "sparql")
        if op == "sparql":
            out = _execute(self.store, self.known_graphs(), req, self.max_rows)
        elif op == "named":  # a catalogue query: its parameters are checked and bound here
            from itskg.graph.sparql.catalogue import RESULT_MEDIA, named_request

            out = _execute(self.store, self.known_graphs(), named_request(req, self.max_rows),
                           self.max_rows)
            out.media_type = RESULT_MEDIA[req["fmt"]]
        elif op == "network":
            from itskg.graph.analysis.tasks import run_task

            body, media = run_task(self.store, req["task"], self.scratch)
            out = ExecResult(body, media, "network")
        elif op == "call":  # profiles, qualifications: see itskg.graph.calls
            from itskg.graph.calls import PICKLE_MEDIA, run_call

            out = ExecResult(run_call(self.store, req), PICKLE_MEDIA, "call")
        else:
            raise QueryError(f"Unknown request {op!r}.")
        out.generation = self.store.generation
        return out


def _execute(store: Store, graphs: set[str], req: dict[str, Any],
             max_rows: int) -> ExecResult:
    for g in req["check_graphs"]:
        if g not in graphs:
            raise QueryRefusedError(
                f"<{g}> is not a named graph of this store, and this endpoint never fetches "
                "remote graphs. GET /.well-known/void lists the graphs it holds."
            )
    for value, message in req.get("exists") or ():
        if not store.ask(EXISTS_QUERY, bindings={"concept": IRI(value)}):
            raise UnknownValueError(message)  # well formed, not in the graph: 404
    kw: dict[str, Any] = {"default_graphs": req["default_graphs"] or None,
          "named_graphs": req["named_graphs"] or None, "bindings": req.get("bindings") or None}
    capped = bool(req["capped"])
    try:
        res = store.query(req["capped"] or req["sparql"], **kw)
    except QuerySyntaxError:
        if not capped:
            raise
        capped = False
        res = store.query(req["sparql"], **kw)  # our LIMIT did not fit: run the text as sent
    fmt = req["fmt"]
    rows_json = fmt == "rows"
    if rows_json:
        fmt = "json"
    kinds = GRAPH_FORMATS if res.kind == "graph" else RESULT_FORMATS
    if fmt not in kinds:
        raise QueryParameterError(f"Format {fmt!r} does not fit a {res.kind} query result.")
    buf = io.BytesIO()
    res.serialize(fmt, buf)
    if res.kind != "select":
        if rows_json:
            return ExecResult(rows_from_sparql_json(buf.getvalue()), ROWS_MEDIA, req["form"])
        return ExecResult(buf.getvalue(), kinds[fmt], req["form"])
    body, cut, rows = _trim(buf.getvalue(), fmt, max_rows, one_extra=capped)
    if rows_json:
        return ExecResult(rows_from_sparql_json(body), ROWS_MEDIA, "select", cut, rows)
    return ExecResult(body, kinds[fmt], "select", cut, rows)


def _stat_key(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_mtime_ns)


class CurrentGeneration:
    """The generation a local store's CURRENT file names, read again only when the file changed.

    A commit replaces CURRENT by atomic rename (``itskg.graph.store``), so one stat per call
    tells whether the name changed; the file is read only then. This is what keys the
    per-generation answer cache of ``KnowledgeGraph`` (every request asks it), the same stat
    a worker makes before each request (``WorkerState.follow``).

    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> gen = CurrentGeneration(root)
    >>> gen(), (root / "CURRENT").write_text("g1"), gen()
    (None, 2, 'g1')
    """

    def __init__(self, root: Path | str):
        self.root = Path(root)
        self.path = generation_file(self.root)
        self._key: tuple[int, int] | None = (-1, -1)
        self._gen: str | None = None

    def __call__(self) -> str | None:
        key = _stat_key(self.path)
        if key != self._key:
            # stat first, then read: a commit between the two is seen on the next call
            self._gen, self._key = current_generation(self.root), key
        return self._gen


def _limit_memory(memory_mb: int) -> None:
    if memory_mb > 0:
        import resource

        limit = memory_mb << 20
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _worker_main(conn: Any, target: Any, max_rows: int, parent: int = 0,
                 memory_mb: int = 0) -> None:
    from itskg.graph.sparql.lifeline import die_with_parent, set_process_name

    die_with_parent(parent or None)  # SIGKILL when the forkserver (and so the server) dies
    set_process_name("itskg-disk-wrk")
    try:
        _limit_memory(memory_mb)
        state = WorkerState(open_store(target) if isinstance(target, Settings)
                            else KnowledgeStore.open(target), max_rows)
    except BaseException as err:  # report why the worker cannot start
        conn.send(("fail", err if isinstance(err, ItskgError) else StoreError(str(err))))
        return
    conn.send(("ready", os.getpid()))
    serve_connection(conn, state)


def serve_connection(conn: Any, state: WorkerState) -> None:
    """A worker's loop: answer each request of ``conn`` with ``state`` until None or EOF.

    First the worker gets ready for its first request: the named queries are prepared
    (``catalogue.prepare``: the catalogue read, each text scanned; a no-op when the process
    was forked from one that did it) and the store's graph list read (every request checks
    its dataset against it), so the first request a new worker gets does not pay them
    (250 ms and 10 ms measured; every round of the read-path benchmark starts new workers)."""
    from itskg.graph.sparql.catalogue import prepare

    try:
        prepare()
        state.known_graphs()
    except Exception:  # a broken catalogue, an engine not answering: requests will say so
        log.exception("getting the query worker ready failed; it serves requests anyway")
    while True:
        try:
            req = conn.recv()
        except (EOFError, OSError):
            return
        if req is None:
            return
        try:
            conn.send(("ok", state.serve(req)))
        except ItskgError as err:
            conn.send(("err", err))
        except Exception as err:
            conn.send(("err", QueryError(f"The query failed: {type(err).__name__}: {err}")))


def build_request(sparql: str, fmt: str | None, max_rows: int, *,
                  default_graphs: Sequence[str] = (), named_graphs: Sequence[str] = (),
                  info: QueryInfo | None = None, bindings: Mapping[str, Any] | None = None,
                  exists: Sequence[tuple[str, str]] = ()) -> dict[str, Any]:
    """A SPARQL request for ``WorkerState.serve`` (see ``QueryExecutor.request``).

    Raises QueryParameterError when ``fmt`` does not fit the query form.
    """
    info = info or scan_query(sparql)
    fmt = fmt or ("turtle" if info.is_graph else "json")
    fits = GRAPH_FORMATS if info.is_graph else {**RESULT_FORMATS, "rows": ROWS_MEDIA}
    if fmt not in fits and info.form in ("select", "ask", "construct", "describe"):
        raise QueryParameterError(f"Format {fmt!r} does not fit a {info.form.upper()} query.")
    return {"op": "sparql", "sparql": sparql, "fmt": fmt, "form": info.form,
            "capped": info.capped(sparql, max_rows),
            "default_graphs": list(default_graphs), "named_graphs": list(named_graphs),
            "check_graphs": [*default_graphs, *named_graphs, *info.from_graphs,
                             *info.from_named_graphs],
            "bindings": dict(bindings or {}), "exists": list(exists)}


class _Died(Exception):
    """Internal: the worker died under the request (``code``: its exit code)."""

    def __init__(self, code: int | None) -> None:
        super().__init__(code)
        self.code = code


class _Overran(Exception):
    """Internal: a lookup-lane request overran ``lookup_timeout`` after ``seconds``."""

    def __init__(self, seconds: float) -> None:
        super().__init__(seconds)
        self.seconds = seconds


@dataclass(eq=False)
class _Pool:
    """The workers over one source: the on-disk store (following CURRENT by themselves) or
    one in-memory copy of a generation (forked from its ``template``)."""

    source: str
    generation: str | None = None
    template: Template | None = None
    idle: dict[str, queue.Queue[_Worker]] = field(
        default_factory=lambda: {lane: queue.Queue() for lane in LANES})
    workers: set[_Worker] = field(default_factory=set)
    retired: bool = False
    lost: bool = False  # its template died


@dataclass(eq=False)
class _Worker:
    proc: Any
    conn: Any
    lane: str = "main"
    pool: _Pool | None = None
    poller: Any = None
    gone: bool = False  # discarded (its process object may be closed)

    def wait(self, seconds: float) -> bool:
        """True when an answer is ready within ``seconds`` (one poll(2), no selector setup)."""
        if self.poller is None:
            self.poller = select.poll()
            self.poller.register(self.conn.fileno(), select.POLLIN)
        return bool(self.poller.poll(max(0, int(seconds * 1000))))


class QueryExecutor:
    """Runs SPARQL queries in ``workers`` killable processes over the store at ``store_path``.

    ``source``: ``disk`` (each worker opens the on-disk store and follows CURRENT), ``memory``
    (a template process copies the current generation into memory and the workers are forked
    from it; a new generation is copied in the background and swapped in when ready) or
    ``auto`` (memory when the copy's estimate fits ``memory_budget_mb``, else disk, with a log
    line saying why). A remote store is always forwarded (``disk``: no copy).

    >>> with QueryExecutor(path, workers=2, timeout=30) as ex:   # doctest: +SKIP
    ...     ex.run("SELECT * { ?s ?p ?o } LIMIT 1", "json").body
    """

    def __init__(self, store_path: Path | str, *, workers: int = 2, timeout: float = 30.0,
                 max_rows: int = 100_000, start_timeout: float = 60.0,
                 settings: Settings | None = None, lookup_workers: int = 0,
                 lookup_timeout: float = 2.0, memory_mb: int = 0, source: str = "disk",
                 memory_budget_mb: int = 0, load_timeout: float = 3600.0):
        if source not in SOURCES:
            raise ValueError(f"unknown source {source!r}; use one of {SOURCES}")
        self.store_path = Path(store_path)
        # with ``settings``, workers open its store (a directory or a remote engine)
        self.target: Any = settings if settings is not None else str(self.store_path)
        self.remote = settings is not None and settings.remote
        self.timeout = timeout
        self.max_rows = max_rows
        self.start_timeout = start_timeout
        self.lookup_timeout = min(lookup_timeout, timeout)
        self.memory_mb = memory_mb
        self.source = "disk" if self.remote else source
        self.memory_budget_mb = memory_budget_mb
        self.load_timeout = load_timeout
        self.sizes = {"main": workers, "lookup": lookup_workers}
        self._ctx = mp.get_context("forkserver")
        self._ctx.set_forkserver_preload([__name__, _LIFELINE])
        self._lock = threading.Lock()
        self._closed = False
        self._pools: set[_Pool] = set()
        self._failed: set[str] = set()  # generations whose copy could not be made
        self._current = generation_file(self.store_path)
        self._fresh_key = _stat_key(self._current)  # CURRENT as the serving pool knows it
        self._wake = threading.Event()
        #: what the executor serves from now (``serving``)
        self.status: dict[str, Any] = {"source": "disk", "generation": None}
        gen = None if self.remote else current_generation(self.store_path)
        pool: _Pool | None = None
        if gen is not None and self._choose(gen) == "memory":
            pool = self._memory_pool(gen, fallback=self.source == "auto")
        try:
            self._pool = pool or self._disk_pool()
        except BaseException:
            self.close()
            raise
        if self.source != "disk":
            threading.Thread(target=self._watch, name="itskg-generation-watch",
                             daemon=True).start()

    # ------------------------------------------------------------ sources and pools
    def _choose(self, gen: str) -> str:
        """``memory`` or ``disk`` for ``gen`` by the source setting and the memory budget."""
        if self.source == "disk":
            return "disk"
        from itskg.graph.backends.memory import estimate_mb, manifest_quads

        need = estimate_mb(self.store_path, gen)
        if self.memory_budget_mb and need > self.memory_budget_mb:
            quads = manifest_quads(self.store_path, gen)
            if self.source == "memory":
                log.warning("serving generation %s from memory (ITSKG_SERVE_FROM=memory) "
                            "although its copy needs about %d MiB (%d quads), over "
                            "ITSKG_SERVE_MEMORY_BUDGET_MB=%d", gen, need, quads,
                            self.memory_budget_mb)
                return "memory"
            log.warning("serving generation %s from disk: its in-memory copy needs about "
                        "%d MiB (%d quads), over the memory budget of %d MiB; raise "
                        "ITSKG_SERVE_MEMORY_BUDGET_MB (or set ITSKG_SERVE_FROM=memory) to "
                        "serve it from memory, which answers about 4x faster",
                        gen, need, quads, self.memory_budget_mb)
            return "disk"
        return "memory"

    def _forkserver_pid(self) -> int:
        from multiprocessing import forkserver

        forkserver.ensure_running()
        return getattr(forkserver._forkserver, "_forkserver_pid", None) or 0

    def _disk_pool(self) -> _Pool:
        pool = _Pool("disk")
        self._fill(pool)
        self.status = {"source": "disk", "generation": None}
        return pool

    def _memory_pool(self, gen: str, fallback: bool) -> _Pool | None:
        """A pool of workers forked from a new in-memory copy of ``gen``; with ``fallback``,
        None (logged) when the copy cannot be made, else its StoreError."""
        from itskg.graph.sparql.template import Template

        t0 = time.monotonic()
        template = Template(self._ctx, self.store_path, gen, self._forkserver_pid())
        try:
            info = template.wait_ready(self.load_timeout)
            pool = _Pool("memory", gen, template)
            self._fill(pool)
        except ItskgError as err:
            template.close()
            self._failed.add(gen)
            if not fallback:
                raise
            log.warning("serving generation %s from disk: its in-memory copy failed (%s); "
                        "set ITSKG_SERVE_FROM=disk to skip the copy", gen, err)
            return None
        self.status = {"source": "memory", "generation": gen, "quads": info.get("quads"),
                       "load_seconds": round(time.monotonic() - t0, 2),
                       "template_pid": template.pid}
        log.info("serving generation %s from memory: %s quads copied in %.1f s", gen,
                 info.get("quads"), time.monotonic() - t0)
        return pool

    def _fill(self, pool: _Pool) -> None:
        """Start the pool's workers and wait until every one is ready."""
        with self._lock:
            self._pools.add(pool)
        started = [self._spawn(lane, pool) for lane in LANES for _ in range(self.sizes[lane])]
        try:
            for w in started:
                self._await_ready(w)
                pool.idle[w.lane].put(w)
        except BaseException:
            self._retire(pool)
            raise

    def _stale(self) -> bool:
        """True when an import committed a generation that the in-memory pool does not
        serve yet (the watcher is woken; the caller waits for it)."""
        if self._pool.source != "memory":
            return False  # disk workers follow CURRENT by themselves
        if _stat_key(self._current) == self._fresh_key:
            return False
        self._wake.set()
        return True

    def _watch(self) -> None:
        """Follow CURRENT. A new generation is served from disk at once (a bridge pool, so a
        query that arrives after a commit sees it), copied into memory in the background
        and swapped in when the copy is ready."""
        while not self._closed:
            self._wake.wait(FOLLOW_LOCAL)
            self._wake.clear()
            key = _stat_key(self._current)
            if key == self._fresh_key or self._closed:
                continue
            gen = current_generation(self.store_path)
            try:
                pool = self._pool
                if gen is None or (pool.source == "memory" and pool.generation == gen):
                    continue
                if pool.source == "memory":
                    self._swap(self._disk_pool())
            except Exception:  # never let the watcher die; queries keep the old pool
                log.exception("starting the on-disk workers for generation %s failed; it is "
                              "served once its in-memory copy is ready", gen)
            finally:
                self._fresh_key = key
            if gen is None or gen in self._failed or self._choose(gen) == "disk":
                continue
            try:
                new = self._memory_pool(gen, fallback=True)
            except Exception:
                log.exception("loading generation %s into memory failed", gen)
                continue
            if new is None:
                continue
            if self._closed or current_generation(self.store_path) != gen:
                self._retire(new)  # a newer generation came meanwhile: copy that one next
                continue
            self._swap(new)

    def _template_lost(self, pool: _Pool) -> None:
        """The template of ``pool`` died (killed, out of memory): serve from disk at once and
        have the watcher copy the generation into memory again."""
        with self._lock:
            if pool.lost:
                return
            pool.lost = True
            current = self._pool is pool
        log.warning("the in-memory template of generation %s stopped (exit code %s); "
                    "serving from disk while it is copied again", pool.generation,
                    pool.template.proc.exitcode if pool.template else None)
        if current and not self._closed:
            try:
                self._swap(self._disk_pool())
            except Exception:
                log.exception("starting on-disk workers failed")
            self._fresh_key = (-1, -1)  # the watcher reloads CURRENT into memory
            self._wake.set()

    def _swap(self, new: _Pool) -> None:
        """Serve from ``new`` from now on; the old pool retires as its workers get idle."""
        with self._lock:
            old, self._pool = self._pool, new
        log.info("query workers now serve %s", new.generation or "the on-disk store")
        self._retire(old)

    def _retire(self, pool: _Pool) -> None:
        """Stop the pool's idle workers now, its busy ones after their answer; then its
        template. Its waiting requests look again (at the pool now serving)."""
        pool.retired = True
        for idle in pool.idle.values():
            while True:
                try:
                    w = idle.get_nowait()
                except queue.Empty:
                    break
                self._stop(w)
        self._release_pool(pool)

    def _release_pool(self, pool: _Pool) -> None:
        with self._lock:
            done = pool.retired and not pool.workers and pool in self._pools
            if done:
                self._pools.discard(pool)
        if done and pool.template is not None:
            threading.Thread(target=pool.template.close, name="itskg-template-close",
                             daemon=True).start()

    # ------------------------------------------------------------ pool management
    def _spawn(self, lane: str, pool: _Pool) -> _Worker:
        proc: Any
        if pool.template is not None:
            conn, proc = pool.template.fork(lane, self.max_rows, self.memory_mb)
            w = _Worker(proc, conn, lane, pool)
        else:
            parent_pid = self._forkserver_pid()  # the workers' parent
            parent, child = self._ctx.Pipe()
            proc = self._ctx.Process(target=_worker_main, name=f"itskg-query-worker-{lane}",
                                     daemon=True, args=(child, self.target, self.max_rows,
                                                        parent_pid, self.memory_mb))
            proc.start()
            child.close()
            w = _Worker(proc, parent, lane, pool)
        with self._lock:
            pool.workers.add(w)
        return w

    def _await_ready(self, w: _Worker) -> None:
        msg: Any = ("fail", StoreError(
            f"A query worker did not start within {self.start_timeout:g} s."))
        try:
            if w.conn.poll(self.start_timeout):
                msg = w.conn.recv()
        except (EOFError, OSError):
            w.proc.join(5)
            msg = ("fail", StoreError(
                f"A query worker exited while starting (exit code {w.proc.exitcode}); "
                "see the log above. A script that starts itskg must guard its entry point "
                "with 'if __name__ == \"__main__\":'."))
        if msg[0] != "ready":
            self._discard(w)
            raise msg[1]

    def _discard(self, w: _Worker) -> None:
        pool = w.pool
        with self._lock:
            if w.gone:
                return
            w.gone = True
            if pool is not None:
                pool.workers.discard(w)
        if w.proc.is_alive():
            w.proc.kill()
        w.proc.join(5)
        w.conn.close()
        with contextlib.suppress(ValueError, AttributeError):
            w.proc.close()
        if pool is not None:
            self._release_pool(pool)

    def _stop(self, w: _Worker) -> None:
        """Stop an idle worker politely (kill it if it does not leave at once)."""
        with contextlib.suppress(OSError, ValueError):
            w.conn.send(None)
            w.proc.join(1)
        self._discard(w)

    def _release(self, w: _Worker) -> None:
        """An answered worker goes back to its pool's idle queue, or stops when its pool
        retired."""
        pool = w.pool
        if pool is None or pool.retired or self._closed:
            self._stop(w)
        else:
            pool.idle[w.lane].put(w)

    def _replace(self, w: _Worker) -> None:
        """Kill ``w`` now; start its replacement in the background (a fork of the template
        when its pool serves from memory)."""
        self._discard(w)
        pool = w.pool
        if pool is None or pool.retired:
            return
        if pool.template is not None and not pool.template.alive():
            self._retire(pool)  # its workers died with it: none may take a request now
            threading.Thread(target=self._template_lost, args=(pool,), daemon=True).start()
            return

        def start() -> None:
            for attempt in range(5):
                if self._closed or pool.retired:
                    return
                if pool.template is not None and not pool.template.alive():
                    self._template_lost(pool)
                    return
                try:
                    nw = self._spawn(w.lane, pool)
                    self._await_ready(nw)
                except Exception:
                    log.exception("query worker restart failed (attempt %d)", attempt + 1)
                    time.sleep(1)
                    continue
                self._release(nw)
                return

        threading.Thread(target=start, name="itskg-worker-restart", daemon=True).start()

    @property
    def pids(self) -> list[int]:
        """Process ids of the live workers (busy or idle), of every pool."""
        with self._lock:
            return sorted(w.proc.pid for p in self._pools for w in p.workers)

    @property
    def serving(self) -> dict[str, Any]:
        """What the workers serve from: ``source`` (memory or disk), ``generation`` (of the
        in-memory copy), its ``quads`` and ``load_seconds``."""
        return dict(self.status)

    # ------------------------------------------------------------------- running
    def request(self, sparql: str, fmt: str | None = None, *,
                default_graphs: Sequence[str] = (), named_graphs: Sequence[str] = (),
                info: QueryInfo | None = None, bindings: Mapping[str, Any] | None = None,
                exists: Sequence[tuple[str, str]] = ()) -> dict[str, Any]:
        """The request a worker answers: the query, its bindings and the checks it needs.

        ``bindings`` (variable -> value, see ``terms.to_term``) are bound by the engine in
        the worker; ``exists`` lists (IRI, error message) pairs the worker checks first, in
        the same round trip. ``fmt`` may also be ``rows`` (a JSON list of row objects).
        """
        return build_request(sparql, fmt, self.max_rows, default_graphs=default_graphs,
                             named_graphs=named_graphs, info=info, bindings=bindings,
                             exists=exists)

    def _busy_error(self) -> QueryTimeoutError:
        return QueryTimeoutError(
            f"All query workers stayed busy for {self.timeout:g} s; try again later "
            "(more workers: ITSKG_QUERY_WORKERS)."
        )

    def _timed_out(self, w: _Worker) -> QueryTimeoutError:
        self._replace(w)
        return QueryTimeoutError(
            f"The query ran longer than {self.timeout:g} s and was stopped. Add LIMIT or "
            "narrow its patterns; the server's limit is set by ITSKG_QUERY_TIMEOUT."
        )

    def _died(self, w: _Worker) -> _Died:
        w.proc.join(0.5)  # reap it, so the exit code is known
        code = w.proc.exitcode
        self._replace(w)
        return _Died(code)

    def _crashed(self, died: _Died) -> WorkerCrashedError:
        why = f"killed by signal {-died.code}" if died.code and died.code < 0 else (
            f"exit code {died.code}")
        limit = (f" or its memory limit of {self.memory_mb} MiB (ITSKG_WORKER_MEMORY_MB)"
                 if self.memory_mb else "")
        return WorkerCrashedError(
            f"The query worker stopped twice under this request ({why}); both workers were "
            f"replaced. The query may exhaust the engine's stack{limit}: add LIMIT or "
            "simplify it, then retry.")

    def _answer(self, w: _Worker) -> ExecResult:
        try:
            status, payload = w.conn.recv()
        except (EOFError, OSError) as err:
            raise self._died(w) from err
        self._release(w)
        if status == "err":
            raise payload
        return payload

    def _lane(self, lane: str) -> str:
        if lane not in LANES:
            raise ValueError(f"unknown lane {lane!r}; use one of {LANES}")
        return "lookup" if lane == "lookup" and self.lookup_workers else "main"

    @property
    def lookup_workers(self) -> int:
        """Live workers of the lookup lane."""
        with self._lock:
            return sum(1 for w in self._pool.workers if w.lane == "lookup")

    @staticmethod
    def _charge(seconds: float) -> None:
        acc = WORKER_TIME.get()
        if acc is not None:
            acc[0] += seconds

    def run(self, sparql: str, fmt: str | None = None, *, default_graphs: Sequence[str] = (),
            named_graphs: Sequence[str] = (), info: QueryInfo | None = None,
            bindings: Mapping[str, Any] | None = None, lane: str = "main") -> ExecResult:
        """Run one query; ``fmt`` is a key of RESULT_FORMATS or GRAPH_FORMATS (None: json/turtle).

        ``info`` is ``scan_query(sparql)`` when the caller has it already (to pick ``fmt``).
        Waits up to ``timeout`` for an idle worker, then up to ``timeout`` for the answer.
        Raises QuerySyntaxError, QueryRefusedError, QueryTimeoutError, WorkerCrashedError,
        QueryError.
        """
        return self.submit(self.request(sparql, fmt, default_graphs=default_graphs,
                                        named_graphs=named_graphs, info=info, bindings=bindings),
                           lane=lane)

    async def arun(self, sparql: str, fmt: str | None = None, *,
                   default_graphs: Sequence[str] = (), named_graphs: Sequence[str] = (),
                   info: QueryInfo | None = None,
                   bindings: Mapping[str, Any] | None = None, lane: str = "main"
                   ) -> ExecResult:
        """``run`` for an asyncio event loop: waits on the worker's pipe without a thread."""
        return await self.asubmit(self.request(
            sparql, fmt, default_graphs=default_graphs, named_graphs=named_graphs, info=info,
            bindings=bindings), lane=lane)

    # -- one attempt on one worker (sync and async); the drivers add retry and lane moves
    def _attempt(self, req: dict[str, Any], lane: str, limit: float) -> ExecResult:
        wait = self.lookup_timeout if lane == "lookup" else self.timeout
        deadline = time.monotonic() + wait
        while True:  # a swap of pools moves the waiters to the new one
            if self._stale() and time.monotonic() < deadline:
                time.sleep(0.01)
                continue
            try:
                w = self._pool.idle[lane].get(timeout=max(0.0, min(
                    0.1, deadline - time.monotonic())))
                break
            except queue.Empty:
                if time.monotonic() < deadline:
                    continue
                if lane == "lookup":
                    raise _Overran(0.0) from None
                raise self._busy_error() from None
        t0 = time.monotonic()
        try:
            try:
                w.conn.send(req)
                ready = w.wait(limit)
            except OSError as err:
                raise self._died(w) from err
            if not ready:
                if lane == "lookup":
                    self._replace(w)
                    raise _Overran(time.monotonic() - t0)
                raise self._timed_out(w)
            return self._answer(w)
        finally:
            self._charge(time.monotonic() - t0)

    async def _idle_worker(self, lane: str) -> _Worker:
        """An idle worker of ``lane``, waited for on the event loop (no thread per waiter:
        16 queued slow queries must not take the threads the fast lane needs)."""
        wait = self.lookup_timeout if lane == "lookup" else self.timeout
        deadline, pause = time.monotonic() + wait, 0.002
        while True:
            try:
                if self._stale() and time.monotonic() < deadline:
                    raise queue.Empty  # an import committed: wait for the pool that serves it
                return self._pool.idle[lane].get_nowait()
            except queue.Empty:
                if time.monotonic() >= deadline:
                    if lane == "lookup":
                        raise _Overran(0.0) from None
                    raise self._busy_error() from None
                await asyncio.sleep(pause)
                pause = min(pause * 2, 0.05)

    async def _aattempt(self, req: dict[str, Any], lane: str, limit: float) -> ExecResult:
        w = await self._idle_worker(lane)
        loop = asyncio.get_running_loop()
        ready: asyncio.Future[None] = loop.create_future()
        fd = w.conn.fileno()

        def settle(exc: BaseException | None = None) -> None:
            if not ready.done():
                ready.set_result(None) if exc is None else ready.set_exception(exc)

        t0 = time.monotonic()
        try:
            w.conn.send(req)
            loop.add_reader(fd, settle)
            timer = loop.call_later(limit, settle, TimeoutError())  # cheaper than wait_for
            try:
                await ready
            finally:
                timer.cancel()
                loop.remove_reader(fd)
                # uvloop's add_reader leaves the fd non-blocking: a large answer would then
                # fail in recv() with EAGAIN.
                os.set_blocking(fd, True)
        except TimeoutError:
            self._charge(time.monotonic() - t0)
            if lane == "lookup":
                self._replace(w)
                raise _Overran(time.monotonic() - t0) from None
            raise self._timed_out(w) from None
        except asyncio.CancelledError:  # client went away: the worker may be mid-query
            self._charge(time.monotonic() - t0)
            self._replace(w)
            raise
        except OSError as err:
            self._charge(time.monotonic() - t0)
            raise self._died(w) from err
        try:
            return self._answer(w)
        finally:
            self._charge(time.monotonic() - t0)

    def _deadline(self, req: dict[str, Any]) -> float:
        """``timeout``, times the request's ``timeout_factor`` (set by the library for work
        known to take longer than one query, e.g. a profile: never by a client)."""
        return self.timeout * max(1.0, float(req.get("timeout_factor", 1.0)))

    def _attempts(self, req: dict[str, Any], lane: str) -> Generator[tuple[str, float], None,
                                                                      None]:
        """Drive one request's attempts: yields (lane, time limit) for each attempt; the
        caller runs it (``_attempt`` or ``_aattempt``) and throws ``_Overran`` or ``_Died``
        back in. A look-up that overran moves to the main lane with the time left; a worker
        that died is retried once (requests are read-only), a second death raises
        WorkerCrashedError. ``submit`` and ``asubmit`` share it, as ``KnowledgeGraph.read``
        and ``aread`` share their reading driver."""
        if self._closed:
            raise QueryError("The query executor is closed.")
        lane, left, retried = self._lane(lane), self._deadline(req), False
        while True:
            try:
                yield lane, self.lookup_timeout if lane == "lookup" else left
            except _Overran as o:
                lane, left = "main", max(0.1, left - o.seconds)
            except _Died as d:
                if retried:
                    raise self._crashed(d) from None
                log.warning("query worker died (exit code %s); retrying once", d.code)
                retried = True

    def submit(self, req: dict[str, Any], lane: str = "main") -> ExecResult:
        """Send a prepared request (``request()``, or a task) to a worker; same limits as run.

        ``lane="lookup"`` tries the fast lane first. A worker that dies under the request is
        replaced and the request retried once (requests are read-only).
        """
        steps = self._attempts(req, lane)
        attempt = next(steps)
        while True:
            try:
                return self._attempt(req, *attempt)
            except (_Overran, _Died) as err:
                attempt = steps.throw(err)  # the next attempt, or the request's error

    async def asubmit(self, req: dict[str, Any], lane: str = "main") -> ExecResult:
        """``submit`` for an asyncio event loop (no thread hop, saves two thread switches)."""
        steps = self._attempts(req, lane)
        attempt = next(steps)
        while True:
            try:
                return await self._aattempt(req, *attempt)
            except (_Overran, _Died) as err:
                attempt = steps.throw(err)

    def close(self) -> None:
        """Stop every worker (idle ones politely, busy ones by kill) and every template."""
        self._closed = True
        with self._lock:
            pools = list(self._pools)
            workers = [w for p in pools for w in p.workers]
        for w in workers:
            with contextlib.suppress(OSError, ValueError):
                w.conn.send(None)
        for w in workers:
            with contextlib.suppress(ValueError):  # closed by a concurrent discard
                if not w.gone:
                    w.proc.join(1)
            self._discard(w)
        for p in pools:
            p.retired = True
            if p.template is not None:
                p.template.close()
        with self._lock:
            self._pools.clear()

    def __enter__(self) -> QueryExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# -------------------------------------------------------------------------- updates
def apply_update(target: Path | str | Settings, plan: UpdatePlan) -> list[str]:
    """Apply the DROP/CLEAR GRAPH operations of ``plan`` as one new store generation.

    ``target``: a store directory, or Settings (their store: a directory or a remote engine).
    Each graph must be a loaded layer (not the derived ``inferred`` or ``meta`` graphs);
    returns the sources removed. Other operations must be rejected before calling this.
    """
    if plan.unsupported:
        raise QueryRefusedError(f"Cannot apply {', '.join(plan.unsupported)} to the store.")
    opened = open_store(target, read_only=False) if isinstance(target, Settings) else \
        KnowledgeStore.open(target, read_only=False)
    with opened as store:
        by_graph = {r.graph: r.source for r in store.layers()}
        sources: list[str] = []
        for g, silent in plan.drop_graphs:
            if g in (INFERRED_GRAPH, META_GRAPH):
                raise QueryRefusedError(
                    f"<{g}> is computed by the store on every commit and cannot be dropped.")
            if g not in by_graph:
                if silent:
                    continue
                raise QueryParameterError(f"No graph <{g}> in the store (use DROP SILENT).")
            sources.append(by_graph[g])
        if sources:
            store.remove_layers(sources)
        return sources
