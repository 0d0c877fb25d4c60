"""Who sees what: the role × route matrix, tokens scoped to a park manager's parks, CSRF,
sign-in throttling and locking, and no confidential value leaking to those without the right.

Accounts come from ``tests.support.accounts.ACCOUNTS`` (one per role, password ``PASSWORD``); the
park manager ``gestion`` manages ``MANAGED["park"]``.
"""

from __future__ import annotations

import base64
import re
from typing import Any

import pytest

from mapservice.web.guard import permission_for
from tests.support.accounts import ACCOUNTS, MANAGED, PASSWORD, csrf_token_of, sign_in

STRANGER = "inconnu"
ROLES = (STRANGER, *ACCOUNTS)  # inconnu, admin, personnel, gestion, presentateur


def _svc(app: Any) -> Any:
    return app.extensions["mapservice"]


def _client(app: Any, who: str) -> Any:
    client = app.test_client()
    return client if who == STRANGER else sign_in(client, who)


def _outcome(resp: Any) -> str:
    """ok, login (sent to the sign-in page), 401 or 403."""
    resp.close()  # file responses hold their file open until closed
    if resp.status_code == 302 and "/connexion" in resp.headers["Location"]:
        return "login"
    if resp.status_code in (401, 403):
        return str(resp.status_code)
    assert resp.status_code < 400, (resp.status_code, resp.get_data(as_text=True)[:300])
    return "ok"


# route → outcome for: inconnu, admin, personnel, gestion, presentateur
MATRIX = {
    "/": ("login", "ok", "ok", "ok", "ok"),
    "/materiaux": ("login", "ok", "ok", "403", "403"),
    "/registre/": ("login", "ok", "ok", "403", "403"),
    "/registre/import": ("login", "ok", "ok", "403", "403"),
    "/sites/{site}": ("login", "ok", "ok", "403", "403"),
    "/synergies": ("login", "ok", "ok", "403", "403"),
    "/impact": ("login", "ok", "ok", "403", "403"),
    "/mobilisation": ("login", "ok", "ok", "403", "403"),
    "/mobilisation.csv": ("login", "ok", "ok", "403", "403"),
    "/synergies/appariement/etat": ("login", "ok", "ok", "403", "403"),
    "/geocodage": ("login", "ok", "ok", "403", "403"),
    "/classement": ("login", "ok", "ok", "403", "403"),
    "/present": ("login", "ok", "ok", "403", "ok"),
    "/present/vues": ("login", "ok", "ok", "403", "403"),
    "/present/telecharger": ("login", "ok", "ok", "403", "ok"),
    "/admin": ("login", "ok", "403", "403", "403"),
    "/compte": ("login", "ok", "ok", "ok", "ok"),
    "/carte/routes.geojson": ("login", "ok", "ok", "ok", "ok"),
    "/carte/fond.geojson": ("ok", "ok", "ok", "ok", "ok"),
    "/export/sites.geojson": ("401", "ok", "ok", "ok", "ok"),
    "/ogcapi/collections/sites/items": ("401", "ok", "ok", "ok", "403"),
    "/ogcapi/collections": ("401", "ok", "ok", "ok", "403"),
    "/ogcapi/": ("ok", "ok", "ok", "ok", "ok"),
    "/api/v1/synergies": ("401", "ok", "ok", "403", "403"),
    "/api/v1/reverse?lat=48.43&lon=-71.07": ("401", "ok", "ok", "403", "403"),
    "/api/v1/openapi.json": ("ok", "ok", "ok", "ok", "ok"),
    "/healthz": ("ok", "ok", "ok", "ok", "ok"),
    "/healthz/caches": ("401", "ok", "ok", "403", "403"),
    "/connexion": ("ok", "ok", "ok", "ok", "ok"),
}


def test_every_endpoint_has_a_rule(app):
    missing = sorted(
        {r.endpoint for r in app.url_map.iter_rules() if permission_for(r.endpoint) is None}
    )
    assert not missing, f"endpoints without an access rule: {missing}"


@pytest.mark.slow
def test_role_by_route_matrix(app):
    with app.app_context():
        site = _svc(app).repo.sites()[0].id
    clients = {who: _client(app, who) for who in ROLES}
    seen = {}
    for route, expected in MATRIX.items():
        url = route.format(site=site)
        got = tuple(_outcome(clients[who].get(url)) for who in ROLES)
        seen[route] = got
        assert got == expected, (route, dict(zip(ROLES, got, strict=True)))
    assert len(seen) == len(MATRIX)


