"""The read path side by side: the 41 catalogue queries on every engine, in one run.

Usage::

    python bench/read_path_bench.py --store DIR [--rounds 3] [--virtuoso] [--only NAME ...]
        [--before] [--binding-forms [--write-binding]] [--lookups 2000] [--json out.json]

Engines, all over the same quads (the store's current generation):

- ``itskg-http``: a real ``itskg serve`` on a free loopback port, ``GET /api/queries/NAME``
  with the query's example parameters (lang=it), body read whole, over the lean keep-alive
  client of ``serving_probe`` (the clock stops at the answer's last byte; the rows are
  counted after it, so httpx's and the JSON parser's time is not charged to the server).
  The server keeps answers per generation, so each round starts a fresh server: every timed
  request is uncached.
- ``mem``: pyoxigraph in memory (the store dumped and bulk-loaded once), in this process,
  parameters bound as the query's header declares (``binding:``), every row consumed.
- ``disk``: pyoxigraph on the on-disk database, read-only, the same way.
- ``virtuoso`` (``--virtuoso``): Virtuoso 7 over HTTP (tools/virtuoso.py starts it on loopback
  with its own database directory and bulk-loads an N-Quads dump), parameters inlined as
  VALUES as itskg sends them to a remote endpoint; POSTed over the same lean client.

Each round runs every query once on every engine, interleaved query by query, so a busy
machine slows every engine alike; the p50 over the rounds is reported per query and engine,
with the counts of queries <= 1 s, <= 250 ms, <= 50 ms, the sum of p50 and the geometric means
of the ratios itskg-http/virtuoso, itskg-http/mem and mem/virtuoso (the ratios are the main
figures: they are measured side by side). Rows returned are compared across engines and a
mismatch is printed.

Lookups: ``SELECT ?p ?o { <iri> ?p ?o }`` for academies and companies of the store: p50 over
HTTP (/sparql) and in process (on disk), and lookups/s with 4 concurrent HTTP clients (errors
counted), for itskg and, with --virtuoso, Virtuoso.

``--before``: also runs the old texts of the rewritten queries (tests/data/queries_before/) in
memory in both binding forms and prints before/after p50. ``--binding-forms``: runs every
parametrised query in memory with engine substitution and with inlined VALUES and prints the
faster; ``--write-binding`` writes ``#+ binding: values`` into the headers of the queries where
VALUES is faster by more than 10 % (and removes it elsewhere).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import io
import json
import math
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pyoxigraph as ox

from itskg.graph.namespaces import PREFIXES
from itskg.graph.sparql.catalogue import (
    NamedQuery,
    bind_params,
    inline_bindings,
    load_catalog,
    parse_query_text,
)
from itskg.graph.store import KnowledgeStore
from itskg.graph.terms import to_term

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))  # serving_probe
BEFORE = REPO / "tests" / "data" / "queries_before"
ENGINES = ("itskg-http", "mem", "disk", "virtuoso")


def _virtuoso_module() -> Any:
    spec = importlib.util.spec_from_file_location("itskg_tools_virtuoso",
                                                  REPO / "tools" / "virtuoso.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _raw_params(q: NamedQuery) -> dict[str, str]:
    return {**q.example, **({"lang": "it"} if q.uses_lang else {})}


def _binding_form(q: NamedQuery) -> str:
    return str(getattr(q, "binding", "engine"))


def run_ox(db: ox.Store, text: str, bindings: dict[str, Any] | None) -> int:
    """Run on a pyoxigraph store as itskg does (union default graph, predeclared prefixes)."""
    kw: dict[str, Any] = {"prefixes": PREFIXES, "use_default_graph_as_union": True}
    if bindings:
        kw["substitutions"] = {ox.Variable(k): to_term(v) for k, v in bindings.items()}
    res = db.query(text, **kw)
    if isinstance(res, ox.QueryBoolean):
        return 1
    return sum(1 for _ in res)


def timed(fn: Callable[[], int | Callable[[], int]]) -> tuple[float, int]:
    """Milliseconds of ``fn()`` and its rows. An HTTP engine's ``fn`` returns a function that
    counts the rows of the body, called after the clock stops: the time is the server's
    (request sent, last byte of the answer read), not the client's JSON parsing."""
    t = time.perf_counter()
    rows = fn()
    ms = (time.perf_counter() - t) * 1000
    return ms, rows() if callable(rows) else rows


