"""Site pages computed ahead (mapservice/web/warming.py): the pages a visit then uses, again
after the registry changes, none when they would not all be kept, and a thread that outlives
a database that went away."""

from __future__ import annotations

import logging
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import PASSWORD, make_settings, sign_in
from test_dashboard import seed_registry

from mapservice import accounts, create_app, lru
from mapservice.services import Services
from mapservice.web import site_pages, warming


@pytest.fixture(scope="module")
def small_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("warming")
    path = folder / "small.sqlite"
    svc = Services(make_settings(folder, "sqlite:///" + str(path)))
    svc.init_database()
    seed_registry(svc, folder)
    accounts.add_user(svc, username="personnel", password=PASSWORD, role="staff")
    svc.close()
    return path


@pytest.fixture
def small_app(tmp_path: Path, small_sqlite: Path) -> Any:
    target = tmp_path / "small.sqlite"
    shutil.copy(small_sqlite, target)
    return create_app({"DATABASE_URL": "sqlite:///" + str(target),
                       "INSTANCE_PATH": str(tmp_path / "instance"), "SECRET_KEY": "test",
                       "TESTING": True})


def _located(app: Any) -> list[int]:
    return [s.id for s in app.extensions["mapservice"].repo.sites() if s.lon is not None]


def _kept(app: Any) -> tuple[int, int]:
    svc = app.extensions["mapservice"]
    return len(lru.cache_of(svc, "_candidate_tables")), len(lru.cache_of(svc, "_site_maps"))


def _tables_for(app: Any, stamp: Any) -> set[int]:
    """The sites whose candidate table is kept for the registry as of ``stamp``."""
    tables = lru.cache_of(app.extensions["mapservice"], "_candidate_tables")
    return {key[0] for key in list(tables) if key[3] == stamp}


def _wait_for(condition: Any, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "the warming thread did not get there"
        time.sleep(0.05)


def test_a_visit_finds_its_page_computed_ahead(small_app, monkeypatch):
    monkeypatch.setattr(warming, "PAUSE_S", 0.0)
    located = _located(small_app)
    assert len(located) >= 3
    assert _kept(small_app) == (0, 0)

    assert warming.warm_all(small_app) == len(located)
    assert _kept(small_app) == (len(located), len(located))
    web = sign_in(small_app.test_client(), "personnel")
    for site_id in located:
        page = web.get(f"/sites/{site_id}")
        assert page.status_code == 200 and 'id="candidates"' in page.text, site_id
    # every visit used the table and the map computed ahead: nothing new was kept
    assert _kept(small_app) == (len(located), len(located))
    web.get(f"/sites/{located[0]}?distance=vol")  # not computed ahead: kept on this visit
    assert _kept(small_app) == (len(located) + 1, len(located) + 1)


def test_a_registry_too_large_to_keep_is_not_warmed(small_app, monkeypatch):
    monkeypatch.setattr(site_pages, "KEPT_TABLES", 2)
    assert warming.warm_all(small_app) == 0
    assert _kept(small_app) == (0, 0)


def test_the_thread_warms_again_after_a_change_and_outlives_a_missing_database(
        small_app, tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(warming, "PAUSE_S", 0.0)
    monkeypatch.setattr(warming, "CHECK_EVERY_S", 0.05)
    svc = small_app.extensions["mapservice"]
    located = set(_located(small_app))
    stop = warming.start(small_app)
    try:
        first = svc.repo.registry_stamp()
        _wait_for(lambda: _tables_for(small_app, first) == located)

        flow = svc.repo.flows()[0]
        svc.repo.update_flow(flow.id, {"description": flow.description + " (révisé)"})
        changed = svc.repo.registry_stamp()
        assert changed != first
        _wait_for(lambda: _tables_for(small_app, changed) == located)

        database = tmp_path / "small.sqlite"
        with caplog.at_level(logging.WARNING, logger="mapservice.warming"):
            database.rename(tmp_path / "away.sqlite")
            _wait_for(lambda: any("not computed ahead" in r.getMessage()
                                  for r in caplog.records))
            (tmp_path / "away.sqlite").rename(database)
            svc.repo.update_flow(flow.id, {"description": flow.description})
            again = svc.repo.registry_stamp()
            _wait_for(lambda: _tables_for(small_app, again) == located)
        assert sum("not computed ahead" in r.getMessage() for r in caplog.records) == 1
    finally:
        stop.set()
