"""Request dependencies: the settings and the KnowledgeGraph the app was created with.

They are coroutines on purpose: FastAPI runs plain `def` dependencies in its thread pool,
which costs two thread switches per request.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from itskg.graph.config import Settings
from itskg.graph.errors import StoreError
from itskg.graph.knowledge import NOT_RUNNING, KnowledgeGraph

__all__ = ["KnowledgeGraphDep", "SettingsDep", "get_kg", "get_settings"]


async def get_settings(request: Request) -> Settings:
    """The Settings passed to ``create_app``."""
    return request.app.state.settings  # type: ignore[no-any-return]


async def get_kg(request: Request) -> KnowledgeGraph:
    """The app's KnowledgeGraph (its workers are started by the lifespan)."""
    kg = getattr(request.app.state, "kg", None)
    if kg is None:
        raise StoreError(NOT_RUNNING)
    return kg  # type: ignore[no-any-return]


SettingsDep = Annotated[Settings, Depends(get_settings)]
KnowledgeGraphDep = Annotated[KnowledgeGraph, Depends(get_kg)]
