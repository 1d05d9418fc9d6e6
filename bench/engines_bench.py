"""The local store against Virtuoso on one graph, moved with `itskg dump` / `itskg load`.

Usage::

    python bench/engines_bench.py --store PATH --work DIR [--repeat 3] [--json out.json]
                                  [--bulk] [--only NAME ...]

Steps, all in one run (so the ratios compare like with like on this machine):

1. ``write_dump`` of the store at PATH into DIR/dump (timed);
2. ``load_dump`` into a new local store DIR/local (timed: check + load + rules + metadata);
3. a private Virtuoso 7 (tools/virtuoso.py, loopback, DIR/virtuoso) and ``load_dump`` into it
   through the remote backend (timed), or with ``--bulk`` Virtuoso's own bulk loader of the
   dump's N-Quads (timed, then itskg's metadata is already in the dump);
4. every named query with its example parameters on both, ``repeat`` timed runs each after one
   warm-up: p50 per engine and the ratio virtuoso/local. A query that fails or times out on one
   engine is reported with its error.

Prints a Markdown table for the README and writes the figures as JSON.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from itskg.graph.backends import open_store
from itskg.graph.backends.dumps import load_dump, write_dump
from itskg.graph.config import Settings
from itskg.graph.errors import ItskgError
from itskg.graph.sparql.catalogue import load_catalog, run_query

TOOLS = Path(__file__).resolve().parents[1] / "tools"


def _say(t0: float) -> Any:
    return lambda m: print(f"{time.perf_counter() - t0:8.1f}s {m}", file=sys.stderr, flush=True)


def time_queries(store: Any, names: list[str], repeat: int) -> dict[str, dict[str, Any]]:
    cat = load_catalog()
    out: dict[str, dict[str, Any]] = {}
    for name in names:
        q = cat[name]
        times = []
        rows = 0
        try:
            for i in range(1 + repeat):
                t = time.perf_counter()
                res = run_query(store, name, q.example, lang="it")
                rows = 1 if res.kind == "ask" else sum(1 for _ in res.rows())
                if i:
                    times.append((time.perf_counter() - t) * 1000)
            out[name] = {"rows": rows, "p50_ms": statistics.median(times)}
        except ItskgError as err:
            out[name] = {"error": f"{type(err).__name__}: {str(err)[:160]}"}
        print(f"  {name}: {out[name]}", file=sys.stderr, flush=True)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--store", type=Path, required=True, help="source store directory")
    ap.add_argument("--work", type=Path, required=True, help="empty working directory")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=120.0, help="per query, seconds")
    ap.add_argument("--bulk", action="store_true", help="Virtuoso's bulk loader for step 3")
    ap.add_argument("--only", nargs="*", default=None)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args(argv)
    sys.path.insert(0, str(TOOLS))
    from virtuoso import VirtuosoServer

    t0 = time.perf_counter()
    say = _say(t0)
    res: dict[str, Any] = {"store": str(args.store)}
    with open_store(Settings(store=args.store)) as src:
        t = time.perf_counter()
        rep = write_dump(src, args.work / "dump", progress=say)
        res["dump_s"], res["triples"] = time.perf_counter() - t, rep.triples
    local_settings = Settings(store=args.work / "local", query_timeout=args.timeout)
    with open_store(local_settings, read_only=False) as local:
        t = time.perf_counter()
        load_dump(args.work / "dump", local, progress=say)
        res["load_local_s"] = time.perf_counter() - t
    names = args.only or sorted(load_catalog())
    with VirtuosoServer(args.work / "virtuoso", buffers=680_000) as vt:
        vt.isql('GRANT SPARQL_UPDATE TO "SPARQL";')
        remote = Settings(store=vt.endpoint, store_engine="virtuoso",
                          query_timeout=args.timeout, store_write_timeout=7200)
        t = time.perf_counter()
        if args.bulk:
            vt.load_nquads(*sorted((args.work / "dump").glob("*.nq.gz")))
        else:
            with open_store(remote, read_only=False) as st:
                load_dump(args.work / "dump", st, progress=say)
        res["load_virtuoso_s"] = time.perf_counter() - t
        res["load_virtuoso_how"] = "bulk loader" if args.bulk else "itskg load"
        say("queries on virtuoso")
        with open_store(remote) as st:
            res["virtuoso"] = time_queries(st, names, args.repeat)
    say("queries on the local store")
    with open_store(local_settings) as st:
        res["local"] = time_queries(st, names, args.repeat)
    lines = ["| query | rows local | rows Virtuoso | p50 local ms | p50 Virtuoso ms | "
             "Virtuoso/local |", "|---|---:|---:|---:|---:|---:|"]
    for n in names:
        a, b = res["local"][n], res["virtuoso"][n]
        if "error" in a or "error" in b:
            lines.append(f"| `{n}` | {a.get('rows', 'error')} | {b.get('rows', 'error')} | "
                         f"{a.get('p50_ms', 0):.0f} | {b.get('p50_ms', 0):.0f} | - |")
            continue
        ratio = b["p50_ms"] / a["p50_ms"] if a["p50_ms"] else float("nan")
        lines.append(f"| `{n}` | {a['rows']} | {b['rows']} | {a['p50_ms']:.0f} | "
                     f"{b['p50_ms']:.0f} | {ratio:.2f} |")
    print(f"{res['triples']:,} triples; dump {res['dump_s']:.0f} s; load: local "
          f"{res['load_local_s']:.0f} s, Virtuoso ({res['load_virtuoso_how']}) "
          f"{res['load_virtuoso_s']:.0f} s")
    print("\n".join(lines))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(res, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
