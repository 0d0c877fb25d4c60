"""Signing in: only failures count towards the per-address limit (the client behind a trusted
proxy is the address), the account lock is capped at 15 minutes and answers exactly like a
wrong password. On a fresh SQLite file in tmp_path through the Flask test client."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from mapservice import create_app
from mapservice.accounts import jobs as accounts
from mapservice.accounts import sign_in as signing
from mapservice.services import Services
from mapservice.web import auth
from tests.support.accounts import PASSWORD, csrf_token_of
from tests.support.settings import make_settings

PROXY, CLIENT, OTHER = "10.0.0.5", "203.0.113.7", "198.51.100.9"


@pytest.fixture
def app(tmp_path: Path) -> Any:
    url = "sqlite:///" + str(tmp_path / "sign_in.sqlite")
    svc = Services(make_settings(tmp_path, url))
    svc.init_database()
    for username in ("admin", "marie"):
        accounts.add_user(svc, username=username, password=PASSWORD, role="admin")
    svc.close()
    return create_app(
        {
            "DATABASE_URL": url,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "SECRET_KEY": "test",
            "TESTING": True,
            "TRUSTED_PROXIES": PROXY,
        }
    )


class Door:
    """The sign-in form, tried from one client address behind the trusted proxy."""

    def __init__(self, app: Any, address: str = CLIENT) -> None:
        self.app = app
        self.environ = {"REMOTE_ADDR": PROXY}
        self.headers = {"X-Forwarded-For": address}
        self._open()

    def _open(self) -> None:
        """A new browser at the sign-in form."""
        self.client = self.app.test_client()
        page = self.client.get("/connexion", environ_base=self.environ, headers=self.headers)
        self.token = csrf_token_of(page.get_data(as_text=True))

    def try_(self, username: str, password: str) -> Any:
        resp = self.client.post(
            "/connexion",
            data={"username": username, "password": password, "csrf_token": self.token},
            environ_base=self.environ,
            headers=self.headers,
        )
        if resp.status_code == 302:  # signed in (a new session, a new CSRF token): start over
            self._open()
        return resp


def test_successful_sign_ins_are_not_limited(app):
    """Twenty-odd people of one office behind one address sign in within minutes."""
    door = Door(app)
    codes = [door.try_("marie", PASSWORD).status_code for _ in range(auth.MAX_ATTEMPTS + 5)]
    assert codes == [302] * (auth.MAX_ATTEMPTS + 5)


def test_failures_are_limited_per_forwarded_address(app):
    door = Door(app)
    codes = [door.try_("x", "faux").status_code for _ in range(auth.MAX_ATTEMPTS + 1)]
    assert codes == [401] * auth.MAX_ATTEMPTS + [429]
    # the right password does not get through either once the address is held back
    assert door.try_("marie", PASSWORD).status_code == 429
    # another client behind the same proxy is not held back
    assert Door(app, OTHER).try_("marie", PASSWORD).status_code == 302


def test_successes_between_failures_do_not_count(app):
    door = Door(app)
    for _ in range(auth.MAX_ATTEMPTS - 1):
        assert door.try_("x", "faux").status_code == 401
        assert door.try_("admin", PASSWORD).status_code == 302
    assert door.try_("x", "faux").status_code == 401
    assert door.try_("x", "faux").status_code == 429


# --- the account lock ---------------------------------------------------------------------------

#: What changes from one answer to the next whatever was typed: the CSP nonce and the CSRF
#: token's signature (it holds the time).
_RANDOM = re.compile(r'(nonce="|nonce-|name="csrf_token" value=")[^"\']+')


def same(body: str) -> str:
    return _RANDOM.sub(r"\1…", body)


def test_a_locked_account_answers_like_a_wrong_password(app):
    door = Door(app)
    tries = [door.try_("marie", "faux") for _ in range(signing.MAX_FAILURES)]
    wrong = tries[-2]  # not locked yet: a wrong password (not the session's first answer)
    svc = app.extensions["mapservice"]
    assert signing._locked(svc.repo.find_user("marie"), datetime.now(UTC))
    locked_right = door.try_("marie", PASSWORD)  # locked: the right password
    locked_wrong = door.try_("marie", "faux")
    unknown = door.try_("personne", "faux")
    assert wrong.status_code == locked_right.status_code == locked_wrong.status_code == 401
    assert unknown.status_code == 401
    assert same(locked_right.get_data(as_text=True)) == same(wrong.get_data(as_text=True))
    assert same(locked_wrong.get_data(as_text=True)) == same(wrong.get_data(as_text=True))
    assert same(unknown.get_data(as_text=True)).replace("personne", "marie") == same(
        wrong.get_data(as_text=True)
    )
    assert "verrouill" not in wrong.get_data(as_text=True)
    assert set(locked_right.headers.keys()) == set(wrong.headers.keys())


@pytest.mark.parametrize(
    ("failures", "lock_s"),
    [(1, 0), (4, 0), (5, 300), (6, 600), (7, 900), (8, 900), (50, 900), (10**6, 900)],
)
def test_the_lock_doubles_up_to_15_minutes(failures, lock_s):
    assert signing.lock_s(failures) == lock_s


def test_an_attacker_cannot_lock_an_account_for_longer_than_15_minutes(app):
    """Thirty failures, each time the lock has run out (its end moved back in the database
    as time passing would): the lock never reaches past 15 minutes, and once it has run out
    the right password opens the account."""
    svc = app.extensions["mapservice"]
    door = Door(app)
    longest = timedelta(0)
    for i in range(30):
        user = svc.repo.find_user("marie")
        if user.locked_until is not None:
            svc.repo.update_user(user.id, locked_until=datetime.now(UTC) - timedelta(seconds=1))
        started = datetime.now(UTC)
        door.headers = {"X-Forwarded-For": f"192.0.2.{i}"}  # past the address limit
        assert door.try_("marie", "faux").status_code == 401
        until = svc.repo.find_user("marie").locked_until
        if until is not None:
            longest = max(longest, until.replace(tzinfo=UTC) - started)
    assert timedelta(minutes=14) < longest <= timedelta(minutes=15, seconds=1)
    user = svc.repo.find_user("marie")
    svc.repo.update_user(user.id, locked_until=datetime.now(UTC) - timedelta(seconds=1))
    assert door.try_("marie", PASSWORD).status_code == 302
    assert svc.repo.find_user("marie").failed_logins == 0


def test_a_new_password_unlocks(app):
    svc = app.extensions["mapservice"]
    door = Door(app)
    for _ in range(signing.MAX_FAILURES):
        door.try_("marie", "faux")
    assert door.try_("marie", PASSWORD).status_code == 401
    accounts.reset_password(svc, "marie", "tuque-verglas-2")
    assert door.try_("marie", "tuque-verglas-2").status_code == 302
