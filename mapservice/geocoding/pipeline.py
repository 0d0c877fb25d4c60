"""The geocoding cascade: the cheapest and most precise source that answers wins.

1. coordinates given with the record (validated: finite, in range, in or near the region,
   lat/lon swaps detected);
2. full postal code → its own point in the region's postal code table (a code the build
   moved answers lower, with its note);
3. civic address → the online geocoder, only when one is configured;
4. park name, alias or distinctive street in the address → the park;
5. postal area (first three characters) → its centroid, urban areas only;
6. municipality, borough or sector → its centre.

Each step that cannot answer passes to the next. Input that is wrong (a malformed postal code,
a name that matches no place) fails with :class:`GeocodingError` naming the field and, where it
can, suggesting names; a place outside the region comes back flagged ``outside_region``, never
moved to the nearest town. The postal steps (2, 5 and a postal area given alone) live in
:mod:`mapservice.geocoding.postal_steps`, the online one (3) in
:mod:`mapservice.geocoding.online_hits`.
"""

from __future__ import annotations

import math
from dataclasses import replace

from mapservice.domain.model import Location, Municipality, Precision
from mapservice.domain.outlines import claims_by_geometry
from mapservice.errors import GeocoderUnavailable, GeocodingError, tr
from mapservice.geocoding.base import AddressBackend, GeocodeQuery
from mapservice.geocoding.gazetteer import Gazetteer, normalize_postal_code
from mapservice.geocoding.online_hits import online_location
from mapservice.geocoding.parks import ParkNames
from mapservice.geocoding.postal_steps import (
    area_alone,
    fsa_fits,
    municipality_location,
    postal_area_location,
    postal_code_location,
)
from mapservice.geocoding.region import distance_m

__all__ = ["CascadeGeocoder", "GeocodeQuery", "OfflineGeocoder"]

#: A point placed otherwise joins the park its address names only within this distance of the
#: park's point (a town's point for a stand-in): farther, the address or the point is wrong.
NAMED_PARK_MAX_M = 5_000.0


