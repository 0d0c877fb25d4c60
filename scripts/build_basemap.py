"""Build ``data/basemap.geojson``, the regional base layer drawn when map tiles cannot load.

Run by a developer, never by the service. Sources: Lac Saint-Jean and the rivers from GSHHG
2.3.7 (full resolution) through GMT's ``gmt coast`` (Debian ``gmt`` + ``gmt-gshhg-full``); the
Saguenay fjord, which GSHHG stops 20 km from its mouth, from Natural Earth 10m land
(``land-10m.json`` of the npm package ``world-atlas`` 2.0.2); ``data/municipalities.csv`` and
``data/roads.geojson``. Output: an RFC 7946 FeatureCollection (lon/lat, 5 decimals, exterior
rings counter-clockwise, no ``crs``), one feature per line, each with ``layer``, ``name`` and
``source``. Usage::

    npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz   # gives package/land-10m.json
    python scripts/build_basemap.py --land-10m package/land-10m.json [--out data/basemap.geojson]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import re
import subprocess
import sys
import tempfile
from collections import Counter
from itertools import accumulate
from pathlib import Path
from typing import Any

import shapely
from shapely.affinity import affine_transform
from shapely.geometry import LineString, MultiPolygon, Point, Polygon, box, mapping
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient
from shapely.ops import linemerge, polygonize, unary_union

DATA_DIR = Path(__file__).resolve().parents[1] / "data"

#: (min_lon, min_lat, max_lon, max_lat) of the layer; east edge at the fjord's mouth.
REGION_BBOX = (-73.5, 47.8, -69.7, 49.9)
DECIMALS = 5
SIMPLIFY_DEG = 0.001
KM_PER_DEG_LAT = 111.2
KM_PER_DEG_LON = 73.5  # at 48.6° N

GSHHG = "GSHHG 2.3.7 full resolution (GMT gmt coast -Df), LGPL-3.0-or-later"
NATURAL_EARTH = "Natural Earth 10m land 4.1.0 (npm world-atlas 2.0.2), public domain"
LAND_10M_SHA256 = "9b9f584709c119d63fbadf484ce425260497697b7166be7a2fe360e8c0b171a8"

LAKE_PROBE = (-72.05, 48.60)  # middle of Lac Saint-Jean
LAKE_AREA_KM2 = (1000.0, 1100.0)  # published area 1,053 km²
#: The fjord: the water in this outline that Natural Earth's land leaves, the part that
#: holds FJORD_PROBE (baie des Ha! Ha!). The south-east corner cuts it at Tadoussac.
FJORD_OUTLINE = Polygon(
    [(-71.2, 48.118), (-69.735, 48.118), (-69.70, 48.143), (-69.70, 48.6), (-71.2, 48.6)]
)
FJORD_PROBE = (-70.83, 48.345)
#: (slug, name, GSHHG river levels, a point the river passes within RIVER_SNAP_KM of): GSHHG
#: rivers have no names, so each is the merged line of its levels nearest to a town on it
#: (municipalities.csv) or, for the Saguenay, to Chicoutimi's waterfront.
RIVERS = (
    ("saguenay", "Rivière Saguenay", "1/2", (-71.06, 48.43)),
    ("peribonka", "Rivière Péribonka", "2", (-72.05, 48.7667)),
    ("mistassini", "Rivière Mistassini", "4", (-72.2258, 48.8764)),
    ("ashuapmushuan", "Rivière Ashuapmushuan", "3", (-72.4467, 48.6528)),
)
RIVER_SNAP_KM = 3.0
MUNICIPALITY_KINDS = ("municipality", "reserve", "borough")
ROAD_KINDS = ("autoroute", "route", "bridge")


class BasemapError(ValueError):
    """A source does not hold what the build expects of it."""


def km(geom_a: BaseGeometry, geom_b: BaseGeometry) -> float:
    """Return the rough distance in km between two lon/lat geometries of the region."""
    scale = (KM_PER_DEG_LON, 0.0, 0.0, KM_PER_DEG_LAT, 0.0, 0.0)
    return affine_transform(geom_a, scale).distance(affine_transform(geom_b, scale))


def gmt_segments(gmt: str, *options: str) -> list[list[tuple[float, float]]]:
    """Run ``gmt coast -M`` over the region and return its segments as lon/lat lists."""
    west, south, east, north = REGION_BBOX
    cmd = [gmt, "coast", f"-R{west}/{east}/{south}/{north}", "-Df", "-M", *options]
    with tempfile.TemporaryDirectory() as scratch:  # GMT writes a gmt.history file there
        out = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=scratch).stdout
    segments: list[list[tuple[float, float]]] = []
    for line in out.splitlines():
        if line.startswith(">"):
            segments.append([])
        elif line.strip():
            lon, lat = (float(v) for v in line.split()[:2])
            segments[-1].append((lon, lat))
    return [s for s in segments if len(s) > 1]


def lake_polygon(gmt: str) -> Polygon:
    """Assemble GSHHG's level-2 (lake) shore pieces and return the one holding LAKE_PROBE."""
    lines = [LineString(s) for s in gmt_segments(gmt, "-A0/2/2+l", "-W")]
    probe = Point(LAKE_PROBE)
    found = [p for p in polygonize(unary_union(lines)) if p.contains(probe)]
    if len(found) != 1:
        raise BasemapError(f"expected one GSHHG lake around {LAKE_PROBE}, got {len(found)}")
    area_km2 = found[0].area * KM_PER_DEG_LON * KM_PER_DEG_LAT
    if not LAKE_AREA_KM2[0] <= area_km2 <= LAKE_AREA_KM2[1]:
        raise BasemapError(f"Lac Saint-Jean: expected {LAKE_AREA_KM2} km², got {area_km2:.0f}")
    return found[0]


