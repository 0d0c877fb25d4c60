"""The offline geocoding cascade: the most precise and cheapest source that answers wins.

1. coordinates given with the record (validated: finite, in range, in or near the region,
   lat/lon swaps detected);
2. full postal code → its own point in the region's postal code table;
3. postal area (first three characters) → its centroid, urban areas only;
4. municipality, borough or sector → its centre.

Each step that cannot answer passes to the next; input that is wrong (a malformed postal code,
a name that matches no place, a point outside the region) fails with :class:`GeocodingError`
naming the field, never with a silent wrong point.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from mapservice.errors import GeocodingError
from mapservice.geocoding.gazetteer import Gazetteer, normalize_postal_code
from mapservice.model import Location, Municipality, Precision


@dataclass(frozen=True)
class GeocodeQuery:
    """What is known of a place; any field may be missing."""

    address: str | None = None
    municipality: str | None = None
    postal_code: str | None = None
    lat: float | None = None
    lon: float | None = None


class OfflineGeocoder:
    """The default geocoder: gazetteer and postal tables shipped in ``data/``."""

    name = "offline"

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer

    def resolve_municipality(self, text: str, *, field: str = "municipalite") -> Municipality:
        """Return the place ``text`` names or raise with suggestions."""
        muni = self.gazetteer.match(text)
        if muni is None:
            suggestions = [m.name for m in self.gazetteer.suggest(text)]
            hint = f" Vouliez-vous dire : {', '.join(suggestions)} ?" if suggestions else ""
            raise GeocodingError(
                f"Municipalité inconnue dans la région : {text!r}.{hint}",
                field=field,
                suggestions=suggestions,
            )
        return muni

    def geocode(self, query: GeocodeQuery) -> Location:
        """Place ``query`` or raise :class:`GeocodingError`."""
        muni = self.resolve_municipality(query.municipality) if query.municipality else None
        if query.lat is not None or query.lon is not None:
            return self._coordinates(query, muni)
        if query.postal_code:
            code = normalize_postal_code(query.postal_code)
            if code is None:
                raise GeocodingError(
                    f"Code postal mal formé : {query.postal_code!r} (attendu : A1A 1A1).",
                    field="code_postal",
                )
            point = self.gazetteer.postal_codes.get(code)
            if point is not None:
                return Location(
                    lon=point.lon,
                    lat=point.lat,
                    precision=Precision.POSTCODE,
                    source="geonames-postal-code",
                    score=0.9,
                    municipality_id=point.municipality_id,
                )
            area = self.gazetteer.postal_area(code)
            if area is not None and area.urban and muni is None:
                return Location(
                    lon=area.lon,
                    lat=area.lat,
                    precision=Precision.FSA,
                    source="statcan-fsa-centroid",
                    score=0.5,
                    note=f"code postal {code} absent de la table : centre de la zone {area.fsa}",
                )
            if area is None:
                raise GeocodingError(
                    f"Le code postal {code} n'est pas du Saguenay–Lac-Saint-Jean.",
                    field="code_postal",
                    outside_region=True,
                )
        if muni is not None:
            return Location(
                lon=muni.lon,
                lat=muni.lat,
                precision=Precision.MUNICIPALITY,
                source="gazetteer",
                score=0.3,
                municipality_id=muni.id,
            )
        raise GeocodingError(
            "Impossible de situer ce site : donnez une municipalité, un code postal ou des "
            "coordonnées.",
            field="municipalite",
        )

    def _coordinates(self, query: GeocodeQuery, muni: Municipality | None) -> Location:
        lat, lon = query.lat, query.lon
        if lat is None or lon is None:
            missing = "longitude" if lon is None else "latitude"
            raise GeocodingError(
                "Latitude et longitude vont ensemble : il manque la " + missing + ".",
                field=missing,
            )
        if not (math.isfinite(lat) and math.isfinite(lon)):
            raise GeocodingError("Coordonnées non finies.", field="latitude")
        if not -90 <= lat <= 90:
            if -90 <= lon <= 90 and -180 <= lat <= 180 and self.gazetteer.region.contains(lat, lon):
                raise GeocodingError(
                    f"Latitude et longitude semblent inversées ({lat}, {lon}) : "
                    f"latitude {lon}, longitude {lat} ?",
                    field="latitude",
                    swapped=True,
                )
            raise GeocodingError(f"Latitude hors limites : {lat} (attendu : -90 à 90).",
                                 field="latitude")
        if not -180 <= lon <= 180:
            raise GeocodingError(f"Longitude hors limites : {lon} (attendu : -180 à 180).",
                                 field="longitude")
        if not self.gazetteer.region.contains(lon, lat):
            if self.gazetteer.region.contains(lat, lon):
                raise GeocodingError(
                    f"Latitude et longitude semblent inversées ({lat}, {lon}) : "
                    f"latitude {lon}, longitude {lat} ?",
                    field="latitude",
                    swapped=True,
                )
            raise GeocodingError(
                f"Le point ({lat}, {lon}) est hors du Saguenay–Lac-Saint-Jean.",
                field="latitude",
                outside_region=True,
            )
        return Location(
            lon=lon,
            lat=lat,
            precision=Precision.MANUAL,
            source="coordonnees-fournies",
            score=1.0,
            municipality_id=muni.id if muni else None,
        )
