"""Do the in-memory and on-disk engines give every catalogue answer in the same order?

Usage::

    python bench/engine_order_check.py --store DIR [--only NAME ...]

Runs every catalogue query (example parameters, lang=it, bindings inlined as VALUES) on the
store's on-disk database and on an in-memory copy of it, and prints each query whose answers
differ: a query with a top-level ORDER BY must give the same rows in the same order (ties
under its ORDER BY are listed as "same multiset"), one without must give the same multiset
(rows whose GROUP_CONCAT lists are joined in another order are "different rows"). The test
fixture is too small to show most of these; run it at national scale (about 2 minutes of
CPU: under ``flock /tmp/itskg-bench.lock``).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import pyoxigraph as ox

from itskg.graph.namespaces import PREFIXES
from itskg.graph.sparql.catalogue import bind_params, inline_bindings, load_catalog
from itskg.graph.sparql.scan import scan_selects
from itskg.graph.store import KnowledgeStore


def rows(db: ox.Store, text: str) -> list[object]:
    res = db.query(text, prefixes=PREFIXES, use_default_graph_as_union=True)
    if isinstance(res, ox.QueryBoolean):
        return [bool(res)]
    return [tuple("_:b" if isinstance(t, ox.BlankNode) else None if t is None else str(t)
                  for t in s) for s in res]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--store", required=True, type=Path)
    ap.add_argument("--only", nargs="*")
    args = ap.parse_args(argv)
    store = KnowledgeStore.open(args.store)
    disk = store._store  # the engine itself, as the benchmarks use it
    mem = ox.Store()
    with tempfile.TemporaryDirectory() as tmp:
        dump = Path(tmp) / "store.nq"
        disk.dump(output=str(dump), format=ox.RdfFormat.N_QUADS)
        mem.bulk_load(path=str(dump), format=ox.RdfFormat.N_QUADS)
    cat = load_catalog()
    differ = 0
    for name in args.only or list(cat):
        q = cat[name]
        b = bind_params(q, {**q.example, **({"lang": "it"} if q.uses_lang else {})},
                        store=store)
        text = inline_bindings(q.text, b)
        on_disk, in_memory = rows(disk, text), rows(mem, text)
        ordered = q.kind == "select" and bool(scan_selects(q.text)[0].order_vars)
        same = on_disk == in_memory if ordered else sorted(map(repr, on_disk)) == sorted(
            map(repr, in_memory))
        if not same:
            differ += 1
            kind = ("same multiset" if sorted(map(repr, on_disk)) == sorted(map(repr, in_memory))
                    else "different rows")
            print(f"{name}: {'ordered' if ordered else 'unordered'}, {len(on_disk)} / "
                  f"{len(in_memory)} rows, {kind}", flush=True)
    print(f"{differ} of {len(args.only or cat)} queries differ between disk and memory")
    return 0


if __name__ == "__main__":
    sys.exit(main())
