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
from itskg.graph.errors import ConfigError, ItskgError, os_error
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


def _worker_kg(settings: Settings) -> KnowledgeGraph:
    """A KnowledgeGraph with one query worker process (no look-up lane), for commands whose
    work is expensive (network analysis, profiles, qualifications): it runs killable, under
    the deadline (ITSKG_QUERY_TIMEOUT) and the worker memory bound (ITSKG_WORKER_MEMORY_MB),
    as it does in the server. Use it with ``with`` (starts and stops the worker)."""
    return KnowledgeGraph(settings.model_copy(update={"lookup_workers": 0}), workers=1)


def _handle(fn: F) -> F:
    """Run a command; an ItskgError becomes a message and its documented exit code."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except (ItskgError, OSError) as e:
            mapped = e if isinstance(e, ItskgError) else os_error(e, f"running {fn.__name__}")
            if mapped is None:  # an OSError that is not disk-full or permission: a bug
                raise
            err.print(f"[bold red]error[/]: {escape(str(mapped))}", highlight=False,
                      soft_wrap=True)
            raise typer.Exit(mapped.exit_code) from None

    return wrapper  # type: ignore[return-value]
