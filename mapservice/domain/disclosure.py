"""What leaves for one reader: the one anonymisation every page, popup, export and API applies.

Members share quantities and places on the promise that only staff see them. Hiding a field is
not enough when another figure gives it back: a benefit divided by the published factors gives
the tonnes, a score minus its public terms gives the quantity ratio, three exact distances to
known partners give a hidden point. So the registry is disclosed once, before anything is
filtered, searched, sorted, counted or written, and every output works on what this module
returns (:func:`shown_registry`, :func:`shown_synergy`):

- a site is *exact* for a reader who sees confidential data (staff), whose member consented to
  be named, or who may read names in its park (a park manager's own parks); any other site is
  *hidden*: unnamed, without address, postal code or description, at its park's centre (or its
  town's or borough's), with the two digits of its SCIAN code only (its sector);
- a quantity marked confidential leaves only to staff;
- a synergy with a withheld quantity (*secret*) loses every figure that scales with it: tonnes,
  CO2e, costs, benefit, score, and the reason that states the quantities;
- a synergy with a hidden end (*moved*) is measured between the *shown* points (straight line,
  no road distance, no drive time), and loses every figure that depends on the true distance:
  CO2e of transport and net, costs, benefit, score, and the reasons that state distances.

The score is withheld rather than banded: its quantity term is a fixed share of it, and any
band narrow enough to be useful, with the public terms beside it, pins the quantity ratio.
Pure: no Flask, no database.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

from mapservice.domain.access import Scope
from mapservice.domain.model import (
    Flow,
    Municipality,
    Park,
    Precision,
    Site,
    Synergy,
    places_holding,
)
from mapservice.domain.reasons import shown_reasons
from mapservice.domain.sectors import shown_sector
from mapservice.routing.geodesic import geodesic_m


def shown_place(site: Site, munis: Mapping[str, Municipality]) -> Municipality | None:
    """The municipality or borough of a site (a sector stands for the place that holds it)."""
    return place_shown_for(site.municipality_id, munis)


def place_shown_for(
    municipality_id: str | None, munis: Mapping[str, Municipality]
) -> Municipality | None:
    """The place shown for a site of ``municipality_id``: itself, or the municipality or
    borough that holds a sector."""
    chain = places_holding(municipality_id, munis)
    return next((m for m in chain if m.kind != "sector"), chain[-1] if chain else None)


def hidden_points(
    parks: Mapping[str, Park], munis: Mapping[str, Municipality]
) -> tuple[dict[str, tuple[float, float]], dict[str, tuple[float, float]]]:
    """Where hidden sites are drawn, as ``(lon, lat)``: by park id (its centre), and by
    municipality id for sites in no park (its shown place's point; see :func:`hidden_site`).
    A box query reads, beside the sites whose own point is in the box, those of the parks and
    municipalities drawn in it."""
    by_park = {p.id: (p.centre_lon, p.centre_lat) for p in parks.values()}
    by_place = {
        mid: (place.lon, place.lat)
        for mid in munis
        if (place := place_shown_for(mid, munis)) is not None
    }
    return by_park, by_place


def is_exact(site: Site, scope: Scope) -> bool:
    """Whether ``scope`` sees ``site`` as it is: named, at its own point, with its text."""
    return (
        scope.confidential
        or site.public_consent
        or (scope.names and scope.parks is not None and scope.sees_park(site.park_id))
    )


def hidden_site(site: Site, parks: Mapping[str, Park], munis: Mapping[str, Municipality]) -> Site:
    """``site`` as a reader who may not see it exactly sees it.

    The name, site name, address, postal code and geocoding notes go; the point becomes the
    park's centre (or the municipality's or borough's; none when neither is known: not drawn
    rather than drawn exactly); the SCIAN code keeps its sector. The id stays, to join the
    site's flows, but pages give no link for it.
    """
    park = parks.get(site.park_id or "")
    place = shown_place(site, munis)
    lon, lat = (
        (park.centre_lon, park.centre_lat)
        if park
        else (place.lon, place.lat)
        if place
        else (None, None)
    )
    return replace(
        site,
        member_name=None,
        name="",
        address=None,
        postal_code=None,
        lon=lon,
        lat=lat,
        naics_code=shown_sector(site.naics_code),
        geocode_precision=(
            (Precision.PARK if park else Precision.MUNICIPALITY) if lon is not None else None
        ),
        geocode_note=None,
        geocoded_by=None,
        geocode_source=None,
        geocode_score=None,
        geocoded_at=None,
        municipality_id=place.id if place else None,
    )


def anonymised(
    sites: Iterable[Site], parks: Mapping[str, Park], munis: Mapping[str, Municipality]
) -> list[Site]:
    """Sites as the public sees them: those of members who did not consent hidden."""
    return [site if site.public_consent else hidden_site(site, parks, munis) for site in sites]


def quantity_withheld(flow: Flow, scope: Scope) -> bool:
    """Whether ``flow``'s quantity stays with staff for this reader."""
    return flow.confidential and not scope.confidential


