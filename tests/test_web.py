"""The first map, health and the sites export, through the Flask test client."""

from __future__ import annotations

import pytest

from mapservice import create_app
from tests.support.migrations import latest_revision
from tests.support.pages import map_data


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert (
        body["status"] == "ok"
        and body["backend"] == "sqlite"
        and body["revision"] == latest_revision()
    )
    assert body["counts"]["sites"] > 200


def test_region_map_shows_parks_and_clustered_sites(client, app):
    response = client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="fr-CA">' in html
    assert "L.markerClusterGroup" in html and "MapService.draw(" in html
    svc = app.extensions["mapservice"]
    n_sites = len([s for s in svc.repo.sites() if s.lat is not None])
    data = map_data(html)
    assert len(data["sites"]["features"]) == n_sites
    assert {p.name for p in svc.repo.parks()} == {
        f["properties"]["n"] for f in data["parks"]["features"]
    }
    # A site lists its offers and needs as [category, description, quantity] rows.
    assert any(f["properties"]["o"] for f in data["sites"]["features"])
    assert any(f["properties"]["b"] for f in data["sites"]["features"])


def test_sites_geojson_is_rfc7946(client, app):
    response = client.get("/export/sites.geojson")
    assert response.status_code == 200
    assert response.mimetype == "application/geo+json"
    doc = response.get_json()
    assert doc["type"] == "FeatureCollection" and "crs" not in doc
    svc = app.extensions["mapservice"]
    ids = {s.id for s in svc.repo.sites()}
    assert {f["id"] for f in doc["features"]} == ids
    for feature in doc["features"]:
        lon, lat = feature["geometry"]["coordinates"]
        assert -73.5 < lon < -69.5 and 47.5 < lat < 49.6
        assert len(repr(lon).split(".")[1]) <= 6
        assert feature["properties"]["site_id"] == feature["id"]


def test_sites_geojson_filtered_by_park(client, app):
    svc = app.extensions["mapservice"]
    counts: dict[str, int] = {}
    for site in svc.repo.sites():
        if site.park_id:
            counts[site.park_id] = counts.get(site.park_id, 0) + 1
    park_id, expected = max(counts.items(), key=lambda kv: kv[1])
    doc = client.get(f"/export/sites.geojson?park={park_id}").get_json()
    assert len(doc["features"]) == expected
    assert {f["properties"]["park_id"] for f in doc["features"]} == {park_id}


def test_unknown_park_is_a_clear_422(client):
    response = client.get("/export/sites.geojson?park=parc-imaginaire")
    assert response.status_code == 422
    body = response.get_json()
    assert body["field"] == "park" and "parc-imaginaire" in body["message"]


def test_unknown_page_is_404_html_for_people(client):
    response = client.get("/nulle-part", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert "Erreur 404" in response.get_data(as_text=True)


def test_hostile_company_name_is_escaped_in_popups(tmp_path, services):
    from tests.support.import_files import GOOD, HEADER, write_csv

    rows = [list(GOOD[0])]
    rows[0][0] = "<script>alert(1)</script> (démo)"
    services.import_file(write_csv(tmp_path / "x.csv", rows, header=HEADER))
    from mapservice.accounts import jobs as accounts
    from tests.support.accounts import PASSWORD, sign_in

    accounts.add_user(services, username="personnel", password=PASSWORD, role="staff")
    app = create_app(
        {
            "DATABASE_URL": services.settings["DATABASE_URL"],
            "INSTANCE_PATH": str(tmp_path / "i"),
            "SECRET_KEY": "t",
        }
    )
    html = sign_in(app.test_client(), "personnel").get("/").get_data(as_text=True)
    app.extensions["mapservice"].close()
    assert "<script>alert(1)" not in html
    # In the map's data, as a JSON string the script sets as text; in the list, as HTML text.
    names = {f["properties"]["n"] for f in map_data(html)["sites"]["features"]}
    assert "<script>alert(1)</script> (démo)" in names
    assert "&lt;script&gt;alert(1)&lt;/script&gt; (démo)" in html


@pytest.mark.parametrize("path", ["/healthz", "/connexion"])
def test_empty_database_gives_503_not_a_traceback(tmp_path, path):
    """Before anyone is known, the pages that read the database: health, and signing in."""
    from tests.support.accounts import csrf_token_of

    app = create_app(
        {
            "DATABASE_URL": "sqlite:///" + str(tmp_path / "nowhere" / "x" / "y.db"),
            "INSTANCE_PATH": str(tmp_path / "i"),
            "SECRET_KEY": "t",
        }
    )
    client = app.test_client()
    if path == "/connexion":
        token = csrf_token_of(client.get(path).get_data(as_text=True))
        response = client.post(path, data={"username": "a", "password": "b", "csrf_token": token})
    else:
        response = client.get(path)
    assert response.status_code in (500, 503)
    assert "Traceback" not in response.get_data(as_text=True)
