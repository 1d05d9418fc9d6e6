"""`itskg import KIND FILE`: read a user's table, map it, validate it, commit it as one layer.

:func:`import_table` is the public entry point. It reads the file
(:mod:`~itskg.graph.importers.tabular`), resolves and maps every row
(:mod:`~itskg.graph.importers.mapping`), validates the result with the SHACL shapes
(:func:`itskg.graph.validate.validate_data`, each result located back at the row and column it
came from), and commits it with :meth:`KnowledgeStore.replace_layers`: one layer per file, named
``{kind}-{file stem}`` unless ``source`` is given, so importing the same file again replaces its
own layer (idempotent) and two files make two layers. All problems of a file are collected
before failing; on any error nothing is written and the store stays exactly as it was.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypedDict, Unpack

from itskg.graph.backends.interface import Store
from itskg.graph.errors import DataError, Problem, ValidationError
from itskg.graph.importers.kinds import KINDS, get_kind, template_csv
from itskg.graph.importers.lookups import Lookups
from itskg.graph.importers.mapbase import Mapped, slug
from itskg.graph.importers.mapping import map_table
from itskg.graph.importers.tabular import read_table
from itskg.graph.namespaces import graph_iri, sparql_prefixes
from itskg.graph.rdfwriter import sha256_file
from itskg.graph.store import Layer, LayerRecord

__all__ = ["KINDS", "ImportResult", "default_source", "import_table", "table_layer",
           "template_csv"]

Progress = Callable[[str], None]
MARKER = "Imported with 'itskg import"
_SOURCE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")


@dataclass
class ImportResult:
    """A committed import: the layer record, the warnings, the number of data rows read."""

    record: LayerRecord | None
    warnings: list[Problem] = field(default_factory=list)
    rows: int = 0
    report: list[str] = field(default_factory=list)
    layer: Layer | None = None


def default_source(kind: str, path: Path) -> str:
    """``companies`` + ``Aziende 2024.xlsx`` -> ``companies-aziende-2024``."""
    return f"{kind}-{slug(Path(path).stem)}"


class TableOptions(TypedDict, total=False):
    """How a table is read (the keyword options of :func:`table_layer` and
    :func:`import_table`): ``strict`` (warnings block), ``source`` (layer name, default
    ``default_source``), ``sheet`` (XLSX sheet), ``progress`` (messages), ``shacl`` (False
    skips the SHACL step: bulk tests only; the CLI always validates)."""

    strict: bool
    source: str | None
    sheet: str | None
    progress: Progress | None
    shacl: bool


def import_table(store: Store, kind: str, path: Path,
                 **options: Unpack[TableOptions]) -> ImportResult:
    """Import one CSV/XLSX file of ``kind`` into ``store`` as its own layer.

    Raises DataError (ValidationError for SHACL violations) listing every problem with file,
    row, column and reason; warnings do not block unless ``strict``. ``shacl=False`` skips the
    SHACL step (used by bulk tests; the CLI always validates).
    """
    res = table_layer(store, kind, path, **options)
    assert res.layer is not None
    progress = options.get("progress")
    (progress or (lambda _m: None))(f"committing layer {res.layer.source}")
    (res.record,) = store.replace_layers([res.layer], progress=progress)
    return res


def table_layer(
    store: Store,
    kind: str,
    path: Path,
    *,
    strict: bool = False,
    source: str | None = None,
    sheet: str | None = None,
    progress: Progress | None = None,
    shacl: bool = True,
) -> ImportResult:
    """Read, map and validate one file of ``kind`` into a Layer, without committing it.

    The result's ``layer`` is committed by the caller (``itskg build`` commits several such
    layers in one generation); ``record`` is None. Raises like :func:`import_table`.
    """
    say = progress or (lambda _m: None)
    spec = get_kind(kind)
    path = Path(path)
    source = source or default_source(kind, path)
    _check_source(store, source, path)
    say(f"reading {path.name}")
    table = read_table(path, sheet=sheet)
    lookups = Lookups(store, replacing=graph_iri(source))
    say(f"mapping {len(table)} rows as {kind}")
    mapped = map_table(kind, table, lookups, source=source,
                       default_note=f"{path.name} (imported by a user)")
    _raise_if_errors(path.name, mapped.problems, "the file has problems")
    data = mapped.writer.to_bytes()
    if shacl and len(mapped.writer):
        say("validating with SHACL")
        mapped.problems += _shacl(store, data, mapped, path.name)
        _raise_if_errors(path.name, mapped.problems, "SHACL validation failed",
                         cls=ValidationError)
    warnings = mapped.warnings
    if strict and warnings:
        raise DataError(f"{path.name}: {len(warnings)} warning(s) and --strict given; nothing "
                        "was written.", warnings)
    layer = Layer(
        source=source, title=f"{spec.title} from {path.name}", data=data, format="nt",
        kind="real", derived_from=(path.name,), file=path.name, sha256=sha256_file(path),
        rows=mapped.rows,
        description=f"{MARKER} {kind}' from {path.name}"
                    + (f" (sheet {table.sheet})" if table.sheet else "") + ".",
    )
    return ImportResult(record=None, warnings=warnings, rows=mapped.rows, report=mapped.report,
                        layer=layer)


def _check_source(store: Store, source: str, path: Path) -> None:
    if not _SOURCE.match(source):
        raise DataError(f"Layer name {source!r} is not valid.", [Problem(
            "use lower-case letters, digits, '-', '_' or '.' (e.g. companies-2024)",
            file=path.name)])
    existing = store.layer(source)
    if existing and not (existing.description or "").startswith(MARKER):
        raise DataError(f"Layer {source!r} exists and was not made by 'itskg import'.", [Problem(
            "importing would replace it; choose another --source name", file=path.name)])


def _raise_if_errors(file: str, problems: list[Problem], what: str,
                     cls: type[DataError] = DataError) -> None:
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        warnings = [p for p in problems if p.severity != "error"]
        raise cls(f"{file}: {what}: {len(errors)} error(s), {len(warnings)} warning(s); "
                  "nothing was written.", errors + warnings)


def _context(store: Store, iris: set[str]) -> bytes:
    """Types, schemes and labels of the referenced IRIs, so shapes can check them."""
    if not iris:
        return b""
    values = " ".join(f"<{i}>" for i in sorted(iris) if ">" not in i and " " not in i)
    q = sparql_prefixes(["rdf", "skos", "itskg"]) + (
        "CONSTRUCT { ?x ?p ?o } WHERE { VALUES ?x { " + values + " } ?x ?p ?o "
        "VALUES ?p { rdf:type skos:inScheme skos:prefLabel skos:notation skos:broader "
        "itskg:seatRegion } }")
    res = store.query(q)
    return res.serialize("ntriples") or b""


def _shacl(store: Store, data: bytes, mapped: Mapped, file: str) -> list[Problem]:
    try:
        from itskg.graph.validate import validate_data
    except ImportError:
        return [Problem("SHACL validation skipped: itskg.graph.validate is not available",
                        file=file, severity="warning")]
    report = validate_data(data, "nt", context=_context(store, mapped.referenced), file=file)
    out = []
    for p in report.problems:
        row = mapped.focus_rows.get(p.focus or "")
        column = mapped.path_columns.get(p.path or "") if p.path else None
        out.append(Problem(p.message, file=file, row=row, column=column,
                           severity=p.severity, focus=p.focus, path=p.path))
    return out
