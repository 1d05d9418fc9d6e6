"""Settings: one pydantic-settings class, ITSKG_ prefix, passed explicitly, never global."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings", "default_geo_dir", "default_store_path", "is_remote", "settings_markdown"]


def is_remote(store: Path | str) -> bool:
    """True when ``store`` names a SPARQL endpoint (http:// or https://), not a directory."""
    return isinstance(store, str) and store.startswith(("http://", "https://"))


def default_store_path() -> Path:
    """Per-user data directory: $XDG_DATA_HOME/itskg/store (or ~/.local/share/itskg/store)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "itskg" / "store"


def default_geo_dir() -> Path | None:
    """``shared/data/geo`` beside the source checkout itskg runs from, or None.

    A checkout (the folder holding ``pyproject.toml`` and ``graph/``) sits next to the shared
    data (``../shared``, as CI and ``make run`` lay them out), whatever the working directory.
    An installed wheel has no checkout: None (the map then says where to point
    ``ITSKG_GEO_DIR``).
    """
    checkout = Path(__file__).resolve().parents[1]
    if not (checkout / "pyproject.toml").is_file():
        return None
    return checkout.parent / "shared" / "data" / "geo"


class Settings(BaseSettings):
    """Every knob of itskg. Environment variables use the ITSKG_ prefix (ITSKG_STORE, ...).

    Precedence: CLI option > environment > .env file > default.
    """

    model_config = SettingsConfigDict(env_prefix="ITSKG_", env_file=".env", extra="ignore")

    store: Path | str = Field(
        default_factory=default_store_path,
        description="store directory, or the `http(s)://` query URL of a SPARQL 1.1 engine "
        "(see \"Remote engines\")",
        json_schema_extra={"shown_default": "~/.local/share/itskg/store"})
    store_update: str | None = Field(
        None, description="SPARQL Update URL of a remote engine (unset: the query URL)")
    store_gsp: str | None = Field(
        None, description="Graph Store Protocol URL of a remote engine, for uploads (unset: "
        "Oxigraph server's `/store`, Virtuoso's `/sparql-graph-crud[-auth]`, other engines "
        "chunked `INSERT DATA`)")
    store_engine: Literal[
        "auto", "oxigraph", "virtuoso", "fuseki", "graphdb", "qlever", "generic"] = Field(
        "auto", description="which engine a remote store is: oxigraph, virtuoso, fuseki, "
        "graphdb, qlever or generic (auto: from its `Server` header)")
    store_user: str | None = Field(None, description="basic-auth user of a remote engine "
                                   "(digest for Virtuoso)")
    store_password: SecretStr | None = Field(None, description="its password")
    store_token: SecretStr | None = Field(
        None, description="bearer token of a remote engine (wins over user/password)")
    store_write_timeout: float = Field(
        3600.0, description="limit for one upload or update request to a remote engine, "
        "seconds")
    query_timeout: float = Field(
        30.0, description="hard limit for one SPARQL query, named query, page query or network "
        "task, seconds")
    max_rows: int = Field(100_000, description="row cap for SELECT results (always signalled)")
    query_workers: int = Field(2, description="worker processes running queries and network "
                               "tasks")
    serve_from: Literal["auto", "memory", "disk"] = Field(
        "auto", description="where the query workers read: `memory` (the current generation "
        "copied into memory once, workers forked from it; a new generation is copied in the "
        "background and swapped in), `disk` (the on-disk store) or `auto` (memory when the "
        "copy fits `ITSKG_SERVE_MEMORY_BUDGET_MB`, else disk with a log line); a remote "
        "store is always forwarded")
    serve_memory_budget_mb: int = Field(
        8192, description="largest in-memory copy `auto` makes, MiB (estimated from the "
        "generation's quads, about 450 bytes each)")
    admin_token: str | None = Field(
        None, description="when set, SPARQL Update is accepted with `Authorization: Bearer "
        "<token>`")
    base_url: str = Field("http://127.0.0.1:8000", description="public URL of the server (VoID, "
                          "service description)")
    cors_origins: list[str] = Field(default_factory=lambda: ["*"], description="CORS origins")
    access_log: bool = Field(
        False, description="`itskg serve` logs one line per HTTP request (uvicorn's access "
        "log); off by default: it costs about 0.1 ms of the server's CPU per request, a fifth "
        "of a look-up's (warnings, errors and the precompute's progress are logged either way)")
    web_assets: Path | None = Field(
        None, description="folder of the npm packages served at `/vendor` (unset: the "
        "repository's `web/node_modules`)")
    geo_dir: Path | None = Field(
        default_factory=default_geo_dir,
        description="folder of the ISTAT/openpolis boundaries (`limits_IT_provinces.topo.json`, "
        "CC BY 4.0) drawn by the map; read at serve time, never copied into the project "
        "(unset: `shared/data/geo` beside the source checkout; none in a wheel install)",
        json_schema_extra={"shown_default": "<checkout>/../shared/data/geo"})
    browser: str | None = Field(
        None, description="headless Chromium that prints PDF reports (`itskg report`, "
        "`/profiles/.../report.pdf`); unset: `chromium` on `PATH`")

    # -- request limits (each refusal is a 4xx naming the limit and its setting) --------
    max_body_bytes: int = Field(
        1_048_576, description="largest request body accepted, bytes (413 above)")
    max_url_bytes: int = Field(
        16_384, description="longest request target (path and query string), bytes (414 above)")
    max_header_bytes: int = Field(
        32_768, description="largest total size of the request headers, bytes (431 above)")
    body_timeout: float = Field(
        10.0, description="seconds a client may take to send its whole request body (408)")
    max_query_length: int = Field(
        100_000, description="longest SPARQL query or update text, characters (413 above)")
    max_query_depth: int = Field(
        64, description="deepest nesting of { } and ( ) in a SPARQL text (400 above)")
    max_query_operators: int = Field(
        500, description="most OPTIONAL, UNION, MINUS and EXISTS operators in a query (400)")
    # -- fair use ---------------------------------------------------------------------
    client_budget: float = Field(
        120.0, description="worker seconds one client (IP address; behind a proxy on this "
        "host, its X-Forwarded-For) may use per budget window; past it, 429 with Retry-After; "
        "0 turns the budget off")
    client_budget_window: float = Field(
        60.0, description="length of the per-client budget window, seconds")
    lookup_workers: int = Field(
        1, description="extra worker processes reserved for cheap look-ups (0: no fast lane)")
    lookup_timeout: float = Field(
        2.0, description="time limit of the fast lane, seconds; a slower look-up moves to the "
        "main lane with the time left")
    worker_memory_mb: int = Field(
        4096, description="address-space limit of each query worker, MiB (RLIMIT_AS; 0: none); "
        "a worker over it dies and is replaced, the query gets 503")
    admin_attempts: int = Field(
        5, description="bad admin tokens one client may send per minute before 429")
    # -- network analysis over HTTP (server-side, clients cannot raise them) ----------
    network_max_nodes: int = Field(
        5_000, description="most nodes one network view sends over HTTP (the most connected; "
        "larger graphs are thinned, and say so) and most rows of a metric answer")
    network_betweenness_samples: int = Field(
        500, description="source nodes sampled for betweenness over HTTP (fixed seed 0)")
    network_max_edges: int = Field(
        20_000, description="most edges one network view sends over HTTP (the heaviest; the "
        "payload states the totals and how it was thinned)")
    # -- precompute (issue 10) ------------------------------------------------------------
    precompute: bool = Field(
        True, description="compute what the explorer's pages open with for each store "
        "generation in the background while serving, kept on disk beside the generation")

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

    @field_validator("query_timeout", "store_write_timeout", "body_timeout",
                     "lookup_timeout", "client_budget_window")
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
                     "network_max_edges",
                     "admin_attempts", "serve_memory_budget_mb")
    @classmethod
    def _positive_int(cls, v: int) -> int:
        if v < 1:
            raise ValueError("must be at least 1")
        return v


def settings_markdown() -> str:
    """The README's settings table, generated from the fields (a docs test keeps it in sync).

    >>> settings_markdown().splitlines()[2].startswith("| `ITSKG_STORE` |")
    True
    """
    lines = ["| variable | default | meaning |", "|---|---|---|"]
    for name, f in Settings.model_fields.items():
        extra = f.json_schema_extra if isinstance(f.json_schema_extra, dict) else {}
        if "shown_default" in extra:
            default = str(extra["shown_default"])
        else:
            value = f.get_default(call_default_factory=True)
            default = "unset" if value is None else (
                json.dumps(value) if isinstance(value, list) else f"{value:g}"
                if isinstance(value, float) else str(value))
        shown = default if default == "unset" else f"`{default}`"
        lines.append(f"| `ITSKG_{name.upper()}` | {shown} | {f.description} |")
    return "\n".join(lines) + "\n"
