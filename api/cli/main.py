"""The `itskg` command line: a thin typer shell over itskg.graph.

Every command turns an ItskgError into one message on stderr and the class's exit code
(README, "Exit codes"); data goes to stdout, messages and progress to stderr.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from itskg.api.cli.common import StoreOpt, _handle, _kg, _settings, err, out
from itskg.graph.errors import ConfigError

__all__ = ["app", "main"]

app = typer.Typer(
    name="itskg",
    help="Knowledge graph of the Italian ITS Academy ecosystem: build, import, query, serve.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            out.print(f"itskg {version('itskg')}")
        except PackageNotFoundError:
            out.print("itskg (not installed: run 'make install')")
        raise typer.Exit()


@app.callback()
def _root(
    show_version: Annotated[bool, typer.Option(
        "--version", callback=_version, is_eager=True,
        help="Print the version (see CHANGELOG.md) and exit.")] = False,
) -> None:
    """Knowledge graph of the Italian ITS Academy ecosystem: build, import, query, serve."""


def _progress() -> Callable[[str], None]:
    start = time.perf_counter()

    def say(msg: str) -> None:
        err.print(f"[dim]{time.perf_counter() - start:7.1f}s[/] {escape(msg)}", highlight=False)

    return say


def _layers_table(records: list[Any], title: str) -> Table:
    t = Table(title=title)
    for c in ("layer", "kind", "triples", "loaded", "graph"):
        t.add_column(c, justify="right" if c == "triples" else "left")
    for r in records:
        t.add_row(r.source, r.kind, f"{r.triples:,}", r.loaded_at, r.graph)
    t.add_row("[bold]total[/]", "", f"[bold]{sum(r.triples for r in records):,}[/]", "", "")
    return t


# ----------------------------------------------------------------------------- build
@app.command()
@_handle
def build(
    store: StoreOpt = None,
    esco: Annotated[
        list[Path] | None,
        typer.Option("--esco", help="ESCO CSV export folder(s) to include (repeatable)."),
    ] = None,
    synthetic: Annotated[
        str | None,
        typer.Option("--synthetic", help="Add a synthetic layer: national (calibrated), "
                                         "national-bench, eu or a company count."),
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of the synthetic generator.")] = 42,
    table: Annotated[
        list[str] | None,
        typer.Option("--import", help="KIND=FILE: a real table to load (repeatable), e.g. "
                                      "s3=../shared/data/s3/s3_priority_domains_it.csv"),
    ] = None,
    precompute: Annotated[bool | None, typer.Option(
        "--precompute/--no-precompute",
        help="After the commit, compute what the explorer's pages open with (default: "
             "ITSKG_PRECOMPUTE, on).")] = None,
) -> None:
    """Build the default graph from scratch: ontology, vocabularies, ITS academies, ATECO, NUTS.

    Example: itskg build --esco ../shared/data/esco/esco_v1.1.1_en --synthetic national
    """
    tables: list[tuple[str, Path]] = []  # the kind is checked by the import (DataError)
    for spec in table or []:
        kind, sep, file = spec.partition("=")
        if not sep or not file:
            raise ConfigError(f"--import {spec!r}: use KIND=FILE, e.g. s3=priorities.csv")
        if not Path(file).is_file():
            raise ConfigError(f"--import {spec!r}: {file} is not a file")
        tables.append((kind.strip(), Path(file)))
    s = _settings(store)
    report = _kg(s).build(esco_dirs=esco or [], synthetic=synthetic, seed=seed,
                          progress=_progress(), tables=tables)
    for line in report.notes:
        err.print(escape(line), highlight=False)
    out.print(_layers_table(report.records, f"Store {s.store} (generation {report.generation})"))
    for step, secs in report.timings.items():
        err.print(f"  {step}: {secs:.1f} s")
    err.print(f"[green]built in {report.seconds:.1f} s[/]")
    _precompute_after_commit(s, precompute)


def _precompute_after_commit(s: Any, precompute: bool | None) -> None:
    """Precompute the new generation's page answers (``itskg.api.warmup``) unless skipped."""
    if not (s.precompute if precompute is None else precompute) or s.remote:
        return
    from itskg.api.warmup import precompute_store

    report = precompute_store(s, progress=_progress())
    err.print(f"precomputed {report.computed} answer(s) in {report.seconds:.1f} s"
              + (f"; {len(report.failed)} skipped (see the log)" if report.failed else ""))


