"""``itskg serve``: run the app with uvicorn."""

from __future__ import annotations

import uvicorn

from itskg.api.app import create_app
from itskg.graph.config import Settings

__all__ = ["serve"]


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve the store at ``settings.store`` on http://host:port until interrupted."""
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info",
                proxy_headers=True, server_header=False)