class CascadeGeocoder:
    """The regional cascade; offline unless an online ``address_backend`` is given."""

    def __init__(
        self,
        gazetteer: Gazetteer,
        *,
        park_names: ParkNames | None = None,
        address_backend: AddressBackend | None = None,
    ) -> None:
        self.gazetteer = gazetteer
        self.park_names = park_names
        self.address_backend = address_backend
        self._allowed: dict[str, set[str]] = {}

    @property
    def name(self) -> str:
        return self.address_backend.name if self.address_backend else "offline"

    # --- names --------------------------------------------------------------------------------

    def resolve_municipality(self, text: str, *, field: str = "municipalite") -> Municipality:
        """Return the regional place ``text`` names or raise with suggestions."""
        muni = self.gazetteer.match(text)
        if muni is None:
            raise self._unknown_place(text, field)
        return muni

    def _unknown_place(self, text: str, field: str) -> GeocodingError:
        suggestions = [m.name for m in self.gazetteer.suggest(text)]
        return GeocodingError(
            tr(
                "Municipalité inconnue dans la région : {text!r}. Vouliez-vous dire : {hints} ?",
                text=text,
                hints=", ".join(suggestions),
            )
            if suggestions
            else tr("Municipalité inconnue dans la région : {text!r}.", text=text),
            field=field,
            suggestions=suggestions,
            not_found=True,
        )

    # --- the cascade --------------------------------------------------------------------------

    def place_in_region(self, query: GeocodeQuery) -> Location:
        """Place a member site: :meth:`geocode`, and a place outside the region is refused.

        The refusal names what put the site outside: the coordinates when given, else the
        postal code when given, else the municipality.
        """
        location = self.geocode(query)
        if location.outside_region:
            field = (
                "latitude"
                if query.lat is not None
                else ("code_postal" if query.postal_code else "municipalite")
            )
            raise GeocodingError(
                location.note or "Lieu hors du Saguenay–Lac-Saint-Jean.",
                field=field,
                outside_region=True,
            )
        return location

    def geocode(self, query: GeocodeQuery) -> Location:
        """Place ``query`` or raise :class:`GeocodingError`."""
        muni: Municipality | None = None
        if query.municipality:
            muni = self.gazetteer.match(query.municipality)
            if muni is None:
                outside = self.gazetteer.outside_place(query.municipality)
                if outside is None:
                    raise self._unknown_place(query.municipality, "municipalite")
                if query.lat is None and not query.postal_code:
                    return Location(
                        lon=outside.lon,
                        lat=outside.lat,
                        precision=Precision.MUNICIPALITY,
                        source="geonames-quebec",
                        score=0.3,
                        outside_region=True,
                        label=outside.name,
                        note=f"{outside.name} est au Québec, hors du Saguenay–Lac-Saint-Jean.",
                    )
        if query.lat is not None or query.lon is not None:
            return self._in_named_park(query, muni, None, self._coordinates(query, muni))
        code = None
        notes: list[str] = []
        if query.postal_code and len(query.postal_code.strip()) == 3:
            return area_alone(self.gazetteer, query.postal_code.strip().upper(), muni)
        if query.postal_code:
            code = normalize_postal_code(query.postal_code)
            if code is None:
                raise GeocodingError(
                    tr(
                        "Code postal mal formé : {postal_code!r} (attendu : A1A 1A1).",
                        postal_code=query.postal_code,
                    ),
                    field="code_postal",
                )
            found = postal_code_location(self.gazetteer, code, muni)
            if found is not None:
                return self._in_named_park(query, muni, code, found)
        unavailable = False
        if self.address_backend is not None and query.address:
            try:
                online = online_location(self.address_backend, self.gazetteer, query, muni)
            except GeocoderUnavailable as exc:
                online, unavailable = None, True
                notes.append(f"géocodeur en ligne indisponible ({exc.message})")
            if online is not None:
                return online
        park, park_candidates = self._park(query, muni, code)
        if park is not None:
            return _noted(park, notes, degraded=unavailable)
        if park_candidates:
            notes.append("plusieurs parcs portent ce nom : choisissez parmi les candidats")
        if code is not None:
            area = postal_area_location(self.gazetteer, code, muni)
            if area is not None:
                return _noted(area, notes, degraded=unavailable)
        if muni is not None:
            return replace(
                municipality_location(muni),
                note="; ".join(notes) or None,
                candidates=park_candidates,
                degraded=unavailable,
            )
        if query.address:
            last = query.address.split(",")[-1]
            error = self._unknown_place(last, "q")
            raise GeocodingError(
                tr(
                    "Aucun lieu de la région ne correspond à {address!r} : ajoutez la "
                    "municipalité ou le code postal. Vouliez-vous dire : {hints} ?",
                    address=query.address,
                    hints=", ".join(error.extra["suggestions"]),
                )
                if error.extra["suggestions"]
                else tr(
                    "Aucun lieu de la région ne correspond à {address!r} : ajoutez la "
                    "municipalité ou le code postal.",
                    address=query.address,
                ),
                field="q",
                suggestions=error.extra["suggestions"],
                not_found=True,
            )
        raise GeocodingError(
            tr(
                "Impossible de situer ce site : donnez une municipalité, un code postal ou des "
                "coordonnées."
            ),
            field="municipalite",
        )

    # --- steps --------------------------------------------------------------------------------

    def _park_places(self, muni: Municipality) -> set[str]:
        """Where a park may lie for a text naming ``muni``: its borough or municipality.

        A sector ("Bagotville") stands for its borough (La Baie); a park of another borough of
        the same city is not the one meant.
        """
        cached = self._allowed.get(muni.id)
        if cached is None:
            level = muni
            while level.kind == "sector" and level.parent_id in self.gazetteer.municipalities:
                level = self.gazetteer.municipalities[level.parent_id]
            cached = {
                m.id
                for m in self.gazetteer.municipalities.values()
                if self.gazetteer.within(m, level)
            }
            self._allowed[muni.id] = cached
        return cached

    def _park(
        self, query: GeocodeQuery, muni: Municipality | None, code: str | None
    ) -> tuple[Location | None, tuple[Location, ...]]:
        """Return the park the address names, or None and the parks it might mean."""
        text = ", ".join(t for t in (query.address, query.municipality) if t)
        if self.park_names is None or not text:
            return None, ()
        allowed = self._park_places(muni) if muni is not None else None
        if code is not None and code[:3] in self.gazetteer.postal_areas:
            # A regional postal area written with the address must serve the park's place.
            by_code = {
                m.id
                for m in self.gazetteer.municipalities.values()
                if fsa_fits(self.gazetteer, code[:3], m)
            }
            allowed = by_code if allowed is None else allowed & by_code
        # The address alone first ("Parc industriel de Kénogami, Jonquière"), then the whole
        # text: "Port de Saguenay" or "Parc industriel de Mashteuiatsh" name a park with the
        # very words that also name its town.
        found = None
        if query.address:
            found = self.park_names.match(query.address, municipality_ids=allowed)
        if found is None or found.ambiguous_with:
            found = self.park_names.match(text, municipality_ids=allowed) or found
        if found is None:
            return None, ()
        park = found.park
        # A park named in the text is that park's, whatever its outline; but where a town point
        # stands in for it, the point says no more than the town's centre.
        stand_in = not claims_by_geometry(park.outline_status)
        as_location = Location(
            lon=park.centre_lon,
            lat=park.centre_lat,
            precision=Precision.PARK,
            source=f"parcs-{found.how}",
            score=(0.6 if found.how != "rue" else 0.5) - (0.2 if stand_in else 0.0),
            municipality_id=muni.id if muni else park.municipality_id,
            park_id=park.id,
            label=park.name,
            note=str(tr("parc non localisé : point de la ville")) if stand_in else None,
        )
        if found.ambiguous_with:
            # Several parks answer ("parc industriel d'Alma"): none is placed, all are offered.
            others = tuple(
                replace(as_location, lon=p.centre_lon, lat=p.centre_lat, park_id=p.id, label=p.name)
                for p in found.ambiguous_with
            )
            return None, (as_location, *others)
        return as_location, ()

    def _in_named_park(
        self, query: GeocodeQuery, muni: Municipality | None, code: str | None, found: Location
    ) -> Location:
        """``found``, in the park its address names if its point lies near that park.

        A town stand-in outline claims no site by geometry: a site in such a park is known by
        its address (the park's name, an alias, one of its streets). The point stays where the
        coordinates or the postal code put it.
        """
        if found.park_id is not None or found.outside_region or not query.address:
            return found
        park, _ = self._park(query, muni, code)
        if park is None or park.park_id is None:
            return found
        if distance_m(found.lon, found.lat, park.lon, park.lat) > NAMED_PARK_MAX_M:
            return found
        note = str(tr("parc d'après l'adresse : {park}", park=park.label or park.park_id))
        return replace(
            found, park_id=park.park_id, note="; ".join(n for n in (found.note, note) if n)
        )

    def _coordinates(self, query: GeocodeQuery, muni: Municipality | None) -> Location:
        lat, lon = query.lat, query.lon
        if lat is None or lon is None:
            missing = "longitude" if lon is None else "latitude"
            raise GeocodingError(
                tr(
                    "Latitude et longitude vont ensemble : il manque la {missing}.", missing=missing
                ),
                field=missing,
            )
        if not (math.isfinite(lat) and math.isfinite(lon)):
            raise GeocodingError(tr("Coordonnées non finies."), field="latitude")
        swapped = GeocodingError(
            tr(
                "Latitude et longitude semblent inversées ({lat}, {lon}) : "
                "latitude {lon}, longitude {lat} ?",
                lat=lat,
                lon=lon,
            ),
            field="latitude",
            swapped=True,
        )
        if not -90 <= lat <= 90:
            if -90 <= lon <= 90 and -180 <= lat <= 180 and self.gazetteer.region.contains(lat, lon):
                raise swapped
            raise GeocodingError(
                tr("Latitude hors limites : {lat} (attendu : -90 à 90).", lat=lat), field="latitude"
            )
        if not -180 <= lon <= 180:
            raise GeocodingError(
                tr("Longitude hors limites : {lon} (attendu : -180 à 180).", lon=lon),
                field="longitude",
            )
        inside = self.gazetteer.region.contains(lon, lat)
        if not inside and self.gazetteer.region.contains(lat, lon):
            raise swapped
        return Location(
            lon=lon,
            lat=lat,
            precision=Precision.MANUAL,
            source="coordonnees-fournies",
            score=1.0,
            municipality_id=muni.id if muni and inside else None,
            outside_region=not inside,
            note=None
            if inside
            else f"Le point ({lat}, {lon}) est hors du Saguenay–Lac-Saint-Jean.",
        )


def _noted(location: Location, notes: list[str], *, degraded: bool = False) -> Location:
    if not notes:
        return location
    return replace(
        location,
        note="; ".join([*notes, *([location.note] if location.note else [])]),
        degraded=degraded,
    )


#: The default geocoder's historical name: the cascade without an online backend.
OfflineGeocoder = CascadeGeocoder
