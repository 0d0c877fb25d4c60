"""Build ``data/parks.geojson`` from ``data/parks.csv``.

``parks.csv`` is the file people edit: one row per industrial park or zone of
Saguenay–Lac-Saint-Jean, with a centre point and how sure we are of it (``coord_status``),
and what its outline is worth (``outline_status``, ``outline_note``):

- ``surveyed`` / ``traced``: the outline is given in ``outline_lonlat`` (``lon lat`` pairs
  joined by ``|``, a closed or open ring); ``outline_area_ha`` must be its area within 2 %;
- ``estimated`` (placed from clues) and ``town`` (a town, borough or sector point or another
  placeholder stands in): a regular octagon of ``outline_area_ha`` around the centre (in
  EPSG:32198, NAD83 / Québec Lambert, then back to WGS84). A ``TOWN`` or ``PLACEHOLDER`` point
  can only carry a ``town`` outline. A ``town`` outline claims no site by geometry (see
  ``mapservice/domain/outlines.py``).

The output is an RFC 7946 FeatureCollection: lon/lat, 6 decimals, no ``crs`` member, exterior
rings counter-clockwise, feature ``id`` = park id. The script stops if a row is invalid, a park
lies outside the region, refers to an unknown municipality or sector, or if two outlines
overlap.

Usage::

    python scripts/build_parks.py [--csv data/parks.csv] [--out data/parks.geojson]
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
from itertools import combinations
from pathlib import Path
from typing import Any

from pyproj import Transformer
from shapely.geometry import Point, Polygon, mapping, shape

DATA_DIR = Path(__file__).resolve().parents[1] / "data"

COLUMNS = (
    "id", "name", "kind", "municipality_id", "sector", "lat", "lon", "coord_status",
    "coord_note", "area_ha", "outline_area_ha", "outline_status", "outline_note",
    "outline_lonlat", "status", "manager", "streets", "facts", "sources",
)  # fmt: skip
KINDS = {
    "parc_industriel",
    "zone_industrialo_portuaire",
    "parc_technologique",
    "parc_aeroportuaire",
    "zone_agroalimentaire",
    "ecoparc",
    "terrains_industriels",
}
COORD_STATUSES = {"FOUND", "DERIVED", "ESTIMATE", "TOWN", "PLACEHOLDER"}
#: Outline statuses (as in ``mapservice.domain.outlines``); the first two are drawn by hand.
OUTLINE_STATUSES = ("surveyed", "traced", "estimated", "town")
DRAWN = ("surveyed", "traced")
#: Points that say nothing of where the park is: their outline can only be a town stand-in.
STAND_IN_POINTS = {"TOWN", "PLACEHOLDER"}
#: How far a drawn outline's area may stray from ``outline_area_ha``.
AREA_TOLERANCE = 0.02
STATUSES = {"active", "full", "planned", "expansion", "unserviced"}
NUMERIC = ("area_ha", "outline_area_ha")
#: (min_lon, min_lat, max_lon, max_lat) of the region.
REGION_BBOX = (-73.5, 47.5, -69.5, 49.6)
PROJECTED_CRS = "EPSG:32198"
SIDES = 8
DECIMALS = 6

_TO_LAMBERT = Transformer.from_crs("EPSG:4326", PROJECTED_CRS, always_xy=True)
_TO_WGS84 = Transformer.from_crs(PROJECTED_CRS, "EPSG:4326", always_xy=True)


class ParkError(ValueError):
    """A row of ``parks.csv`` cannot be turned into a feature."""


def read_csv(path: Path) -> list[dict[str, str]]:
    """Read a UTF-8 CSV file into a list of dicts."""
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def octagon(lon: float, lat: float, area_ha: float) -> tuple[Polygon, Polygon]:
    """Return a regular octagon of ``area_ha`` centred on a point.

    Parameters
    ----------
    lon, lat : float
        Centre in WGS84 degrees.
    area_ha : float
        Area of the octagon in hectares, measured in EPSG:32198.

    Returns
    -------
    wgs84 : Polygon
        The octagon in lon/lat, counter-clockwise, rounded to :data:`DECIMALS`.
    lambert : Polygon
        The same octagon in EPSG:32198 metres (for overlap checks).
    """
    # A regular n-gon of circumradius r has area n/2 * r^2 * sin(2*pi/n).
    radius = math.sqrt(area_ha * 10_000 / (SIDES / 2 * math.sin(2 * math.pi / SIDES)))
    cx, cy = _TO_LAMBERT.transform(lon, lat)
    # Start half a step off the x axis so that the sides face north, south, east and west;
    # increasing angles walk the ring counter-clockwise.
    angles = [math.pi / SIDES + 2 * math.pi * k / SIDES for k in range(SIDES)]
    xy = [(cx + radius * math.cos(a), cy + radius * math.sin(a)) for a in angles]
    lambert = Polygon(xy)
    lonlat = [_TO_WGS84.transform(x, y) for x, y in xy]
    ring = [(round(x, DECIMALS), round(y, DECIMALS)) for x, y in lonlat]
    return Polygon(ring), lambert


def drawn_outline(text: str, park_id: str) -> tuple[Polygon, Polygon]:
    """Return the outline written in ``outline_lonlat`` in lon/lat (counter-clockwise) and
    in EPSG:32198 metres."""
    points = []
    for pair in filter(None, (p.strip() for p in text.split("|"))):
        try:
            lon, lat = (float(v) for v in pair.split())
        except ValueError:
            raise ParkError(f"{park_id}: outline_lonlat pair {pair!r} is not 'lon lat'") from None
        points.append((round(lon, DECIMALS), round(lat, DECIMALS)))
    if len(points) > 1 and points[0] == points[-1]:
        points.pop()
    if len(points) < 3:
        raise ParkError(f"{park_id}: outline_lonlat needs at least 3 points")
    polygon = Polygon(points)
    if not polygon.is_valid:
        raise ParkError(f"{park_id}: outline_lonlat is not a valid polygon")
    if not polygon.exterior.is_ccw:
        polygon = Polygon(points[::-1])
    lambert = Polygon([_TO_LAMBERT.transform(x, y) for x, y in polygon.exterior.coords])
    return polygon, lambert


def parse_number(value: str, column: str, park_id: str) -> float | None:
    """Parse an optional positive number from a CSV cell."""
    if value.strip() == "":
        return None
    try:
        number = float(value)
    except ValueError:
        raise ParkError(f"{park_id}: {column} is not a number: {value!r}") from None
    if number <= 0:
        raise ParkError(f"{park_id}: {column} must be positive")
    return number


def check_row(row: dict[str, str], municipalities: dict[str, dict[str, str]]) -> None:
    """Raise :class:`ParkError` if ``row`` breaks a rule of ``parks.csv``."""
    park_id = row["id"]
    if row["kind"] not in KINDS:
        raise ParkError(f"{park_id}: unknown kind {row['kind']!r}")
    if row["coord_status"] not in COORD_STATUSES:
        raise ParkError(f"{park_id}: unknown coord_status {row['coord_status']!r}")
    if row["status"] not in STATUSES:
        raise ParkError(f"{park_id}: unknown status {row['status']!r}")
    if row["municipality_id"] not in municipalities:
        raise ParkError(f"{park_id}: municipality_id {row['municipality_id']!r} not in gazetteer")
    if row["coord_status"] != "FOUND" and not row["coord_note"].strip():
        raise ParkError(f"{park_id}: a {row['coord_status']} point needs a coord_note")
    if row["sector"]:
        sectors = {
            m["name"]
            for m in municipalities.values()
            if m["kind"] == "sector" and m["parent_id"] == row["municipality_id"]
        }
        if row["sector"] not in sectors:
            raise ParkError(f"{park_id}: sector {row['sector']!r} not a sector of the gazetteer")
    lon, lat = float(row["lon"]), float(row["lat"])
    min_lon, min_lat, max_lon, max_lat = REGION_BBOX
    if not (min_lon <= lon <= max_lon and min_lat <= lat <= max_lat):
        raise ParkError(f"{park_id}: point {lat},{lon} outside the region")
    if parse_number(row["outline_area_ha"], "outline_area_ha", park_id) is None:
        raise ParkError(f"{park_id}: outline_area_ha is required")
    parse_number(row["area_ha"], "area_ha", park_id)
    status = row["outline_status"]
    if status not in OUTLINE_STATUSES:
        raise ParkError(f"{park_id}: unknown outline_status {status!r}")
    if status != "surveyed" and not row["outline_note"].strip():
        raise ParkError(f"{park_id}: a {status} outline needs an outline_note")
    if row["coord_status"] in STAND_IN_POINTS and status != "town":
        raise ParkError(f"{park_id}: a {row['coord_status']} point can only have a town outline")
    if (status in DRAWN) != bool(row["outline_lonlat"].strip()):
        raise ParkError(f"{park_id}: outline_lonlat is given for surveyed or traced outlines only")


def build_features(
    rows: list[dict[str, str]], municipalities: dict[str, dict[str, str]]
) -> list[dict[str, Any]]:
    """Turn the rows of ``parks.csv`` into GeoJSON features.

    Parameters
    ----------
    rows : list of dict
        Rows of ``parks.csv``.
    municipalities : dict
        Rows of ``municipalities.csv`` keyed by id.

    Returns
    -------
    list of dict
        One Polygon feature per park, in the order of the CSV.

    Raises
    ------
    ParkError
        If a row is invalid, an id repeats, an outline is invalid or two outlines overlap.
    """
    problems: list[str] = []
    seen: set[str] = set()
    features: list[dict[str, Any]] = []
    projected: dict[str, Polygon] = {}
    for row in rows:
        if set(row) != set(COLUMNS):
            raise ParkError(f"parks.csv columns must be {', '.join(COLUMNS)}")
        try:
            check_row(row, municipalities)
        except ParkError as exc:
            problems.append(str(exc))
            continue
        park_id = row["id"]
        if park_id in seen:
            problems.append(f"{park_id}: duplicate id")
            continue
        seen.add(park_id)
        lon, lat = float(row["lon"]), float(row["lat"])
        if row["outline_status"] in DRAWN:
            try:
                polygon, lambert = drawn_outline(row["outline_lonlat"], park_id)
            except ParkError as exc:
                problems.append(str(exc))
                continue
            wanted_ha = float(row["outline_area_ha"])
            if abs(lambert.area / 10_000 - wanted_ha) > AREA_TOLERANCE * wanted_ha:
                problems.append(
                    f"{park_id}: outline_area_ha {wanted_ha} but the outline has "
                    f"{lambert.area / 10_000:.1f} ha"
                )
                continue
        else:
            polygon, lambert = octagon(lon, lat, float(row["outline_area_ha"]))
        if not (polygon.is_valid and polygon.exterior.is_ccw and polygon.contains(Point(lon, lat))):
            problems.append(f"{park_id}: outline is invalid or does not hold the centre point")
            continue
        projected[park_id] = lambert
        properties: dict[str, Any] = {}
        for column in COLUMNS:
            if column in ("lat", "lon", "outline_lonlat"):
                continue
            value: Any = row[column]
            if column in NUMERIC:
                value = parse_number(value, column, park_id)
                if value is not None and value.is_integer():
                    value = int(value)
            properties[column] = value
        properties["centre_lon"] = round(lon, DECIMALS)
        properties["centre_lat"] = round(lat, DECIMALS)
        geometry = mapping(polygon)
        features.append(
            {"type": "Feature", "id": park_id, "geometry": geometry, "properties": properties}
        )
    for (a, pa), (b, pb) in combinations(projected.items(), 2):
        if pa.intersects(pb):
            problems.append(f"outlines of {a} and {b} overlap: move one or shrink outline_area_ha")
    if problems:
        raise ParkError("\n  ".join(["parks.csv has problems:", *problems]))
    return features


def geometry_json(geometry: dict[str, Any]) -> dict[str, Any]:
    """Return a GeoJSON geometry with plain lists (shapely's ``mapping`` gives tuples)."""
    return {
        "type": geometry["type"],
        "coordinates": [[list(point) for point in ring] for ring in geometry["coordinates"]],
    }


def write_geojson(features: list[dict[str, Any]], out: Path) -> None:
    """Write ``features`` as an RFC 7946 FeatureCollection (UTF-8, one feature per line)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    lines = []
    for feature in features:
        feature = {**feature, "geometry": geometry_json(feature["geometry"])}
        lines.append(json.dumps(feature, ensure_ascii=False, separators=(",", ":")))
    text = '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"
    out.write_text(text, encoding="utf-8")


def postal_codes_inside(features: list[dict[str, Any]], codes_csv: Path) -> dict[str, int]:
    """Count the postal codes of ``codes_csv`` inside the outlines, by outline status.

    A code inside an outline that may claim sites (not ``town``) makes every site placed on it
    a park site; the count says how much of the towns the outlines still swallow.
    """
    counts = dict.fromkeys(OUTLINE_STATUSES, 0)
    if not codes_csv.exists():
        return counts
    outlines = [(f["properties"]["outline_status"], shape(f["geometry"])) for f in features]
    for row in read_csv(codes_csv):
        point = Point(float(row["lon"]), float(row["lat"]))
        for status, outline in outlines:
            if outline.contains(point):
                counts[status] += 1
                break
    return counts


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the process exit status."""
    parser = argparse.ArgumentParser(
        description="Draw the park outlines of parks.csv into parks.geojson."
    )
    parser.add_argument("--csv", type=Path, default=DATA_DIR / "parks.csv", help="parks table")
    parser.add_argument(
        "--municipalities",
        type=Path,
        default=DATA_DIR / "municipalities.csv",
        help="gazetteer that municipality_id and sector refer to",
    )
    parser.add_argument(
        "--out", type=Path, default=DATA_DIR / "parks.geojson", help="output GeoJSON file"
    )
    args = parser.parse_args(argv)

    municipalities = {row["id"]: row for row in read_csv(args.municipalities)}
    try:
        features = build_features(read_csv(args.csv), municipalities)
    except ParkError as exc:
        print(f"build_parks: {exc}", file=sys.stderr)
        return 1
    write_geojson(features, args.out)
    statuses = [f["properties"]["outline_status"] for f in features]
    print(
        f"wrote {len(features)} park outlines to {args.out}: "
        + ", ".join(f"{statuses.count(s)} {s}" for s in OUTLINE_STATUSES)
    )
    inside = postal_codes_inside(features, args.csv.parent / "postal_codes.csv")
    claiming = sum(n for status, n in inside.items() if status != "town")
    print(
        f"postal codes inside outlines that may claim sites: {claiming} "
        f"({', '.join(f'{inside[s]} {s}' for s in OUTLINE_STATUSES if s != 'town')}); "
        f"inside town outlines, which claim none: {inside['town']}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
