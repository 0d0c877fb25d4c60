"""The map's place box: ``GET /carte/lieux`` over the offline gazetteer, and the box itself in
Chromium (type a place, the map moves there)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mapservice.geocoding.place_search import MAX_PLACE_CHARS


@pytest.mark.parametrize(
    ("q", "label", "precision", "near"),
    [
        ("Jonquière", "Jonquière", "municipality", (48.42, -71.25)),
        ("ALMA", "Alma", "municipality", (48.55, -71.65)),
        ("g7x 0e4", "G7X 0E4", "postcode", (48.41, -71.22)),
        ("G8B", "G8B", "fsa", (48.55, -71.64)),
        # A street of the gazetteer's parks: the park it runs through.
        ("2485 rue Alexis-le-Trotteur, Jonquière", "Parc industriel de Jonquière", "park", None),
        ("Parc industriel Henri-Girard", "Parc industriel Henri-Girard", "park", (48.40, -71.08)),
    ],
)
def test_a_known_place_answers_where_it_is(client, q, label, precision, near):
    response = client.get("/carte/lieux", query_string={"q": q})
    assert response.status_code == 200 and response.mimetype == "application/json"
    place = response.get_json()
    assert place["found"] is True
    assert place["label"].startswith(label)
    assert place["precision"] == precision
    assert 10 <= place["zoom"] <= 17
    assert place["outside_region"] is False
    if near is not None:
        assert abs(place["lat"] - near[0]) < 0.02 and abs(place["lon"] - near[1]) < 0.02


def test_a_town_outside_the_region_is_found_and_said_so(client):
    place = client.get("/carte/lieux?q=Montréal").get_json()
    assert place["found"] is True and place["outside_region"] is True


@pytest.mark.parametrize(
    ("q", "status", "said"),
    [
        ("zzyzx qwfp", 404, "Aucun lieu"),
        ("", 422, "Écrivez un lieu"),
        ("   ", 422, "Écrivez un lieu"),
        ("x" * (MAX_PLACE_CHARS + 1), 422, "trop longue"),
        ("¿?!", 422, "ni lettre ni chiffre"),
        ("Alma\x07", 422, "caractère"),
    ],
)
def test_nothing_found_or_a_bad_text_is_said_in_json(client, q, status, said):
    response = client.get("/carte/lieux", query_string={"q": q})
    assert response.status_code == status and response.mimetype == "application/json"
    body = response.get_json()
    assert body["found"] is False and said in body["message"]


def test_no_text_at_all_is_refused(client):
    assert client.get("/carte/lieux").status_code == 422


def test_the_answer_is_in_english_on_request(client):
    client.get("/?lang=en")
    body = client.get("/carte/lieux?q=").get_json()
    assert "Write a place" in body["message"]


@pytest.mark.parametrize("username", ["gestion", "presentateur"])
def test_every_signed_in_reader_may_ask(client_as, username):
    assert client_as(username).get("/carte/lieux?q=Alma").status_code == 200


def test_a_stranger_may_not(stranger):
    response = stranger.get("/carte/lieux?q=Alma")
    assert response.status_code in (302, 401)
    assert b"lat" not in response.get_data()


def test_the_region_map_carries_the_box_for_signed_in_readers(client):
    html = client.get("/").get_data(as_text=True)
    assert "js/place-search.js" in html and 'data-url="/carte/lieux"' in html


# --- in a browser ---------------------------------------------------------------------------


@pytest.mark.parametrize(("width", "height"), [(1366, 768), (390, 844)])
def test_typing_a_place_moves_the_map(chromium, served, tmp_path, width, height):
    from tests.support.browser import signed_in_page

    shots = Path(os.environ.get("MAPSERVICE_SHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    page = signed_in_page(
        chromium, served, "personnel", viewport={"width": width, "height": height}
    )
    try:
        page.route("**/tile.openstreetmap.org/**", lambda route: route.abort())
        page.goto(served + "/")
        page.wait_for_function("() => window.mapservice && window.mapservice.map")
        box = page.get_by_label("Aller à un lieu", exact=True).last
        before = page.evaluate("window.mapservice.map.getCenter()")
        box.fill("Roberval")
        box.press("Enter")
        page.wait_for_function("() => document.documentElement.dataset.placeFound")
        after = page.evaluate(
            "[window.mapservice.map.getCenter(), window.mapservice.map.getZoom()]"
        )
        assert abs(after[0]["lat"] - 48.52) < 0.01 and abs(after[0]["lng"] + 72.23) < 0.01
        assert after[0] != before and after[1] == 12
        assert "Roberval" in page.locator("#ms-place-status").inner_text()
        page.screenshot(path=str(shots / f"place-search-{width}.png"))
        box.fill("zzyzx qwfp")
        box.press("Enter")
        page.wait_for_function(
            "() => (document.documentElement.dataset.placeStatus || '').includes('Aucun lieu')"
        )
        still = page.evaluate("window.mapservice.map.getCenter()")
        assert still == after[0]
    finally:
        page.context.close()


def test_the_position_page_and_the_site_page_carry_the_box(app, client):
    site_id = app.extensions["mapservice"].repo.sites()[0].id
    position = client.get(f"/sites/{site_id}/position").get_data(as_text=True)
    assert "js/place-search.js" in position and 'data-map="map_' in position
    page = client.get(f"/sites/{site_id}").get_data(as_text=True)
    assert "js/place-search.js" in page and "data-map=" not in page


@pytest.mark.parametrize(("width", "height"), [(1366, 768), (390, 844)])
def test_typing_a_place_moves_the_position_map_not_the_marker(chromium, served, width, height):
    """On the manual placement page the box takes the map to the street or town; the person
    then places the marker, which the search leaves where it was (as do the form's fields)."""
    from tests.support.browser import signed_in_page

    shots = Path(os.environ.get("MAPSERVICE_SHOTS") or "/work/wt/shots20/finish")
    shots.mkdir(parents=True, exist_ok=True)
    page = signed_in_page(
        chromium, served, "personnel", viewport={"width": width, "height": height}
    )
    map_js = "window[document.querySelector('script[data-map]').dataset.map]"
    try:
        page.route("**/tile.openstreetmap.org/**", lambda route: route.abort())
        page.goto(served + "/sites/1/position")
        page.wait_for_function(f"() => document.querySelector('script[data-map]') && {map_js}")
        before = page.evaluate(f"{map_js}.getCenter()")
        fields = page.evaluate("[lat.value, lon.value]")
        box = page.get_by_role("searchbox", name="Aller à un lieu")
        box.fill("Roberval")
        box.press("Enter")
        page.wait_for_function("() => document.documentElement.dataset.placeFound")
        after = page.evaluate(f"{map_js}.getCenter()")
        assert abs(after["lat"] - 48.52) < 0.01 and abs(after["lng"] + 72.23) < 0.01
        assert after != before
        assert page.evaluate("[lat.value, lon.value]") == fields  # nothing placed by itself
        assert "Roberval" in page.locator("#ms-place-status").inner_text()
        page.screenshot(path=str(shots / f"position-place-search-{width}.png"), full_page=True)
        # a click on the map there places the marker, as before
        where = page.locator(".folium-map")
        size = where.bounding_box()
        assert size is not None
        where.click(position={"x": size["width"] * 0.75, "y": size["height"] * 0.6})
        assert page.evaluate("[lat.value, lon.value]") != fields
    finally:
        page.context.close()
