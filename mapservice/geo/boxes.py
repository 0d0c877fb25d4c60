"""Bounding boxes of OGC API – Features (``bbox``): reading them, and which geometries they hold.

A feature is in a box when its geometry *intersects* the box (Part 1, "bbox"): a box inside a
park holds the park, a box a line crosses holds the line though none of its vertices is inside.
Boxes are min lon, min lat, max lon, max lat in CRS84 degrees; a 6-number box (with heights,
which Part 1 allows) keeps its horizontal extent, since every geometry here is 2D.
"""

from __future__ import annotations

from typing import Any

from mapservice.errors import InvalidInput, tr
from mapservice.geo.geojson import positions

#: min lon, min lat, max lon, max lat (CRS84 degrees).
Box = tuple[float, float, float, float]


def horizontal(values: list[float]) -> list[float]:
    """The 2D part of a 4- or 6-number box (minx, miny[, minz], maxx, maxy[, maxz])."""
    if len(values) == 6:
        return [values[0], values[1], values[3], values[4]]
    return values


def parse_bbox(text: str | None) -> Box | None:
    """``min_lon,min_lat,max_lon,max_lat`` in WGS84 degrees (OGC API order), or the 6-number
    form with heights after each corner (ignored)."""
    if not text:
        return None
    try:
        values = [float(p) for p in text.split(",")]
    except ValueError:
        values = []
    flat = horizontal(values) if len(values) in (4, 6) else []
    if len(flat) != 4 or not (
        -180 <= flat[0] <= flat[2] <= 180 and -90 <= flat[1] <= flat[3] <= 90
    ):
        raise InvalidInput(
            tr(
                "bbox invalide : {text!r} (attendu : min_lon,min_lat,max_lon,"
                "max_lat en degrés, ex. -72.5,48.2,-70.8,48.9, ou 6 nombres avec les "
                "hauteurs : min_lon,min_lat,min_z,max_lon,max_lat,max_z).",
                text=text[:80],
            ),
            field="bbox",
        )
    return flat[0], flat[1], flat[2], flat[3]


def contains(box: Box, point: tuple[float | None, float | None]) -> bool:
    """Whether a ``(lon, lat)`` point is in ``box`` (edges included); an unknown one is not."""
    lon, lat = point
    if lon is None or lat is None:
        return False
    return box[0] <= lon <= box[2] and box[1] <= lat <= box[3]


def intersects(geometry: dict[str, Any] | None, box: Box) -> bool:
    """Whether a GeoJSON geometry intersects ``box`` (edges included); none never does.

    Points and any geometry with a vertex in the box are decided here; one whose envelope
    misses the box is out; a line crossing the box by its segments (:func:`segment_meets`);
    the rest (a polygon around it, multi-part lines) by shapely.
    """
    if not geometry:
        return False
    min_lon, min_lat, max_lon, max_lat = box
    xs: list[float] = []
    ys: list[float] = []
    for p in positions(geometry["coordinates"]):
        x, y = p[0], p[1]
        if min_lon <= x <= max_lon and min_lat <= y <= max_lat:
            return True
        xs.append(x)
        ys.append(y)
    if not xs or max(xs) < min_lon or min(xs) > max_lon or max(ys) < min_lat or min(ys) > max_lat:
        return False
    if geometry["type"] in ("Point", "MultiPoint"):
        return False
    if geometry["type"] == "LineString":
        coords = geometry["coordinates"]
        return any(segment_meets(p, q, box) for p, q in zip(coords, coords[1:], strict=False))
    from shapely.geometry import box as shapely_box
    from shapely.geometry import shape

    return bool(shape(geometry).intersects(shapely_box(min_lon, min_lat, max_lon, max_lat)))


def segment_meets(p: Any, q: Any, box: Box) -> bool:
    """Whether the segment ``p``–``q`` meets ``box`` (edges included), by separating axes:
    the segment's envelope must overlap the box, and the line through it must not leave
    all four corners strictly on one side. Exact enough for degrees, and no geometry made
    (a page of lines is tested in a fraction of the time shapely takes)."""
    (x1, y1), (x2, y2) = p[:2], q[:2]
    min_lon, min_lat, max_lon, max_lat = box
    if max(x1, x2) < min_lon or min(x1, x2) > max_lon:
        return False
    if max(y1, y2) < min_lat or min(y1, y2) > max_lat:
        return False
    dx, dy = x2 - x1, y2 - y1
    sides = [
        dx * (cy - y1) - dy * (cx - x1)
        for cx, cy in (
            (min_lon, min_lat),
            (min_lon, max_lat),
            (max_lon, min_lat),
            (max_lon, max_lat),
        )
    ]
    return not (all(d > 0 for d in sides) or all(d < 0 for d in sides))
