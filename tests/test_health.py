"""``/healthz``: 200 when the database's schema is this code's head revision, 503 with both
revisions when it is behind (an older or empty database) or ahead (upgraded by newer code).
Strangers get the status only (``ok`` or ``degraded``); staff and the monitors of
``MAPSERVICE_MONITORS`` get the details."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from mapservice import create_app
from mapservice.storage import open_repository
from mapservice.storage.sql import known_revisions

HEAD = known_revisions()[-1]


def _health(tmp_path: Path, url: str, **config: str) -> tuple[int, dict]:
    status, body, _cache = _health_and_cache(tmp_path, url, **config)
    return status, body


def _health_and_cache(tmp_path: Path, url: str, **config: str) -> tuple[int, dict, str | None]:
    app = create_app(
        {
            "DATABASE_URL": url,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "SECRET_KEY": "test",
            "TESTING": True,
            "MONITORS": "127.0.0.1",  # the test client's address: a monitor, which sees it all
            **config,
        }
    )
    response = app.test_client().get("/healthz")
    assert response.mimetype == "application/json"
    return response.status_code, response.get_json(), response.headers.get("Cache-Control")


def test_a_database_at_the_head_revision_is_healthy(tmp_path, demo_db):
    status, body = _health(tmp_path, demo_db)
    assert status == 200
    assert (body["status"], body["revision"], body["head_revision"]) == ("ok", HEAD, HEAD)
    assert body["counts"]["sites"] > 200


@pytest.mark.parametrize("older", known_revisions()[:-1])
def test_a_database_behind_the_code_answers_503_with_both_revisions(tmp_path, older):
    url = "sqlite:///" + str(tmp_path / "ancienne.sqlite")
    repo = open_repository(url)
    repo.migrate(older)  # the schema as an older release left it
    repo.close()
    status, body = _health(tmp_path, url)
    assert status == 503
    assert body == {
        "status": "schema_behind",
        "backend": "sqlite",
        "revision": older,
        "head_revision": HEAD,
    }


def test_an_empty_database_is_behind(tmp_path):
    url = "sqlite:///" + str(tmp_path / "vide.sqlite")
    sqlite3.connect(tmp_path / "vide.sqlite").close()
    status, body = _health(tmp_path, url)
    assert (status, body["status"], body["revision"]) == (503, "schema_behind", None)


def test_a_database_upgraded_by_newer_code_is_ahead(tmp_path, demo_db):
    with closing(sqlite3.connect(demo_db.split("///", 1)[1])) as db:
        db.execute("UPDATE alembic_version SET version_num = '9999'")  # a revision from later
        db.commit()
    status, body = _health(tmp_path, demo_db)
    assert status == 503
    assert (body["status"], body["revision"], body["head_revision"]) == (
        "schema_ahead",
        "9999",
        HEAD,
    )


# --- who sees what ------------------------------------------------------------------------------


def test_a_stranger_gets_the_status_only(stranger):
    response = stranger.get("/healthz")
    assert (response.status_code, response.get_json()) == (200, {"status": "ok"})


def test_staff_get_the_details(client):
    body = client.get("/healthz").get_json()
    assert (body["status"], body["revision"]) == ("ok", HEAD) and body["counts"]["sites"] > 200


@pytest.mark.parametrize(
    ("monitors", "details"),
    [("127.0.0.1", True), ("10.0.0.0/8, 127.0.0.0/8", True), ("10.0.0.5", False), ("", False)],
)
def test_a_monitor_is_known_by_its_address(tmp_path, demo_db, monitors, details):
    status, body, cache = _health_and_cache(tmp_path, demo_db, MONITORS=monitors)
    assert status == 200 and (cache == "no-store") is details
    assert ("counts" in body) is details
    if not details:
        assert body == {"status": "ok"}


def test_a_stranger_still_gets_503_when_the_schema_is_behind(tmp_path):
    url = "sqlite:///" + str(tmp_path / "vide.sqlite")
    sqlite3.connect(tmp_path / "vide.sqlite").close()
    status, body = _health(tmp_path, url, MONITORS="")
    assert (status, body) == (503, {"status": "degraded"})
