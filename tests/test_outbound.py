"""Outbound HTTP: one retry loop (backoff, ``Retry-After``), route answers cached a matrix at a
time, and the online geocoder's pace shared by every process on the database.

Against the local servers that speak Nominatim's and OSRM's protocols; nothing reaches the
internet. Spacing is read from the times the server recorded the requests at.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import sqlalchemy as sa

from mapservice.errors import RoutingUnavailable
from mapservice.geocoding.online import OnlineBackend
from mapservice.routing.http import OsrmBackend
from mapservice.storage import open_repository
from tests.support.geocoder_server import GeocoderServer
from tests.support.routing_server import NO_ROAD_NORTH_OF, RoutingServer

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def geocoder() -> Iterator[GeocoderServer]:
    srv = GeocoderServer().start()
    yield srv
    srv.stop()


@pytest.fixture
def routing() -> Iterator[RoutingServer]:
    srv = RoutingServer().start()
    yield srv
    srv.stop()


def _online(server: GeocoderServer, slept: list[float], **kw: Any) -> OnlineBackend:
    kw.setdefault("retries", 2)
    return OnlineBackend(
        "nominatim",
        server.url,
        user_agent="mapservice/essai",
        timeout_s=2.0,
        min_delay_s=0.0,
        cache=None,
        sleep=slept.append,
        **kw,
    )


# --- one retry loop ------------------------------------------------------------------------------


def test_a_429_is_asked_again_after_the_servers_retry_after(geocoder):
    geocoder.behaviour.status, geocoder.behaviour.fail_times = 429, 1
    geocoder.behaviour.retry_after = "7"
    slept: list[float] = []
    hits = _online(geocoder, slept).search("2485 rue Alexis-le-Trotteur")
    assert len(hits) == 1 and len(geocoder.requests) == 2
    assert slept == [7.0]


def test_a_retry_after_too_long_is_cut_to_the_cap(geocoder):
    geocoder.behaviour.status, geocoder.behaviour.fail_times = 503, 1
    geocoder.behaviour.retry_after = "3600"
    slept: list[float] = []
    _online(geocoder, slept).search("2485 rue Alexis-le-Trotteur")
    assert slept == [30.0]


def test_server_errors_back_off_exponentially_then_give_up(geocoder):
    from mapservice.errors import GeocoderUnavailable

    geocoder.behaviour.status, geocoder.behaviour.fail_times = 502, 10
    slept: list[float] = []
    with pytest.raises(GeocoderUnavailable, match="ne répond pas") as caught:
        _online(geocoder, slept, retries=3).search("rue Racine")
    assert "HTTP 502" in caught.value.message and "4 essais" in caught.value.message
    assert len(geocoder.requests) == 4
    assert slept == [1.0, 2.0]  # urllib3's backoff: at once, then 2 × 0.5 s, 4 × 0.5 s


def test_a_bad_request_is_refused_at_once(geocoder):
    from mapservice.errors import GeocoderUnavailable

    geocoder.behaviour.status, geocoder.behaviour.fail_times = 400, 10
    with pytest.raises(GeocoderUnavailable, match="refusé"):
        _online(geocoder, []).search("rue Racine")
    assert len(geocoder.requests) == 1


# --- route answers: one read and one write transaction per matrix --------------------------------


class Statements:
    """Counts what a repository's engine does: commits, SELECTs, rows written to a table."""

    def __init__(self, engine: sa.Engine, table: str) -> None:
        self.table = table
        self.commits = self.selects = self.rows_written = 0
        sa.event.listen(engine, "commit", self._commit)
        sa.event.listen(engine, "before_cursor_execute", self._statement)

    def _commit(self, _conn: Any) -> None:
        self.commits += 1

    def _statement(
        self,
        _conn: Any,
        _cursor: Any,
        statement: str,
        parameters: Any,
        _context: Any,
        executemany: bool,
    ) -> None:
        words = statement.split()
        if words[0].upper() == "SELECT":
            self.selects += 1
        elif words[:3] == ["INSERT", "INTO", self.table]:
            self.rows_written += len(parameters) if executemany else 1


def _points(n: int, seed: int) -> list[tuple[float, float]]:
    rng = np.random.default_rng(seed)
    points = [
        (float(x), float(y))
        for x, y in zip(rng.uniform(-72.6, -70.8, n), rng.uniform(48.2, 48.9, n), strict=True)
    ]
    points[-1] = (-71.0, NO_ROAD_NORTH_OF + 0.5)  # no road: an answer, cached too
    return points


def test_a_100_by_100_matrix_is_cached_in_one_transaction(services, routing):
    repo = services.repo
    origins, destinations = _points(100, 1), _points(100, 2)
    seen = Statements(repo.engine, "route_cache")
    first = OsrmBackend(routing.url, cache=repo).matrix(origins, destinations)
    assert len(routing.requests) == 4  # 50 × 50 per request, within OSRM's 100 coordinates
    assert seen.commits == 1 and seen.rows_written == 10_000
    assert repo.route_cache_size("osrm:driving") == 10_000
    assert np.isnan(first.road_m[-1]).all() and np.isfinite(first.road_m[:-1, :-1]).all()

    seen.commits = seen.selects = 0
    again = OsrmBackend(routing.url, cache=repo).matrix(origins, destinations)
    assert len(routing.requests) == 4  # all from the database
    assert seen.commits == 0 and seen.selects == 12  # 10,000 keys, 900 a statement
    np.testing.assert_array_equal(again.road_m, first.road_m)
    np.testing.assert_array_equal(again.duration_s, first.duration_s)


