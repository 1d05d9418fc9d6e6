"""Time the synthetic generator: generate + load at the benchmark scales (national-bench, eu).

Builds a private store (never yours) in --workdir from the shipped reference layers
(ontology/, ATECO) and the ESCO CSV export in --esco, then for each scale: synthesize (reading
the reference + writing N-Triples), load with ``replace_layers`` (split into bulk load,
materialisation and optimisation from the store's progress messages), triple count.

    .venv/bin/python bench/synth_scale.py --esco ../shared/data/esco/esco_v1.1.1_en
    .venv/bin/python bench/synth_scale.py --scales national-bench --no-rules
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from itskg.graph.importers.esco import read_esco
from itskg.graph.reference.ateco import ateco_layer
from itskg.graph.resources import data_files, ontology_files, vocab_files
from itskg.graph.store import KnowledgeStore, Layer
from itskg.graph.synthetic.ecosystem import parse_scale, synthesize
from itskg.graph.terms import turtle_to_ntriples

DEFAULT_ESCO = Path(__file__).resolve().parents[2] / "shared/data/esco/esco_v1.1.1_en"


def reference_store(root: Path, esco: Path) -> KnowledgeStore:
    onto = b"".join(turtle_to_ntriples(f.read_bytes()) for f in ontology_files())
    layers = [Layer("ontology", "itskg ontology", onto, kind="ontology")]
    layers += [Layer(Path(f.name).stem, f.name, f.read_bytes(), format="ttl")
               for f in [*vocab_files(), *data_files()]]
    esco_import = read_esco([esco])
    store = KnowledgeStore.open(root, read_only=False)
    try:
        store.replace_layers([*layers, ateco_layer(), esco_import.layer], fresh=True)
    finally:
        esco_import.layer.data.unlink(missing_ok=True)  # type: ignore[union-attr]
    return store


class Phases:
    """Turns the store's progress messages into phase timings."""

    def __init__(self) -> None:
        self.t0 = time.perf_counter()
        self.marks: list[tuple[str, float]] = []

    def __call__(self, msg: str) -> None:
        self.marks.append((msg, time.perf_counter() - self.t0))

    def between(self, start: str, end: str) -> float:
        a = next(t for m, t in self.marks if m.startswith(start))
        b = next(t for m, t in self.marks if m.startswith(end))
        return b - a


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--esco", type=Path, default=DEFAULT_ESCO)
    ap.add_argument("--workdir", type=Path, default=None)
    ap.add_argument("--scales", default="national-bench,eu")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--no-rules", action="store_true", help="load without materialisation")
    args = ap.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="itskg-synth-bench-"))
    try:
        t = time.perf_counter()
        store = reference_store(work / "store", args.esco)
        print(f"reference store: {len(store)} triples in {time.perf_counter() - t:.1f} s")
        print(f"{'scale':>9} {'triples':>11} {'generate s':>10} {'load s':>7} "
              f"{'rules s':>7} {'optimise s':>10} {'total s':>8} {'kt/s load':>9}")
        for scale in args.scales.split(","):
            t = time.perf_counter()
            layer = synthesize(store, scale=parse_scale(scale), seed=args.seed, workdir=work)
            gen = time.perf_counter() - t
            ph = Phases()
            store.replace_layers([layer], progress=ph, rules=[] if args.no_rules else None)
            total = time.perf_counter() - t
            Path(layer.data).unlink()  # type: ignore[arg-type]
            load = ph.between("loading synthetic", "materialising")
            rules = ph.between("materialising", "writing metadata")
            opt = ph.between("optimising", "committed")
            print(f"{scale:>9} {layer.rows:>11,} {gen:>10.1f} {load:>7.1f} {rules:>7.1f} "
                  f"{opt:>10.1f} {total:>8.1f} {layer.rows / load / 1000:>9.0f}")
        store.close()
    finally:
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
