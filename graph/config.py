"""Settings: one pydantic-settings class, ITSKG_ prefix, passed explicitly, never global."""

from __future__ import annotations

import json
import os
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings", "default_store_path", "settings_markdown"]


def default_store_path() -> Path:
    """Per-user data directory: $XDG_DATA_HOME/itskg/store (or ~/.local/share/itskg/store)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "itskg" / "store"


class Settings(BaseSettings):
    """Every knob of itskg. Environment variables use the ITSKG_ prefix (ITSKG_STORE, ...).

    Precedence: CLI option > environment > .env file > default.
    """

    model_config = SettingsConfigDict(env_prefix="ITSKG_", env_file=".env", extra="ignore")

    store: Path = Field(default_factory=default_store_path, description="store directory",
                        json_schema_extra={"shown_default": "~/.local/share/itskg/store"})
    query_timeout: float = Field(
        30.0, description="hard limit for one SPARQL query, named query, page query or network "
        "task, seconds")
    max_rows: int = Field(100_000, description="row cap for SELECT results (always signalled)")
    query_workers: int = Field(2, description="worker processes running queries and network "
                               "tasks")
    admin_token: str | None = Field(
        None, description="when set, SPARQL Update is accepted with `Authorization: Bearer "
        "<token>`")
    base_url: str = Field("http://127.0.0.1:8000", description="public URL of the server (VoID, "
                          "service description)")
    cors_origins: list[str] = Field(default_factory=lambda: ["*"], description="CORS origins")
    web_assets: Path | None = Field(
        None, description="folder of the npm packages served at `/vendor` (unset: the "
        "repository's `web/node_modules`)")
    geo_dir: Path = Field(
        Path("../shared/data/geo"),
        description="folder of the ISTAT/openpolis boundaries (`limits_IT_provinces.topo.json`, "
        "CC BY 4.0) drawn by the map; read at serve time, never copied into the project; "
        "relative to the working directory")

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
