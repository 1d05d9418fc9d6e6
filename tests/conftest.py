"""Shared fixtures: settings with a per-test store directory, ITSKG_* cleaned per test."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

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
