"""Matching on a scenario of regional companies with known good and bad pairings.

The registry goes in through the real importer (CSV → SQLite); matching runs on the live
index with the geodesic backend here (road distances: tests/test_synergies_api.py).
"""

from __future__ import annotations

import pytest

from mapservice.domain.model import SynergyKind
from mapservice.matching.jobs import matcher
from mapservice.matching.matcher import Compatibility
from mapservice.routing.geodesic import GeodesicBackend
from mapservice.services import Services
from tests.support.import_files import write_csv
from tests.support.settings import make_settings

# entreprise, site, municipalité, lat, lon, type, matière, quantité, unité, dangereux
S = [
    (
        "Scierie Boréale (démo)",
        "Saint-Félicien",
        48.6528,
        -72.4467,
        "offre",
        "bois.sciure",
        "5000",
        "t/an",
        "non",
    ),
    (
        "Granules du Domaine (démo)",
        "Saint-Félicien",
        48.6610,
        -72.4300,
        "besoin",
        "usages.combustible_biomasse",
        "4000",
        "t/an",
        "non",
    ),
    (
        "Ferme laitière Normandin (démo)",
        "Normandin",
        48.8350,
        -72.5300,
        "besoin",
        "usages.litiere_animale",
        "300",
        "t/an",
        "non",
    ),
    (
        "Ferme du Fjord (démo)",
        "L'Anse-Saint-Jean",
        48.2330,
        -70.2000,
        "besoin",
        "usages.litiere_animale",
        "200",
        "t/an",
        "non",
    ),
    (
        "Aluminerie du Lac (démo)",
        "Alma",
        48.5847,
        -71.6897,
        "offre",
        "metaux.aluminium.brasques",
        "2000",
        "t/an",
        "oui",
    ),
    (
        "Cimenterie prudente (démo)",
        "La Baie",
        48.3400,
        -70.8800,
        "besoin",
        "usages.cimenterie",
        "5000",
        "t/an",
        "non",
    ),
    (
        "Cimenterie autorisée (démo)",
        "Jonquière",
        48.4200,
        -71.2000,
        "besoin",
        "usages.cimenterie",
        "3000",
        "t/an",
        "oui",
    ),
    (
        "Brasserie du Royaume (démo)",
        "Jonquière",
        48.4069,
        -71.2221,
        "offre",
        "agroalimentaire.dreche",
        "800",
        "t/an",
        "non",
    ),
    (
        "Ferme porcine Saint-Bruno (démo)",
        "Saint-Bruno",
        48.4667,
        -71.6500,
        "besoin",
        "usages.alimentation_animale",
        "500",
        "t/an",
        "non",
    ),
    (
        "Ferme de Dolbeau (démo)",
        "Dolbeau-Mistassini",
        48.8790,
        -72.2310,
        "besoin",
        "usages.alimentation_animale",
        "500",
        "t/an",
        "non",
    ),
    (
        "Fonderie Arvida (démo)",
        "Jonquière",
        48.4300,
        -71.1850,
        "offre",
        "energie.chaleur_basse_t",
        "500",
        "kW",
        "non",
    ),
    (
        "Serres d'Arvida (démo)",
        "Jonquière",
        48.4390,
        -71.1800,
        "besoin",
        "usages.serriculture",
        "300",
        "kW",
        "non",
    ),
    (
        "Serres de Normandin (démo)",
        "Normandin",
        48.8400,
        -72.5400,
        "besoin",
        "usages.serriculture",
        "300",
        "kW",
        "non",
    ),
    (
        "Démolition Grande-Baie (démo)",
        "La Baie",
        48.3320,
        -70.8800,
        "offre",
        "construction.beton_concasse",
        "12000",
        "t/an",
        "non",
    ),
    (
        "Travaux routiers Alma (démo)",
        "Alma",
        48.5500,
        -71.6500,
        "besoin",
        "usages.granulats_remblai",
        "10000",
        "t/an",
        "non",
    ),
    (
        "Ferraille Saguenay (démo)",
        "Chicoutimi",
        48.4200,
        -71.0600,
        "offre",
        "metaux.ferraille",
        "400",
        "t/an",
        "non",
    ),
    (
        "Entrepôts Chicoutimi (démo)",
        "Chicoutimi",
        48.4100,
        -71.0700,
        "besoin",
        "mutualisation.transport",
        "1",
        "unités/an",
        "non",
    ),
    (
        "Transports Saguenay (démo)",
        "Chicoutimi",
        48.4150,
        -71.0650,
        "offre",
        "mutualisation.transport",
        "1",
        "unités/an",
        "non",
    ),
]


