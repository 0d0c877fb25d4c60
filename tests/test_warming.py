"""Site pages computed ahead (mapservice/web/warming.py, mapservice/views/site_page.py): the
pages a visit then uses, again after the registry changes, none when they would not all be
kept, and a thread that outlives a database that went away."""

from __future__ import annotations

import logging
import time
from typing import Any

from mapservice import create_app
from mapservice.views.site_page import warm_all
from mapservice.web import warming
from tests.support.accounts import sign_in


def _located(app: Any) -> list[int]:
    return [s.id for s in app.extensions["mapservice"].repo.sites() if s.lon is not None]


def _kept(app: Any) -> tuple[int, int]:
    caches = app.extensions["mapservice"].caches
    return len(caches.keys("candidate_tables")), len(caches.keys("site_maps"))


def _tables_for(app: Any, stamp: Any) -> set[int]:
    """The sites whose candidate table is kept for the registry as of ``stamp``."""
    keys = app.extensions["mapservice"].caches.keys("candidate_tables")
    return {key[-1][0] for key in keys if key[:-1] == stamp.key()}


def _warm_all(app: Any) -> int:
    return warm_all(app.extensions["mapservice"], warming.page_text(app), pause_s=0.0)


def _wait_for(condition: Any, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "the warming thread did not get there"
        time.sleep(0.05)


def test_a_visit_finds_its_page_computed_ahead(seeded_app):
    located = _located(seeded_app)
    assert len(located) >= 3
    assert _kept(seeded_app) == (0, 0)

    assert _warm_all(seeded_app) == len(located)
    assert _kept(seeded_app) == (len(located), len(located))
    web = sign_in(seeded_app.test_client(), "personnel")
    for site_id in located:
        page = web.get(f"/sites/{site_id}")
        assert page.status_code == 200 and 'id="candidates"' in page.text, site_id
    # every visit used the table and the map computed ahead: nothing new was kept
    assert _kept(seeded_app) == (len(located), len(located))
    web.get(f"/sites/{located[0]}?distance=vol")  # not computed ahead: kept on this visit
    assert _kept(seeded_app) == (len(located) + 1, len(located) + 1)


def test_a_registry_too_large_to_keep_is_not_warmed(seeded_app, tmp_path):
    small = create_app(
        {
            "DATABASE_URL": seeded_app.config["DATABASE_URL"],
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "SECRET_KEY": "test",
            "TESTING": True,
            "CACHE_SITE_PAGES": 2,
        }
    )
    assert _warm_all(small) == 0
    assert _kept(small) == (0, 0)


def test_the_thread_warms_again_after_a_change_and_outlives_a_missing_database(
    seeded_app, tmp_path, caplog
):
    svc = seeded_app.extensions["mapservice"]
    located = set(_located(seeded_app))
    stop = warming.start(seeded_app, pause_s=0.0, check_every_s=0.05)
    try:
        first = svc.repo.change_stamp()
        _wait_for(lambda: _tables_for(seeded_app, first) == located)

        flow = svc.repo.flows()[0]
        svc.repo.update_flow(flow.id, {"description": flow.description + " (révisé)"})
        changed = svc.repo.change_stamp()
        assert changed != first
        _wait_for(lambda: _tables_for(seeded_app, changed) == located)

        database = tmp_path / "seeded.sqlite"
        with caplog.at_level(logging.WARNING, logger="mapservice.warming"):
            database.rename(tmp_path / "away.sqlite")
            _wait_for(lambda: any("not computed ahead" in r.getMessage() for r in caplog.records))
            (tmp_path / "away.sqlite").rename(database)
            svc.repo.update_flow(flow.id, {"description": flow.description})
            again = svc.repo.change_stamp()
            _wait_for(lambda: _tables_for(seeded_app, again) == located)
        assert sum("not computed ahead" in r.getMessage() for r in caplog.records) == 1
    finally:
        stop.set()
