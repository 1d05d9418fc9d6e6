"""Load benchmark: `itskg build` of the national-bench ecosystem against raw pyoxigraph bulk
loads of the same quads, and re-importing one layer with incremental vs full materialisation.

In one run:
  1. build    ``itskg build`` (library call) with the Makefile's real imports (S3, foundation
              members), ESCO en/it and ``--synthetic national-bench``; seconds per step of
              each commit (from the progress messages) and quads/s;
  2. raw      the built generation's quads dumped as N-Quads and bulk-loaded by pyoxigraph
              on disk (``Store(path).bulk_load``) and in memory: quads/s, and itskg's load
              step over raw's (the ratio the issue targets); five typical queries on the
              raw on-disk store before and after ``optimize`` (what compaction buys);
  3. layers   on a copy of the built store: re-import the foundation-members layer, remove it
              and add it back, and replace the synthetic layer; each incrementally and with
              ``incremental=False``; seconds of the commit and of its materialisation step,
              and the size of ``inferred`` (which must be equal both ways).

Heavy: run it alone (``flock /tmp/itskg-bench.lock python bench/load_bench.py ...``).
Usage: python bench/load_bench.py --work DIR [--scale national-bench] [--json FILE]
       [--no-layers]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

import pyoxigraph as ox

from itskg.graph.build import build
from itskg.graph.store import KnowledgeStore, Layer

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
if not DATA.exists():
    DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"


class Clock:
    """A progress callback that timestamps every message; steps are the gaps between them."""

    def __init__(self, echo: bool = True):
        self.t0 = time.perf_counter()
        self.events: list[tuple[float, str]] = []
        self.echo = echo

    def __call__(self, msg: str) -> None:
        t = time.perf_counter() - self.t0
        self.events.append((t, msg))
        if self.echo:
            print(f"  {t:7.1f}s {msg}", file=sys.stderr, flush=True)

    def steps(self, start: str, stop: str = "committed generation") -> dict[str, float]:
        """Seconds per step between the message starting with ``start`` and the next
        ``stop``: each step runs from its message to the next message."""
        out: dict[str, float] = {}
        on = False
        for (t, msg), (t2, _) in zip(self.events, self.events[1:] + [(self.now(), "")],
                                     strict=True):
            if msg.startswith(start):
                on = True
            if on:
                key = msg.split(" (")[0]
                key = "loading" if key.startswith("loading ") else key
                out[key] = out.get(key, 0.0) + (t2 - t)
                if msg.startswith(stop):
                    break
        return out

    def now(self) -> float:
        return time.perf_counter() - self.t0


def _commit_steps(clock: Clock) -> dict[str, float]:
    """Group a commit's messages: load (checkpoint/copy + loading), materialise, optimise."""
    steps = {"checkpoint": 0.0, "load": 0.0, "materialise": 0.0, "optimise": 0.0, "other": 0.0}
    for (t, msg), (t2, _) in zip(clock.events, clock.events[1:] + [(clock.now(), "")],
                                 strict=True):
        dt = t2 - t
        if msg.startswith(("checkpoint", "copying")):
            steps["checkpoint"] += dt
        elif msg.startswith("loading"):
            steps["load"] += dt
        elif msg.startswith(("materialising", "retract", "derived", "entailments")):
            steps["materialise"] += dt
        elif msg.startswith("optimising"):
            steps["optimise"] += dt
        elif not msg.startswith("committed"):
            steps["other"] += dt
    return {k: round(v, 2) for k, v in steps.items()}


def run_build(store: Path, scale: str) -> dict:
    esco = [DATA / "esco" / "esco_v1.1.1_en", DATA / "esco" / "esco_it"]
    tables = [("s3", DATA / "s3" / "s3_priority_domains_it.csv"),
              ("foundation-members", DATA / "members" / "its_foundation_members_press.csv")]
    clock = Clock()
    t = time.perf_counter()
    report = build(store, esco_dirs=[d for d in esco if d.exists()], synthetic=scale,
                   progress=clock, tables=[(k, p) for k, p in tables if p.exists()])
    seconds = time.perf_counter() - t
    quads = sum(r.triples for r in report.records)
    synth = next(r.triples for r in report.records if r.source == "synthetic")
    # the synthetic commit: from its checkpoint to its commit
    idx = max(i for i, (_, m) in enumerate(clock.events) if m.startswith("generated "))
    sub = Clock(echo=False)
    sub.t0 = clock.t0
    sub.events = clock.events[idx + 1:]
    steps = _commit_steps(sub)
    return {"seconds": round(seconds, 2), "quads": quads, "quads_per_s": round(quads / seconds),
            "timings": {k: round(v, 2) for k, v in report.timings.items()},
            "synthetic_triples": synth, "synthetic_commit": steps,
            "synthetic_load_triples_per_s": round(synth / steps["load"]) if steps["load"] else None}


def _query_times(db: ox.Store) -> dict[str, float]:
    """Median seconds (3 runs) of the foundation benchmark's five typical queries."""
    sys.path.insert(0, str(Path(__file__).parent))
    from foundation_bench import QUERIES

    out = {}
    for name, q in QUERIES.items():
        samples = []
        for _ in range(3):
            t = time.perf_counter()
            for _row in db.query(q, use_default_graph_as_union=True):  # type: ignore[union-attr]
                pass
            samples.append(time.perf_counter() - t)
        out[name] = round(sorted(samples)[1], 4)
    return out


