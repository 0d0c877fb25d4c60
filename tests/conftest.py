"""Fixtures: real SQLite files in tmp_path, a real PostGIS schema per test when one is reachable.

PostGIS tests run when ``MAPSERVICE_TEST_POSTGIS_URL`` names a server; without it they skip
with the reason, unless ``MAPSERVICE_REQUIRE_POSTGIS=1`` (set by ``.ci/run``), where a missing
server fails the run instead.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mapservice import create_app
from mapservice.config import PROJECT_ROOT, finish_settings, load_settings
from mapservice.services import Services

DATA_DIR = PROJECT_ROOT / "data"
POSTGIS_URL = os.environ.get("MAPSERVICE_TEST_POSTGIS_URL", "")
REQUIRE_POSTGIS = os.environ.get("MAPSERVICE_REQUIRE_POSTGIS") == "1"


def postgis_or_skip() -> str:
    """Return the PostGIS server URL, or skip (fail when PostGIS is required)."""
    if not POSTGIS_URL:
        reason = "no PostGIS server: set MAPSERVICE_TEST_POSTGIS_URL (`.ci/run` does)"
        if REQUIRE_POSTGIS:
            pytest.fail(reason + " — required here (MAPSERVICE_REQUIRE_POSTGIS=1)")
        pytest.skip(reason)
    try:
        import psycopg

        with psycopg.connect(POSTGIS_URL.replace("postgresql+psycopg", "postgresql"),
                             connect_timeout=3) as conn:
            conn.execute("SELECT postgis_version()")
    except Exception as exc:  # noqa: BLE001 - any failure means "no usable server"
        reason = f"PostGIS server at MAPSERVICE_TEST_POSTGIS_URL unusable: {exc}"
        if REQUIRE_POSTGIS:
            pytest.fail(reason)
        pytest.skip(reason)
    return POSTGIS_URL


@pytest.fixture(scope="session")
def choices() -> Any:
    """What the map's filters may be set to, from the reference data in ``data/``."""
    from mapservice.domain.reference import load_reference
    from mapservice.views.map_filters import FilterChoices

    ref = load_reference(DATA_DIR)
    return FilterChoices(parks=frozenset(p.id for p in ref.parks),
                         municipalities={m.id: m for m in ref.municipalities},
                         taxonomy=ref.taxonomy)


