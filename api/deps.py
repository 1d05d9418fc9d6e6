"""Request dependencies: the settings and the query executor the app was created with.

They are coroutines on purpose: FastAPI runs plain `def` dependencies in its thread pool,
which costs two thread switches per request.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from itskg.graph.config import Settings
from itskg.graph.errors import StoreError
from itskg.graph.sparql.executor import QueryExecutor

__all__ = ["ExecutorDep", "SettingsDep", "get_executor", "get_settings"]


async def get_settings(request: Request) -> Settings:
    """The Settings passed to ``create_app``."""
    return request.app.state.settings  # type: ignore[no-any-return]


async def get_executor(request: Request) -> QueryExecutor:
    """The app's QueryExecutor (started by the lifespan)."""
    executor = getattr(request.app.state, "executor", None)
    if executor is None:
        raise StoreError("The query executor is not running (the server is starting or stopping).")
    return executor  # type: ignore[no-any-return]


SettingsDep = Annotated[Settings, Depends(get_settings)]
ExecutorDep = Annotated[QueryExecutor, Depends(get_executor)]
