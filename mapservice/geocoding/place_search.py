"""The map's place box: one line a reader types, read by the geocoder, answered as where to go.

The offline cascade (the regional gazetteer, postal codes, parks and their streets) answers
first; the online geocoder is asked only when one is configured (``MAPSERVICE_GEOCODER``), and
it paces and caches its own requests. Nothing here reads the registry: a place search says
where a town, a postal code, a park or a street is, never where a member is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mapservice.domain.model import Precision
from mapservice.errors import InvalidInput, check_plain_text, tr
from mapservice.geocoding.freetext import parse_query

if TYPE_CHECKING:
    from mapservice.services import Services

#: Longest text the box accepts: a civic address with its town and postal code fits.
MAX_PLACE_CHARS = 200
#: How close the map comes for what was found: a house, a postal code, a park, a town.
ZOOM_BY_PRECISION = {
    Precision.MANUAL: 16,
    Precision.ADDRESS: 17,
    Precision.POSTCODE: 15,
    Precision.PARK: 14,
    Precision.FSA: 12,
    Precision.MUNICIPALITY: 12,
}


def check_place_text(q: str | None) -> str:
    """Return the box's text stripped, or raise :class:`InvalidInput` saying what is wrong.

    Only what is the box's own (its message for an empty box, its length) and where a control
    character stands; that a query holds a letter or a digit is checked once, where the
    geocoder reads it (:func:`parse_query`).
    """
    text = (q or "").strip()
    if not text:
        raise InvalidInput(
            tr("Écrivez un lieu, une adresse ou un code postal (ex. Jonquière ou G7X 0E4)."),
            field="q",
        )
    if len(text) > MAX_PLACE_CHARS:
        raise InvalidInput(
            tr(
                "Recherche de lieu trop longue : {n} caractères (au plus {max_chars}).",
                n=len(text),
                max_chars=MAX_PLACE_CHARS,
            ),
            field="q",
        )
    return check_plain_text(text, "q")


def find_place(services: Services, q: str | None) -> dict[str, Any]:
    """Where the place ``q`` names is: its label, point, precision and a zoom to show it.

    Raises :class:`InvalidInput` for an empty or too long text, or one with a control
    character; :class:`~mapservice.errors.GeocodingError` for a text with neither letter nor
    digit (the geocoder's own reading of a query, :func:`parse_query`), or with ``not_found``
    in its extra when no place matched.
    """
    text = check_place_text(q)
    location = services.geocoder.geocode(parse_query(text, services.gazetteer))
    return {
        "query": text,
        "label": location.label or text,
        "lat": round(location.lat, 6),
        "lon": round(location.lon, 6),
        "precision": location.precision.value,
        "zoom": ZOOM_BY_PRECISION[location.precision],
        "outside_region": location.outside_region,
    }
