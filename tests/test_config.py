"""Settings: one table, environment overrides, clear errors, documented in the README."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mapservice.cli.main import main
from mapservice.config import SETTINGS, finish_settings, load_settings
from mapservice.errors import ConfigError

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_defaults_and_overrides(tmp_path):
    values = finish_settings(
        load_settings(
            {"MAPSERVICE_INSTANCE_PATH": str(tmp_path), "MAPSERVICE_PARK_TOLERANCE_M": "800"}
        )
    )
    assert values["DATABASE_URL"] == "sqlite:///" + str(tmp_path / "mapservice.sqlite")
    assert values["PARK_TOLERANCE_M"] == 800.0
    key = values["SECRET_KEY"]
    assert len(key) == 64 and (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    again = finish_settings(load_settings({"MAPSERVICE_INSTANCE_PATH": str(tmp_path)}))
    assert again["SECRET_KEY"] == key


@pytest.mark.parametrize(
    ("name", "value"), [("PARK_TOLERANCE_M", "-1"), ("IMPORT_MAX_ROWS", "beaucoup")]
)
def test_bad_values_name_the_variable(name, value):
    with pytest.raises(ConfigError, match=f"MAPSERVICE_{name}={value!r}"):
        load_settings({f"MAPSERVICE_{name}": value})


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.name)
def test_every_setting_is_in_the_readme(setting):
    assert f"`{setting.env}`" in README


def _commands(group, prefix=""):
    for name, cmd in sorted(group.commands.items()):
        yield prefix + name
        if hasattr(cmd, "commands"):
            yield from _commands(cmd, prefix + name + " ")


@pytest.mark.parametrize("command", list(_commands(main)))
def test_every_cli_command_is_in_the_readme(command):
    assert f"mapservice {command}" in README


def test_every_route_is_in_the_readme(app):
    rules = {
        re.sub(r"<[^>]*>", "…", r.rule) for r in app.url_map.iter_rules() if r.endpoint != "static"
    }
    missing = {rule for rule in rules if f"`{rule}`" not in README}
    assert not missing