@app.command()
@_handle
def precompute(store: StoreOpt = None) -> None:
    """Compute what the explorer's pages open with for the current generation, kept on disk
    beside it (what is there already is kept). 'itskg serve' does it in the background.

    Example: itskg precompute
    """
    _precompute_after_commit(_settings(store), True)


# ----------------------------------------------------------------------------- query
def _read_query(text: str) -> str:
    if text.startswith("@"):
        p = Path(text[1:])
        if not p.exists():
            raise ConfigError(f"Query file {p} not found.")
        return p.read_text(encoding="utf-8")
    if text == "-":
        return sys.stdin.read()
    return text


def _print_result(result: Any, fmt: str, limit: int | None) -> None:
    if fmt == "table":
        if result.kind == "ask":
            out.print("true" if result.boolean else "false")
            return
        if result.kind == "graph":
            sys.stdout.write((result.serialize("turtle") or b"").decode())
            return
        t = Table(show_lines=False)
        for v in result.variables:
            t.add_column(v, overflow="fold")
        count = 0
        for row in result.rows(limit):
            count += 1
            t.add_row(*("" if row[v] is None else str(row[v]) for v in result.variables))
        out.print(t)
        err.print(f"{count} row(s)")
        return
    if result.kind == "graph":
        fmt = {"json": "jsonld", "csv": "ntriples", "tsv": "ntriples"}.get(fmt, fmt)
    data = result.serialize(fmt) or b""
    sys.stdout.buffer.write(data)
    if not data.endswith(b"\n"):
        sys.stdout.buffer.write(b"\n")


@app.command()
@_handle
def query(
    sparql: Annotated[
        str | None, typer.Argument(help="SPARQL text, @FILE, or - for stdin.")
    ] = None,
    name: Annotated[str | None, typer.Option("--name", "-n", help="Run a named query.")] = None,
    param: Annotated[
        list[str] | None, typer.Option("--param", "-p", help="Named-query parameter key=value.")
    ] = None,
    fmt: Annotated[
        str,
        typer.Option("--format", "-f",
                     help="table, csv, tsv, json, xml; turtle, ntriples, jsonld for graphs."),
    ] = "table",
    lang: Annotated[str, typer.Option(help="Label language for named queries: it or en.")] = "it",
    limit: Annotated[int | None, typer.Option(help="Show at most this many rows (table).")] = None,
    store: StoreOpt = None,
) -> None:
    """Run a SPARQL query (or a named query of the catalogue) on the store.

    Without GRAPH, a query sees the union of all layers.

    Example: itskg query "SELECT ?a WHERE { ?a a itskg:ITSAcademy } LIMIT 5"
    """
    with _kg(_settings(store)) as kg:
        if name:
            params = {}
            for item in param or []:
                if "=" not in item:
                    raise ConfigError(f"Parameter {item!r} must be key=value.")
                k, v = item.split("=", 1)
                params[k.strip()] = v
            result = kg.query_result(name, params, lang=lang)
        else:
            if not sparql:
                raise ConfigError("Give a SPARQL query (text, @FILE or -) or --name NAME.")
            result = kg.query(_read_query(sparql))
        _print_result(result, fmt, limit)


@app.command()
@_handle
def queries(lang: Annotated[str, typer.Option(help="it or en")] = "en") -> None:
    """List the named queries of the catalogue with their parameters."""
    from itskg.graph.sparql.catalogue import load_catalog

    t = Table(title="Query catalogue")
    for c in ("name", "title", "parameters"):
        t.add_column(c, overflow="fold")
    for q in load_catalog().values():
        ps = ", ".join(f"{p.name}:{p.type}{'' if p.required else '?'}" for p in q.params)
        t.add_row(q.name, q.title.get(lang) or q.title.get("en", ""), ps)
    out.print(t)


# ----------------------------------------------------------------------------- inspect
@app.command()
@_handle
def stats(store: StoreOpt = None) -> None:
    """Triples per named graph and instances per class."""
    s = _settings(store)
    generation, layers, classes = _kg(s).stats()
    out.print(_layers_table(layers, f"Store {s.store} (generation {generation})"))
    t = Table(title="Instances per class (union of all layers)")
    t.add_column("class")
    t.add_column("instances", justify="right")
    for cls, n in classes:
        t.add_row(cls, f"{n:,}")
    out.print(t)


