"""``itskg serve`` (api/server.py): the settings it hands uvicorn."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from itskg.api import server
from itskg.graph.config import Settings


@pytest.mark.parametrize("access_log", [False, True])
def test_the_access_log_follows_its_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            access_log: bool) -> None:
    """Off by default (a fifth of a look-up's server CPU), on with ITSKG_ACCESS_LOG=true."""
    ran: dict[str, Any] = {}
    monkeypatch.setattr(server.uvicorn, "run", lambda app, **kw: ran.update(kw, app=app))
    monkeypatch.setattr(server, "_log_to_stderr", lambda: None)  # leave the loggers alone
    monkeypatch.setenv("ITSKG_ACCESS_LOG", str(access_log).lower())
    monkeypatch.setenv("ITSKG_STORE", str(tmp_path / "store"))
    server.serve(Settings(), port=8123)
    assert ran["access_log"] is access_log and ran["port"] == 8123
    assert ran["proxy_headers"] is True  # X-Forwarded-For keys the fair-use budget
    assert Settings.model_fields["access_log"].default is False
