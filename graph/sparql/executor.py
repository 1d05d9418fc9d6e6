"""Killable SPARQL execution: a small pool of worker processes, each with its own store handle.

The engine cannot cancel a running query, so a hard time limit needs a process to kill.
``QueryExecutor`` keeps ``workers`` processes (multiprocessing *forkserver* context, never fork
after threads); each opens ``KnowledgeStore.open(store_path)`` read-only once and reuses it.
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

Refused before anything runs (``QueryRefusedError``): SERVICE (the engine would fetch remote
endpoints), LOAD, and FROM / FROM NAMED / protocol dataset IRIs that are not named graphs or
layers of the store (nothing remote is ever fetched). ``scan_query`` is a small SPARQL
tokenizer that skips strings, comments, IRIs and variables, so ``"SERVICE"`` in a literal is
harmless.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import multiprocessing as mp
import os
import queue
import select
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

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
from itskg.graph.store import KnowledgeStore, generation_file
from itskg.graph.terms import IRI

if TYPE_CHECKING:  # pragma: no cover
    from itskg.graph.backends.interface import Store

# How often a worker asks a remote engine for its generation (a local store is followed by a
# stat of its CURRENT file on every request).
FOLLOW_REMOTE = 1.0

__all__ = [
    "GRAPH_FORMATS",
    "RESULT_FORMATS",
    "TRUNCATED_LINK",
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


@dataclass
class ExecResult:
    """A serialised query answer: bytes plus what the HTTP layer needs to describe it."""

    body: bytes
    media_type: str
    form: str
    truncated: bool = False
    rows: int | None = None
    generation: str | None = None


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

    def follow(self) -> None:
        """Switch to the store's CURRENT generation if an import committed a new one."""
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
        elif op == "network":
            from itskg.graph.analysis.tasks import run_task

            body, media = run_task(self.store, req["task"], self.scratch)
            out = ExecResult(body, media, "network")
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
            raise QueryParameterError(message)
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


def _worker_main(conn: Any, target: Any, max_rows: int) -> None:
    try:
        state = WorkerState(open_store(target) if isinstance(target, Settings)
                            else KnowledgeStore.open(target), max_rows)
    except BaseException as err:  # report why the worker cannot start
        conn.send(("fail", err if isinstance(err, ItskgError) else StoreError(str(err))))
        return
    conn.send(("ready", os.getpid()))
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


@dataclass(eq=False)
class _Worker:
    proc: Any
    conn: Any
    poller: Any = None

    def wait(self, seconds: float) -> bool:
        """True when an answer is ready within ``seconds`` (one poll(2), no selector setup)."""
        if self.poller is None:
            self.poller = select.poll()
            self.poller.register(self.conn.fileno(), select.POLLIN)
        return bool(self.poller.poll(max(0, int(seconds * 1000))))


