"""`itskg report` and `itskg elm` on a real store: the PDF's pages are rendered to PNG by
pdftoppm (poppler-utils, installed by tools/install_browser.sh) and must not be blank."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from itskg.api.cli.main import app
from tests.web.site import build_site_store

runner = CliRunner()


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_site_store(tmp_path_factory.getbasetemp() / "web-site" / "store")


def _need(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        msg = f"{tool} is missing: run 'bash tools/install_browser.sh'"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(msg)
        pytest.skip(msg)
    return path


def _ink(pgm: Path) -> float:
    """Share of pixels darker than near-white in a binary PGM (P5) image."""
    data = pgm.read_bytes()
    parts = data.split(maxsplit=4)  # P5, width, height, maxval, pixels
    assert parts[0] == b"P5"
    pixels = parts[4]
    return sum(1 for b in pixels if b < 235) / max(len(pixels), 1)


def test_region_report_pdf_pages_are_not_blank(store: Path, tmp_path: Path) -> None:
    _need("chromium")
    pdftoppm = _need("pdftoppm")
    out = tmp_path / "ITH5.pdf"
    r = runner.invoke(app, ["report", "region", "ITH5", "--format", "pdf", "--output", str(out),
                            "--lang", "en", "--store", str(store)], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    assert out.read_bytes().startswith(b"%PDF")
    subprocess.run([pdftoppm, "-r", "40", "-gray", str(out), str(tmp_path / "page")],
                   check=True, timeout=60)
    pages = sorted(tmp_path.glob("page-*.pgm"))
    assert len(pages) >= 2
    inks = [_ink(p) for p in pages]
    assert all(i > 0.005 for i in inks), inks  # every page has text or charts on it
    assert max(inks) > 0.03  # and at least one carries drawn charts (filled bars)


def test_report_html_and_json_and_errors(store: Path, tmp_path: Path) -> None:
    html = tmp_path / "r.html"
    r = runner.invoke(app, ["report", "region", "ITH5", "-f", "html", "-o", str(html),
                            "--store", str(store)], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    text = html.read_text(encoding="utf-8")
    assert "Emilia-Romagna" in text and "itskgVega" in text and 'src="/' not in text
    js = tmp_path / "r.json"
    r = runner.invoke(app, ["report", "region", "ITH5", "-f", "json", "-o", str(js),
                            "--store", str(store)], catch_exceptions=False)
    doc = json.loads(js.read_text(encoding="utf-8"))
    assert [s["id"] for s in doc["sections"]][:3] == ["overview", "members", "skills"]
    r = runner.invoke(app, ["report", "region", "XX9", "--store", str(store)])
    assert r.exit_code == 6 and "NUTS 2" in r.output
    r = runner.invoke(app, ["report", "country", "IT", "--store", str(store)])
    assert r.exit_code == 2


def test_elm_report_and_export_from_the_command_line(store: Path, tmp_path: Path) -> None:
    r = runner.invoke(app, ["elm", "report", "--region", "ITH5", "-f", "json", "--store",
                            str(store)], catch_exceptions=False)
    if r.exit_code == 9:  # no course of the small synthetic ecosystem in ITH5
        r = runner.invoke(app, ["elm", "report", "-f", "json", "--store", str(store)],
                          catch_exceptions=False)
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)
    assert rows and all("NQF level" in row["missing"] for row in rows)
    out = tmp_path / "q.jsonld"
    r = runner.invoke(app, ["elm", "export", rows[0]["key"], "-o", str(out), "--store",
                            str(store)], catch_exceptions=False)
    assert r.exit_code == 0
    assert "elm:Qualification" in out.read_text(encoding="utf-8")
    r = runner.invoke(app, ["elm", "export", "NOPE-123", "--store", str(store)])
    assert r.exit_code == 9 and "No" in r.output