def shown_flow(flow: Flow, scope: Scope, *, exact: bool) -> Flow:
    """``flow`` as ``scope`` sees it: without a withheld quantity, and without its text when
    its site is hidden (``exact`` false): searches then cannot match what is not shown."""
    if quantity_withheld(flow, scope):
        flow = replace(flow, quantity=None, unit=None)
    if not exact:
        flow = replace(flow, description="", material_text=None, suggestions=())
    return flow


def shown_registry(
    sites: Iterable[Site],
    flows: Iterable[Flow],
    parks: Mapping[str, Park],
    munis: Mapping[str, Municipality],
    scope: Scope,
) -> tuple[list[Site], list[Flow]]:
    """Sites and flows as ``scope`` sees them, before any filter, search, sort or count.

    Hidden sites come first, in id order, then the exact ones in the order given: where a
    hidden site stands in a list sorted by its name would tell its name.
    """
    exact_ids: set[int | None] = set()
    hidden: list[Site] = []
    exact: list[Site] = []
    for site in sites:
        if is_exact(site, scope):
            exact_ids.add(site.id)
            exact.append(site)
        else:
            hidden.append(hidden_site(site, parks, munis))
    out_sites = exact if scope.confidential else sorted(hidden, key=lambda s: s.id or 0) + exact
    out_flows = [shown_flow(f, scope, exact=f.site_id in exact_ids) for f in flows]
    return out_sites, out_flows


def shown_synergy(
    synergy: Synergy, offer: Flow, need: Flow, offer_site: Site, need_site: Site, scope: Scope
) -> Synergy:
    """``synergy`` as ``scope`` sees it; the flows and sites are the *shown* ones (from
    :func:`shown_registry`), so its distance is measured between the points the reader sees."""
    if scope.confidential:
        return synergy
    secret = quantity_withheld(offer, scope) or quantity_withheld(need, scope)
    moved = not (is_exact(offer_site, scope) and is_exact(need_site, scope))
    if not (secret or moved):
        return synergy
    s = replace(
        synergy,
        score=None,
        transport_kg_co2e=None,
        transport_cost_cad=None,
        net_kg_co2e=None,
        net_benefit_cad=None,
        reasons=shown_reasons(synergy.reasons, secret=secret, moved=moved),
    )
    if secret:
        s = replace(s, tonnes_per_year=None, avoided_kg_co2e=None)
    if moved:
        s = replace(s, geodesic_m=_shown_m(offer_site, need_site), road_m=None, duration_s=None)
    return s


def _shown_m(a: Site, b: Site) -> float | None:
    """Straight-line metres between the shown points (None when either is not drawn, or when
    both stand at the same place: a distance of 0 would say nothing true)."""
    if None in (a.lon, a.lat, b.lon, b.lat) or (a.lon, a.lat) == (b.lon, b.lat):
        return None
    return round(geodesic_m((a.lon, a.lat), (b.lon, b.lat)), 1)  # type: ignore[arg-type]
