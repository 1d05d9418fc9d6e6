"""itskg.graph: the library behind every surface (store, build, import, validate, query).

``KnowledgeGraph`` (itskg.graph.knowledge) is the one door the surfaces (CLI, HTTP routes,
pages) use. The names below are the public API; ``tests/test_public_api.py`` pins them.
"""

from itskg.graph.build import BuildReport, build
from itskg.graph.config import Settings
from itskg.graph.errors import (
    AnalysisError,
    ConfigError,
    DataError,
    ItskgError,
    ItskgWarning,
    OntologyError,
    Problem,
    QueryError,
    QueryParameterError,
    QueryRefusedError,
    QuerySyntaxError,
    QueryTimeoutError,
    StoreError,
    StoreLockedError,
    UnknownQueryError,
    ValidationError,
)
from itskg.graph.knowledge import KnowledgeGraph
from itskg.graph.sparql.executor import ExecResult, QueryExecutor
from itskg.graph.store import KnowledgeStore, Layer, LayerRecord
from itskg.graph.terms import QueryResult, Term, iri

__all__ = [
    "AnalysisError",
    "BuildReport",
    "ConfigError",
    "DataError",
    "ExecResult",
    "ItskgError",
    "ItskgWarning",
    "KnowledgeGraph",
    "KnowledgeStore",
    "Layer",
    "LayerRecord",
    "OntologyError",
    "Problem",
    "QueryError",
    "QueryExecutor",
    "QueryParameterError",
    "QueryRefusedError",
    "QueryResult",
    "QuerySyntaxError",
    "QueryTimeoutError",
    "Settings",
    "StoreError",
    "StoreLockedError",
    "Term",
    "UnknownQueryError",
    "ValidationError",
    "build",
    "iri",
]
