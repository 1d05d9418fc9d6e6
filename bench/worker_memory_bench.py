"""Memory of the query workers serving from memory, and what recycling them costs.

Usage::

    python bench/worker_memory_bench.py --store DIR [--recycle 0 512 256] [--rounds 3]
        [--workers 2] [--lookup-workers 1] [--json out.json]

For each value of ``--recycle`` (``ITSKG_WORKER_RECYCLE_MB``; 0: never) a ``QueryExecutor``
serving ``DIR`` from memory (a template process holding the copy, workers forked from it)
runs ``--rounds`` rounds of every catalogue query with its example parameters (uncached: the
executor has no answer cache), one at a time as a first visitor's pages do. After each round
it prints the wall time of the round, the workers recycled so far and the PSS of the whole
process tree (``/proc/PID/smaps_rollup``: pages shared copy-on-write count once) with each
process's private memory (``Private_Clean + Private_Dirty``: what it holds alone).

What it shows (README "Serving from memory"): reading the engine's in-memory store writes to
every quad node it walks (reference counts of the nodes' links, the version-range lock), so a
forked worker copies each page its queries walk; after one round of the catalogue a national
worker holds about 550 MB of its own. Recycling bounds that, and the fresh worker's queries pay
the copy-on-write faults again: the round times show the price. Run it under
``flock /tmp/itskg-bench.lock`` (minutes of CPU at national scale).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from serving_probe import descendants

from itskg.graph.sparql.catalogue import load_catalog
from itskg.graph.sparql.executor import QueryExecutor


def memory(pid: int) -> dict[str, Any]:
    """PSS of ``pid`` and every process below it, and each one's private memory (MB)."""
    total, procs = 0, {}
    for p in descendants(pid):
        try:
            text = Path(f"/proc/{p}/smaps_rollup").read_text()
            name = Path(f"/proc/{p}/comm").read_text().strip()
        except OSError:
            continue
        kb = {k.rstrip(":"): int(v) for k, v, *_ in (ln.split() for ln in text.splitlines()[1:])}
        total += kb["Pss"]
        procs[f"{name}:{p}"] = {"pss": kb["Pss"] >> 10,
                                "private": (kb["Private_Clean"] + kb["Private_Dirty"]) >> 10}
    return {"pss_mb": total >> 10, "processes": procs}


def one_setting(store: Path, recycle: int, rounds: int, workers: int, lookup: int,
                timeout: float) -> dict[str, Any]:
    cat = load_catalog()
    out: dict[str, Any] = {"recycle_mb": recycle, "rounds": []}
    t0 = time.perf_counter()
    with QueryExecutor(store, workers=workers, lookup_workers=lookup, source="memory",
                       timeout=timeout, recycle_mb=recycle) as ex:
        out["startup_s"] = round(time.perf_counter() - t0, 1)
        out["serving"] = ex.serving
        out["fresh"] = memory(os.getpid())
        print(f"recycle {recycle} MB: up in {out['startup_s']} s, PSS "
              f"{out['fresh']['pss_mb']} MB", flush=True)
        for rnd in range(rounds):
            t = time.perf_counter()
            slow: list[tuple[str, float]] = []
            for name, q in cat.items():
                req = {"op": "named", "name": name, "params": dict(q.example), "fmt": "json",
                       "lang": "it", "limit": None}
                s = time.perf_counter()
                ex.submit(req)
                slow.append((name, time.perf_counter() - s))
            wall = time.perf_counter() - t
            time.sleep(2.5)  # the memory check runs every second: let it see the round
            mem = memory(os.getpid())
            out["rounds"].append({"seconds": round(wall, 2), "recycled": ex.recycled,
                                  "per_query_s": dict(slow), **mem})
            workers_private = {k: v["private"] for k, v in mem["processes"].items()
                               if k.startswith(("itskg-mem", "itskg-template"))}
            print(f"  round {rnd + 1}: {wall:.1f} s, recycled {ex.recycled}, PSS "
                  f"{mem['pss_mb']} MB; private MB {workers_private}", flush=True)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--store", required=True, type=Path)
    ap.add_argument("--recycle", nargs="*", type=int, default=[0, 512, 256])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--lookup-workers", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    runs = [one_setting(args.store, r, args.rounds, args.workers, args.lookup_workers,
                        args.timeout) for r in args.recycle]
    print("\nrecycle MB | PSS after each round (MB) | round seconds | recycled")
    for r in runs:
        print(f"{r['recycle_mb'] or 'never'} | "
              + " / ".join(str(x["pss_mb"]) for x in r["rounds"]) + " | "
              + " / ".join(f"{x['seconds']:.1f}" for x in r["rounds"]) + " | "
              + str(r["rounds"][-1]["recycled"] if r["rounds"] else 0))
    if args.json:
        args.json.write_text(json.dumps(runs, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