@pytest.fixture
def postgis_url() -> Iterator[str]:
    """A PostGIS URL whose search_path is a fresh schema, dropped after the test."""
    import psycopg

    base = postgis_or_skip()
    schema = "t_" + uuid.uuid4().hex[:12]
    plain = base.replace("postgresql+psycopg", "postgresql")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in base else "?"
    yield f"{base}{sep}options=-csearch_path%3D{schema},public"
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture(params=["sqlite", pytest.param("postgis", marks=pytest.mark.postgis)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each test that takes this runs once on SQLite and once on PostGIS."""
    if request.param == "sqlite":
        return "sqlite:///" + str(tmp_path / "mapservice.sqlite")
    return request.getfixturevalue("postgis_url")  # type: ignore[no-any-return]


def make_settings(tmp_path: Path, database_url: str, **extra: Any) -> dict[str, Any]:
    settings = load_settings({})
    settings.update(
        DATABASE_URL=database_url,
        INSTANCE_PATH=str(tmp_path / "instance"),
        SECRET_KEY="test",
        DATA_DIR=str(DATA_DIR),
        **extra,
    )
    return finish_settings(settings)


@pytest.fixture
def services(tmp_path: Path, database_url: str) -> Iterator[Services]:
    """Services over an initialised database with the reference data, no members."""
    svc = Services(make_settings(tmp_path, database_url))
    svc.init_database()
    yield svc
    svc.close()


#: The accounts of the demo database the tests use: username → (password, role).
PASSWORD = "mot-de-passe-de-test"
ACCOUNTS = {"admin": "admin", "personnel": "staff", "gestion": "park_manager",
            "presentateur": "presenter"}
#: The park the ``gestion`` account manages, and its personal token (made once per session).
MANAGED = {"park": "", "staff_token": "", "manager_token": ""}


def add_test_accounts(svc: Services) -> None:
    """One account per role; the park manager manages the park with the most demo sites."""
    from collections import Counter

    from mapservice.accounts import jobs as accounts

    sites = Counter(s.park_id for s in svc.repo.sites() if s.park_id)
    park = sites.most_common(1)[0][0]
    for username, role in ACCOUNTS.items():
        accounts.add_user(svc, username=username, password=PASSWORD, role=role,
                          parks=[park] if role == "park_manager" else [])
    MANAGED["park"] = park
    MANAGED["staff_token"] = accounts.make_token(svc, "personnel", "tests")
    MANAGED["manager_token"] = accounts.make_token(svc, "gestion", "tests")


@pytest.fixture(scope="session")
def demo_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite file initialised with the demo membership and one account per role (see
    :data:`ACCOUNTS`), built once per session."""
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    svc = Services(make_settings(path.parent, "sqlite:///" + str(path)))
    svc.init_database(demo=True)
    add_test_accounts(svc)
    svc.close()
    return path


@pytest.fixture
def demo_db(tmp_path: Path, demo_sqlite: Path) -> str:
    """A private copy of the demo database; returns its URL."""
    target = tmp_path / "demo.sqlite"
    shutil.copy(demo_sqlite, target)
    return "sqlite:///" + str(target)


@pytest.fixture
def app(tmp_path: Path, demo_db: str) -> Any:
    return create_app({"DATABASE_URL": demo_db, "INSTANCE_PATH": str(tmp_path / "instance"),
                       "SECRET_KEY": "test", "TESTING": True})


@pytest.fixture(scope="session")
def seeded_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite file with the test members of test_dashboard and their candidates, and the
    staff account ``personnel``; built once per session."""
    from test_dashboard import seed_registry

    from mapservice.accounts import jobs as accounts

    folder = tmp_path_factory.mktemp("seeded")
    path = folder / "seeded.sqlite"
    svc = Services(make_settings(folder, "sqlite:///" + str(path)))
    svc.init_database()
    seed_registry(svc, folder)
    accounts.add_user(svc, username="personnel", password=PASSWORD, role="staff")
    svc.close()
    return path


@pytest.fixture
def seeded_app(tmp_path: Path, seeded_sqlite: Path) -> Any:
    """The app over a private copy of :func:`seeded_sqlite`."""
    target = tmp_path / "seeded.sqlite"
    shutil.copy(seeded_sqlite, target)
    return create_app({"DATABASE_URL": "sqlite:///" + str(target),
                       "INSTANCE_PATH": str(tmp_path / "instance"), "SECRET_KEY": "test",
                       "TESTING": True})


def csrf_token_of(html: str) -> str:
    import re

    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def sign_in(client: Any, username: str, password: str = PASSWORD) -> Any:
    """Sign in through the real login form (CSRF token included); returns the client, which
    then sends the session's CSRF token as ``X-CSRFToken`` with every write."""
    token = csrf_token_of(client.get("/connexion").get_data(as_text=True))
    resp = client.post("/connexion", data={"username": username, "password": password,
                                           "csrf_token": token})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
    client.environ_base["HTTP_X_CSRFTOKEN"] = token
    return client


@pytest.fixture
def client(app: Any) -> Any:
    """A browser-like client signed in as staff (``personnel``)."""
    return sign_in(app.test_client(), "personnel")


@pytest.fixture
def stranger(app: Any) -> Any:
    """A client that is not signed in."""
    return app.test_client()


@pytest.fixture
def client_as(app: Any) -> Any:
    """``client_as("gestion")``: a new client signed in as that account."""
    return lambda username: sign_in(app.test_client(), username)


# --- a real server process and a real browser ---------------------------------------------------

REQUIRE_BROWSER = os.environ.get("MAPSERVICE_REQUIRE_BROWSER") == "1"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture
def served(tmp_path: Path, demo_db: str) -> Iterator[str]:
    """`mapservice serve` (waitress) on loopback over a private demo database; yields its URL.

    Without computing site pages ahead (``--no-warm``): a test lives a few seconds, and the
    warming thread would only take CPU from the browser (it is tested in test_warming.py)."""
    from bench.serving import serve

    with serve(demo_db, tmp_path, ["--no-warm"], start_timeout_s=30,
               stop_timeout_s=10) as server:
        yield server.base


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """Headless Debian Chromium driven by Playwright; skips (fails in CI) when missing."""
    reason = None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        reason = "playwright is not installed (pip install -e '.[test]')"
    if reason is None and not os.path.exists(CHROMIUM):
        reason = f"no Chromium at {CHROMIUM} (apt-get install chromium; `.ci/run` does)"
    if reason is not None:
        if REQUIRE_BROWSER:
            pytest.fail(reason + " — required here (MAPSERVICE_REQUIRE_BROWSER=1)")
        pytest.skip(reason)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run",
                  "--disable-quic"],
        )
        yield browser
        browser.close()


def signed_in_page(chromium: Any, base: str, username: str = "personnel",
                   **options: Any) -> Any:
    """A new browser page signed in through the login form as ``username`` (staff by
    default); ``options`` go to ``new_page`` (viewport, …)."""
    page = chromium.new_page(**options)
    page.goto(base + "/connexion")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.click("form.login button[type=submit]")
    assert "/connexion" not in page.url, page.content()[:500]
    return page
