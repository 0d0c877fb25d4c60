"""Security headers, the Content-Security-Policy's script hashes, cookies, request and upload
limits, and error pages that never show a traceback (mapservice.web.security, errors,
uploads)."""

from __future__ import annotations

import gzip
import io
import logging
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from mapservice import create_app
from mapservice.domain.typography import french
from mapservice.errors import InvalidInput
from mapservice.importing.sniff import SNIFF_BYTES
from mapservice.web import uploads
from mapservice.web.security import tile_sources
from tests.support.accounts import sign_in

COMMON = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def _directives(response) -> dict[str, list[str]]:
    csp = response.headers["Content-Security-Policy"]
    return {name: values for name, *values in (d.split() for d in csp.split(";"))}


class _Scripts(HTMLParser):
    """The standard library's parser, as a second opinion on which scripts are inline."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.inline: list[str] = []
        self.nonces: list[str | None] = []  # of each inline script, in order
        self.handlers: list[str] = []
        self._open: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        self.handlers += [
            f"<{tag} {name}=…>"
            for name, value in attrs
            if name.startswith("on") or (value or "").strip().lower().startswith("javascript:")
        ]
        if tag == "script":
            self._open = None if any(name == "src" for name, _v in attrs) else []
            if self._open is not None:
                self.nonces.append(dict(attrs).get("nonce"))

    def handle_data(self, data):
        if self._open is not None:
            self._open.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._open is not None:
            self.inline.append("".join(self._open))
            self._open = None


def _parsed(html: str) -> _Scripts:
    parser = _Scripts()
    parser.feed(html)
    parser.close()
    return parser


# --- headers ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "status", "mimetype"),
    [
        ("/", 200, "text/html"),
        ("/api/v1/reverse?lat=48.43&lon=-71.07", 200, "application/json"),
        ("/static/js/view-url.js", 200, "text/javascript"),
        ("/static/vendor/leaflet/leaflet.css", 200, "text/css"),
        ("/nulle-part", 404, "text/html"),
        ("/api/v1/nulle-part", 404, "application/problem+json"),
        ("/healthz", 200, "application/json"),
    ],
)
def test_every_response_carries_the_security_headers(client, path, status, mimetype):
    with client.get(path) as response:  # a static file is open until closed
        pass
    assert (response.status_code, response.mimetype) == (status, mimetype)
    for name, value in COMMON.items():
        assert response.headers[name] == value, name
    assert "geolocation=()" in response.headers["Permissions-Policy"]
    csp = _directives(response)
    assert csp["frame-ancestors"] == ["'none'"] and csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"] and csp["form-action"] == ["'self'"]
    assert csp["connect-src"] == ["'self'"] and csp["default-src"] == ["'self'"]
    assert "Strict-Transport-Security" not in response.headers  # plain http


def test_the_login_page_of_a_stranger_has_them_too(stranger):
    response = stranger.get("/connexion")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "Content-Security-Policy" in response.headers


def test_hsts_over_https_or_when_the_setting_says_so(app, tmp_path, demo_db):
    assert (
        "max-age="
        in app.test_client()
        .get("/connexion", base_url="https://localhost")
        .headers["Strict-Transport-Security"]
    )
    secure = create_app(
        {
            "DATABASE_URL": demo_db,
            "INSTANCE_PATH": str(tmp_path / "s"),
            "SECRET_KEY": "t",
            "TESTING": True,
            "SECURE_COOKIES": True,
        }
    )
    assert "Strict-Transport-Security" in secure.test_client().get("/connexion").headers


# --- the policy's script nonce ------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/", "/materiaux/bois", "/synergies", "/sites/1", "/sites/1/position", "/present"]
)
def test_every_inline_script_carries_the_nonce_the_policy_names_and_no_other_runs(client, path):
    response = client.get(path, follow_redirects=True, headers={"Accept-Encoding": "gzip"})
    body = response.get_data()
    if response.headers.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    page = _parsed(body.decode())
    assert page.inline, "the page has inline scripts"
    csp = _directives(response)
    (nonce,) = [v for v in csp["script-src"] if v.startswith("'nonce-")]
    assert csp["script-src"] == ["'self'", nonce]  # no hash, nothing else inline may run
    value = nonce[len("'nonce-") : -1]
    assert len(value) >= 22 and set(page.nonces) == {value}
    assert not {"'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "*"} & set(csp["script-src"])
    assert csp["style-src"] == ["'self'", "'unsafe-inline'"]
    assert csp["img-src"] == ["'self'", "data:", "blob:", "https://tile.openstreetmap.org"]
    again = _directives(client.get(path, follow_redirects=True))["script-src"]
    assert again[1] != nonce  # a new one for every response


def test_json_and_static_responses_allow_no_inline_script(client):
    for path in ("/healthz", "/static/js/view-url.js"):
        with client.get(path) as response:
            assert _directives(response)["script-src"] == ["'self'"]


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/sites/1",
        "/sites/1/position",
        "/materiaux/bois",
        "/synergies",
        "/registre/",
        "/registre/import",
        "/present",
        "/geocodage",
        "/impact",
        "/mobilisation",
        "/compte",
    ],
)
def test_no_page_has_an_inline_event_handler_or_javascript_url(client, path):
    page = client.get(path, follow_redirects=True).get_data(as_text=True)
    assert _parsed(page).handlers == []


@pytest.mark.parametrize(
    ("tiles", "sources"),
    [
        ("OpenStreetMap", ("https://tile.openstreetmap.org",)),
        ("none", ()),
        ("https://{s}.tile.example.org/{z}/{x}/{y}.png", ("https://*.tile.example.org",)),
        ("http://tuiles-{s}.exemple.qc.ca:8080/{z}/{x}/{y}.png", ("http://*.exemple.qc.ca:8080",)),
        ("OpenTopoMap", ("https://*.tile.opentopomap.org",)),
        ("CartoDB positron", ("https://*.basemaps.cartocdn.com",)),  # no key asked for here
        ("/static/tuiles/{z}/{x}/{y}.png", ()),
        ("Nom inconnu", ()),
    ],
)
def test_the_tile_server_is_the_only_other_image_source(tiles, sources):
    assert tile_sources(tiles) == sources


def test_without_tiles_images_come_from_this_site_only(tmp_path, demo_db):
    app = create_app(
        {
            "DATABASE_URL": demo_db,
            "INSTANCE_PATH": str(tmp_path / "n"),
            "SECRET_KEY": "t",
            "TESTING": True,
            "TILES": "none",
        }
    )
    page = sign_in(app.test_client(), "personnel").get("/")
    assert _directives(page)["img-src"] == ["'self'", "data:", "blob:"]


# --- cookies ------------------------------------------------------------------------------------


def _set_cookie(response, name: str) -> str:
    found = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(name + "=")]
    assert found, f"no {name} cookie set"
    return found[0]


def _login_response(client):
    from tests.support.accounts import PASSWORD, csrf_token_of

    token = csrf_token_of(client.get("/connexion").get_data(as_text=True))
    return client.post(
        "/connexion", data={"username": "personnel", "password": PASSWORD, "csrf_token": token}
    )


@pytest.mark.parametrize("secure", [False, True])
def test_session_and_language_cookies(tmp_path, demo_db, secure):
    app = create_app(
        {
            "DATABASE_URL": demo_db,
            "INSTANCE_PATH": str(tmp_path / "c"),
            "SECRET_KEY": "t",
            "TESTING": True,
            "SECURE_COOKIES": secure,
        }
    )
    session = _set_cookie(_login_response(app.test_client()), "session")
    language = _set_cookie(app.test_client().get("/connexion?lang=en"), "lang")
    for cookie in (session, language):
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
        assert ("; Secure" in cookie) is secure


# --- size of a request --------------------------------------------------------------------------


@pytest.fixture
def capped(tmp_path, demo_db):
    """An app whose imports are capped at 1,000 bytes (so its requests at 1,000 + 64 KiB)."""
    return create_app(
        {
            "DATABASE_URL": demo_db,
            "INSTANCE_PATH": str(tmp_path / "cap"),
            "SECRET_KEY": "t",
            "TESTING": True,
            "IMPORT_MAX_BYTES": 1000,
        }
    )


def _imports(app) -> list[Path]:
    folder = uploads.folder(app.instance_path)
    return sorted(folder.iterdir()) if folder.exists() else []


def test_a_body_over_the_cap_is_refused_with_a_french_413(capped):
    assert capped.config["MAX_CONTENT_LENGTH"] == 1000 + 64 * 1024
    client = sign_in(capped.test_client(), "personnel")
    big = b"entreprise;type\n" + b"x" * 100_000
    response = client.post(
        "/registre/import",
        data={"file": (io.BytesIO(big), "gros.csv")},
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 413 and response.mimetype == "text/html"
    assert french("Fichier trop volumineux : au plus") in page and "file" in page
    assert "Request Entity Too Large" not in page and _imports(capped) == []

    api = client.post(
        "/api/v1/sites/1/location",
        data=b'{"lat": 48.4, "pad": "' + b"x" * 100_000 + b'"}',
        content_type="application/json",
    )
    assert api.status_code == 413 and api.mimetype == "application/problem+json"
    assert api.json["error"] == "request_too_large" and api.json["status"] == 413
    assert api.json["message"].startswith(french("Requête trop volumineuse : au plus"))


# --- type of an upload --------------------------------------------------------------------------


def _workbook() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["entreprise", "type"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _zip(members: dict[str, bytes]) -> bytes:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06" + bytes(200)
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500)
CSV = "entreprise;type\nScierie Éloi;offre\n"


@pytest.mark.parametrize(
    ("filename", "content", "says"),
    [
        ("membres.csv", _workbook(), "n'est pas un fichier CSV : c'est un classeur XLSX"),
        ("membres.csv", PNG, "n'est pas un fichier CSV : son contenu est binaire"),
        ("membres.csv", OLE2, "n'est pas un fichier CSV : c'est un ancien classeur Excel (.xls)"),
        ("membres.csv", bytes(range(256)) * 4, "son contenu est binaire"),
        ("membres.xlsx", CSV.encode(), "n'est pas un classeur XLSX : c'est du texte"),
        ("membres.xlsx", PNG, "n'est pas un classeur XLSX : son contenu n'est pas une archive"),
        ("membres.xlsx", OLE2, "n'est pas un classeur XLSX : c'est un ancien classeur Excel"),
        (
            "membres.xlsx",
            _zip({"lisez-moi.txt": b"bonjour"}),
            "une archive ZIP sans classeur Excel",
        ),
        ("membres.xlsx", _zip({"[Content_Types].xml": b"<x/>"}), "sans classeur Excel"),
        (
            "membres.xlsx",
            _zip(
                {
                    "mimetype": b"application/vnd.oasis.opendocument.spreadsheet",
                    "content.xml": b"<x/>",
                }
            ),
            "classeur OpenDocument (.ods)",
        ),
        ("membres.xlsx", _workbook()[:400], "archive ZIP illisible ou tronquée"),
    ],
)
def test_an_upload_whose_content_is_not_its_type_is_refused(client, app, filename, content, says):
    response = client.post(
        "/registre/import",
        data={"file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True).replace("&#39;", "'")
    assert response.status_code == 422
    found = re.search(r'<p class="field-error" id="f-file-erreur">(.*?)</p>', page, re.S)
    assert found, "no error next to the file field"
    assert french(says) in found.group(1) and filename in found.group(1)
    assert _imports(app) == []


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("a.csv", CSV.encode("utf-8")),
        ("a.csv", CSV.encode("utf-8-sig")),
        ("a.csv", CSV.encode("cp1252")),
        ("a.csv", CSV.encode("utf-16")),  # with its byte order mark
        ("a.csv", CSV.encode("utf-16-le")),
        ("a.csv", CSV.encode("utf-16-be")),
        ("a.csv", ("entreprise;type\n" + "é" * (SNIFF_BYTES - 17)).encode()),  # cut é
        ("a.csv", b"entreprise;type\nnom\x00avec un nul;offre\n" + b"ligne;offre\n" * 20),
        ("a.csv", b"\xef\xbb\xbfentreprise;type\nScierie \xc9loi;offre\n"),  # BOM, then cp1252
        ("a.csv", b"entreprise;type\nScierie \x81;offre\n"),  # a byte no encoding reads
        ("a.CSV", b"\xef\xbb\xbf"),
        ("a.xlsx", _workbook()),
    ],
)
def test_text_and_workbooks_pass_the_check(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    uploads.check_content(path, name)  # no error


def test_a_refused_type_names_the_file_field(tmp_path):
    path = tmp_path / "x.xlsx"
    path.write_bytes(b"pas un classeur")
    with pytest.raises(InvalidInput) as info:
        uploads.check_content(path, "x.xlsx")
    assert info.value.field == "file"


# --- no stack trace -----------------------------------------------------------------------------

SECRET = "détail interne 7f3a: /srv/mapservice/secret.py ligne 42"


def _boom():
    raise RuntimeError(SECRET)


@pytest.fixture
def failing(app):
    """The app with two routes that fail unexpectedly: a page and an API path (staff rules)."""
    app.add_url_rule("/essai-panne", "pages.essai_panne", _boom)
    app.add_url_rule("/api/v1/essai-panne", "api.essai_panne", _boom)
    return sign_in(app.test_client(), "personnel")


@pytest.mark.parametrize(
    ("path", "mimetype"),
    [("/essai-panne", "text/html"), ("/api/v1/essai-panne", "application/problem+json")],
)
def test_an_unexpected_error_shows_no_traceback_and_is_logged(failing, caplog, path, mimetype):
    with caplog.at_level(logging.ERROR, logger="mapservice.web"):
        response = failing.get(path)
    body = response.get_data(as_text=True)
    assert response.status_code == 500 and response.mimetype == mimetype
    assert "Erreur interne" in body and "journalisé" in body
    for leak in (
        "Traceback",
        "RuntimeError",
        "7f3a",
        "secret.py",
        "/srv/",
        'File "',
        str(Path(__file__).parent),
    ):
        assert leak not in body, leak
    logged = [r for r in caplog.records if r.exc_info]
    assert logged and SECRET in caplog.text and "Traceback" in caplog.text
    assert path in logged[0].getMessage()


def test_when_the_error_page_itself_fails_a_plain_page_answers(failing, monkeypatch, caplog):
    from mapservice.web import error_pages as errors

    def broken(*args, **kwargs):
        raise RuntimeError("base de données partie " + SECRET)

    monkeypatch.setattr(errors, "render_template", broken)
    with caplog.at_level(logging.ERROR, logger="mapservice.web"):
        response = failing.get("/essai-panne")
    body = response.get_data(as_text=True)
    assert response.status_code == 500 and "Erreur interne" in body
    assert "Traceback" not in body and "7f3a" not in body and "base de données" not in body
    assert "could not be drawn" in caplog.text


@pytest.mark.parametrize(
    ("method", "path", "status", "says"),
    [
        ("get", "/nulle-part", 404, "Rien à l'adresse /nulle-part"),
        ("get", "/api/v1/nulle-part", 404, "Rien à l'adresse /api/v1/nulle-part"),
        ("delete", "/materiaux", 405, "La méthode DELETE n'est pas permise"),
    ],
)
def test_http_errors_are_in_french(client, method, path, status, says):
    response = getattr(client, method)(path)
    assert response.status_code == status
    assert says in response.get_data(as_text=True).replace("&#39;", "'")
    assert "The requested URL" not in response.get_data(as_text=True)
