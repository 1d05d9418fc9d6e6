"""The layout rules: families as folders, no two modules or packages with the same name."""

from __future__ import annotations

import ast
import collections
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CODE = ("graph", "api")
# Names every package may repeat: they say what role a file has, not what it holds.
ROLE_NAMES = {"__init__", "__main__", "conftest"}


def module_names(roots: list[Path], base: Path = ROOT) -> dict[str, list[str]]:
    """Module and package names under ``roots`` -> the paths that carry them."""
    seen: dict[str, list[str]] = collections.defaultdict(list)
    for root in roots:
        for path in root.rglob("*"):
            if "__pycache__" in path.parts or "node_modules" in path.parts:
                continue
            if path.is_dir() and (path / "__init__.py").exists() and path != root:
                seen[path.name].append(str(path.relative_to(base)))
            elif path.suffix == ".py" and path.stem not in ROLE_NAMES:
                seen[path.stem].append(str(path.relative_to(base)))
    return seen


def test_no_two_modules_share_a_name() -> None:
    seen = module_names([ROOT / d for d in CODE])
    clashes = {name: paths for name, paths in seen.items() if len(paths) > 1}
    assert not clashes, f"rename one of each: {clashes}"


def test_no_two_test_modules_share_a_name() -> None:
    seen = module_names([ROOT / "tests"])
    clashes = {name: paths for name, paths in seen.items() if len(paths) > 1}
    assert not clashes, f"rename one of each: {clashes}"


def test_the_checker_finds_a_clash(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    for d in ("a", "b"):
        (tmp_path / d / "__init__.py").write_text("")
        (tmp_path / d / "store.py").write_text("")
    assert sorted(module_names([tmp_path], tmp_path)["store"]) == ["a/store.py", "b/store.py"]


def test_tests_mirror_the_packages() -> None:
    """A test folder under tests/graph or tests/api names a real package folder."""
    wrong = []
    for top in CODE:
        for d in (ROOT / "tests" / top).rglob("*"):
            if d.is_dir() and d.name != "__pycache__" and d.name != "data":
                rel = d.relative_to(ROOT / "tests")
                if not (ROOT / rel / "__init__.py").exists():
                    wrong.append(str(rel))
    assert not wrong, f"tests/ folders without a package of that path: {wrong}"


def public_classes(roots: list[Path], base: Path = ROOT) -> dict[str, list[str]]:
    """Public top-level class names under ``roots`` -> the modules that define them."""
    import ast

    seen: dict[str, list[str]] = collections.defaultdict(list)
    for root in roots:
        for path in root.rglob("*.py"):
            if "__pycache__" in path.parts:
                continue
            for node in ast.parse(path.read_text(encoding="utf-8")).body:
                if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
                    seen[node.name].append(str(path.relative_to(base)))
    return seen


def test_no_two_public_classes_share_a_name() -> None:
    """One name, one thing: ``from x import Vocabulary`` must not depend on which x."""
    seen = public_classes([ROOT / d for d in CODE])
    clashes = {name: paths for name, paths in seen.items() if len(paths) > 1}
    assert not clashes, f"rename one of each: {clashes}"


def test_the_class_checker_finds_a_clash(tmp_path: Path) -> None:
    for d in ("a", "b"):
        (tmp_path / d).mkdir()
        (tmp_path / d / f"{d}.py").write_text("class Vocabulary:\n    pass\n")
    assert sorted(public_classes([tmp_path], tmp_path)["Vocabulary"]) == ["a/a.py", "b/b.py"]


_SPARQL_TEXT = re.compile(
    r"^\s*(?:PREFIX\s[^\n]*\n\s*)*(?:SELECT|CONSTRUCT|ASK|DESCRIBE)\s*(?:\{|\?|\*|DISTINCT|WHERE)",
    re.IGNORECASE)
#: SPARQL in the surfaces that is not run: (file, why)
_SPARQL_DOCUMENTED = {"api/routes/sparql_protocol.py": "the OpenAPI example of a /sparql query"}


def test_surfaces_hold_no_sparql_they_run() -> None:
    """Routes and pages run the library's SPARQL (named queries, readings, the texts of
    ``itskg.graph.reports``), never their own: every query text is in graph/ or queries/,
    where the catalogue's and the readings' tests cover it. A string literal (or f-string)
    of api/ that reads as a query fails, except the documented examples."""
    found = []
    for f in sorted((ROOT / "api").rglob("*.py")):
        rel = str(f.relative_to(ROOT))
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            if isinstance(node, ast.JoinedStr):
                text = "".join(v.value for v in node.values
                               if isinstance(v, ast.Constant) and isinstance(v.value, str))
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                text = node.value
            else:
                continue
            if _SPARQL_TEXT.match(text) and rel not in _SPARQL_DOCUMENTED:
                found.append(f"{rel}:{node.lineno}: {text[:60]!r}")
    assert not found, found
    planted = 'q = f"SELECT ?g WHERE {{ GRAPH <{G}> {{ ?s ?p ?o }} }}"'
    assert any(_SPARQL_TEXT.match("".join(
        v.value for v in n.values if isinstance(v, ast.Constant))) for n in ast.walk(
            ast.parse(planted)) if isinstance(n, ast.JoinedStr))
