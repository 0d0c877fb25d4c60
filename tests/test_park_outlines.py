"""Park outlines: what a status lets an outline claim, and replacing an outline with history.

The claim rule (:mod:`mapservice.domain.outlines`, applied by
:class:`~mapservice.geocoding.parks.ParkLocator`), the upload checks
(:mod:`mapservice.registry.outline_input`), the use cases (:mod:`mapservice.registry.park_outlines`)
and the pages under ``/registre/parcs``, over real SQLite databases.
"""

from __future__ import annotations

import json
import re
from typing import Any

import hypothesis
import pytest
from hypothesis import strategies as st
from shapely.geometry import shape

from mapservice.domain.access import Principal, Role
from mapservice.domain.model import Location, Park, Precision
from mapservice.domain.typography import french
from mapservice.errors import Forbidden, InvalidInput
from mapservice.geocoding import GeocodeQuery
from mapservice.geocoding.parks import ParkLocator
from mapservice.registry import park_outlines
from tests.support.accounts import MANAGED, csrf_token_of

STAFF = Principal(user_id=1, username="personnel", role=Role.STAFF)
#: A square of about 80 ha on Saint-Félicien's downtown (its town hall: 48.6505, -72.4505).
DOWNTOWN_SQUARE = {
    "type": "Polygon",
    "coordinates": [
        [
            [-72.456, 48.647],
            [-72.444, 48.647],
            [-72.444, 48.654],
            [-72.456, 48.654],
            [-72.456, 48.647],
        ]
    ],
}
TOWN_HALL = (-72.4505, 48.6505)


def _park(status: str, outline: dict | None = DOWNTOWN_SQUARE) -> Park:
    return Park(
        id=f"p-{status}",
        name=f"Parc {status}",
        kind="parc_industriel",
        municipality_id="saint-felicien",
        centre_lon=-72.45,
        centre_lat=48.65,
        outline_status=status,
        outline=outline,
    )


# --- the claim rule --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "claims", "confidence"),
    [
        ("surveyed", True, 1.0),
        ("traced", True, 0.9),
        ("estimated", True, 0.6),
        ("town", False, None),
    ],
)
def test_a_status_decides_whether_an_outline_claims_a_point(status, claims, confidence):
    locator = ParkLocator([_park(status)], tolerance_m=500)
    inside = locator.locate(*TOWN_HALL)
    near = locator.locate(-72.4425, 48.6505)  # about 110 m east of the square
    if claims:
        assert inside is not None and inside.park_id == f"p-{status}"
        assert inside.distance_m == 0 and inside.confidence == confidence
        assert near is not None and near.distance_m > 0
    else:
        assert inside is None and near is None


def test_only_an_estimated_outline_adds_a_note():
    estimated = ParkLocator([_park("estimated")], 0).locate(*TOWN_HALL)
    traced = ParkLocator([_park("traced")], 0).locate(*TOWN_HALL)
    assert estimated is not None and "estimé" in str(estimated.note)
    assert traced is not None and traced.note is None


def test_a_point_in_a_town_outline_is_not_given_that_park(services):
    """Saint-Félicien's town hall, placed by hand, is in no park; the data's stand-in outline
    of the rue Verreault park covers it."""
    parks = services.park_ids()
    assert parks["saint-felicien-verreault"].outline_status == "town"
    hand = Location(*TOWN_HALL, precision=Precision.MANUAL, source="manuel")
    assert services.park_locator.assign(hand) is None
    assert services.reverse_geocoder.reverse(*TOWN_HALL).park is None


def test_an_address_on_the_parks_street_still_names_a_town_park(services):
    found = services.geocoder.geocode(
        GeocodeQuery(address="1250 rue Verreault", municipality="Saint-Félicien")
    )
    assert found.park_id == "saint-felicien-verreault"
    assert services.park_locator.assign(found).park_id == "saint-felicien-verreault"
    # its point is the town's: the score and the note say so
    assert found.score <= 0.4 and "parc non localisé" in (found.note or "")


