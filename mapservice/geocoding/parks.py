"""Which park a point lies in: inside an outline, else the nearest within a tolerance."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import shapely
from shapely.geometry import Point, shape

from mapservice.geocoding.region import _TO_M, to_metres
from mapservice.model import Park


@dataclass(frozen=True)
class ParkMatch:
    park_id: str
    distance_m: float  # 0 inside the outline


class ParkLocator:
    """Point-in-polygon on the park outlines (in Québec Lambert metres) with an STRtree."""

    def __init__(self, parks: Iterable[Park], tolerance_m: float) -> None:
        self.tolerance_m = tolerance_m
        self._ids: list[str] = []
        geoms = []
        for park in parks:
            geom = (
                shape(park.outline) if park.outline else Point(park.centre_lon, park.centre_lat)
            )
            geoms.append(to_metres(geom))
            self._ids.append(park.id)
        self._geoms = geoms
        self._tree = shapely.STRtree(geoms)

    def locate(self, lon: float, lat: float) -> ParkMatch | None:
        """Return the park containing the point, else the nearest within the tolerance."""
        if not self._ids:
            return None
        point = Point(*_TO_M.transform(lon, lat))
        hits = self._tree.query(point, predicate="intersects")
        if len(hits):
            return ParkMatch(self._ids[int(min(hits))], 0.0)
        indices, distances = self._tree.query_nearest(
            point, max_distance=self.tolerance_m, return_distance=True
        )
        if len(indices) == 0:
            return None
        best = min(zip(distances, indices, strict=True))
        return ParkMatch(self._ids[int(best[1])], float(best[0]))