def river_line(gmt: str, levels: str, probe: tuple[float, float]) -> BaseGeometry:
    """Return the merged GSHHG river line of ``levels`` nearest to ``probe``, in the region."""
    options = [f"-I{level}" for level in levels.split("/")]
    pieces = [LineString(s) for s in gmt_segments(gmt, *options)]
    merged = linemerge(unary_union(pieces))
    lines = list(getattr(merged, "geoms", [merged]))
    point = Point(probe)
    best = min(lines, key=lambda line: km(line, point))
    if km(best, point) > RIVER_SNAP_KM:
        raise BasemapError(f"no GSHHG river of level {levels} within {RIVER_SNAP_KM} km of {probe}")
    return best.intersection(box(*REGION_BBOX))


def topojson_polygons(path: Path, window: Polygon) -> list[Polygon]:
    """Decode the polygons of world-atlas ``land`` (quantised TopoJSON) that meet ``window``."""
    topo = json.loads(path.read_text(encoding="utf-8"))
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]

    def step(pos: list[int], delta: list[int]) -> list[int]:
        return [pos[0] + delta[0], pos[1] + delta[1]]

    arcs = [  # each arc: a first integer position, then deltas
        [(x * sx + tx, y * sy + ty) for x, y in accumulate(arc, step)] for arc in topo["arcs"]
    ]

    def ring(indexes: list[int]) -> list[tuple[float, float]]:
        points: list[tuple[float, float]] = []
        for i in indexes:
            arc = arcs[i] if i >= 0 else arcs[~i][::-1]
            points.extend(arc if not points else arc[1:])
        return points

    polygons = []
    for geometry in topo["objects"]["land"]["geometries"]:
        for rings in geometry["arcs"]:
            polygon = Polygon(ring(rings[0]), [ring(r) for r in rings[1:]])
            if polygon.intersects(window):
                polygons.append(polygon.buffer(0))
    return polygons


def fjord_polygon(land_10m: Path) -> Polygon:
    """Return the Saguenay fjord: the part of FJORD_OUTLINE not on Natural Earth's land."""
    digest = hashlib.sha256(land_10m.read_bytes()).hexdigest()
    if digest != LAND_10M_SHA256:
        raise BasemapError(f"{land_10m}: expected world-atlas 2.0.2 land-10m.json, got {digest}")
    water = FJORD_OUTLINE.difference(unary_union(topojson_polygons(land_10m, FJORD_OUTLINE)))
    probe = Point(FJORD_PROBE)
    found = [p for p in getattr(water, "geoms", [water]) if p.contains(probe)]
    if len(found) != 1:
        raise BasemapError(f"expected the fjord around {FJORD_PROBE} in Natural Earth's land")
    return found[0]


def tidy(geom: BaseGeometry) -> BaseGeometry:
    """Simplify, snap to the 5-decimal grid and orient exterior rings counter-clockwise."""
    geom = shapely.set_precision(geom.simplify(SIMPLIFY_DEG, preserve_topology=True), 10**-DECIMALS)
    if isinstance(geom, Polygon):
        return orient(geom, 1.0)
    if isinstance(geom, MultiPolygon):
        return MultiPolygon([orient(p, 1.0) for p in geom.geoms])
    return geom


def rounded(value: Any) -> Any:
    """Round every number of nested coordinate lists to DECIMALS."""
    if isinstance(value, (list, tuple)):
        return [rounded(v) for v in value]
    return round(value, DECIMALS)


