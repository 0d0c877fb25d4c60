"""Fixtures only: real SQLite files in tmp_path, a real PostGIS schema per test when one is
reachable, the app over a copy of the demo database, a served app and headless Chromium.

The helpers they use live in ``tests/support/`` (PostGIS or a skip with the reason: see
:mod:`tests.support.postgis`); test modules import those helpers from there, never from here.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mapservice import create_app
from mapservice.services import Services
from tests.support.accounts import PASSWORD, add_test_accounts, sign_in
from tests.support.browser import chromium_or_skip
from tests.support.postgis import fresh_schema
from tests.support.settings import DATA_DIR, make_settings

#: Fixture → the marker every test that uses it gets, so that ``-m`` lanes need no list of
#: modules: ``make test-fast`` leaves out ``browser``, ``postgis`` and ``slow`` (a served app
#: is a server process started and stopped for the test).
MARKED_BY_FIXTURE = {"chromium": "browser", "postgis_url": "postgis", "served": "slow"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        for fixture in set(getattr(item, "fixturenames", ())) & MARKED_BY_FIXTURE.keys():
            item.add_marker(MARKED_BY_FIXTURE[fixture])


@pytest.fixture(scope="session")
def choices() -> Any:
    """What the map's filters may be set to, from the reference data in ``data/``."""
    from mapservice.domain.reference import load_reference
    from mapservice.views.map_filters import FilterChoices

    ref = load_reference(DATA_DIR)
    return FilterChoices(
        parks=frozenset(p.id for p in ref.parks),
        municipalities={m.id: m for m in ref.municipalities},
        taxonomy=ref.taxonomy,
    )


@pytest.fixture
def postgis_url() -> Iterator[str]:
    """A PostGIS URL whose search_path is a fresh schema, dropped after the test."""
    with fresh_schema() as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgis", marks=pytest.mark.postgis)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each test that takes this runs once on SQLite and once on PostGIS."""
    if request.param == "sqlite":
        return "sqlite:///" + str(tmp_path / "mapservice.sqlite")
    return request.getfixturevalue("postgis_url")  # type: ignore[no-any-return]


@pytest.fixture
def services(tmp_path: Path, database_url: str) -> Iterator[Services]:
    """Services over an initialised database with the reference data, no members."""
    svc = Services(make_settings(tmp_path, database_url))
    svc.init_database()
    yield svc
    svc.close()


@pytest.fixture(scope="session")
def demo_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite file initialised with the demo membership and one account per role (see
    :data:`tests.support.accounts.ACCOUNTS`), built once per session (per xdist worker)."""
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    svc = Services(make_settings(path.parent, "sqlite:///" + str(path)))
    svc.init_database(demo=True)
    add_test_accounts(svc)
    svc.close()
    return path


@pytest.fixture(scope="session")
def live_demo_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo as ``mapservice init --demo`` leaves it: the membership, the matched
    candidates and the seeded two-year pipeline history; with the staff account
    ``personnel`` (not :func:`add_test_accounts`, whose tokens belong to :func:`demo_sqlite`)."""
    from mapservice.accounts import jobs as accounts
    from mapservice.ops.demo_pipeline import bring_to_life

    path = tmp_path_factory.mktemp("live_demo") / "live_demo.sqlite"
    svc = Services(make_settings(path.parent, "sqlite:///" + str(path)))
    svc.init_database(demo=True)
    bring_to_life(svc)
    accounts.add_user(svc, username="personnel", password=PASSWORD, role="staff")
    svc.close()
    return path


@pytest.fixture
def live_demo_app(tmp_path: Path, live_demo_sqlite: Path) -> Any:
    """The app over a private copy of :func:`live_demo_sqlite`."""
    target = tmp_path / "live_demo.sqlite"
    shutil.copy(live_demo_sqlite, target)
    return create_app(
        {
            "DATABASE_URL": "sqlite:///" + str(target),
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "SECRET_KEY": "test",
            "TESTING": True,
        }
    )


@pytest.fixture
def demo_db(tmp_path: Path, demo_sqlite: Path) -> str:
    """A private copy of the demo database; returns its URL."""
    target = tmp_path / "demo.sqlite"
    shutil.copy(demo_sqlite, target)
    return "sqlite:///" + str(target)


@pytest.fixture
def app(tmp_path: Path, demo_db: str) -> Any:
    return create_app(
        {
            "DATABASE_URL": demo_db,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "SECRET_KEY": "test",
            "TESTING": True,
        }
    )


@pytest.fixture(scope="session")
def seeded_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite file with the members of :mod:`tests.support.seeded_registry` and their
    candidates, and the staff account ``personnel``; built once per session (per worker)."""
    from mapservice.accounts import jobs as accounts
    from tests.support.seeded_registry import seed_registry

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
    return create_app(
        {
            "DATABASE_URL": "sqlite:///" + str(target),
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "SECRET_KEY": "test",
            "TESTING": True,
        }
    )


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


@pytest.fixture
def served(tmp_path: Path, demo_db: str) -> Iterator[str]:
    """`mapservice serve` (waitress) on loopback over a private demo database; yields its URL.

    Without computing site pages ahead (``--no-warm``): a test lives a few seconds, and the
    warming thread would only take CPU from the browser (it is tested in test_warming.py)."""
    from bench.serving import serve

    with serve(demo_db, tmp_path, ["--no-warm"], start_timeout_s=30, stop_timeout_s=10) as server:
        yield server.base


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """Headless Debian Chromium driven by Playwright, one per session (per xdist worker);
    skips (fails in CI) when missing."""
    with chromium_or_skip() as browser:
        yield browser
