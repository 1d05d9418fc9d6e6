"""Load, fairness, memory and backup figures of a real `itskg serve` (issue 12).

Usage: python bench/safe_bench.py STORE [--out bench/results/safe.json]

STORE is copied (``cp -a``) to a scratch folder first, so the original is only read. Four
figures, each with its baseline measured in the same run:

1. requests and errors at 32 concurrent clients (a mix of ASK, look-ups, counts and named
   queries for a fixed number of requests), with the per-client budget on and, as the
   baseline, off;
2. the wait of a cheap query (``ASK {}``, a one-resource look-up) while 16 slow queries from
   16 other clients fill the main workers, with the fast lane (``ITSKG_LOOKUP_WORKERS=1``) and
   without it (baseline, 0);
3. the server's memory (server process plus its workers, RSS) before and after 100 network
   calls (betweenness with 100 different seeds, then views and metrics with other filters);
4. the size and time of ``itskg backup`` and ``itskg restore`` of the whole store, and that the
   restored store answers like the original.

Clients are told apart by X-Forwarded-For (uvicorn trusts it from 127.0.0.1 only).
Loopback only. Takes a few minutes on the national store.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
MIX = [
    ("sparql", "ASK { ?a a itskg:ITSAcademy }"),
    ("sparql", "SELECT ?l WHERE { ?a a itskg:ITSAcademy ; skos:prefLabel ?l } LIMIT 20"),
    ("sparql", "SELECT ?r (COUNT(?a) AS ?n) WHERE { ?a a itskg:ITSAcademy ; "
               "itskg:seatRegion ?r } GROUP BY ?r"),
    ("named", "/api/queries/academies_by_region?region=ITH5"),
    ("named", "/api/queries/regional_profile?region=ITC4"),
    ("sparql", "SELECT (COUNT(*) AS ?n) WHERE { ?c a itskg:Company }"),
]


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _tree(pid: int) -> set[int]:
    kids: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                ppid = int(Path(f"/proc/{d}/stat").read_text().rsplit(")", 1)[1].split()[1])
                kids.setdefault(ppid, []).append(int(d))
    out, todo = {pid}, [pid]
    while todo:
        for c in kids.get(todo.pop(), []):
            out.add(c)
            todo.append(c)
    return out


def _rss_mb(pids: set[int]) -> float:
    total = 0
    for p in pids:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return round(total / 1024, 1)


class Server:
    def __init__(self, store: Path, **env: Any) -> None:
        self.port = _port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = dict(os.environ, ITSKG_STORE=str(store),
                        **{f"ITSKG_{k.upper()}": str(v) for k, v in env.items()})
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Server:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "itskg.api", "serve", "--port", str(self.port)],
            env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(self.url + "/health", timeout=5).status_code == 200:
                    return self
            time.sleep(0.2)
        raise RuntimeError("itskg serve did not start")

    def __exit__(self, *exc: object) -> None:
        assert self.proc is not None
        self.proc.terminate()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()

    def rss(self) -> float:
        assert self.proc is not None
        return _rss_mb(_tree(self.proc.pid))

    def server_rss(self) -> float:
        """The server process alone (the workers hold the per-worker graph caches)."""
        assert self.proc is not None
        return _rss_mb({self.proc.pid})


def _get(c: httpx.Client, srv: Server, kind: str, q: str, who: str) -> httpx.Response:
    h = {"X-Forwarded-For": who, "Accept": "application/sparql-results+json"}
    if kind == "sparql":
        return c.get(srv.url + "/sparql", params={"query": q}, headers=h)
    return c.get(srv.url + q, headers=h)


def load(store: Path, clients: int = 32, per_client: int = 25, **env: Any) -> dict[str, Any]:
    statuses: Counter[str] = Counter()
    lat: list[float] = []
    lock = threading.Lock()
    with Server(store, **env) as srv:
        def run(i: int) -> None:
            with httpx.Client(timeout=120) as c:
                for j in range(per_client):
                    kind, q = MIX[(i + j) % len(MIX)]
                    t0 = time.monotonic()
                    try:
                        r = _get(c, srv, kind, q, "10.9.0.1" if env.get("one_client") else
                                 f"10.9.{i // 250}.{i % 250}")
                        code = str(r.status_code)
                    except httpx.HTTPError as e:
                        code = type(e).__name__
                    with lock:
                        statuses[code] += 1
                        lat.append(time.monotonic() - t0)

        t0 = time.monotonic()
        threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.monotonic() - t0
    lat.sort()
    return {"clients": clients, "requests": sum(statuses.values()), "statuses": dict(statuses),
            "errors": sum(v for k, v in statuses.items() if k != "200"),
            "seconds": round(wall, 1), "req_per_s": round(sum(statuses.values()) / wall, 1),
            "p50_s": round(lat[len(lat) // 2], 3), "p95_s": round(lat[int(len(lat) * .95)], 3)}


def fairness(store: Path, lookup_workers: int) -> dict[str, Any]:
    with Server(store, query_timeout=20, lookup_workers=lookup_workers) as srv:
        cheap = ["ASK {}", "ASK { ?a a itskg:ITSAcademy }",
                 "SELECT ?l WHERE { ?a a itskg:ITSAcademy ; skos:prefLabel ?l } LIMIT 5"]
        for q in cheap:  # warm up
            httpx.get(srv.url + "/sparql", params={"query": q}, timeout=60)

        def slow(i: int) -> None:
            with contextlib.suppress(httpx.HTTPError):
                httpx.get(srv.url + "/sparql", params={"query": SLOW}, timeout=120,
                          headers={"X-Forwarded-For": f"10.8.0.{i}"})

        for i in range(16):
            threading.Thread(target=slow, args=(i,), daemon=True).start()
        time.sleep(2)
        waits, codes = [], []
        for _ in range(3):
            for q in cheap:
                t0 = time.monotonic()
                r = httpx.get(srv.url + "/sparql", params={"query": q}, timeout=120,
                              headers={"X-Forwarded-For": "10.8.1.1"})
                waits.append(time.monotonic() - t0)
                codes.append(r.status_code)
        return {"lookup_workers": lookup_workers, "median_wait_s": round(
            statistics.median(waits), 3), "max_wait_s": round(max(waits), 3),
            "statuses": dict(Counter(map(str, codes)))}


def memory(store: Path) -> dict[str, Any]:
    with Server(store, query_timeout=60) as srv:
        httpx.get(srv.url + "/health", timeout=30)
        before, server_before = srv.rss(), srv.server_rss()
        codes: Counter[str] = Counter()
        t0 = time.monotonic()
        calls = [f"/api/network/academy-company/betweenness?top=5&seed={n}" for n in range(60)]
        calls += [f"/api/network/academy-academy?region={r}" for r in
                  ("ITH5", "ITC4", "ITI4", "ITF3", "ITG1") * 4]
        calls += [f"/api/network/academy-company/degree?region={r}&top=5" for r in
                  ("ITH5", "ITC4", "ITI4", "ITF3", "ITG1") * 4]
        with httpx.Client(timeout=120) as c:
            for path in calls:
                codes[str(c.get(srv.url + path).status_code)] += 1
        after, server_after = srv.rss(), srv.server_rss()
        return {"calls": len(calls), "statuses": dict(codes), "rss_before_mb": before,
                "rss_after_mb": after, "server_process_before_mb": server_before,
                "server_process_after_mb": server_after,
                "seconds": round(time.monotonic() - t0, 1)}


def backup_restore(store: Path, scratch: Path) -> dict[str, Any]:
    itskg = [sys.executable, "-m", "itskg.api"]
    q = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    dest = scratch / "backup"
    with Server(store) as srv:  # while serving
        before = httpx.get(srv.url + "/sparql", params={"query": q}, timeout=120).json()
        t0 = time.monotonic()
        subprocess.run([*itskg, "backup", str(dest), "--store", str(store)], check=True,
                       stdout=subprocess.DEVNULL)
        t_backup = time.monotonic() - t0
        t0 = time.monotonic()
        subprocess.run([*itskg, "restore", str(dest), "--store", str(store)], check=True,
                       stdout=subprocess.DEVNULL)
        t_restore = time.monotonic() - t0
        deadline = time.monotonic() + 60
        while True:
            health = httpx.get(srv.url + "/health", timeout=60).json()
            if "restored" in (health.get("generation") or "") or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        after = httpx.get(srv.url + "/sparql", params={"query": q}, timeout=120).json()
    size = sum(p.stat().st_size for p in dest.rglob("*") if p.is_file())
    return {"backup_mb": round(size / 1e6, 1), "backup_s": round(t_backup, 1),
            "restore_s": round(t_restore, 1), "served_generation_after": health["generation"],
            "same_count": before == after,
            "quads": int(after["results"]["bindings"][0]["n"]["value"])}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("store", type=Path)
    ap.add_argument("--out", type=Path, default=Path("bench/results/safe.json"))
    ap.add_argument("--only", default="load,fairness,memory,backup")
    a = ap.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="itskg-safe-bench-", dir="/work/stores")
                   if Path("/work/stores").is_dir() else tempfile.mkdtemp())
    store = scratch / "store"
    subprocess.run(["cp", "-a", str(a.store), str(store)], check=True)
    out: dict[str, Any] = {"store": str(a.store)}
    try:
        only = set(a.only.split(","))
        if "load" in only:
            out["load_32_clients"] = load(store)
            out["load_32_clients_one_address"] = load(store, one_client=1)
            out["load_32_clients_no_budget"] = load(store, client_budget=0)
        if "fairness" in only:
            out["cheap_behind_16_slow"] = fairness(store, 1)
            out["cheap_behind_16_slow_baseline_no_fast_lane"] = fairness(store, 0)
        if "memory" in only:
            out["memory_100_network_calls"] = memory(store)
        if "backup" in only:
            out["backup_restore"] = backup_restore(store, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(out, indent=1))
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
