"""The online geocoder, against a local server that speaks Nominatim's and Photon's JSON."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mapservice import create_app
from mapservice.domain.model import Precision
from mapservice.errors import GeocoderUnavailable
from mapservice.geocoding import GeocodeQuery
from mapservice.geocoding.online import OnlineBackend, cache_key
from mapservice.routing._http import LocalPace
from mapservice.services import Services
from tests.support.accounts import MANAGED
from tests.support.clock import FakeClock
from tests.support.geocoder_server import GeocoderServer
from tests.support.settings import make_settings


@pytest.fixture
def server() -> Iterator[GeocoderServer]:
    srv = GeocoderServer().start()
    yield srv
    srv.stop()


@pytest.fixture
def online(tmp_path: Path, database_url: str, server: GeocoderServer) -> Iterator[Services]:
    svc = Services(
        make_settings(
            tmp_path,
            database_url,
            GEOCODER="nominatim",
            GEOCODER_URL=server.url,
            GEOCODER_MIN_DELAY_S=0.25,
            GEOCODER_TIMEOUT_S=2.0,
            GEOCODER_RETRIES=1,
        )
    )
    svc.init_database()
    yield svc
    svc.close()


def _backend(svc: Services, **overrides: float) -> OnlineBackend:
    backend = svc.geocoder.address_backend
    assert isinstance(backend, OnlineBackend)
    for key, value in overrides.items():
        setattr(backend, key, value)
    return backend


def test_an_address_is_placed_by_the_online_geocoder(online, server):
    loc = online.geocoder.geocode(
        GeocodeQuery(address="2485 rue Alexis-le-Trotteur", municipality="Jonquière")
    )
    assert loc.precision is Precision.ADDRESS and loc.source == "nominatim"
    assert (round(loc.lat, 5), round(loc.lon, 5)) == (48.40712, -71.22188)
    assert loc.municipality_id == "saguenay-jonquiere"
    (request,) = server.requests
    assert request.path == "/search"
    assert "Alexis-le-Trotteur" in request.query["q"][0]
    assert request.query["countrycodes"] == ["ca"] and request.query["format"] == ["json"]
    assert request.user_agent.startswith("mapservice/")


def test_a_postal_code_in_the_table_answers_before_the_network(online, server):
    loc = online.geocoder.geocode(
        GeocodeQuery(
            address="2485 rue Alexis-le-Trotteur", municipality="Jonquière", postal_code="G7X 0E4"
        )
    )
    assert loc.precision is Precision.POSTCODE and server.requests == []


def test_the_second_ask_is_answered_from_the_database(online, server, tmp_path, database_url):
    query = GeocodeQuery(address="2485 rue Alexis-le-Trotteur", municipality="Jonquière")
    first = online.geocoder.geocode(query)
    again = online.geocoder.geocode(
        GeocodeQuery(address="2485 RUE ALEXIS-LE-TROTTEUR", municipality="jonquiere")
    )
    assert len(server.requests) == 1 and (again.lon, again.lat) == (first.lon, first.lat)
    assert online.repo.cache_size("nominatim") == 1
    # The cache is in the database: a new process (new Services) does not ask either.
    other = Services(
        make_settings(tmp_path, database_url, GEOCODER="nominatim", GEOCODER_URL=server.url)
    )
    try:
        other.geocoder.geocode(query)
    finally:
        other.close()
    assert len(server.requests) == 1


def test_nothing_found_is_cached_too(online, server):
    query = GeocodeQuery(address="9999 rue Inexistante", municipality="Alma")
    for _ in range(2):
        loc = online.geocoder.geocode(query)
        assert loc.precision is Precision.MUNICIPALITY  # fell through to the town centre
    assert len(server.requests) == 1


def test_requests_are_spaced_by_the_rate_limit(server):
    clock = FakeClock()
    backend = OnlineBackend(
        "nominatim",
        server.url,
        user_agent="mapservice/tests",
        timeout_s=2.0,
        min_delay_s=0.25,
        retries=0,
        cache=None,
        clock=clock,
        sleep=clock.sleep,
    )
    backend.search("2485 rue Alexis-le-Trotteur, Saguenay")  # the first leaves at once
    backend.search("rue des Actionnaires, Saguenay")  # right after: waits the whole delay
    clock.advance(0.1)
    backend.search("rue Racine, Saguenay")  # 0.1 s later: waits the rest
    clock.advance(5.0)
    backend.search("3000 rue des Pins Ouest, Saguenay")  # long after: at once
    assert len(server.requests) == 4
    assert clock.sleeps == [pytest.approx(0.25), pytest.approx(0.15)]


def test_the_local_pace_waits_out_the_rest_of_the_delay():
    now = [100.0]
    slept: list[float] = []

    def sleep(s: float) -> None:
        slept.append(s)
        now[0] += s

    pace = LocalPace(1.0, clock=lambda: now[0], sleep=sleep)
    pace.wait()  # the first request leaves at once
    now[0] += 0.25
    pace.wait()  # 0.25 s later: waits 0.75 s
    now[0] += 3.0
    pace.wait()  # long after: at once
    assert slept == [pytest.approx(0.75)]


def test_a_timeout_is_retried_then_reported_and_never_cached(online, server):
    backend = _backend(online)
    backend.http.timeout_s = 0.2
    server.behaviour.delay_s = 0.6
    with pytest.raises(GeocoderUnavailable) as info:
        backend.search("2485 rue Alexis-le-Trotteur, Jonquière")
    assert "ne répond pas" in info.value.message and info.value.status == 503
    assert len(server.requests) == 2  # one try + GEOCODER_RETRIES=1
    assert online.repo.cache_size() == 0


def test_the_cascade_falls_back_offline_and_says_why_when_the_service_is_down(online, server):
    server.behaviour.status, server.behaviour.fail_times = 503, 10
    loc = online.geocoder.geocode(
        GeocodeQuery(address="2485 rue Alexis-le-Trotteur", municipality="Jonquière")
    )
    # The street is the Jonquière park's: the offline park step answers, and says why.
    assert loc.precision is Precision.PARK and loc.park_id == "jonquiere"
    assert loc.note and "indisponible" in loc.note
    town = online.geocoder.geocode(
        GeocodeQuery(address="12 rue Inconnue", municipality="Jonquière")
    )
    assert town.precision is Precision.MUNICIPALITY and "indisponible" in (town.note or "")
    assert online.repo.cache_size() == 0


def test_a_server_error_then_success_caches_only_the_good_answer(online, server):
    server.behaviour.status, server.behaviour.fail_times = 500, 1
    hits = _backend(online).search("2485 rue Alexis-le-Trotteur, Jonquière")
    assert len(server.requests) == 2 and len(hits) == 1
    assert online.repo.cache_get(
        "nominatim", cache_key("2485 rue Alexis-le-Trotteur, Jonquière")
    ) == [
        {
            "lon": -71.22188,
            "lat": 48.40712,
            "label": hits[0].label,
            "kind": "house",
            "importance": 0.3,
        }
    ]


def test_a_namesake_outside_the_region_is_not_taken(online, server):
    loc = online.geocoder.geocode(GeocodeQuery(address="1200 rue Sherbrooke", municipality="Alma"))
    assert loc.precision is Precision.MUNICIPALITY and loc.municipality_id == "alma"
    assert len(server.requests) == 1


def test_hits_far_from_the_named_town_are_dropped_and_others_are_candidates(online, server):
    loc = online.geocoder.geocode(GeocodeQuery(address="rue Racine", municipality="Alma"))
    assert loc.precision is Precision.ADDRESS and loc.note  # a street, not a civic number
    assert abs(loc.lat - 48.55) < 1e-6 and loc.candidates == ()
    chicoutimi = online.geocoder.geocode(
        GeocodeQuery(address="rue Racine", municipality="Saguenay")
    )
    assert abs(chicoutimi.lat - 48.42737) < 1e-6
    assert [round(c.lat, 2) for c in chicoutimi.candidates] == []  # Alma is 45 km away


def test_photon_speaks_geojson(tmp_path, database_url, server):
    svc = Services(
        make_settings(
            tmp_path,
            database_url,
            GEOCODER="photon",
            GEOCODER_URL=server.url,
            GEOCODER_MIN_DELAY_S=0.0,
        )
    )
    svc.init_database()
    try:
        loc = svc.geocoder.geocode(
            GeocodeQuery(address="2485 rue Alexis-le-Trotteur", municipality="Jonquière")
        )
    finally:
        svc.close()
    assert loc.source == "photon" and loc.precision is Precision.ADDRESS
    assert server.requests[0].path == "/api"


def test_the_api_uses_the_configured_geocoder(tmp_path, demo_db, server):
    app = create_app(
        {
            "DATABASE_URL": demo_db,
            "INSTANCE_PATH": str(tmp_path / "i"),
            "SECRET_KEY": "t",
            "TESTING": True,
            "GEOCODER": "nominatim",
            "GEOCODER_URL": server.url,
            "GEOCODER_MIN_DELAY_S": 0.0,
        }
    )
    response = app.test_client().get(
        "/api/v1/geocode",
        query_string={"q": "3000 rue des Pins Ouest, Alma"},
        headers={"Authorization": "Bearer " + MANAGED["staff_token"]},
    )
    assert response.status_code == 200, response.json
    body = response.json
    assert body["precision"] == "address" and body["source"] == "nominatim"
    assert body["municipality"]["id"] == "alma"


def test_a_geocoder_without_url_is_a_configuration_error(tmp_path, database_url):
    from mapservice.errors import ConfigError

    with pytest.raises(ConfigError, match="MAPSERVICE_GEOCODER_URL"):
        make_settings(tmp_path, database_url, GEOCODER="nominatim")
