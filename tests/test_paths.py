"""Drawn road routes: the road graph's path that gives a pair's distance, found in batches.

On the tiny network of ``tests/data`` (two banks of a river joined by one bridge upstream, an
overpass without a junction) and on the region's road graph of ``data/``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from mapservice.routing import RoadGraph, geodesic_m
from mapservice.routing.paths import Route, graph_routes

DATA = Path(__file__).parent / "data"
REGION_ROADS = Path(__file__).resolve().parents[1] / "data" / "roads.geojson"

NORTH_TOWN = (-71.05, 48.441)
SOUTH_TOWN = (-71.05, 48.399)
OVERPASS = (-71.12, 48.375)  # by the A-70, which meets no other road
FAR_WEST = (-72.5, 48.40)
BRIDGE = (-71.20, 48.42)


@pytest.fixture(scope="module")
def tiny() -> RoadGraph:
    return RoadGraph.from_geojson(DATA / "tiny_roads.geojson")


@pytest.fixture(scope="module")
def region() -> RoadGraph:
    return RoadGraph.from_geojson(REGION_ROADS)


def length_m(points) -> float:
    return sum(geodesic_m(a, b) for a, b in zip(points, points[1:], strict=False))


def on_an_edge(graph: RoadGraph, points) -> bool:
    """Whether each consecutive pair of ``points`` is an edge of the graph (vertex to vertex)."""
    at = {(round(lon, 9), round(lat, 9)): i for i, (lon, lat) in enumerate(graph.node_lonlat)}
    edges = set(zip(graph.edge_u.tolist(), graph.edge_v.tolist(), strict=True))
    for a, b in zip(points, points[1:], strict=False):
        i, j = at[(round(a[0], 9), round(a[1], 9))], at[(round(b[0], 9), round(b[1], 9))]
        if (i, j) not in edges and (j, i) not in edges:
            return False
    return True


def test_a_route_crosses_the_bridge_along_the_roads_and_measures_the_distance(tiny):
    (route,) = tiny.routes([(NORTH_TOWN, SOUTH_TOWN)])
    assert isinstance(route, Route)
    assert route.start_leg[0] == NORTH_TOWN and route.end_leg[-1] == SOUTH_TOWN
    assert route.start_leg[-1] == route.road[0] and route.road[-1] == route.end_leg[0]
    assert BRIDGE in route.road  # the only crossing, upstream
    # Between the snapped points, every step is an edge of the graph: the road's own shape.
    assert on_an_edge(tiny, route.road[1:-1])
    d = tiny.distance(NORTH_TOWN, SOUTH_TOWN)
    assert route.network_m == pytest.approx(length_m(route.road), abs=1.0)
    assert route.network_m + route.access_m == pytest.approx(d.road_m, abs=0.5)
    assert route.access_m == pytest.approx(d.access_m, abs=0.01)
    assert [leg for _, leg in route.parts()] == [True, False, True]
    assert route.points() == tiny.route(NORTH_TOWN, SOUTH_TOWN)


def test_neighbours_get_one_straight_access_leg(tiny):
    a, b = (-71.125, 48.420), (-71.126, 48.421)  # between the banks, far from any road
    (route,) = tiny.routes([(a, b)])
    d = tiny.distance(a, b)
    assert route is not None and route.road == () and route.parts() == [((a, b), True)]
    assert route.network_m + route.access_m == pytest.approx(d.road_m, abs=0.01)
    assert route.reversed().parts() == [((b, a), True)]


def test_no_route_where_the_distance_has_none(tiny):
    found = tiny.routes([(OVERPASS, SOUTH_TOWN), (FAR_WEST, SOUTH_TOWN), (SOUTH_TOWN, FAR_WEST)])
    assert found == [None, None, None]
    assert graph_routes(tiny, []) == []


def test_a_batch_gives_each_pair_its_own_route_either_way(tiny):
    rng = np.random.default_rng(15)
    points = [
        (float(x), float(y))
        for x, y in zip(rng.uniform(-71.22, -71.03, 8), rng.uniform(48.37, 48.45, 8), strict=True)
    ]
    pairs = [(points[0], p) for p in points[1:]] + [(p, points[1]) for p in points[2:]]
    batch = tiny.routes(pairs)
    for (a, b), route in zip(pairs, batch, strict=True):
        (alone,) = tiny.routes([(a, b)])
        assert route == alone
        d = tiny.distance(a, b)
        if route is None:
            assert d.road_m is None
            continue
        assert route.points()[0] == a and route.points()[-1] == b
        assert route.network_m + route.access_m == pytest.approx(d.road_m, abs=0.5)


def test_region_routes_follow_the_road_vertices_and_give_the_road_distance(region):
    chicoutimi, alma, roberval = (-71.06, 48.42), (-71.65, 48.55), (-72.23, 48.52)
    pairs = [(chicoutimi, alma), (chicoutimi, roberval), (alma, roberval)]
    routes = region.routes(pairs)
    for (a, b), route in zip(pairs, routes, strict=True):
        assert route is not None and len(route.road) > 10  # the roads' bends, not a segment
        assert on_an_edge(region, route.road[1:-1])
        d = region.distance(a, b)
        assert route.network_m + route.access_m == pytest.approx(d.road_m, rel=0.001)
        # Drawn on the real shape; winding stretches count longer (their length_factor).
        assert route.network_m / 1.55 <= length_m(route.road) <= route.network_m * 1.001
        assert length_m(route.road) > 1.05 * geodesic_m(route.road[0], route.road[-1])