def test_a_site_placed_by_code_or_coordinates_joins_the_park_its_address_names(services):
    """The point stays where the code or the coordinates put it; the street names the park."""
    by_code = services.geocoder.geocode(
        GeocodeQuery(
            address="848, rue Verreault", municipality="Saint-Félicien", postal_code="G8K 2P8"
        )
    )
    assert by_code.precision is Precision.POSTCODE and by_code.score >= 0.8
    assert by_code.park_id == "saint-felicien-verreault"
    assert "parc d'après l'adresse" in (by_code.note or "")
    lon, lat = TOWN_HALL
    by_hand = services.geocoder.geocode(
        GeocodeQuery(address="848, rue Verreault", municipality="Saint-Félicien", lat=lat, lon=lon)
    )
    assert (by_hand.lon, by_hand.lat, by_hand.park_id) == (lon, lat, "saint-felicien-verreault")
    # Another street of the same code: no park.
    other = services.geocoder.geocode(
        GeocodeQuery(
            address="848, rue Principale", municipality="Saint-Félicien", postal_code="G8K 2P8"
        )
    )
    assert other.park_id is None
    # Coordinates 15 km away from the park: the address or the point is wrong, no park.
    far = services.geocoder.geocode(
        GeocodeQuery(
            address="848, rue Verreault", municipality="Saint-Félicien", lat=lat + 0.135, lon=lon
        )
    )
    assert far.park_id is None


def test_an_estimated_outline_claims_with_a_note_in_the_api(services):
    from mapservice.geocoding.jobs import location_json

    park = services.park_ids()["jonquiere"]
    assert park.outline_status == "estimated"
    here = Location(park.centre_lon, park.centre_lat, Precision.MANUAL, "manuel")
    answer = location_json(services, here)["park"]
    assert answer["id"] == "jonquiere" and answer["outline_status"] == "estimated"
    assert answer["confidence"] == 0.6 and "à confirmer" in answer["note"]


# --- upload checks ---------------------------------------------------------------------------


def _square(lon: float, lat: float, d: float = 0.005) -> dict[str, Any]:
    ring = [[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "Aucun contour reçu"),
        ("{", "GeoJSON illisible à la ligne 1"),
        ("[1, 2]", "reçu : list"),
        ('{"type": "Point", "coordinates": [-71.2, 48.4]}', "reçu : Point"),
        ('{"type": "FeatureCollection", "features": []}', "reçu : 0 entités"),
        ('{"type": "Feature", "properties": {}}', "pas de géométrie"),
        (
            '{"type": "Polygon", "coordinates": [[[-71.2, 91], [-71.1, 48], [-71, 48]]]}',
            "latitude -90 à 90",
        ),
        (json.dumps(_square(48.4, -71.2)), "latitude et longitude inversées"),
        (json.dumps(_square(-73.6, 45.5)), "hors du Saguenay"),
        (json.dumps(_square(-71.2, 48.4, 0.0001)), "attendu entre 0.5 et 3000"),
        (json.dumps(_square(-71.2, 48.4, 0.1)), "attendu entre 0.5 et 3000 ha"),
        ('{"type": "Polygon", "coordinates": [[[-71.2, 48.4], [-71.1, 48.4]]]}', "mal formé"),
    ],
)
def test_a_bad_upload_says_what_was_expected_and_what_came(services, text, says):
    with pytest.raises(InvalidInput) as caught:
        park_outlines.replace_outline(services, STAFF, "jonquiere", text, "surveyed")
    assert says in str(caught.value.message)
    assert services.park_ids()["jonquiere"].outline_status == "estimated"  # nothing written


def test_a_self_crossing_ring_is_made_valid_and_says_so(services):
    bowtie = {
        "type": "Feature",
        "properties": {},
        "geometry": {
            "type": "Polygon",
            "coordinates": [
                [
                    [-71.23, 48.40],
                    [-71.21, 48.41],
                    [-71.21, 48.40],
                    [-71.23, 48.41],
                    [-71.23, 48.40],
                ]
            ],
        },
    }
    done = park_outlines.replace_outline(services, STAFF, "jonquiere", json.dumps(bowtie), "traced")
    assert done.note and "corrigé" in done.note
    stored = services.park_ids()["jonquiere"]
    assert stored.outline is not None and stored.outline["type"] == "MultiPolygon"


