"""``data/basemap.geojson``, the regional base layer of offline maps, against the region.

The file is built by ``scripts/build_basemap.py`` from GSHHG, Natural Earth, the gazetteer and
the road network (see data/README.md); these tests check its shape and its geography: the lake
where Lac Saint-Jean is, the Saguenay from Alma past Chicoutimi to Tadoussac, every municipality.
"""

from __future__ import annotations

import csv
import json
from decimal import Decimal

import pytest
import shapely
from pyproj import Transformer
from shapely.geometry import Point, shape

from mapservice.config import PROJECT_ROOT

DATA = PROJECT_ROOT / "data"
BASEMAP = DATA / "basemap.geojson"
LAYERS = {"water", "river", "municipality", "road"}
GEOMETRY_TYPES = {
    "water": {"Polygon", "MultiPolygon"},
    "river": {"LineString", "MultiLineString"},
    "municipality": {"Point"},
    "road": {"LineString", "MultiLineString"},
}
MAX_BYTES = 400 * 1024
#: (min_lon, min_lat, max_lon, max_lat): the region box the layer is clipped to, with slack.
REGION = (-73.6, 47.7, -69.6, 50.0)
_TO_LAMBERT = Transformer.from_crs("EPSG:4326", "EPSG:32198", always_xy=True).transform


def _metres(geom):
    return shapely.transform(geom, _TO_LAMBERT, interleaved=False)


def _distance_km(geom, lon: float, lat: float) -> float:
    return _metres(geom).distance(_metres(Point(lon, lat))) / 1000


@pytest.fixture(scope="module")
def collection() -> dict:
    return json.loads(BASEMAP.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def features(collection) -> list[dict]:
    return collection["features"]


def _named(features: list[dict], layer: str, name: str) -> list:
    found = [
        shape(f["geometry"])
        for f in features
        if f["properties"]["layer"] == layer and f["properties"]["name"] == name
    ]
    assert found, f"no {layer} feature named {name!r}"
    return found


@pytest.fixture(scope="module")
def lake(features):
    (polygon,) = _named(features, "water", "Lac Saint-Jean")
    return polygon


@pytest.fixture(scope="module")
def gazetteer() -> dict[str, dict[str, str]]:
    with (DATA / "municipalities.csv").open(encoding="utf-8", newline="") as fh:
        return {row["name"]: row for row in csv.DictReader(fh)}


def test_size_under_budget():
    assert BASEMAP.stat().st_size < MAX_BYTES


def test_rfc7946_feature_collection(collection):
    assert collection["type"] == "FeatureCollection"
    assert "crs" not in collection
    assert set(collection) == {"type", "features"}
    ids = [f["id"] for f in collection["features"]]
    assert len(ids) == len(set(ids))
    for feature in collection["features"]:
        assert feature["type"] == "Feature"
        assert "crs" not in feature
        props = feature["properties"]
        assert props["layer"] in LAYERS, props
        assert props["name"] and props["source"], props
        assert feature["geometry"]["type"] in GEOMETRY_TYPES[props["layer"]], feature["id"]
        min_lon, min_lat, max_lon, max_lat = shape(feature["geometry"]).bounds
        assert REGION[0] <= min_lon and max_lon <= REGION[2], feature["id"]
        assert REGION[1] <= min_lat and max_lat <= REGION[3], feature["id"]


def test_every_layer_present(features):
    assert {f["properties"]["layer"] for f in features} == LAYERS


def test_coordinates_have_at_most_five_decimals():
    numbers = []

    def walk(value):
        if isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, Decimal):
            numbers.append(value)

    data = json.loads(BASEMAP.read_text(encoding="utf-8"), parse_float=Decimal)
    for feature in data["features"]:
        walk(feature["geometry"]["coordinates"])
    assert numbers
    too_long = [n for n in numbers if n.as_tuple().exponent < -5]
    assert not too_long, too_long[:5]


def test_polygons_valid_and_counter_clockwise(features):
    for feature in features:
        geom = shape(feature["geometry"])
        if geom.geom_type not in ("Polygon", "MultiPolygon"):
            continue
        assert geom.is_valid, feature["id"]
        for polygon in getattr(geom, "geoms", [geom]):
            assert polygon.exterior.is_ccw, feature["id"]
            assert all(not ring.is_ccw for ring in polygon.interiors), feature["id"]


def test_lac_saint_jean_where_it_is(lake, gazetteer):
    assert lake.is_valid
    assert lake.contains(Point(-72.05, 48.60))  # middle of the lake
    area_km2 = _metres(lake).area / 1e6
    assert 1000 < area_km2 < 1110, area_km2  # published 1,053 km²
    for town in ("Alma", "Roberval", "Chambord", "Desbiens", "Péribonka", "Mashteuiatsh"):
        row = gazetteer[town]
        point = Point(float(row["lon"]), float(row["lat"]))
        assert not lake.contains(point), town
        assert _distance_km(lake, point.x, point.y) < 8, town  # lakeside towns


def test_saguenay_from_alma_past_chicoutimi_to_tadoussac(features):
    parts = _named(features, "water", "Rivière Saguenay") + _named(
        features, "river", "Rivière Saguenay"
    )
    nearest = {
        place: min(_distance_km(g, lon, lat) for g in parts)
        for place, (lon, lat) in {
            "Chicoutimi waterfront": (-71.06, 48.43),
            "Alma": (-71.6533, 48.5497),
            "La Baie (baie des Ha! Ha!)": (-70.8833, 48.3333),
            "Tadoussac (mouth)": (-69.72, 48.14),
        }.items()
    }
    assert nearest["Chicoutimi waterfront"] < 2, nearest
    assert nearest["Alma"] < 10, nearest
    assert nearest["La Baie (baie des Ha! Ha!)"] < 2, nearest
    assert nearest["Tadoussac (mouth)"] < 3, nearest


@pytest.mark.parametrize(
    ("name", "town"),
    [
        ("Rivière Péribonka", "Péribonka"),
        ("Rivière Mistassini", "Dolbeau-Mistassini"),
        ("Rivière Ashuapmushuan", "Saint-Félicien"),
    ],
)
def test_rivers_pass_their_towns(features, gazetteer, name, town):
    (line,) = _named(features, "river", name)
    row = gazetteer[town]
    assert _distance_km(line, float(row["lon"]), float(row["lat"])) < 3


def test_every_municipality_by_exact_name(features, gazetteer):
    points = {
        f["properties"]["name"]: f for f in features if f["properties"]["layer"] == "municipality"
    }
    expected = {n for n, row in gazetteer.items() if row["kind"] in ("municipality", "reserve")}
    assert len(expected) == 50
    assert expected <= set(points), sorted(expected - set(points))
    for name in ("Saguenay", "Alma", "Saint-Félicien", "Métabetchouan–Lac-à-la-Croix"):
        assert name in points
    row, props = gazetteer["Alma"], points["Alma"]["properties"]
    assert points["Alma"]["geometry"]["coordinates"] == [float(row["lon"]), float(row["lat"])]
    assert props["kind"] == "municipality" and props["population"] == int(row["population"])


def test_roads_are_main_roads_only(features):
    roads = [f["properties"] for f in features if f["properties"]["layer"] == "road"]
    assert {r["ref"] for r in roads} >= {"A-70", "R-169", "R-170", "R-175"}
    assert all(r["ref"] and r["kind"] in ("autoroute", "route", "bridge") for r in roads)


def test_no_parks(features):
    assert not any("parc" in f["properties"]["name"].lower() for f in features)
