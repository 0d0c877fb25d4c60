"""``mapservice user …`` against a real SQLite file: accounts, roles, passwords, tokens; and the
demo's administrator made by ``mapservice init --demo``."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from mapservice.cli.main import main

PASSWORD = "un-mot-de-passe-long"


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("MAPSERVICE_DATABASE_URL", "sqlite:///" + str(tmp_path / "cli.sqlite"))
    monkeypatch.setenv("MAPSERVICE_INSTANCE_PATH", str(tmp_path / "instance"))
    result = CliRunner().invoke(main, ["init"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return tmp_path


def run(*args: str, stdin: str | None = None):
    return CliRunner().invoke(main, list(args), input=stdin, catch_exceptions=False)


def _services():
    from mapservice.config import finish_settings, load_settings
    from mapservice.services import Services

    return Services(finish_settings(load_settings()))


def test_add_set_role_reset_and_list(env):
    added = run(
        "user", "add", "Marie", "--role", "staff", "--password-stdin", stdin=PASSWORD + "\n"
    )
    assert added.exit_code == 0 and "marie" in added.output
    assert PASSWORD not in added.output
    svc = _services()
    park = next(iter(svc.park_ids()))
    svc.close()
    moved = run("user", "set-role", "marie", "park_manager", "--park", park)
    assert moved.exit_code == 0 and park in moved.output
    listed = run("user", "list")
    assert re.search(rf"marie\s+park_manager\s+\[{park}\]", listed.output)
    reset = run("user", "reset-password", "marie", "--generate")
    new = reset.output.rsplit(" ", 1)[-1].strip()
    assert reset.exit_code == 0 and len(new) >= 12
    from mapservice.accounts import sign_in

    svc = _services()
    try:
        who = sign_in.authenticate(svc, "marie", new)
        assert who.role == "park_manager" and who.parks == frozenset({park})
        with pytest.raises(Exception, match="incorrect"):
            sign_in.authenticate(svc, "marie", PASSWORD)
    finally:
        svc.close()


def test_prompted_password_is_asked_twice_and_hidden(env):
    result = run("user", "add", "paul", "--role", "presenter", stdin=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["user", "add", "x", "--role", "chef", "--password-stdin"], PASSWORD, "Rôle inconnu"),
        (["user", "add", "x", "--role", "staff", "--password-stdin"], "court", "trop court"),
        (
            ["user", "add", "x", "--role", "park_manager", "--password-stdin"],
            PASSWORD,
            "au moins un parc",
        ),
        (
            [
                "user",
                "add",
                "x",
                "--role",
                "park_manager",
                "--park",
                "nulle-part",
                "--password-stdin",
            ],
            PASSWORD,
            "Parc inconnu",
        ),
        (
            ["user", "add", "a b", "--role", "staff", "--password-stdin"],
            PASSWORD,
            "Nom d'utilisateur invalide",
        ),
        (["user", "set-role", "personne", "staff"], None, "Aucun compte"),
        (["user", "token", "personne"], None, "Aucun compte"),
    ],
)
def test_bad_values_say_what_was_expected(env, args, stdin, message):
    result = run(*args, stdin=None if stdin is None else stdin + "\n")
    assert result.exit_code != 0 and message in result.output, result.output


def test_the_last_admin_cannot_be_demoted(env):
    run("user", "add", "chef", "--role", "admin", "--password-stdin", stdin=PASSWORD + "\n")
    result = run("user", "set-role", "chef", "staff")
    assert result.exit_code != 0 and "dernier administrateur" in result.output


def test_tokens_are_shown_once_and_revocable(env):
    run("user", "add", "qgis", "--role", "staff", "--password-stdin", stdin=PASSWORD + "\n")
    made = run("user", "token", "qgis", "--name", "bureau")
    secret = made.output.strip()
    assert made.exit_code == 0 and secret.startswith("ms_") and len(secret) > 40
    listed = run("user", "list").output
    assert "bureau" in listed and secret not in listed and secret[:10] in listed
    token_id = re.search(r"jeton (\d+) « bureau »", listed).group(1)
    from mapservice.accounts import jobs as accounts

    svc = _services()
    try:
        assert accounts.token_principal(svc, secret).username == "qgis"
        assert run("user", "token", "qgis", "--revoke", token_id).exit_code == 0
        with pytest.raises(Exception, match="révoqué"):
            accounts.token_principal(svc, secret)
    finally:
        svc.close()


@pytest.mark.slow
def test_init_demo_makes_an_administrator_and_shows_its_password_once(tmp_path, monkeypatch):
    monkeypatch.setenv("MAPSERVICE_DATABASE_URL", "sqlite:///" + str(tmp_path / "d.sqlite"))
    monkeypatch.setenv("MAPSERVICE_INSTANCE_PATH", str(tmp_path / "instance"))
    first = run("init", "--demo")
    found = re.search(r"admin, mot de passe (\S+)", first.output)
    assert first.exit_code == 0 and found, first.output
    from mapservice.accounts import sign_in

    svc = _services()
    try:
        assert sign_in.authenticate(svc, "admin", found.group(1)).role == "admin"
    finally:
        svc.close()
    again = run("init", "--demo", "--if-missing")
    assert "mot de passe" not in again.output


def test_the_public_map_setting_and_sign_in_counts_go_through_the_use_cases(env):
    import pytest

    from mapservice.accounts import jobs as accounts
    from mapservice.accounts import sign_in
    from mapservice.errors import InvalidInput

    svc = _services()
    try:
        assert not accounts.public_map_open(svc)
        accounts.set_public_map(svc, "1", actor="admin")
        assert accounts.public_map_open(svc)
        with pytest.raises(InvalidInput):
            accounts.set_public_map(svc, "oui", actor="admin")
        assert accounts.public_map_open(svc)
        refused = []
        for _ in range(3):  # only failures count
            refused.append(sign_in.sign_in_refused(svc, "k", window_s=600, limit=2))
            sign_in.count_sign_in_failure(svc, "k")
        assert refused == [False, False, True]
    finally:
        svc.close()