@pytest.fixture(scope="module")
def scenario(tmp_path_factory) -> Services:
    tmp = tmp_path_factory.mktemp("scenario")
    svc = Services(make_settings(tmp, "sqlite:///" + str(tmp / "s.sqlite")))
    svc.init_database()
    rows = [
        [
            name,
            "",
            "",
            "",
            muni,
            "",
            str(lat),
            str(lon),
            kind,
            code,
            "",
            qty,
            unit,
            "",
            danger,
            "non",
        ]
        for name, muni, lat, lon, kind, code, qty, unit, danger in S
    ]
    svc.import_file(write_csv(tmp / "scenario.csv", rows))
    yield svc
    svc.close()


def _pairs(svc: Services) -> dict[tuple[str, str], object]:
    found = matcher(svc).all_pairs(distances=GeodesicBackend())
    return {(c.output_site.member_name, c.input_site.member_name): c for c in found}


GOOD = [
    ("Scierie Boréale (démo)", "Granules du Domaine (démo)"),
    ("Scierie Boréale (démo)", "Ferme laitière Normandin (démo)"),
    ("Aluminerie du Lac (démo)", "Cimenterie autorisée (démo)"),
    ("Brasserie du Royaume (démo)", "Ferme porcine Saint-Bruno (démo)"),
    ("Fonderie Arvida (démo)", "Serres d'Arvida (démo)"),
    ("Démolition Grande-Baie (démo)", "Travaux routiers Alma (démo)"),
    ("Transports Saguenay (démo)", "Entrepôts Chicoutimi (démo)"),
]
BAD = [
    # sawdust travels 150 km at most; L'Anse-Saint-Jean is ~190 km away
    ("Scierie Boréale (démo)", "Ferme du Fjord (démo)"),
    # hazardous spent pot lining only to a receiver that accepts hazardous material
    ("Aluminerie du Lac (démo)", "Cimenterie prudente (démo)"),
    # wet spent grain: 50 km at most; Dolbeau is ~70 km from Jonquière
    ("Brasserie du Royaume (démo)", "Ferme de Dolbeau (démo)"),
    # heat travels a few km by pipe
    ("Fonderie Arvida (démo)", "Serres de Normandin (démo)"),
    # no rule makes scrap steel into animal bedding
    ("Ferraille Saguenay (démo)", "Ferme laitière Normandin (démo)"),
]


@pytest.mark.parametrize(("offer", "need"), GOOD)
def test_known_good_pairings_are_proposed(scenario, offer, need):
    pairs = _pairs(scenario)
    assert (offer, need) in pairs, sorted(pairs)
    cand = pairs[(offer, need)]
    assert 0 < cand.score <= 1 and cand.reasons
    assert cand.geodesic_m <= cand.max_km * 1000


@pytest.mark.parametrize(("offer", "need"), BAD)
def test_known_bad_pairings_are_not(scenario, offer, need):
    assert (offer, need) not in _pairs(scenario)


def test_kinds_and_explanations(scenario):
    pairs = _pairs(scenario)
    sawdust = pairs[("Scierie Boréale (démo)", "Granules du Domaine (démo)")]
    assert sawdust.kind is SynergyKind.SUBSTITUTION and sawdust.fit.how == "regle"
    assert any("règle" in r for r in sawdust.reasons)
    assert sawdust.impact.tonnes == 4000.0  # the smaller of offer and need
    transport = pairs[("Transports Saguenay (démo)", "Entrepôts Chicoutimi (démo)")]
    assert transport.kind is SynergyKind.MUTUALISATION
    heat = pairs[("Fonderie Arvida (démo)", "Serres d'Arvida (démo)")]
    assert heat.quantity_fit == pytest.approx(0.6) and heat.impact.tonnes is None


def test_ranking_prefers_the_closer_and_better_fitting_partner(scenario):
    m = matcher(scenario)
    site = next(s for s in scenario.repo.sites() if s.member_name == "Scierie Boréale (démo)")
    found = m.for_site(site.id, distances=GeodesicBackend())
    names = [c.input_site.member_name for c in found]
    assert names.index("Granules du Domaine (démo)") < names.index(
        "Ferme laitière Normandin (démo)"
    )
    assert [c.score for c in found] == sorted((c.score for c in found), reverse=True)


