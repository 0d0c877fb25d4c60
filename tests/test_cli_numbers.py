"""The command line writes its figures in French: a decimal comma (« en 4,64 s »), thousands
apart; through the real CLI on real SQLite files."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from click.testing import CliRunner

from mapservice.cli.common import number, said
from mapservice.cli.main import main
from mapservice.errors import tr

#: A decimal point between digits: how Python, not a French reader, writes a figure.
POINT = re.compile(r"(?<![\w.])\d+\.\d+(?![\w.])")


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("MAPSERVICE_DATABASE_URL", "sqlite:///" + str(tmp_path / "cli.sqlite"))
    monkeypatch.setenv("MAPSERVICE_INSTANCE_PATH", str(tmp_path / "instance"))
    return tmp_path


def _figures(text: str) -> list[str]:
    """The figures of a command's output, leaving out paths, addresses and versions."""
    words = [w for w in text.split() if "/" not in w and "\\" not in w and ":" not in w]
    return POINT.findall(" ".join(words))


def test_init_backup_and_stats_write_figures_the_french_way(env):
    runner = CliRunner()
    done = runner.invoke(main, ["init"], catch_exceptions=False)
    assert done.exit_code == 0, done.output
    assert re.search(r"en \d+(,\d+)? s\.", done.output), done.output
    assert _figures(done.output) == []

    saved = runner.invoke(main, ["backup", "--out", str(env / "copie.sqlite")])
    assert saved.exit_code == 0, saved.output
    assert re.search(r"\(\d+(,\d)? Mo, révision", saved.output), saved.output
    assert re.search(r"en \d+(,\d+)? s\)", saved.output), saved.output

    stats = runner.invoke(main, ["stats"], catch_exceptions=False)
    assert stats.exit_code == 0 and _figures(stats.output) == []


def test_a_real_process_prints_a_decimal_comma(env, monkeypatch):
    done = subprocess.run(
        [sys.executable, "-m", "mapservice.cli", "init"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    seconds = re.search(r"en (\S+) s\.", done.stdout)
    assert seconds and "." not in seconds.group(1), done.stdout


@pytest.mark.parametrize(
    ("value", "digits", "expected"),
    [
        (4.64, 2, "4,64"),
        (4.0, 2, "4"),
        (12345.6, 1, "12\u00a0345,6"),
        (0.5, 0, "0"),
        (None, 1, "—"),
    ],
)
def test_the_command_line_figure(value, digits, expected):
    assert number(value, digits) == expected


def test_core_messages_are_printed_with_a_decimal_comma():
    message = tr(
        "Latitude {lat} hors de la région (attendu : {low:.1f} à {high:.1f}).",
        lat=52.25,
        low=47.5,
        high=49.75,
    )
    assert str(message).count(".") >= 3  # Python's own formatting
    assert said(message) == "Latitude 52,25 hors de la région (attendu : 47,5 à 49,8)."
    assert said("déjà du texte 1.5") == "déjà du texte 1.5"  # plain text is left alone
