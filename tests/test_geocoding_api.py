"""``/api/v1/geocode``, ``/api/v1/reverse`` and moving a site by hand, through the Flask app."""

from __future__ import annotations

import json

import pytest

from mapservice.config import PROJECT_ROOT
from mapservice.services import Services


def test_geocode_a_full_address(client):
    r = client.get(
        "/api/v1/geocode",
        query_string={"q": "2485, rue Alexis-le-Trotteur, Jonquière (Québec) G7X 0E4"},
    )
    assert r.status_code == 200
    body = r.json
    assert {
        "lat",
        "lon",
        "precision",
        "source",
        "score",
        "municipality",
        "park",
        "candidates",
    } <= set(body)
    assert (body["lat"], body["lon"], body["precision"]) == (48.4069, -71.2221, "postcode")
    assert body["municipality"]["name"] == "Jonquière"
    assert body["municipality"]["municipality"] == "Saguenay"
    assert body["park"]["id"] == "jonquiere" and body["outside_region"] is False


@pytest.mark.parametrize(
    ("q", "precision", "place"),
    [
        ("Jonquiere", "municipality", "saguenay-jonquiere"),
        ("Ville de Saguenay, arr. Chicoutimi", "municipality", "saguenay-chicoutimi"),
        ("st-felicien qc", "municipality", "saint-felicien"),
        ("g8b5w2", "postcode", None),
        ("G7H 9Z9", "fsa", None),
        ("Parc industriel Henri-Girard", "park", "saguenay-chicoutimi"),
    ],
)
def test_geocode_variants(client, q, precision, place):
    body = client.get("/api/v1/geocode", query_string={"q": q}).json
    assert body["precision"] == precision, body
    if place:
        assert body["municipality"]["id"] == place


def test_structured_parameters_work_without_q(client):
    r = client.get(
        "/api/v1/geocode", query_string={"municipality": "Alma", "postal_code": "G8B 5W2"}
    )
    assert r.status_code == 200 and r.json["precision"] == "postcode"


def test_nothing_matching_is_a_404_with_suggestions(client):
    r = client.get("/api/v1/geocode", query_string={"q": "Chicoutimj"})
    assert r.status_code == 404
    assert r.json["error"] == "not_found" and "Chicoutimi" in r.json["suggestions"]
    r = client.get("/api/v1/geocode", query_string={"q": "xqzzyv"})
    assert r.status_code == 404 and r.json["suggestions"] == []


@pytest.mark.parametrize("q", [None, "", "   ", "???", "x" * 400, "Alma\x00"])
def test_empty_or_absurd_queries_are_422_naming_q(client, q):
    r = client.get("/api/v1/geocode", query_string={} if q is None else {"q": q})
    assert r.status_code == 422 and r.json["field"] == "q", r.json
    assert r.json["message"]


def test_a_place_outside_the_region_is_flagged_not_moved(client):
    body = client.get("/api/v1/geocode", query_string={"q": "Montréal"}).json
    assert body["outside_region"] is True and body["lat"] < 46
    assert body["municipality"] is None and body["park"] is None
    body = client.get("/api/v1/geocode", query_string={"q": "45.5017, -73.5673"}).json
    assert body["outside_region"] is True and body["precision"] == "manual"


def test_swapped_coordinates_are_a_422_with_the_fix(client):
    r = client.get("/api/v1/geocode", query_string={"q": "-71.65, 48.55"})
    assert r.status_code == 422 and r.json["swapped"] is True


def test_reverse_gives_municipality_postal_area_and_park(client):
    body = client.get("/api/v1/reverse", query_string={"lat": "48.4069", "lon": "-71.2221"}).json
    assert body["place"]["id"] == "saguenay-jonquiere"
    assert body["municipality"]["name"] == "Saguenay" and body["fsa"] == "G7X"
    assert body["postal_code"] == "G7X 0E4" and body["park"]["id"] == "jonquiere"
    assert body["outside_region"] is False


def test_reverse_far_from_any_postal_code_uses_the_nearest_centre(client):
    # Lac Saint-Jean, 10 km off Roberval: no postal code near, no park.
    body = client.get("/api/v1/reverse", query_string={"lat": "48.55", "lon": "-72.05"}).json
    assert body["method"] == "centre-le-plus-proche" and body["park"] is None
    assert body["postal_code"] is None and body["place"] is not None


def test_reverse_outside_the_region(client):
    body = client.get("/api/v1/reverse", query_string={"lat": "46.81", "lon": "-71.21"}).json
    assert body["outside_region"] is True and body["municipality"] is None
    assert body["nearest_place_outside"]["name"].startswith("Qu")


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({"lon": "-71.2"}, "lat"),
        ({"lat": "abc", "lon": "-71.2"}, "lat"),
        ({"lat": "95", "lon": "-71.2"}, "lat"),
        ({"lat": "48.4", "lon": "nan"}, "lon"),
        ({"lat": "48.4", "lon": "-271"}, "lon"),
    ],
)
def test_reverse_refuses_bad_points_naming_the_parameter(client, args, field):
    r = client.get("/api/v1/reverse", query_string=args)
    assert r.status_code == 422 and r.json["field"] == field


def _coarse_site(app) -> int:
    svc: Services = app.extensions["mapservice"]
    return next(s.id for s in svc.repo.sites() if s.geocode_precision.value == "municipality")


