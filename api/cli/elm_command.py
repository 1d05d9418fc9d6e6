"""`itskg elm`: Europass-ready ITS qualifications from the command line.

    itskg elm report --region ITH5                  # completeness per qualification (LOQ shapes)
    itskg elm report --academy 0QBSMAW1 -f json
    itskg elm export 0QBSMAW1-3277991039f5 -o q.jsonld --nqf 5=http://data.europa.eu/snb/qdr/...

``--nqf LEVEL=IRI`` gives the QDR IRI of the Italian (QNQ) level matching EQF LEVEL, which no
source of itskg holds; without it every qualification lacks its NQF level.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from itskg.api.cli.common import _handle, _settings, _worker_kg, err, out

__all__ = ["elm"]

CHECK_BATCH = 200  # qualifications per worker request of the shapes check

NqfOpt = Annotated[list[str] | None, typer.Option(
    "--nqf", help="EQF level = QDR IRI of the matching Italian NQF level (repeatable), "
                  "e.g. 5=http://data.europa.eu/snb/qdr/c_...")]


@_handle
def elm(
    action: Annotated[str, typer.Argument(help="report | export")],
    key: Annotated[str | None, typer.Argument(help="export: the qualification key or IRI")] = None,
    region: Annotated[str | None, typer.Option("--region", help="NUTS 2 code, e.g. ITH5")] = None,
    academy: Annotated[str | None, typer.Option("--academy", help="Academy key or IRI")] = None,
    nqf: NqfOpt = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table|csv|json")] = "table",
    lang: Annotated[str, typer.Option("--lang", help="it|en (titles)")] = "it",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="export: file")] = None,
    store: Annotated[Path | None, typer.Option("--store", help="Store directory.")] = None,
) -> None:
    """Qualifications in the European Learning Model: completeness report and JSON-LD export.

    Example: itskg elm report --region ITH5
    """
    from itskg.graph.elm import qualification_jsonld
    from itskg.graph.elm.lookup import academy_iri, nqf_option, region_iri
    from itskg.graph.errors import ConfigError

    if action not in {"report", "export"}:
        raise ConfigError(f"itskg elm {action}: use 'report' or 'export'")
    if fmt not in {"table", "csv", "json"}:
        raise ConfigError(f"--format {fmt}: use table, csv or json")
    levels = nqf_option(nqf)
    s = _settings(store)
    with _worker_kg(s) as kg:
        if action == "export":
            if not key:
                raise ConfigError("itskg elm export needs a qualification key "
                                  "(see 'itskg elm report')")
            doc = qualification_jsonld(kg.qualification(key, levels))
            text = json.dumps(doc, ensure_ascii=False, indent=1) + "\n"
            if output is None:
                sys.stdout.write(text)
            else:
                output.write_text(text, encoding="utf-8")
                err.print(f"wrote {escape(str(output))}")
            return
        with err.status("deriving qualifications from the courses..."):
            quals = kg.qualifications(academy=academy_iri(academy),
                                      region=region_iri(region), nqf_levels=levels)
        reports = []
        # in batches: each is one worker request under the deadline (a national report is
        # thousands of qualifications at about 0.1 s each)
        for i in range(0, len(quals), CHECK_BATCH):
            with err.status(f"checking qualifications {i + 1}-{min(i + CHECK_BATCH, len(quals))}"
                            f" of {len(quals)} against the LOQ shapes..."):
                reports.extend(kg.check_qualifications(quals[i:i + CHECK_BATCH]))
    rows = [r.as_json(lang) for r in reports]
    if fmt == "json":
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=1) + "\n")
        return
    if fmt == "csv":
        w = csv.writer(sys.stdout, lineterminator="\n")
        w.writerow(["key", "title", "eqf", "synthetic", "learning_outcomes", "complete",
                    "missing"])
        for r in rows:
            w.writerow([r["key"], r["title"], (r["eqf"] or "").rsplit("/", 1)[-1],
                        r["synthetic"], r["learning_outcomes"], r["complete"],
                        "; ".join(r["missing"])])
        return
    t = Table(title=f"ELM completeness (LOQ shapes): {sum(r['complete'] for r in rows)} of "
                    f"{len(rows)} complete")
    for c in ("key", "title", "EQF", "outcomes", "missing"):
        t.add_column(c, overflow="fold")
    for r in rows:
        t.add_row(escape(r["key"]), escape(r["title"] + (" (synthetic)" if r["synthetic"]
                                                         else "")),
                  (r["eqf"] or "").rsplit("/", 1)[-1], str(r["learning_outcomes"]),
                  escape(", ".join(r["missing"]) or "complete"))
    out.print(t)