# ------------------------------------------------------------------ the itskg server
class ItskgServer:
    """``itskg serve`` on a free loopback port over ``store`` (a subprocess)."""

    def __init__(self, store: Path, port: int, timeout: float, serve_from: str = "auto",
                 env: dict[str, str] | None = None):
        self.store, self.port, self.timeout = store, port, timeout
        self.serve_from = serve_from
        self.env = env or {}
        self.proc: subprocess.Popen[bytes] | None = None
        self.base = f"http://127.0.0.1:{port}"
        self.startup_s = 0.0
        self.health: dict[str, Any] = {}

    def __enter__(self) -> ItskgServer:
        exe = Path(sys.executable).with_name("itskg")
        # no background precompute (api/warmup): every timed request must be uncached
        env = {**os.environ, "ITSKG_QUERY_TIMEOUT": str(self.timeout),
               "ITSKG_SERVE_FROM": self.serve_from, "ITSKG_CLIENT_BUDGET": "0",
               "ITSKG_PRECOMPUTE": "false", **self.env}
        t0 = time.perf_counter()
        self.proc = subprocess.Popen(
            [str(exe), "serve", "--store", str(self.store), "--host", "127.0.0.1",
             "--port", str(self.port)], env=env, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE, start_new_session=True)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                err = self.proc.stderr.read().decode(errors="replace") if self.proc.stderr else ""
                raise RuntimeError(f"itskg serve exited: {err[-2000:]}")
            with contextlib.suppress(httpx.HTTPError):
                r = httpx.get(self.base + "/health", timeout=5)
                if r.status_code == 200:
                    self.startup_s = time.perf_counter() - t0
                    self.health = r.json()
                    return self
            time.sleep(0.3)
        raise RuntimeError("itskg serve did not answer within 120 s")

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _counted(status: int, body: bytes) -> Callable[[], int]:
    if status != 200:
        raise RuntimeError(f"{status}: {body[:300].decode(errors='replace')}")

    def count() -> int:
        data = json.loads(body)
        return 1 if "boolean" in data else len(data["results"]["bindings"])
    return count


def http_rows(client: Any, name: str, params: dict[str, str]) -> Callable[[], int]:
    """GET /api/queries/NAME over the lean keep-alive client (``serving_probe.RawClient``, as
    the look-ups use: httpx's own 0.3-1 ms per request is not the server's)."""
    return _counted(*client.request("GET", f"/api/queries/{name}?{urlencode(params)}"))


def virtuoso_rows(client: Any, text: str) -> Callable[[], int]:
    """POST the query to Virtuoso's endpoint over the same lean client."""
    return _counted(*client.request("POST", client.path,
                                    body=urlencode({"query": text}).encode()))


def _with_prefixes(text: str) -> str:
    """Declare the predeclared itskg prefixes a query uses without PREFIX (remote engines)."""
    declared = set(re.findall(r"(?mi)^\s*PREFIX\s+([\w-]*):", text))
    extra = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items()
                    if p not in declared and re.search(rf"(?<![\w<]){re.escape(p)}:", text))
    return extra + text


# ------------------------------------------------------------------ reporting
def p50(xs: list[float]) -> float | None:
    return statistics.median(xs) if xs else None


def geomean_ratio(a: dict[str, float | None], b: dict[str, float | None]) -> float | None:
    logs = [math.log(a[k] / b[k]) for k in a if a.get(k) and b.get(k)]
    return math.exp(sum(logs) / len(logs)) if logs else None


