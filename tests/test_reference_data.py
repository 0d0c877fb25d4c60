"""Checks on the regional reference data in ``data/`` (gazetteer, FSAs, postal codes, parks)."""

from __future__ import annotations

import csv
import importlib.util
import json
import math
import re
from collections import Counter
from functools import cache
from itertools import combinations
from pathlib import Path

import pytest
from pyproj import Geod
from shapely.geometry import Point, shape

from mapservice.domain.text import fold

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"

# lon_min, lat_min, lon_max, lat_max
REGION_BBOX = (-73.5, 47.5, -69.5, 49.6)
MUNICIPALITY_COLUMNS = [
    "id", "name", "kind", "parent_id", "mrc", "mamh_code", "lat", "lon", "coord_source",
    "coord_status", "population", "population_source", "fsa", "variants",
]  # fmt: skip
PARK_COLUMNS = [
    "id", "name", "kind", "municipality_id", "sector", "lat", "lon", "coord_status",
    "coord_note", "area_ha", "outline_area_ha", "outline_status", "outline_note", "outline_lonlat",
    "status", "manager", "streets", "facts",
    "sources",
]  # fmt: skip
MRC_COUNTS = {
    "Lac-Saint-Jean-Est": 14,
    "Le Domaine-du-Roy": 9,
    "Maria-Chapdelaine": 12,
    "Le Fjord-du-Saguenay": 13,
    "Saguenay": 1,
}
RURAL_FSAS = {"G0V", "G0W"}
URBAN_FSAS = {
    "G7B", "G7G", "G7H", "G7J", "G7K", "G7N", "G7P", "G7S", "G7T", "G7X", "G7Y", "G7Z",
    "G8A", "G8B", "G8C", "G8E", "G8G", "G8H", "G8J", "G8K", "G8L", "G8M", "G8N",
}  # fmt: skip
POSTAL_CODE_RE = re.compile(r"^[A-Z]\d[A-Z] \d[A-Z]\d$")
SLUG_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
MAX_CODE_DISTANCE_KM = 60.0


@cache
def read_csv(name: str) -> tuple[list[str], list[dict[str, str]]]:
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
        return list(reader.fieldnames or []), rows


def municipalities() -> list[dict[str, str]]:
    return read_csv("municipalities.csv")[1]


def gazetteer() -> dict[str, dict[str, str]]:
    return {row["id"]: row for row in municipalities()}


@cache
def parks_geojson() -> dict:
    return json.loads((DATA / "parks.geojson").read_text(encoding="utf-8"))


def in_region(lon: float, lat: float) -> bool:
    lon_min, lat_min, lon_max, lat_max = REGION_BBOX
    return lon_min <= lon <= lon_max and lat_min <= lat <= lat_max


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))


# --- municipalities.csv -------------------------------------------------------------------


def test_municipalities_columns():
    assert read_csv("municipalities.csv")[0] == MUNICIPALITY_COLUMNS


def test_49_municipalities_and_mashteuiatsh_by_mrc():
    rows = municipalities()
    counts = Counter(r["mrc"] for r in rows if r["kind"] == "municipality")
    assert counts == MRC_COUNTS
    assert sum(counts.values()) == 49
    reserves = [r for r in rows if r["kind"] == "reserve"]
    assert [r["id"] for r in reserves] == ["mashteuiatsh"]
    assert reserves[0]["mrc"] == "Le Domaine-du-Roy"


def test_official_names_keep_accents_and_dashes():
    names = {r["name"] for r in municipalities()}
    for name in (
        "Métabetchouan–Lac-à-la-Croix",
        "Saint-Félix-d'Otis",
        "L'Ascension-de-Notre-Seigneur",
        "Rivière-Éternité",
        "Jonquière",
        "Saint-Cœur-de-Marie",
    ):
        assert name in names


