"""Serving from memory: a template process holds one generation in memory and forks workers.

The query executor (``itskg.graph.sparql.executor``) starts a *template* per generation it
serves from memory. The template is a process of the executor's forkserver (so it has no
threads of the server and dies with it, ``itskg.graph.sparql.lifeline``); it copies the
generation into an in-memory database (``itskg.graph.backends.memory.MemoryStore``) once, says
it is ready, and then only forks: each query worker is an ``os.fork()`` of the template and
shares its pages copy-on-write, and a killed worker is replaced by a fresh fork in
milliseconds instead of a process that opens the store again. The sharing holds for the pages
a worker's queries do not walk: the engine writes to every quad node it reads (reference
counts, a lock), so each page walked is copied into the worker; the executor bounds that by
recycling workers (``ITSKG_WORKER_RECYCLE_MB``; measured in the README, "Serving from
memory"). Before it forks, the template pays once what each fork would pay on its first
requests (``warm``).

The server talks to a template over one control connection (``Template``): ``fork`` asks for a
worker of a lane and receives the worker's end of a new socket pair (``SCM_RIGHTS``,
``multiprocessing.reduction``) and its pid; ``exitcode`` asks for the exit status of a worker
the template has reaped (a worker's parent is the template, so only it can wait for it).
The server kills a worker through a pidfd (``ForkedProcess``), so a reused pid is never hit.

Guarantees kept from the pool of issue 12: every worker dies with its template
(``PR_SET_PDEATHSIG``), and the template with the forkserver, which dies with the server; a
worker may be given ``memory_mb`` of address space on top of the shared copy (RLIMIT_AS
counts the mapped copy, so the limit is the size at fork plus ``memory_mb``); the template
exits when its control connection closes (the executor retires it when its last worker is
gone).
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import socket
import threading
import time
from multiprocessing import reduction
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from itskg.graph.errors import ItskgError, StoreError

__all__ = ["ForkedProcess", "Template", "template_main"]

_REAPED_KEPT = 1024  # exit codes kept for the server to ask about


# ------------------------------------------------------------------ the template process
def template_main(ctrl: Connection, root: str, generation: str, parent: int) -> None:
    """Entry point of the template process (a forkserver child); see the module docstring."""
    from itskg.graph.sparql.lifeline import die_with_parent, set_process_name

    die_with_parent(parent or None)
    set_process_name("itskg-template")
    t0 = time.monotonic()
    try:
        from itskg.graph.backends.memory import MemoryStore

        store = MemoryStore.load(root, generation)
    except BaseException as err:
        ctrl.send(("fail", err if isinstance(err, ItskgError) else StoreError(
            f"Cannot copy generation {generation} of {root} into memory: "
            f"{type(err).__name__}: {err}")))
        return
    warmed = warm(store)
    ctrl.send(("ready", {"generation": store.generation, "quads": len(store),
                         "seconds": time.monotonic() - t0, "pid": os.getpid(),
                         **{k: v for k, v in warmed.items() if k.startswith("warm_")}}))
    reaped: dict[int, int] = {}
    while True:
        try:
            ready = ctrl.poll(0.5)
            msg = ctrl.recv() if ready else ()
        except (EOFError, OSError):
            return
        _reap(reaped)
        if msg is None:
            return
        if not msg:
            continue
        if msg[0] == "fork":
            _fork_worker(ctrl, store, warmed, *msg[1:])
        elif msg[0] == "status":
            ctrl.send(("status", _status(reaped, msg[1])))


def warm(store: Any) -> dict[str, Any]:
    """Pay once, in the template, what each fresh worker would pay on its first requests.

    Measured on the national store: the first named query of a fresh fork took about 190 ms
    more than the next (the catalogue module imported and its 45 ``.rq`` files parsed), a
    first network task 1.3-3.5 s more (igraph), a first profile the national figures. The
    modules come from the forkserver (``executor.FORKSERVER_PRELOAD``, once per server);
    here, before any fork: the modules again (a no-op when preloaded), the named queries prepared
    (``catalogue.prepare``: parsed, every text scanned; then a no-op in each fork), the
    store's graph set (the workers' FROM check), and the profiles' national figures
    (``reports.profile.warm``, cached per generation in the module).
    What a fork still pays is the copy-on-write of the pages its queries walk (the engine's
    in-memory store writes to every quad node it reads: README "Serving from memory").

    Returns ``{"warm_seconds", "graphs"}`` for the forks (``warm_error`` when a
    step failed: logged by the executor, never fatal: a worker then pays it itself).
    """
    import importlib

    from itskg.graph.sparql.executor import FORKSERVER_PRELOAD

    t0 = time.monotonic()
    out: dict[str, Any] = {"graphs": None}
    try:
        for name in FORKSERVER_PRELOAD:
            importlib.import_module(name)
        from itskg.graph.sparql.catalogue import prepare

        prepare()
        out["graphs"] = set(store.graphs()) | {r.graph for r in store.layers()}
        from itskg.graph.reports.profile import warm as warm_profiles

        with contextlib.suppress(Exception):  # optional: a first profile then computes them
            warm_profiles(store)  # (a store without academies has none)
    except Exception as err:  # reported with "ready"; a worker pays what is missing
        out["warm_error"] = f"{type(err).__name__}: {err}"
    out["warm_seconds"] = round(time.monotonic() - t0, 2)
    return out


def _reap(reaped: dict[int, int]) -> None:
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        reaped[pid] = _exit_code(status)
        while len(reaped) > _REAPED_KEPT:
            reaped.pop(next(iter(reaped)))


def _exit_code(status: int) -> int:
    """A wait status in multiprocessing's convention (negative: killed by that signal)."""
    return os.waitstatus_to_exitcode(status)


