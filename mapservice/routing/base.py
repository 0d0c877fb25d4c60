"""What every transport-distance backend answers, and the errors they raise.

Points are ``(lon, lat)`` in EPSG:4326, always in that order. A pair that cannot be routed
(no path, point too far from the network, engine answered null) gets ``road_m=None`` and
``duration_s=None`` — never a made-up number — and, where known, a ``reason`` a person can read.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from mapservice.errors import ConfigError, InvalidInput, MapserviceError

#: A point as ``(lon, lat)``, degrees, WGS84.
Point = tuple[float, float]


class RoutingUnavailable(MapserviceError):
    """The routing engine did not answer (timeout, refused connection, 5xx) or refused a query.

    Meant to move to :mod:`mapservice.errors` next to ``GeocoderUnavailable``.
    """

    status = 503
    code = "routing_unavailable"


class RoadNetworkError(ConfigError):
    """A road network file (GeoJSON or OSM extract) is malformed or unreadable.

    Raised at build time only; the message names the file, the feature and the property.
    Meant to move to :mod:`mapservice.errors`.
    """

    code = "road_network_error"


@dataclass(frozen=True)
class Distance:
    """Distance between two points by one backend.

    ``geodesic_m`` is the straight (ellipsoidal) distance. ``road_m`` and ``duration_s`` are
    the driven distance and time, or ``None`` when the pair cannot be routed (``reason`` then
    says why). ``access_m`` is the part of ``road_m`` driven from each point to the network
    and back off it (both legs together); 0 when the backend does not report it.
    """

    geodesic_m: float
    road_m: float | None
    duration_s: float | None
    backend: str
    access_m: float = 0.0
    reason: str | None = None

    @property
    def routed(self) -> bool:
        """Return True when a road distance is known."""
        return self.road_m is not None

    @property
    def detour_ratio(self) -> float | None:
        """Return road distance / straight distance, or None when unknown or undefined."""
        if self.road_m is None or self.geodesic_m <= 0:
            return None
        return self.road_m / self.geodesic_m


def distance_rows(backend: str, geodesic_m: list[list[float]], road_m: list[list[float | None]],
                  duration_s: list[list[float | None]], access_m: list[list[float]],
                  reasons: dict[tuple[int, int], str] | None = None) -> list[list[Distance]]:
    """Return a matrix of :class:`Distance` from row-major lists (rows = origins).

    Bulk matrices hold a million cells: each object is made with one ``__dict__`` assignment
    instead of the frozen ``__init__``'s six ``object.__setattr__`` calls (same fields and
    values, about a third faster).
    """
    new, set_attr = object.__new__, object.__setattr__
    reasons = reasons or {}
    out: list[list[Distance]] = []
    for i, cells in enumerate(zip(geodesic_m, road_m, duration_s, access_m, strict=True)):
        row = []
        for j, (g, r, d, a) in enumerate(zip(*cells, strict=True)):
            obj = new(Distance)
            set_attr(obj, "__dict__", {"geodesic_m": g, "road_m": r, "duration_s": d,
                                       "backend": backend, "access_m": a,
                                       "reason": reasons.get((i, j)) if r is None else None})
            row.append(obj)
        out.append(row)
    return out


class DistanceBackend(Protocol):
    """Distances between points: one pair, or every origin to every destination."""

    name: str

    def distance(self, a: Point, b: Point) -> Distance: ...

    def matrix(self, origins: Sequence[Point],
               destinations: Sequence[Point]) -> list[list[Distance]]: ...


def check_point(point: Sequence[float], *, field: str = "point") -> Point:
    """Return ``point`` as a ``(lon, lat)`` tuple of floats, or raise :class:`InvalidInput`."""
    try:
        lon, lat = (float(v) for v in point)
    except (TypeError, ValueError) as exc:
        msg = f"{field}: attendu (lon, lat) en degrés ; reçu {point!r}"
        raise InvalidInput(msg, field=field) from exc
    if not (math.isfinite(lon) and math.isfinite(lat)
            and -180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
        msg = f"{field}: attendu lon dans [-180, 180] et lat dans [-90, 90] ; reçu {point!r}"
        raise InvalidInput(msg, field=field)
    return lon, lat


def check_points(points: Sequence[Sequence[float]], *, field: str) -> list[Point]:
    """Return every point checked with :func:`check_point`; the field names the index."""
    return [check_point(p, field=f"{field}[{i}]") for i, p in enumerate(points)]
