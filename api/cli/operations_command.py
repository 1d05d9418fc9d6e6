"""`itskg backup`, `itskg restore`, `itskg cleanup`: the operator's commands for a store.

Thin shells over ``itskg.graph.backup`` (see there for what is checked and when). Exit codes:
4 store error, 5 an import holds the store, 12 disk full, 13 permission denied, 14 the backup is
corrupt or partial (README, "Exit codes").
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from itskg.api.cli.common import StoreOpt, _handle, _settings, err, out

__all__ = ["backup_cmd", "cleanup_cmd", "register", "restore_cmd"]


def _say(msg: str) -> None:
    err.print(f"[dim]{msg}[/]", highlight=False)


@_handle
def backup_cmd(
    dest: Annotated[Path, typer.Argument(help="New folder for the backup.")],
    store: StoreOpt = None,
) -> None:
    """Back up the store's current graph to DEST, with checksums (safe while serving).

    Example: itskg backup /backups/itskg-2026-12-04
    """
    from itskg.graph.knowledge import KnowledgeGraph

    r = KnowledgeGraph(_settings(store), workers=0).backup(dest, progress=_say)
    out.print(f"[green]backup[/] of generation {r.generation}: {r.files} files, "
              f"{r.bytes / 1e6:,.1f} MB, {r.triples:,} triples, {r.seconds:.1f} s -> {r.path}")


@_handle
def restore_cmd(
    src: Annotated[Path, typer.Argument(help="A folder written by 'itskg backup'.")],
    store: StoreOpt = None,
) -> None:
    """Verify the backup SRC and make it the store's current graph (a running server follows).

    Refuses a corrupt or partial backup (exit code 14) without touching the store.
    Example: itskg restore /backups/itskg-2026-12-04
    """
    from itskg.graph.knowledge import KnowledgeGraph

    s = _settings(store)
    gen = KnowledgeGraph(s, workers=0).restore(src, progress=_say)
    out.print(f"[green]restored[/] {src} into {s.store} as generation {gen}")


@_handle
def cleanup_cmd(store: StoreOpt = None) -> None:
    """Remove generations a killed import left behind and old ones no server reads any more."""
    from itskg.graph.knowledge import KnowledgeGraph

    r = KnowledgeGraph(_settings(store), workers=0).cleanup()
    for p in r.removed:
        err.print(f"removed {p}", highlight=False)
    out.print(f"[green]cleanup[/]: {len(r.removed)} item(s), {r.bytes / 1e6:,.1f} MB freed")


def register(app: typer.Typer) -> None:
    """Add the three commands to the ``itskg`` app."""
    app.command("backup")(backup_cmd)
    app.command("restore")(restore_cmd)
    app.command("cleanup")(cleanup_cmd)
