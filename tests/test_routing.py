"""Transport distances: geodesic, the road graph (GeoJSON and OSM), and the HTTP engines.

The HTTP engines run against ``routing_server``, a local server speaking OSRM's, Valhalla's and
openrouteservice's matrix APIs; nothing reaches the internet.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from mapservice.errors import ConfigError, InvalidInput
from mapservice.routing import (
    Distance,
    GeodesicBackend,
    RoadGraph,
    RoadLine,
    RoadNetworkError,
    RoutingUnavailable,
    geodesic_m,
    make_backend,
)
from mapservice.routing.http import OrsBackend, OsrmBackend, ValhallaBackend, chunk_sizes
from mapservice.routing.osm import graph_from_osm
from tests.support.routing_server import NO_ROAD_NORTH_OF, RoutingServer

DATA = Path(__file__).parent / "data"
ROADS = DATA / "tiny_roads.geojson"
OSM = DATA / "tiny.osm"

NORTH_TOWN = (-71.05, 48.441)  # just north of route 172, on the north bank
SOUTH_TOWN = (-71.05, 48.399)  # on the south bank, by the boulevard
ON_170 = [(-71.10, 48.40), (-71.20, 48.40)]  # vertices of route 170
OVERPASS = (-71.12, 48.375)  # near the A-70, which crosses route 170 without a junction
FAR_WEST = (-72.5, 48.40)  # ~100 km from any road of the tiny network


@pytest.fixture(scope="module")
def roads() -> RoadGraph:
    return RoadGraph.from_geojson(ROADS)


def close(a: float | None, b: float, tol_m: float = 1.0) -> bool:
    return a is not None and abs(a - b) <= tol_m


# -- geodesic -------------------------------------------------------------------------------


def test_geodesic_knows_a_degree_of_latitude_and_no_road():
    d = GeodesicBackend().distance((0.0, 0.0), (0.0, 1.0))
    assert close(d.geodesic_m, 110_574.4, 1.0)
    assert (d.road_m, d.duration_s, d.backend) == (None, None, "geodesic")


def test_geodesic_matrix_is_pairwise_distance():
    rng = np.random.default_rng(7)
    pts = [
        (float(x), float(y))
        for x, y in zip(rng.uniform(-72.6, -70.8, 6), rng.uniform(48.2, 48.9, 6), strict=True)
    ]
    backend = GeodesicBackend()
    m = backend.matrix(pts[:2], pts[2:])
    assert [len(row) for row in m] == [4, 4]
    for i, a in enumerate(pts[:2]):
        for j, b in enumerate(pts[2:]):
            assert m[i][j] == backend.distance(a, b)
            assert close(m[i][j].geodesic_m, geodesic_m(b, a), 1e-6)


@pytest.mark.parametrize(
    "point", [(200.0, 48.0), (-71.0, 95.0), ("x", 1.0), (1.0,), (float("nan"), 48.0)]
)
def test_a_bad_point_is_invalid_input(point, roads):
    for backend in (GeodesicBackend(), roads):
        with pytest.raises(InvalidInput, match="lon"):
            backend.distance(point, (-71.0, 48.4))


# -- the road graph -------------------------------------------------------------------------


def test_lines_connect_only_at_shared_vertices(roads):
    assert (roads.n_nodes, roads.n_edges) == (13, 11)
    assert roads.n_components == 2  # the A-70 overpass is its own piece
    assert roads.largest_component_nodes == 10


def test_across_the_river_the_truck_goes_round_by_the_bridge(roads):
    d = roads.distance(NORTH_TOWN, SOUTH_TOWN)
    assert d.backend == "road-graph" and d.reason is None
    assert 4_500 < d.geodesic_m < 4_800
    assert d.road_m is not None and d.road_m > 5 * d.geodesic_m
    path = roads.route(NORTH_TOWN, SOUTH_TOWN)
    assert path is not None and (-71.20, 48.42) in path  # over the bridge
    assert path[0] == NORTH_TOWN and path[-1] == SOUTH_TOWN
    legs = sum(geodesic_m(a, b) for a, b in zip(path, path[1:], strict=False))
    # The drawn line is the driven one, but access legs are drawn straight (not × 1.3).
    assert close(legs + 0.3 * d.access_m / 1.3, d.road_m, 1.0)


def test_between_two_vertices_length_and_time_are_the_roads(roads):
    d = roads.distance(*ON_170)
    expected_m = geodesic_m(ON_170[0], (-71.15, 48.40)) + geodesic_m((-71.15, 48.40), ON_170[1])
    assert close(d.road_m, expected_m, 0.01) and d.access_m == pytest.approx(0.0, abs=0.01)
    assert d.duration_s == pytest.approx(expected_m / (90 / 3.6), abs=0.01)


def test_a_point_joins_the_nearest_point_on_an_edge_by_a_longer_slower_leg(roads):
    a, b = (-71.125, 48.401), ON_170[0]  # a: ~111 m north of the middle of an edge
    d = roads.distance(a, b)
    straight = geodesic_m(a, (-71.125, 48.40))
    assert close(d.access_m, 1.3 * straight, 1.0)  # not the ~1.9 km to the nearest vertex
    assert close(d.road_m, d.access_m + geodesic_m((-71.125, 48.40), b), 1.0)
    assert d.duration_s == pytest.approx(
        d.access_m / (30 / 3.6) + (d.road_m - d.access_m) / (90 / 3.6), abs=0.5
    )


def test_two_points_on_the_same_edge_drive_along_it(roads):
    a, b = (-71.14, 48.4005), (-71.11, 48.3995)
    d = roads.distance(a, b)
    along = geodesic_m((-71.14, 48.40), (-71.11, 48.40))
    assert close(d.road_m, d.access_m + along, 1.0)
    assert d.road_m == pytest.approx(roads.distance(b, a).road_m)


def test_close_neighbours_drive_straight_on_local_streets(roads):
    a, b = (-71.125, 48.401), (-71.124, 48.4012)  # neighbours, both ~110 m off route 170
    d = roads.distance(a, b)
    assert close(d.road_m, 1.3 * d.geodesic_m, 0.01) and d.access_m == d.road_m
    assert d.duration_s == pytest.approx(d.road_m / (30 / 3.6))
    assert roads.route(a, b) == [a, b]
    same = roads.distance(NORTH_TOWN, NORTH_TOWN)
    assert (same.road_m, same.duration_s) == (0.0, 0.0)


def test_no_path_and_too_far_give_no_number_and_say_why(roads):
    cut = roads.distance(OVERPASS, SOUTH_TOWN)
    assert (cut.road_m, cut.duration_s) == (None, None)
    assert cut.reason == "aucun chemin routier entre les deux points"
    assert cut.geodesic_m > 0
    far = roads.distance(FAR_WEST, SOUTH_TOWN)
    assert far.road_m is None and "25 km" in far.reason and far.reason.startswith("origine")
    assert roads.route(FAR_WEST, SOUTH_TOWN) is None and roads.route(OVERPASS, SOUTH_TOWN) is None
    near = RoadGraph.from_geojson(ROADS, max_snap_m=50.0).distance((-71.125, 48.401), SOUTH_TOWN)
    assert near.road_m is None and "0.05 km" in near.reason


def test_the_matrix_is_the_pairwise_distance(roads):
    rng = np.random.default_rng(42)
    pts = [
        (float(x), float(y))
        for x, y in zip(rng.uniform(-71.25, -71.0, 9), rng.uniform(48.36, 48.46, 9), strict=True)
    ]
    origins = [*pts[:5], FAR_WEST, OVERPASS]
    destinations = [*pts[5:], SOUTH_TOWN, ON_170[0]]
    m = roads.matrix(origins, destinations)
    assert len(m) == len(origins) and {len(row) for row in m} == {len(destinations)}
    for i, a in enumerate(origins):
        for j, b in enumerate(destinations):
            one = roads.distance(a, b)
            assert m[i][j].reason == one.reason
            if one.road_m is None:
                assert (m[i][j].road_m, m[i][j].duration_s) == (None, None)
            else:
                assert m[i][j].road_m == pytest.approx(one.road_m, abs=1e-6)
                assert m[i][j].duration_s == pytest.approx(one.duration_s, abs=1e-6)
                assert m[i][j].access_m == pytest.approx(one.access_m, abs=1e-6)
    assert roads.matrix([], destinations) == [] and roads.matrix(origins, []) == [[]] * 7


def test_a_matrix_reads_as_rows_of_distances_and_holds_arrays(roads):
    m = roads.matrix([NORTH_TOWN, FAR_WEST], [SOUTH_TOWN, ON_170[0], OVERPASS])
    assert m.shape == (2, 3) and len(m) == 2 and "2×3" in repr(m)
    assert m.road_m[0, 0] == m[0][0].road_m and m.duration_s[0, 1] == m[0][1].duration_s
    assert np.isnan(m.road_m[1]).all() and m.access_m[1].tolist() == [0.0, 0.0, 0.0]
    assert m[0][2].reason == "aucun chemin routier entre les deux points"
    assert m[-1] == m[1] and m[0:1] == [m[0]] and m.tolist() == [list(row) for row in m]
    assert m[0] is m[0]  # a row is made once
    with pytest.raises(IndexError):
        m[2]


def test_the_road_layer_is_rfc7946(roads):
    layer = roads.edges_geojson()
    assert layer["type"] == "FeatureCollection" and "crs" not in layer
    bridge = next(f for f in layer["features"] if f["properties"]["bridge"])
    assert bridge["properties"]["bridge_name"] == "Pont amont"
    assert bridge["geometry"]["coordinates"][0] == [-71.2, 48.4]  # lon, lat
    assert json.loads(roads.edges_geojson_text()) == layer


def _feature(**props: Any) -> dict[str, Any]:
    base = {
        "id": "x",
        "ref": None,
        "name": "x",
        "kind": "route",
        "speed_kmh": 70,
        "bridge": False,
        "bridge_name": None,
    }
    return {
        "type": "Feature",
        "properties": {**base, **props},
        "geometry": {"type": "LineString", "coordinates": [[-71.0, 48.4], [-71.1, 48.4]]},
    }


@pytest.mark.parametrize(
    ("second", "expected"),
    [
        (_feature(speed_kmh=None), "speed_kmh"),
        (_feature(speed_kmh=-5), "speed_kmh"),
        (_feature(kind="sentier"), "kind"),
        (_feature(bridge="oui"), "bridge"),
        ({**_feature(), "geometry": {"type": "Point", "coordinates": [-71.0, 48.4]}}, "geometry"),
        (
            {**_feature(), "geometry": {"type": "LineString", "coordinates": [[-71.0, 48.4]]}},
            "coordinates",
        ),
        (
            {
                **_feature(),
                "geometry": {"type": "LineString", "coordinates": [[48.4, -171.0], [-71, 48]]},
            },
            "coordinates",
        ),
        ({**_feature(), "properties": None}, "properties"),
    ],
)
def test_a_malformed_road_file_names_the_feature_and_the_property(tmp_path, second, expected):
    path = tmp_path / "roads.geojson"
    path.write_text(
        json.dumps({"type": "FeatureCollection", "features": [_feature(), second]}),
        encoding="utf-8",
    )
    with pytest.raises(RoadNetworkError, match=f"entité 1.*{expected}") as caught:
        RoadGraph.from_geojson(path)
    assert str(path) in caught.value.message and caught.value.status == 500


@pytest.mark.parametrize(
    "text", ["{not json", '{"type": "Feature"}', '{"type": "FeatureCollection", "features": []}']
)
def test_an_unusable_road_file_is_refused(tmp_path, text):
    path = tmp_path / "roads.geojson"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RoadNetworkError, match="roads.geojson"):
        RoadGraph.from_geojson(path)


def test_a_large_matrix_agrees_with_single_distances():
    rng = np.random.default_rng(1)
    lons, lats = np.linspace(-72.6, -70.8, 56), np.linspace(48.2, 48.9, 56)
    lines = [RoadLine([(float(x), float(y)) for x in lons], {"speed_kmh": 70}) for y in lats]
    lines += [RoadLine([(float(x), float(y)) for y in lats], {"speed_kmh": 90}) for x in lons]
    graph = RoadGraph(lines)
    assert graph.n_nodes == 56 * 56
    pts = np.column_stack([rng.uniform(-72.6, -70.8, 2000), rng.uniform(48.2, 48.9, 2000)])
    # Its speed is measured by bench/matching.py, not here.
    res = graph.matrix(pts[:1000].tolist(), pts[1000:].tolist())
    assert not np.isnan(res.road_m).any()
    assert (res.road_m >= res.geodesic_m - 1.0).all()
    i, j = 17, 423
    one = graph.distance(tuple(pts[i]), tuple(pts[1000 + j]))
    assert res.road_m[i, j] == pytest.approx(one.road_m)
    assert res.duration_s[i, j] == pytest.approx(one.duration_s)


# -- OpenStreetMap extracts -----------------------------------------------------------------


def _check_tiny_osm(graph: RoadGraph) -> None:
    # Footway and building left out; the service road shares a spot but no node with way 10.
    assert (graph.n_nodes, graph.n_edges, graph.n_components) == (9, 6, 3)
    assert {line.props["id"] for line in graph.lines} == {
        "way/10",
        "way/11",
        "way/13",
        "way/14",
        "way/16",
    }
    bridge = next(line for line in graph.lines if line.props["bridge"])
    assert (bridge.props["kind"], bridge.props["speed_kmh"]) == ("bridge", 50.0)
    d = graph.distance((-71.65, 48.55), (-71.62, 48.56))  # node 1 → node 6, over the bridge
    expected = geodesic_m((-71.65, 48.55), (-71.63, 48.55)) + geodesic_m(
        (-71.63, 48.55), (-71.62, 48.56)
    )
    assert close(d.road_m, expected, 0.01)
    assert graph.distance((-71.64, 48.5451), (-71.65, 48.55)).road_m is None  # service road


def test_an_osm_xml_extract_becomes_a_road_graph():
    _check_tiny_osm(graph_from_osm(OSM))


def test_an_osm_pbf_extract_gives_the_same_graph(tmp_path):
    osmium = pytest.importorskip("osmium")
    pbf = tmp_path / "tiny.osm.pbf"
    with osmium.SimpleWriter(str(pbf)) as writer:
        for obj in osmium.FileProcessor(str(OSM)):
            writer.add(obj)
    _check_tiny_osm(graph_from_osm(pbf))


@pytest.mark.parametrize(
    ("name", "text", "match"),
    [
        ("bad.osm", "<osm><node id='1' lat='48'", "XML"),
        (
            "cut.osm",
            "<osm><way id='3'><nd ref='1'/><nd ref='2'/><tag k='highway' v='primary'/></way></osm>",
            "nœud 1",
        ),
        (
            "paths.osm",
            "<osm><node id='1' lat='48' lon='-71'/><node id='2' lat='48.1' lon='-71'/>"
            "<way id='3'><nd ref='1'/><nd ref='2'/><tag k='highway' v='path'/></way>"
            "</osm>",
            "aucune route",
        ),
        ("roads.shp", "", "format"),
    ],
)
def test_a_bad_osm_extract_is_refused_with_a_reason(tmp_path, name, text, match):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RoadNetworkError, match=match):
        graph_from_osm(path)


# -- make_backend ---------------------------------------------------------------------------


def test_make_backend_builds_each_kind_by_name(tmp_path):
    assert make_backend("geodesic").name == "geodesic"
    assert make_backend("road-graph", roads_path=ROADS).name == "road-graph"
    assert make_backend("osm", roads_path=OSM).name == "osm"
    for name, cls in (("osrm", OsrmBackend), ("valhalla", ValhallaBackend), ("ors", OrsBackend)):
        backend = make_backend(name, url="http://127.0.0.1:9", timeout_s=3.0)
        assert isinstance(backend, cls) and backend.timeout_s == 3.0
    with pytest.raises(ConfigError, match="URL"):
        make_backend("osrm")
    with pytest.raises(ConfigError, match="chemin"):
        make_backend("road-graph")
    with pytest.raises(ConfigError, match="inconnu"):
        make_backend("teleport")
    with pytest.raises(ConfigError, match="invalide"):
        make_backend("ors", url="ftp://example.org")


# -- HTTP engines ---------------------------------------------------------------------------


class MemoryCache:
    """The route cache protocol over a dict; counts the writes (one per matrix)."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], Any] = {}
        self.writes = 0

    def route_answers(self, backend: str, keys: Iterable[str]) -> dict[str, Any]:
        return {k: self.rows[backend, k] for k in keys if (backend, k) in self.rows}

    def save_route_answers(self, backend: str, answers: Mapping[str, Any]) -> int:
        self.writes += 1
        self.rows.update({(backend, k): v for k, v in answers.items()})
        return len(answers)


