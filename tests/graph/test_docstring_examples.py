"""The examples in the library's docstrings run (doctest over every module of itskg.graph)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
import types

import pytest

import itskg.graph

FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def library_modules() -> list[str]:
    names = ["itskg.graph"]
    for info in pkgutil.walk_packages(itskg.graph.__path__, "itskg.graph."):
        names.append(info.name)
    return sorted(names)


def run_examples(module: types.ModuleType) -> doctest.TestResults:
    """Run ``module``'s docstring examples; returns (failed, attempted)."""
    return doctest.testmod(module, optionflags=FLAGS, report=False, verbose=False)


@pytest.mark.parametrize("name", library_modules())
def test_docstring_examples_run(name: str) -> None:
    result = run_examples(importlib.import_module(name))
    assert result.failed == 0, f"{name}: {result.failed} of {result.attempted} examples failed"


def test_the_library_has_examples() -> None:
    attempted = sum(run_examples(importlib.import_module(n)).attempted
                    for n in ("itskg.graph.knowledge", "itskg.graph.store",
                              "itskg.graph.sparql.results"))
    assert attempted >= 8


def test_a_wrong_example_fails() -> None:
    bad = types.ModuleType("bad_example")
    bad.__doc__ = ">>> 1 + 1\n3\n"
    assert run_examples(bad).failed == 1
