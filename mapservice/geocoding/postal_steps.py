"""The postal steps of the geocoding cascade: a full code, a postal area alone or as fallback."""

from __future__ import annotations

from dataclasses import replace

from mapservice.domain.model import Location, Municipality, Precision
from mapservice.errors import GeocodingError, Message, tr
from mapservice.geocoding.gazetteer import Gazetteer, PostalPoint
from mapservice.geocoding.postal_checks import MUNICIPALITY, NEIGHBOURS
from mapservice.geocoding.region import distance_m

#: A postal code and a place name further apart than this disagree.
CONFLICT_M = 8_000.0
#: The score of a code the build moved (far from its town or in water), by its precision.
MOVED_SCORES = {NEIGHBOURS: 0.6, MUNICIPALITY: 0.4}


def moved_note(gazetteer: Gazetteer, point: PostalPoint) -> Message | None:
    """Say why and where the build moved a postal code, or None for a code at its own point."""
    town = gazetteer.municipalities.get(point.municipality_id)
    if not point.moved or town is None:
        return None
    source_lon = point.source_lon if point.source_lon is not None else point.lon
    source_lat = point.source_lat if point.source_lat is not None else point.lat
    far_m = gazetteer.beyond_extent_m(town, source_lon, source_lat)
    reason = (
        tr(
            "le point GeoNames du code postal {code} est à {distance_km:.1f} km de {town}, "
            "au-delà des {extent_km:.1f} km admis",
            code=point.code,
            distance_km=far_m / 1000,
            town=town.name,
            extent_km=gazetteer.extents_m[town.id] / 1000,
        )
        if far_m is not None
        else tr(
            "le point GeoNames du code postal {code} tombe dans le lac Saint-Jean ou le fjord "
            "du Saguenay",
            code=point.code,
        )
    )
    if point.precision == NEIGHBOURS:
        area = gazetteer.postal_areas.get(point.code[:3])
        if area is not None and not area.urban:
            # A rural area gives a village two codes: the neighbour is the village's other one.
            return tr("{reason} : placé au point de l'autre code du village.", reason=reason)
        return tr("{reason} : placé au centre de ses codes voisins.", reason=reason)
    return tr("{reason} : placé au centre de {town}.", reason=reason, town=town.name)


def postal_code_location(
    gazetteer: Gazetteer, code: str, muni: Municipality | None
) -> Location | None:
    """The point of a full postal ``code``; None when its regional area may answer instead."""
    point = gazetteer.postal_codes.get(code)
    if point is not None:
        location = Location(
            lon=point.lon,
            lat=point.lat,
            precision=Precision.MUNICIPALITY
            if point.precision == MUNICIPALITY
            else Precision.POSTCODE,
            source="geonames-postal-code",
            score=MOVED_SCORES.get(point.precision, 0.9),
            municipality_id=point.municipality_id,
            label=code,
            note=moved_note(gazetteer, point),
        )
        return _check_agrees(gazetteer, location, muni, f"le code postal {code}")
    if code[:3] in gazetteer.postal_areas:
        return None  # an unknown code of a regional area: the postal-area step may answer
    outside = gazetteer.outside_areas.get(code[:3])
    if muni is not None or outside is None:
        where = tr(" (zone {name})", name=outside.name) if outside else ""
        raise GeocodingError(
            tr(
                "Le code postal {code}{where} n'est pas du Saguenay–Lac-Saint-Jean, alors "
                "que la municipalité {name} l'est.",
                code=code,
                where=where,
                name=muni.name,
            )
            if muni
            else tr(
                "Le code postal {code}{where} n'est pas du Saguenay–Lac-Saint-Jean.",
                code=code,
                where=where,
            ),
            field="code_postal",
            outside_region=True,
        )
    return Location(
        lon=outside.lon,
        lat=outside.lat,
        precision=Precision.FSA,
        source="geonames-quebec",
        score=0.3,
        outside_region=True,
        label=code,
        note=f"Le code postal {code} est au Québec ({outside.name}), hors de la région.",
    )


