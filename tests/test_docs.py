"""Documentation cannot drift: README covers every command, setting and import column."""

from __future__ import annotations

import re
from pathlib import Path

from itskg.api.cli.main import app
from itskg.graph.config import Settings

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_every_cli_command_is_documented() -> None:
    names = [c.name or c.callback.__name__ for c in app.registered_commands]
    missing = [n for n in names if f"`itskg {n}" not in README]
    assert not missing, f"README lacks: {missing}"


def test_every_setting_is_documented() -> None:
    missing = [f for f in Settings.model_fields if f"ITSKG_{f.upper()}" not in README]
    assert not missing, f"README configuration table lacks: {missing}"


def test_settings_section_is_current() -> None:
    from itskg.graph.config import settings_markdown

    m = re.search(r"<!-- settings:[^\n]*-->\n(.*?)<!-- /settings -->", README, re.S)
    assert m, "README has no generated settings section"
    assert m.group(1).strip() == settings_markdown().strip(), (
        "README settings table is stale: regenerate it from "
        "itskg.graph.config.settings_markdown()"
    )


def test_import_columns_section_is_current() -> None:
    from itskg.graph.importers.kinds import columns_markdown

    m = re.search(r"<!-- columns:[^\n]*-->\n(.*?)<!-- /columns -->", README, re.S)
    assert m, "README has no generated columns section"
    assert m.group(1).strip() == columns_markdown().strip(), (
        "README import columns are stale: regenerate them from columns_markdown()"
    )


def test_exit_codes_are_documented() -> None:
    from itskg.graph import errors

    codes = {c.exit_code for c in vars(errors).values()
             if isinstance(c, type) and issubclass(c, errors.ItskgError)}
    for code in codes:
        assert re.search(rf"^\| {code} \|", README, re.M), f"exit code {code} not in README"
