"""Sessions that end: signing out, a new password, a new role and deactivation end every session
of the account (other browsers and copied cookies too); a session lasts its lifetime after its
last request (a fake clock, no waiting); signing in gives a new CSRF token. On a fresh SQLite
file in tmp_path through the Flask test client, and through a real server process."""

from __future__ import annotations

import http.cookiejar
import os
import re
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from mapservice import create_app
from mapservice.accounts import jobs as accounts
from mapservice.services import Services
from tests.support.accounts import PASSWORD, csrf_token_of, sign_in
from tests.support.clock import FakeClock
from tests.support.settings import make_settings

HOUR_S = 3600.0
#: An account of each kind the tests need: the one whose sessions end, and who ends them.
USERS = {"marie": "staff", "chef": "admin"}


def _database(tmp_path: Path) -> str:
    """A fresh SQLite file with the accounts of :data:`USERS`; returns its URL."""
    url = "sqlite:///" + str(tmp_path / "sessions.sqlite")
    svc = Services(make_settings(tmp_path, url))
    svc.init_database()
    for username, role in USERS.items():
        accounts.add_user(svc, username=username, password=PASSWORD, role=role)
    svc.close()
    return url


def _app(tmp_path: Path, **config: Any) -> Any:
    return create_app(
        {
            "DATABASE_URL": _database(tmp_path),
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "SECRET_KEY": "test",
            "TESTING": True,
            **config,
        }
    )


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(start_s=1_800_000_000.0)


@pytest.fixture
def app(tmp_path, clock):
    return _app(tmp_path, SESSION_CLOCK=clock)


def signed_in(client: Any) -> bool:
    """Whether ``client``'s session opens a staff page (else it is sent to sign in)."""
    resp = client.get("/registre/")
    assert resp.status_code in (200, 302), resp.status_code
    return resp.status_code == 200


def copy_of(app: Any, client: Any) -> Any:
    """Another client holding a copy of ``client``'s session cookie, as a thief would."""
    other = app.test_client()
    other.set_cookie("session", client.get_cookie("session").value)
    return other


def _user_id(app: Any, username: str) -> int:
    return app.extensions["mapservice"].repo.find_user(username).id


def _sign_out(app, this, other, admin):
    this.post("/deconnexion")


def _sign_out_elsewhere(app, this, other, admin):
    other.post("/deconnexion")


def _new_password(app, this, other, admin):
    admin.post(f"/admin/comptes/{_user_id(app, 'marie')}", data={"password": "tuque-verglas-2"})


def _new_role(app, this, other, admin):
    admin.post(f"/admin/comptes/{_user_id(app, 'marie')}", data={"role": "presenter"})


def _deactivation(app, this, other, admin):
    admin.post(f"/admin/comptes/{_user_id(app, 'marie')}", data={"active": "0"})


def _new_password_use_case(app, this, other, admin):
    accounts.reset_password(app.extensions["mapservice"], "marie", "tuque-verglas-2")


@pytest.mark.parametrize(
    "end",
    [
        _sign_out,
        _sign_out_elsewhere,
        _new_password,
        _new_role,
        _deactivation,
        _new_password_use_case,
    ],
)
def test_each_end_closes_every_session_of_the_account(app, end):
    this = sign_in(app.test_client(), "marie")
    other = sign_in(app.test_client(), "marie")  # another browser
    stolen = copy_of(app, this)
    admin = sign_in(app.test_client(), "chef")
    assert signed_in(this) and signed_in(other) and signed_in(stolen)
    end(app, this, other, admin)
    assert not signed_in(stolen)
    assert not signed_in(this) and not signed_in(other)
    assert signed_in(admin)  # only that account's sessions end
    if end is _deactivation:  # coming back does not bring the old sessions back
        admin.post(f"/admin/comptes/{_user_id(app, 'marie')}", data={"active": "1"})
        assert not signed_in(copy_of(app, this))


def test_the_account_signs_in_again_after_its_sessions_ended(app):
    this = sign_in(app.test_client(), "marie")
    stolen = copy_of(app, this)
    this.post("/deconnexion")
    again = sign_in(app.test_client(), "marie")
    assert signed_in(again) and not signed_in(stolen)