def test_answers_of_a_matrix_cut_short_are_kept(services, routing):
    repo = services.repo
    b = routing.behaviour
    b.status, b.fail_times, b.pass_times = 400, 1, 1  # the engine refuses the second request
    origins, destinations = _points(60, 3)[:-1], _points(60, 4)[:-1]
    seen = Statements(repo.engine, "route_cache")
    with pytest.raises(RoutingUnavailable, match="refusé"):
        OsrmBackend(routing.url, cache=repo, retries=0).matrix(origins, destinations)
    assert len(routing.requests) == 2
    assert seen.commits == 1 and 0 < repo.route_cache_size() == seen.rows_written < 59 * 59
    OsrmBackend(routing.url, cache=repo).matrix(origins, destinations)  # asks only the rest
    assert repo.route_cache_size() == 59 * 59 and seen.commits == 2


# --- the geocoder's pace, shared by every process on one database --------------------------------


def test_claims_on_one_database_are_spaced_whichever_process_makes_them(database_url):
    one, two = open_repository(database_url), open_repository(database_url)
    try:
        one.migrate()
        waits = [
            one.claim_pace("geocoder:essai", 10.0),
            two.claim_pace("geocoder:essai", 10.0),
            one.claim_pace("geocoder:essai", 10.0),
        ]
        assert waits[0] == 0.0
        assert 9.0 < waits[1] < 10.0 and 19.0 < waits[2] < 20.0  # slots 10 s apart
        assert two.claim_pace("geocoder:autre", 10.0) == 0.0  # another service: its own pace
    finally:
        one.close()
        two.close()


WORKER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from mapservice.geocoding.online import OnlineBackend
    from mapservice.storage import open_repository

    url, database, agent, count, delay, go = sys.argv[1:]
    repo = open_repository(database)
    backend = OnlineBackend("nominatim", url, user_agent=agent, timeout_s=5.0,
                            min_delay_s=float(delay), retries=0, cache=None, pace_store=repo)
    print("ready", flush=True)
    while not Path(go).exists():
        time.sleep(0.005)
    for i in range(int(count)):
        backend.search(f"{i} rue Racine, {agent}")
    repo.close()
""")


def test_two_processes_on_one_database_keep_one_pace(tmp_path, database_url, geocoder):
    repo = open_repository(database_url)
    repo.migrate()
    repo.close()
    delay_s, each = 0.4, 3
    go = tmp_path / "go"
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                WORKER,
                geocoder.url,
                database_url,
                f"mapservice/processus-{n}",
                str(each),
                str(delay_s),
                str(go),
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in (1, 2)
    ]
    try:
        for proc in procs:
            assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        go.touch()  # both start asking at once
        for proc in procs:
            _out, err = proc.communicate(timeout=60)
            assert proc.returncode == 0, err
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
            proc.communicate()
    arrivals = sorted(geocoder.requests, key=lambda r: r.at)
    assert len(arrivals) == 2 * each
    assert {r.user_agent for r in arrivals} == {"mapservice/processus-1", "mapservice/processus-2"}
    gaps = [b.at - a.at for a, b in zip(arrivals, arrivals[1:], strict=False)]
    # Slots are delay_s apart; a sender late by the machine's load narrows one gap, never the
    # whole span. Without the shared row, the two processes' requests come in pairs ~0 s apart.
    assert min(gaps) >= delay_s * 0.5, gaps
    assert arrivals[-1].at - arrivals[0].at >= (len(gaps) - 0.5) * delay_s, gaps


# --- the migration -------------------------------------------------------------------------------


def test_route_answers_move_out_of_the_geocoders_cache(database_url):
    from datetime import UTC, datetime

    repo = open_repository(database_url)
    try:
        repo.migrate("0009")
        rows = [
            (
                "osrm:driving",
                "-71.64990,48.55010;-71.06050,48.42740",
                '[{"road_m": 61234.5, "duration_s": 3674.1}]',
            ),
            (
                "valhalla",
                "-71.00000,50.50000;-71.06050,48.42740",
                '[{"road_m": null, "duration_s": null}]',
            ),
            ("ors:driving-hgv", "-71.1,48.4;-71.2,48.4", "[]"),  # unreadable: dropped
            ("nominatim", "2485 rue alexis-le-trotteur", '[{"lon": -71.2, "lat": 48.4}]'),
        ]
        with repo.engine.begin() as conn:
            for backend, key, hits in rows:
                conn.execute(
                    sa.text(
                        "INSERT INTO geocode_cache (backend, query_key, query, hits_json, "
                        "created_at)"
                        " VALUES (:b, :k, :q, :h, :at)"
                    ),
                    {
                        "b": backend,
                        "k": key,
                        "q": key,
                        "h": hits,
                        "at": datetime(2026, 1, 2, tzinfo=UTC),
                    },
                )
        repo.migrate()
        assert repo.route_answers("osrm:driving", [rows[0][1]]) == {rows[0][1]: (61234.5, 3674.1)}
        assert repo.route_answers("valhalla", [rows[1][1]]) == {rows[1][1]: (None, None)}
        assert repo.route_cache_size() == 2
        assert repo.cache_size() == 1 and repo.cache_get("nominatim", rows[3][1]) == [
            {"lon": -71.2, "lat": 48.4}
        ]
    finally:
        repo.close()
