"""SPARQL engines for tests, started on a free loopback port with their own data directory.

``start_oxigraph(dir)`` runs the Oxigraph server of the ``oxigraph`` package (a dev
dependency) with ``--union-default-graph``; ``start_virtuoso(dir)`` runs Debian's
``virtuoso-t`` through tools/virtuoso.py (own database directory and ini). Both wait until the
engine answers a query and raise ``EngineStartError`` with the engine's own output when it
does not: fixtures turn that into a test failure, never a skip (CI must not pass when a
backend cannot start).
"""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

START_TIMEOUT = 60.0
TOOLS = Path(__file__).resolve().parents[1] / "tools"


class EngineStartError(RuntimeError):
    """An engine did not start (the message holds its command and output)."""


@dataclass
class Engine:
    """A running engine: its name, endpoint URLs, process and data directory."""

    name: str
    query_url: str
    update_url: str
    gsp_url: str | None
    process: subprocess.Popen[bytes]
    directory: Path
    log: Path
    stopper: Callable[[], None] | None = None

    def settings(self, **kw: object) -> dict[str, object]:
        """Keyword arguments for ``Settings`` that point at this engine."""
        return {"store": self.query_url, "store_update": self.update_url,
                "store_gsp": self.gsp_url, "store_engine": self.name, **kw}

    def stop(self) -> None:
        if self.stopper is not None:
            self.stopper()
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(engine: Engine, probe: str) -> Engine:
    deadline = time.monotonic() + START_TIMEOUT
    last = ""
    while time.monotonic() < deadline:
        if engine.process.poll() is not None:
            break
        try:
            r = httpx.get(probe, params={"query": "ASK {}"}, timeout=5,
                          headers={"Accept": "application/sparql-results+json"})
            if r.status_code == 200:
                return engine
            last = f"HTTP {r.status_code}: {r.text[:200]}"
        except httpx.HTTPError as err:
            last = str(err)
        time.sleep(0.2)
    engine.stop()
    out = engine.log.read_text(errors="replace")[-2000:] if engine.log.exists() else ""
    raise EngineStartError(f"{engine.name} did not start ({' '.join(engine.process.args)}): "
                           f"{last}\n{out}")


def start_oxigraph(directory: Path, *, union: bool = True, timeout_s: int = 20) -> Engine:
    """Oxigraph server on 127.0.0.1 with a union default graph (unless ``union`` is False,
    to test the start-up check), data in ``directory``; ``timeout_s``: the server's own
    limit per query (``--timeout-s``), which stops work a client gave up on (a deadline
    test's endless query would otherwise keep a core busy until the session ends)."""
    exe = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or \
        shutil.which("oxigraph")
    if exe is None:
        raise EngineStartError("the oxigraph command is missing: run 'make install' "
                               "(it is in the dev extras of pyproject.toml)")
    directory.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log = directory.parent / f"{directory.name}.log"
    base = f"http://127.0.0.1:{port}"
    with log.open("wb") as out:  # the child keeps its own copy of the descriptor
        proc = subprocess.Popen(
            [exe, "serve", "--location", str(directory), "--bind", f"127.0.0.1:{port}",
             *(["--union-default-graph"] if union else []),
             *(["--timeout-s", str(timeout_s)] if timeout_s else [])],
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    eng = Engine("oxigraph", f"{base}/query", f"{base}/update", f"{base}/store", proc,
                 directory, log)
    return _wait(eng, eng.query_url)


def start_virtuoso(directory: Path, **options: int) -> Engine:
    """Virtuoso 7 on 127.0.0.1 with its own database in ``directory`` (tools/virtuoso.py,
    shared with the cross-engine catalogue test), the SPARQL user allowed to update so that
    the /sparql endpoint takes itskg's imports (only loopback can reach it); ``options`` go to
    ``VirtuosoServer`` (e.g. ``after_image_limit``)."""
    sys.path.insert(0, str(TOOLS))
    try:
        from virtuoso import VirtuosoError, VirtuosoServer
    finally:
        sys.path.remove(str(TOOLS))
    try:
        vt = VirtuosoServer(directory, **options).start()
        vt.isql('GRANT SPARQL_UPDATE TO "SPARQL";')
    except VirtuosoError as err:
        raise EngineStartError(f"Virtuoso did not start: {err}") from err
    assert vt.proc is not None
    log = directory / "virtuoso.log"
    return Engine("virtuoso", vt.endpoint, vt.endpoint, None, vt.proc, directory, log,
                  stopper=vt.stop)


STARTERS = {"oxigraph": start_oxigraph, "virtuoso": start_virtuoso}