def run_raw(store: Path, work: Path) -> dict:
    nq = work / "all.nq"
    with KnowledgeStore.open(store) as st:
        gen = st.generation
    db = ox.Store.read_only(str(store / "db" / str(gen)))
    with nq.open("wb") as fh:
        db.dump(fh, ox.RdfFormat.N_QUADS)
    quads = len(db)
    del db
    out: dict = {"quads": quads}
    target = work / "raw-disk"
    shutil.rmtree(target, ignore_errors=True)
    t = time.perf_counter()
    disk = ox.Store(str(target))
    disk.bulk_load(path=str(nq), format=ox.RdfFormat.N_QUADS)
    out["disk_bulk_load_s"] = round(time.perf_counter() - t, 2)
    before = _query_times(disk)
    t = time.perf_counter()
    disk.optimize()
    out["disk_optimize_s"] = round(time.perf_counter() - t, 2)
    after = _query_times(disk)
    out["queries_before_optimize_s"] = before
    out["queries_after_optimize_s"] = after
    del disk
    shutil.rmtree(target, ignore_errors=True)
    t = time.perf_counter()
    mem = ox.Store()
    mem.bulk_load(path=str(nq), format=ox.RdfFormat.N_QUADS)
    out["memory_bulk_load_s"] = round(time.perf_counter() - t, 2)
    del mem
    out["disk_quads_per_s"] = round(quads / out["disk_bulk_load_s"])
    out["memory_quads_per_s"] = round(quads / out["memory_bulk_load_s"])
    nq.unlink()
    return out


def _commit(st: KnowledgeStore, **kw) -> dict:
    clock = Clock(echo=False)
    t = time.perf_counter()
    st.replace_layers(progress=clock, **kw)
    rec = st.layer("inferred")
    return {"seconds": round(time.perf_counter() - t, 2), "steps": _commit_steps(clock),
            "inferred": rec.triples if rec else None,
            "path": "full" if any("in full" in m for _, m in clock.events)
            or not any(m.startswith(("derived", "retracted")) for _, m in clock.events)
            else "incremental"}


def run_layers(store: Path, work: Path, synthetic: bool = True) -> dict:
    copy = work / "layers-store"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(store, copy)
    out: dict = {}
    with KnowledgeStore.open(copy, read_only=False) as st:
        def layer(source: str) -> Layer:
            rec = st.layer(source)
            assert rec is not None
            path = work / f"{source}.nt"
            with path.open("wb") as fh:
                st.dump_graph(rec.graph, fh)
            return Layer(source, rec.title, path, kind=rec.kind,  # type: ignore[arg-type]
                         description=rec.description, file=rec.file)

        members = layer("foundation-members")
        # the first commit records the rules' digest (a store built before this version has
        # none); its own figures are the full path's
        for mode in (True, False):
            key = "incremental" if mode else "full"
            out.setdefault("replace foundation-members", {})[key] = _commit(
                st, layers=[members], incremental=mode)
        for mode in (True, False):
            key = "incremental" if mode else "full"
            out.setdefault("remove foundation-members", {})[key] = _commit(
                st, layers=[], remove=["foundation-members"], incremental=mode)
            out.setdefault("add foundation-members", {})[key] = _commit(
                st, layers=[members], incremental=mode)
        if synthetic:  # large: the store chooses the full pass itself (one run)
            out["replace synthetic"] = {"default": _commit(st, layers=[layer("synthetic")])}
    shutil.rmtree(copy, ignore_errors=True)
    for p in work.glob("*.nt"):
        p.unlink()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--work", type=Path, required=True, help="scratch directory (deleted after)")
    ap.add_argument("--scale", default="national-bench")
    ap.add_argument("--store", type=Path, help="skip the build: use this built store (copied)")
    ap.add_argument("--json", type=Path, help="write the results here")
    ap.add_argument("--no-layers", action="store_true",
                    help="skip part 3 (re-importing one layer): build and raw only")
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    res: dict = {}
    store = args.store
    if store is None:
        store = args.work / "store"
        shutil.rmtree(store, ignore_errors=True)
        print("== itskg build", file=sys.stderr)
        res["build"] = run_build(store, args.scale)
    print("== raw pyoxigraph bulk loads of the same quads", file=sys.stderr)
    res["raw"] = run_raw(store, args.work)
    if "build" in res:
        b, r = res["build"], res["raw"]
        res["ratios"] = {
            "synthetic load step / raw on-disk bulk load (quads/s)":
                round(b["synthetic_load_triples_per_s"] / r["disk_quads_per_s"], 2),
            "whole build / raw on-disk bulk load (quads/s)":
                round(b["quads_per_s"] / r["disk_quads_per_s"], 2),
        }
    if not args.no_layers:
        print("== re-importing one layer", file=sys.stderr)
        res["layers"] = run_layers(store, args.work)
    text = json.dumps(res, indent=1)
    print(text)
    if args.json:
        args.json.write_text(text)
    if args.store is None:
        shutil.rmtree(args.work / "store", ignore_errors=True)


if __name__ == "__main__":
    main()