def test_boroughs_and_sectors():
    rows = gazetteer()
    boroughs = {i for i, r in rows.items() if r["kind"] == "borough"}
    assert boroughs == {"saguenay-chicoutimi", "saguenay-jonquiere", "saguenay-la-baie"}
    assert all(rows[b]["parent_id"] == "saguenay" for b in boroughs)
    sector_names = {fold(r["name"]) for r in rows.values() if r["kind"] == "sector"}
    for name in (
        "Arvida", "Kénogami", "Laterrière", "Shipshaw", "Canton-Tremblay", "Lac-Kénogami",
        "Chicoutimi-Nord", "Grande-Baie", "Bagotville", "Port-Alfred", "Dolbeau", "Mistassini",
    ):  # fmt: skip
        assert fold(name) in sector_names, name
    for row in rows.values():
        if row["kind"] == "sector":
            assert rows[row["parent_id"]]["kind"] in {"borough", "municipality"}
            assert row["mrc"] == rows[row["parent_id"]]["mrc"]
        elif row["kind"] != "borough":
            assert row["parent_id"] == ""


def test_municipality_ids_unique_and_slugs():
    ids = [r["id"] for r in municipalities()]
    assert len(ids) == len(set(ids))
    assert all(SLUG_RE.match(i) for i in ids), [i for i in ids if not SLUG_RE.match(i)]


def test_names_and_variants_fold_to_one_row():
    owner: dict[str, str] = {}
    clashes = []
    for row in municipalities():
        names = [row["name"], *(v for v in row["variants"].split("|") if v)]
        for name in names:
            key = fold(name)
            assert key, f"{row['id']}: empty name or variant"
            if owner.setdefault(key, row["id"]) != row["id"]:
                clashes.append((name, owner[key], row["id"]))
    assert not clashes


def test_municipality_coordinates_in_region():
    for row in municipalities():
        assert in_region(float(row["lon"]), float(row["lat"])), row["id"]
        assert row["coord_status"] in {"FOUND", "DERIVED", "ESTIMATE"}, row["id"]
        assert row["coord_source"], row["id"]


def test_municipality_fsas_are_known():
    known = {r["fsa"] for r in read_csv("fsa.csv")[1]}
    for row in municipalities():
        assert set(row["fsa"].split()) <= known, row["id"]


def test_populations_have_a_source():
    for row in municipalities():
        if row["population"]:
            assert int(row["population"]) > 0
            assert row["population_source"], row["id"]


# --- fsa.csv ----------------------------------------------------------------------------


def test_fsa_rows_and_urban_flags():
    columns, rows = read_csv("fsa.csv")
    assert columns == ["fsa", "label", "lat", "lon", "urban", "n_postal_codes", "source"]
    flags = {r["fsa"]: r["urban"] for r in rows}
    assert len(flags) == len(rows)
    assert set(flags) == URBAN_FSAS | RURAL_FSAS
    assert all(flags[f] == "false" for f in RURAL_FSAS)
    assert all(flags[f] == "true" for f in URBAN_FSAS)
    for row in rows:
        assert in_region(float(row["lon"]), float(row["lat"])), row["fsa"]
        assert row["source"], row["fsa"]


def test_fsa_counts_match_postal_codes():
    counts = Counter(r["fsa"] for r in read_csv("postal_codes.csv")[1])
    for row in read_csv("fsa.csv")[1]:
        assert int(row["n_postal_codes"]) == counts[row["fsa"]], row["fsa"]


# --- postal_codes.csv ---------------------------------------------------------------------


def test_postal_codes_shape():
    columns, rows = read_csv("postal_codes.csv")
    assert columns == [
        "postal_code",
        "lat",
        "lon",
        "place_name",
        "municipality_id",
        "fsa",
        "precision",
        "note",
        "source_lat",
        "source_lon",
    ]
    assert len(rows) > 11_000
    codes = [r["postal_code"] for r in rows]
    assert len(codes) == len(set(codes))
    assert codes == sorted(codes)
    bad = [c for c in codes if not POSTAL_CODE_RE.match(c)]
    assert not bad
    fsas = {r["fsa"] for r in read_csv("fsa.csv")[1]}
    for row in rows:
        assert row["fsa"] == row["postal_code"][:3]
        assert row["fsa"] in fsas


