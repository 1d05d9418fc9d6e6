"""Settings: one pydantic-settings class, ITSKG_ prefix, passed explicitly, never global."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings", "default_store_path", "is_remote"]


def is_remote(store: Path | str) -> bool:
    """True when ``store`` names a SPARQL endpoint (http:// or https://), not a directory."""
    return isinstance(store, str) and store.startswith(("http://", "https://"))


def default_store_path() -> Path:
    """Per-user data directory: $XDG_DATA_HOME/itskg/store (or ~/.local/share/itskg/store)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "itskg" / "store"


class Settings(BaseSettings):
    """Every knob of itskg. Environment variables use the ITSKG_ prefix (ITSKG_STORE, ...).

    Precedence: CLI option > environment > .env file > default.
    """

    model_config = SettingsConfigDict(env_prefix="ITSKG_", env_file=".env", extra="ignore")

    store: Path | str = Field(
        default_factory=default_store_path,
        description="Store directory, or the http(s) URL of a SPARQL 1.1 query endpoint.")
    store_update: str | None = Field(
        None, description="SPARQL Update endpoint of a remote store (default: the query URL).")
    store_gsp: str | None = Field(
        None, description="Graph Store Protocol endpoint of a remote store (uploads); "
        "without it, uploads are chunked INSERT DATA requests.")
    store_engine: Literal[
        "auto", "oxigraph", "virtuoso", "fuseki", "graphdb", "qlever", "generic"] = Field(
        "auto", description="Which engine a remote store is (auto: from its Server header).")
    store_user: str | None = Field(None, description="Basic-auth user of a remote store.")
    store_password: SecretStr | None = Field(None, description="Basic-auth password.")
    store_token: SecretStr | None = Field(None, description="Bearer token of a remote store.")
    store_write_timeout: float = Field(
        3600.0, description="Limit for one upload or update request to a remote store, s.")
    query_timeout: float = Field(30.0, description="Hard limit for one SPARQL query, seconds.")
    max_rows: int = Field(100_000, description="Row cap for /sparql results (always signalled).")
    query_workers: int = Field(2, description="Worker processes that run SPARQL queries.")
    admin_token: str | None = Field(None, description="Enables SPARQL Update at /sparql.")
    base_url: str = Field("http://127.0.0.1:8000", description="Public URL of the server.")
    cors_origins: list[str] = Field(default_factory=lambda: ["*"], description="CORS origins.")

    @field_validator("store", mode="before")
    @classmethod
    def _store_target(cls, v: object) -> object:
        """A URL stays a string; anything else is a directory path (``~`` expanded)."""
        if isinstance(v, str) and not is_remote(v.strip()):
            return Path(v).expanduser()
        return v.strip() if isinstance(v, str) else v

    @field_validator("store_update", "store_gsp")
    @classmethod
    def _endpoint_url(cls, v: str | None) -> str | None:
        if v is not None and not is_remote(v):
            raise ValueError("must be an http:// or https:// URL")
        return v

    @property
    def remote(self) -> bool:
        """True when the store is a SPARQL endpoint rather than a directory."""
        return is_remote(self.store)

    @field_validator("query_timeout", "store_write_timeout")
    @classmethod
    def _positive_timeout(cls, v: float) -> float:
        if v <= 0:
            raise ValueError("must be a positive number of seconds")
        return v

    @field_validator("max_rows", "query_workers")
    @classmethod
    def _positive_int(cls, v: int) -> int:
        if v < 1:
            raise ValueError("must be at least 1")
        return v
