"""Winding roads are drawn on their waypoints and counted longer by a ``length_factor``.

A road that winds more than its hand-placed waypoints show gets its extra length as a property
of its stretch (see data/README.md), not as invented vertices: the map and the synergy lines
draw the waypoints' shape, the graph multiplies the stretch's length.
"""

from __future__ import annotations

import json
import math

import pytest

from mapservice.config import PROJECT_ROOT
from mapservice.geo.projection import WGS84_GEOD
from mapservice.routing.graph import RoadGraph

ROADS = PROJECT_ROOT / "data" / "roads.geojson"


def _length_m(coords: list[list[float]]) -> float:
    lons, lats = [c[0] for c in coords], [c[1] for c in coords]
    return float(sum(WGS84_GEOD.inv(lons[:-1], lats[:-1], lons[1:], lats[1:])[2]))


def _turns_deg(coords: list[list[float]]) -> list[float]:
    """Signed heading change at every inner vertex, in degrees (-180, 180]."""
    out = []
    for a, b, c in zip(coords, coords[1:], coords[2:], strict=False):
        k = math.cos(math.radians(b[1]))
        h1 = math.atan2(b[1] - a[1], (b[0] - a[0]) * k)
        h2 = math.atan2(c[1] - b[1], (c[0] - b[0]) * k)
        out.append((math.degrees(h2 - h1) + 180) % 360 - 180)
    return out


@pytest.fixture(scope="module")
def features() -> list[dict]:
    return json.loads(ROADS.read_text(encoding="utf-8"))["features"]


def test_no_road_zigzags(features):
    """No vertex turns sharply one way and the next sharply back (a drawn saw-tooth)."""
    for f in features:
        turns = _turns_deg(f["geometry"]["coordinates"])
        for t1, t2 in zip(turns, turns[1:], strict=False):
            flip = t1 * t2 < 0 and abs(t1) > 60 and abs(t2) > 60
            assert not flip, (f["id"], t1, t2)


def test_winding_stretches_carry_their_factor_and_why(features):
    factors = {f["id"]: f["properties"].get("length_factor", 1.0) for f in features}
    assert 1.5 < max(factors.values()) < 1.6  # the mountain stretch of the R-170
    for f in features:
        props = f["properties"]
        if "length_factor" in props:
            assert props["length_factor"] != 1.0
            assert "published distances" in props["length_note"]
            assert "km" in props["length_note"], props["id"]
    # The stretches of one road meet on a shared vertex (the graph joins lines only there).
    by_id = {f["id"]: f["geometry"]["coordinates"] for f in features}
    stretches = [fid for fid in by_id if fid[-1] in "bcdefgh"]
    assert stretches
    for fid in stretches:
        assert by_id[fid[:-1] + chr(ord(fid[-1]) - 1)][-1] == by_id[fid][0], fid


def test_the_graph_multiplies_a_line_by_its_length_factor(tmp_path):
    def line(fid, coords, **extra):
        props = {"id": fid, "ref": "R-1", "name": "Route 1", "kind": "route", "speed_kmh": 80}
        props.update(bridge=False, bridge_name=None, **extra)
        return {
            "type": "Feature",
            "properties": props,
            "geometry": {"type": "LineString", "coordinates": coords},
        }

    a, mid, b = [-71.0, 48.0], [-71.0, 48.1], [-71.0, 48.3]
    note = "estimate: set so that these published distances are met: X – Y 30 km"
    doc = {
        "type": "FeatureCollection",
        "features": [
            line("plain", [a, mid]),
            line("winding", [mid, b], length_factor=1.5, length_note=note),
        ],
    }
    path = tmp_path / "roads.geojson"
    path.write_text(json.dumps(doc), encoding="utf-8")
    graph = RoadGraph.from_geojson(path)
    plain_m, winding_m = _length_m([a, mid]), _length_m([mid, b])

    d = graph.distance(tuple(a), tuple(b))
    assert d.road_m == pytest.approx(plain_m + 1.5 * winding_m, rel=1e-6)
    assert d.duration_s == pytest.approx((plain_m + 1.5 * winding_m) / (80 / 3.6), rel=1e-6)
    only = graph.distance(tuple(mid), tuple(b))
    assert only.road_m == pytest.approx(1.5 * winding_m, rel=1e-6)

    # The drawn route keeps the real shape; its network length counts the factor.
    route = graph.routes([(tuple(a), tuple(b))])[0]
    assert route is not None
    assert all(p[0] == pytest.approx(-71.0) for p in route.road)  # on the real line
    assert tuple(mid) in route.road
    assert route.network_m == pytest.approx(plain_m + 1.5 * winding_m, rel=1e-6)
    # The map's road layer says which line is estimated, and why.
    props = {f["properties"]["id"]: f["properties"] for f in graph.edges_geojson()["features"]}
    assert props["winding"]["length_factor"] == 1.5 and props["winding"]["length_note"] == note
    assert "length_factor" not in props["plain"]


def test_a_bad_length_factor_is_refused(tmp_path):
    from mapservice.errors import RoadNetworkError

    props = {"id": "x", "ref": "R-1", "name": "R", "kind": "route", "speed_kmh": 80}
    props.update(bridge=False, bridge_name=None, length_factor=-1)
    doc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": props,
                "geometry": {"type": "LineString", "coordinates": [[-71, 48], [-71, 48.1]]},
            }
        ],
    }
    path = tmp_path / "roads.geojson"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(RoadNetworkError, match="length_factor"):
        RoadGraph.from_geojson(path)