def test_a_cookie_from_before_session_versions_is_refused(app):
    """A session written before migration 0014 holds the account id alone."""
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(_user_id(app, "marie"))
        session["_fresh"] = True
    assert not signed_in(client)


def test_tokens_keep_their_own_rules(app):
    """A personal token is not a session: signing out and a new password leave it working;
    deactivation refuses it (as before), revocation too."""
    svc = app.extensions["mapservice"]
    token = accounts.make_token(svc, "marie", "qgis")
    headers = {"Authorization": f"Bearer {token}"}
    machine = app.test_client()

    def reads() -> int:
        return int(machine.get("/api/v1/synergies", headers=headers).status_code)

    assert reads() == 200
    sign_in(app.test_client(), "marie").post("/deconnexion")
    accounts.reset_password(svc, "marie", "tuque-verglas-2")
    assert reads() == 200
    accounts.set_active(svc, "marie", False)
    assert reads() == 401


def test_the_version_moves_on_in_the_database(services):
    """On both backends: each end moves the account's version on by one, and a session of an
    older version belongs to nobody; signing out leaves no entry in the audit log."""
    from mapservice.accounts import sign_in as signing

    user_id = accounts.add_user(services, username="marie", password=PASSWORD, role="staff")
    park = next(iter(services.park_ids()))
    ends = [
        lambda: signing.end_sessions(services, user_id, actor="marie"),
        lambda: accounts.reset_password(services, "marie", "tuque-verglas-2"),
        lambda: accounts.set_role(services, "marie", "park_manager", [park]),
        lambda: accounts.set_active(services, "marie", False),
        lambda: accounts.set_active(services, "marie", True),
    ]
    logged = len(services.repo.history("users", user_id))
    for version, end in enumerate(ends, start=1):
        end()
        user = services.repo.get_user(user_id)
        assert user.session_version == version
        assert signing.session_principal(services, user_id, version).signed_in == user.active
        assert not signing.session_principal(services, user_id, version - 1).signed_in
        if version == 1:
            assert len(services.repo.history("users", user_id)) == logged


# --- lifetime -----------------------------------------------------------------------------------


@pytest.mark.parametrize("lifetime_h", [None, 0.5])
def test_a_session_ends_a_lifetime_after_its_last_request(tmp_path, clock, lifetime_h):
    """Default 12 h; each request renews it; unused for longer, it is refused whatever the
    browser kept."""
    config = {} if lifetime_h is None else {"SESSION_LIFETIME_H": lifetime_h}
    app = _app(tmp_path, SESSION_CLOCK=clock, **config)
    lifetime_s = (lifetime_h or 12.0) * HOUR_S
    client = sign_in(app.test_client(), "marie")
    for _ in range(3):  # in use: each request renews it, well past one lifetime in all
        clock.advance(lifetime_s - 60)
        assert signed_in(client)
    kept = copy_of(app, client)
    clock.advance(lifetime_s + 1)
    assert not signed_in(client) and not signed_in(kept)


def test_the_cookie_lasts_as_long_as_the_session(app):
    client = app.test_client()
    token = csrf_token_of(client.get("/connexion").get_data(as_text=True))
    resp = client.post(
        "/connexion", data={"username": "marie", "password": PASSWORD, "csrf_token": token}
    )
    cookie = resp.headers["Set-Cookie"]
    assert "Expires=" in cookie and "HttpOnly" in cookie
    assert app.permanent_session_lifetime.total_seconds() == 12 * HOUR_S


def test_the_lifetime_setting_is_read_and_checked():
    from mapservice.config import ConfigError, load_settings

    assert load_settings({})["SESSION_LIFETIME_H"] == 12.0
    assert load_settings({"MAPSERVICE_SESSION_LIFETIME_H": "8"})["SESSION_LIFETIME_H"] == 8.0
    with pytest.raises(ConfigError, match="MAPSERVICE_SESSION_LIFETIME_H"):
        load_settings({"MAPSERVICE_SESSION_LIFETIME_H": "0"})


# --- CSRF ---------------------------------------------------------------------------------------


def _raw_csrf(app: Any, client: Any) -> str:
    """The secret the session keeps for its CSRF tokens (each form gets it signed anew)."""
    serializer = app.session_interface.get_signing_serializer(app)
    return str(serializer.loads(client.get_cookie("session").value)["csrf_token"])


