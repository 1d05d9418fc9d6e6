"""A private Virtuoso 7 instance on loopback: own database directory, free ports, N-Quads bulk load.

Used by the cross-engine catalogue test (tests/queries/test_engines.py) and by
``bench/read_path_bench.py --virtuoso``. The binaries come from the Debian package
``virtuoso-opensource-7-bin`` (``bash tools/install_virtuoso.sh``); nothing of the
distribution's service is used: the instance gets its own ``virtuoso.ini`` in ``db_dir``, listens
on 127.0.0.1 only (ports picked free unless given) and stops with the object.

    >>> with VirtuosoServer(tmp_dir) as vt:                       # doctest: +SKIP
    ...     vt.load_nquads(Path("dump.nq"))
    ...     vt.select("SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }")

Command line (for a benchmark run by hand)::

    python tools/virtuoso.py --db /tmp/vt --load dump.nq [--http-port 8890]

starts it, bulk-loads the file(s), prints the SPARQL endpoint URL and serves until Ctrl-C.

Why these settings: ``ResultSetMaxRows`` is raised to 1,000,000 (the default, 10,000, cuts
answers silently); ``MaxQueryExecutionTime = 0`` because a non-zero value turns on Virtuoso's
"anytime" mode, which returns *partial* results without an error; buffers are sized for about
2 GB, enough for the national ecosystem (2M quads); ``TransactionAfterImageLimit`` (the largest
transaction Virtuoso commits, default 50 MB) is raised to 2 GB because itskg commits an import
in one update: the EU-scale graph (12.5M triples) failed with SR325 under the default. Virtuoso
reads it as a 32-bit integer: above 2,147,483,647 it wraps and falls to its 10 kB minimum. Queries without FROM see every graph, as
itskg's union default graph does (Virtuoso's default). Raises ``VirtuosoError`` with the tail of
the server log when the server does not start or a load fails.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

__all__ = ["VirtuosoError", "VirtuosoServer", "free_port", "installed"]

#: graphs every new Virtuoso database holds (its RDF views, LDP, the service description)
SYSTEM_GRAPH_PREFIXES = ("http://www.openlinksw.com/", "http://localhost", "http://localuriqaserver",
                         "http://www.w3.org/ns/ldp")
INSTALL_HINT = "run 'bash tools/install_virtuoso.sh' (Debian package virtuoso-opensource-7-bin)"

_INI = """\
[Database]
DatabaseFile = {db}/virtuoso.db
ErrorLogFile = {db}/virtuoso.log
LockFile = {db}/virtuoso.lck
TransactionFile = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {db}/virtuoso-temp.db
TransactionFile = {db}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
ServerThreads = 10
CheckpointInterval = 0
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty}
DirsAllowed = ., {db}, {load_dir}
CaseMode = 2
TransactionAfterImageLimit = {after_image}

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {db}
ServerThreads = 10
MaxClientConnections = 10
MaxKeepAlives = 10
KeepAliveTimeout = 10

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 0
"""


class VirtuosoError(RuntimeError):
    """Virtuoso is not installed, did not start, or refused a load or a query."""


def installed() -> bool:
    """True when ``virtuoso-t`` and ``isql-vt`` are on PATH."""
    return bool(shutil.which("virtuoso-t") and shutil.which("isql-vt"))


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class VirtuosoServer:
    """One ``virtuoso-t`` process over ``db_dir`` (created if missing; wiped when ``fresh``)."""

    def __init__(self, db_dir: Path | str, *, http_port: int | None = None,
                 sql_port: int | None = None, buffers: int = 170_000, fresh: bool = True,
                 start_timeout: float = 120.0, after_image_limit: int = 2_000_000_000):
        if not installed():
            raise VirtuosoError(f"Virtuoso is not installed: {INSTALL_HINT}.")
        self.db_dir = Path(db_dir).resolve()
        self.http_port = http_port or free_port()
        self.sql_port = sql_port or free_port()
        self.buffers = buffers
        self.after_image_limit = after_image_limit
        self.fresh = fresh
        self.start_timeout = start_timeout
        self.load_dir = self.db_dir / "load"
        self.proc: subprocess.Popen[bytes] | None = None
        self._http: httpx.Client | None = None

    @property
    def endpoint(self) -> str:
        """The SPARQL 1.1 Protocol endpoint URL."""
        return f"http://127.0.0.1:{self.http_port}/sparql"

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> VirtuosoServer:
        """Write virtuoso.ini, start the server, wait until the HTTP endpoint answers."""
        if self.fresh and self.db_dir.exists():
            shutil.rmtree(self.db_dir)
        self.load_dir.mkdir(parents=True, exist_ok=True)
        (self.db_dir / "virtuoso.ini").write_text(_INI.format(
            db=self.db_dir, load_dir=self.load_dir, sql_port=self.sql_port,
            http_port=self.http_port, buffers=self.buffers, dirty=self.buffers * 3 // 4,
            after_image=self.after_image_limit))
        log = (self.db_dir / "stdout.log").open("wb")
        self.proc = subprocess.Popen(
            ["virtuoso-t", "-f", "-c", str(self.db_dir / "virtuoso.ini")],
            cwd=self.db_dir, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        self._http = httpx.Client(timeout=600)
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise VirtuosoError(f"virtuoso-t exited with code {self.proc.returncode}:\n"
                                    + self.log_tail())
            with contextlib.suppress(httpx.HTTPError):
                if self.ask("ASK {}"):
                    return self
            time.sleep(0.3)
        self.stop()
        raise VirtuosoError(f"Virtuoso did not answer within {self.start_timeout:g} s:\n"
                            + self.log_tail())

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after 20 s); idempotent."""
        if self._http is not None:
            self._http.close()
            self._http = None
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None

    def __enter__(self) -> VirtuosoServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def log_tail(self, lines: int = 20) -> str:
        """The last lines of the server's log (for error messages)."""
        out = []
        for name in ("stdout.log", "virtuoso.log"):
            p = self.db_dir / name
            if p.exists():
                out += p.read_text(errors="replace").splitlines()[-lines:]
        return "\n".join(out)

    # ------------------------------------------------------------------ loading
    def isql(self, sql: str, timeout: float = 3600) -> str:
        """Run SQL statements through isql-vt as dba; raise VirtuosoError on an error."""
        res = subprocess.run(
            ["isql-vt", f"127.0.0.1:{self.sql_port}", "dba", "dba", "VERBOSE=OFF",
             "BANNER=OFF", "PROMPT=OFF", "ECHO=OFF", "ERRORS=STDOUT", f"EXEC={sql}"],
            capture_output=True, text=True, timeout=timeout, check=False)
        out = res.stdout + res.stderr
        if res.returncode != 0 or "*** Error" in out:
            raise VirtuosoError(f"isql failed ({sql[:80]}...):\n{out[-2000:]}")
        return out

    def load_nquads(self, *files: Path | str) -> int:
        """Bulk-load N-Quads files (``.nq`` or ``.nq.gz``) with Virtuoso's loader; return quads.

        Each quad goes to its own graph. The files are linked (or copied) into the instance's
        load directory, the only directory its ``DirsAllowed`` opens besides its own.
        """
        for f in files:
            src = Path(f).resolve()
            if not (src.name.endswith(".nq") or src.name.endswith(".nq.gz")):
                raise VirtuosoError(f"{src}: the bulk loader needs a .nq or .nq.gz file")
            dst = self.load_dir / src.name
            if dst.exists():
                dst.unlink()
            try:
                os.link(src, dst)
            except OSError:
                shutil.copy2(src, dst)
        self.isql(f"ld_dir('{self.load_dir}', '*.nq*', 'urn:itskg:unnamed');"
                  " rdf_loader_run(); checkpoint;")
        errs = self.isql("SELECT ll_file, ll_error FROM DB.DBA.load_list "
                         "WHERE ll_error IS NOT NULL;")
        if "ll_file" in errs and str(self.load_dir) in errs:
            raise VirtuosoError(f"Virtuoso's bulk loader reported errors:\n{errs}")
        self.isql("DELETE FROM DB.DBA.load_list;")
        return self.count()

    def count(self, graphs: list[str] | None = None) -> int:
        """Quads in ``graphs`` (default: every graph but Virtuoso's own system graphs)."""
        if graphs is not None:
            where = "FILTER(?g IN (" + ", ".join(f"<{g}>" for g in graphs) + "))"
        else:
            where = "FILTER(" + " && ".join(
                f"!STRSTARTS(STR(?g), '{p}')" for p in SYSTEM_GRAPH_PREFIXES) + ")"
        rows = self.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {where} }}")
        return int(rows[0]["n"]["value"])

    # ------------------------------------------------------------------ querying
    def request(self, sparql: str, accept: str = "application/sparql-results+json"
                ) -> httpx.Response:
        """POST the query (form-encoded) to the endpoint; raise VirtuosoError on an error."""
        if self._http is None:
            raise VirtuosoError("The Virtuoso server is not started.")
        r = self._http.post(self.endpoint, data={"query": sparql}, headers={"Accept": accept})
        if r.status_code != 200:
            raise VirtuosoError(f"Virtuoso answered {r.status_code}: {r.text[:1000]}")
        return r

    def select(self, sparql: str) -> list[dict[str, Any]]:
        """The bindings of a SELECT answer (SPARQL 1.1 JSON results)."""
        return list(self.request(sparql).json()["results"]["bindings"])

    def ask(self, sparql: str) -> bool:
        return bool(self.request(sparql).json()["boolean"])


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(description="Start a private Virtuoso on loopback.")
    ap.add_argument("--db", required=True, type=Path, help="database directory (wiped)")
    ap.add_argument("--load", nargs="*", default=[], type=Path, help=".nq/.nq.gz files")
    ap.add_argument("--http-port", type=int)
    args = ap.parse_args(argv)
    with VirtuosoServer(args.db, http_port=args.http_port) as vt:
        if args.load:
            t = time.perf_counter()
            n = vt.load_nquads(*args.load)
            print(f"loaded {n:,} quads in {time.perf_counter() - t:.1f} s", file=sys.stderr)
        print(vt.endpoint, flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            signal.pause()
    return 0


if __name__ == "__main__":
    sys.exit(main())
