"""Synergy lines drawn along their road route: geometry, dashed access legs, straight fallback,
and no route to an end whose exact position the viewer may not see.

Over the live demo (``mapservice init --demo``: matched by the region's road graph, with a
tracked pipeline) and the region's road graph of ``data/``.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mapservice.domain.model import Synergy
from mapservice.domain.typography import french
from mapservice.routing import geodesic_m
from mapservice.services import Services
from mapservice.views.map_filters import MapFilter
from mapservice.views.map_view import TRACKED, region_view
from mapservice.views.route_lines import ACCESS_DASH, DRAWN, LineEnds, candidate_line, line_routes
from tests.support.accounts import sign_in
from tests.support.pages import map_data
from tests.support.road_lengths import counted_m
from tests.support.settings import make_settings

DETOUR = 1.3  # access legs count their straight length × this (routing.graph)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, live_demo_sqlite: Path) -> Iterator[Services]:
    folder = tmp_path_factory.mktemp("route_lines")
    shutil.copy(live_demo_sqlite, folder / "live.sqlite")
    svc = Services(make_settings(folder, "sqlite:///" + str(folder / "live.sqlite")))
    yield svc
    svc.close()


def length_m(points: list[Any]) -> float:
    return sum(geodesic_m(tuple(a), tuple(b)) for a, b in zip(points, points[1:], strict=False))


def drawn_synergies(svc: Services, *, anonymise: bool) -> list[tuple[Synergy, dict, Any, Any]]:
    """Each tracked line of the region map with its synergy and the two sites as drawn."""
    view = region_view(svc, MapFilter(), anonymise=anonymise, statuses=TRACKED)
    flows = {f.id: f for f in view.flows}
    sites = {s.id: s for s in view.sites}
    stored = sorted(
        (s for s in svc.repo.synergies() if s.status in TRACKED), key=lambda s: s.id or 0
    )
    out = []
    for s in stored:
        a = sites[flows[s.output_flow_id].site_id]
        b = sites[flows[s.input_flow_id].site_id]
        if (a.lon, a.lat) != (b.lon, b.lat):
            out.append((s, a, b))
    lines = view.data["lines"]["features"]
    assert len(lines) == len(out) > 50
    return [(s, line, a, b) for (s, a, b), line in zip(out, lines, strict=True)]


def graph_nodes(svc: Services) -> set[tuple[float, float]]:
    graph = svc.distance_backend("road-graph")
    return {(round(lon, 6), round(lat, 6)) for lon, lat in graph.node_lonlat}  # type: ignore[attr-defined]


def test_tracked_lines_follow_the_road_route_that_gives_their_distance(live):
    nodes = graph_nodes(live)
    routed = neighbours = 0
    for synergy, line, a, b in drawn_synergies(live, anonymise=False):
        assert synergy.distance_backend == "road-graph"
        props, geometry = line["properties"], line["geometry"]
        assert geometry["type"] == "MultiLineString", props["t"]
        parts = geometry["coordinates"]
        rows = dict(map(tuple, props["r"]))
        if len(parts) == 1:  # neighbours, closer to each other than to the network
            assert props["ax"] == [0] and rows["Tracé"] == DRAWN["drawn_local"]
            assert DETOUR * length_m(parts[0]) == pytest.approx(synergy.road_m, abs=1.0)
            neighbours += 1
            continue
        assert props["ad"] == ACCESS_DASH and props["ax"] == [0, len(parts) - 1]
        start, *road, end = parts
        assert start[0] == [round(a.lon, 6), round(a.lat, 6)]
        assert end[-1] == [round(b.lon, 6), round(b.lat, 6)]
        (road,) = road
        # Between its two snapped points, the route goes from road vertex to road vertex.
        assert {tuple(p) for p in road[1:-1]} <= nodes
        drawn_m = counted_m(live.distance_backend("road-graph"), road) + DETOUR * (
            length_m(start) + length_m(end)
        )
        assert drawn_m == pytest.approx(synergy.road_m, rel=0.002, abs=5.0)
        assert rows["Tracé"] == DRAWN["drawn_road"]
        routed += 1
    assert routed > 50 and neighbours < routed


def test_a_hidden_member_gets_no_road_route(live):
    routed = straight = 0
    for _, line, a, b in drawn_synergies(live, anonymise=True):
        geometry = line["geometry"]
        if a.member_name is not None and b.member_name is not None:
            assert geometry["type"] == "MultiLineString"
            routed += 1
            continue
        # The end of an anonymised site is its park or town: the line stays the safe segment.
        assert geometry == {
            "type": "LineString",
            "coordinates": [[round(a.lon, 6), round(a.lat, 6)], [round(b.lon, 6), round(b.lat, 6)]],
        }
        assert "ax" not in line["properties"]
        assert dict(map(tuple, line["properties"]["r"]))["Tracé"] == DRAWN["drawn_straight"]
        straight += 1
    assert routed and straight


def test_no_road_route_without_a_graph_path_or_the_graph_distance(live):
    chicoutimi, alma = (-71.06, 48.42), (-71.65, 48.55)
    road_m = live.distance_backend("road-graph").distance(chicoutimi, alma).road_m
    ends = [
        LineEnds(chicoutimi, alma, True, "road-graph", road_m),  # routed
        LineEnds(chicoutimi, alma, False, "road-graph", road_m),  # an end not shown exactly
        LineEnds(chicoutimi, alma, True, "geodesic", None),  # straight-distance fallback
        LineEnds(chicoutimi, alma, True, "osrm", road_m),  # an engine gives no geometry
        LineEnds(chicoutimi, alma, True, "road-graph", None),  # unroutable
        LineEnds(chicoutimi, alma, True, "road-graph", road_m * 1.2),  # a site moved since
        LineEnds((-75.0, 47.0), alma, True, "road-graph", road_m),  # far from every road
    ]
    routes = line_routes(live, ends)
    assert routes[0] is not None and routes[1:] == [None] * (len(ends) - 1)


def test_a_straight_candidate_line_says_so_in_its_popup():
    labels = {"drawn": "Route", "drawn_straight": "straight line: no road route"}
    line = candidate_line(
        (-71.06, 48.42),
        (-71.65, 48.55),
        score=0.8,
        title="t",
        lang="en",
        labels=labels,
        road_m=None,
        geodesic_m=50_000.0,
    )
    assert line["geometry"]["type"] == "LineString" and "ax" not in line["properties"]
    assert ["Route", "straight line: no road route"] in line["properties"]["r"]


def test_pages_hand_dashed_access_legs_to_the_map_script(live_demo_app):
    client = sign_in(live_demo_app.test_client(), "personnel")
    html = client.get("/").get_data(as_text=True)
    lines = map_data(html)["lines"]["features"]
    assert lines and all(f["geometry"]["type"] == "MultiLineString" for f in lines)
    assert all(f["properties"]["ad"] == ACCESS_DASH for f in lines)
    served = client.get("/static/js/mapservice-map.js")
    script = served.get_data(as_text=True)
    served.close()
    assert "dashArray: p.leg.ad" in script  # the legs are drawn apart with that dash
    # A site page draws its candidates the same way, and straight by « vol d'oiseau ».
    svc = live_demo_app.extensions["mapservice"]
    site_id = max(
        (s.id for s in svc.repo.sites() if s.lon is not None),
        key=lambda i: len(svc.repo.flows(site_ids=[i])),
    )
    by_road = map_data(client.get(f"/sites/{site_id}").get_data(as_text=True))
    kinds = {f["geometry"]["type"] for f in by_road["lines"]["features"]}
    assert kinds == {"MultiLineString"}
    by_air = map_data(client.get(f"/sites/{site_id}?distance=vol").get_data(as_text=True))
    assert by_air["lines"]["features"]
    for feature in by_air["lines"]["features"]:
        assert feature["geometry"]["type"] == "LineString"
        assert ["Tracé", french(DRAWN["drawn_straight"])] in feature["properties"]["r"]
    english = client.get(f"/sites/{site_id}?distance=vol&lang=en").get_data(as_text=True)
    rows = map_data(english)["lines"]["features"][0]["properties"]["r"]
    assert ["Route", "straight line: no road route"] in rows
