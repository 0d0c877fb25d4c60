"""How far a postal code may lie from its town, and whether it lies in the lake or the fjord.

One rule, used by the build of ``data/postal_codes.csv`` (which moves the codes that break it),
by the geocoding cascade (which compares a code's point with the town written in the address)
and by the tests. A town's *extent* is the radius around its points (its own point and those of
its sectors) within which its postal codes may lie:

``extent = min(EXTENT_CAP_M, max(EXTENT_FLOOR_M, SPREAD_FACTOR × median, settled radius))``

* ``median`` is the median distance of the town's GeoNames code points (all of them, as
  GeoNames gives them) to its nearest point, counted only when it has at least
  :data:`MIN_CODES_FOR_SPREAD` codes: a median ignores the few codes GeoNames puts in another
  town, which a mean or a maximum would follow;
* ``settled radius`` is the radius of a disc holding the town's population at
  :data:`SETTLED_DENSITY_PER_KM2` (a large town's codes spread further than a village's);
* the floor (a village's two rural codes locate the village) and the cap (no town of the region
  spreads its codes over more than 12 km) bound it.

A code is *in water* when its point lies more than :data:`WATER_TOLERANCE_M` inside an outline
of ``data/basemap.geojson``'s ``water`` layer (Lac Saint-Jean, the Saguenay fjord): those
outlines are good to a few hundred metres (the fjord's to about 1 km), so a shore address just
inside them is not flagged.
"""

from __future__ import annotations

import json
import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import Point, shape

from mapservice.domain.model import Municipality
from mapservice.geo.projection import TO_LAMBERT
from mapservice.geocoding.region import to_metres

#: A town's postal codes may spread over SPREAD_FACTOR × their median distance to it.
SPREAD_FACTOR = 5.0
#: A town's extent is never less than this (a village and its rural routes).
EXTENT_FLOOR_M = 5_000.0
#: …nor more than this.
EXTENT_CAP_M = 12_000.0
#: The median of fewer codes says nothing (rural FSAs give a village two codes).
MIN_CODES_FOR_SPREAD = 10
#: People per km² of a town's settled area, to turn a population into a radius.
SETTLED_DENSITY_PER_KM2 = 100.0
#: A point less deep than this inside a water outline is taken as on the shore.
WATER_TOLERANCE_M = 500.0

#: Mean Earth radius of the distances of this rule (haversine).
EARTH_RADIUS_M = 6_371_000.0

#: ``precision`` of a postal code kept at its GeoNames point, moved to the centroid of its
#: sound neighbours, or moved to its municipality's point.
KEPT, NEIGHBOURS, MUNICIPALITY = "postal_code", "neighbours", "municipality"


def town_points(municipalities: Iterable[Municipality]) -> dict[str, list[tuple[float, float]]]:
    """Return, for each place id, its point and those of the sectors and boroughs inside it.

    Returns
    -------
    dict
        ``{id: [(lon, lat), ...]}``, the place's own point first.
    """
    places = list(municipalities)
    children: dict[str, list[Municipality]] = defaultdict(list)
    for muni in places:
        if muni.parent_id:
            children[muni.parent_id].append(muni)

    def collect(muni: Municipality) -> list[tuple[float, float]]:
        out = [(muni.lon, muni.lat)]
        for child in children[muni.id]:
            out.extend(collect(child))
        return out

    return {muni.id: collect(muni) for muni in places}


def distance_to_town_m(points: list[tuple[float, float]], lon: float, lat: float) -> float:
    """Return the distance in metres from ``(lon, lat)`` to the nearest of a town's points."""
    return _nearest_m(points, [(lon, lat)])[0]