def test_the_status_must_be_surveyed_or_traced(services):
    with pytest.raises(InvalidInput) as caught:
        park_outlines.replace_outline(
            services, STAFF, "jonquiere", json.dumps(_square(-71.225, 48.405)), "town"
        )
    assert "reçu « town »" in str(caught.value.message)


# --- history, restore, caches ----------------------------------------------------------------


def test_a_replaced_outline_claims_its_sites_and_can_be_restored(services):
    before = services.park_ids()["saint-felicien-verreault"]
    stamp = services.change_stamp()
    feature = {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": {}, "geometry": DOWNTOWN_SQUARE}],
    }
    done = park_outlines.replace_outline(
        services,
        STAFF,
        "saint-felicien-verreault",
        json.dumps(feature),
        "surveyed",
        note="plan de la ville",
    )
    assert services.change_stamp().registry > stamp.registry  # maps and exports are rebuilt
    now = services.park_ids()["saint-felicien-verreault"]
    assert now.outline_status == "surveyed" and now.properties["outline_note"] == "plan de la ville"
    assert services.park_locator.locate(*TOWN_HALL).park_id == "saint-felicien-verreault"
    history = park_outlines.outline_history(services, STAFF, "saint-felicien-verreault")
    assert [(h.id, h.actor, h.old_status, h.new_status) for h in history] == [
        (done.change_id, "personnel", "town", "surveyed")
    ]
    assert history[0].old_outline == before.outline
    park_outlines.restore_outline(services, STAFF, "saint-felicien-verreault", done.change_id)
    back = services.park_ids()["saint-felicien-verreault"]
    assert back.outline == before.outline and back.outline_status == "town"
    assert services.park_locator.locate(*TOWN_HALL) is None
    latest = park_outlines.outline_history(services, STAFF, "saint-felicien-verreault")[0]
    assert latest.action == "restore" and latest.restored_from == done.change_id


def _import_two_sites(services: Any, folder: Any) -> dict[str, Any]:
    """A site placed by hand at the town hall, and one whose address names the park's street."""
    from tests.support.import_files import write_csv

    def row(company: str, address: str, lat: str, lon: str) -> list[str]:
        return [company, "", "", address, "Saint-Félicien", "", lat, lon, "offre",
                "bois.sciure", "Sciure", "10", "t/an", "", "non", "non"]  # fmt: skip

    services.import_file(
        write_csv(
            folder / "deux.csv",
            [
                row("Hôtel de ville (test)", "", "48,6505", "-72,4505"),
                row("Atelier Verreault (test)", "1250 rue Verreault", "", ""),
            ],
        )
    )
    return {s.member_name: s for s in services.repo.sites()}


def test_a_new_outline_decides_again_which_placed_sites_are_in_the_park(services, tmp_path):
    sites = _import_two_sites(services, tmp_path)
    assert sites["Hôtel de ville (test)"].park_id is None  # a town outline claims nothing
    assert sites["Atelier Verreault (test)"].park_id == "saint-felicien-verreault"  # by street
    done = park_outlines.replace_outline(
        services, STAFF, "saint-felicien-verreault", json.dumps(DOWNTOWN_SQUARE), "surveyed"
    )
    assert (done.sites_joined, done.sites_left, done.sites_in_park) == (1, 0, 2)
    now = {s.member_name: s.park_id for s in services.repo.sites()}
    assert now["Hôtel de ville (test)"] == "saint-felicien-verreault"
    park_outlines.restore_outline(services, STAFF, "saint-felicien-verreault", done.change_id)
    back = {s.member_name: s.park_id for s in services.repo.sites()}
    assert back == {
        "Hôtel de ville (test)": None,
        "Atelier Verreault (test)": "saint-felicien-verreault",  # named in its address: kept
    }
    town_hall = sites["Hôtel de ville (test)"].id
    entries = services.repo.history("sites", town_hall)
    assert [e.actor for e in entries][-2:] == ["personnel", "personnel"]


