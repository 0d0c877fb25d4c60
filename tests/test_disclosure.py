"""The one disclosure: who sees a site exactly, what a hidden site and a withheld quantity
become, and which synergy figures leave with them."""

from __future__ import annotations

import pytest

from mapservice.domain.access import PUBLIC, STAFF, Scope
from mapservice.domain.disclosure import (
    hidden_site,
    is_exact,
    shown_flow,
    shown_registry,
    shown_synergy,
)
from mapservice.domain.model import (
    Direction,
    Flow,
    Municipality,
    Park,
    Precision,
    Site,
    Synergy,
    SynergyKind,
)
from mapservice.domain.reasons import DISTANCE_HIDDEN, QUANTITIES_HIDDEN
from mapservice.routing.geodesic import geodesic_m

MANAGER = Scope(parks=frozenset({"p1"}), confidential=False, names=True)
PARKS = {
    "p1": Park("p1", "Parc un", "parc", "alma", -71.60, 48.55),
    "p2": Park("p2", "Parc deux", "parc", "alma", -71.20, 48.40),
}
MUNIS = {"alma": Municipality("alma", "Alma", "municipalite", "Lac-Saint-Jean-Est", -71.65, 48.55)}


def site(i: int, park: str | None, consent: bool, lon: float, lat: float) -> Site:
    return Site(
        id=i,
        member_id=i,
        name=f"Usine {i}",
        address=f"{i}, rue Secrète",
        municipality_id="alma",
        postal_code="G8B 1A1",
        lon=lon,
        lat=lat,
        park_id=park,
        geocode_precision=Precision.ADDRESS,
        member_name=f"Membre {i}",
        naics_code="321113",
        public_consent=consent,
    )


def flow(i: int, site_id: int, direction: Direction, qty: float, confidential: bool) -> Flow:
    return Flow(
        id=i,
        site_id=site_id,
        direction=direction,
        category_code="bois.sciure",
        description=f"Sciure secrète {i}",
        quantity=qty,
        confidential=confidential,
    )


@pytest.mark.parametrize(
    ("scope", "park", "consent", "exact"),
    [
        (STAFF, "p2", False, True),
        (PUBLIC, "p2", True, True),
        (PUBLIC, "p2", False, False),
        (PUBLIC, None, False, False),
        (MANAGER, "p1", False, True),  # the manager's own park
        (MANAGER, "p2", False, False),  # another park: as the public sees it
        (MANAGER, None, False, False),
    ],
)
def test_who_sees_a_site_exactly(scope, park, consent, exact):
    assert is_exact(site(1, park, consent, -71.0, 48.0), scope) is exact


def test_a_hidden_site_keeps_its_park_and_sector_only():
    shown = hidden_site(site(1, "p2", False, -71.25, 48.43), PARKS, MUNIS)
    assert (shown.lon, shown.lat) == (-71.20, 48.40)
    assert shown.naics_code == "32"
    assert shown.member_name is None and shown.name == "" and shown.address is None
    assert shown.postal_code is None and shown.geocode_precision is Precision.PARK
    away = hidden_site(site(2, None, False, -71.70, 48.60), PARKS, MUNIS)
    assert (away.lon, away.lat, away.geocode_precision) == (-71.65, 48.55, Precision.MUNICIPALITY)


def test_flows_lose_a_withheld_quantity_and_the_text_of_a_hidden_site():
    secret = flow(1, 1, Direction.OUTPUT, 137.0, True)
    assert shown_flow(secret, STAFF, exact=True) == secret
    public = shown_flow(secret, PUBLIC, exact=False)
    assert (public.quantity, public.unit, public.description) == (None, None, "")
    assert public.confidential  # the flag says why the quantity is missing
    open_flow = flow(2, 1, Direction.OUTPUT, 8.0, False)
    assert shown_flow(open_flow, MANAGER, exact=True) == open_flow


def test_hidden_sites_come_first_in_id_order_so_their_place_in_a_sorted_list_says_nothing():
    sites = [site(5, "p2", True, -71.2, 48.4), site(9, "p2", False, -71.2, 48.4)]
    sites.append(site(3, "p2", False, -71.2, 48.4))
    shown, _ = shown_registry(sites, [], PARKS, MUNIS, PUBLIC)
    assert [s.id for s in shown] == [3, 9, 5]
    assert [s.id for s in shown_registry(sites, [], PARKS, MUNIS, STAFF)[0]] == [5, 9, 3]


REASONS = (
    "catégorie : même catégorie de part et d'autre (force 1.00)",
    "quantités comparables : offre 137 t/an, besoin 8 t/an",
    "distance routière 12,3 km (road-graph), 9,8 km à vol d'oiseau, maximum 50 km",
)


def synergy() -> Synergy:
    return Synergy(
        id=1,
        output_flow_id=1,
        input_flow_id=2,
        kind=SynergyKind.SUBSTITUTION,
        score=0.8123,
        geodesic_m=9800.0,
        road_m=12300.0,
        duration_s=900.0,
        transport_kg_co2e=120.0,
        transport_cost_cad=300.0,
        avoided_kg_co2e=4000.0,
        tonnes_per_year=8.0,
        net_kg_co2e=3880.0,
        net_benefit_cad=580.0,
        reasons=REASONS,
    )


def test_a_confidential_quantity_takes_every_figure_that_scales_with_it():
    offer, need = site(1, "p1", True, -71.6, 48.55), site(2, "p2", True, -71.2, 48.4)
    out_f, in_f = flow(1, 1, Direction.OUTPUT, 137.0, True), flow(2, 2, Direction.INPUT, 8, False)
    s = shown_synergy(synergy(), out_f, in_f, offer, need, PUBLIC)
    assert (s.score, s.tonnes_per_year, s.net_kg_co2e, s.net_benefit_cad) == (None,) * 4
    assert (s.transport_kg_co2e, s.transport_cost_cad, s.avoided_kg_co2e) == (None,) * 3
    assert (s.road_m, s.geodesic_m) == (12300.0, 9800.0)  # both ends are public
    assert s.reasons[1] == QUANTITIES_HIDDEN and s.reasons[2] == REASONS[2]
    assert shown_synergy(synergy(), out_f, in_f, offer, need, STAFF) == synergy()


def test_a_hidden_end_is_measured_from_where_it_is_shown():
    offer = site(1, "p1", True, -71.6, 48.55)
    need = hidden_site(site(2, "p2", False, -71.25, 48.43), PARKS, MUNIS)
    out_f, in_f = flow(1, 1, Direction.OUTPUT, 137, False), flow(2, 2, Direction.INPUT, 8, False)
    s = shown_synergy(synergy(), out_f, in_f, offer, need, PUBLIC)
    assert s.geodesic_m == round(geodesic_m((-71.6, 48.55), (-71.20, 48.40)), 1)
    assert (s.road_m, s.duration_s, s.score, s.net_benefit_cad, s.net_kg_co2e) == (None,) * 5
    assert s.tonnes_per_year == 8.0  # both quantities are public
    assert s.reasons[2] == DISTANCE_HIDDEN and s.reasons[1] == REASONS[1]
    both_public = shown_synergy(synergy(), out_f, in_f, offer, offer, PUBLIC)
    assert both_public == synergy()