def extent_m(distances_m: list[float], population: int | None) -> float:
    """Return a town's extent from its codes' distances to it and its population.

    Parameters
    ----------
    distances_m : list of float
        Distance of each of the town's code points (as GeoNames gives them) to the town.
    population : int or None
        The town's population, when known.

    Returns
    -------
    float
        The radius in metres within which the town's codes may lie.
    """
    radius_m = EXTENT_FLOOR_M
    if len(distances_m) >= MIN_CODES_FOR_SPREAD:
        radius_m = max(radius_m, SPREAD_FACTOR * statistics.median(distances_m))
    if population:
        settled_km = math.sqrt(population / (math.pi * SETTLED_DENSITY_PER_KM2))
        radius_m = max(radius_m, settled_km * 1000.0)
    return min(radius_m, EXTENT_CAP_M)


def town_extents_m(
    municipalities: Iterable[Municipality], codes: Iterable[tuple[str, float, float]]
) -> dict[str, float]:
    """Return the extent of every place, from the source points of its postal codes.

    Parameters
    ----------
    municipalities : iterable of Municipality
        The gazetteer.
    codes : iterable of tuple
        ``(municipality_id, lon, lat)`` of every code, at the point GeoNames gives.

    Returns
    -------
    dict
        ``{id: metres}`` for every place; a place's codes include its sectors' codes.
    """
    places = {m.id: m for m in municipalities}
    points = town_points(places.values())
    lineage: dict[str, list[str]] = {}
    for pid, muni in places.items():
        chain, current = [pid], muni
        while current.parent_id and current.parent_id in places:
            current = places[current.parent_id]
            chain.append(current.id)
        lineage[pid] = chain
    members: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for muni_id, lon, lat in codes:
        for pid in lineage.get(muni_id, ()):
            members[pid].append((lon, lat))
    return {
        pid: extent_m(_nearest_m(points[pid], members[pid]), places[pid].population)
        for pid in places
    }


def _nearest_m(
    points: list[tuple[float, float]], lonlats: list[tuple[float, float]]
) -> list[float]:
    """Distance in metres from each of ``lonlats`` to the nearest of ``points`` (vectorised)."""
    if not lonlats:
        return []
    lons = np.radians(np.array([lon for lon, _ in lonlats]))
    lats = np.radians(np.array([lat for _, lat in lonlats]))
    nearest = np.full(len(lonlats), np.inf)
    for plon, plat in points:
        # Haversine on the mean sphere: within 0.5 % of the ellipsoid over a town, and fast
        # enough to run over every code each time the gazetteer loads.
        dlat, dlon = lats - math.radians(plat), lons - math.radians(plon)
        a = (
            np.sin(dlat / 2) ** 2
            + np.cos(lats) * math.cos(math.radians(plat)) * np.sin(dlon / 2) ** 2
        )
        nearest = np.minimum(nearest, 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(a)))
    return [float(d) for d in nearest]


@dataclass(frozen=True)
class WaterAreas:
    """The lake and fjord outlines, shrunk by :data:`WATER_TOLERANCE_M`, in Lambert metres."""

    area_m: shapely.Geometry
    names: tuple[str, ...]

    @classmethod
    def from_basemap(cls, path: Path) -> WaterAreas:
        """Read the ``water`` layer of ``data/basemap.geojson``."""
        collection = json.loads(path.read_text(encoding="utf-8"))
        shrunk, names = [], []
        for feature in collection["features"]:
            if feature["properties"].get("layer") != "water":
                continue
            shrunk.append(to_metres(shape(feature["geometry"])).buffer(-WATER_TOLERANCE_M))
            names.append(str(feature["properties"]["name"]))
        area = shapely.union_all(shrunk)
        shapely.prepare(area)
        return cls(area_m=area, names=tuple(names))

    def contains(self, lon: float, lat: float) -> bool:
        """Whether ``(lon, lat)`` lies in the lake or the fjord, away from their shores."""
        return bool(self.area_m.contains(Point(*TO_LAMBERT.transform(lon, lat))))


def far_from(
    extents_m: Mapping[str, float],
    points: Mapping[str, list[tuple[float, float]]],
    muni_id: str,
    lon: float,
    lat: float,
) -> float | None:
    """Return the distance in metres to town ``muni_id`` when beyond its extent, else None."""
    distance = distance_to_town_m(points[muni_id], lon, lat)
    return distance if distance > extents_m[muni_id] else None
