"""First visits of the explorer, before and after precompute; projection builds, row by row
and from columns (issue 10, items 2 and 5).

Usage::

    flock /tmp/itskg-bench.lock python bench/first_visit_bench.py \\
        --source STORE --scratch SCRATCH_DIR [--json out.json]
        [--skip-builds] [--skip-visits] [--skip-before] [--reuse]

1. Projection builds (in this process, on the scratch copy): every declared projection built
   by ``build_graph`` as it is now (the engine's TSV read as columns, the one-mode projection
   written into networkx's adjacency) and with the baseline of before this work (every
   solution converted to a row of Terms, ``add_edges_from``), interleaved projection by
   projection (the order alternates), so both see the same machine.
2. First visits before precompute: ``itskg serve`` (``ITSKG_PRECOMPUTE=false``) on a free
   loopback port over a copy of the store without precomputed answers; once it answers, each
   page is visited once as a browser opens it: the HTML, then the JSON its scripts fetch, in
   order (the page's time is the sum). Pages: home, editor, questions, every question page
   with its form as it opens and run, the map (geometry and default indicator), the network
   page with the explorer's default view, every projection's default view, profiles.
3. ``itskg precompute`` (timed), then a fresh server (precompute on: it finds everything on
   disk), the same first visits again.

``--skip-before`` leaves out step 2; ``--reuse`` keeps the scratch copy as it is (made and
partly precomputed by an earlier run: at national scale ``itskg precompute --store SCRATCH``
can be run in parts, each under the benchmark lock, since it only fills what is missing) and
does not delete it at the end.

Prints a table per page (before, after, <= 1 s) and the projection build ratios; the README
records the figures ("Precomputed answers").
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).resolve().parent


def _read_path_bench() -> Any:
    spec = importlib.util.spec_from_file_location("itskg_read_path_bench",
                                                  HERE / "read_path_bench.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ------------------------------------------------------------------ projection builds
def _rows_table(store: Any, sparql: str) -> tuple[int, dict[str, list[Any]]]:
    """The baseline reader: every solution converted to a row of Terms (before issue 10)."""
    res = store.query(sparql)
    names = list(res.variables)
    cols: dict[str, list[Any]] = {n: [] for n in names}
    n = 0
    for row in res.rows():
        n += 1
        for k in names:
            cols[k].append(row[k])
    return n, cols


def _baseline_projection(B: Any, keep: Any) -> Any:
    """The baseline one-mode projection: igraph, then ``add_edges_from`` (before issue 10)."""
    import networkx as nx

    from itskg.graph.analysis import _igraph

    keep_set = set(keep)
    g, nodes = _igraph._convert(B, None)
    types = [n in keep_set for n in nodes]
    bad = [e.index for e in g.es if types[e.source] == types[e.target]]
    if bad:
        g.delete_edges(bad)
    proj = g.bipartite_projection(types=types, multiplicity=True, which=True)
    kept = [n for n, t in zip(nodes, types, strict=True) if t]
    P = nx.Graph()
    P.add_nodes_from(kept)
    ws = proj.es["weight"] if proj.ecount() else []
    P.add_edges_from((kept[e.source], kept[e.target], {"weight": int(w)})
                     for e, w in zip(proj.es, ws, strict=True))
    return P


def projection_builds(store_dir: Path) -> list[dict[str, Any]]:
    import networkx as nx

    from itskg.graph.analysis import _igraph, extract
    from itskg.graph.analysis.codelists import vocabulary
    from itskg.graph.analysis.projections import load_projections
    from itskg.graph.errors import AnalysisError
    from itskg.graph.store import KnowledgeStore

    st = KnowledgeStore.open(store_dir)
    vocabulary(st)  # read once, as a worker keeps it
    import igraph  # noqa: F401  (its import takes seconds: not part of a build)

    columnar, projection = extract._table, _igraph.bipartite_projection
    out = []
    for i, name in enumerate(load_projections()):
        times: dict[str, float | None] = {}
        graphs: dict[str, Any] = {}
        order = ("rows", "columns") if i % 2 == 0 else ("columns", "rows")
        for mode in order:
            extract._table = columnar if mode == "columns" else _rows_table  # type: ignore
            _igraph.bipartite_projection = (  # type: ignore[assignment]
                projection if mode == "columns" else _baseline_projection)
            t = time.perf_counter()
            try:
                graphs[mode] = extract.build_graph(st, name)
                times[mode] = time.perf_counter() - t
            except AnalysisError as err:
                times[mode], graphs[mode] = None, None
                print(f"  {name}: refused ({str(err)[:80]})", flush=True)
        extract._table, _igraph.bipartite_projection = columnar, projection  # type: ignore
        G = graphs["columns"]
        same = None
        if G is not None and graphs["rows"] is not None:
            for g in graphs.values():
                g.graph.pop("seconds", None)
            same = nx.utils.graphs_equal(graphs["rows"], G)
        row = {"projection": name, "nodes": G.number_of_nodes() if G is not None else None,
               "edges": G.number_of_edges() if G is not None else None,
               "rows_s": times["rows"], "columns_s": times["columns"], "same_graph": same}
        print(f"  {name:24s} {row['nodes']!s:>7} nodes {row['edges']!s:>9} edges  rows "
              f"{_s(times['rows'])}  columns {_s(times['columns'])}  same={same}", flush=True)
        graphs.clear()
        out.append(row)
    st.close()
    return out


def _s(v: float | None) -> str:
    return "   -   " if v is None else f"{v:6.2f} s"


# ------------------------------------------------------------------ first visits
def pages() -> list[tuple[str, list[str]]]:
    """(page, [the requests a browser makes to open it, in order])."""
    from urllib.parse import urlencode

    from itskg.api.routes.network import EXPLORER_MAX_NODES
    from itskg.api.warmup import form_params
    from itskg.graph.analysis.projections import load_projections
    from itskg.graph.sparql.catalogue import load_catalog

    out: list[tuple[str, list[str]]] = [
        ("home", ["/"]), ("editor", ["/editor"]), ("questions", ["/questions"]),
        ("map", ["/map", "/api/geo/italy", "/api/map/academies?level=region&lang=it"]),
        ("network (explorer default)", [
            "/network", "/api/network/projections",
            f"/api/network/academy-academy?max_nodes={EXPLORER_MAX_NODES}", "METRIC"]),
        ("profiles", ["/profiles"]),
    ]
    for q in load_catalog().values():
        params = form_params(q)
        if q.uses_lang:
            params["lang"] = "it"
        qs = urlencode(params)
        run = "&".join(x for x in (urlencode({k: v for k, v in params.items() if k != "lang"}),
                                   "run=1") if x)
        out.append((f"question {q.name}", [f"/questions/{q.name}?{run}",
                                           f"/api/queries/{q.name}?{qs + '&' if qs else ''}"
                                           "format=json"]))
    for name in load_projections():
        out.append((f"network view {name}", [
            f"/api/network/{name}?max_nodes={EXPLORER_MAX_NODES}", "METRIC"]))
    return out


def visit(base: str, page: list[str], timeout: float) -> tuple[float, list[str]]:
    """Seconds to make a page's requests in order; the problems met (status >= 400)."""
    problems: list[str] = []
    t0 = time.perf_counter()
    last_view: dict[str, Any] | None = None
    with httpx.Client(base_url=base, timeout=timeout) as c:
        for url in page:
            if url == "METRIC":  # network.js: the metric it is sized by, when not in the view
                if not last_view or not last_view.get("nodes"):
                    continue
                proj = last_view["projection"]
                metric = "weighted-degree" if proj == "academy-academy" else "degree"
                if any(isinstance(n.get(metric), (int, float)) for n in last_view["nodes"]):
                    continue
                url = f"/api/network/{proj}/{metric}?top={len(last_view['nodes'])}"
            try:
                r = c.get(url)
            except httpx.HTTPError as err:
                problems.append(f"{url}: {type(err).__name__}")
                continue
            if r.status_code >= 400:
                problems.append(f"{url}: {r.status_code}")
            elif url.startswith("/api/network/") and "max_nodes=" in url:
                last_view = r.json()
    return time.perf_counter() - t0, problems


