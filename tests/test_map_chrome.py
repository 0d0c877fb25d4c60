"""What every map carries besides its data: a metric-only scale, and the offline regional base
under the maps that do not draw through ``MapService.draw`` (a site to place)."""

from __future__ import annotations

from mapservice.domain.reference import load_reference
from mapservice.views import folium_maps as maps
from tests.support.settings import DATA_DIR

METRIC = "L.control.scale({metric: true, imperial: false})"
OFFLINE = {"basemap_url": "/fond.geojson", "script_url": "/map.js", "labels": {"x": "y"}}


def _html(fmap) -> str:
    parts = maps.page_parts(fmap)
    return parts["header"] + parts["body"] + parts["script"]


def test_every_map_has_a_metric_scale_and_no_miles():
    parks = list(load_reference(DATA_DIR).parks)
    park = next(p for p in parks if p.outline)
    built = [
        maps.view_map({"sites": {"type": "FeatureCollection", "features": []}}),
        maps.outline_map(park=park, parks=parks)[0],
        maps.position_map(lon=-71.65, lat=48.55, parks=parks, label="Site")[0],
    ]
    for fmap in built:
        html = _html(fmap)
        assert html.count(METRIC) == 1
        assert "L.control.scale()" not in html


def test_the_position_map_falls_back_to_the_regional_base():
    parks = list(load_reference(DATA_DIR).parks)
    fmap, map_name, _marker = maps.position_map(
        lon=-71.65, lat=48.55, parks=parks, label="Site", offline=OFFLINE
    )
    html = _html(fmap)
    assert f"MapService.offline({{map: {map_name}, tiles: tile_layer_" in html
    assert "offlineMaxZoom: 11}" in html
    assert '<script src="/map.js"></script>' in html
    assert "MapService.offline" not in _html(
        maps.position_map(lon=-71.65, lat=48.55, parks=parks, label="Site")[0]
    )
