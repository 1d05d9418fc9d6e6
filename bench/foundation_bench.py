"""Foundation benchmark: build time, and five typical queries through four engines in one run.

Engines, all on the same committed store generation:
  itskg      KnowledgeStore.query (the CLI's and Python API's engine, union default graph)
  http       POST /sparql of a running `itskg serve` (keep-alive httpx client)
  pyoxigraph raw pyoxigraph.Store.read_only on the same files (the baseline)
  rdflib     rdflib's SPARQL engine on the same triples loaded in memory (skipped above a size)

Reported as medians and as ratios against raw pyoxigraph measured in the same run.
Usage: python bench/foundation_bench.py [--store DIR] [--build] [--repeat N] [--out FILE]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pyoxigraph as ox

from itskg.graph.build import build
from itskg.graph.namespaces import sparql_prefixes
from itskg.graph.store import KnowledgeStore

P = sparql_prefixes()
QUERIES = {
    "lookup by IRI": P + "SELECT ?p ?o WHERE { <https://w3id.org/itskg/id/its/O4881HUH> ?p ?o }",
    "academies per region (GROUP BY)": P + """
        SELECT ?region ?name (COUNT(DISTINCT ?a) AS ?n) WHERE {
          ?a a itskg:ITSAcademy ; itskg:seatRegion ?region .
          OPTIONAL { ?region skos:prefLabel ?name }
        } GROUP BY ?region ?name ORDER BY DESC(?n)""",
    "ATECO subtree (skos:broader*)": P + """
        SELECT (COUNT(?c) AS ?n) WHERE {
          ?c skos:broader* <https://w3id.org/itskg/vocab/ateco2025/C> }""",
    "label search (lang filter)": P + """
        SELECT ?s ?l WHERE { ?s skos:prefLabel ?l
          FILTER(langMatches(lang(?l), "it") && CONTAINS(LCASE(STR(?l)), "meccani")) } LIMIT 50""",
    "academy-area-region join": P + """
        SELECT ?a ?area ?areaLabel ?region WHERE {
          ?a a itskg:ITSAcademy ; itskg:technologicalArea ?area ; itskg:seatRegion ?region .
          ?area skos:prefLabel ?areaLabel FILTER(lang(?areaLabel) = "en") }""",
}


def timed(fn, repeat: int) -> float:
    fn()  # warm-up
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    return statistics.median(samples)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(store: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = dict(os.environ, ITSKG_STORE=str(store))
    proc = subprocess.Popen([sys.executable, "-m", "itskg.api", "serve", "--port", str(port)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/sparql"
    for _ in range(300):
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return proc, url
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("itskg serve did not start")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", type=Path)
    ap.add_argument("--build", action="store_true", help="build the reference layer first")
    ap.add_argument("--esco", type=Path, action="append", default=[])
    ap.add_argument("--synthetic")
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--rdflib-max", type=int, default=400_000)
    ap.add_argument("--out", type=Path, default=Path("bench/results/foundation.json"))
    a = ap.parse_args()
    store = a.store or Path(tempfile.mkdtemp()) / "store"
    result: dict = {"queries": {}}
    if a.build or a.store is None:
        t = time.perf_counter()
        scale = int(a.synthetic) if a.synthetic and a.synthetic.isdigit() else a.synthetic
        rep = build(store, esco_dirs=a.esco, synthetic=scale)
        result["build_seconds"] = round(time.perf_counter() - t, 2)
        result["build_steps"] = {k: round(v, 2) for k, v in rep.timings.items()}
    st = KnowledgeStore.open(store)
    total = sum(r.triples for r in st.layers())
    result["triples"] = total
    raw = ox.Store.read_only(str(store / "db" / st.generation))
    rd = None
    if total <= a.rdflib_max:
        import rdflib

        buf = io.BytesIO()
        raw.dump(buf, ox.RdfFormat.N_QUADS)
        rd = rdflib.Dataset(default_union=True)
        rd.parse(data=buf.getvalue(), format="nquads")
    proc, url = start_server(store)
    client = httpx.Client(timeout=120)
    try:
        engines = {
            "pyoxigraph": lambda q: list(raw.query(q, use_default_graph_as_union=True)),
            "itskg": lambda q: list(st.query(q).rows()),
            "http": lambda q: client.post(url, data={"query": q},
                                          headers={"Accept": "application/sparql-results+json"}
                                          ).raise_for_status(),
        }
        if rd is not None:
            engines["rdflib"] = lambda q: list(rd.query(q))
        for name, q in QUERIES.items():
            row = {}
            for eng, fn in engines.items():
                rep = a.repeat if eng != "rdflib" else max(3, a.repeat // 5)
                row[eng] = round(timed(lambda fn=fn, q=q: fn(q), rep), 3)
            base = row["pyoxigraph"]
            row["ratios"] = {e: round(v / base, 2) for e, v in row.items()
                             if e != "pyoxigraph" and isinstance(v, float) and base}
            result["queries"][name] = row
        ask = "ASK {}"
        result["endpoint_overhead_ms"] = round(
            timed(lambda: engines["http"](ask), 200) - timed(lambda: st.ask(ask), 200), 3)
    finally:
        client.close()
        proc.terminate()
        proc.wait()
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(result, indent=1))
    print(f"triples: {total:,}  build: {result.get('build_seconds')} s")
    print(f"{'query':36} " + " ".join(f"{e:>11}" for e in engines) + "   ratios vs pyoxigraph")
    for name, row in result["queries"].items():
        cells = " ".join(f"{row[e]:>9.2f}ms" for e in engines)
        print(f"{name:36} {cells}   {row['ratios']}")
    print(f"endpoint overhead (ASK {{}} over HTTP minus in process): "
          f"{result['endpoint_overhead_ms']} ms")


if __name__ == "__main__":
    main()
