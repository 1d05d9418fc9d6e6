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
    cors_origins: list[str] = Field(
        default_factory=lambda: ["*"],
        description="CORS origins allowed on /sparql and /api/ (never on HTML pages).")
    # -- request limits (each refusal is a 4xx naming the limit and its setting) --------
    max_body_bytes: int = Field(
        1_048_576, description="Largest request body accepted, bytes (413 above).")
    max_url_bytes: int = Field(
        16_384, description="Longest request target (path and query string), bytes (414 above).")
    max_header_bytes: int = Field(
        32_768, description="Largest total size of the request headers, bytes (431 above).")
    body_timeout: float = Field(
        10.0, description="Seconds a client may take to send its whole request body (408).")
    max_query_length: int = Field(
        100_000, description="Longest SPARQL query or update text, characters (413 above).")
    max_query_depth: int = Field(
        64, description="Deepest nesting of { } and ( ) in a SPARQL text (400 above).")
    max_query_operators: int = Field(
        500, description="Most OPTIONAL, UNION, MINUS and EXISTS operators in a query (400).")
    # -- fair use ---------------------------------------------------------------------
    client_budget: float = Field(
        120.0, description="Worker seconds one client (IP address) may use per budget "
        "window; past it, 429 with Retry-After. 0 turns the budget off.")
    client_budget_window: float = Field(
        60.0, description="Length of the per-client budget window, seconds.")
    lookup_workers: int = Field(
        1, description="Extra worker processes reserved for cheap lookups (0: no fast lane).")
    lookup_timeout: float = Field(
        2.0, description="Time limit of the fast lane, seconds; a slower lookup moves to the "
        "main lane.")
    worker_memory_mb: int = Field(
        4096, description="Address-space limit of each query worker, MiB (RLIMIT_AS; 0: none). "
        "A worker over it dies and is replaced; the query gets 503.")
    admin_attempts: int = Field(
        5, description="Bad admin tokens one client may send per minute before 429.")
    # -- network analysis (server-side, clients cannot raise them) -------------------
    network_max_nodes: int = Field(
        5_000, description="Largest projection drawn or analysed over HTTP, nodes.")
    network_betweenness_samples: int = Field(
        500, description="Source nodes sampled for betweenness over HTTP (fixed seed).")
    network_concurrency: int = Field(
        1, description="Network analyses that may run at once over HTTP (others wait).")
    @field_validator("query_timeout", "body_timeout", "lookup_timeout", "client_budget_window")
    @classmethod
    def _positive_timeout(cls, v: float) -> float:
        if v <= 0:
            raise ValueError("must be a positive number of seconds")
        return v

    @field_validator("client_budget", "worker_memory_mb", "lookup_workers")
    @classmethod
    def _not_negative(cls, v: float) -> float:
        if v < 0:
            raise ValueError("must be 0 or more")
        return v

    @field_validator("max_rows", "query_workers", "max_body_bytes", "max_url_bytes",
                     "max_header_bytes", "max_query_length", "max_query_depth",
                     "max_query_operators", "network_max_nodes", "network_betweenness_samples",
                     "network_concurrency", "admin_attempts")
    @classmethod
    def _positive_int(cls, v: int) -> int:
        if v < 1:
            raise ValueError("must be at least 1")
        return v