def feature(
    slug: str, layer: str, name: str, source: str, geom: BaseGeometry, **extra: Any
) -> dict:
    """Return one GeoJSON feature, id ``layer:slug``, with the common properties first."""
    geometry = mapping(tidy(geom))
    coordinates = rounded(geometry["coordinates"])
    return {
        "type": "Feature",
        "id": f"{layer}:{slug}",
        "properties": {"layer": layer, "name": name, "source": source, **extra},
        "geometry": {"type": geometry["type"], "coordinates": coordinates},
    }


def municipality_features(path: Path) -> list[dict]:
    """Return a Point per municipality, reserve and Saguenay borough of the gazetteer."""
    features = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["kind"] not in MUNICIPALITY_KINDS:
                continue
            point = Point(float(row["lon"]), float(row["lat"]))
            population = int(row["population"]) if row["population"] else None
            source = f"data/municipalities.csv ({row['coord_source']})"
            features.append(feature(
                row["id"], "municipality", row["name"], source, point, kind=row["kind"],
                population=population, coord_status=row["coord_status"],
            ))  # fmt: skip
    return features


def road_features(path: Path) -> list[dict]:
    """Return the autoroute, numbered routes and their bridges of ``roads.geojson``.

    Clipped to the region's box; a road's winding stretches (ids ``…-1a``, ``…-1b``: the same
    line, cut where its ``length_factor`` changes) are joined back into one line ``…-1``.
    """
    pieces: dict[str, tuple[dict, list]] = {}
    for road in json.loads(path.read_text(encoding="utf-8"))["features"]:
        props = road["properties"]
        if props["kind"] not in ROAD_KINDS or not props["ref"]:
            continue
        piece = re.sub(r"(-\d+)[a-z]$", r"\1", props["id"])
        coords = pieces.setdefault(piece, (props, []))[1]
        coords += road["geometry"]["coordinates"][1 if coords else 0 :]
    features = []
    source = "data/roads.geojson (approximate, hand-traced)"
    for piece, (props, coords) in pieces.items():
        geom = LineString(coords).intersection(box(*REGION_BBOX))
        if geom.is_empty:
            continue
        features.append(feature(
            piece, "road", props["name"], source, geom, ref=props["ref"], kind=props["kind"],
        ))  # fmt: skip
    return features


def build(gmt: str, land_10m: Path) -> list[dict]:
    """Return every feature of the base layer: water, rivers, roads, then municipalities."""
    features = [
        feature("lac-saint-jean", "water", "Lac Saint-Jean", GSHHG, lake_polygon(gmt)),
        feature("fjord-du-saguenay", "water", "Rivière Saguenay", NATURAL_EARTH,
                fjord_polygon(land_10m)),
    ]  # fmt: skip
    for slug, name, levels, probe in RIVERS:
        features.append(feature(slug, "river", name, GSHHG, river_line(gmt, levels, probe)))
    features += road_features(DATA_DIR / "roads.geojson")
    features += municipality_features(DATA_DIR / "municipalities.csv")
    return features


def kept_water(current: Path) -> list[dict]:
    """Return the water and rivers of ``current``, then roads and municipalities rebuilt."""
    old = json.loads(current.read_text(encoding="utf-8"))["features"]
    features = [f for f in old if f["properties"]["layer"] in ("water", "river")]
    features += road_features(DATA_DIR / "roads.geojson")
    features += municipality_features(DATA_DIR / "municipalities.csv")
    return features


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments, build the layer and write it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--land-10m", type=Path,
                        help="land-10m.json of the npm package world-atlas 2.0.2")  # fmt: skip
    parser.add_argument("--gmt", default="gmt", help="the GMT executable")
    parser.add_argument("--out", type=Path, default=DATA_DIR / "basemap.geojson")
    parser.add_argument(
        "--keep-water",
        action="store_true",
        help="keep the water and rivers of the current --out file (no GMT, no world-atlas "
        "needed) and rebuild only its roads and municipalities",
    )
    args = parser.parse_args(argv)
    if not args.keep_water and args.land_10m is None:
        parser.error("--land-10m is required unless --keep-water")
    try:
        features = kept_water(args.out) if args.keep_water else build(args.gmt, args.land_10m)
    except (BasemapError, OSError, subprocess.CalledProcessError) as exc:
        print(f"build_basemap: {exc}", file=sys.stderr)
        return 1
    lines = [json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in features]
    text = '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"
    args.out.write_text(text, encoding="utf-8")
    counts = Counter(f["properties"]["layer"] for f in features)
    print(f"{args.out}: {len(text.encode()) / 1024:.1f} KB, {dict(counts)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
