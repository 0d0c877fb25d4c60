"""The Content-Security-Policy in a real browser: every kind of page runs with no violation, and
its map still draws; an oversized body gets a French 413 over the wire, not a reset.

Headless Chromium on the served app (waitress), outside network refused as in
test_pages_browser: the tile server is asked (the policy lets it through) and fails over to
the bundled base layer.
"""

from __future__ import annotations

import json
import re
import sqlite3
import urllib.error
import urllib.request
from urllib.parse import urlparse

import pytest

from tests.support.accounts import MANAGED
from tests.support.browser import signed_in_page

#: Records each violation the page reports; runs before any of the page's own scripts.
LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => window.__csp.push(
    `${e.effectiveDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}:` +
    `${e.lineNumber}`));
"""


class Watch:
    """What a page says about the policy: violation events, console messages, tile requests."""

    def __init__(self, page, base: str) -> None:
        self.page, self.host = page, urlparse(base).netloc
        self.console: list[str] = []
        self.errors: list[str] = []
        self.tiles: list[str] = []
        page.add_init_script(LISTEN)
        page.on("console", lambda msg: self.console.append(f"{msg.type}: {msg.text}"))
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        page.route("**/*", self._outside)

    def _outside(self, route) -> None:
        url = route.request.url
        if urlparse(url).netloc == self.host or url.startswith(("data:", "blob:")):
            route.continue_()
            return
        if "tile" in url:
            self.tiles.append(url)
        route.abort()  # tests never reach the internet

    def violations(self) -> list[str]:
        events = self.page.evaluate("() => window.__csp || []")
        said = [m for m in self.console if "Content Security Policy" in m or "Refused to" in m]
        return events + said + self.errors


def _drawn(page) -> int:
    # A function, not an expression: Playwright evals an expression in the page, which the
    # policy (no 'unsafe-eval') refuses.
    page.wait_for_function(
        "() => document.documentElement.dataset.sitesDrawn !== undefined", timeout=20000
    )
    return int(page.evaluate("() => document.documentElement.dataset.sitesDrawn"))


def _placed_site(db_url: str) -> int:
    with sqlite3.connect(db_url.removeprefix("sqlite:///")) as conn:
        return conn.execute(
            "SELECT id FROM sites WHERE lat IS NOT NULL ORDER BY id LIMIT 1"
        ).fetchone()[0]


def test_every_kind_of_page_runs_under_the_policy(chromium, served, demo_db, tmp_path):
    page = signed_in_page(chromium, served, viewport={"width": 1366, "height": 850})
    watch = Watch(page, served)
    site = _placed_site(demo_db)

    page.goto(served + "/")
    assert _drawn(page) > 0
    page.wait_for_function(
        "() => document.documentElement.dataset.basemapDrawn === '1'", timeout=15000
    )
    assert watch.tiles, "the policy let the map ask the tile server"
    # Save the view through the form (form-action 'self'), then present it.
    page.locator("details.save-view summary").click()
    page.fill("#v-title", "Vue sous CSP")
    with page.expect_navigation():
        page.locator("#save-view button[type=submit]").click()
    assert "/present/vues" in page.url

    for path in (f"/sites/{site}", "/materiaux/bois", "/present/1"):
        page.goto(served + path)
        assert _drawn(page) > 0, path
    page.screenshot(path=str(tmp_path / "present-csp.png"))

    page.goto(f"{served}/sites/{site}/position")
    page.wait_for_selector(".leaflet-marker-icon")
    before = page.input_value("#lat")
    box = page.locator(".leaflet-container").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.7, box["y"] + box["height"] * 0.35)
    page.wait_for_function(
        "(old) => document.getElementById('lat').value !== old", arg=before
    )  # the page's inline script ran

    for path in ("/registre/", "/synergies", "/geocodage"):
        page.goto(served + path)
    page.goto(served + "/registre/import")
    template = page.request.get(served + "/registre/import/modele.csv").body()
    page.set_input_files(
        "#f-file", files=[{"name": "modele.csv", "mimeType": "text/csv", "buffer": template}]
    )
    with page.expect_navigation():
        page.click("#televerser")
    assert page.locator("form.confirm").count() == 1  # the preview, ready to confirm

    assert watch.violations() == []


def test_a_script_that_reaches_a_page_without_the_nonce_does_not_run(chromium, served):
    # What a stored injection would look like if escaping ever missed one: an extra
    # <script> in the page as served, under the response's own policy.
    page = signed_in_page(chromium, served, viewport={"width": 1280, "height": 800})
    watch = Watch(page, served)

    def smuggle(route) -> None:
        real = route.fetch()
        body = re.sub(
            r"(<body[^>]*>)", r"\1<script>window.__smuggled = 1;</script>", real.text(), count=1
        )
        assert "window.__smuggled" in body
        route.fulfill(response=real, body=body)

    page.route(served + "/", smuggle)
    page.goto(served + "/")
    assert _drawn(page) > 0  # the page's own scripts, which carry the nonce, ran
    assert page.evaluate("() => window.__smuggled === undefined")
    assert any("script-src" in v for v in watch.violations())


@pytest.fixture
def small_imports(monkeypatch):
    """Imports capped at 1,000 bytes in the served app (requests at 1,000 + 64 KiB)."""
    monkeypatch.setenv("MAPSERVICE_IMPORT_MAX_BYTES", "1000")


def _post(url: str, body: bytes, content_type: str) -> tuple[int, str, str]:
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={"Content-Type": content_type, "Authorization": f"Bearer {MANAGED['staff_token']}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers.get_content_type(), response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get_content_type(), exc.read().decode()


def test_an_oversized_body_gets_a_french_413_over_the_wire(small_imports, served):
    boundary = "----frontiere"
    upload = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="gros.csv"\r\nContent-Type: text/csv\r\n\r\n'
        ).encode()
        + b"entreprise;type\n"
        + b"x" * 200_000
        + f"\r\n--{boundary}--\r\n".encode()
    )
    status, kind, page = _post(
        served + "/registre/import", upload, f"multipart/form-data; boundary={boundary}"
    )
    assert (status, kind) == (413, "text/html")
    assert "Fichier trop volumineux" in page

    body = json.dumps({"lat": 48.4, "lon": -71.1, "pad": "x" * 200_000}).encode()
    status, kind, text = _post(served + "/api/v1/sites/1/location", body, "application/json")
    assert (status, kind) == (413, "application/problem+json")
    assert json.loads(text)["message"].startswith("Requête trop volumineuse")
