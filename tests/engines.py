"""SPARQL engines for tests, started on a free loopback port with their own data directory.

``start_oxigraph(dir)`` runs the Oxigraph server of the ``oxigraph`` package (a dev
dependency) with ``--union-default-graph``; ``start_virtuoso(dir)`` runs Debian's
``virtuoso-t`` with a database directory and an ini written here. Both wait until the
engine answers a query and raise ``EngineStartError`` with the engine's own output when it
does not: fixtures turn that into a test failure, never a skip (CI must not pass when a
backend cannot start).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

START_TIMEOUT = 60.0


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
    env: dict[str, str] = field(default_factory=dict)

    def settings(self, **kw: object) -> dict[str, object]:
        """Keyword arguments for ``Settings`` that point at this engine."""
        return {"store": self.query_url, "store_update": self.update_url,
                "store_gsp": self.gsp_url, "store_engine": self.name, **kw}

    def stop(self) -> None:
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


def start_oxigraph(directory: Path) -> Engine:
    """Oxigraph server on 127.0.0.1 with a union default graph, data in ``directory``."""
    exe = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or \
        shutil.which("oxigraph")
    if exe is None:
        raise EngineStartError("the oxigraph command is missing: run 'make install' "
                               "(it is in the dev extras of pyproject.toml)")
    directory.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log = directory.parent / f"{directory.name}.log"
    base = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(
        [exe, "serve", "--location", str(directory), "--bind", f"127.0.0.1:{port}",
         "--union-default-graph"],
        stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True)
    eng = Engine("oxigraph", f"{base}/query", f"{base}/update", f"{base}/store", proc,
                 directory, log)
    return _wait(eng, eng.query_url)


VIRTUOSO_INI = """[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql}
LiteMode = 0
DisableUnixSocket = 1
DisableTcpSocket = 0
ServerThreads = 10
CheckpointInterval = 60
NumberOfBuffers = 170000
MaxDirtyBuffers = 130000
MaxQueryMem = 1G
DirsAllowed = ., {d}, /usr/share/virtuoso-opensource-7/vad
TransactionAfterImageLimit = 500000000

[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = /var/lib/virtuoso-opensource-7/vsp
ServerThreads = 10
MaxClientConnections = 10
KeepAliveTimeout = 10
MaxKeepAlives = 10

[Client]
SQL_PREFETCH_ROWS = 100
SQL_PREFETCH_BYTES = 16000
SQL_QUERY_TIMEOUT = 0
SQL_TXN_TIMEOUT = 0

[SPARQL]
ResultSetMaxRows = 10000000
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime = 0
DefaultQuery = select distinct ?Concept where {{[] a ?Concept}} LIMIT 100
DeferInferenceRulesInit = 0
MaxSortedTopRows = 10000000
"""


def start_virtuoso(directory: Path) -> Engine:
    """Virtuoso 7 (Debian's virtuoso-t) on 127.0.0.1 with its own database in ``directory``.

    The SPARQL user may update (``SPARQL_UPDATE`` granted through isql) so that the
    /sparql endpoint takes itskg's imports; only loopback can reach it.
    """
    exe = shutil.which("virtuoso-t")
    isql = shutil.which("isql-vt")
    if exe is None or isql is None:
        raise EngineStartError("virtuoso-t/isql-vt are missing: install the Debian package "
                               "virtuoso-opensource (tools/install_virtuoso.sh)")
    directory.mkdir(parents=True, exist_ok=True)
    sql, http = free_port(), free_port()
    ini = directory / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(d=directory, sql=sql, http=http))
    log = directory.parent / f"{directory.name}.log"
    proc = subprocess.Popen([exe, "+foreground", "+configfile", str(ini)], cwd=directory,
                            stdout=log.open("wb"), stderr=subprocess.STDOUT,
                            start_new_session=True, env={**os.environ})
    base = f"http://127.0.0.1:{http}"
    eng = Engine("virtuoso", f"{base}/sparql", f"{base}/sparql", None, proc, directory, log)
    _wait(eng, eng.query_url)
    grant = subprocess.run(
        [isql, str(sql), "dba", "dba",
         "exec=GRANT SPARQL_UPDATE TO \"SPARQL\"; GRANT EXECUTE ON DB.DBA.L_O_LOOK TO "
         "\"SPARQL\";"], capture_output=True, text=True, timeout=60)
    if grant.returncode != 0:
        eng.stop()
        raise EngineStartError(f"isql could not grant SPARQL_UPDATE: {grant.stdout}"
                               f"{grant.stderr}")
    eng.env["isql_port"] = str(sql)
    return eng
