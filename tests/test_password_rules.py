"""Which passwords may be chosen: the rules alone, then through the admin page and the CLI
(``mapservice user add`` / ``reset-password``) on real SQLite files, which apply the same."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from mapservice.accounts import password_rules
from mapservice.cli.main import main
from mapservice.config import PROJECT_ROOT

COMMON = password_rules.load_common(PROJECT_ROOT / "data" / password_rules.COMMON_FILE)
SAYS = {
    "short": "trop court",
    "trivial": "trop prévisible",
    "common": "trop courant",
    "named": "trop proche du compte",
}
REFUSED = [
    ("aaaaaaaaaa", "trivial"),
    ("1234567890", "trivial"),
    ("0987654321", "trivial"),
    ("azertyuiop", "trivial"),
    ("qsdfghjklm", "trivial"),
    ("qwerty123!", "trivial"),
    ("1qaz2wsx3edc", "trivial"),
    ("aaaabbbbcccc", "trivial"),
    ("soleilsoleil", "trivial"),
    ("x7#kqx7#kq", "trivial"),
    ("motdepasse", "common"),
    ("MotDePasse!!", "common"),
    ("Bonjour2024", "common"),
    ("Soleil2024!", "common"),
    ("montréal1976", "common"),
    ("Saguenay-2025", "common"),
    ("p@ssw0rd123", "common"),
    ("iloveyou2020", "common"),
    ("marie.tremblay.99", "named"),
    ("tremblay-marie-1990", "named"),
    ("chez-cidal-2024", "named"),
    ("court", "short"),
]
ACCEPTED = [
    "Zx9-ketchup-lagune",
    "bleu cheval pile agrafe",
    "j'aime-le-sirop-d'érable",
    "mot-de-passe-de-test",  # the tests' accounts
    "tuque-verglas-outarde",
]
NAMES = ("marie.tremblay@cidal.ca", "Marie Tremblay")


@pytest.mark.parametrize(("password", "rule"), REFUSED)
def test_weak_passwords_are_refused_saying_which_rule(password, rule):
    found = password_rules.problem(password, common=COMMON, names=NAMES)
    assert found is not None and SAYS[rule] in found, found
    # the refusal never repeats the password: it is the rule's text, or names the account
    if rule == "named":
        assert found.params["part"] in password_rules.name_parts(NAMES)
    elif rule != "short":
        assert str(found) == found.template and not found.params


@pytest.mark.parametrize("password", ACCEPTED)
def test_other_passwords_pass(password):
    assert password_rules.problem(password, common=COMMON, names=NAMES) is None


def test_the_list_holds_the_french_and_quebec_ones():
    for word in ("motdepasse", "bonjour", "soleil", "montreal", "saguenay", "123456"):
        assert word in COMMON


def test_name_parts_are_the_names_and_their_words():
    assert password_rules.name_parts(["marie.tremblay@cidal.ca", "Jo"]) == [
        "marietremblaycidalca",
        "marietremblay",
        "tremblay",
        "cidal",
        "marie",
    ]


# --- the same rules where passwords are chosen ---------------------------------------------------


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("MAPSERVICE_DATABASE_URL", "sqlite:///" + str(tmp_path / "cli.sqlite"))
    monkeypatch.setenv("MAPSERVICE_INSTANCE_PATH", str(tmp_path / "instance"))
    result = CliRunner().invoke(main, ["init"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return tmp_path


def run(*args: str, stdin: str | None = None):
    return CliRunner().invoke(main, list(args), input=stdin, catch_exceptions=False)


@pytest.mark.parametrize(
    ("password", "rule"),
    [("aaaaaaaaaa", "trivial"), ("Soleil2024!", "common"), ("marie-est-la", "named")],
)
def test_the_cli_applies_the_same_rules(env, password, rule):
    added = run("user", "add", "marie", "--role", "staff", "--password-stdin", stdin=password)
    assert added.exit_code != 0 and SAYS[rule] in added.output, added.output
    ok = run("user", "add", "marie", "--role", "staff", "--password-stdin", stdin=ACCEPTED[0])
    assert ok.exit_code == 0, ok.output
    reset = run("user", "reset-password", "marie", "--password-stdin", stdin=password)
    assert reset.exit_code != 0 and SAYS[rule] in reset.output, reset.output


def test_a_generated_password_passes_the_rules(env):
    run("user", "add", "marie", "--role", "staff", "--password-stdin", stdin=ACCEPTED[0])
    reset = run("user", "reset-password", "marie", "--generate")
    new = reset.output.rsplit(" ", 1)[-1].strip()
    assert reset.exit_code == 0 and len(new) == 16
    assert password_rules.problem(new, common=COMMON, names=("marie",)) is None


def test_the_admin_page_refuses_a_weak_password_with_the_message(app):
    from tests.support.accounts import sign_in

    admin = sign_in(app.test_client(), "admin")
    new = admin.post(
        "/admin/comptes", data={"username": "nouvelle", "password": "motdepasse1", "role": "staff"}
    )
    assert new.status_code == 422 and SAYS["common"] in new.get_data(as_text=True)
    user_id = next(
        u.id for u in app.extensions["mapservice"].repo.users() if u.username == "personnel"
    )
    reset = admin.post(f"/admin/comptes/{user_id}", data={"password": "1234567890"})
    assert reset.status_code == 422 and SAYS["trivial"] in reset.get_data(as_text=True)


def test_the_english_page_says_it_in_english(app):
    from tests.support.accounts import sign_in

    admin = sign_in(app.test_client(), "admin")
    admin.set_cookie("lang", "en")
    new = admin.post(
        "/admin/comptes", data={"username": "nouvelle", "password": "motdepasse1", "role": "staff"}
    )
    assert new.status_code == 422 and "Password too common" in new.get_data(as_text=True)
