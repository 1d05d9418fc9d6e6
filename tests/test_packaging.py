"""Packaging: one installed name (itskg), every shipped folder listed, no generic modules."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAPPED = {"graph": "itskg.graph", "api": "itskg.api", "ontology": "itskg.ontology",
          "queries": "itskg.queries"}
SHIPPED = {".py", ".ttl", ".rq", ".html", ".js", ".css", ".json", ".yaml"}


def test_every_shipped_folder_is_listed_as_a_package() -> None:
    cfg = tomllib.loads((ROOT / "pyproject.toml").read_text())
    listed = set(cfg["tool"]["setuptools"]["packages"])
    missing = []
    for folder, pkg in MAPPED.items():
        for d in [ROOT / folder, *(p for p in (ROOT / folder).rglob("*") if p.is_dir())]:
            shipped = any(f.suffix in SHIPPED for f in d.iterdir() if f.is_file())
            if d.name == "__pycache__" or not shipped:
                continue
            name = pkg + "".join("." + part for part in d.relative_to(ROOT / folder).parts)
            if name not in listed:
                missing.append(name)
    assert not missing, f"add to [tool.setuptools] packages in pyproject.toml: {missing}"


def test_no_generic_top_level_module_is_installed() -> None:
    files = importlib.metadata.distribution("itskg").files or []
    tops = {f.parts[0] for f in files}
    assert not tops & set(MAPPED), tops
    code = f"import importlib.util as u; print([n for n in {list(MAPPED)!r} if u.find_spec(n)])"
    out = subprocess.run([sys.executable, "-c", code], cwd="/", capture_output=True, text=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


def test_console_script_runs() -> None:
    out = subprocess.run([sys.executable, "-m", "itskg.api", "--help"], capture_output=True,
                         text=True, cwd="/")
    assert out.returncode == 0 and "build" in out.stdout


def test_shipped_data_is_reachable_through_resources() -> None:
    from itskg.graph import resources

    assert importlib.util.find_spec("itskg.ontology") is not None
    assert resources.ontology_files() is not None