def test_moving_a_site_makes_it_manual_with_who_and_when(app, client):
    site_id = _coarse_site(app)
    r = client.post(f"/api/v1/sites/{site_id}/location", json={"lat": 48.4069, "lon": -71.2221})
    assert r.status_code == 200, r.json
    body = r.json
    assert body["precision"] == "manual" and body["source"] == "correction-manuelle"
    assert body["geocoded_by"] == "personnel" and body["geocoded_at"]  # the signed-in account
    assert body["park"] == "jonquiere" and body["municipality"] == "saguenay-jonquiere"


@pytest.mark.parametrize(
    ("payload", "status", "field"),
    [
        ({"lat": 45.5, "lon": -73.56}, 422, "lat"),
        ({"lat": "nord", "lon": -71.2}, 422, "lat"),
        ({"lon": -71.2}, 422, "lat"),
    ],
)
def test_a_bad_move_is_refused_and_changes_nothing(app, client, payload, status, field):
    site_id = _coarse_site(app)
    svc: Services = app.extensions["mapservice"]
    before = svc.repo.get_site(site_id)
    r = client.post(f"/api/v1/sites/{site_id}/location", json=payload)
    assert r.status_code == status and r.json["field"] == field
    assert svc.repo.get_site(site_id) == before


def test_moving_an_unknown_site_is_a_404(client):
    r = client.post("/api/v1/sites/999999/location", json={"lat": 48.4, "lon": -71.2})
    assert r.status_code == 404


def test_a_hand_placed_site_stays_put_when_its_file_is_imported_again(app, client):
    svc: Services = app.extensions["mapservice"]
    site_id = _coarse_site(app)
    client.post(f"/api/v1/sites/{site_id}/location", json={"lat": 48.4100, "lon": -71.2300})
    result = svc.import_file(PROJECT_ROOT / "data" / "demo" / "membres.csv")
    assert result.updated["sites"] == 0
    site = svc.repo.get_site(site_id)
    assert (site.lat, site.lon, site.geocoded_by) == (48.41, -71.23, "personnel")


def test_review_page_lists_coarse_sites_with_a_link_to_correct_them(app, client):
    site_id = _coarse_site(app)
    html = client.get("/geocodage").get_data(as_text=True)
    assert f'data-site="{site_id}"' in html and f"/sites/{site_id}/position" in html
    page = client.get(f"/sites/{site_id}/position").get_data(as_text=True)
    assert "draggable" in page and 'name="by"' not in page and "Votre nom" not in page
    assert "La position est notée à votre nom (personnel)." in page
    assert "cdn" not in page.lower()  # everything served by the app itself


def test_position_form_saves_and_redirects_or_explains(app, client):
    site_id = _coarse_site(app)
    r = client.post(
        f"/sites/{site_id}/position", data={"lat": "48,4069", "lon": "-71.2221", "by": "Marc"}
    )
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/geocodage?corrige={site_id}")
    svc = app.extensions["mapservice"]
    assert svc.repo.get_site(site_id).geocoded_by == "personnel"  # the account, not "Marc"
    r = client.post(f"/sites/{site_id}/position", data={"lat": "48,41", "lon": "-71.23"})
    assert r.status_code == 303 and svc.repo.get_site(site_id).lat == 48.41
    r = client.post(f"/sites/{site_id}/position", data={"lat": "nord", "lon": "-71.2"})
    assert r.status_code == 422 and "nord" in r.get_data(as_text=True)


# --- bugs the schemathesis fuzzer found (tests/test_api_fuzz.py) ----------------------------


def test_nothing_matching_is_a_problem_json_like_every_other_error(client):
    # The 404 used to be plain application/json without RFC 9457's type, title and status.
    r = client.get("/api/v1/geocode", query_string={"address": "outside_region"})
    assert r.status_code == 404 and r.mimetype == "application/problem+json"
    body = r.json
    assert (body["type"], body["title"], body["status"]) == ("about:blank", "Not Found", 404)
    assert body["error"] == "not_found" and body["detail"] == body["message"]
    assert isinstance(body["suggestions"], list) and "not_found" not in body


def test_the_time_of_a_hand_placement_carries_its_utc_offset(app, client):
    # SQLite gives back naive times: they used to leave as "2026-…T13:08:00" (no zone),
    # which is not an RFC 3339 date-time.
    from datetime import datetime, timedelta

    site_id = _coarse_site(app)
    r = client.post(f"/api/v1/sites/{site_id}/location", json={"lat": 48.4069, "lon": -71.2221})
    at = datetime.fromisoformat(r.json["geocoded_at"])
    assert at.utcoffset() == timedelta(0)


@pytest.mark.parametrize("site_id", ["0", "2147483648", "99999999999999999999999"])
def test_a_site_id_no_row_can_have_is_a_404_not_a_500(client, site_id):
    # Past SQLite's (and PostgreSQL's) integers the driver used to overflow: a 500.
    r = client.post(f"/api/v1/sites/{site_id}/location", json={"lat": 48.4, "lon": -71.2})
    assert r.status_code == 404 and r.mimetype == "application/problem+json"
    assert site_id in r.json["message"]


@pytest.mark.parametrize("by", ["Julie\x00", "Ju\x1blie", "Julie\udbab", " "])
def test_a_posted_name_is_ignored_even_when_it_is_not_plain_text(app, client, by):
    # NUL (PostgreSQL refuses it in text) and lone surrogates (SQLite cannot encode them)
    # used to reach the database: a 500. A posted "by" is now never read at all.
    site_id = _coarse_site(app)
    svc: Services = app.extensions["mapservice"]
    r = client.post(
        f"/api/v1/sites/{site_id}/location",
        data=json.dumps({"lat": 48.4069, "lon": -71.2221, "by": by}),
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json["geocoded_by"] == "personnel", r.json
    assert svc.repo.get_site(site_id).geocoded_by == "personnel"
