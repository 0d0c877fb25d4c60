"""Geocoding use cases over the registry: one query, a point, a batch run, a hand correction.

Called through :class:`~mapservice.services.Services` by the API, the pages and the CLI.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mapservice.domain.collation import collation_key
from mapservice.domain.model import Location, Precision, Site
from mapservice.errors import GeocodingError, InvalidInput, check_plain_text, tr
from mapservice.geocoding import GeocodeQuery, parse_query
from mapservice.geocoding.base import MANUAL_SOURCE
from mapservice.geocoding.parks import with_park_note

if TYPE_CHECKING:
    from mapservice.services import Services

#: Precisions good enough to trust without a look; worse ones are listed for review.
TRUSTED = (Precision.MANUAL, Precision.ADDRESS, Precision.POSTCODE)
BATCH_MODES = ("missing", "all")


def location_json(services: Services, location: Location) -> dict[str, Any]:
    """The API's view of a :class:`Location`: lat/lon, precision, place, park, candidates."""
    munis = services.gazetteer.municipalities
    muni = munis.get(location.municipality_id or "")
    park_match = services.park_locator.assign(location)
    parks = services.park_ids()
    park = parks.get(park_match.park_id) if park_match else None
    return {
        "lat": round(location.lat, 6),
        "lon": round(location.lon, 6),
        "precision": location.precision.value,
        "source": location.source,
        "score": round(location.score, 3),
        "label": location.label,
        "outside_region": location.outside_region,
        "municipality": None
        if muni is None
        else {
            "id": muni.id,
            "name": muni.name,
            "kind": muni.kind,
            "municipality": services.gazetteer.municipality_of(muni).name,
            "mrc": muni.mrc,
        },
        "park": None
        if park is None
        else {
            "id": park.id,
            "name": park.name,
            "distance_m": round(park_match.distance_m, 1) if park_match else None,
            "outline_status": park.outline_status,
            "confidence": park_match.confidence if park_match else None,
            "note": str(park_match.note) if park_match and park_match.note else None,
        },
        "note": location.note,
        "candidates": [
            {k: v for k, v in location_json(services, c).items() if k != "candidates"}
            for c in location.candidates
        ],
    }


def geocode_text(services: Services, q: str | None, **parts: str | None) -> dict[str, Any]:
    """Answer ``/api/v1/geocode``: free text ``q`` and/or structured parts."""
    structured = {k: v.strip() for k, v in parts.items() if v and v.strip()}
    if q is not None and q.strip():
        query = parse_query(q, services.gazetteer)
        query = GeocodeQuery(
            address=structured.get("address", query.address),
            municipality=structured.get("municipality", query.municipality),
            postal_code=structured.get("postal_code", query.postal_code),
            lat=query.lat,
            lon=query.lon,
        )
    elif structured:
        for name, value in structured.items():
            if len(value) > 300:
                raise InvalidInput(
                    tr("Paramètre {name} trop long (au plus 300 caractères).", name=name),
                    field=name,
                )
        query = GeocodeQuery(
            address=structured.get("address"),
            municipality=structured.get("municipality"),
            postal_code=structured.get("postal_code"),
        )
    else:
        raise InvalidInput(
            tr(
                "Paramètre q manquant : écrivez une adresse, un lieu ou un code "
                "postal (ex. q=Jonquière ou q=G7X 0E4)."
            ),
            field="q",
        )
    location = services.geocoder.geocode(query)
    return {"query": q, **location_json(services, location)}


def reverse_json(services: Services, lon: float, lat: float) -> dict[str, Any]:
    """Answer ``/api/v1/reverse``: municipality, postal area, park of a point."""
    _check_point(lon, lat)
    found = services.reverse_geocoder.reverse(lon, lat)
    parks = services.park_ids()
    park = parks.get(found.park.park_id) if found.park else None
    return {
        "lat": lat,
        "lon": lon,
        "outside_region": found.outside_region,
        "method": found.method,
        "place": None
        if found.place is None
        else {"id": found.place.id, "name": found.place.name, "kind": found.place.kind},
        "municipality": None
        if found.municipality is None
        else {
            "id": found.municipality.id,
            "name": found.municipality.name,
            "mrc": found.municipality.mrc,
        },
        "postal_code": found.postal_code.code if found.postal_code else None,
        "postal_code_distance_m": found.postal_code_distance_m,
        "fsa": found.fsa,
        "park": None
        if park is None or found.park is None
        else {"id": park.id, "name": park.name, "distance_m": round(found.park.distance_m, 1)},
        "nearest_place_outside": None
        if found.nearest_outside is None
        else {
            "name": found.nearest_outside.name,
            "lat": found.nearest_outside.lat,
            "lon": found.nearest_outside.lon,
        },
    }


def _check_point(lon: float, lat: float) -> None:
    if not (math.isfinite(lat) and -90 <= lat <= 90):
        raise InvalidInput(
            tr("Latitude invalide : {lat} (attendu : -90 à 90).", lat=lat), field="lat"
        )
    if not (math.isfinite(lon) and -180 <= lon <= 180):
        raise InvalidInput(
            tr("Longitude invalide : {lon} (attendu : -180 à 180).", lon=lon), field="lon"
        )


# --- batch ------------------------------------------------------------------------------------


@dataclass
class BatchSummary:
    run_id: int
    backend: str
    mode: str
    resumed: bool
    total: int
    done_now: int
    statuses: dict[str, int] = field(default_factory=dict)
    by_precision: dict[str, int] = field(default_factory=dict)
    failures: list[tuple[int, str]] = field(default_factory=list)
    review: list[Site] = field(default_factory=list)


