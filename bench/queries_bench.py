"""Latency of every named query through the in-process engine (p50/p95 per query).

Usage::

    python bench/queries_bench.py --store PATH [--repeat 7] [--warmup 1] [--only NAME ...]
                                  [--lang it] [--json out.json]

Each query runs with its header's example parameters (lang=it), ``warmup`` times untimed and
``repeat`` times timed, consuming every row. Prints one table row per query: rows returned,
p50 and p95 in milliseconds; queries that fail are reported with their error, not skipped.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from itskg.graph.errors import ItskgError
from itskg.graph.sparql.catalogue import load_catalog, run_query
from itskg.graph.store import KnowledgeStore


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile of ``values`` (p in 0..100)."""
    s = sorted(values)
    k = max(0, min(len(s) - 1, round(p / 100 * len(s) + 0.5) - 1))
    return s[k]


def _line(r: dict[str, object], width: int) -> str:
    if "error" in r:
        return f"{r['name']:<{width}}  ERROR {r['error']}"
    return f"{r['name']:<{width}}  {r['rows']:>7}  {r['p50_ms']:>9.2f}  {r['p95_ms']:>9.2f}"


def bench(store: KnowledgeStore, names: list[str], repeat: int, warmup: int, lang: str,
          report: Callable[[dict[str, object]], None] = lambda r: None
          ) -> list[dict[str, object]]:
    """Time each query; ``report`` is called with each result as soon as it is known."""
    cat = load_catalog()
    out: list[dict[str, object]] = []
    for name in names:
        q = cat[name]
        times: list[float] = []
        rows = 0
        try:
            for i in range(warmup + repeat):
                t0 = time.perf_counter()
                res = run_query(store, name, q.example, lang=lang)
                rows = 1 if res.kind == "ask" else sum(1 for _ in res.rows())
                if i >= warmup:
                    times.append((time.perf_counter() - t0) * 1000)
            out.append({"name": name, "rows": rows, "p50_ms": statistics.median(times),
                        "p95_ms": percentile(times, 95), "runs": len(times)})
        except ItskgError as err:
            out.append({"name": name, "error": f"{type(err).__name__}: {err}"})
        report(out[-1])
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--store", required=True, type=Path, help="store directory")
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--lang", default="it", choices=["it", "en"])
    ap.add_argument("--only", nargs="*", help="query names (default: all)")
    ap.add_argument("--json", type=Path, help="also write the results as JSON here")
    args = ap.parse_args(argv)
    names = args.only or list(load_catalog())
    width = max(len(n) for n in names)
    with KnowledgeStore.open(args.store, read_only=True) as store:
        print(f"store {args.store} generation {store.generation}, {len(store):,} quads",
              file=sys.stderr)
        print(f"{'query':<{width}}  {'rows':>7}  {'p50 ms':>9}  {'p95 ms':>9}", flush=True)
        results = bench(store, names, args.repeat, args.warmup, args.lang,
                        lambda r: print(_line(r, width), flush=True))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    return 1 if any("error" in r for r in results) else 0


if __name__ == "__main__":
    raise SystemExit(main())
