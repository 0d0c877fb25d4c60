"""Geocoding: put each member site on the map, offline by default, and say how sure we are."""

from mapservice.geocoding.gazetteer import Gazetteer, normalize_postal_code
from mapservice.geocoding.parks import ParkLocator, ParkMatch
from mapservice.geocoding.pipeline import GeocodeQuery, OfflineGeocoder

__all__ = [
    "Gazetteer",
    "GeocodeQuery",
    "OfflineGeocoder",
    "ParkLocator",
    "ParkMatch",
    "normalize_postal_code",
]
