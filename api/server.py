"""``itskg serve``: run the app with uvicorn."""

from __future__ import annotations

import logging

import uvicorn

from itskg.api.app import create_app
from itskg.graph.config import Settings

__all__ = ["serve"]

log = logging.getLogger(__name__)


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve the store at ``settings.store`` on http://host:port until interrupted.

    First removes what a killed import left in the store (``itskg.graph.backup.cleanup``),
    unless an import is running now.
    """
    from itskg.graph.errors import StoreError
    from itskg.graph.knowledge import KnowledgeGraph

    try:
        done = KnowledgeGraph(settings, workers=0).cleanup()
        if done.removed:
            log.warning("removed %d abandoned item(s) from %s (%.1f MB)", len(done.removed),
                        settings.store, done.bytes / 1e6)
    except StoreError as e:  # locked by an import, or not writable by this user: serve anyway
        log.warning("store cleanup skipped: %s", e)
    _log_to_stderr()
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info",
                access_log=settings.access_log, proxy_headers=True, server_header=False)


def _log_to_stderr() -> None:
    """itskg's warnings, and the progress of the background precompute (``itskg.precompute``,
    INFO), on stderr beside uvicorn's lines."""
    root = logging.getLogger("itskg")
    if not root.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(levelname)-9s %(name)s: %(message)s"))
        root.addHandler(handler)
        root.setLevel(logging.WARNING)
    logging.getLogger("itskg.precompute").setLevel(logging.INFO)