def test_reloading_the_reference_data_keeps_a_replaced_outline(services):
    done = park_outlines.replace_outline(
        services, STAFF, "saint-felicien-verreault", json.dumps(DOWNTOWN_SQUARE), "surveyed"
    )
    services.init_database()  # as an upgrade does
    kept = services.park_ids()["saint-felicien-verreault"]
    assert kept.outline_status == "surveyed"
    assert shape(kept.outline).equals(shape(DOWNTOWN_SQUARE))
    park_outlines.restore_outline(services, STAFF, "saint-felicien-verreault", done.change_id)
    services.init_database()
    assert services.park_ids()["saint-felicien-verreault"].outline_status == "town"


def test_another_process_sees_a_replaced_outline(services):
    from mapservice.services import Services

    other = Services(services.settings)
    try:
        assert other.park_locator.locate(*TOWN_HALL) is None
        park_outlines.replace_outline(
            services, STAFF, "saint-felicien-verreault", json.dumps(DOWNTOWN_SQUARE), "traced"
        )
        assert other.park_locator.locate(*TOWN_HALL).park_id == "saint-felicien-verreault"
    finally:
        other.close()


def test_a_park_manager_replaces_only_their_own_parks(services):
    manager = Principal(
        user_id=2, username="g", role=Role.PARK_MANAGER, parks=frozenset({"jonquiere"})
    )
    assert [p.id for p in park_outlines.editable_parks(services, manager)] == ["jonquiere"]
    park_outlines.replace_outline(
        services, manager, "jonquiere", json.dumps(_square(-71.225, 48.405)), "traced"
    )
    with pytest.raises(Forbidden):
        park_outlines.replace_outline(
            services, manager, "saint-felicien-verreault", json.dumps(DOWNTOWN_SQUARE), "traced"
        )
    presenter = Principal(user_id=3, username="p", role=Role.PRESENTER)
    with pytest.raises(Forbidden):
        park_outlines.outline_history(services, presenter, "jonquiere")


# --- pages -----------------------------------------------------------------------------------


def _post(client: Any, url: str, data: dict[str, Any]) -> Any:
    page = client.get(url.rsplit("/restaurer", 1)[0] if "restaurer" in url else url)
    data = {"csrf_token": csrf_token_of(page.get_data(as_text=True)), **data}
    return client.post(url, data=data, content_type="multipart/form-data")


def test_staff_replace_an_outline_by_drawing_and_restore_it(client):
    url = "/registre/parcs/saint-felicien-verreault/contour"
    page = client.get(url)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'id="outline-form"' in html and "L.polygon" in html
    done = _post(
        client,
        url,
        {"geojson": json.dumps(DOWNTOWN_SQUARE), "status": "surveyed", "note": "relevé"},
    )
    assert done.status_code == 303
    html = client.get(url).get_data(as_text=True)
    assert "Contour remplacé" in html and 'data-outline="surveyed"' in html
    # the change is dated by the region's clock, as every page dates things
    assert "UTC" not in html and re.search(r"\d{4}, \d\d h \d\d</time>", html)
    change = html.split('data-change="', 1)[1].split('"', 1)[0]
    back = _post(client, f"{url}/{change}/restaurer", {})
    assert back.status_code == 303
    assert 'data-outline="town"' in client.get(url).get_data(as_text=True)
    listing = client.get("/registre/parcs").get_data(as_text=True)
    assert 'data-park="jonquiere"' in listing


def test_an_uploaded_file_is_checked_and_a_refusal_comes_back_422(client):
    import io

    url = "/registre/parcs/jonquiere/contour"
    bad = _post(
        client,
        url,
        {
            "fichier": (io.BytesIO(b'{"type": "Point", "coordinates": [0, 0]}'), "x.geojson"),
            "status": "traced",
        },
    )
    assert bad.status_code == 422
    assert french("reçu : Point") in bad.get_data(as_text=True)
    good = _post(
        client,
        url,
        {
            "fichier": (io.BytesIO(json.dumps(_square(-71.225, 48.405)).encode()), "x.geojson"),
            "status": "traced",
        },
    )
    assert good.status_code == 303


