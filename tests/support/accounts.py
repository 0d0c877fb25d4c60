"""One account per role in the demo database, and signing in through the real login form."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from mapservice.services import Services

#: The accounts of the demo database the tests use: username → role.
PASSWORD = "mot-de-passe-de-test"
ACCOUNTS = {
    "admin": "admin",
    "personnel": "staff",
    "gestion": "park_manager",
    "presentateur": "presenter",
}
#: The park the ``gestion`` account manages, and its personal tokens: filled by
#: :func:`add_test_accounts` when the session's demo database is built (once per worker).
MANAGED = {"park": "", "staff_token": "", "manager_token": ""}


def add_role_accounts(svc: Services, skip: tuple[str, ...] = ()) -> str:
    """Add the accounts of :data:`ACCOUNTS` but those in ``skip``; the park manager manages
    the park with the most sites, which is returned."""
    from mapservice.accounts import jobs as accounts

    sites = Counter(s.park_id for s in svc.repo.sites() if s.park_id)
    park = sites.most_common(1)[0][0]
    for username, role in ACCOUNTS.items():
        if username not in skip:
            accounts.add_user(
                svc,
                username=username,
                password=PASSWORD,
                role=role,
                parks=[park] if role == "park_manager" else [],
            )
    return park


def add_test_accounts(svc: Services) -> None:
    """One account per role, with the staff's and the park manager's personal tokens."""
    from mapservice.accounts import jobs as accounts

    MANAGED["park"] = add_role_accounts(svc)
    MANAGED["staff_token"] = accounts.make_token(svc, "personnel", "tests")
    MANAGED["manager_token"] = accounts.make_token(svc, "gestion", "tests")


def csrf_token_of(html: str) -> str:
    """The CSRF token of the form in ``html``."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def sign_in(client: Any, username: str, password: str = PASSWORD) -> Any:
    """Sign in through the real login form (CSRF token included); returns the client, which
    then sends the new session's CSRF token (signing in changes it) as ``X-CSRFToken`` with
    every write."""
    token = csrf_token_of(client.get("/connexion").get_data(as_text=True))
    resp = client.post(
        "/connexion", data={"username": username, "password": password, "csrf_token": token}
    )
    assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
    client.environ_base["HTTP_X_CSRFTOKEN"] = csrf_token_of(
        client.get("/compte").get_data(as_text=True)
    )
    return client