@pytest.fixture
def server() -> Iterator[RoutingServer]:
    srv = RoutingServer().start()
    yield srv
    srv.stop()


ENGINES = {
    "osrm": lambda url, **kw: OsrmBackend(url, **kw),
    "valhalla": lambda url, **kw: ValhallaBackend(url, **kw),
    "ors": lambda url, **kw: OrsBackend(url, api_key="cle-secrete", **kw),
}
ALMA, JONQUIERE, CHICOUTIMI = (-71.6499, 48.5501), (-71.2217, 48.4071), (-71.0605, 48.4274)
NORTH = (-71.0, NO_ROAD_NORTH_OF + 0.5)


def _engine(name: str, server: RoutingServer, **kw: Any) -> Any:
    kw.setdefault("timeout_s", 2.0)
    kw.setdefault("retries", 1)
    return ENGINES[name](server.url, **kw)


@pytest.mark.parametrize("name", ENGINES)
def test_each_engine_is_asked_in_its_own_protocol(name, server):
    backend = _engine(name, server)
    m = backend.matrix([ALMA, JONQUIERE], [CHICOUTIMI, NORTH])
    (req,) = server.requests
    assert req.headers["User-Agent"].startswith("mapservice/")
    if name == "osrm":
        assert req.method == "GET"
        assert req.path == (
            "/table/v1/driving/-71.649900,48.550100;-71.221700,48.407100;"
            "-71.060500,48.427400;-71.000000,50.500000"
        )
        assert req.query == {
            "sources": ["0;1"],
            "destinations": ["2;3"],
            "annotations": ["distance,duration"],
        }
    elif name == "valhalla":
        assert (req.method, req.path) == ("POST", "/sources_to_targets")
        assert req.body == {
            "sources": [{"lat": 48.5501, "lon": -71.6499}, {"lat": 48.4071, "lon": -71.2217}],
            "targets": [{"lat": 48.4274, "lon": -71.0605}, {"lat": 50.5, "lon": -71.0}],
            "costing": "truck",
            "units": "kilometers",
        }
    else:
        assert (req.method, req.path) == ("POST", "/v2/matrix/driving-hgv")
        assert req.body["locations"] == [list(p) for p in (ALMA, JONQUIERE, CHICOUTIMI, NORTH)]
        assert (req.body["sources"], req.body["destinations"]) == ([0, 1], [2, 3])
        assert req.body["metrics"] == ["distance", "duration"]
        assert req.headers["Authorization"] == "cle-secrete"
    d = m[0][0]
    assert d.backend == name and d.access_m == 0.0
    assert d.road_m == pytest.approx(1.4 * d.geodesic_m, rel=0.01)
    assert d.duration_s == pytest.approx(d.road_m / (60 / 3.6), rel=0.01)
    assert (m[1][1].road_m, m[1][1].duration_s) == (None, None)  # null: no road up north
    assert m[1][1].reason == f"aucun itinéraire selon {name}"
    assert backend.distance(ALMA, CHICOUTIMI).road_m == pytest.approx(d.road_m)


