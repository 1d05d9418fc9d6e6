"""`itskg report region|academy CODE --format pdf|html|json --output FILE`.

    itskg report region ITH5 --format pdf --output emilia-romagna.pdf
    itskg report academy 0QBSMAW1 --format html --lang en -o fitstic.html

The same profile as the web page /profiles/region/ITH5: HTML is one self-contained file (its
charts draw offline), PDF is that file printed by headless Chromium (ITSKG_BROWSER).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from itskg.api.cli.common import _handle, _settings, _worker_kg, err

__all__ = ["report"]


@_handle
def report(
    kind: Annotated[str, typer.Argument(help="region | academy")],
    code: Annotated[str, typer.Argument(help="NUTS 2 code (ITH5) or academy key (0QBSMAW1)")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="pdf | html | json")] = "pdf",
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="File to write (default: <code>.<format>)")] = None,
    lang: Annotated[str, typer.Option("--lang", help="it | en")] = "it",
    store: Annotated[Path | None, typer.Option("--store", help="Store directory.")] = None,
) -> None:
    """Write the region or academy profile as a PDF, HTML or JSON report.

    Example: itskg report region ITH5 --format pdf --output ITH5.pdf
    """
    from itskg.api.pages.report_render import html_to_pdf, report_html
    from itskg.graph.errors import ConfigError

    if kind not in {"region", "academy"}:
        raise ConfigError(f"itskg report {kind}: use 'region' or 'academy'")
    if fmt not in {"pdf", "html", "json"}:
        raise ConfigError(f"--format {fmt}: use pdf, html or json")
    if lang not in {"it", "en"}:
        raise ConfigError(f"--lang {lang}: use it or en")
    s = _settings(store)
    target = output or Path(f"{code}.{fmt}")
    t0 = time.perf_counter()
    with _worker_kg(s) as kg, err.status(f"computing the {kind} profile..."):
        p = kg.profile(kind, code, lang)
    if fmt == "json":
        target.write_text(json.dumps(p.to_json(), ensure_ascii=False, indent=1), "utf-8")
    else:
        html = report_html(p, s)
        if fmt == "html":
            target.write_text(html, encoding="utf-8")
        else:
            with err.status("printing the PDF with headless Chromium..."):
                html_to_pdf(html, target, browser=s.browser)
    err.print(f"wrote {escape(str(target))} ({target.stat().st_size:,} bytes, "
              f"{time.perf_counter() - t0:.1f} s)")
