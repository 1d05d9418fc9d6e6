"""Dump/load benchmark: `itskg load` of a dump into a new local store and into Virtuoso, the
way the previous version did it against the way it does it now, in one run.

Steps (``--steps``, default all but Virtuoso's):
  dump      ``write_dump`` of ``--store`` into DIR/dump (the dump ``load`` reads; when the
            store records the digest of its rules, so does the dump);
  convert   the previous version's local load: every layer's N-Quads rewritten as N-Triples
            through the parser (``_nquads_to_nt`` below, kept here as the baseline), loaded
            with the rules run in full;
  rederive  the current load with ``rederive=True``: the N-Quads bulk-loaded as they are,
            checked by counts, the rules run in full;
  redump    dump the store ``rederive`` made (which records its rules' digest) into
            DIR/dump-rules, which the later steps load (for a source store built before
            the digest was recorded);
  given     the current load: the dump's entailments loaded as they are when the manifest
            records the same rules (otherwise it is ``rederive`` again: say so);
  virtuoso-convert / virtuoso-given   the same two into a private Virtuoso 7 on loopback
            (tools/virtuoso.py, a fresh database each) through its Graph Store Protocol.
Every load's result is compared: same layer counts, same ``inferred`` size.

Heavy: run it alone (``flock /tmp/itskg-bench.lock python bench/dump_load_bench.py ...``).
Usage: python bench/dump_load_bench.py --store STORE --work DIR [--steps dump convert ...]
       [--dump DIR] [--json FILE]
"""

from __future__ import annotations

import argparse
import gzip
import json
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, cast

import pyoxigraph as ox

from itskg.graph.backends import open_store
from itskg.graph.backends.dumps import check_dump, load_dump, write_dump
from itskg.graph.config import Settings
from itskg.graph.store import DERIVED_SOURCES, KnowledgeStore, Layer

TOOLS = Path(__file__).resolve().parents[1] / "tools"
STEPS = ["dump", "convert", "rederive", "redump", "given"]


class Clock:
    """Progress callback: timestamps every message; ``steps`` sums the time per kind."""

    KINDS = (("check", ("checking",)), ("convert", ("reading",)),
             ("load", ("loading", "uploading")),
             ("rules", ("materialising", "entailments computed")),
             ("optimise", ("optimising",)))

    def __init__(self) -> None:
        self.t0 = time.perf_counter()
        self.events: list[tuple[float, str]] = []
        self._last_upload = -10.0

    def __call__(self, msg: str) -> None:
        t = time.perf_counter() - self.t0
        shown = [e for e in self.events if e[1].startswith("uploading")]
        if not msg.startswith("uploading") or not shown or t - self._last_upload >= 10:
            print(f"  {t:8.1f}s {msg}", file=sys.stderr, flush=True)
            if msg.startswith("uploading"):
                self._last_upload = t
        self.events.append((t, msg))

    def steps(self) -> dict[str, float]:
        out = {k: 0.0 for k, _ in self.KINDS} | {"other": 0.0}
        end = time.perf_counter() - self.t0
        for (t, msg), (t2, _) in zip(self.events, [*self.events[1:], (end, "")], strict=True):
            kind = next((k for k, starts in self.KINDS if msg.startswith(starts)), "other")
            out[kind] += t2 - t
        return {k: round(v, 1) for k, v in out.items()}


def _nquads_to_nt(src: Path, dst: Path, graph: str) -> int:
    """The previous version's conversion: one layer's N-Quads as N-Triples, through the parser
    (every quad must be in ``graph``)."""
    n = 0
    g = ox.NamedNode(graph)
    with gzip.open(src, "rb") as fh, dst.open("wb") as out:
        batch: list[Any] = []
        for q in ox.parse(cast(IO[bytes], fh), ox.RdfFormat.N_QUADS):
            if q.graph_name != g:
                raise ValueError(f"{src.name}: a quad outside <{graph}>")
            batch.append(q.triple)
            if len(batch) >= 100_000:
                ox.serialize(batch, out, ox.RdfFormat.N_TRIPLES)
                n += len(batch)
                batch = []
        ox.serialize(batch, out, ox.RdfFormat.N_TRIPLES)
        n += len(batch)
    return n


def load_converted(dump: Path, store: Any, say: Callable[[str], None]) -> None:
    """The previous version's ``load_dump``: check, convert to N-Triples, load, run the rules."""
    m = check_dump(dump, say)
    with tempfile.TemporaryDirectory(dir=dump.parent) as tmp:
        layers = []
        for e in m["layers"]:
            if e["source"] in DERIVED_SOURCES:
                continue
            say(f"reading {e['file']}")
            nt = Path(tmp) / f"{e['source']}.nt"
            _nquads_to_nt(dump / e["file"], nt, e["graph"])
            layers.append(Layer(source=e["source"], title=e["title"], data=nt, format="nt",
                                kind=e["kind"], derived_from=tuple(e.get("derived_from") or ()),
                                license=e.get("license"), description=e.get("description")))
        store.replace_layers(layers, fresh=True, progress=say)


