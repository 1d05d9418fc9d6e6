"""The rules of the layout, checked on every `make test` (and shown to fail when broken).

- import contracts (import-linter, declared in pyproject.toml [tool.importlinter]): graph
  never imports api or a web/CLI framework; only the store backends import pyoxigraph; only
  graph.analysis imports networkx and, of it, only ``extract`` reads query results; the
  surfaces (api) never import the store, the executor or terms: they use the facade;
- mypy on itskg.graph (``make typecheck``, part of ``make test``; config in [tool.mypy]);
- pytest runs with --strict-config and warnings as errors (pyproject [tool.pytest]).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _lint_imports(*args: str, cwd: Path = ROOT, env: dict[str, str] | None = None
                  ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / "lint-imports"), "--no-cache", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def test_import_contracts_are_kept() -> None:
    out = _lint_imports()
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-2000:]
    assert "BROKEN" not in out.stdout and " KEPT" in out.stdout


def _toml_value(v: object) -> str:
    return json.dumps(v)  # strings, booleans and lists of strings are the same in TOML


def test_the_import_contracts_fail_when_broken(tmp_path: Path) -> None:
    """Our own contracts, run over a copy of the layout with one offending module each."""
    pkg = tmp_path / "fakeitskg"
    files = {
        "__init__.py": "",
        "graph/__init__.py": "",
        "graph/store.py": "import pyoxigraph\n",  # allowed: the store backend
        "graph/leaky.py": "import pyoxigraph\n",  # broken: a second engine client
        "graph/webby.py": "import fastapi\n",  # broken: the library imports a web framework
        "graph/tonx.py": "import networkx\n",  # broken: networkx outside analysis
        "graph/terms.py": "",
        "graph/analysis/__init__.py": "",
        "graph/analysis/extract.py": "import networkx\nfrom fakeitskg.graph import terms\n",
        "graph/analysis/centrality.py": "import networkx\nfrom fakeitskg.graph import terms\n",
        "graph/sparql/__init__.py": "",
        "graph/sparql/executor.py": "",
        "api/__init__.py": "",
        "api/page.py": "from fakeitskg.graph import store\n",  # broken: a surface opens a store
    }
    for rel, text in files.items():
        (pkg / rel).parent.mkdir(parents=True, exist_ok=True)
        (pkg / rel).write_text(text)
    lines = ["[tool.importlinter]", 'root_packages = ["fakeitskg"]',
             "include_external_packages = true"]
    for c in CONFIG["tool"]["importlinter"]["contracts"]:
        lines.append("\n[[tool.importlinter.contracts]]")
        for k, v in c.items():
            v = json.loads(json.dumps(v).replace("itskg.", "fakeitskg."))
            lines.append(f"{k} = {_toml_value(v)}")
        lines.append('unmatched_ignore_imports_alerting = "none"')  # the copy is partial
    (tmp_path / "contracts.toml").write_text("\n".join(lines) + "\n")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    out = _lint_imports("contracts.toml", cwd=tmp_path, env=env)
    assert out.returncode != 0, out.stdout
    report = out.stdout
    for contract in ("only the store backends import pyoxigraph",
                     "graph never imports api or a web/CLI framework",
                     "only graph.analysis imports networkx",
                     "analysis modules other than extract never read query results",
                     "surfaces never open a store or an executor"):
        line = next((ln for ln in report.splitlines() if ln.startswith(contract)), report)
        assert "BROKEN" in line, report
    for offender in ("fakeitskg.graph.leaky -> pyoxigraph", "fakeitskg.graph.webby -> fastapi",
                     "fakeitskg.graph.tonx -> networkx",
                     "fakeitskg.graph.analysis.centrality -> fakeitskg.graph.terms",
                     "fakeitskg.api.page -> fakeitskg.graph.store"):
        assert offender in report, report
    for allowed in ("fakeitskg.graph.store -> pyoxigraph",
                    "fakeitskg.graph.analysis.extract -> fakeitskg.graph.terms"):
        assert allowed not in report, report


def test_mypy_catches_a_type_error_against_the_library(tmp_path: Path) -> None:
    """`make typecheck` runs mypy on itskg.graph; here: its config fails a wrong use of it."""
    src = tmp_path / "src" / "itskg"
    src.mkdir(parents=True)
    for d in ("graph", "api", "ontology", "queries"):
        (src / d).symlink_to(ROOT / d)
    bad = tmp_path / "bad_types.py"
    bad.write_text("from itskg.graph.knowledge import KnowledgeGraph\n\n\n"
                   "def f(kg: KnowledgeGraph) -> int:\n    return kg.generation()\n")
    out = subprocess.run([str(BIN / "mypy"), "--config-file", str(ROOT / "pyproject.toml"),
                          "--follow-imports=silent", str(bad)], cwd=ROOT,
                         env={**os.environ, "MYPYPATH": str(tmp_path / "src")},
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 1, out.stdout + out.stderr
    assert 'Incompatible return value type (got "str | None", expected "int")' in out.stdout


def test_make_test_runs_the_typecheck() -> None:
    make = (ROOT / "Makefile").read_text()
    assert "mypy -p itskg.graph" in make and "test: install lint typecheck" in make


def test_pytest_runs_strict_with_warnings_as_errors() -> None:
    opts = CONFIG["tool"]["pytest"]["ini_options"]
    assert "--strict-config" in opts["addopts"] and "--strict-markers" in opts["addopts"]
    assert opts["filterwarnings"][0] == "error"


@pytest.mark.filterwarnings("default")
def test_a_warning_fails_a_test_run(tmp_path: Path) -> None:
    (tmp_path / "test_warns.py").write_text(
        "import warnings\n\ndef test_w():\n    warnings.warn('boom', UserWarning)\n")
    out = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                          "-c", str(ROOT / "pyproject.toml"), "--rootdir", str(tmp_path),
                          str(tmp_path / "test_warns.py")],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 1 and "UserWarning: boom" in out.stdout, out.stdout[-3000:]
