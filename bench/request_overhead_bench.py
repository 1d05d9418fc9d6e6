"""Per-request cost of ``itskg serve``, A/B: the servers of two installs alternated on one store.

Usage::

    python bench/request_overhead_bench.py --store DIR --itskg A/bin/itskg B/bin/itskg
        [--rounds 2] [--serve-from memory]

Each round starts a server of each install in turn on ``DIR`` (no precompute, no client
budget), warms it with 20 requests of each kind, then times, over one lean keep-alive
connection (``serving_probe.RawClient``), requests whose answers the server cannot have
cached (distinct parameters and formats): a named query bound by the engine
(``province_codes``, 21 regions x 5 formats), one with its parameters inlined as VALUES
(``academies_by_region``, 21 x 2 languages x 5 formats) and ``/sparql`` look-ups of 300
IRIs. Printed per request kind and install: p50 wall time and the CPU per request of the
server process and of every process below it (``/proc/PID/stat``), medians over the rounds.
Alternating the installs in one run is what makes the comparison fair on a busy machine;
CPU per request moves much less with the machine's load than wall time.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))
from serving_probe import RawClient, cpu_seconds, descendants

REGIONS = ("ITC1 ITC2 ITC3 ITC4 ITH1 ITH2 ITH3 ITH4 ITH5 ITI1 ITI2 ITI3 ITI4 ITF1 ITF2 ITF3 "
           "ITF4 ITF5 ITF6 ITG1 ITG2").split()
FORMATS = ("json", "csv", "tsv", "xml", "rows")
KINDS = {
    "province_codes (engine binding)": [
        f"/api/queries/province_codes?region={r}&format={f}" for f in FORMATS for r in REGIONS],
    "academies_by_region (VALUES)": [
        f"/api/queries/academies_by_region?region={r}&lang={lang}&format={f}"
        for lang in ("it", "en") for f in FORMATS for r in REGIONS],
    "/sparql look-up": [
        "/sparql?query=" + quote(f"SELECT ?p ?o {{ <https://w3id.org/itskg/id/x{i}> ?p ?o }}",
                                 safe="") for i in range(300)],
}


def serve(itskg: str, store: Path, port: int, serve_from: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "ITSKG_PRECOMPUTE": "false", "ITSKG_CLIENT_BUDGET": "0",
           "ITSKG_SERVE_FROM": serve_from}
    proc = subprocess.Popen([itskg, "serve", "--store", str(store), "--port", str(port)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            if RawClient(f"http://127.0.0.1:{port}/health").request("GET", "/health")[0] == 200:
                time.sleep(1.0)  # the look-up lane's worker too
                return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"{itskg} serve did not answer within 300 s")


def measure(port: int, server_pid: int) -> dict[str, tuple[float, float, float]]:
    client = RawClient(f"http://127.0.0.1:{port}/")
    below = descendants(server_pid)[1:]
    out = {}
    for kind, paths in KINDS.items():
        for p in paths[:20]:
            client.request("GET", p)
        s0, w0 = cpu_seconds(server_pid), sum(cpu_seconds(p) for p in below)
        times = []
        for p in paths[20:]:
            t = time.perf_counter()
            status, body = client.request("GET", p)
            times.append(time.perf_counter() - t)
            if status not in (200, 404):  # 404: a region a small store lacks (a worker answer)
                raise RuntimeError(f"{p}: {status} {body[:200]!r}")
        n = len(times)
        out[kind] = (statistics.median(times) * 1e3,
                     (cpu_seconds(server_pid) - s0) / n * 1e3,
                     (sum(cpu_seconds(p) for p in below) - w0) / n * 1e3)
    client.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", required=True, type=Path)
    ap.add_argument("--itskg", nargs=2, required=True, help="the two installs' itskg commands")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--serve-from", default="memory", choices=["auto", "memory", "disk"])
    ap.add_argument("--port", type=int, default=18901)
    args = ap.parse_args()
    runs: dict[tuple[str, str], list[tuple[float, float, float]]] = {}
    for rnd in range(args.rounds):
        for exe in args.itskg:
            proc = serve(exe, args.store, args.port, args.serve_from)
            try:
                for kind, m in measure(args.port, proc.pid).items():
                    runs.setdefault((kind, exe), []).append(m)
                    print(f"round {rnd + 1} {exe}: {kind}: p50 {m[0]:.2f} ms, server CPU "
                          f"{m[1]:.2f} ms, workers' CPU {m[2]:.2f} ms", flush=True)
            finally:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(60)
    print("\n| request | install | p50 | server CPU | workers' CPU |\n|---|---|---|---|---|")
    for (kind, exe), ms in sorted(runs.items()):
        med = [statistics.median(m[i] for m in ms) for i in range(3)]
        print(f"| {kind} | {exe} | {med[0]:.2f} ms | {med[1]:.2f} ms | {med[2]:.2f} ms |")


if __name__ == "__main__":
    main()
