"""The CLI through Click's runner, on real SQLite files."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from mapservice.cli.main import main
from tests.support.import_files import GOOD, write_csv


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("MAPSERVICE_DATABASE_URL", "sqlite:///" + str(tmp_path / "cli.sqlite"))
    monkeypatch.setenv("MAPSERVICE_INSTANCE_PATH", str(tmp_path / "instance"))
    return tmp_path


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_help_everywhere():
    for args in (
        [],
        ["init"],
        ["import"],
        ["serve"],
        ["stats"],
        ["settings"],
        ["demo"],
        ["demo", "generate"],
        ["data"],
        ["data", "audit"],
    ):
        result = run(*args, "--help")
        assert result.exit_code == 0 and "Usage" in result.output


@pytest.mark.slow
def test_init_demo_counts(env):
    result = run("init", "--demo")
    assert result.exit_code == 0, result.output
    assert "synergies candidates, historique fictif" in result.output
    assert "60 réalisées" in result.output
    counts = json.loads(run("stats", "--json").output)
    assert 230 <= counts["members"] <= 270
    assert 950 <= counts["flows"] <= 1050
    assert counts["sites"] >= counts["members"]
    assert counts["parks"] >= 20 and counts["municipalities"] >= 50


def test_init_if_missing_keeps_existing_data(env):
    assert run("init").exit_code == 0
    path = write_csv(env / "ok.csv", GOOD)
    assert run("import", str(path)).exit_code == 0
    result = run("init", "--demo", "--if-missing")
    assert "déjà initialisée" in result.output
    assert json.loads(run("stats", "--json").output)["members"] == 2


def test_import_dry_run_then_real(env):
    run("init")
    path = write_csv(env / "ok.csv", GOOD)
    dry = run("import", str(path), "--dry-run")
    assert dry.exit_code == 0 and "rien n'a été écrit" in dry.output
    assert json.loads(run("stats", "--json").output)["flows"] == 0
    real = run("import", str(path))
    assert real.exit_code == 0 and "ajoutés     3" in real.output


def test_import_broken_file_exits_1_with_report(env):
    run("init")
    rows = [list(r) for r in GOOD]
    rows[0][11] = "12 t"
    path = write_csv(env / "bad.csv", rows)
    result = CliRunner().invoke(main, ["import", str(path)])
    assert result.exit_code == 1
    assert "ligne 2, colonne « quantite »" in result.output
    assert json.loads(run("stats", "--json").output)["flows"] == 0


def test_bad_setting_is_a_clear_error(env, monkeypatch):
    monkeypatch.setenv("MAPSERVICE_PARK_TOLERANCE_M", "loin")
    result = CliRunner().invoke(main, ["stats"])
    assert result.exit_code != 0
    assert "MAPSERVICE_PARK_TOLERANCE_M='loin'" in result.output


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["serve", "--port", "99999"],
            "Erreur : Valeur invalide pour '--port' : 99999 n'est pas dans l'intervalle",
        ),
        (["nope"], "Erreur : Commande inconnue : 'nope'."),
        (["import"], "Usage : mapservice import"),
        (["export", "tout", "--format", "x"], "Option inconnue : '--format'. Vouliez-vous dire"),
    ],
)
def test_clicks_own_messages_are_in_french(args, expected):
    result = CliRunner().invoke(main, args, prog_name="mapservice")
    assert result.exit_code == 2
    assert expected in result.output and "Error:" not in result.output
    assert "Essayez « mapservice" in result.output


def test_help_headings_are_in_french():
    result = CliRunner().invoke(main, ["--help"], prog_name="mapservice")
    assert "Usage : mapservice" in result.output and "Commandes:" in result.output
    assert "Afficher cette aide et quitter." in result.output
