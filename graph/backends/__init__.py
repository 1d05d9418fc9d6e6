"""Store backends: where the graph lives, chosen by the one store setting.

- a directory: ``itskg.graph.store.KnowledgeStore`` (embedded Oxigraph, immutable generations);
- an ``http(s)://`` URL: ``itskg.graph.backends.remote.RemoteStore`` (any SPARQL 1.1 engine).

Both offer the same interface (``query``/``select``/``ask``, ``layers``/``layer``/``graphs``,
``generation``/``current_generation``/``refresh``, ``replace_layers``/``remove_layers``,
``dump_graph``, ``count``, ``close``), so the facade and everything under it run unchanged on
either. ``open_store`` is the one place that picks.

>>> import tempfile, pathlib
>>> from itskg.graph.config import Settings
>>> st = open_store(Settings(store=pathlib.Path(tempfile.mkdtemp())), read_only=False)
>>> type(st).__name__
'KnowledgeStore'
>>> st.close()
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from itskg.graph.config import is_remote

if TYPE_CHECKING:  # pragma: no cover
    from itskg.graph.backends.remote import RemoteStore
    from itskg.graph.store import KnowledgeStore

__all__ = ["is_remote", "open_store"]


def open_store(settings: Any, *, read_only: bool = True, store: Path | str | None = None,
               any_endpoint: bool = False) -> KnowledgeStore | RemoteStore:
    """Open the store of ``settings`` (or ``store``, with the credentials of ``settings``).

    ``any_endpoint`` (read-only): a URL may be any SPARQL endpoint, not only an itskg graph
    (``RemoteStore.open``). Raises StoreError (missing/empty store, unreachable engine, no
    union default graph), StoreLockedError is raised later, by writes.
    """
    target = settings.store if store is None else store
    if is_remote(target):
        from itskg.graph.backends.protocol import Endpoint
        from itskg.graph.backends.remote import RemoteStore

        endpoint = Endpoint.from_settings(settings.model_copy(update={"store": target}))
        return RemoteStore.open(endpoint, read_only=read_only,
                                any_endpoint=any_endpoint and read_only)
    from itskg.graph.store import KnowledgeStore

    return KnowledgeStore.open(Path(target).expanduser(), read_only=read_only)