def summary_table(p: dict[str, dict[str, float | None]], engines: list[str], n: int) -> str:
    lines = ["| engine | queries <= 1 s | <= 250 ms | <= 50 ms | sum of p50 |",
             "|---|---|---|---|---|"]
    for e in engines:
        vals = [p[q][e] for q in p]
        ok = [v for v in vals if v is not None]
        lines.append(
            f"| {e} | {sum(v <= 1000 for v in ok)} of {n} | {sum(v <= 250 for v in ok)} | "
            f"{sum(v <= 50 for v in ok)} | {sum(ok) / 1000:.1f} s |")
    return "\n".join(lines)


def report(p: dict[str, dict[str, float | None]], rows: dict[str, dict[str, Any]],
           engines: list[str], names: list[str], results: dict[str, Any]) -> None:
    """Print the per-query p50 table, the summary and the geometric-mean ratios."""
    print(f"\n{'query':<38}" + "".join(f"{e:>12}" for e in engines) + "   rows")
    for n in names:
        cells = "".join(f"{p[n][e]:>12.1f}" if p[n][e] is not None else f"{'ERR':>12}"
                        for e in engines)
        counts = {str(v) for v in rows[n].values()}
        flag = "" if len(counts) == 1 else "  ROWS DIFFER"
        print(f"{n:<38}{cells}   {rows[n]}{flag}")
    print()
    print(summary_table(p, engines, len(names)))
    ratios = {}
    for a, b in (("itskg-http", "virtuoso"), ("itskg-http", "mem"), ("mem", "virtuoso"),
                 ("disk", "virtuoso"), ("itskg-http", "disk")):
        if a in engines and b in engines:
            ratios[f"{a}/{b}"] = geomean_ratio({n: p[n][a] for n in names},
                                               {n: p[n][b] for n in names})
    results["geomean_ratios"] = ratios
    print("\ngeometric means of per-query ratios: " + ", ".join(
        f"{k} {v:.2f}" for k, v in ratios.items() if v is not None))
    if "itskg-http" in engines:
        slow = sorted(((p[n].get("itskg-http") or 0, n) for n in names), reverse=True)[:6]
        print("slowest over HTTP: " + ", ".join(f"{n} {ms:.0f} ms" for ms, n in slow))


