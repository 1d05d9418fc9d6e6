"""Fixtures for the ontology tests: the shipped files, the sample ABox, a built sample store."""

from __future__ import annotations

from pathlib import Path

import pytest

from itskg.graph.resources import ontology_files, vocab_files
from itskg.graph.store import KnowledgeStore, Layer
from itskg.graph.terms import turtle_to_ntriples

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "ontology_sample.ttl"


def ontology_layer() -> Layer:
    """The ontology modules as one layer, the way the build loads them."""
    data = b"".join(turtle_to_ntriples(f.read_bytes()) for f in ontology_files())
    return Layer("ontology", "itskg ontology", data, format="nt", kind="ontology")


def vocab_layers() -> list[Layer]:
    return [Layer(f.name[:-4], f.name, f.read_bytes(), format="ttl") for f in vocab_files()]


@pytest.fixture(scope="session")
def sample_ttl() -> Path:
    """tests/data/ontology_sample.ttl, the representative ABox."""
    return SAMPLE


@pytest.fixture(scope="session")
def base_layers() -> list[Layer]:
    """The ontology and vocabulary layers, as the build loads them."""
    return [ontology_layer(), *vocab_layers()]


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeStore:
    """A store with the ontology, the vocabularies and the sample ABox (rules applied)."""
    root = tmp_path_factory.mktemp("sample-store")
    st = KnowledgeStore.open(root, read_only=False)
    st.replace_layers([ontology_layer(), *vocab_layers(),
                       Layer("sample", "ontology sample", SAMPLE.read_bytes(), format="ttl")])
    yield st
    st.close()
