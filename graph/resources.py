"""The only code that locates the data files shipped in ontology/ and queries/."""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable

__all__ = [
    "data_files",
    "ontology_files",
    "projection_files",
    "query_files",
    "rule_files",
    "shape_files",
    "vocab_files",
]


def _ttl(package: str, suffix: str = ".ttl") -> list[Traversable]:
    root = resources.files(package)
    return sorted((f for f in root.iterdir() if f.name.endswith(suffix)), key=lambda f: f.name)


def ontology_files() -> list[Traversable]:
    """The OWL modules (ontology/*.ttl)."""
    return _ttl("itskg.ontology")


def vocab_files() -> list[Traversable]:
    """The SKOS schemes written by hand (ontology/vocab/*.ttl)."""
    return _ttl("itskg.ontology.vocab")


def shape_files() -> list[Traversable]:
    """The SHACL shapes (ontology/shapes/*.ttl)."""
    return _ttl("itskg.ontology.shapes")


def data_files() -> list[Traversable]:
    """Curated facts (ontology/data/*.ttl), each with its source note."""
    return _ttl("itskg.ontology.data")


def rule_files() -> list[Traversable]:
    """Materialisation rules (ontology/rules/*.rq, SPARQL CONSTRUCT)."""
    return _ttl("itskg.ontology.rules", ".rq")


def query_files() -> list[Traversable]:
    """The named query catalogue (queries/*.rq)."""
    return _ttl("itskg.queries", ".rq")


def projection_files() -> list[Traversable]:
    """The declared network projections (queries/projections/*.yaml)."""
    return _ttl("itskg.queries.projections", ".yaml")
