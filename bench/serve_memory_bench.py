"""Start-up time and memory of ``itskg serve`` on one store, from memory and from disk.

Usage::

    python bench/serve_memory_bench.py --store DIR [--modes memory disk] [--json out.json]

For each mode (``ITSKG_SERVE_FROM``) a real server starts on a free loopback port over
``DIR`` (a copy you may write: ``serve`` cleans abandoned generations); the time to its first
``/health`` answer is its start-up, then 200 look-ups warm it and its memory is read: PSS of
the server and every process below it from ``/proc/PID/smaps_rollup`` (the in-memory copy
shared by the template and its forked workers counts once), beside RSS summed (which counts
it once per process). Run it under ``flock /tmp/itskg-bench.lock`` at national or EU scale.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from read_path_bench import ItskgServer, _free_port, server_memory
from serving_probe import RawClient

from itskg.graph.store import KnowledgeStore


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--store", required=True, type=Path)
    ap.add_argument("--modes", nargs="*", default=["memory", "disk"])
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    with KnowledgeStore.open(args.store) as st:
        quads = len(st)
        iris = [r["x"].value for r in st.query(
            "SELECT ?x WHERE { ?x a itskg:Company } ORDER BY ?x LIMIT 200").rows()]
    out: dict[str, Any] = {"store": str(args.store), "quads": quads}
    for mode in args.modes:
        t0 = time.perf_counter()
        with ItskgServer(args.store, _free_port(), 120, mode) as srv:
            c = RawClient(srv.base + "/sparql")
            for i in iris:
                c.get(f"SELECT ?p ?o WHERE {{ <{i}> ?p ?o }}")
            c.close()
            mem = server_memory(srv)
            out[mode] = {"startup_s": srv.startup_s, "source": srv.health.get("source"), **mem}
        print(f"{mode}: up in {srv.startup_s:.1f} s (serving from {srv.health.get('source')}), "
              f"PSS {mem['pss_mb']:.0f} MB, RSS summed {mem['rss_summed_mb']:.0f} MB; "
              f"{mem['processes']} ({time.perf_counter() - t0:.0f} s in all)", flush=True)
    if args.json:
        args.json.write_text(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