def area_alone(gazetteer: Gazetteer, fsa: str, muni: Municipality | None) -> Location:
    """A postal area alone ("G7H"): its centre if urban; refused if rural or unknown."""
    area = gazetteer.postal_areas.get(fsa)
    if area is not None and area.urban:
        return Location(
            lon=area.lon,
            lat=area.lat,
            precision=Precision.FSA,
            source="statcan-fsa-centroid",
            score=0.5,
            label=fsa,
            municipality_id=muni.id if muni else None,
        )
    if area is not None:
        raise GeocodingError(
            tr(
                "La zone postale {fsa} ({label}) couvre des centaines de km : donnez le "
                "code postal complet ou la municipalité.",
                fsa=fsa,
                label=area.label,
            ),
            field="code_postal",
        )
    outside = gazetteer.outside_areas.get(fsa)
    if outside is not None and muni is None:
        return Location(
            lon=outside.lon,
            lat=outside.lat,
            precision=Precision.FSA,
            source="geonames-quebec",
            score=0.3,
            outside_region=True,
            label=fsa,
            note=f"La zone postale {fsa} est au Québec, hors de la région.",
        )
    raise GeocodingError(
        tr("Zone postale inconnue dans la région : {fsa!r}.", fsa=fsa),
        field="code_postal",
        outside_region=outside is not None,
    )


def postal_area_location(
    gazetteer: Gazetteer, code: str, muni: Municipality | None
) -> Location | None:
    """The centre of the urban postal area of ``code`` when it serves ``muni``, else None."""
    area = gazetteer.postal_area(code)
    if area is None or not area.urban:
        return None
    if muni is not None and not fsa_fits(gazetteer, area.fsa, muni):
        return None
    return Location(
        lon=area.lon,
        lat=area.lat,
        precision=Precision.FSA,
        source="statcan-fsa-centroid",
        score=0.5,
        municipality_id=muni.id if muni else None,
        label=area.fsa,
        note=f"code postal {code} absent de la table : centre de la zone {area.fsa}",
    )


def fsa_fits(gazetteer: Gazetteer, fsa: str, muni: Municipality) -> bool:
    """Whether a postal area serves ``muni`` (or, when it lists none, its parent)."""
    current: Municipality | None = muni
    while current is not None:
        if current.fsa:
            return fsa in current.fsa
        current = gazetteer.municipalities.get(current.parent_id or "")
    return False


def _check_agrees(
    gazetteer: Gazetteer, location: Location, muni: Municipality | None, what: str
) -> Location:
    """Keep ``location`` but say so, with the place as a candidate, when they disagree."""
    if muni is None or location.municipality_id is None:
        return location if muni is None else replace(location, municipality_id=muni.id)
    here = gazetteer.municipalities.get(location.municipality_id)
    if here is not None and (gazetteer.within(here, muni) or gazetteer.within(muni, here)):
        beyond_m = gazetteer.beyond_extent_m(muni, location.lon, location.lat)
        if beyond_m is None:
            return replace(
                location, municipality_id=muni.id if gazetteer.within(muni, here) else here.id
            )
        beyond = {
            "code": location.label,
            "distance_km": beyond_m / 1000,
            "town": muni.name,
            "extent_km": gazetteer.extents_m.get(muni.id, 0.0) / 1000,
        }
        if muni.id != here.id and gazetteer.within(muni, here):
            # A part of the code's town is named (a sector, a borough): which part is meant
            # is unsure, so the code's point stays, with less trust and the part as candidate.
            return replace(
                location,
                score=round(location.score * 0.6, 3),
                note=_joined(
                    location.note,
                    tr(
                        "le code postal {code} est placé à {distance_km:.1f} km de {town}, "
                        "au-delà des {extent_km:.1f} km admis : vérifiez l'adresse.",
                        **beyond,
                    ),
                ),
                candidates=(municipality_location(muni),),
            )
        # The code's own town is named, but its point lies outside it: the town is the surer.
        return replace(
            municipality_location(muni),
            note=tr(
                "le code postal {code} est placé à {distance_km:.1f} km de {town}, au-delà des "
                "{extent_km:.1f} km admis : le centre de {town} est retenu.",
                **beyond,
            ),
            candidates=(location,),
        )
    if distance_m(location.lon, location.lat, muni.lon, muni.lat) <= CONFLICT_M:
        return location
    where = here.name if here else location.municipality_id
    conflict = f"{what} est à {where}, pas à {muni.name} : vérifiez l'adresse."
    return replace(
        location,
        score=round(location.score * 0.6, 3),
        note=_joined(location.note, conflict),
        candidates=(municipality_location(muni),),
    )


def _joined(first: str | None, second: str) -> str:
    """Both notes, the first (why a moved code was moved) kept when there is one."""
    return tr("{first} ; {second}", first=first, second=second) if first else second


def municipality_location(muni: Municipality) -> Location:
    """A municipality's centre, the cascade's last resort before refusing."""
    return Location(
        lon=muni.lon,
        lat=muni.lat,
        precision=Precision.MUNICIPALITY,
        source="gazetteer",
        score=0.3,
        municipality_id=muni.id,
        label=muni.name,
    )