@pytest.mark.parametrize(("name", "requests"), [("osrm", 2), ("valhalla", 2), ("ors", 2)])
def test_a_large_matrix_is_cut_within_the_engines_limits(name, server, requests):
    rng = np.random.default_rng(3)
    origins = [
        (float(x), float(y))
        for x, y in zip(rng.uniform(-72.6, -70.8, 120), rng.uniform(48.2, 48.9, 120), strict=True)
    ]
    destinations = [ALMA, JONQUIERE, CHICOUTIMI, ALMA, NORTH] * 5
    m = _engine(name, server).matrix(origins, destinations)
    assert len(server.requests) == requests
    for req in server.requests:
        if name == "osrm":
            assert len(req.path.split("/")[-1].split(";")) <= 100
        elif name == "valhalla":
            assert len(req.body["sources"]) * len(req.body["targets"]) <= 2_500
        else:
            assert len(req.body["locations"]) <= 100
    assert m[119][2].geodesic_m == pytest.approx(geodesic_m(origins[119], CHICOUTIMI))
    assert m[119][2].road_m == pytest.approx(1.4 * m[119][2].geodesic_m, rel=0.01)
    assert m[5][4].road_m is None


def test_chunk_sizes_respect_both_limits():
    assert chunk_sizes(1, 1, max_coords=100, max_pairs=2500) == (1, 1)
    assert chunk_sizes(1, 500, max_coords=100, max_pairs=2500) == (1, 99)
    assert chunk_sizes(500, 2, max_coords=100, max_pairs=2500) == (98, 2)
    s, t = chunk_sizes(500, 500, max_coords=100, max_pairs=2500)
    assert s + t <= 100 and s * t <= 2500 and (s, t) == (50, 50)
    s, t = chunk_sizes(500, 500, max_coords=200, max_pairs=2500)
    assert s * t <= 2500


