"""Straight-line (ellipsoidal) distances on WGS84: the offline fallback that never fails.

It knows nothing of roads, so ``road_m`` and ``duration_s`` are always ``None``: a straight
line is never passed off as a driven distance.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from mapservice.geo.projection import WGS84_GEOD
from mapservice.routing.base import Distance, DistanceMatrix, Point, check_point, check_points

_PARALLEL_FROM = 50_000
_REASON = "distance à vol d'oiseau seulement"


def geodesic_m(a: Point, b: Point) -> float:
    """Return the WGS84 geodesic distance in metres between two ``(lon, lat)`` points."""
    _, _, dist = WGS84_GEOD.inv(a[0], a[1], b[0], b[1])
    return float(dist)


def geodesic_matrix_m(origins: Sequence[Point], destinations: Sequence[Point]) -> np.ndarray:
    """Return the ``len(origins) × len(destinations)`` geodesic distances in metres.

    Vectorised: one ``Geod.inv`` call over broadcast arrays.
    """
    o = np.asarray(origins, dtype=float).reshape(-1, 2)
    d = np.asarray(destinations, dtype=float).reshape(-1, 2)
    if not len(o) or not len(d):
        return np.zeros((len(o), len(d)))
    lon1, lon2 = (a.ravel() for a in np.broadcast_arrays(o[:, None, 0], d[None, :, 0]))
    lat1, lat2 = (a.ravel() for a in np.broadcast_arrays(o[:, None, 1], d[None, :, 1]))
    size = lon1.size
    if size < _PARALLEL_FROM:
        _, _, dist = WGS84_GEOD.inv(lon1, lat1, lon2, lat2)
        return np.asarray(dist, dtype=float).reshape(len(o), len(d))
    # Geod.inv releases the GIL: two halves run on two cores.
    half = size // 2
    parts = [slice(0, half), slice(half, size)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        done = list(
            pool.map(lambda s: WGS84_GEOD.inv(lon1[s], lat1[s], lon2[s], lat2[s])[2], parts)
        )
    return np.concatenate(done).reshape(len(o), len(d))


class GeodesicBackend:
    """The :class:`~mapservice.routing.base.DistanceBackend` of straight lines."""

    name = "geodesic"

    def distance(self, a: Point, b: Point) -> Distance:
        """Return the straight distance between ``a`` and ``b`` (no road distance)."""
        a, b = check_point(a, field="a"), check_point(b, field="b")
        return Distance(geodesic_m(a, b), None, None, self.name, reason=_REASON)

    def matrix(self, origins: Sequence[Point], destinations: Sequence[Point]) -> DistanceMatrix:
        """Return straight distances from every origin to every destination."""
        origins = check_points(origins, field="origins")
        destinations = check_points(destinations, field="destinations")
        dist = geodesic_matrix_m(origins, destinations)
        none = np.full(dist.shape, np.nan)
        return DistanceMatrix(self.name, dist, none, none, reason=_REASON)
