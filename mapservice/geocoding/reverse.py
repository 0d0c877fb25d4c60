"""Reverse geocoding: a point → its municipality (borough, sector), postal area and park.

There are no municipal boundaries in ``data/``; the place of a point is the place of the
nearest regional postal code (about 11,900 points, dense wherever people work; the codes the
build moved onto their town's point are left out) when one lies within
:data:`POSTAL_RADIUS_M`, else the nearest gazetteer centre, and the answer says which.
"""

from __future__ import annotations

from dataclasses import dataclass

import shapely
from shapely.geometry import Point

from mapservice.domain.model import Municipality
from mapservice.geo.projection import TO_LAMBERT
from mapservice.geocoding.gazetteer import Gazetteer, OutsidePlace, PostalPoint
from mapservice.geocoding.parks import ParkLocator, ParkMatch
from mapservice.geocoding.postal_checks import MUNICIPALITY
from mapservice.geocoding.region import distance_m

#: A postal code further than this says nothing about the place of a point.
POSTAL_RADIUS_M = 3_000.0


@dataclass(frozen=True)
class ReversePlace:
    lon: float
    lat: float
    outside_region: bool
    place: Municipality | None = None  # the most specific: sector, borough or municipality
    municipality: Municipality | None = None  # the municipality itself
    postal_code: PostalPoint | None = None
    postal_code_distance_m: float | None = None
    fsa: str | None = None
    park: ParkMatch | None = None
    method: str = ""  # "code-postal-voisin", "centre-le-plus-proche" or "hors-region"
    nearest_outside: OutsidePlace | None = None


class ReverseGeocoder:
    """Answer "where is this point" from the gazetteer, postal codes and park outlines."""

    def __init__(self, gazetteer: Gazetteer, parks: ParkLocator) -> None:
        self.gazetteer = gazetteer
        self.parks = parks
        # A code the build put on its town's point says nothing of where it is.
        self._codes = [c for c in gazetteer.postal_codes.values() if c.precision != MUNICIPALITY]
        self._code_tree = shapely.STRtree(
            [Point(*TO_LAMBERT.transform(c.lon, c.lat)) for c in self._codes]
        )
        self._places = list(gazetteer.municipalities.values())
        self._place_tree = shapely.STRtree(
            [Point(*TO_LAMBERT.transform(m.lon, m.lat)) for m in self._places]
        )
        self._outside = list(gazetteer.outside_places.values())
        self._outside_tree = (
            shapely.STRtree([Point(*TO_LAMBERT.transform(o.lon, o.lat)) for o in self._outside])
            if self._outside
            else None
        )

    def reverse(self, lon: float, lat: float) -> ReversePlace:
        if not self.gazetteer.region.contains(lon, lat):
            nearest = None
            if self._outside_tree is not None:
                nearest = self._outside[
                    int(self._outside_tree.nearest(Point(*TO_LAMBERT.transform(lon, lat))))
                ]
            return ReversePlace(
                lon, lat, outside_region=True, method="hors-region", nearest_outside=nearest
            )
        point = Point(*TO_LAMBERT.transform(lon, lat))
        code = self._codes[int(self._code_tree.nearest(point))]
        code_m = distance_m(lon, lat, code.lon, code.lat)
        if code_m <= POSTAL_RADIUS_M and code.municipality_id in self.gazetteer.municipalities:
            place = self.gazetteer.municipalities[code.municipality_id]
            method = "code-postal-voisin"
        else:
            place = self._places[int(self._place_tree.nearest(point))]
            method = "centre-le-plus-proche"
        area = self.gazetteer.postal_areas.get(code.code[:3])
        return ReversePlace(
            lon,
            lat,
            outside_region=False,
            place=place,
            municipality=self.gazetteer.municipality_of(place),
            postal_code=code if code_m <= POSTAL_RADIUS_M else None,
            postal_code_distance_m=round(code_m, 1),
            fsa=area.fsa if area and code_m <= POSTAL_RADIUS_M else None,
            park=self.parks.locate(lon, lat),
            method=method,
        )
