"""``Cache-Control: no-store`` on every answer made for an account (pages with contacts, the
registry, the board, their exports and API answers), none on what strangers get from the
public map or the public APIs (cacheable, with their ETags), nor on static files."""

from __future__ import annotations

import pytest

from tests.support.accounts import MANAGED, sign_in

#: (route class, path) answered to staff: each carries names, contacts or exact places.
STAFF = [
    ("carte", "/"),
    ("registre", "/registre/"),
    ("tableau", "/synergies"),
    ("impact", "/impact"),
    ("mobilisation", "/mobilisation"),
    ("mobilisation xlsx", "/mobilisation.xlsx"),
    ("géocodage", "/geocodage"),
    ("export", "/export/sites.csv"),
    ("export xlsx", "/export/flows.xlsx"),
    ("ogc", "/ogcapi/collections/sites/items?limit=5"),
    ("compte", "/compte"),
    ("erreur", "/registre/membres/999999"),
]


@pytest.mark.parametrize(("kind", "path"), STAFF, ids=[k for k, _ in STAFF])
def test_staff_answers_are_never_stored(client, kind, path):
    response = client.get(path)
    assert response.status_code in (200, 404), (kind, response.status_code)
    assert response.headers["Cache-Control"] == "no-store", kind


@pytest.mark.parametrize(
    "path", ["/api/v1/synergies?limit=5", "/ogcapi/collections/flows/items?limit=5"]
)
def test_api_answers_to_a_token_are_never_stored(app, path):
    for token in (MANAGED["staff_token"], MANAGED["manager_token"]):
        response = app.test_client().get(path, headers={"Authorization": f"Bearer {token}"})
        if response.status_code == 403:  # the park manager has no synergy API
            continue
        assert response.status_code == 200, response.status_code
        assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("username", ["gestion", "presentateur"])
def test_every_account_s_pages_are_never_stored(app, username):
    signed = sign_in(app.test_client(), username)
    for path in ("/compte", "/ogcapi/collections/sites/items?limit=5", "/present"):
        response = signed.get(path)
        if response.status_code == 403:
            continue
        assert response.headers["Cache-Control"] == "no-store", path


def test_the_sign_in_page_is_never_stored(stranger):
    assert stranger.get("/connexion").headers["Cache-Control"] == "no-store"


def test_public_answers_stay_cacheable(app, stranger):
    admin = sign_in(app.test_client(), "admin")
    assert admin.post("/admin/carte-publique", data={"public_map": "1"}).status_code == 302
    for path in ("/", "/export/sites.geojson", "/ogcapi", "/ogcapi/conformance", "/healthz"):
        response = stranger.get(path)
        assert response.status_code == 200, path
        assert "no-store" not in response.headers.get("Cache-Control", ""), path
    public_doc = stranger.get("/ogcapi/conformance")
    assert public_doc.headers.get("ETag")  # revalidated, as before


def test_static_files_stay_cacheable_for_staff(client):
    with client.get("/static/css/app.css") as response:
        assert "no-store" not in response.headers.get("Cache-Control", "")
