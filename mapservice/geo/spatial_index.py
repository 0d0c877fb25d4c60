"""The live index of sites: rtree in Québec Lambert metres, updated one site at a time.

Adding, moving or removing a site touches only that site's entry: nothing is rebuilt per
request. Queries answer in metres: every site within a radius (geodesic distance, exact), or the
k nearest. The rtree works on EPSG:32198 coordinates, where a metre is a metre to within a
fraction of a percent across the province; the distance returned is recomputed on the ellipsoid.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Protocol

import numpy as np
from rtree import index

from mapservice.geo.projection import LAMBERT_MARGIN, TO_LAMBERT, WGS84_GEOD


class SpatialIndex(Protocol):
    """Where the placed sites are: what matching asks of a live index of sites.

    Points are ``(lon, lat)`` in EPSG:4326; distances are geodesic metres.
    """

    def __len__(self) -> int: ...

    def __contains__(self, site_id: int) -> bool: ...

    def point(self, site_id: int) -> tuple[float, float]:
        """Return the site's ``(lon, lat)``."""
        ...

    def upsert(self, site_id: int, lon: float, lat: float) -> None:
        """Add a site, or move it if it is already indexed."""
        ...

    def remove(self, site_id: int) -> bool:
        """Forget a site; return whether it was there."""
        ...

    def within(self, lon: float, lat: float, radius_m: float) -> list[tuple[int, float]]:
        """Return the sites within ``radius_m`` of the point, nearest first: (id, distance_m)."""
        ...

    def sites_within(self, lon: float, lat: float, radius_m: float) -> np.ndarray:
        """Return the sorted ids of the sites that may lie within ``radius_m`` (a superset)."""
        ...


class SiteIndex:
    """Sites by id → (lon, lat), with an rtree over their projected points. Thread-safe.

    The :class:`SpatialIndex` of a store on one process (SQLite).
    """

    def __init__(self, sites: Iterable[tuple[int, float, float]] = ()) -> None:
        self._points: dict[int, tuple[float, float]] = {}
        self._xy: dict[int, tuple[float, float]] = {}
        self._lock = threading.RLock()
        items = []
        for site_id, lon, lat in sites:
            x, y = TO_LAMBERT.transform(lon, lat)
            self._points[site_id] = (lon, lat)
            self._xy[site_id] = (x, y)
            items.append((site_id, (x, y, x, y), None))
        props = index.Property()
        # Bulk loading (sorted tile-recursive) when there is something to load.
        self._tree = (
            index.Index(items, properties=props) if items else index.Index(properties=props)
        )

    def __len__(self) -> int:
        return len(self._points)

    def __contains__(self, site_id: int) -> bool:
        return site_id in self._points

    def point(self, site_id: int) -> tuple[float, float]:
        return self._points[site_id]

    def upsert(self, site_id: int, lon: float, lat: float) -> None:
        """Add a site, or move it if it is already indexed."""
        with self._lock:
            self.remove(site_id)
            x, y = TO_LAMBERT.transform(lon, lat)
            self._tree.insert(site_id, (x, y, x, y))
            self._points[site_id] = (lon, lat)
            self._xy[site_id] = (x, y)

    def remove(self, site_id: int) -> bool:
        """Forget a site; return whether it was there."""
        with self._lock:
            xy = self._xy.pop(site_id, None)
            if xy is None:
                return False
            self._tree.delete(site_id, (xy[0], xy[1], xy[0], xy[1]))
            del self._points[site_id]
            return True

    def within(self, lon: float, lat: float, radius_m: float) -> list[tuple[int, float]]:
        """Sites within ``radius_m`` (geodesic) of the point, nearest first: (id, distance_m)."""
        x, y = TO_LAMBERT.transform(lon, lat)
        reach = radius_m * LAMBERT_MARGIN
        with self._lock:
            ids = list(self._tree.intersection((x - reach, y - reach, x + reach, y + reach)))
            if not ids:
                return []
            points = np.array([self._points[i] for i in ids])
        n = len(ids)
        _, _, dist = WGS84_GEOD.inv(np.full(n, lon), np.full(n, lat), points[:, 0], points[:, 1])
        inside = np.flatnonzero(dist <= radius_m)
        order = inside[np.lexsort((np.asarray(ids)[inside], dist[inside]))]
        return [(ids[k], float(dist[k])) for k in order]

    def sites_within(self, lon: float, lat: float, radius_m: float) -> np.ndarray:
        """Ids of the sites that may lie within ``radius_m``: the rtree's box, sorted.

        A superset of :meth:`within` (the box's corners), for callers that compute exact
        distances themselves on fewer sites.
        """
        x, y = TO_LAMBERT.transform(lon, lat)
        reach = radius_m * LAMBERT_MARGIN
        with self._lock:
            if not self._points:
                return np.zeros(0, dtype=np.int64)
            ids, _ = self._tree.intersection_v(
                np.array([[x - reach, y - reach]]), np.array([[x + reach, y + reach]])
            )
        return np.sort(np.asarray(ids, dtype=np.int64))

    def nearest(self, lon: float, lat: float, k: int = 10) -> list[tuple[int, float]]:
        """The ``k`` nearest sites: (id, geodesic distance_m), nearest first."""
        if k <= 0:
            return []
        x, y = TO_LAMBERT.transform(lon, lat)
        with self._lock:
            # A few more than k by the projected metric, re-ranked on the ellipsoid.
            ids = list(self._tree.nearest((x, y, x, y), num_results=k + 4))
            points = [self._points[i] for i in ids]
        if not ids:
            return []
        _, _, dist = WGS84_GEOD.inv(
            [lon] * len(ids), [lat] * len(ids), [p[0] for p in points], [p[1] for p in points]
        )
        ranked = sorted(
            ((i, float(d)) for i, d in zip(ids, dist, strict=True)),
            key=lambda item: (item[1], item[0]),
        )
        return ranked[:k]


class DatabaseSiteIndex:
    """The :class:`SpatialIndex` answered by the database (PostGIS ST_DWithin), for shared stores.

    Several app servers then see one another's writes at once; only the site points are held
    here, for the distance matrix.
    """

    def __init__(
        self,
        within: Callable[[float, float, float], list[tuple[int, float]]],
        sites: Iterable[tuple[int, float, float]],
    ) -> None:
        self._within = within
        self._points = {i: (lon, lat) for i, lon, lat in sites}

    def __len__(self) -> int:
        return len(self._points)

    def __contains__(self, site_id: int) -> bool:
        return site_id in self._points

    def point(self, site_id: int) -> tuple[float, float]:
        return self._points[site_id]

    def upsert(self, site_id: int, lon: float, lat: float) -> None:
        self._points[site_id] = (lon, lat)

    def remove(self, site_id: int) -> bool:
        return self._points.pop(site_id, None) is not None

    def within(self, lon: float, lat: float, radius_m: float) -> list[tuple[int, float]]:
        return [(i, d) for i, d in self._within(lon, lat, radius_m) if i in self._points]

    def sites_within(self, lon: float, lat: float, radius_m: float) -> np.ndarray:
        """Ids within ``radius_m``, found by the database (ST_DWithin), sorted."""
        ids = np.array([i for i, _ in self._within(lon, lat, radius_m)], dtype=np.int64)
        ids.sort()
        return ids
