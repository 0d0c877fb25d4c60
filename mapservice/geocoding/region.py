"""The region's extent, to tell a point in Saguenay–Lac-Saint-Jean from one elsewhere."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import shapely
from shapely.geometry import MultiPoint, Point

from mapservice.geo.projection import TO_LAMBERT, WGS84_GEOD


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Return the geodesic distance in metres between two lon/lat points (WGS84)."""
    return float(WGS84_GEOD.inv(lon1, lat1, lon2, lat2)[2])


def to_metres(geom: shapely.Geometry) -> shapely.Geometry:
    """Return ``geom`` (EPSG:4326 lon/lat) in Québec Lambert metres."""
    return shapely.transform(geom, TO_LAMBERT.transform, interleaved=False)


@dataclass(frozen=True)
class Region:
    """The inhabited part of the region: the hull of its places, widened by ``margin_m``."""

    area_m: shapely.Geometry
    margin_m: float

    @classmethod
    def around(cls, lonlats: Iterable[tuple[float, float]], margin_m: float = 25_000.0) -> Region:
        hull = MultiPoint([Point(lon, lat) for lon, lat in lonlats]).convex_hull
        hull_m = to_metres(hull)
        area = hull_m.buffer(margin_m)
        shapely.prepare(area)
        return cls(area_m=area, margin_m=margin_m)

    def contains(self, lon: float, lat: float) -> bool:
        """Return whether the point (EPSG:4326 lon/lat) lies in or near the region."""
        x, y = TO_LAMBERT.transform(lon, lat)
        return bool(self.area_m.contains(Point(x, y)))
