"""What the maps draw: anonymised sites, the region view's data, synergy lines, line styles.

The data is checked the way a page gets it: serialised with ``json.dumps`` and with
``maps.script_json`` (what goes inside the page's <script>), so a hidden name is looked for in
the very text the browser receives.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from mapservice.domain.collation import collated
from mapservice.domain.disclosure import anonymised, shown_place
from mapservice.domain.model import Direction, Flow, Municipality, Site, SynergyStatus
from mapservice.domain.sectors import OTHER, SECTOR_GROUPS, sector_group, shown_sector
from mapservice.geo import geojson
from mapservice.services import Services
from mapservice.views.folium_maps import script_json
from mapservice.views.map_filters import MapFilter
from mapservice.views.map_view import (
    STATUS_STYLE,
    TRACKED,
    filter_choices,
    legend,
    park_features,
    region_view,
    site_features,
    synergy_lines,
)
from mapservice.views.route_lines import SCORE_CLASSES, score_style
from tests.support.settings import make_settings


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, demo_sqlite: Path) -> Iterator[Services]:
    """Services over a private copy of the demo database, for the tests that only read."""
    folder = tmp_path_factory.mktemp("views")
    shutil.copy(demo_sqlite, folder / "demo.sqlite")
    svc = Services(make_settings(folder, "sqlite:///" + str(folder / "demo.sqlite")))
    yield svc
    svc.close()


@pytest.fixture
def svc(tmp_path: Path, demo_db: str) -> Iterator[Services]:
    """Services over a copy of the demo database that the test may change."""
    services = Services(make_settings(tmp_path, demo_db))
    yield services
    services.close()


def town_or_borough(site: Site, munis: dict[str, Municipality]) -> Municipality:
    """The first place holding the site that is not a sector, climbing the parent chain."""
    place = munis[site.municipality_id or ""]
    while place.kind == "sector":
        place = munis[place.parent_id or ""]
    return place


def encoded(text: str, dump) -> str:
    """``text`` as it reads inside a document written by ``dump`` (escapes included)."""
    return dump(text)[1:-1]


DUMPS = {"json.dumps": json.dumps, "script_json": script_json}


# --- anonymised -----------------------------------------------------------------------------


def test_anonymised_hides_who_and_where_of_members_without_consent(demo):
    sites = demo.repo.sites()
    parks = demo.park_ids()
    munis = demo.gazetteer.municipalities
    out = anonymised(sites, parks, munis)
    assert len(out) == len(sites)
    hidden = [(a, b) for a, b in zip(sites, out, strict=True) if not a.public_consent]
    assert hidden and len(hidden) < len(sites)
    in_park = [a for a, _ in hidden if a.park_id]
    assert in_park and len(in_park) < len(hidden)  # both cases occur in the demo
    for before, after in zip(sites, out, strict=True):
        if before.public_consent:
            assert after == before
            continue
        assert after.member_name is None
        assert after.name == ""
        assert after.address is None and after.postal_code is None
        assert after.geocode_note is None and after.geocoded_by is None
        # the sector (2 digits), never the 6-digit code; a sector split between groups says
        # no group rather than the one its third digit would give
        assert after.naics_code == shown_sector(before.naics_code)
        assert after.naics_code is None or len(after.naics_code) == 2
        split = after.naics_code in ("33", "56")
        assert sector_group(after.naics_code) is (
            OTHER if split else sector_group(before.naics_code)
        )
        assert after.park_id == before.park_id
        if before.park_id:
            park = parks[before.park_id]
            assert (after.lon, after.lat) == (park.centre_lon, park.centre_lat)
        else:
            place = town_or_borough(before, munis)
            assert (after.lon, after.lat) == (place.lon, place.lat)
            assert after.municipality_id == place.id
    moved = [a for a, b in hidden if (a.lon, a.lat) != (b.lon, b.lat)]
    assert len(moved) > len(hidden) // 2  # most were placed more precisely than that


def test_anonymised_sector_sites_move_to_their_borough(demo):
    munis = demo.gazetteer.municipalities
    site = Site(
        id=7,
        member_id=3,
        name="Usine d'Arvida",
        address="1, rue Davis",
        municipality_id="saguenay-arvida",
        postal_code="G7S 1A1",
        lon=-71.19,
        lat=48.43,
        naics_code="331317",
        member_name="Alu Secret (démo)",
    )
    (after,) = anonymised([site], {}, munis)
    jonquiere = munis["saguenay-jonquiere"]
    assert shown_place(site, munis) == jonquiere
    assert (after.lon, after.lat, after.municipality_id) == (
        jonquiere.lon,
        jonquiere.lat,
        "saguenay-jonquiere",
    )
    unknown = Site(
        id=8,
        member_id=3,
        name="x",
        address=None,
        municipality_id=None,
        postal_code=None,
        lon=-71.0,
        lat=48.0,
    )
    (nowhere,) = anonymised([unknown], {}, munis)
    assert (nowhere.lon, nowhere.lat) == (None, None)  # not drawn rather than drawn exactly


def hidden_and_public_text(svc: Services) -> tuple[set[str], set[str], list[str]]:
    """Text of non-consenting members that must not reach the page (minus what a consenting
    member or the reference data also says), and the names of consenting members."""
    sites = svc.repo.sites()
    flows = svc.repo.flows()
    hidden_ids = {s.id for s in sites if not s.public_consent}
    secret: set[str] = set()
    public: set[str] = set()
    for site in sites:
        own = secret if site.id in hidden_ids else public
        own.update(x for x in (site.member_name, site.name, site.address, site.postal_code) if x)
    for flow in flows:
        (secret if flow.site_id in hidden_ids else public).add(flow.description)
    public.update(c.label_fr for c in svc.taxonomy)
    public.update(p.name for p in svc.repo.parks())
    public.update(m.name for m in svc.gazetteer.municipalities.values())
    public.update(g.label_fr for g in SECTOR_GROUPS)
    only_secret = {s for s in secret if not any(s in p for p in public)}
    named = sorted({s.member_name for s in sites if s.public_consent and s.member_name})
    return only_secret, public, named


@pytest.mark.parametrize("dump", DUMPS.values(), ids=DUMPS.keys())
def test_anonymised_view_leaks_no_hidden_name_address_or_description(demo, dump):
    secret, _, named = hidden_and_public_text(demo)
    names = {s.member_name for s in demo.repo.sites() if not s.public_consent}
    assert names and names <= secret  # the hidden companies' names are all checked
    view = region_view(demo, MapFilter(), anonymise=True, site_url="/sites/{id}")
    text = dump(view.data)
    leaked = sorted(s for s in secret if encoded(s, dump) in text)
    assert leaked == []
    missing = [n for n in named if encoded(n, dump) not in text]
    assert missing == []
    assert view.data["anonymised"] is True


def test_anonymised_points_are_park_centres_or_places(demo):
    view = region_view(demo, MapFilter(), anonymise=True, site_url="/sites/{id}")
    parks = demo.park_ids().values()
    munis = demo.gazetteer.municipalities.values()
    allowed = {tuple(geojson.point(p.centre_lon, p.centre_lat)["coordinates"]) for p in parks} | {
        tuple(geojson.point(m.lon, m.lat)["coordinates"]) for m in munis
    }
    features = view.data["sites"]["features"]
    hidden = [f for f in features if f["properties"].get("a") == 1]
    sites = demo.repo.sites()
    assert len(hidden) == sum(not s.public_consent for s in sites)
    assert len(features) == len(sites)
    for feature in hidden:
        props = feature["properties"]
        assert tuple(feature["geometry"]["coordinates"]) in allowed
        assert "u" not in props and props["s"] == ""
        assert props["n"] in {g.label("fr") for g in SECTOR_GROUPS} | {"Secteur non précisé"}
        assert all(row[1:] == ["", ""] for row in props["o"] + props["b"])
    for feature in features:
        if feature["properties"].get("a") != 1:
            assert feature["properties"]["u"].startswith("/sites/")


def test_a_search_cannot_find_a_hidden_company_by_name(demo):
    hidden = next(s for s in demo.repo.sites() if not s.public_consent)
    name = hidden.member_name
    found = region_view(demo, MapFilter(q=name))
    assert hidden.id in {s.id for s in found.sites}
    assert region_view(demo, MapFilter(q=name), anonymise=True).sites == []


# --- the region view ------------------------------------------------------------------------


def test_without_anonymising_every_placed_site_appears_once(demo):
    sites = demo.repo.sites()
    view = region_view(demo, MapFilter(), site_url="/sites/{id}")
    features = view.data["sites"]["features"]
    placed = [s for s in sites if s.lon is not None and s.lat is not None]
    assert len(features) == len(placed)
    by_url = {f["properties"]["u"]: f for f in features}
    assert set(by_url) == {f"/sites/{s.id}" for s in placed}
    for site in placed:
        feature = by_url[f"/sites/{site.id}"]
        assert feature["geometry"] == geojson.point(site.lon, site.lat)
        assert feature["properties"]["n"] == site.member_name
        assert "a" not in feature["properties"]
    assert view.data["anonymised"] is False
    assert len(view.data["parks"]["features"]) == len(demo.repo.parks())
    assert view.data["groups"] == legend("fr")


def test_offers_and_needs_are_split_and_confidential_quantities_hidden(demo):
    flows = demo.repo.flows()
    site_id = next(f.site_id for f in flows if f.confidential)
    site = demo.repo.get_site(site_id)
    own = [f for f in flows if f.site_id == site_id]
    (feature,) = site_features(demo, [site], own, lang="en", site_url=None)
    props = feature["properties"]
    assert "u" not in props
    assert len(props["o"]) == sum(f.direction is Direction.OUTPUT for f in own)
    assert len(props["b"]) == sum(f.direction is Direction.INPUT for f in own)
    rows = {row[1]: row for row in props["o"] + props["b"]}
    for flow in own:
        label, _, quantity = rows[flow.description]
        assert label == demo.taxonomy.label(flow.category_code, "en")
        if flow.confidential or flow.quantity is None:
            assert quantity == ""
        else:
            assert quantity.endswith("/year") or quantity.endswith("kW")


def test_a_park_view_draws_only_that_park(demo):
    view = region_view(demo, MapFilter(park="henri-girard"))
    (park,) = view.data["parks"]["features"]
    assert park["properties"]["n"] == demo.park_ids()["henri-girard"].name
    assert {s.park_id for s in view.sites} == {"henri-girard"}


def test_park_features_fall_back_to_the_centre():
    from mapservice.domain.model import Park

    bare = Park(
        id="p",
        name="Parc <sans contour>",
        kind="industrial",
        municipality_id="alma",
        centre_lon=-71.6,
        centre_lat=48.5,
    )
    (feature,) = park_features([bare])
    assert feature["geometry"] == geojson.point(-71.6, 48.5)
    assert feature["properties"] == {
        "n": "Parc <sans contour>",
        "approx": True,
        "town": False,
        "q": "estimé d'après des indices",
    }
    assert park_features([bare], only={"autre"}) == []


def test_a_town_outline_is_marked_as_such_in_the_chosen_language():
    from dataclasses import replace

    from mapservice.domain.model import Park

    park = Park(
        id="p", name="P", kind="industrial", municipality_id="alma", centre_lon=-71.6,
        centre_lat=48.5, outline_status="town",
    )  # fmt: skip
    (feature,) = park_features([park], lang="en")
    assert feature["properties"]["town"] is True and feature["properties"]["approx"] is True
    assert feature["properties"]["q"] == "location unknown: a town point stands in"
    (surveyed,) = park_features([replace(park, outline_status="surveyed")])
    assert surveyed["properties"]["approx"] is False and surveyed["properties"]["town"] is False


def test_legend_in_both_languages_in_reading_order():
    for lang in ("fr", "en"):
        labels = [g["label"] for g in legend(lang)]
        assert labels == collated(labels)
        assert sorted(g["code"] for g in legend(lang)) == sorted(g.code for g in SECTOR_GROUPS)
    assert {g["label"] for g in legend("en")} == {g.label_en for g in SECTOR_GROUPS}
    assert {g["label"] for g in legend("fr")} == {g.label_fr for g in SECTOR_GROUPS}


# --- synergy lines --------------------------------------------------------------------------


def pick_pairs(svc: Services) -> dict[str, tuple[Flow, Flow]]:
    """Offer → need pairs between two placed sites at different points, chosen by category."""
    sites = {s.id: s for s in svc.repo.sites()}
    flows = svc.repo.flows()

    def pair(out_prefix: str, in_prefix: str, skip: set[int]) -> tuple[Flow, Flow]:
        for out in flows:
            if out.direction is not Direction.OUTPUT or out.id in skip:
                continue
            if not out.category_code.startswith(out_prefix):
                continue
            for need in flows:
                a, b = sites[out.site_id], sites[need.site_id]
                if (
                    need.direction is Direction.INPUT
                    and need.id not in skip
                    and need.category_code.startswith(in_prefix)
                    and (a.lon, a.lat) != (b.lon, b.lat)
                ):
                    return out, need
        raise AssertionError(f"no {out_prefix} → {in_prefix} pair in the demo")

    chosen: dict[str, tuple[Flow, Flow]] = {}
    used: set[int] = set()
    for name, out_prefix, in_prefix in (
        ("metal-1", "metaux", "metaux"),
        ("metal-2", "metaux", "metaux"),
        ("metal-3", "metaux", "metaux"),
        ("to-wood", "metaux", "bois"),
        ("wood", "bois", "bois"),
    ):
        chosen[name] = pair(out_prefix, in_prefix, used)
        used.update(f.id for f in chosen[name])
    return chosen


def save_synergies(svc: Services) -> dict[str, int]:
    pairs = pick_pairs(svc)
    svc.repo.save_candidates(
        {
            "output_flow_id": out.id,
            "input_flow_id": need.id,
            "kind": "substitution",
            "score": 0.6,
            "geodesic_m": 12345.0,
            "road_m": 15000.0 + i,
            "duration_s": 900.0,
            "net_kg_co2e": 2500.0,
            "net_benefit_cad": 1234.0,
            "distance_backend": "haversine",
            "reasons_json": "[]",
        }
        for i, (out, need) in enumerate(pairs.values())
    )
    ids = {(s.output_flow_id, s.input_flow_id): s.id for s in svc.repo.synergies()}
    by_name = {name: ids[(out.id, need.id)] for name, (out, need) in pairs.items()}
    repo = svc.repo
    repo.move_synergy(by_name["metal-2"], SynergyStatus.CONTACTED, author="test")
    repo.move_synergy(by_name["metal-3"], SynergyStatus.REJECTED, author="test")
    repo.move_synergy(by_name["wood"], SynergyStatus.CONTACTED, author="test")
    repo.move_synergy(by_name["wood"], SynergyStatus.IN_PROGRESS, author="test")
    repo.move_synergy(by_name["wood"], SynergyStatus.REALISED, author="test")
    return by_name


@pytest.mark.parametrize(
    ("view", "shown"),
    [
        (MapFilter(), {"metal-1", "metal-2", "metal-3", "to-wood", "wood"}),
        (MapFilter(category="metaux"), {"metal-1", "metal-2", "metal-3"}),
        (MapFilter(category="bois"), {"wood"}),
        (MapFilter(direction=Direction.OUTPUT), set()),
    ],
)
def test_lines_join_only_shown_flows_in_their_status_colour(svc, view, shown):
    by_name = save_synergies(svc)
    labels = {"status": "Statut", "contacted": "Contacté", "road_km": "Route"}
    data = region_view(svc, view, status_labels=labels)
    sites = {s.id: s for s in data.sites}
    flows = {f.id: f for f in data.flows}
    expected = {}
    for synergy in svc.repo.synergies():
        if synergy.output_flow_id in flows and synergy.input_flow_id in flows:
            a = sites[flows[synergy.output_flow_id].site_id]
            b = sites[flows[synergy.input_flow_id].site_id]
            expected[synergy.id] = (
                geojson.line([(a.lon, a.lat), (b.lon, b.lat)]),
                STATUS_STYLE[synergy.status],
                synergy.status,
            )
    assert set(expected) == {by_name[n] for n in shown}
    lines = data.data["lines"]["features"]
    assert len(lines) == len(expected)
    drawn = sorted(
        (json.dumps(f["geometry"]), f["properties"]["c"], f["properties"]["d"]) for f in lines
    )
    wanted = sorted(
        (json.dumps(geometry), colour, dash) for geometry, (colour, dash), _ in expected.values()
    )
    assert drawn == wanted
    for feature in lines:
        rows = dict(map(tuple, feature["properties"]["r"]))
        assert rows["Route"].endswith("km") and "geodesic_km" in rows
        assert rows["Statut"] in {"candidate", "Contacté", "rejected", "realised"}


def test_synergy_lines_status_styles_are_distinct(svc):
    by_name = save_synergies(svc)
    sites, flows = svc.sites_with_flows()
    lines = synergy_lines(svc, sites, flows, lang="en", status_labels={})
    colours = {f["properties"]["c"] for f in lines}
    assert colours == {
        STATUS_STYLE[s][0]
        for s in (
            SynergyStatus.CANDIDATE,
            SynergyStatus.CONTACTED,
            SynergyStatus.REJECTED,
            SynergyStatus.REALISED,
        )
    }
    assert len({c for c, _ in STATUS_STYLE.values()}) == len(STATUS_STYLE) == len(SynergyStatus)
    # Without the need's site, its line cannot be drawn.
    need = svc.repo.get_synergy(by_name["metal-1"]).input_flow_id
    need_site = next(f.site_id for f in flows if f.id == need)
    fewer = synergy_lines(
        svc, [s for s in sites if s.id != need_site], flows, lang="en", status_labels={}
    )
    assert len(fewer) == len(lines) - 1


def test_anonymised_lines_carry_no_name(svc):
    save_synergies(svc)
    secret, _, _ = hidden_and_public_text(svc)
    data = region_view(svc, MapFilter(), anonymise=True)
    assert data.data["lines"]["features"]
    text = script_json(data.data["lines"])
    assert [s for s in secret if encoded(s, script_json) in text] == []


# --- score classes --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "style"),
    [
        (0.0, ("#CC79A7", 2, "3 5")),
        (0.2499, ("#CC79A7", 2, "3 5")),
        (0.25, ("#E69F00", 3, "8 4")),
        (0.4999, ("#E69F00", 3, "8 4")),
        (0.5, ("#009E73", 4, "")),
        (0.7499, ("#009E73", 4, "")),
        (0.75, ("#0072B2", 5, "")),
        (1.0, ("#0072B2", 5, "")),
        (-0.1, ("#CC79A7", 2, "3 5")),
        (1.5, ("#0072B2", 5, "")),
    ],
)
def test_score_style(score, style):
    assert score_style(score) == style


def test_score_classes_get_heavier_with_the_score():
    weights = [score_style(s)[1] for s in (0, 0.25, 0.5, 0.75, 1)]
    assert weights == sorted(weights) and len(set(weights)) == len(SCORE_CLASSES)


# --- hostile text stays data ----------------------------------------------------------------

HOSTILE = "<script>alert(1)</script>"


def write_members(path: Path, rows: list[str]) -> Path:
    header = (
        "entreprise;secteur_scian;site;adresse;municipalite;code_postal;latitude;longitude;"
        "type;matiere;description;quantite;unite;frequence;dangereux;confidentiel;"
        "contact_nom;contact_courriel;contact_telephone;consentement_public"
    )
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def test_a_hostile_company_name_stays_an_exact_string(services, tmp_path):
    path = write_members(
        tmp_path / "membres.csv",
        [
            f"{HOSTILE};332710;</script><!--;12, rue Racine Est <img src=x onerror=alert(2)>;"
            "Chicoutimi;G7H 1R5;48,42;-71,06;offre;metaux.ferraille;"
            'Ferraille "propre" & </SCRIPT>\u2028 ${x} `y`;5;t/an;mensuel;non;non;'
            "Eve Roy;eve@courriel.example;418-555-0100;oui",
            "Voisin discret (démo);332710;;40, rue Price;Jonquière;G7X 7W7;;;besoin;"
            "metaux.ferraille;Ferraille pour refonte;5;t/an;mensuel;non;non;"
            "Luc Roy;luc@courriel.example;418-555-0101;non",
        ],
    )
    result = services.import_file(path)
    assert result.inserted["members"] == 2
    view = region_view(services, MapFilter(), site_url="/sites/{id}")
    props = {f["properties"]["n"]: f["properties"] for f in view.data["sites"]["features"]}
    hostile = props[HOSTILE]
    assert hostile["s"] == "</script><!--"
    assert hostile["w"].startswith("12, rue Racine Est <img src=x onerror=alert(2)>")
    assert hostile["o"][0][1] == 'Ferraille "propre" & </SCRIPT>\u2028 ${x} `y`'
    text = script_json(view.data)
    assert "<" not in text and ">" not in text and "&" not in text
    assert "\u2028" not in text
    assert json.loads(text) == view.data  # the escapes are plain JSON: nothing is lost

    hidden = region_view(services, MapFilter(), anonymise=True)
    names = [f["properties"]["n"] for f in hidden.data["sites"]["features"]]
    assert HOSTILE in names and "Voisin discret (démo)" not in names
    assert "<" not in script_json(hidden.data)


def test_filter_choices_come_from_the_reference_data(demo):
    choices = filter_choices(demo)
    assert choices.parks == frozenset(demo.park_ids())
    assert "saguenay-arvida" in choices.municipalities
    assert choices.taxonomy.get("bois.sciure") is not None


def test_a_synergy_move_redraws_the_lines_and_keeps_the_sites(svc: Services) -> None:
    from mapservice.matching import jobs as synergy_jobs

    before = region_view(svc, MapFilter(), statuses=TRACKED)
    site_id = next(
        s.id
        for s in svc.repo.sites()
        if s.id is not None
        and s.lon is not None
        and synergy_jobs.site_candidates(svc, s.id, backend="geodesic")
    )
    pair = next(
        c
        for c in synergy_jobs.site_candidates(svc, site_id, backend="geodesic")
        if c.output_site.id != c.input_site.id
    )
    synergy_jobs.move(
        svc,
        synergy_id=None,
        output_flow_id=pair.output_flow.id,
        input_flow_id=pair.input_flow.id,
        status="contacted",
        author="Test",
    )
    after = region_view(svc, MapFilter(), statuses=TRACKED)
    assert len(after.data["lines"]["features"]) == len(before.data["lines"]["features"]) + 1
    assert after.data["sites"] is before.data["sites"]  # not rebuilt for a synergy
    assert list(after.data) == list(before.data)