def test_the_csrf_token_changes_at_sign_in(app):
    client = app.test_client()
    before = csrf_token_of(client.get("/connexion").get_data(as_text=True))
    raw_before = _raw_csrf(app, client)
    resp = client.post(
        "/connexion", data={"username": "marie", "password": PASSWORD, "csrf_token": before}
    )
    assert resp.status_code == 302
    after = csrf_token_of(client.get("/compte").get_data(as_text=True))
    assert _raw_csrf(app, client) != raw_before
    # the token of the sign-in form no longer writes anything; the new one does
    refused = client.post("/compte/jetons", data={"name": "x", "csrf_token": before})
    assert refused.status_code == 400
    made = client.post("/compte/jetons", data={"name": "x", "csrf_token": after})
    assert made.status_code == 200 and "ms_" in made.get_data(as_text=True)


def test_signing_out_drops_the_csrf_token_too(app):
    client = sign_in(app.test_client(), "marie")
    token = client.environ_base["HTTP_X_CSRFTOKEN"]
    client.post("/deconnexion")
    again = sign_in(app.test_client(), "marie")
    assert again.environ_base["HTTP_X_CSRFTOKEN"] != token
    assert client.post("/connexion", data={"csrf_token": token}).status_code == 400


# --- a real server process ----------------------------------------------------------------------


class Browser:
    """A client of the served app keeping its cookies, as a browser does."""

    def __init__(self, base: str, jar: http.cookiejar.CookieJar | None = None) -> None:
        self.base = base
        self.jar = jar if jar is not None else http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> tuple[str, str]:
        """The final URL and body of ``path``, redirects followed."""
        with self.opener.open(self.base + path, timeout=30) as resp:
            return resp.url, resp.read().decode()

    def post(self, path: str, data: dict[str, str]) -> str:
        body = urllib.parse.urlencode(data).encode()
        with self.opener.open(self.base + path, data=body, timeout=30) as resp:
            return str(resp.url)

    def sign_in(self, username: str, password: str = PASSWORD) -> None:
        _url, page = self.get("/connexion")
        data = {"username": username, "password": password, "csrf_token": csrf_token_of(page)}
        assert "/connexion" not in self.post("/connexion", data)

    def signed_in(self) -> bool:
        return "/connexion" not in self.get("/registre/")[0]

    def sign_out(self) -> None:
        _url, page = self.get("/compte")
        self.post("/deconnexion", {"csrf_token": csrf_token_of(page)})

    def copy(self) -> Browser:
        jar = http.cookiejar.CookieJar()
        for cookie in self.jar:
            jar.set_cookie(cookie)
        return Browser(self.base, jar)


@pytest.mark.slow
def test_served_sessions_end_across_processes(tmp_path):
    """``serve --workers 2``: sign-out in one browser ends the other's session, whichever
    worker answers; ``mapservice user reset-password`` in another process ends them too."""
    from bench.serving import serve

    url = _database(tmp_path)
    with serve(url, tmp_path, ["--no-warm", "--workers", "2"], start_timeout_s=60) as server:
        one, two = Browser(server.base), Browser(server.base)
        one.sign_in("marie")
        two.sign_in("marie")
        stolen = one.copy()
        assert all(b.signed_in() for b in (one, two, stolen) for _ in range(3))
        two.sign_out()
        assert not any(b.signed_in() for b in (one, two, stolen) for _ in range(3))

        one.sign_in("marie")
        stolen = one.copy()
        assert stolen.signed_in()
        cli = subprocess.run(
            [sys.executable, "-m", "mapservice.cli", "user", "reset-password", "marie"]
            + ["--password-stdin"],
            input="tuque-verglas-2\n",
            capture_output=True,
            text=True,
            env={
                **os.environ,
                "MAPSERVICE_DATABASE_URL": url,
                "MAPSERVICE_INSTANCE_PATH": str(tmp_path / "instance"),
            },
            timeout=120,
            check=False,
        )
        assert cli.returncode == 0, cli.stderr
        assert not any(b.signed_in() for b in (one, stolen) for _ in range(3))
        one.sign_in("marie", "tuque-verglas-2")
        assert one.signed_in()
    assert re.search(r"Traceback", (tmp_path / "server.log").read_text()) is None
