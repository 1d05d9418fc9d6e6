"""`itskg network`: network analysis of a declared projection from the command line.

Registered by the lead as ``app.command("network")(network)``. Examples::

    itskg network projections                      # what can be analysed
    itskg network metrics                          # what can be computed
    itskg network betweenness --projection academy-company --region ITH5 --top 20
    itskg network communities --projection academy-academy --format json
    itskg network export --projection academy-academy --format gexf --output its.gexf
    itskg network constraint --projection academy-company --write-back
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from itskg.api.cli.common import _handle, _settings, _worker_kg, err, out
from itskg.graph.csvsafe import safe_row
from itskg.graph.errors import AnalysisError, QueryTimeoutError
from itskg.graph.knowledge import KnowledgeGraph

if TYPE_CHECKING:  # networkx loads only for the network command
    from itskg.graph.analysis.extract import Filters

__all__ = ["network"]


def _params(items: list[str] | None) -> dict[str, str]:
    out_: dict[str, str] = {}
    for item in items or []:
        if "=" not in item:
            raise AnalysisError(f"--param takes key=value, not {item!r} (e.g. --param k=500).")
        k, v = item.split("=", 1)
        out_[k.strip().replace("-", "_")] = v.strip()
    return out_


def _print_rows(rows: list[dict[str, Any]], fmt: str, title: str) -> None:
    if fmt == "json":
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=1, default=str) + "\n")
        return
    cols: list[str] = []
    for r in rows:
        cols.extend(k for k in r if k not in cols)
    if fmt == "csv":
        w = csv.DictWriter(sys.stdout, fieldnames=cols, lineterminator="\n")
        w.writeheader()
        w.writerows(safe_row({k: (json.dumps(v, ensure_ascii=False)
                                  if isinstance(v, (list, dict)) else v) for k, v in r.items()})
                    for r in rows)
        return
    t = Table(title=title)
    for c in cols:
        t.add_column(c, overflow="fold", justify="right" if c in {"rank", "value"} else "left")
    for r in rows:
        t.add_row(*(escape("" if r.get(c) is None else str(r.get(c))) for c in cols))
    out.print(t)


@_handle
def network(
    metric: Annotated[str, typer.Argument(
        help="A metric (degree, betweenness, pagerank, constraint, brokerage, communities, "
             "components, bridges, similarity, specialisation, recommend, ...), or 'export', "
             "'summary', 'projections', 'metrics'.")],
    projection: Annotated[str, typer.Option(
        "--projection", "-p", help="Declared projection (see 'itskg network projections').")
    ] = "academy-company",
    region: Annotated[list[str] | None, typer.Option(
        "--region", help="NUTS code or name (repeatable), e.g. ITH5 or Emilia-Romagna.")] = None,
    area: Annotated[list[str] | None, typer.Option(
        "--area", help="Technological area code or name (repeatable), e.g. D6 or A4.3.")] = None,
    sector: Annotated[list[str] | None, typer.Option(
        "--sector", help="ATECO code or section (repeatable), e.g. C or 62.10.")] = None,
    year: Annotated[int | None, typer.Option("--year", help="Year (memberships active, "
                                             "flows, course cohorts).")] = None,
    real_only: Annotated[bool, typer.Option(
        "--real-only/--include-synthetic", help="Leave out synthetic data.")] = False,
    top: Annotated[int | None, typer.Option("--top", help="Show the first N rows.")] = 20,
    fmt: Annotated[str, typer.Option(
        "--format", "-f", help="table|csv|json (metrics); gexf|graphml|csv (export).")
    ] = "table",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Export file.")] = None,
    write_back: Annotated[bool, typer.Option(
        "--write-back", help="Store the results in the graph (layer network-<proj>-<metric>).")
    ] = False,
    kind: Annotated[str | None, typer.Option(
        "--kind", help="Rank only nodes of this kind (company, academy, university...).")
    ] = None,
    param: Annotated[list[str] | None, typer.Option(
        "--param", help="Metric parameter key=value (repeatable): k=500, seed=1, attr=area, "
                        "profile=skill, target=ITH5, level=region.")] = None,
    store: Annotated[Path | None, typer.Option("--store", help="Store directory.")] = None,
) -> None:
    """Analyse a network projection of the graph: rank, group, export, write back.

    Example: itskg network betweenness --projection academy-company --region ITH5 --top 10
    """
    from itskg.graph.analysis.metrics import METRICS
    from itskg.graph.analysis.projections import load_projections

    if metric == "projections":
        _print_rows([{"name": p.name, "title": p.title["en"],
                      "kind": f"derived from {p.project_from}" if p.derived else
                      ("bipartite" if p.bipartite else "directed" if p.directed else "graph"),
                      "filters": ", ".join(p.supported_filters())}
                     for p in load_projections().values()], fmt, "projections")
        return
    if metric == "metrics":
        _print_rows([{"name": m.name, "title": m.title, "params": ", ".join(m.params)}
                     for m in METRICS.values()], fmt, "metrics")
        return

    from itskg.graph.analysis.extract import Filters

    settings = _settings(store)
    filters = Filters(regions=tuple(region or ()), areas=tuple(area or ()),
                      sectors=tuple(sector or ()), year=year, real_only=real_only)
    # the work runs in one killable worker process, under the same deadline and memory bound
    # as the server's network routes (ITSKG_QUERY_TIMEOUT, ITSKG_WORKER_MEMORY_MB)
    with _worker_kg(settings) as kg:
        try:
            _run(kg, metric, projection, filters, fmt=fmt, output=output, top=top, kind=kind,
                 params=_params(param), write_back=write_back)
        except QueryTimeoutError:
            raise QueryTimeoutError(
                f"Network analysis of '{projection}' ran longer than {settings.query_timeout:g} "
                "s and was stopped: add --region/--area/--sector/--year filters, or raise the "
                "deadline with ITSKG_QUERY_TIMEOUT.") from None


def _run(kg: KnowledgeGraph, metric: str, projection: str, filters: Filters, *, fmt: str,
         output: Path | None, top: int | None, kind: str | None, params: dict[str, str],
         write_back: bool) -> None:
    if metric == "export":
        xfmt = "gexf" if fmt == "table" else fmt
        if output is None:
            raise AnalysisError("Export needs --output FILE (e.g. --output network.gexf).")
        body = kg.network("export", projection, filters, format=xfmt).body
        output.write_bytes(body)
        err.print(f"[green]wrote[/] {output} ({xfmt}, {len(body):,} bytes)")
        return
    if metric == "summary":
        summary = json.loads(kg.network("summary", projection, filters).body)
        sys.stdout.write(json.dumps(summary, indent=1) + "\n")
        return
    if write_back:
        answer, rec = kg.network_layer(projection, filters, metric, kind=kind, params=params,
                                       top=top)
    else:
        answer = json.loads(kg.network("metric", projection, filters, metric=metric, top=top,
                                       kind=kind, params=params).body)
    _print_rows(answer["rows"], fmt, f"{metric} on {projection}")
    err.print(f"[dim]{projection}: {answer['total']:,} rows[/]", highlight=False)
    if answer["summary"]:
        err.print(json.dumps(answer["summary"], ensure_ascii=False, indent=1, default=str)[:4000])
    if write_back:
        err.print(f"[green]wrote[/] {rec.triples:,} triples into {rec.graph} ({rec.kind})")