# ------------------------------------------------------------------ lookups
def lookups(store: KnowledgeStore, mem: ox.Store, base: str | None, vt_endpoint: str | None,
            n: int, server_pid: int | None = None) -> dict[str, Any]:
    """Per-request overhead: look-ups in process (memory, disk) and over HTTP.

    Over HTTP with the lean keep-alive client (``serving_probe.RawClient``) and, for
    reference, httpx; the overhead is HTTP p50 minus the in-memory p50 (what the server
    answers from). ``ASK {}`` the same way. Then ``n`` look-ups from 4 concurrent lean clients.
    """
    from serving_probe import RawClient

    iris = [r["x"].value for r in store.query(
        "SELECT ?x WHERE { { ?x a itskg:ITSAcademy } UNION { ?x a itskg:Company } } "
        "ORDER BY ?x LIMIT 2000").rows()]
    texts = [f"SELECT ?p ?o WHERE {{ <{i}> ?p ?o }}" for i in iris]
    out: dict[str, Any] = {}

    def in_proc(db: ox.Store, t: str) -> int:
        buf = io.BytesIO()
        db.query(t, prefixes=PREFIXES, use_default_graph_as_union=True).serialize(
            buf, ox.QueryResultsFormat.JSON)
        return len(buf.getvalue())

    out["in_memory_p50_ms"] = p50([timed(lambda t=t: in_proc(mem, t))[0] for t in texts[:500]])
    out["on_disk_p50_ms"] = p50([timed(lambda t=t: in_proc(store._store, t))[0]
                                 for t in texts[:500]])
    out["ask_in_memory_p50_ms"] = p50([timed(lambda: in_proc(mem, "ASK {}"))[0]
                                       for _ in range(500)])
    targets = {"itskg": (base + "/sparql") if base else None, "virtuoso": vt_endpoint}
    for name, url in targets.items():
        if url is None:
            continue
        raw = RawClient(url)
        for t in texts[:50]:  # warm up: connection, lazy imports, page cache
            raw.get(t)
        out[f"{name}_http_p50_ms"] = p50([timed(lambda t=t, r=raw: len(r.get(t)[1]))[0]
                                          for t in texts[:500]])
        out[f"{name}_ask_http_p50_ms"] = p50([timed(lambda r=raw: len(r.get("ASK {}")[1]))[0]
                                              for _ in range(500)])
        raw.close()
        with httpx.Client(timeout=30) as c:
            out[f"{name}_httpx_p50_ms"] = p50([timed(lambda t=t, c=c, url=url: len(c.get(
                url, params={"query": t},
                headers={"Accept": "application/sparql-results+json"}).content))[0]
                for t in texts[:300]])
        out[f"{name}_overhead_ms"] = out[f"{name}_http_p50_ms"] - out["in_memory_p50_ms"]
        errors = 0
        lock = threading.Lock()
        per = max(1, n // 4)

        def client(k: int, url: str = url, per: int = per, lock: Any = lock) -> None:
            nonlocal errors
            c = RawClient(url)
            try:
                for j in range(per):
                    t = texts[(k * per + j) % len(texts)]
                    try:
                        status, _ = c.get(t)
                    except OSError:
                        status = 0
                    if status != 200:
                        with lock:
                            errors += 1
            finally:
                c.close()

        from serving_probe import cpu_seconds, descendants

        threads = [threading.Thread(target=client, args=(k,)) for k in range(4)]
        pids = descendants(server_pid) if name == "itskg" and server_pid else []
        cpu0 = [cpu_seconds(p) for p in pids]
        t0 = time.perf_counter()
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        out[f"{name}_per_s_4_clients"] = 4 * per / (time.perf_counter() - t0)
        if pids:  # CPU per request: the server process, and its workers together
            used = [cpu_seconds(p) - c for p, c in zip(pids, cpu0, strict=True)]
            out["itskg_server_cpu_ms_per_request"] = used[0] * 1000 / (4 * per)
            out["itskg_workers_cpu_ms_per_request"] = sum(used[1:]) * 1000 / (4 * per)
        out[f"{name}_errors"] = errors
    return out


def server_memory(server: ItskgServer) -> dict[str, Any]:
    """PSS of the server's process tree (kB, from /proc/PID/smaps_rollup) and RSS summed."""
    from serving_probe import descendants, rss_kb, tree_pss

    assert server.proc is not None
    pss = tree_pss(server.proc.pid)
    rss = sum(rss_kb(p) for p in descendants(server.proc.pid))
    return {"pss_mb": pss["total"] / 1024, "rss_summed_mb": rss / 1024,
            "processes": {k: v // 1024 for k, v in pss.items() if k != "total"}}


# ------------------------------------------------------------------ main
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--store", required=True, type=Path)
    ap.add_argument("--rounds", type=int, default=3, help="0: only --before/--binding-forms")
    ap.add_argument("--form-rounds", type=int, default=5, help="repeats per binding form")
    ap.add_argument("--virtuoso", action="store_true", help="start Virtuoso 7 and include it")
    ap.add_argument("--virtuoso-db", type=Path, help="Virtuoso database dir (default: temp)")
    ap.add_argument("--only", nargs="*")
    ap.add_argument("--engines", nargs="*", default=list(ENGINES))
    ap.add_argument("--before", action="store_true")
    ap.add_argument("--binding-forms", action="store_true")
    ap.add_argument("--write-binding", action="store_true")
    ap.add_argument("--lookups", type=int, default=2000, help="lookups at 4 clients (0: skip)")
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("--serve-from", default="auto", choices=["auto", "memory", "disk"],
                    help="ITSKG_SERVE_FROM of the itskg server")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    log = lambda *a: print(*a, file=sys.stderr, flush=True)  # noqa: E731
    cat = load_catalog()
    names = args.only or list(cat)
    engines = [e for e in args.engines if e != "virtuoso" or args.virtuoso]
    store = KnowledgeStore.open(args.store, read_only=True)
    disk = store._store  # the benchmark measures the engine itself
    log(f"store {args.store} generation {store.generation}: {len(store):,} quads")
    tmp = Path(tempfile.mkdtemp(prefix="itskg-readbench-"))
    dump = tmp / "store.nq"
    t = time.perf_counter()
    with dump.open("wb") as f:
        disk.dump(f, ox.RdfFormat.N_QUADS)
    mem = ox.Store()
    mem.bulk_load(path=str(dump), format=ox.RdfFormat.N_QUADS)
    log(f"in-memory copy: {len(mem):,} quads in {time.perf_counter() - t:.1f} s")
    bindings = {n: bind_params(cat[n], _raw_params(cat[n]), store=store) for n in names}
    results: dict[str, Any] = {"store": str(args.store), "quads": len(store)}

    vt = None
    if args.rounds <= 0:
        engines = []
    with contextlib.ExitStack() as stack:
        if "virtuoso" in engines:
            vt_mod = _virtuoso_module()
            vt = vt_mod.VirtuosoServer(args.virtuoso_db or tmp / "virtuoso", buffers=250_000)
            stack.callback(vt.stop)
            vt.start()
            t = time.perf_counter()
            loaded = vt.load_nquads(dump)
            results["virtuoso_load_s"] = time.perf_counter() - t
            log(f"Virtuoso {vt.endpoint}: {loaded:,} quads in {results['virtuoso_load_s']:.1f} s")
        from serving_probe import RawClient

        vclient = RawClient(vt.endpoint, timeout=args.timeout) if vt is not None else None
        if vclient is not None:
            stack.callback(vclient.close)
        times: dict[str, dict[str, list[float]]] = {n: {e: [] for e in engines} for n in names}
        rows: dict[str, dict[str, int | str]] = {n: {} for n in names}
        port = _free_port()
        for rnd in range(args.rounds):
            ctx: Any = (ItskgServer(args.store, port, args.timeout, args.serve_from)
                        if "itskg-http" in engines else contextlib.nullcontext())
            with ctx as server:
                hclient = RawClient(server.base, timeout=args.timeout) if server else None
                if server is not None:
                    results.setdefault("startup_s", []).append(server.startup_s)
                    results["serving"] = server.health.get("source")
                    log(f"round {rnd + 1}: server up in {server.startup_s:.1f} s, "
                        f"serving from {server.health.get('source')}")
                for n in names:
                    q, b = cat[n], bindings[n]
                    form = _binding_form(q)
                    local_text = q.text if form == "engine" else inline_bindings(q.text, b)
                    local_b = b if form == "engine" else None
                    runs: dict[str, Callable[[], Any]] = {
                        "itskg-http": lambda n=n, c=hclient: http_rows(  # type: ignore[misc]
                            c, n, _raw_params(cat[n])),
                        "mem": lambda t=local_text, lb=local_b: run_ox(mem, t, lb),
                        "disk": lambda t=local_text, lb=local_b: run_ox(disk, t, lb),
                        "virtuoso": lambda q=q, b=b: virtuoso_rows(
                            vclient, _with_prefixes(inline_bindings(q.text, b))),
                    }
                    for e in engines:
                        try:
                            ms, nrows = timed(runs[e])
                            times[n][e].append(ms)
                            rows[n][e] = nrows
                        except Exception as err:  # reported, never hidden
                            rows[n][e] = f"error: {str(err)[:120]}"
                    log(f"round {rnd + 1} {n}: " + ", ".join(
                        f"{e} {times[n][e][-1]:.0f} ms" if times[n][e] else f"{e} ERR"
                        for e in engines))
                if server is not None:
                    results.setdefault("memory", []).append(server_memory(server))
                if hclient is not None:
                    hclient.close()
        p = {n: {e: p50(times[n][e]) for e in engines} for n in names}
        results["p50_ms"], results["rows"] = p, rows
        if engines:
            report(p, rows, engines, names, results)
        if "startup_s" in results:
            mem_runs = results.get("memory") or [{}]
            last = mem_runs[-1]
            print(f"\nserver start-up (to the first /health answer, serving from "
                  f"{results.get('serving')}): " + ", ".join(
                      f"{x:.1f} s" for x in results["startup_s"]))
            if last:
                print(f"server memory after a round: PSS {last['pss_mb']:.0f} MB over "
                      f"{len(last['processes'])} processes (RSS summed "
                      f"{last['rss_summed_mb']:.0f} MB): {last['processes']}")
        if args.lookups and "itskg-http" in engines:
            with ItskgServer(args.store, port, args.timeout, args.serve_from) as server:
                lk = lookups(store, mem, server.base, vt.endpoint if vt else None,
                             args.lookups, server.proc.pid if server.proc else None)
            results["lookups"] = lk
            print("\nlookups (ms, lean keep-alive client): " + ", ".join(
                f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}" for k, v in lk.items()))

    if args.before:
        results["before"] = before_after(mem, cat, bindings, names, args.form_rounds, log)
    if args.binding_forms or args.write_binding:
        results["binding_forms"] = binding_forms(mem, cat, bindings, names, args.form_rounds,
                                                 args.write_binding, log)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, default=str))
    return 0


def _measure(db: ox.Store, text: str, b: dict[str, Any] | None, rounds: int) -> float:
    return statistics.median(timed(lambda: run_ox(db, text, b))[0] for _ in range(rounds))


def before_after(mem: ox.Store, cat: dict[str, NamedQuery], bindings: dict[str, Any],
                 names: list[str], rounds: int, log: Any) -> dict[str, Any]:
    """p50 in memory of the old and new text of each rewritten query, in both forms."""
    out = {}
    print("\nrewritten queries, p50 in memory (ms): old engine / old VALUES -> "
          "new engine / new VALUES")
    for f in sorted(BEFORE.glob("*.rq")):
        n = f.stem
        if n not in names:
            continue
        old = parse_query_text(n, f.read_text(encoding="utf-8"))
        new, b = cat[n], bindings[n]
        r = {"old_engine": _measure(mem, old.text, b, rounds),
             "old_values": _measure(mem, inline_bindings(old.text, b), None, rounds),
             "new_engine": _measure(mem, new.text, b, rounds),
             "new_values": _measure(mem, inline_bindings(new.text, b), None, rounds)}
        out[n] = r
        print(f"{n:<38} {r['old_engine']:>8.1f} / {r['old_values']:>8.1f} -> "
              f"{r['new_engine']:>8.1f} / {r['new_values']:>8.1f}")
    return out


def binding_forms(mem: ox.Store, cat: dict[str, NamedQuery], bindings: dict[str, Any],
                  names: list[str], rounds: int, write: bool, log: Any) -> dict[str, Any]:
    """Engine substitution vs inlined VALUES for every parametrised query, in memory."""
    out = {}
    print("\nbinding form, p50 in memory (ms): engine / VALUES -> choice")
    for n in names:
        q, b = cat[n], bindings[n]
        if not b:
            continue
        eng, val = [], []
        for _ in range(rounds):  # interleaved, so load drift hits both forms alike
            eng.append(timed(lambda q=q, b=b: run_ox(mem, q.text, b))[0])
            val.append(timed(lambda q=q, b=b: run_ox(mem, inline_bindings(q.text, b), None))[0])
        e, v = statistics.median(eng), statistics.median(val)
        choice = "values" if v * 1.1 < e else "engine"
        out[n] = {"engine_ms": e, "values_ms": v, "choice": choice}
        print(f"{n:<38} {e:>9.1f} / {v:>9.1f} -> {choice}")
        if write:
            write_binding(n, choice)
    return out


def write_binding(name: str, choice: str) -> None:
    """Set ``#+ binding: values`` (own line, after the name line) or remove it for engine."""
    path = REPO / "queries" / f"{name}.rq"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines = [ln for ln in lines if not ln.startswith("#+ binding:")]
    if choice == "values":
        at = next(i for i, ln in enumerate(lines) if ln.startswith("#+ name:")) + 1
        lines.insert(at, "#+ binding: values\n")
    path.write_text("".join(lines), encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