def test_a_stranger_never_reads_a_page_without_a_public_rule(app, stranger):
    """Every GET route, with made-up ids: a stranger gets the sign-in page, 401 or 404."""
    public = {
        "static",
        "health.healthz",
        "auth.login",
        "pages.basemap",
        "ogcapi.landing",
        "ogcapi.conformance",
        "ogcapi.openapi",
        "openapi.docs",
        "openapi.openapi_json",
    }
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in public:
            continue
        url = re.sub(r"<(?:int:)?(\w+)>", "1", rule.rule).replace("<path:filename>", "x")
        resp = stranger.get(url)
        resp.close()
        assert _outcome(resp) in ("login", "401") or resp.status_code == 404, (
            rule.rule,
            resp.status_code,
        )


def test_the_public_map_opens_to_strangers_anonymised_when_the_admin_says_so(app):
    admin = _client(app, "admin")
    stranger = app.test_client()
    assert _outcome(stranger.get("/")) == "login"
    assert admin.post("/admin/carte-publique", data={"public_map": "1"}).status_code == 302
    page = stranger.get("/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    with app.app_context():
        hidden = [m.name for m in _svc(app).repo.members() if not m.public_consent]
    assert hidden and not [name for name in hidden if name in html]
    assert "save-view" not in html and "/sites/" not in html
    assert _outcome(stranger.get("/registre/")) == "login"
    export = stranger.get("/export/sites.geojson")
    assert export.status_code == 200
    body = export.get_data(as_text=True)
    assert not [name for name in hidden if name in body] and "contact_email" not in body


# --- tokens and park scoping ---------------------------------------------------------------------


def _bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def test_a_park_managers_token_reads_only_their_park(app, stranger):
    park = MANAGED["park"]
    headers = _bearer(MANAGED["manager_token"])
    with app.app_context():
        sites = _svc(app).repo.sites()
    mine = {s.id for s in sites if s.park_id == park}
    others = [s for s in sites if s.park_id and s.park_id != park]
    assert mine and others
    doc = stranger.get("/ogcapi/collections/sites/items?limit=10000", headers=headers)
    assert doc.status_code == 200
    features = doc.get_json()["features"]
    assert {f["id"] for f in features} == mine
    assert all("contact_email" not in f["properties"] for f in features)
    # reaching for another park: by filter, by id, by export, by the flows and parks layers
    other = others[0]
    assert (
        stranger.get(
            f"/ogcapi/collections/sites/items?park={other.park_id}", headers=headers
        ).get_json()["numberMatched"]
        == 0
    )
    assert (
        stranger.get(f"/ogcapi/collections/sites/items/{other.id}", headers=headers).status_code
        == 404
    )
    assert (
        stranger.get(
            f"/ogcapi/collections/parks/items/{other.park_id}", headers=headers
        ).status_code
        == 404
    )
    flows = stranger.get("/ogcapi/collections/flows/items?limit=10000", headers=headers).get_json()[
        "features"
    ]
    assert flows and {f["properties"]["park_id"] for f in flows} == {park}
    export = stranger.get("/export/sites.geojson", headers=headers).get_json()
    assert {f["id"] for f in export["features"]} == mine
    other_export = stranger.get(f"/export/flows.csv?park={other.park_id}", headers=headers)
    assert other_export.status_code == 200
    assert len(other_export.get_data(as_text=True).strip().splitlines()) == 1  # header only


def test_a_park_manager_sees_their_tenants_names_but_no_contact(app, stranger):
    headers = _bearer(MANAGED["manager_token"])
    with app.app_context():
        svc = _svc(app)
        members = {m.id: m for m in svc.repo.members()}
        tenants = [s for s in svc.repo.sites() if s.park_id == MANAGED["park"]]
    features = stranger.get(
        "/ogcapi/collections/sites/items?limit=10000", headers=headers
    ).get_json()["features"]
    by_id = {f["id"]: f["properties"] for f in features}
    for site in tenants:
        assert by_id[site.id]["member"] == site.member_name
    body = stranger.get("/export/tout.xlsx", headers=headers)
    assert body.status_code == 200
    for m in members.values():
        for secret in (m.contact_email, m.contact_phone):
            if secret:
                assert secret.encode() not in body.get_data()


def test_staff_token_sees_everything_and_basic_auth_works(app, stranger):
    secret = MANAGED["staff_token"]
    everything = stranger.get(
        "/ogcapi/collections/sites/items?limit=1", headers=_bearer(secret)
    ).get_json()["numberMatched"]
    with app.app_context():
        located = [s for s in _svc(app).repo.sites() if s.lat is not None]
    assert everything == len(located)
    basic = base64.b64encode(f"qgis:{secret}".encode()).decode()
    resp = stranger.get(
        "/ogcapi/collections/sites/items?limit=1", headers={"Authorization": f"Basic {basic}"}
    )
    assert resp.status_code == 200


def test_wrong_or_revoked_tokens_are_refused(app, stranger):
    from mapservice.accounts import jobs as accounts

    url = "/ogcapi/collections/sites/items?limit=1"
    for bad in ("ms_pas-un-vrai-jeton", "n'importe quoi"):
        resp = stranger.get(url, headers=_bearer(bad))
        assert resp.status_code == 401 and resp.mimetype == "application/problem+json"
        assert "Bearer" in resp.headers["WWW-Authenticate"]
    with app.app_context():
        svc = _svc(app)
        secret = accounts.make_token(svc, "gestion", "à révoquer")
        assert stranger.get(url, headers=_bearer(secret)).status_code == 200
        token = next(
            t for t in svc.repo.tokens(svc.repo.find_user("gestion").id) if t.name == "à révoquer"
        )
        assert secret.startswith(token.prefix) and len(token.prefix) < 12
        svc.repo.revoke_token(token.id)
    assert stranger.get(url, headers=_bearer(secret)).status_code == 401


def test_tokens_are_stored_hashed(app):
    import sqlite3

    url = app.config["DATABASE_URL"].split("///", 1)[1]
    with sqlite3.connect(url) as conn:
        stored = " ".join(str(v) for row in conn.execute("SELECT * FROM api_tokens") for v in row)
        hashes = [r[0] for r in conn.execute("SELECT password_hash FROM users")]
    assert MANAGED["staff_token"] not in stored and MANAGED["manager_token"] not in stored
    assert all(PASSWORD not in h and h.startswith(("scrypt:", "pbkdf2:")) for h in hashes)


# --- CSRF, sign-in ------------------------------------------------------------------------------


def test_a_form_without_its_csrf_token_is_refused_and_changes_nothing(app):
    client = sign_in(app.test_client(), "personnel")
    del client.environ_base["HTTP_X_CSRFTOKEN"]
    before = client.get("/present/vues").get_data(as_text=True).count("view-edit")
    resp = client.post(
        "/present/vues", data={"title": "Sans jeton", "lat": "48.4", "lon": "-71.1", "zoom": "9"}
    )
    assert resp.status_code == 400 and "CSRF" in resp.get_data(as_text=True)
    resp = client.post(
        "/present/vues",
        data={
            "title": "Mauvais jeton",
            "lat": "48.4",
            "lon": "-71.1",
            "zoom": "9",
            "csrf_token": "faux",
        },
    )
    assert resp.status_code == 400
    after = client.get("/present/vues").get_data(as_text=True).count("view-edit")
    assert after == before
    api = client.post(
        "/api/v1/synergies", json={"output_flow_id": 1, "input_flow_id": 2, "status": "contacted"}
    )
    assert api.status_code == 400 and api.get_json()["field"] == "csrf_token"


def test_a_token_needs_no_csrf_token(app, stranger):
    resp = stranger.post(
        "/api/v1/classify/corrections", json={"text": "x"}, headers=_bearer(MANAGED["staff_token"])
    )
    assert resp.status_code == 422  # reached the view: the body is incomplete, not forbidden


def test_sign_in_with_a_wrong_password_then_the_right_one(app):
    client = app.test_client()
    token = csrf_token_of(client.get("/connexion").get_data(as_text=True))
    bad = client.post(
        "/connexion", data={"username": "personnel", "password": "non", "csrf_token": token}
    )
    assert bad.status_code == 401 and "incorrect" in bad.get_data(as_text=True)
    unknown = client.post(
        "/connexion", data={"username": "personne", "password": "non", "csrf_token": token}
    )
    assert unknown.get_data(as_text=True).count("incorrect") == bad.get_data(as_text=True).count(
        "incorrect"
    )  # same message: names are not revealed
    good = client.post(
        "/connexion",
        data={
            "username": "personnel",
            "password": PASSWORD,
            "csrf_token": token,
            "next": "/registre/",
        },
    )
    assert good.status_code == 302 and good.headers["Location"] == "/registre/"
    page = client.get("/registre/")
    assert page.status_code == 200
    client.post("/deconnexion", headers={"X-CSRFToken": csrf_token_of(page.get_data(as_text=True))})
    assert _outcome(client.get("/registre/")) == "login"


def test_next_never_leaves_the_site(app):
    client = app.test_client()
    token = csrf_token_of(client.get("/connexion").get_data(as_text=True))
    resp = client.post(
        "/connexion",
        data={
            "username": "personnel",
            "password": PASSWORD,
            "csrf_token": token,
            "next": "https://ailleurs.example/",
        },
    )
    assert resp.headers["Location"] == "/"


def test_an_account_locks_after_five_wrong_passwords(app):
    from mapservice.accounts import jobs as accounts
    from mapservice.accounts import sign_in

    client = app.test_client()
    token = csrf_token_of(client.get("/connexion").get_data(as_text=True))
    for _ in range(sign_in.MAX_FAILURES):
        client.post(
            "/connexion", data={"username": "gestion", "password": "faux", "csrf_token": token}
        )
    right = client.post(
        "/connexion", data={"username": "gestion", "password": PASSWORD, "csrf_token": token}
    )
    # refused as a wrong password is: nothing says the account exists or is locked
    assert right.status_code == 401 and "incorrect" in right.get_data(as_text=True)
    assert "verrouill" not in right.get_data(as_text=True)
    with app.app_context():
        accounts.reset_password(_svc(app), "gestion", PASSWORD)
    again = client.post(
        "/connexion", data={"username": "gestion", "password": PASSWORD, "csrf_token": token}
    )
    assert again.status_code == 302


@pytest.mark.slow
def test_sign_in_attempts_are_throttled_per_address(app):
    from mapservice.web import auth

    client = app.test_client()
    token = csrf_token_of(client.get("/connexion").get_data(as_text=True))
    codes = [
        client.post(
            "/connexion", data={"username": f"x{i}", "password": "faux", "csrf_token": token}
        ).status_code
        for i in range(auth.MAX_ATTEMPTS + 1)
    ]
    assert codes[:-1] == [401] * auth.MAX_ATTEMPTS and codes[-1] == 429


@pytest.mark.slow
def test_the_sign_in_limit_holds_across_serving_processes_and_forgets_the_address(
    app, tmp_path, monkeypatch
):
    """Each process of `serve --workers N` counted on its own: N times the attempts. Two apps
    over one database stand for two processes; another address is not held back, an attempt
    older than the window no longer counts, and the stored key is not the address."""
    from datetime import UTC, datetime, timedelta

    import sqlalchemy as sa

    from mapservice import create_app
    from mapservice.storage import schema as t
    from mapservice.web import auth

    other = create_app(
        {
            "DATABASE_URL": app.config["DATABASE_URL"],
            "SECRET_KEY": "test",
            "INSTANCE_PATH": str(tmp_path / "other"),
            "TESTING": True,
        }
    )

    def attempts(flask_app, n: int, address: str = "203.0.113.7") -> list[int]:
        client = flask_app.test_client()
        token = csrf_token_of(client.get("/connexion").get_data(as_text=True))
        return [
            client.post(
                "/connexion",
                data={"username": "x", "password": "faux", "csrf_token": token},
                environ_base={"REMOTE_ADDR": address},
            ).status_code
            for _ in range(n)
        ]

    half = auth.MAX_ATTEMPTS // 2
    assert attempts(app, half) == [401] * half
    rest = auth.MAX_ATTEMPTS - half
    assert attempts(other, rest + 1) == [401] * rest + [429]
    assert attempts(app, 1) == [429]
    assert attempts(other, 1, address="198.51.100.9") == [401]

    engine = _svc(app).repo.engine
    with engine.connect() as conn:
        keys = {r[0] for r in conn.execute(sa.select(t.sign_in_attempts.c.address_key))}
    assert len(keys) == 2 and not any("203.0.113" in k or "198.51" in k for k in keys)
    with engine.begin() as conn:  # the window has passed for every attempt
        conn.execute(
            t.sign_in_attempts.update().values(
                at=datetime.now(UTC) - timedelta(seconds=auth.WINDOW_S + 1)
            )
        )
    assert attempts(app, 1) == [401]
    with engine.connect() as conn:
        assert (
            conn.execute(sa.select(sa.func.count()).select_from(t.sign_in_attempts)).scalar_one()
            == 1
        )  # the old ones are gone
    _svc(other).close()


# --- no leak -------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", [STRANGER, "presentateur", "gestion"])
def test_no_confidential_value_reaches_those_without_the_right(app, who):
    """Every page and export the role may open, read whole: no contact, no confidential
    quantity, no name of a member who did not consent (but a manager's own tenants)."""
    admin = _client(app, "admin")
    admin.post("/admin/carte-publique", data={"public_map": "1"})
    admin.post(
        "/present/vues",
        data={"title": "Vue", "lat": "48.4", "lon": "-71.1", "zoom": "9", "anonymised": "1"},
    )
    client = _client(app, who)
    with app.app_context():
        svc = _svc(app)
        members = svc.repo.members()
        own = {s.member_id for s in svc.repo.sites() if s.park_id == MANAGED["park"]}
    secrets = {m.contact_email for m in members if m.contact_email}
    secrets |= {m.contact_phone for m in members if m.contact_phone}
    secrets |= {m.contact_name for m in members if m.contact_name}
    if who != "gestion":
        own = set()
    secrets |= {m.name for m in members if not m.public_consent and m.id not in own}
    assert len(secrets) > 50
    urls = [
        "/",
        "/?layers=parks,sites,lines",
        "/present",
        "/present/1",
        "/present/1/telecharger",
        "/present/telecharger",
        "/export/sites.geojson",
        "/export/flows.geojson",
        "/export/synergies.geojson",
        "/export/sites.csv",
        "/export/flows.csv",
        "/ogcapi/collections/sites/items?limit=10000",
        "/ogcapi/collections/flows/items?limit=10000",
        "/ogcapi/collections/synergies/items?limit=10000",
        "/ogcapi/collections/sites/items?f=html&limit=10000",
        "/compte",
    ]
    read = 0
    for url in urls:
        resp = client.get(url)
        if resp.status_code != 200:
            continue
        read += 1
        body = resp.get_data(as_text=True)
        leaked = sorted(s for s in secrets if s in body)
        assert not leaked, (who, url, leaked[:5])
    assert read >= 3


def test_a_token_client_that_keeps_cookies_stays_signed_in(app, stranger):
    """QGIS or requests.Session keep the session cookie the first answer sets; the token must
    still be read on every later request."""
    headers = _bearer(MANAGED["staff_token"])
    for url in ("/", "/", "/api/v1/synergies", "/ogcapi/collections/sites/items?limit=1"):
        assert stranger.get(url, headers=headers).status_code == 200, url


# --- the administrator's page ------------------------------------------------------------------


def test_the_admin_page_creates_an_account_that_can_sign_in(app):
    admin = _client(app, "admin")
    page = admin.get("/admin").get_data(as_text=True)
    # no role is chosen for the administrator: the least surprising default is none at all
    assert re.search(
        r'<select id="new-role" name="role" required><option value="" selected '
        r"disabled>",
        page,
    )
    park = MANAGED["park"]
    resp = admin.post(
        "/admin/comptes",
        data={
            "username": "nouvelle",
            "display_name": "Nouvelle gestionnaire",
            "password": "un-mot-de-passe-assez-long",
            "role": "park_manager",
            "parks": [park],
        },
    )
    assert resp.status_code == 302
    with app.app_context():
        made = next(u for u in _svc(app).repo.users() if u.username == "nouvelle")
    assert made.role == "park_manager" and list(made.parks) == [park]
    assert made.display_name == "Nouvelle gestionnaire"
    signed = sign_in(app.test_client(), "nouvelle", "un-mot-de-passe-assez-long")
    assert signed.get("/compte").status_code == 200


def test_a_refused_new_account_keeps_what_was_typed_but_the_password(app):
    admin = _client(app, "admin")
    park = MANAGED["park"]
    resp = admin.post(
        "/admin/comptes",
        data={
            "username": "court",
            "display_name": "Mot de passe trop court",
            "password": "court",
            "role": "park_manager",
            "parks": [park],
        },
    )
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert 'value="court"' in html and 'value="Mot de passe trop court"' in html
    assert '<option value="park_manager" selected>' in html
    assert f'<option value="{park}" selected>' in html
    assert "court" not in re.search(r'<input id="new-password"[^>]*>', html).group(0)
    with app.app_context():
        assert "court" not in {u.username for u in _svc(app).repo.users()}


def test_a_new_account_without_a_role_is_refused_naming_the_role(app):
    admin = _client(app, "admin")
    resp = admin.post(
        "/admin/comptes", data={"username": "sansrole", "password": "un-mot-de-passe-assez-long"}
    )
    assert resp.status_code == 422
    assert "rôle" in resp.get_data(as_text=True).lower()
    with app.app_context():
        assert "sansrole" not in {u.username for u in _svc(app).repo.users()}
