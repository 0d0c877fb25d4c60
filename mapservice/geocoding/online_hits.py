"""The online address step of the geocoding cascade: what is asked, and which hits are kept.

The query sent is the address with the place and postal code written beside it; a hit counts
only inside the region and, when a place was named, within :data:`ONLINE_RADIUS_M` of it (or
of the municipality it belongs to). See :mod:`mapservice.geocoding.pipeline`.
"""

from __future__ import annotations

from dataclasses import replace

from mapservice.domain.model import Location, Municipality, Precision
from mapservice.geocoding.base import AddressBackend, AddressHit, GeocodeQuery
from mapservice.geocoding.gazetteer import Gazetteer
from mapservice.geocoding.region import distance_m

#: An online hit further than this from the place named with the address is someone else's.
ONLINE_RADIUS_M = 25_000.0


def online_location(
    backend: AddressBackend, gazetteer: Gazetteer, query: GeocodeQuery, muni: Municipality | None
) -> Location | None:
    """Ask ``backend`` for the address; keep the hits in the region and near the place named.

    The best hit is the answer, the next four its candidates; None when no hit is kept.
    """
    parts = [query.address or ""]
    if muni is not None:
        parts.append(gazetteer.municipality_of(muni).name if muni.kind == "sector" else muni.name)
    if query.postal_code:
        parts.append(query.postal_code)
    parts.append("Québec, Canada")
    hits = backend.search(", ".join(p for p in parts if p))
    kept: list[AddressHit] = []
    for hit in hits:
        if not gazetteer.region.contains(hit.lon, hit.lat):
            continue
        if muni is not None and not _near(gazetteer, hit, muni):
            continue
        kept.append(hit)
    if not kept:
        return None
    best, *others = kept
    source = backend.name
    return replace(
        _hit_location(best, source, muni),
        candidates=tuple(_hit_location(h, source, muni) for h in others[:4]),
    )


def _near(gazetteer: Gazetteer, hit: AddressHit, muni: Municipality) -> bool:
    top = gazetteer.municipality_of(muni)
    return min(distance_m(hit.lon, hit.lat, m.lon, m.lat) for m in (muni, top)) <= (ONLINE_RADIUS_M)


_HIT_PRECISION = {
    "house": (Precision.ADDRESS, 0.95),
    "street": (Precision.ADDRESS, 0.7),
    "postcode": (Precision.POSTCODE, 0.8),
    "place": (Precision.MUNICIPALITY, 0.4),
    "other": (Precision.ADDRESS, 0.6),
}


def _hit_location(hit: AddressHit, source: str, muni: Municipality | None) -> Location:
    precision, score = _HIT_PRECISION.get(hit.kind, _HIT_PRECISION["other"])
    return Location(
        lon=hit.lon,
        lat=hit.lat,
        precision=precision,
        source=source,
        score=score,
        municipality_id=muni.id if muni else None,
        label=hit.label,
        note="rue trouvée, pas le numéro civique" if hit.kind == "street" else None,
    )