class QueryExecutor:
    """Runs SPARQL queries in ``workers`` killable processes over the store at ``store_path``.

    >>> with QueryExecutor(path, workers=2, timeout=30) as ex:   # doctest: +SKIP
    ...     ex.run("SELECT * { ?s ?p ?o } LIMIT 1", "json").body
    """

    def __init__(self, store_path: Path | str, *, workers: int = 2, timeout: float = 30.0,
                 max_rows: int = 100_000, start_timeout: float = 60.0,
                 settings: Settings | None = None):
        self.store_path = Path(store_path)
        # with ``settings``, workers open its store (a directory or a remote engine)
        self.target: Any = settings if settings is not None else str(self.store_path)
        self.timeout = timeout
        self.max_rows = max_rows
        self.start_timeout = start_timeout
        self._ctx = mp.get_context("forkserver")
        self._ctx.set_forkserver_preload([__name__])
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._workers: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        started = [self._spawn() for _ in range(workers)]
        try:
            for w in started:
                self._await_ready(w)
                self._idle.put(w)
        except BaseException:
            self.close()
            raise

    # ------------------------------------------------------------ pool management
    def _spawn(self) -> _Worker:
        parent, child = self._ctx.Pipe()
        proc = self._ctx.Process(target=_worker_main, name="itskg-query-worker", daemon=True,
                                 args=(child, self.target, self.max_rows))
        proc.start()
        child.close()
        w = _Worker(proc, parent)
        with self._lock:
            self._workers.add(w)
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
        with self._lock:
            self._workers.discard(w)
        if w.proc.is_alive():
            w.proc.kill()
        w.proc.join(5)
        w.conn.close()

    def _replace(self, w: _Worker) -> None:
        """Kill ``w`` now; start its replacement in the background."""
        self._discard(w)

        def start() -> None:
            for attempt in range(5):
                if self._closed:
                    return
                try:
                    nw = self._spawn()
                    self._await_ready(nw)
                except Exception:
                    log.exception("query worker restart failed (attempt %d)", attempt + 1)
                    time.sleep(1)
                    continue
                if self._closed:
                    self._discard(nw)
                else:
                    self._idle.put(nw)
                return

        threading.Thread(target=start, name="itskg-worker-restart", daemon=True).start()

    @property
    def pids(self) -> list[int]:
        """Process ids of the live workers (busy or idle)."""
        with self._lock:
            return sorted(w.proc.pid for w in self._workers)

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

    def _died(self, w: _Worker) -> QueryError:
        code = w.proc.exitcode
        self._replace(w)
        return QueryError(
            f"The query worker stopped unexpectedly (exit code {code}); it is being "
            "restarted. If this repeats, the query may exhaust memory: add LIMIT."
        )

    def _answer(self, w: _Worker) -> ExecResult:
        try:
            status, payload = w.conn.recv()
        except (EOFError, OSError) as err:
            raise self._died(w) from err
        self._idle.put(w)
        if status == "err":
            raise payload
        return payload

    def run(self, sparql: str, fmt: str | None = None, *, default_graphs: Sequence[str] = (),
            named_graphs: Sequence[str] = (), info: QueryInfo | None = None,
            bindings: Mapping[str, Any] | None = None) -> ExecResult:
        """Run one query; ``fmt`` is a key of RESULT_FORMATS or GRAPH_FORMATS (None: json/turtle).

        ``info`` is ``scan_query(sparql)`` when the caller has it already (to pick ``fmt``).
        Waits up to ``timeout`` for an idle worker, then up to ``timeout`` for the answer.
        Raises QuerySyntaxError, QueryRefusedError, QueryTimeoutError, QueryError.
        """
        return self.submit(self.request(sparql, fmt, default_graphs=default_graphs,
                                        named_graphs=named_graphs, info=info, bindings=bindings))

    async def arun(self, sparql: str, fmt: str | None = None, *,
                   default_graphs: Sequence[str] = (), named_graphs: Sequence[str] = (),
                   info: QueryInfo | None = None,
                   bindings: Mapping[str, Any] | None = None) -> ExecResult:
        """``run`` for an asyncio event loop: waits on the worker's pipe without a thread."""
        return await self.asubmit(self.request(
            sparql, fmt, default_graphs=default_graphs, named_graphs=named_graphs, info=info,
            bindings=bindings))

    def submit(self, req: dict[str, Any]) -> ExecResult:
        """Send a prepared request (``request()``, or a task) to a worker; same limits as run."""
        if self._closed:
            raise QueryError("The query executor is closed.")
        try:
            w = self._idle.get(timeout=self.timeout)
        except queue.Empty:
            raise self._busy_error() from None
        try:
            w.conn.send(req)
            ready = w.wait(self.timeout)
        except OSError as err:
            raise self._died(w) from err
        if not ready:
            raise self._timed_out(w)
        return self._answer(w)

    async def asubmit(self, req: dict[str, Any]) -> ExecResult:
        """``submit`` for an asyncio event loop (no thread hop, saves two thread switches)."""
        if self._closed:
            raise QueryError("The query executor is closed.")
        try:
            w = self._idle.get_nowait()
        except queue.Empty:
            loop = asyncio.get_running_loop()
            try:
                w = await loop.run_in_executor(None, self._idle.get, True, self.timeout)
            except queue.Empty:
                raise self._busy_error() from None
        loop = asyncio.get_running_loop()
        ready: asyncio.Future[None] = loop.create_future()
        fd = w.conn.fileno()

        def settle(exc: BaseException | None = None) -> None:
            if not ready.done():
                ready.set_result(None) if exc is None else ready.set_exception(exc)

        try:
            w.conn.send(req)
            loop.add_reader(fd, settle)
            timer = loop.call_later(self.timeout, settle, TimeoutError())  # cheaper than wait_for
            try:
                await ready
            finally:
                timer.cancel()
                loop.remove_reader(fd)
                # uvloop's add_reader leaves the fd non-blocking: a large answer would then
                # fail in recv() with EAGAIN.
                os.set_blocking(fd, True)
        except TimeoutError:
            raise self._timed_out(w) from None
        except asyncio.CancelledError:  # client went away: the worker may be mid-query
            self._replace(w)
            raise
        except OSError as err:
            raise self._died(w) from err
        return self._answer(w)

    def close(self) -> None:
        """Stop every worker (idle ones politely, busy ones by kill)."""
        self._closed = True
        with self._lock:
            workers = list(self._workers)
        for w in workers:
            with contextlib.suppress(OSError, ValueError):
                w.conn.send(None)
        for w in workers:
            w.proc.join(1)
            self._discard(w)

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
