"""Profile pages and reports share one rendering: page context, standalone HTML, PDF, CSV.

- ``page_context(profile, links)``: what ``profile.html`` and ``report.html`` need (numbers
  formatted for the page language, the charts' Vega-Lite specs as JSON for profile.js).
- ``report_html(profile, settings)``: one self-contained HTML file (CSS, the chart bundle,
  profile.js and the data inline) that draws its charts offline.
- ``html_to_pdf(html, output, browser=)``: prints that file with headless Chromium
  (``--print-to-pdf``; virtual time lets the charts draw first). Raises ConfigError when no
  browser is found and ItskgError when Chromium fails or runs past its time limit.
- ``chart_csv(chart)``: a chart's data as CSV (UTF-8 with BOM, for spreadsheets).
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from itskg.api.pages.i18n import t
from itskg.api.pages.rendering import STATIC_DIR, templates, vendor_dir
from itskg.graph.config import Settings
from itskg.graph.errors import ConfigError, ItskgError
from itskg.graph.reports import Chart, Profile

__all__ = ["chart_csv", "find_browser", "formatter", "html_to_pdf", "page_context",
           "report_html"]

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
PDF_TIMEOUT = 120.0  # seconds; Chromium is killed past it


def formatter(lang: str) -> Callable[[Any, str], str]:
    """``fmt(value, unit)``: 1.234,5 / 52,4 % in Italian, 1,234.5 / 52.4% in English."""
    dec, sep = ("," , ".") if lang == "it" else (".", ",")

    def number(x: float, digits: int) -> str:
        text = f"{x:,.{digits}f}"
        return text.replace(",", "\0").replace(".", dec).replace("\0", sep)

    def fmt(value: Any, unit: str = "") -> str:
        if value is None:
            return ""
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return str(value)
        if unit == "%":
            return number(100 * value, 1) + ("\u00a0%" if lang == "it" else "%")
        if float(value).is_integer():
            return number(value, 0)
        return number(value, 2 if abs(value) >= 0.01 else 4)

    return fmt


def _charts_json(p: Profile) -> str:
    data = {"lang": p.lang, "failed": t("prof.chart_failed", p.lang),
            "charts": {c.id: c.spec for s in p.sections for c in s.charts}}
    # Safe inside <script type="application/json">: no "</" can close the element.
    return json.dumps(data, ensure_ascii=False).replace("</", "<\\/")


def page_context(p: Profile, links: dict[str, str]) -> dict[str, Any]:
    """Template context of a profile (page or report)."""
    return {"p": p.to_json(), "fmt": formatter(p.lang), "links": links,
            "charts_json": _charts_json(p), "lang": p.lang}


def _inline_js(path: Path) -> str:
    return path.read_text(encoding="utf-8").replace("</script", "<\\/script")


def report_html(p: Profile, settings: Settings) -> str:
    """The profile as one self-contained HTML file (works offline, prints to PDF)."""
    vendor = vendor_dir(settings)
    bundle = vendor / "itskg" / "charts.min.js" if vendor else None
    if bundle is None or not bundle.is_file():
        raise ConfigError("The chart bundle itskg/charts.min.js is missing: run "
                          "'bash tools/install_browser.sh' (npm ci + esbuild).")
    ctx = page_context(p, {"csv": f"{p.code}-", "html": "", "pdf": "", "json": ""})
    ctx.update(t=lambda key: t(key, p.lang), css=(STATIC_DIR / "site.css").read_text("utf-8"),
               charts_js=_inline_js(bundle), profile_js=_inline_js(STATIC_DIR / "profile.js"))
    return templates.env.get_template("report.html").render(ctx)


def find_browser(configured: str | None = None) -> str:
    """The Chromium executable: ``configured`` (ITSKG_BROWSER), else the first on PATH."""
    for name in ([configured] if configured else BROWSERS):
        path = shutil.which(name) if name else None
        if path:
            return path
    raise ConfigError("No Chromium found for PDF reports"
                      + (f" at {configured!r}" if configured else " on PATH")
                      + ": install it ('bash tools/install_browser.sh' installs Debian's "
                        "chromium) or set ITSKG_BROWSER.")


def html_to_pdf(html: str, output: Path, *, browser: str | None = None,
                timeout: float = PDF_TIMEOUT) -> Path:
    """Print ``html`` to the PDF file ``output`` with headless Chromium; return ``output``."""
    exe = find_browser(browser)
    with tempfile.TemporaryDirectory(prefix="itskg-report-") as tmp:
        page = Path(tmp) / "report.html"
        page.write_text(html, encoding="utf-8")
        target = Path(tmp) / "report.pdf"
        cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
               "--no-first-run", "--disable-extensions", "--disable-background-networking",
               f"--user-data-dir={Path(tmp) / 'profile'}", "--no-pdf-header-footer",
               "--run-all-compositor-stages-before-draw", "--virtual-time-budget=30000",
               f"--print-to-pdf={target}", page.as_uri()]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                                  check=False)
        except subprocess.TimeoutExpired:
            raise ItskgError(f"Chromium did not print the report within {timeout:.0f} s") \
                from None
        if not target.is_file() or target.stat().st_size < 1000:
            tail = (proc.stderr or "").strip().splitlines()[-3:]
            raise ItskgError(f"Chromium ({exe}) wrote no PDF (exit {proc.returncode}): "
                             + " | ".join(tail))
        output.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(target, output)
    return output


def chart_csv(chart: Chart) -> bytes:
    """The chart's rows as CSV (columns in first-seen order)."""
    cols: list[str] = []
    for r in chart.rows:
        cols.extend(k for k in r if k not in cols)
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=cols, lineterminator="\n")
    w.writeheader()
    w.writerows(chart.rows)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")
