"""The local store against Virtuoso on one graph, moved with `itskg dump` / `itskg load`.

Usage::

    python bench/engines_bench.py --work DIR (--build eu | --store PATH) [--repeat 3]
                                  [--timeout 120] [--bulk] [--only NAME ...] [--json out.json]
                                  [--resume]

Steps, all in one run (so the ratios compare like with like on this machine), each through the
``itskg`` command line as a user would run it (a subprocess per step, timed end to end):

0. with ``--build SCALE``: ``itskg build --synthetic SCALE`` (plus ESCO and the real tables
   when ``../shared/data`` has them) into DIR/source; with ``--store PATH`` an existing store
   is the source (read only);
1. ``itskg dump --output DIR/dump`` of the source (timed);
2. ``itskg load DIR/dump --store DIR/local``: a new local store (timed: check + load + rules +
   metadata);
3. a private Virtuoso 7 (tools/virtuoso.py, loopback, DIR/virtuoso) and
   ``itskg load DIR/dump --store URL`` into it (timed; uploads through Virtuoso's Graph Store
   Protocol endpoint, then one commit with the rules run as SPARQL Update on the engine), or
   with ``--bulk`` Virtuoso's own bulk loader of the dump's N-Quads (the dump carries itskg's
   metadata graph, so the engine is then a complete itskg store);
4. every named query with its example parameters on both engines (through the library's
   ``open_store``, as ``itskg query --name`` does), one warm-up and then ``repeat`` timed runs
   (fewer when one run takes longer than ``--slow`` seconds), the two engines taking turns run
   by run so a change in the machine's load hits both alike: p50 per engine and the ratio of
   each engine to the other. A query that fails or passes the deadline on one engine is reported
   with its error.

Prints a Markdown table for the README and writes the figures as JSON. Every finished step and
query is kept in DIR/results.json: ``--resume`` goes on from there after an interruption.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from itskg.graph.backends import open_store
from itskg.graph.config import Settings
from itskg.graph.errors import ItskgError, QueryTimeoutError
from itskg.graph.sparql.catalogue import load_catalog, run_query

ROOT = Path(__file__).resolve().parents[1]
TOOLS = ROOT / "tools"
DATA = ROOT.parent / "shared" / "data"


def _say(t0: float) -> Any:
    return lambda m: print(f"{time.perf_counter() - t0:8.1f}s {m}", file=sys.stderr, flush=True)


def itskg(*args: str, env: dict[str, str] | None = None) -> float:
    """Run one ``itskg`` command (its output goes to stderr); its wall time in seconds.

    Raises SystemExit with the command when it fails."""
    exe = Path(sys.executable).with_name("itskg")
    cmd = [str(exe) if exe.exists() else "itskg", *args]
    full = {k: v for k, v in os.environ.items() if not k.startswith("ITSKG_")} | (env or {})
    t = time.perf_counter()
    r = subprocess.run(cmd, env=full, stdout=sys.stderr, stderr=sys.stderr, check=False)
    if r.returncode:
        raise SystemExit(f"failed (exit {r.returncode}): {' '.join(cmd)}")
    return time.perf_counter() - t


def build_args(scale: str) -> list[str]:
    """``itskg build`` arguments of the default build with a synthetic layer of ``scale``."""
    args = ["build", "--synthetic", scale]
    esco, esco_it = DATA / "esco" / "esco_v1.1.1_en", DATA / "esco" / "esco_it"
    if (esco / "skills_en.csv").exists():
        args += ["--esco", str(esco)]
        if (esco_it / "ISCOGroups_it.csv").exists():
            args += ["--esco", str(esco_it)]
    for kind, f in (("s3", DATA / "s3" / "s3_priority_domains_it.csv"),
                    ("foundation-members", DATA / "members" / "its_foundation_members_press.csv")):
        if f.exists():
            args += ["--import", f"{kind}={f}"]
    return args


def time_query(store: Any, name: str, params: dict[str, Any], times: list[float]) -> int:
    """One timed run of the named query on ``store``; append ms to ``times``; return rows."""
    t = time.perf_counter()
    res = run_query(store, name, params, lang="it")
    rows = 1 if res.kind == "ask" else sum(1 for _ in res.rows())
    times.append((time.perf_counter() - t) * 1000)
    return rows


def time_queries(stores: dict[str, Any], names: list[str], repeat: int, slow: float,
                 done: dict[str, dict[str, Any]], save: Any,
                 revive: dict[str, Any] | None = None) -> None:
    """Time every query on every engine, the engines taking turns run by run.

    Interleaving (local, Virtuoso, local, ...) means a change in the machine's load during the
    run hits both engines alike, so the per-query ratios stay fair on a busy machine. Each
    query's figures are written to ``done`` (per engine) and ``save()`` is called after each
    query, so an interrupted run resumes where it stopped (an engine that has a query's figures
    is not run again). ``revive[engine]()`` is called after that engine missed a deadline:
    Virtuoso 7 kept stopped queries' threads and answered nothing more, so the benchmark
    restarts it rather than let one query spoil the figures of every later one."""
    cat = load_catalog()
    for name in names:
        todo = {e: st for e, st in stores.items() if name not in done[e]}
        if not todo:
            continue
        q = cat[name]
        times: dict[str, list[float]] = {e: [] for e in todo}
        rows: dict[str, int] = {}
        failed: dict[str, str] = {}
        for i in range(1 + repeat):
            for eng, store in todo.items():
                if eng in failed or (i and times[eng] and times[eng][-1] > slow * 1000):
                    continue  # failed, or a slow query: the runs so far are its measure
                try:
                    warm: list[float] = []
                    rows[eng] = time_query(store, name, q.example, times[eng] if i else warm)
                    if not i and warm[0] > slow * 1000:
                        times[eng].append(warm[0])  # too slow to repeat: the one run counts
                except ItskgError as err:
                    failed[eng] = f"{type(err).__name__}: {str(err)[:160]}"
                    if isinstance(err, QueryTimeoutError) and eng in (revive or {}):
                        print(f"  {eng} missed the deadline: restarting it", file=sys.stderr,
                              flush=True)
                        (revive or {})[eng]()
        for eng in todo:
            if eng in failed:
                done[eng][name] = {"error": failed[eng]}
            else:
                t = times[eng]
                done[eng][name] = {"rows": rows[eng], "p50_ms": statistics.median(t),
                                   "runs": len(t)}
            print(f"  {eng} {name}: {done[eng][name]}", file=sys.stderr, flush=True)
        save()


def table(res: dict[str, Any], names: list[str]) -> list[str]:
    lines = ["| query | rows local | rows Virtuoso | p50 local ms | p50 Virtuoso ms | "
             "Virtuoso/local | local/Virtuoso |", "|---|---:|---:|---:|---:|---:|---:|"]
    for n in names:
        a, b = res["local"][n], res["virtuoso"][n]
        if "error" in a or "error" in b:
            lines.append(f"| `{n}` | {a.get('rows', 'error')} | {b.get('rows', 'error')} | "
                         f"{a.get('p50_ms', 0):.0f} | {b.get('p50_ms', 0):.0f} | - | - |")
            continue
        va, vb = max(a["p50_ms"], 0.5), max(b["p50_ms"], 0.5)
        lines.append(f"| `{n}` | {a['rows']} | {b['rows']} | {a['p50_ms']:.0f} | "
                     f"{b['p50_ms']:.0f} | {vb / va:.2f} | {va / vb:.2f} |")
    ok = [n for n in names if "error" not in res["local"][n] and "error" not in res["virtuoso"][n]]
    if ok:
        ratios = [max(res["virtuoso"][n]["p50_ms"], 0.5) / max(res["local"][n]["p50_ms"], 0.5)
                  for n in ok]
        geo = statistics.geometric_mean(ratios)
        same = sum(res["virtuoso"][n]["rows"] == res["local"][n]["rows"] for n in ok)
        lines.append(f"| geometric mean ({len(ok)} queries; same row count: {same}) | | | | | "
                     f"{geo:.2f} | {1 / geo:.2f} |")
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--build", metavar="SCALE", help="build the source store first "
                     "(itskg build --synthetic SCALE), e.g. eu")
    src.add_argument("--store", type=Path, help="an existing source store directory")
    ap.add_argument("--work", type=Path, required=True, help="empty working directory")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--slow", type=float, default=30.0,
                    help="stop repeating a query after a run this long, seconds")
    ap.add_argument("--timeout", type=float, default=120.0, help="per query, seconds")
    ap.add_argument("--buffers", type=int, default=680_000,
                    help="Virtuoso NumberOfBuffers (8 KB pages)")
    ap.add_argument("--bulk", action="store_true", help="Virtuoso's bulk loader for step 3")
    ap.add_argument("--only", nargs="*", default=None)
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--resume", action="store_true",
                    help="go on from DIR/results.json: skip the steps and queries it has")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(TOOLS))
    from virtuoso import VirtuosoServer

    t0 = time.perf_counter()
    say = _say(t0)
    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    state = work / "results.json"
    res: dict[str, Any] = json.loads(state.read_text()) if args.resume and state.exists() else {}

    def save() -> None:
        state.write_text(json.dumps(res, indent=1))

    source = args.store
    if args.build and "build_s" not in res:
        source = work / "source"
        say(f"itskg build --synthetic {args.build}")
        res["build_s"] = itskg(*build_args(args.build), "--store", str(source))
        save()
    res["store"] = str(source or work / "source")
    if "dump_s" not in res:
        say("itskg dump")
        if (work / "dump").exists():
            shutil.rmtree(work / "dump")
        res["dump_s"] = itskg("dump", "--store", res["store"], "--output", str(work / "dump"))
        save()
    manifest = json.loads((work / "dump" / "manifest.json").read_text())
    res["triples"] = manifest["triples"]
    if "load_local_s" not in res:
        say("itskg load into a new local store")
        if (work / "local").exists():
            shutil.rmtree(work / "local")
        res["load_local_s"] = itskg("load", str(work / "dump"), "--store", str(work / "local"))
        save()
    names = args.only or sorted(load_catalog())
    loaded = "load_virtuoso_s" in res
    with VirtuosoServer(work / "virtuoso", buffers=args.buffers, fresh=not loaded,
                        start_timeout=3600) as vt:
        if not loaded:  # a kept database has the grant already (a second one is an error)
            vt.isql('GRANT SPARQL_UPDATE TO "SPARQL";')
        env = {"ITSKG_STORE_ENGINE": "virtuoso", "ITSKG_STORE_WRITE_TIMEOUT": "7200"}
        if not loaded:
            say("loading into Virtuoso")
            if args.bulk:
                t = time.perf_counter()
                vt.load_nquads(*sorted((work / "dump").glob("*.nq.gz")))
                res["load_virtuoso_s"] = time.perf_counter() - t
            else:
                res["load_virtuoso_s"] = itskg("load", str(work / "dump"), "--store",
                                               vt.endpoint, env=env)
            res["load_virtuoso_how"] = "bulk loader" if args.bulk else "itskg load (GSP)"
            save()
        vt.isql("checkpoint;")  # a restart then starts from the database, not the log

        def revive() -> None:
            vt.stop()
            vt.fresh = False
            vt.start()

        remote = Settings(store=vt.endpoint, store_engine="virtuoso",
                          query_timeout=args.timeout, store_write_timeout=7200)
        local = Settings(store=work / "local", query_timeout=args.timeout)
        res.setdefault("local", {})
        res.setdefault("virtuoso", {})
        say("queries, the two engines taking turns")
        with open_store(local) as lst, open_store(remote) as vst:
            time_queries({"local": lst, "virtuoso": vst}, names, args.repeat, args.slow,
                         res, save, revive={"virtuoso": revive})
    lines = table(res, names)
    head = (f"{res['triples']:,} triples; "
            + (f"build {res['build_s']:.0f} s; " if "build_s" in res else "")
            + f"dump {res['dump_s']:.0f} s; load: local {res['load_local_s']:.0f} s, Virtuoso "
            f"({res['load_virtuoso_how']}) {res['load_virtuoso_s']:.0f} s; "
            f"Virtuoso/local load {res['load_virtuoso_s'] / res['load_local_s']:.2f}")
    print(head)
    print("\n".join(lines))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(res, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
