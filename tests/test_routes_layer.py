"""The ``routes`` export layer: the synergies along their road route, beside the straight
``synergies`` layer, with the same scope and no route to an end the export does not show.

Over the live demo (synergies matched by the region's road graph), through the real
downloads, the CLI, GDAL (pyogrio) and the OGC API.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import geopandas
import pytest

from mapservice.config import PROJECT_ROOT
from mapservice.domain.model import SynergyStatus
from mapservice.exports.fields import LAYERS
from mapservice.routing import RoadGraph, geodesic_m
from tests.support.accounts import sign_in
from tests.support.road_lengths import counted_m

DETOUR = 1.3  # access legs count their straight length × this (routing.graph)
#: Enough synergies to cover every case, few enough to stay quick.
QUERY = "status=realised"


@pytest.fixture
def staff(live_demo_app: Any) -> Any:
    return sign_in(live_demo_app.test_client(), "personnel")


def length_m(points: list[Any]) -> float:
    return sum(geodesic_m(tuple(a), tuple(b)) for a, b in zip(points, points[1:], strict=False))


def by_id(doc: dict[str, Any]) -> dict[Any, dict[str, Any]]:
    return {f["id"]: f for f in doc["features"]}


def test_routes_are_the_synergies_along_the_road_that_gives_their_distance(staff):
    road_graph = RoadGraph.from_geojson(PROJECT_ROOT / "data" / "roads.geojson")
    straight = by_id(staff.get(f"/export/synergies.geojson?{QUERY}").get_json())
    routes = by_id(staff.get(f"/export/routes.geojson?{QUERY}").get_json())
    assert len(routes) > 20 and set(routes) == set(straight)
    routed = 0
    for fid, feature in routes.items():
        props, geometry = feature["properties"], feature["geometry"]
        assert list(props) == LAYERS["routes"].field_names(_staff_scope())
        assert props["synergy_id"] == fid and props["status"] == "realised"
        line = straight[fid]
        assert line["geometry"]["type"] == "LineString"  # the synergies layer keeps it
        assert geometry["type"] == "MultiLineString"
        ends = line["geometry"]["coordinates"]
        if ends[0] == ends[-1]:  # two flows of one place: nothing to draw
            assert props["by_road"] is False and props["distance_m"] == 0
            continue
        assert props["by_road"] is True
        routed += 1
        parts = geometry["coordinates"]
        assert parts[0][0] == line["geometry"]["coordinates"][0]
        assert parts[-1][-1] == line["geometry"]["coordinates"][-1]
        assert props["distance_m"] == pytest.approx(line["properties"]["road_km"] * 1000, abs=1)
        assert props["duration_s"] == pytest.approx(line["properties"]["duration_min"] * 60, abs=6)
        legs = parts if len(parts) == 1 else [parts[0], parts[-1]]
        assert props["access_m"] == pytest.approx(DETOUR * sum(map(length_m, legs)), abs=1.0)
        # Winding stretches are drawn on their waypoints and count longer (length_factor).
        drawn = sum(counted_m(road_graph, p) for p in parts[1:-1]) + props["access_m"]
        assert drawn == pytest.approx(props["distance_m"], rel=0.002, abs=5.0)
    assert routed > 20


def _staff_scope() -> Any:
    from mapservice.domain.access import STAFF

    return STAFF


def test_an_anonymised_export_draws_no_route_to_a_hidden_member(staff, live_demo_app):
    svc = live_demo_app.extensions["mapservice"]
    consented = {s.id for s in svc.repo.sites() if s.public_consent}
    flows = {f.id: f.site_id for f in svc.repo.flows()}
    synergies = {s.id: s for s in svc.repo.synergies()}
    straight = by_id(staff.get(f"/export/synergies.geojson?{QUERY}&anonyme=1").get_json())
    routes = by_id(staff.get(f"/export/routes.geojson?{QUERY}&anonyme=1").get_json())
    assert set(routes) == set(straight)
    seen = {True: 0, False: 0}
    for fid, feature in routes.items():
        s = synergies[fid]
        shown = {flows[s.output_flow_id], flows[s.input_flow_id]} <= consented
        ends = straight[fid]["geometry"]["coordinates"]
        shown = shown and ends[0] != ends[-1]
        props = feature["properties"]
        assert props["by_road"] is shown
        seen[shown] += 1
        if not shown:  # the straight segment between the places the map shows, nothing more
            assert props["access_m"] is None
            assert feature["geometry"] == {
                "type": "MultiLineString",
                "coordinates": [straight[fid]["geometry"]["coordinates"]],
            }
    assert seen[True] and seen[False]


def test_cli_writes_the_routes_layer_that_gdal_and_geopandas_read(live_demo_app, tmp_path):
    from click.testing import CliRunner

    from mapservice.cli.main import main

    svc = live_demo_app.extensions["mapservice"]
    env = {
        "MAPSERVICE_DATABASE_URL": svc.settings["DATABASE_URL"],
        "MAPSERVICE_INSTANCE_PATH": str(tmp_path / "i"),
    }
    runner = CliRunner()
    for name in ("routes.gpkg", "routes.csv"):
        result = runner.invoke(
            main, ["export", "routes", "--out", str(tmp_path / name), "--filter", QUERY], env=env
        )
        assert result.exit_code == 0, result.output
    frame = geopandas.read_file(tmp_path / "routes.gpkg", layer="routes")
    assert frame.crs.to_epsg() == 4326 and len(frame) > 20
    assert set(frame.geom_type) == {"MultiLineString"}
    assert list(frame.columns[:-1]) == LAYERS["routes"].field_names(_staff_scope())
    routed = frame[frame["by_road"]]
    assert len(routed) >= len(frame) - 2 and (routed["distance_m"] >= routed["access_m"]).all()
    rows = list(csv.DictReader(io.StringIO((tmp_path / "routes.csv").read_text("utf-8-sig"))))
    assert len(rows) == len(frame)
    assert all(r["wkt"].startswith("MULTILINESTRING") and r["to_lon"] for r in rows)


def test_the_ogc_api_serves_the_routes_collection(staff):
    base = "/ogcapi/collections"
    doc = staff.get(f"{base}/routes/items?{QUERY}&limit=500").get_json()
    lines = staff.get(f"{base}/synergies/items?{QUERY}&limit=500").get_json()
    assert doc["numberMatched"] == lines["numberMatched"] > 20
    assert {f["geometry"]["type"] for f in doc["features"]} == {"MultiLineString"}
    schema = staff.get(f"{base}/routes/schema").get_json()
    assert set(schema["properties"]) >= {"synergy_id", "by_road", "distance_m", "access_m"}
    one = doc["features"][0]
    item = staff.get(f"{base}/routes/items/{one['id']}").get_json()
    assert item["geometry"] == one["geometry"]
    # The API's own document allows the geometry it serves (a client validating it accepts it).
    api = staff.get("/ogcapi/api").get_json()
    allowed = api["components"]["schemas"]["Feature"]["properties"]["geometry"]
    assert "MultiLineString" in allowed["properties"]["type"]["enum"]


def test_a_park_scope_reads_the_same_synergies_in_both_layers(live_demo_app):
    from collections import Counter

    from mapservice.domain.access import Scope
    from mapservice.exports.jobs import LayerQuery, layer_features

    svc = live_demo_app.extensions["mapservice"]
    park = Counter(s.park_id for s in svc.repo.sites() if s.park_id).most_common(1)[0][0]
    scope = Scope(parks=frozenset({park}), confidential=False, names=True)
    query = LayerQuery(status=SynergyStatus.REALISED)
    lines = {f["id"] for f in layer_features(svc, "synergies", query, scope)}
    routes = list(layer_features(svc, "routes", query, scope))
    everyone = {f["id"] for f in layer_features(svc, "routes", query, _staff_scope())}
    assert {f["id"] for f in routes} == lines and 0 < len(lines) < len(everyone)
    assert all(list(f["properties"]) == LAYERS["routes"].field_names(scope) for f in routes)
