"""The small protocols every geocoder and online backend speaks, and the query they take."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from mapservice.domain.model import Location


@dataclass(frozen=True)
class GeocodeQuery:
    """What is known of a place; any field may be missing.

    ``address`` is the street part ("2485 rue Alexis-le-Trotteur"), ``municipality`` a place
    name as written ("Jonquière", "Ville de Saguenay, arr. Chicoutimi").
    """

    address: str | None = None
    municipality: str | None = None
    postal_code: str | None = None
    lat: float | None = None
    lon: float | None = None


class Geocoder(Protocol):
    """Anything that turns a query into a :class:`Location` or raises ``GeocodingError``."""

    name: str

    def geocode(self, query: GeocodeQuery) -> Location: ...


#: ``geocode_source`` of a position set by a person on the correction page.
MANUAL_SOURCE = "correction-manuelle"
#: What an online hit stands for, from the most to the least precise.
HIT_KINDS = ("house", "street", "postcode", "place", "other")


@dataclass(frozen=True)
class AddressHit:
    """One answer of an online geocoder, reduced to what the cascade needs."""

    lon: float
    lat: float
    label: str
    kind: str  # one of HIT_KINDS
    importance: float = 0.5


class AddressBackend(Protocol):
    """An online geocoder for civic addresses (Nominatim, Photon…), cached and rate limited.

    ``search`` returns the hits in the backend's order (possibly none) or raises
    ``GeocoderUnavailable`` when the service did not answer.
    """

    name: str

    def search(self, text: str) -> list[AddressHit]: ...