@pytest.mark.parametrize("name", ENGINES)
def test_the_second_ask_is_answered_from_the_cache(name, server):
    cache = MemoryCache()
    first = _engine(name, server, cache=cache).matrix([ALMA, NORTH], [CHICOUTIMI])
    assert len(server.requests) == 1 and len(cache.rows) == 2  # "no road" is an answer too
    assert cache.writes == 1
    again = _engine(name, server, cache=cache).matrix(
        [(-71.649901, 48.550099), NORTH], [CHICOUTIMI]
    )
    assert len(server.requests) == 1
    assert [d.road_m for d in again[0] + again[1]] == [d.road_m for d in first[0] + first[1]]
    _engine(name, server, cache=cache).matrix([ALMA, JONQUIERE], [CHICOUTIMI])
    req = server.requests[-1]  # only the new origin is asked for
    asked = (req.body or {}).get("sources") or req.query["sources"]
    assert len(server.requests) == 2 and len(asked if name != "osrm" else asked[0].split(";")) == 1


@pytest.mark.parametrize("name", ENGINES)
def test_a_timeout_is_retried_then_reported_and_never_cached(name, server):
    cache = MemoryCache()
    server.behaviour.delay_s = 0.6
    backend = _engine(name, server, cache=cache, timeout_s=0.2, retries=1)
    with pytest.raises(RoutingUnavailable, match="ne répond pas") as caught:
        backend.matrix([ALMA], [CHICOUTIMI])
    assert caught.value.status == 503 and caught.value.code == "routing_unavailable"
    assert len(server.requests) == 2 and cache.rows == {}