def first_visits(rpb: Any, store: Path, precompute: bool, timeout: float
                 ) -> tuple[float, list[dict[str, Any]]]:
    port = rpb._free_port()
    t = time.perf_counter()
    env = {"ITSKG_PRECOMPUTE": "true" if precompute else "false"}
    with rpb.ItskgServer(store, port, timeout, env=env) as server:
        up = time.perf_counter() - t
        print(f"  server up in {up:.1f} s", flush=True)
        rows = []
        extra = []
        with contextlib.suppress(httpx.HTTPError, ValueError, IndexError, KeyError):
            # a Linked Data page: the first academy (looked up before the clock starts)
            its = httpx.get(server.base + "/api/picklists/its", timeout=timeout + 30).json()
            iri = its[0]["iri"]
            extra.append(("resource page (an academy)", ["/" + iri.split("/itskg/", 1)[1]]))
        for name, requests in [*pages(), *extra]:
            secs, problems = visit(server.base, requests, timeout + 30)
            rows.append({"page": name, "seconds": round(secs, 3), "problems": problems})
            print(f"  {name:55s} {secs:7.2f} s {'; '.join(problems)}", flush=True)
    return up, rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--source", type=Path, required=True,
                    help="a built store (e.g. itskg build --synthetic national-bench); copied")
    ap.add_argument("--scratch", type=Path, required=True,
                    help="where the copy is made (deleted first if it exists)")
    ap.add_argument("--timeout", type=float, default=30.0, help="the server's query deadline")
    ap.add_argument("--skip-builds", action="store_true")
    ap.add_argument("--skip-visits", action="store_true")
    ap.add_argument("--skip-before", action="store_true",
                    help="no first visits before precompute (step 2)")
    ap.add_argument("--reuse", action="store_true",
                    help="use the scratch copy as it is (precomputed answers kept) and keep it")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()

    if not (args.reuse and args.scratch.exists()):
        if args.scratch.exists():
            shutil.rmtree(args.scratch)
        subprocess.run(["cp", "-a", str(args.source), str(args.scratch)], check=True)
        shutil.rmtree(args.scratch / "answers", ignore_errors=True)
    result: dict[str, Any] = {"source": str(args.source)}
    if not args.skip_builds:
        print("projection builds (rows = before, columns = now):", flush=True)
        result["builds"] = projection_builds(args.scratch)
    if not args.skip_visits:
        rpb = _read_path_bench()
        up0, before = 0.0, []
        if not args.skip_before:
            print("first visits, nothing precomputed:", flush=True)
            up0, before = first_visits(rpb, args.scratch, False, args.timeout)
        print("itskg precompute:", flush=True)
        exe = Path(sys.executable).with_name("itskg")
        t = time.perf_counter()
        done = subprocess.run([str(exe), "precompute", "--store", str(args.scratch)],
                              capture_output=True, text=True,
                              env={**os.environ, "ITSKG_QUERY_TIMEOUT": str(args.timeout)})
        took = time.perf_counter() - t
        tail = (done.stderr.strip().splitlines() or [""])[-1]
        skipped = [ln for ln in done.stderr.splitlines() if "skipped" in ln]
        print(f"  {took:.1f} s: {tail}", flush=True)
        for ln in skipped[:20]:
            print("   ", ln[:200])
        print("first visits after precompute (a fresh server):", flush=True)
        up1, after = first_visits(rpb, args.scratch, True, args.timeout)
        nothing = {"seconds": None}
        result.update(server_up_s=[round(up0, 1), round(up1, 1)],
                      precompute_s=round(took, 1), precompute_skipped=skipped,
                      visits=[{"page": a["page"], "before_s": b["seconds"],
                               "after_s": a["seconds"], "problems_after": a["problems"]}
                              for b, a in zip(before or [nothing] * len(after), after,
                                              strict=True)])
        print("\n| page | before | after |\n|---|---|---|")
        for v in result["visits"]:
            was = "-" if v["before_s"] is None else f"{v['before_s']:.2f} s"
            print(f"| {v['page']} | {was} | {v['after_s']:.2f} s |")
        b = [v["before_s"] for v in result["visits"] if v["before_s"] is not None]
        a = [v["after_s"] for v in result["visits"]]
        print(f"\npages: {len(a)}; <= 1 s before {sum(x <= 1 for x in b) if b else '-'}, "
              f"after {sum(x <= 1 for x in a)}; median before "
              f"{f'{statistics.median(b):.2f} s' if b else '-'}, after "
              f"{statistics.median(a):.2f} s; slowest after {max(a):.2f} s "
              f"({max(result['visits'], key=lambda v: v['after_s'])['page']})")
    if "builds" in result:
        print("\n| projection | nodes | edges | rows (before) | columns (now) | ratio |")
        print("|---|---|---|---|---|---|")
        for r in result["builds"]:
            ratio = (f"{r['rows_s'] / r['columns_s']:.1f}x" if r["rows_s"] and r["columns_s"]
                     else "-")
            print(f"| {r['projection']} | {r['nodes']} | {r['edges']} | {_s(r['rows_s'])} | "
                  f"{_s(r['columns_s'])} | {ratio} |")
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))
    if not args.reuse:
        with contextlib.suppress(OSError):
            shutil.rmtree(args.scratch)


if __name__ == "__main__":
    main()