def query_of(services: Services, site: Site) -> GeocodeQuery:
    muni = services.gazetteer.municipalities.get(site.municipality_id or "")
    return GeocodeQuery(
        address=site.address, municipality=muni.name if muni else None, postal_code=site.postal_code
    )


def batch_targets(services: Services, mode: str, backend: str) -> list[int]:
    """Which sites a run geocodes. Sites placed by a person are never touched."""
    if mode not in BATCH_MODES:
        raise InvalidInput(
            tr(
                "Mode inconnu : {mode!r} (attendu : {allowed}).",
                mode=mode,
                allowed=", ".join(BATCH_MODES),
            ),
            field="mode",
        )
    out = []
    for site in services.repo.sites():
        if site.id is None or site.geocode_precision is Precision.MANUAL:
            continue
        never = site.lon is None or site.geocode_precision is None
        untried_online = (
            backend != "offline"
            and site.geocode_precision not in TRUSTED
            and site.geocoded_by != batch_author(backend)
        )
        if mode == "all" or never or untried_online:
            out.append(site.id)
    return out


def batch_author(backend: str) -> str:
    return f"mapservice geocode ({backend})"


def run_batch(
    services: Services,
    *,
    mode: str = "missing",
    backend: str | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> BatchSummary:
    """Geocode the sites ``mode`` selects, resuming an interrupted run of the same kind.

    Each site is saved in its own transaction as soon as it is placed, so an interruption
    loses at most the site in hand; the next call with the same mode and backend picks up
    the sites not yet done.
    """
    backend = backend or services.settings["GEOCODER"]
    geocoder = services.make_geocoder(backend)
    run = services.repo.open_geocode_run(mode, backend, batch_targets(services, mode, backend))
    author = batch_author(backend)
    done_before = run.total - len(run.pending)
    for index, site_id in enumerate(run.pending, start=1):
        site = services.repo.get_site(site_id)
        try:
            location = geocoder.place_in_region(query_of(services, site))
        except GeocodingError as exc:
            services.repo.set_site_location(
                site_id,
                None,
                park_id=None,
                by=author,
                note=exc.message,
                run_id=run.id,
                status="failed",
            )
        else:
            if location.degraded and site.lon is not None:
                # The online service did not answer: its offline fallback is no reason to
                # move a site that already has a place. Nothing changes; a later run asks again.
                services.repo.skip_geocode_run_site(
                    run.id, site_id, f"{location.note} : position inchangée"
                )
            else:
                park = services.park_locator.assign(location)
                services.repo.set_site_location(
                    site_id,
                    location,
                    park_id=park.park_id if park else None,
                    # a fallback is credited to the offline cascade, so a later online run
                    # of the same kind tries the site again
                    by=batch_author("offline") if location.degraded else author,
                    note=with_park_note(location.note, park),
                    run_id=run.id,
                )
        if on_progress:
            on_progress(done_before + index, run.total)
    statuses = services.repo.finish_geocode_run(run.id)
    sites = services.repo.sites()
    return BatchSummary(
        run_id=run.id,
        backend=backend,
        mode=mode,
        resumed=run.resumed,
        total=run.total,
        done_now=len(run.pending),
        statuses=statuses,
        by_precision=precision_counts(sites),
        failures=services.repo.geocode_run_failures(run.id),
        review=to_review(sites),
    )


def precision_counts(sites: list[Site]) -> dict[str, int]:
    counts = Counter(s.geocode_precision.value if s.geocode_precision else "aucune" for s in sites)
    order = [p.value for p in sorted(Precision, key=lambda p: p.rank)] + ["aucune"]
    return {name: counts[name] for name in order if counts[name]}


def to_review(sites: list[Site]) -> list[Site]:
    """Sites placed worse than by postal code (or not at all), least precise first."""
    pending = [s for s in sites if s.geocode_precision not in TRUSTED]
    return sorted(
        pending,
        key=lambda s: (
            s.geocode_precision.rank if s.geocode_precision else 99,
            collation_key(s.member_name or ""),
            collation_key(s.name),
        ),
    )


# --- hand correction --------------------------------------------------------------------------


def move_site(
    services: Services, site_id: int, lon: float, lat: float, by: str, *, actor: str | None = None
) -> Site:
    """Place a site where a person dropped it: precision ``manual``, with who and when.

    ``by`` is the name the form credits on the site; the audit log names ``actor`` (the
    signed-in person), else ``by``.
    """
    by = check_plain_text((by or "").strip(), "by")
    if not by:
        raise InvalidInput(tr("Indiquez qui fait la correction (champ « par »)."), field="by")
    if len(by) > 120:
        raise InvalidInput(tr("Nom trop long (au plus 120 caractères)."), field="by")
    _check_point(lon, lat)
    if not services.gazetteer.region.contains(lon, lat):
        raise InvalidInput(
            tr(
                "Le point ({lat:.5f}, {lon:.5f}) est hors du Saguenay–Lac-Saint-Jean.",
                lat=lat,
                lon=lon,
            ),
            field="lat",
        )
    services.repo.get_site(site_id)  # 404 before anything is written
    place = services.reverse_geocoder.reverse(lon, lat)
    location = Location(
        lon=lon,
        lat=lat,
        precision=Precision.MANUAL,
        source=MANUAL_SOURCE,
        score=1.0,
        municipality_id=place.place.id if place.place else None,
    )
    park = services.park_locator.assign(location)
    services.repo.set_site_location(
        site_id,
        location,
        park_id=park.park_id if park else None,
        by=by,
        note=with_park_note(None, park),
        actor=actor,
    )
    return services.repo.get_site(site_id)
