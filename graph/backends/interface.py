"""The store interface every backend implements (``KnowledgeStore``, ``RemoteStore``).

Library code that reads or writes the graph is typed against ``Store``, never against one
backend, so a remote engine runs the same code as the local store (mypy checks it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:  # pragma: no cover
    from itskg.graph.store import Layer, LayerRecord
    from itskg.graph.terms import QueryResult, Term

__all__ = ["Store"]


class Store(Protocol):
    """What the library needs of a store: queries, layers, generations and atomic changes."""

    read_only: bool

    @property
    def root(self) -> Path | str: ...

    @property
    def generation(self) -> str | None: ...

    def current_generation(self) -> str | None: ...

    def refresh(self) -> bool: ...

    def close(self) -> None: ...

    def __enter__(self) -> Any: ...

    def __exit__(self, *exc: object) -> None: ...

    def layers(self) -> list[LayerRecord]: ...

    def layer(self, source: str) -> LayerRecord | None: ...

    def graphs(self) -> list[str]: ...

    def query(self, sparql: str, *, bindings: dict[str, Any] | None = ...,
              union: bool = ..., default_graphs: Sequence[str] | None = ...,
              named_graphs: Sequence[str] | None = ..., base_iri: str | None = ...
              ) -> QueryResult: ...

    def select(self, sparql: str, **kw: Any) -> list[dict[str, Term | None]]: ...

    def ask(self, sparql: str, **kw: Any) -> bool: ...

    def dump_graph(self, graph: str, output: IO[bytes]) -> Any: ...

    def count(self, graph: str | None = None) -> int: ...

    def replace_layers(self, layers: Sequence[Layer], *, remove: Iterable[str] = ...,
                       fresh: bool = ..., progress: Callable[[str], None] | None = ...,
                       rules: Sequence[str] | None = ...) -> list[LayerRecord]: ...

    def remove_layers(self, sources: Iterable[str],
                      progress: Callable[[str], None] | None = None) -> None: ...
