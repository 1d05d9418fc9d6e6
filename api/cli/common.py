"""What every `itskg` command shares: consoles, settings from options, the error wrapper."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from itskg.graph.config import Settings
from itskg.graph.errors import ConfigError, ItskgError
from itskg.graph.knowledge import KnowledgeGraph

__all__ = ["StoreOpt", "_handle", "_kg", "_settings", "err", "out"]

err = Console(stderr=True)
out = Console()

F = TypeVar("F", bound=Callable[..., Any])

StoreOpt = Annotated[
    str | None,
    typer.Option("--store", help="Store directory or SPARQL endpoint URL "
                 "(default: $ITSKG_STORE or the user data dir)."),
]


def _settings(store: Path | str | None = None, **kw: Any) -> Settings:
    try:
        values = {k: v for k, v in kw.items() if v is not None}
        if store is not None:
            values["store"] = store
        return Settings(**values)
    except ValueError as e:  # pydantic ValidationError is a ValueError
        raise ConfigError(f"Invalid setting: {e}") from e


def _kg(settings: Settings) -> KnowledgeGraph:
    """The KnowledgeGraph a command works on: requests run in this process (no worker pool)."""
    return KnowledgeGraph(settings, workers=0)


def _handle(fn: F) -> F:
    """Run a command; an ItskgError becomes a message and its documented exit code."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except ItskgError as e:
            err.print(f"[bold red]error[/]: {escape(str(e))}", highlight=False, soft_wrap=True)
            raise typer.Exit(e.exit_code) from None

    return wrapper  # type: ignore[return-value]