@app.command()
@_handle
def sources(store: StoreOpt = None) -> None:
    """List the layers (sources) in the store with their provenance."""
    s = _settings(store)
    t = Table(title=f"Sources in {s.store}")
    for c in ("source", "kind", "triples", "rows", "file", "sha256", "loaded", "tool"):
        t.add_column(c, overflow="fold")
    for r in _kg(s).layers():
        t.add_row(r.source, r.kind, f"{r.triples:,}", "" if r.rows is None else str(r.rows),
                  r.file or "", (r.sha256 or "")[:12], r.loaded_at, r.tool_version or "")
    out.print(t)


@app.command()
@_handle
def dump(output: Annotated[Path, typer.Option("--output", "-o", help="New directory.")],
         store: StoreOpt = None) -> None:
    """Write every layer as LAYER.nq.gz plus manifest.ttl/.json (VoID/DCAT, sha256, triples).

    Example: itskg dump --output /tmp/itskg-dump
    """
    report = _kg(_settings(store)).dump(output, progress=_progress())
    err.print(f"[green]dumped {report.triples:,} triples in {len(report.layers)} layers to "
              f"{output} in {report.seconds:.1f} s[/]")


@app.command()
@_handle
def load(directory: Annotated[Path, typer.Argument(help="A directory written by 'itskg dump'.")],
         store: StoreOpt = None,
         rederive: Annotated[bool, typer.Option(
             "--rederive", help="Run the rules even when the dump's entailments were made by "
             "the same rules (by default they are loaded as they are).")] = False) -> None:
    """Load a dump into an empty store: a directory or a SPARQL engine URL (checked first).

    Example: itskg load /tmp/itskg-dump --store http://127.0.0.1:7878/query
    """
    s = _settings(store)
    report = _kg(s).load(directory, progress=_progress(), rederive=rederive)
    err.print(f"[green]loaded {report.triples:,} triples into {s.store} in "
              f"{report.seconds:.1f} s[/]")


@app.command()
@_handle
def remove(source: Annotated[str, typer.Argument(help="Layer name, see 'itskg sources'.")],
           store: StoreOpt = None) -> None:
    """Drop one source layer (atomically)."""
    s = _settings(store)
    if source in {"ontology", "shapes", "inferred", "meta"}:
        raise ConfigError(f"'{source}' is part of the core graph; rebuild with 'itskg build'.")
    _kg(s).remove_layers([source], progress=_progress())
    err.print(f"[green]removed {source}[/]")


@app.command()
@_handle
def validate(
    store: StoreOpt = None,
    source: Annotated[
        list[str] | None, typer.Option("--source", help="Only these layers (repeatable).")
    ] = None,
    max_warnings: Annotated[int, typer.Option(help="Warnings to list.")] = 50,
) -> None:
    """SHACL report of the store's layers. Exit 0 if they conform (warnings allowed), 1 if not."""
    report = _kg(_settings(store)).validate(sources=source)
    for p in report.errors:
        out.print(f"[red]violation[/] {escape(str(p))}", highlight=False)
    for p in report.warnings[:max_warnings]:
        out.print(f"[yellow]warning[/] {escape(str(p))}", highlight=False)
    if len(report.warnings) > max_warnings:
        out.print(f"... and {len(report.warnings) - max_warnings} more warning(s)")
    out.print(f"{len(report.errors)} violation(s), {len(report.warnings)} warning(s) "
              f"over {report.triples:,} triples")
    if not report.conforms:
        raise typer.Exit(1)