def test_the_index_follows_a_moved_site(scenario):
    from mapservice.geocoding.jobs import move_site

    farm = next(s for s in scenario.repo.sites() if s.member_name == "Ferme de Dolbeau (démo)")
    brewery = next(
        s for s in scenario.repo.sites() if s.member_name == "Brasserie du Royaume (démo)"
    )
    before = {
        c.input_site.member_name
        for c in matcher(scenario).for_site(brewery.id, distances=GeodesicBackend())
    }
    assert "Ferme de Dolbeau (démo)" not in before
    move_site(scenario, farm.id, -71.30, 48.45, "test")  # the farm moves next to Jonquière
    after = {
        c.input_site.member_name
        for c in matcher(scenario).for_site(brewery.id, distances=GeodesicBackend())
    }
    assert "Ferme de Dolbeau (démo)" in after


def test_compatibility_parent_child_and_rules(scenario):
    compat = Compatibility(scenario.taxonomy)
    assert compat.fit("bois.sciure", "bois.sciure").strength == 1.0
    assert compat.fit("bois.sciure", "bois").how == "plus-precis"
    assert compat.fit("bois", "bois.sciure").how == "plus-general"
    assert compat.fit("metaux.ferraille", "usages.litiere_animale") is None


def test_a_limit_cuts_on_a_bound_and_never_changes_the_best(demo_db, tmp_path):
    """Under a limit, pairs are ranked on the straight line first; the top must not change."""
    svc = Services(make_settings(tmp_path, demo_db))
    try:
        m = matcher(svc)
        road = svc.distance_backend("road-graph")
        busy = sorted(m.sites, key=lambda s: -len(m.flows_by_site.get(s, [])))[:6]
        for site_id in busy:
            full = m.for_site(site_id, distances=road)
            for limit in (1, 3, 10):
                cut = m.for_site(site_id, distances=road, limit=limit)
                assert [c.key for c in cut] == [c.key for c in full[:limit]]
    finally:
        svc.close()


def test_the_same_candidates_on_sqlite_and_postgis(services, tmp_path):
    """On PostGIS the neighbours come from the database (ST_DWithin); same answers."""
    from mapservice.geo.spatial_index import DatabaseSiteIndex

    rows = [
        [
            name,
            "",
            "",
            "",
            muni,
            "",
            str(lat),
            str(lon),
            kind,
            code,
            "",
            qty,
            unit,
            "",
            danger,
            "non",
        ]
        for name, muni, lat, lon, kind, code, qty, unit, danger in S
    ]
    services.import_file(write_csv(tmp_path / "scenario.csv", rows))
    if services.repo.backend == "postgis":
        assert isinstance(services.site_index, DatabaseSiteIndex)
    sawmill = next(s for s in services.repo.sites() if s.member_name == "Scierie Boréale (démo)")
    found = matcher(services).for_site(sawmill.id, distances=GeodesicBackend())
    assert [c.input_site.member_name for c in found] == [
        "Granules du Domaine (démo)",
        "Ferme laitière Normandin (démo)",
    ]


def test_the_matcher_is_reused_until_the_registry_changes(demo_db, tmp_path):
    from mapservice.geocoding.jobs import move_site

    svc = Services(make_settings(tmp_path, demo_db))
    try:
        first = matcher(svc)
        assert matcher(svc) is first
        site = next(iter(svc.repo.sites()))
        move_site(svc, site.id, -71.2221, 48.4069, "test")
        again = matcher(svc)
        assert again is not first and again.index.point(site.id) == (-71.2221, 48.4069)
    finally:
        svc.close()


def test_a_hazardous_offer_says_so_in_its_reasons(scenario):
    pairs = _pairs(scenario)
    spl = pairs[("Aluminerie du Lac (démo)", "Cimenterie autorisée (démo)")]
    assert (
        "matière dangereuse (liste européenne des déchets 16 11 01*) : transporteur et "
        "receveur autorisés"
    ) in spl.reasons
    sawdust = pairs[("Scierie Boréale (démo)", "Granules du Domaine (démo)")]
    assert not any("dangereuse" in r for r in sawdust.reasons)