def test_a_park_manager_of_another_park_gets_403(client_as):
    manager = client_as("gestion")
    own = MANAGED["park"]
    other = "mashteuiatsh" if own != "mashteuiatsh" else "roberval"
    assert manager.get(f"/registre/parcs/{own}/contour").status_code == 200
    listing = manager.get("/registre/parcs").get_data(as_text=True)
    assert f'data-park="{own}"' in listing and f'data-park="{other}"' not in listing
    assert manager.get(f"/registre/parcs/{other}/contour").status_code == 403
    refused = manager.post(
        f"/registre/parcs/{other}/contour",
        data={"geojson": json.dumps(DOWNTOWN_SQUARE), "status": "traced"},
    )
    assert refused.status_code == 403
    assert manager.get("/registre/").status_code == 403  # the rest stays staff's


# --- command line ----------------------------------------------------------------------------


def test_the_command_line_replaces_lists_and_restores_an_outline(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from mapservice.cli.main import main

    monkeypatch.setenv("MAPSERVICE_DATABASE_URL", "sqlite:///" + str(tmp_path / "cli.sqlite"))
    monkeypatch.setenv("MAPSERVICE_INSTANCE_PATH", str(tmp_path / "instance"))

    def run(*args: str) -> Any:
        return CliRunner().invoke(main, list(args), catch_exceptions=False)

    assert run("init").exit_code == 0
    listed = run("parks", "list").output
    assert "saint-felicien-verreault\ttown\t" in listed and "jonquiere\testimated\t" in listed
    outline = tmp_path / "verreault.geojson"
    outline.write_text(
        json.dumps({"type": "Feature", "properties": {}, "geometry": DOWNTOWN_SQUARE})
    )
    done = run("parks", "outline", "saint-felicien-verreault", str(outline), "--status", "traced")
    assert done.exit_code == 0 and "changement n° " in done.output, done.output
    assert "saint-felicien-verreault\ttraced\t" in run("parks", "list").output
    history = run("parks", "history", "saint-felicien-verreault").output
    change = history.split("\t", 1)[0]
    assert "cli" in history and "town → traced" in history
    assert run("parks", "restore", "saint-felicien-verreault", change).exit_code == 0
    assert "saint-felicien-verreault\ttown\t" in run("parks", "list").output
    bad = tmp_path / "bad.geojson"
    bad.write_text('{"type": "Point", "coordinates": [-71.2, 48.4]}')
    refused = run("parks", "outline", "jonquiere", str(bad), "--status", "surveyed")
    assert refused.exit_code != 0 and "reçu : Point" in refused.output


# --- hostile uploads -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def region() -> Any:
    from mapservice.geocoding.gazetteer import Gazetteer
    from tests.support.settings import DATA_DIR

    return Gazetteer.from_directory(DATA_DIR).region


_json = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=True) | st.integers() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=12), inner, max_size=5)
    ),
    max_leaves=30,
)
_positions = st.lists(
    st.tuples(st.floats(-73.6, -69.4), st.floats(47.4, 49.7)), min_size=0, max_size=8
)


@hypothesis.settings(max_examples=300, deadline=None, derandomize=True)
@hypothesis.given(
    st.one_of(
        st.binary(max_size=200),
        _json.map(json.dumps),
        _positions.map(
            lambda ps: json.dumps({"type": "Polygon", "coordinates": [[list(p) for p in ps]]})
        ),
        _json.map(lambda c: json.dumps({"type": "MultiPolygon", "coordinates": c})),
    )
)
def test_any_upload_is_an_outline_or_a_clear_refusal(region, text):
    from mapservice.registry.outline_input import MAX_AREA_HA, MIN_AREA_HA, read_outline

    try:
        checked = read_outline(text, region)
    except InvalidInput as exc:
        assert str(exc.message).strip()
        return
    outline = shape(checked.geometry)
    assert outline.is_valid and not outline.is_empty
    assert MIN_AREA_HA <= checked.area_ha <= MAX_AREA_HA