# ----------------------------------------------------------------------------- import
@app.command("import")
@_handle
def import_(
    kind: Annotated[str, typer.Argument(help="esco, cordis, erasmus, academies, companies, "
                                             "memberships, courses, collaborations, mobility, "
                                             "indicators, s3 or foundation-members.")],
    path: Annotated[list[Path], typer.Argument(help="File (CSV/XLSX) or, for esco and cordis, "
                                                    "folder(s).")],
    store: StoreOpt = None,
    strict: Annotated[bool, typer.Option(help="Warnings also block the import.")] = False,
    source: Annotated[str | None, typer.Option(help="Layer name (default from the file).")] = None,
    sheet: Annotated[str | None, typer.Option(help="XLSX sheet name.")] = None,
    precompute: Annotated[bool | None, typer.Option(
        "--precompute/--no-precompute",
        help="After the commit, compute what the explorer's pages open with (default: "
             "ITSKG_PRECOMPUTE, on).")] = None,
) -> None:
    """Import data into its own layer: validated, atomic, with provenance.

    Example: itskg import companies companies.csv
    """
    settings = _settings(store)
    kg = _kg(settings)
    if kind == "esco":
        record, report = kg.import_esco(path, progress=_esco_progress())
        err.print(escape(str(report)), highlight=False)
    elif kind in ("cordis", "erasmus"):
        if len(path) != 1:
            raise ConfigError(f"'itskg import {kind}' takes one "
                              f"{'folder' if kind == 'cordis' else 'file'}, got {len(path)}.")
        record, match = kg.import_eu_projects(kind, path[0], source=source,
                                              progress=_progress())
        for line in match.lines():
            err.print(escape(line), highlight=False)
    else:
        if len(path) != 1:
            raise ConfigError(f"'itskg import {kind}' takes one file, got {len(path)}.")
        res = kg.import_table(kind, path[0], strict=strict, source=source, sheet=sheet,
                              progress=_progress())
        for w in res.warnings[:50]:
            err.print(f"[yellow]warning[/] {escape(str(w))}", highlight=False)
        if len(res.warnings) > 50:
            err.print(f"... and {len(res.warnings) - 50} more warning(s)")
        for line in res.report:
            err.print(escape(line), highlight=False)
        record = res.record
    out.print(f"[green]imported[/] {record.source}: {record.triples:,} triples "
              f"into {record.graph}")
    _precompute_after_commit(settings, precompute)


def _esco_progress() -> Callable[[str, int, int], None]:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                   console=err, transient=False)
    tasks: dict[str, Any] = {}

    def update(name: str, done: int, total: int) -> None:
        if not bar.live.is_started:
            bar.start()
        if name not in tasks:
            tasks[name] = bar.add_task(name, total=total or None)
        bar.update(tasks[name], completed=done, total=total or None)
        if total and done >= total and all(t.finished for t in bar.tasks):
            bar.stop()

    return update


@app.command()
@_handle
def template(
    kind: Annotated[str, typer.Argument(help="Kind of data (see 'itskg import --help').")],
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write to this file.")
    ] = None,
) -> None:
    """Write an empty CSV template (headers and one example row) for a kind of data."""
    from itskg.graph.importers.pipeline import template_csv

    text = template_csv(kind)
    if output:
        output.write_text(text, encoding="utf-8")
        err.print(f"wrote {output}")
    else:
        sys.stdout.write(text)


@app.command()
@_handle
def synth(
    scale: Annotated[str, typer.Option(help="national (calibrated to INDIRE), national-bench, "
                                            "eu or a number of companies.")] = "national",
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same graph).")] = 42,
    store: StoreOpt = None,
) -> None:
    """Generate the labelled synthetic ecosystem layer over the real reference layer."""
    record = _kg(_settings(store)).synthesise(scale=scale, seed=seed, progress=_progress())
    out.print(f"[green]synthetic layer[/]: {record.triples:,} triples into {record.graph}")


# ----------------------------------------------------------------------------- serve
@app.command()
@_handle
def serve(
    store: StoreOpt = None,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    timeout: Annotated[float | None, typer.Option(help="Query timeout, seconds.")] = None,
) -> None:
    """Serve the store: SPARQL endpoint at /sparql, API, pages.

    Example: itskg serve --port 8000
    """
    from itskg.api.server import serve as run_server

    s = _settings(store, query_timeout=timeout)
    if "base_url" not in s.model_fields_set:  # not set by ITSKG_BASE_URL or .env
        s = s.model_copy(update={"base_url": f"http://{host}:{port}"})
    run_server(s, host=host, port=port)


def _register_network() -> None:
    from itskg.api.cli.network_command import network

    app.command("network")(network)


_register_network()


def _register_take_away() -> None:
    from itskg.api.cli.elm_command import elm
    from itskg.api.cli.report_command import report

    app.command("elm")(elm)
    app.command("report")(report)


_register_take_away()


def _register_operations() -> None:
    from itskg.api.cli.operations_command import register

    register(app)


_register_operations()


def main() -> None:
    """Console-script entry point."""
    app()