def test_postal_codes_map_to_gazetteer_and_lie_near_it():
    places = gazetteer()
    far = []
    for row in read_csv("postal_codes.csv")[1]:
        muni = places.get(row["municipality_id"])
        assert muni is not None, row
        lat, lon = float(row["lat"]), float(row["lon"])
        assert in_region(lon, lat), row["postal_code"]
        distance = haversine_km(lat, lon, float(muni["lat"]), float(muni["lon"]))
        if distance > MAX_CODE_DISTANCE_KM:
            far.append((row["postal_code"], row["municipality_id"], round(distance)))
    assert not far


def test_postal_codes_exclude_places_outside_region():
    names = {r["place_name"] for r in read_csv("postal_codes.csv")[1]}
    assert not names & {"Chapais", "Mistissini", "Obedjiwan", "Ouje-Bougoumou"}


# --- parks.csv and parks.geojson ----------------------------------------------------------


def park_rows() -> list[dict[str, str]]:
    return read_csv("parks.csv")[1]


def test_parks_csv_columns_and_values():
    columns, rows = read_csv("parks.csv")
    assert columns == PARK_COLUMNS
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids))
    places = gazetteer()
    for row in rows:
        assert SLUG_RE.match(row["id"]), row["id"]
        assert row["municipality_id"] in places, row["id"]
        assert row["coord_status"] in {"FOUND", "DERIVED", "ESTIMATE", "TOWN", "PLACEHOLDER"}
        assert row["status"] in {"active", "full", "planned", "expansion", "unserviced"}
        assert float(row["outline_area_ha"]) > 0
        assert in_region(float(row["lon"]), float(row["lat"])), row["id"]
        if row["coord_status"] != "FOUND":
            assert row["coord_note"], row["id"]


def test_geojson_is_rfc7946_collection_of_every_park():
    collection = parks_geojson()
    assert collection["type"] == "FeatureCollection"
    assert "crs" not in collection
    ids = [f["id"] for f in collection["features"]]
    assert ids == [r["id"] for r in park_rows()]


def test_park_polygons_valid_ccw_and_contain_centre():
    places = gazetteer()
    rows = {r["id"]: r for r in park_rows()}
    for feature in parks_geojson()["features"]:
        props = feature["properties"]
        assert feature["geometry"]["type"] == "Polygon"
        assert "crs" not in feature
        polygon = shape(feature["geometry"])
        assert polygon.is_valid, feature["id"]
        assert polygon.exterior.is_ccw, feature["id"]
        assert props["outline_status"] == rows[feature["id"]]["outline_status"]
        assert props["municipality_id"] in places
        assert "lat" not in props and "lon" not in props
        row = rows[feature["id"]]
        centre = Point(props["centre_lon"], props["centre_lat"])
        assert centre.equals_exact(Point(float(row["lon"]), float(row["lat"])), 1e-6)
        assert polygon.contains(centre), feature["id"]
        for lon, lat in feature["geometry"]["coordinates"][0]:
            assert in_region(lon, lat)
            assert round(lon, 6) == lon and round(lat, 6) == lat


def test_every_outline_says_what_it_is_worth():
    """A stand-in point carries a town outline; every outline but a surveyed one says why."""
    for row in park_rows():
        assert row["outline_status"] in ("surveyed", "traced", "estimated", "town"), row["id"]
        if row["coord_status"] in ("TOWN", "PLACEHOLDER"):
            assert row["outline_status"] == "town", row["id"]
        if row["outline_status"] != "surveyed":
            assert row["outline_note"].strip(), row["id"]
        assert bool(row["outline_lonlat"]) == (row["outline_status"] in ("surveyed", "traced"))


