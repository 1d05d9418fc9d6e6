"""Settings: one pydantic-settings class, ITSKG_ prefix, passed explicitly, never global."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings", "default_store_path"]


def default_store_path() -> Path:
    """Per-user data directory: $XDG_DATA_HOME/itskg/store (or ~/.local/share/itskg/store)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "itskg" / "store"


class Settings(BaseSettings):
    """Every knob of itskg. Environment variables use the ITSKG_ prefix (ITSKG_STORE, ...).

    Precedence: CLI option > environment > .env file > default.
    """

    model_config = SettingsConfigDict(env_prefix="ITSKG_", env_file=".env", extra="ignore")

    store: Path = Field(default_factory=default_store_path, description="Store directory.")
    query_timeout: float = Field(30.0, description="Hard limit for one SPARQL query, seconds.")
    max_rows: int = Field(100_000, description="Row cap for /sparql results (always signalled).")
    query_workers: int = Field(2, description="Worker processes that run SPARQL queries.")
    admin_token: str | None = Field(None, description="Enables SPARQL Update at /sparql.")
    base_url: str = Field("http://127.0.0.1:8000", description="Public URL of the server.")
    cors_origins: list[str] = Field(default_factory=lambda: ["*"], description="CORS origins.")
    geo_dir: Path = Field(
        Path("../shared/data/geo"),
        description="Folder with the ISTAT/openpolis TopoJSON boundaries "
                    "(limits_IT_provinces.topo.json, CC BY 4.0) that the map page draws; read "
                    "at serve time, never copied into the project. Relative paths are relative "
                    "to the working directory.")

    @field_validator("query_timeout")
    @classmethod
    def _positive_timeout(cls, v: float) -> float:
        if v <= 0:
            raise ValueError("ITSKG_QUERY_TIMEOUT must be a positive number of seconds")
        return v

    @field_validator("max_rows", "query_workers")
    @classmethod
    def _positive_int(cls, v: int) -> int:
        if v < 1:
            raise ValueError("must be at least 1")
        return v