def counts(store: Any) -> dict[str, int]:
    return {r.source: r.triples for r in store.layers() if r.source != "meta"}


def cpu() -> float:
    """CPU seconds of this process and its threads so far (the machine may be shared:
    wall seconds alone mislead)."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def run_local(step: str, dump: Path, target: Path, keep: bool = False) -> dict[str, Any]:
    shutil.rmtree(target, ignore_errors=True)
    clock = Clock()
    t, c = time.perf_counter(), cpu()
    with KnowledgeStore.open(target, read_only=False) as st:
        if step == "convert":
            load_converted(dump, st, clock)
        else:
            load_dump(dump, st, progress=clock, rederive=step == "rederive")
        seconds = time.perf_counter() - t
        out = {"seconds": round(seconds, 1), "cpu_seconds": round(cpu() - c, 1),
               "steps": clock.steps(), "counts": counts(st)}
    if not keep:
        shutil.rmtree(target, ignore_errors=True)
    return out


def run_virtuoso(step: str, dump: Path, work: Path, buffers: int) -> dict[str, Any]:
    sys.path.insert(0, str(TOOLS))
    from virtuoso import VirtuosoServer

    with VirtuosoServer(work / "virtuoso", buffers=buffers) as vt:
        vt.isql('GRANT SPARQL_UPDATE TO "SPARQL";')
        settings = Settings(store=vt.endpoint, store_engine="virtuoso",
                            store_write_timeout=7200)
        clock = Clock()
        t, c = time.perf_counter(), cpu()
        with open_store(settings, read_only=False) as st:
            if step == "virtuoso-convert":
                load_converted(dump, st, clock)
            else:
                load_dump(dump, st, progress=clock)
            seconds = time.perf_counter() - t
            out = {"seconds": round(seconds, 1), "cpu_seconds": round(cpu() - c, 1),
                   "steps": clock.steps(), "counts": counts(st)}
    shutil.rmtree(work / "virtuoso", ignore_errors=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--store", type=Path, help="the built store to dump (read only)")
    ap.add_argument("--work", type=Path, required=True, help="scratch directory")
    ap.add_argument("--dump", type=Path, help="use this dump instead of dumping --store")
    ap.add_argument("--steps", nargs="*", default=STEPS,
                    choices=[*STEPS, "virtuoso-convert", "virtuoso-given"])
    ap.add_argument("--json", type=Path)
    ap.add_argument("--buffers", type=int, default=170_000,
                    help="Virtuoso's NumberOfBuffers (8 KB pages; 170,000 ~ 1.3 GB)")
    args = ap.parse_args()
    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    dump = args.dump or work / "dump"
    res: dict[str, Any] = {}
    if "dump" in args.steps:
        if args.store is None:
            ap.error("--store is needed to dump")
        shutil.rmtree(dump, ignore_errors=True)
        with KnowledgeStore.open(args.store) as st:
            rep = write_dump(st, dump, progress=Clock())
        res["dump"] = {"seconds": round(rep.seconds, 1), "triples": rep.triples}
    manifest = json.loads((dump / "manifest.json").read_text())
    res["triples"] = manifest["triples"]
    res["dump_records_rules"] = bool(manifest.get("rules"))
    for step in args.steps:
        if step == "dump":
            continue
        print(f"== {step}", file=sys.stderr, flush=True)
        if step == "redump":
            dump = work / "dump-rules"
            shutil.rmtree(dump, ignore_errors=True)
            with KnowledgeStore.open(work / "local-rederive") as st:
                write_dump(st, dump, progress=Clock())
            shutil.rmtree(work / "local-rederive", ignore_errors=True)
            continue
        res[step] = (run_virtuoso(step, dump, work, args.buffers) if step.startswith("virtuoso")
                     else run_local(step, dump, work / f"local-{step}",
                                    keep=step == "rederive" and "redump" in args.steps))
        if args.json:  # what is done so far survives an interrupted run
            args.json.write_text(json.dumps(res, indent=1))
    loads = [s for s in args.steps if s not in ("dump", "redump")]
    if loads:
        base = res[loads[0]]
        res["same_counts"] = all(res[s]["counts"] == base["counts"] for s in loads)
        for s in loads[1:]:
            res[f"{s} / {loads[0]}"] = round(res[s]["seconds"] / base["seconds"], 2)
    for s in loads:
        res[s].pop("counts")
    text = json.dumps(res, indent=1)
    print(text)
    if args.json:
        args.json.write_text(text)


if __name__ == "__main__":
    main()
