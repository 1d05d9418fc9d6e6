"""Shared fixtures: settings with a per-test store directory, ITSKG_* cleaned per test."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from engines import STARTERS, Engine, EngineStartError

SHARED = Path(__file__).resolve().parents[2] / "shared"
SHARED_DATA = SHARED / "data"
ESCO_111 = SHARED_DATA / "esco" / "esco_v1.1.1_en"
ESCO_120 = SHARED_DATA / "esco" / "esco_v1.2.0_en"


@pytest.fixture(autouse=True)
def _clean_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    for k in list(os.environ):
        if k.startswith("ITSKG_"):
            monkeypatch.delenv(k, raising=False)


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    """An empty store directory for one test."""
    return tmp_path / "store"


def shared_data() -> Path:
    """../shared/data seen from the repository (tests skip if it is missing)."""
    if not SHARED_DATA.exists():
        pytest.skip(f"shared reference data not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(scope="session")
def reference_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with the default reference layer built once per test session (read it only)."""
    from itskg.graph.build import build

    path = tmp_path_factory.mktemp("reference") / "store"
    build(path)
    return path


# The backends every parametrised backend test runs on: the local store and the remote
# engines the project installs (a backend that cannot start fails the tests, never skips).
BACKENDS = ["local", "oxigraph", "virtuoso"]


@pytest.fixture(scope="session")
def start_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., Engine]]:
    """Start a fresh SPARQL engine by name ('oxigraph', 'virtuoso') on a free loopback port,
    with its own data directory (options go to its starter in tests/engines.py); all are
    stopped at the end of the session."""
    started: list[Engine] = []

    def start(name: str, **options: object) -> Engine:
        try:
            eng = STARTERS[name](tmp_path_factory.mktemp(name) / "data", **options)
        except EngineStartError as err:
            pytest.fail(f"the {name} backend could not start: {err}")
        started.append(eng)
        return eng

    yield start
    for eng in started:
        eng.stop()