@pytest.mark.parametrize("name", ENGINES)
def test_a_server_error_then_success_caches_only_the_good_answer(name, server):
    cache = MemoryCache()
    server.behaviour.status, server.behaviour.fail_times = 503, 1
    d = _engine(name, server, cache=cache, sleep=lambda _s: None).distance(ALMA, CHICOUTIMI)
    assert len(server.requests) == 2 and d.road_m is not None
    assert list(cache.rows.values()) == [(d.road_m, d.duration_s)]


def test_the_service_database_is_a_route_cache(services, server):
    first = OsrmBackend(server.url, cache=services.repo).matrix([ALMA, NORTH], [CHICOUTIMI])
    again = OsrmBackend(server.url, cache=services.repo).matrix([ALMA, NORTH], [CHICOUTIMI])
    assert len(server.requests) == 1 and again == first
    assert services.repo.route_cache_size("osrm:driving") == 2
    assert services.repo.cache_size() == 0  # the geocoder's cache is its own


def test_a_refused_request_is_not_retried(server):
    server.behaviour.status, server.behaviour.fail_times = 400, 5
    with pytest.raises(RoutingUnavailable, match="refusé"):
        _engine("osrm", server).distance(ALMA, CHICOUTIMI)
    assert len(server.requests) == 1


def test_a_wrong_engine_url_is_refused_not_retried(server):
    with pytest.raises(RoutingUnavailable, match="HTTP 404"):
        OrsBackend(server.url + "/ors", retries=2).distance(ALMA, CHICOUTIMI)
    assert len(server.requests) == 1 and server.requests[0].path == "/ors/v2/matrix/driving-hgv"


def test_a_dead_engine_is_reported_in_french():
    with pytest.raises(RoutingUnavailable, match="connexion impossible"):
        OsrmBackend("http://127.0.0.1:9", retries=0, timeout_s=1.0).distance(ALMA, CHICOUTIMI)


def test_distance_is_a_frozen_value():
    d = Distance(1.0, None, None, "geodesic")
    with pytest.raises(AttributeError):
        d.road_m = 3.0  # type: ignore[misc]
    assert d.routed is False and d.detour_ratio is None
