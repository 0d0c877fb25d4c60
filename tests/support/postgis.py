"""The PostGIS server of the run: its URL, a fresh schema per test, or a skip with the reason.

PostGIS tests run when ``MAPSERVICE_TEST_POSTGIS_URL`` names a server; without it they skip
with the reason, unless ``MAPSERVICE_REQUIRE_POSTGIS=1`` (set by ``.ci/run``), where a missing
server fails the run instead. Each test works in a schema of its own, so tests on several
workers (pytest-xdist) share the database without seeing each other's rows.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

POSTGIS_URL = os.environ.get("MAPSERVICE_TEST_POSTGIS_URL", "")
REQUIRE_POSTGIS = os.environ.get("MAPSERVICE_REQUIRE_POSTGIS") == "1"


def plain_url(url: str) -> str:
    """``url`` as libpq (psycopg) takes it, without SQLAlchemy's driver name."""
    return url.replace("postgresql+psycopg", "postgresql")


def postgis_or_skip() -> str:
    """Return the PostGIS server URL, or skip (fail when PostGIS is required)."""
    if not POSTGIS_URL:
        reason = "no PostGIS server: set MAPSERVICE_TEST_POSTGIS_URL (`.ci/run` does)"
        if REQUIRE_POSTGIS:
            pytest.fail(reason + " — required here (MAPSERVICE_REQUIRE_POSTGIS=1)")
        pytest.skip(reason)
    try:
        import psycopg

        with psycopg.connect(plain_url(POSTGIS_URL), connect_timeout=3) as conn:
            conn.execute("SELECT postgis_version()")
    except Exception as exc:  # noqa: BLE001 - any failure means "no usable server"
        reason = f"PostGIS server at MAPSERVICE_TEST_POSTGIS_URL unusable: {exc}"
        if REQUIRE_POSTGIS:
            pytest.fail(reason)
        pytest.skip(reason)
    return POSTGIS_URL


@contextmanager
def fresh_schema() -> Iterator[str]:
    """A PostGIS URL whose search_path is a new schema, dropped on the way out."""
    import psycopg

    base = postgis_or_skip()
    schema = "t_" + uuid.uuid4().hex[:12]
    plain = plain_url(base)
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options=-csearch_path%3D{schema},public"
    finally:
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")