def _status(reaped: dict[int, int], pid: int) -> int | None:
    deadline = time.monotonic() + 0.5
    while pid not in reaped and time.monotonic() < deadline:
        try:
            got, status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            break
        if got == pid:
            reaped[pid] = _exit_code(status)
            break
        time.sleep(0.01)
    return reaped.pop(pid, None)


def _fork_worker(ctrl: Connection, store: Any, warmed: dict[str, Any], lane: str,
                 max_rows: int, memory_mb: int) -> None:
    ours, theirs = socket.socketpair()
    try:
        pid = os.fork()
    except OSError as err:
        ours.close()
        theirs.close()
        ctrl.send(("fail", StoreError(f"The template could not fork a query worker: {err}")))
        return
    if pid == 0:  # the worker: never returns into the template's loop
        code = 0
        try:
            ctrl.close()
            theirs.close()
            _worker(Connection(ours.detach()), store, warmed, lane, max_rows, memory_mb)
        except BaseException:
            code = 1
        os._exit(code)
    ours.close()
    ctrl.send(("forked", pid))
    reduction.send_handle(ctrl, theirs.fileno(), 0)
    theirs.close()


def _worker(conn: Connection, store: Any, warmed: dict[str, Any], lane: str, max_rows: int,
            memory_mb: int) -> None:
    from itskg.graph.sparql.executor import WorkerState, serve_connection
    from itskg.graph.sparql.lifeline import die_with_parent, set_process_name

    die_with_parent(os.getppid())  # SIGKILL when the template dies
    set_process_name(f"itskg-mem-{lane}"[:15])
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server stops workers, not Ctrl-C
    if memory_mb > 0:
        import resource

        mapped = int(Path("/proc/self/statm").read_text().split()[0]) * os.sysconf("SC_PAGESIZE")
        limit = mapped + (memory_mb << 20)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    state = WorkerState(store, max_rows)
    if warmed.get("graphs") is not None:
        state.graphs = set(warmed["graphs"])
    conn.send(("ready", os.getpid()))
    serve_connection(conn, state)


