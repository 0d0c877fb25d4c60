"""The industrial parks of the database and what is built on them to place sites.

Reference data, like the gazetteer: ``mapservice init`` loads the parks, after which they do not
change; each part is built on first use (the reverse geocoder takes about 200 ms).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property
from pathlib import Path

from mapservice.domain.model import Park
from mapservice.geocoding.base import AddressBackend
from mapservice.geocoding.gazetteer import Gazetteer
from mapservice.geocoding.parks import ParkLocator, ParkNames
from mapservice.geocoding.pipeline import CascadeGeocoder
from mapservice.geocoding.reverse import ReverseGeocoder


class Places:
    """Parks by id, their locator and names, the reverse geocoder and the configured cascade.

    Parameters
    ----------
    parks
        The parks, ordered by name.
    gazetteer
        The regional gazetteer.
    aliases_csv
        Other names of the parks (``park_aliases.csv`` of the data folder).
    tolerance_m
        A site outside every park outline belongs to the nearest park within this distance.
    address_backend
        The online geocoder of civic addresses, or None (offline).
    """

    def __init__(
        self,
        parks: Iterable[Park],
        *,
        gazetteer: Gazetteer,
        aliases_csv: Path,
        tolerance_m: float,
        address_backend: AddressBackend | None = None,
    ) -> None:
        self.by_id: dict[str, Park] = {p.id: p for p in parks}
        self.gazetteer = gazetteer
        self.aliases_csv = aliases_csv
        self.tolerance_m = tolerance_m
        self.address_backend = address_backend

    @cached_property
    def locator(self) -> ParkLocator:
        return ParkLocator(self.by_id.values(), self.tolerance_m)

    @cached_property
    def names(self) -> ParkNames:
        return ParkNames.from_files(self.by_id.values(), self.aliases_csv)

    @cached_property
    def reverse(self) -> ReverseGeocoder:
        return ReverseGeocoder(self.gazetteer, self.locator)

    @cached_property
    def geocoder(self) -> CascadeGeocoder:
        """The cascade: offline, then the online backend for civic addresses if there is one."""
        return self.cascade(self.address_backend)

    def cascade(self, address_backend: AddressBackend | None) -> CascadeGeocoder:
        """A cascade over these parks with ``address_backend`` for civic addresses."""
        return CascadeGeocoder(
            self.gazetteer, park_names=self.names, address_backend=address_backend
        )
