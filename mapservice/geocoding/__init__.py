"""Geocoding: put each member site on the map, offline by default, and say how sure we are."""

from mapservice.geocoding.base import AddressBackend, AddressHit, GeocodeQuery, Geocoder
from mapservice.geocoding.freetext import parse_query
from mapservice.geocoding.gazetteer import Gazetteer, normalize_postal_code
from mapservice.geocoding.parks import ParkLocator, ParkMatch, ParkNames
from mapservice.geocoding.pipeline import CascadeGeocoder, OfflineGeocoder

__all__ = [
    "AddressBackend",
    "AddressHit",
    "CascadeGeocoder",
    "Gazetteer",
    "GeocodeQuery",
    "Geocoder",
    "OfflineGeocoder",
    "ParkLocator",
    "ParkMatch",
    "ParkNames",
    "normalize_postal_code",
    "parse_query",
]
