"""What every transport-distance backend answers, and the errors they raise.

Points are ``(lon, lat)`` in EPSG:4326, always in that order. A pair that cannot be routed
(no path, point too far from the network, engine answered null) gets ``road_m=None`` and
``duration_s=None`` — never a made-up number — and, where known, a ``reason`` a person can read.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, overload

import numpy as np

from mapservice.errors import InvalidInput, tr

#: A point as ``(lon, lat)``, degrees, WGS84.
Point = tuple[float, float]


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


class DistanceMatrix(Sequence[list[Distance]]):
    """Distances from every origin (rows) to every destination (columns).

    Reads as a list of rows of :class:`Distance` (``m[i][j]``, ``len``, iteration, ``==``
    against lists), but is held as arrays — ``geodesic_m``, ``road_m``, ``duration_s``,
    ``access_m``, shape ``(origins, destinations)``, NaN where unroutable — and each row's
    objects are made on first access: a million Python objects cost seconds, and bulk
    consumers (ranking, CO2, cost) should use the arrays.

    The reason of an unroutable cell is its origin's reason, else its destination's, else
    ``reason``.
    """

    def __init__(
        self,
        backend: str,
        geodesic_m: Any,
        road_m: Any,
        duration_s: Any,
        access_m: Any = None,
        *,
        origin_reasons: Sequence[str | None] | None = None,
        destination_reasons: Sequence[str | None] | None = None,
        reason: str | None = None,
    ) -> None:
        self.backend = backend
        self.geodesic_m = np.asarray(geodesic_m, dtype=float)
        shape = self.geodesic_m.shape
        self.road_m = np.asarray(road_m, dtype=float).reshape(shape)
        self.duration_s = np.asarray(duration_s, dtype=float).reshape(shape)
        self.access_m = (
            np.zeros(shape)
            if access_m is None
            else np.asarray(access_m, dtype=float).reshape(shape)
        )
        self._origin_reasons = list(origin_reasons or [None] * shape[0])
        self._destination_reasons = list(destination_reasons or [None] * shape[1])
        self._reason = reason
        self._rows: dict[int, list[Distance]] = {}

    @property
    def shape(self) -> tuple[int, int]:
        """Return (number of origins, number of destinations)."""
        return self.geodesic_m.shape  # type: ignore[return-value]

    def __len__(self) -> int:
        return self.shape[0]

    @overload
    def __getitem__(self, index: int) -> list[Distance]: ...

    @overload
    def __getitem__(self, index: slice) -> list[list[Distance]]: ...

    def __getitem__(self, index: int | slice) -> list[Distance] | list[list[Distance]]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        i = range(len(self))[index]  # negative indices, IndexError past the end
        row = self._rows.get(i)
        if row is None:
            row = self._rows[i] = self._make_row(i)
        return row

    def __iter__(self) -> Iterator[list[Distance]]:
        return (self[i] for i in range(len(self)))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str):
            return NotImplemented
        return len(self) == len(other) and all(
            list(a) == list(b) for a, b in zip(self, other, strict=True)
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        m, p = self.shape
        routed = int(np.isfinite(self.road_m).sum())
        return f"<DistanceMatrix {self.backend} {m}×{p}, {routed} routed>"

    def reason_at(self, i: int, j: int) -> str | None:
        """Return why cell ``(i, j)`` has no road distance (None when it has one)."""
        if np.isfinite(self.road_m[i, j]) and np.isfinite(self.duration_s[i, j]):
            return None
        return self._origin_reasons[i] or self._destination_reasons[j] or self._reason

    def tolist(self) -> list[list[Distance]]:
        """Return every row as a plain list of lists."""
        return list(self)

    def _make_row(self, i: int) -> list[Distance]:
        # One ``__dict__`` assignment per object rather than the frozen ``__init__``'s six
        # ``object.__setattr__`` calls: same fields and values, markedly cheaper in bulk.
        new, set_attr, backend = object.__new__, object.__setattr__, self.backend
        road = self.road_m[i]
        unroutable = np.isnan(road) | np.isnan(self.duration_s[i])
        fallback = self._origin_reasons[i]
        row = []
        for j, (g, r, d, a, none) in enumerate(
            zip(
                self.geodesic_m[i].tolist(),
                road.tolist(),
                self.duration_s[i].tolist(),
                self.access_m[i].tolist(),
                unroutable.tolist(),
                strict=True,
            )
        ):
            obj = new(Distance)
            if none:
                why = fallback or self._destination_reasons[j] or self._reason
                values = {
                    "geodesic_m": g,
                    "road_m": None,
                    "duration_s": None,
                    "backend": backend,
                    "access_m": 0.0,
                    "reason": why,
                }
            else:
                values = {
                    "geodesic_m": g,
                    "road_m": r,
                    "duration_s": d,
                    "backend": backend,
                    "access_m": a,
                    "reason": None,
                }
            set_attr(obj, "__dict__", values)
            row.append(obj)
        return row


class DistanceBackend(Protocol):
    """Distances between points: one pair, or every origin to every destination."""

    name: str

    def distance(self, a: Point, b: Point) -> Distance: ...

    def matrix(self, origins: Sequence[Point], destinations: Sequence[Point]) -> DistanceMatrix: ...


def far_reason(origin: bool, nearest_m: float, max_snap_m: float) -> str:
    """Why a point has no road distance: beyond the network's coverage, its nearest road N km.

    The caller falls back to the straight line (see the candidate's reasons).
    """
    road_km, max_km = f"{round(nearest_m / 1000, 1):g}", f"{max_snap_m / 1000:g}"
    if origin:
        return tr(
            "origine hors de la couverture du réseau routier (route la plus proche à {road_km} "
            "km, limite {max_km} km)",
            road_km=road_km,
            max_km=max_km,
        )
    return tr(
        "destination hors de la couverture du réseau routier (route la plus proche à {road_km} "
        "km, limite {max_km} km)",
        road_km=road_km,
        max_km=max_km,
    )


def check_point(point: Sequence[float], *, field: str = "point") -> Point:
    """Return ``point`` as a ``(lon, lat)`` tuple of floats, or raise :class:`InvalidInput`."""
    try:
        lon, lat = (float(v) for v in point)
    except (TypeError, ValueError) as exc:
        msg = tr("{field}: attendu (lon, lat) en degrés ; reçu {point!r}", field=field, point=point)
        raise InvalidInput(msg, field=field) from exc
    if not (
        math.isfinite(lon)
        and math.isfinite(lat)
        and -180.0 <= lon <= 180.0
        and -90.0 <= lat <= 90.0
    ):
        msg = tr(
            "{field}: attendu lon dans [-180, 180] et lat dans [-90, 90] ; reçu {point!r}",
            field=field,
            point=point,
        )
        raise InvalidInput(msg, field=field)
    return lon, lat


def check_points(points: Sequence[Sequence[float]], *, field: str) -> list[Point]:
    """Return every point checked with :func:`check_point`; the field names the index."""
    return [check_point(p, field=f"{field}[{i}]") for i, p in enumerate(points)]