def test_no_claiming_outline_holds_a_town_centre():
    """An outline that may claim sites by geometry never covers a municipality's own point
    (Saint-Félicien's town hall was « in » the rue Verreault park)."""
    claiming = [
        shape(f["geometry"])
        for f in parks_geojson()["features"]
        if f["properties"]["outline_status"] != "town"
    ]
    for muni in gazetteer().values():
        point = Point(float(muni["lon"]), float(muni["lat"]))
        assert not any(o.contains(point) for o in claiming), muni["id"]
    town_hall = Point(-72.4505, 48.6505)  # Saint-Félicien's hôtel de ville
    assert not any(o.contains(town_hall) for o in claiming)


def test_park_outline_areas_match_csv():
    geod = Geod(ellps="WGS84")
    for feature in parks_geojson()["features"]:
        area_ha = abs(geod.geometry_area_perimeter(shape(feature["geometry"]))[0]) / 10_000
        expected = feature["properties"]["outline_area_ha"]
        assert area_ha == pytest.approx(expected, rel=0.05), feature["id"]


def test_park_outlines_do_not_overlap():
    shapes = {f["id"]: shape(f["geometry"]) for f in parks_geojson()["features"]}
    overlaps = [(a, b) for (a, pa), (b, pb) in combinations(shapes.items(), 2) if pa.intersects(pb)]
    assert not overlaps


def test_parks_geojson_is_up_to_date():
    spec = importlib.util.spec_from_file_location(
        "build_parks", ROOT / "scripts" / "build_parks.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    features = module.build_features(park_rows(), gazetteer())
    rebuilt = [{**f, "geometry": module.geometry_json(f["geometry"])} for f in features]
    assert rebuilt == parks_geojson()["features"], "run: python scripts/build_parks.py"


def _build_parks_module():
    spec = importlib.util.spec_from_file_location(
        "build_parks", ROOT / "scripts" / "build_parks.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


#: A quadrilateral of about 41 ha around Jonquière's park point, clockwise on purpose.
_TRACED = "-71.226 48.404|-71.226 48.410|-71.218 48.410|-71.218 48.404"


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({}, None),
        ({"outline_area_ha": "80"}, "but the outline has"),
        ({"outline_lonlat": "-71.226 48.404|-71.218 48.410"}, "at least 3 points"),
        (
            {"outline_lonlat": "-71.226 48.404|-71.218 48.410|-71.226 48.410|-71.218 48.404"},
            "not a valid polygon",
        ),
        ({"outline_status": "estimated"}, "outline_lonlat is given for surveyed or traced"),
        ({"coord_status": "TOWN"}, "can only have a town outline"),
        ({"outline_note": ""}, "needs an outline_note"),
        ({"outline_status": "approximate", "outline_lonlat": ""}, "unknown outline_status"),
    ],
)
def test_build_parks_draws_a_traced_outline_and_refuses_a_wrong_one(changes, problem):
    module = _build_parks_module()
    rows = [dict(r) for r in park_rows()]
    row = next(r for r in rows if r["id"] == "jonquiere")
    row.update(
        outline_status="traced",
        outline_note="tracé pour le test",
        outline_lonlat=_TRACED,
        outline_area_ha="39",
    )
    row.update(changes)
    if problem is None:
        features = module.build_features(rows, gazetteer())
        (feature,) = [f for f in features if f["id"] == "jonquiere"]
        polygon = shape(module.geometry_json(feature["geometry"]))
        assert polygon.exterior.is_ccw and len(polygon.exterior.coords) == 5
        assert feature["properties"]["outline_status"] == "traced"
        assert "outline_lonlat" not in feature["properties"]
    else:
        with pytest.raises(module.ParkError, match=problem):
            module.build_features(rows, gazetteer())
