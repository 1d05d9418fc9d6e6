"""The itskg exception family: every error a user can see, with a message that says what to do.

Hierarchy::

    ItskgError
    ├── ConfigError (ValueError)          a setting has a bad value
    ├── OntologyError                     an ontology/vocabulary file cannot be read
    ├── StoreError (OSError)              the store cannot be opened or written
    │   └── StoreLockedError              another process holds the store (serve/import)
    ├── DataError (ValueError)            input data is invalid; carries every problem found
    │   └── ValidationError               SHACL found violations in a layer
    ├── QueryError
    │   ├── QuerySyntaxError (ValueError) the SPARQL text does not parse
    │   ├── QueryTimeoutError             the query ran past the time limit and was stopped
    │   ├── QueryRefusedError             the query uses a forbidden feature (SERVICE, LOAD, update)
    │   ├── UnknownQueryError (LookupError)
    │   └── QueryParameterError (ValueError)
    └── AnalysisError
    ItskgWarning (UserWarning)

The CLI maps them to exit codes (see README, "Exit codes"); the HTTP API maps them to statuses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "AnalysisError",
    "ElmError",
    "UnknownProfileError",
    "UnknownQualificationError",
    "ConfigError",
    "DataError",
    "ItskgError",
    "ItskgWarning",
    "OntologyError",
    "Problem",
    "ProblemsMixin",
    "QueryError",
    "QueryParameterError",
    "QueryRefusedError",
    "QuerySyntaxError",
    "QueryTimeoutError",
    "StoreError",
    "StoreLockedError",
    "UnknownQueryError",
    "ValidationError",
]


class ItskgError(Exception):
    """Base class of every error itskg raises on purpose."""

    exit_code = 1


class ConfigError(ItskgError, ValueError):
    """A setting (ITSKG_* variable or CLI option) has a value itskg cannot use."""

    exit_code = 2


class OntologyError(ItskgError):
    """An ontology, vocabulary or shapes file shipped with itskg cannot be parsed."""

    exit_code = 3


class StoreError(ItskgError, OSError):
    """The store cannot be opened, read or written."""

    exit_code = 4


class StoreLockedError(StoreError):
    """Another itskg process holds the store's write lock."""

    exit_code = 5


@dataclass(frozen=True)
class Problem:
    """One located problem in input data: file, row, column, message, severity."""

    message: str
    file: str | None = None
    row: int | None = None
    column: str | None = None
    severity: str = "error"  # "error" | "warning"
    focus: str | None = None  # IRI of the resource the problem is about (SHACL focus node)
    path: str | None = None  # property IRI (SHACL result path)

    def __str__(self) -> str:
        where = ":".join(
            p for p in (self.file, str(self.row) if self.row is not None else None) if p
        )
        col = f" [{self.column}]" if self.column else ""
        prefix = f"{where}{col}: " if where or col else ""
        return f"{prefix}{self.severity}: {self.message}"


class ProblemsMixin:
    """``errors`` and ``warnings`` views of a ``problems`` list (reports, mapping results)."""

    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity != "error"]


class DataError(ItskgError, ValueError):
    """Input data is invalid. ``problems`` lists every problem found, not only the first."""

    exit_code = 6
    max_listed = 50

    def __init__(self, summary: str, problems: Sequence[Problem] = ()) -> None:
        self.summary = summary
        self.problems = list(problems)
        super().__init__(self._render())

    def _render(self) -> str:
        if not self.problems:
            return self.summary
        shown = [f"  - {p}" for p in self.problems[: self.max_listed]]
        more = len(self.problems) - self.max_listed
        if more > 0:
            shown.append(f"  ... and {more} more problem(s)")
        return self.summary + "\n" + "\n".join(shown)


class ValidationError(DataError):
    """SHACL validation found violations; nothing was written to the store."""


class QueryError(ItskgError):
    """A SPARQL query could not be run."""

    exit_code = 7


class QuerySyntaxError(QueryError, ValueError):
    """The SPARQL text does not parse; the message is the parser's."""


class QueryTimeoutError(QueryError):
    """The query ran longer than the configured limit and its worker was stopped."""


class QueryRefusedError(QueryError):
    """The query uses a feature this endpoint refuses (SERVICE, LOAD, remote FROM, update)."""


class UnknownQueryError(QueryError, LookupError):
    """No named query with that name in the catalogue."""


class QueryParameterError(QueryError, ValueError):
    """A query parameter is missing or has a value of the wrong type."""


class AnalysisError(ItskgError):
    """A network analysis could not be computed (bad projection, graph too large...)."""

    exit_code = 8


class ElmError(ItskgError):
    """A qualification cannot be derived or exported to the European Learning Model (bad
    region/academy/NQF value, no course to derive it from)."""

    exit_code = 9


class UnknownQualificationError(ElmError, LookupError):
    """No qualification has the given key."""


class UnknownProfileError(DataError, LookupError):
    """No region or academy of that code has a profile (no ITS Academy there)."""


class ItskgWarning(UserWarning):
    """A recoverable oddity in data or configuration."""