# ------------------------------------------------------------------ the server's side
class ForkedProcess:
    """A worker forked by a template, as the executor handles its processes.

    Offers the part of ``multiprocessing.Process`` the executor uses (``pid``, ``kill``,
    ``join``, ``is_alive``, ``exitcode``, ``close``) through a pidfd, since the server is not
    the worker's parent.
    """

    def __init__(self, pid: int, template: Template) -> None:
        self.pid = pid
        self._template = template
        self._fd: int | None = os.pidfd_open(pid)
        self._code: int | None = None

    def _gone(self, timeout: float | None) -> bool:
        if self._fd is None:
            return True
        poller = select.poll()
        poller.register(self._fd, select.POLLIN)
        return bool(poller.poll(None if timeout is None else max(0, int(timeout * 1000))))

    def is_alive(self) -> bool:
        return not self._gone(0)

    def kill(self) -> None:
        if self._fd is not None:
            try:
                signal.pidfd_send_signal(self._fd, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def join(self, timeout: float | None = None) -> None:
        self._gone(timeout)

    @property
    def exitcode(self) -> int | None:
        """The exit code (negative: the signal that killed it); None while it runs."""
        if self._code is None and self._gone(0):
            self._code = self._template.exitcode(self.pid)
        return self._code

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


class Template:
    """The server's handle of one template process (thread-safe: one request at a time).

    ``Template(ctx, root, generation, forkserver_pid)`` starts it; ``wait_ready`` waits until
    the copy is loaded; ``fork`` returns a new worker; ``close`` ends the template (and so
    every worker still forked from it).
    """

    def __init__(self, ctx: Any, root: Path | str, generation: str, parent: int) -> None:
        self.generation = generation
        self.info: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._conn, child = ctx.Pipe(duplex=True)
        self.proc = ctx.Process(target=template_main, name="itskg-memory-template", daemon=True,
                                args=(child, str(root), generation, parent))
        self.proc.start()
        child.close()
        self.closed = False
        # a pidfd tells at once that the template is gone (before the forkserver reports it)
        self._pidfd: int | None = os.pidfd_open(self.proc.pid)

    def alive(self) -> bool:
        """True while the template process runs."""
        if self._pidfd is None:
            return False
        poller = select.poll()
        poller.register(self._pidfd, select.POLLIN)
        return not poller.poll(0)

    @property
    def pid(self) -> int | None:
        return self.proc.pid

    def wait_ready(self, timeout: float) -> dict[str, Any]:
        """Wait until the generation is in memory; its load figures. Raises StoreError."""
        msg: Any = ("fail", StoreError(
            f"The in-memory copy of generation {self.generation} was not ready within "
            f"{timeout:g} s."))
        try:
            if self._conn.poll(timeout):
                msg = self._conn.recv()
        except (EOFError, OSError):
            self.proc.join(5)
            msg = ("fail", StoreError(
                f"The process loading generation {self.generation} into memory stopped "
                f"(exit code {self.proc.exitcode}); it may have run out of memory: lower "
                "the load or serve from disk (ITSKG_SERVE_FROM=disk)."))
        if msg[0] != "ready":
            self.close()
            raise msg[1]
        self.info = msg[1]
        return self.info

    def fork(self, lane: str, max_rows: int, memory_mb: int) -> tuple[Connection, ForkedProcess]:
        """A new worker of ``lane``: its connection and process. Raises StoreError."""
        with self._lock:
            if self.closed:
                raise StoreError("The in-memory template is closed.")
            try:
                self._conn.send(("fork", lane, max_rows, memory_mb))
                msg = self._conn.recv()
                if msg[0] != "forked":
                    raise msg[1]
                fd = reduction.recv_handle(self._conn)
            except (EOFError, OSError) as err:
                raise StoreError(f"The in-memory template of generation {self.generation} "
                                 f"stopped (exit code {self.proc.exitcode}).") from err
            proc = ForkedProcess(msg[1], self)
        return Connection(fd), proc

    def exitcode(self, pid: int) -> int | None:
        """The exit code of a worker forked by this template, once it is reaped (else None)."""
        with self._lock:
            if self.closed:
                return None
            try:
                self._conn.send(("status", pid))
                return self._conn.recv()[1]
            except (EOFError, OSError):
                return None

    def close(self) -> None:
        """End the template (its remaining workers die with it)."""
        with self._lock:
            if self.closed:
                return
            self.closed = True
            try:
                self._conn.send(None)
            except (OSError, ValueError):
                pass
            self._conn.close()
        self.proc.join(2)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join(2)
        if self._pidfd is not None:
            os.close(self._pidfd)
            self._pidfd = None
