"""Every map page in headless Chromium, as a user opens it, with the outside network cut.

Screenshots go to each test's tmp_path for a person to look at. Requests to anything but the
served app are refused: the pages must draw from the app alone (tiles fall back to the bundled
regional base layer), and no script or stylesheet may come from elsewhere.
"""

from __future__ import annotations

import json
import sqlite3
from urllib.parse import urlencode, urlparse

import pytest
from playwright.sync_api import expect

from tests.support.accounts import csrf_token_of
from tests.support.browser import signed_in_page

HOSTILE = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script> (démo)'


class Outside:
    """Refuses and records every request that leaves the served app."""

    def __init__(self, page, base: str) -> None:
        self.host = urlparse(base).netloc
        self.tiles: list[str] = []
        self.other: list[str] = []
        page.route("**/*", self._handle)

    def _handle(self, route) -> None:
        url = route.request.url
        if urlparse(url).netloc == self.host or url.startswith(("data:", "blob:", "file:")):
            route.continue_()
            return
        (self.tiles if "tile" in url else self.other).append(url)
        route.abort()


def _page(chromium, served, width=1366, height=850):
    page = signed_in_page(chromium, served, viewport={"width": width, "height": height})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return page, errors, Outside(page, served)


def _drawn(page) -> int:
    # Functions, not expressions: Playwright polls an expression with eval, which the pages'
    # Content-Security-Policy (no 'unsafe-eval') refuses.
    page.wait_for_function(
        "() => document.documentElement.dataset.sitesDrawn !== undefined", timeout=20000
    )
    return int(page.evaluate("document.documentElement.dataset.sitesDrawn"))


def _placed_sites(db_url: str) -> int:
    with sqlite3.connect(db_url.removeprefix("sqlite:///")) as conn:
        return conn.execute("SELECT count(*) FROM sites WHERE lat IS NOT NULL").fetchone()[0]


def test_region_map_draws_every_site_offline_and_filters_change_it(
    chromium, served, demo_db, tmp_path
):
    page, errors, outside = _page(chromium, served)
    page.goto(served + "/")
    assert _drawn(page) == _placed_sites(demo_db)
    page.wait_for_function(
        "() => document.documentElement.dataset.basemap === 'offline'", timeout=15000
    )
    page.wait_for_function("() => document.documentElement.dataset.basemapDrawn === '1'")
    expect(page.locator(".ms-legend")).to_be_visible()
    expect(page.locator(".leaflet-control-layers")).to_contain_text("Synergies")
    page.screenshot(path=str(tmp_path / "carte.png"))

    page.select_option("#f-category", "bois")
    page.select_option("#f-direction", "offre")
    page.get_by_role("button", name="Filtrer").click()
    page.wait_for_url("**/?*category=bois*")
    wood = _drawn(page)
    assert 0 < wood < _placed_sites(demo_db)
    assert "direction=offre" in page.locator("#export-geojson").get_attribute("href")
    summary = page.locator("#summary").inner_text()
    assert summary.startswith(f"{wood}\u00a0sites") or summary.startswith(f"{wood} sites")
    page.screenshot(path=str(tmp_path / "carte-bois.png"))

    # The view follows the map into the URL (bookmark, share).
    page.evaluate("() => { window.mapservice.map.setView([48.43, -71.07], 12); }")
    page.wait_for_function("() => location.search.includes('zoom=12')")
    assert "category=bois" in page.url
    assert outside.other == [] and errors == []


def test_site_page_draws_partners_and_sorts(chromium, served, tmp_path):
    from mapservice import create_app
    from mapservice.matching import jobs as synergy_jobs

    page, errors, outside = _page(chromium, served)
    # A site with candidates, found the cheap way through the same database.
    app = create_app(
        {"DATABASE_URL": page_db(served), "INSTANCE_PATH": str(tmp_path / "i"), "SECRET_KEY": "t"}
    )
    svc = app.extensions["mapservice"]
    site_id = next(
        s.id
        for s in svc.repo.sites()
        if s.lon is not None
        and len(synergy_jobs.site_candidates(svc, s.id, backend="geodesic", limit=5)) >= 3
    )
    svc.close()
    page.goto(f"{served}/sites/{site_id}")
    assert _drawn(page) >= 2
    assert int(page.evaluate("document.documentElement.dataset.linesDrawn")) >= 1
    page.screenshot(path=str(tmp_path / "site.png"), full_page=True)
    page.get_by_role("link", name="Route").click()
    page.wait_for_url("**tri=route**")
    expect(page.locator("th[aria-sort]")).to_contain_text("Route")
    assert outside.other == [] and errors == []


def page_db(served: str) -> str:
    """The database URL the served app runs on (the `served` fixture's demo copy)."""
    import json
    import urllib.request

    with urllib.request.urlopen(served + "/healthz") as resp:
        assert json.load(resp)["status"] == "ok"
    return _SERVED_DB[served]


_SERVED_DB: dict[str, str] = {}


@pytest.fixture(autouse=True)
def _remember_db(request):
    if "served" in request.fixturenames:
        _SERVED_DB[request.getfixturevalue("served")] = request.getfixturevalue("demo_db")


def test_material_and_list_pages(chromium, served, tmp_path):
    page, errors, outside = _page(chromium, served)
    page.goto(served + "/materiaux")
    page.get_by_role("link", name="Bois et résidus forestiers").click()
    page.wait_for_url("**/materiaux/bois")
    assert _drawn(page) > 5
    page.screenshot(path=str(tmp_path / "matiere.png"), full_page=True)
    assert outside.other == [] and errors == []


def test_language_switch(chromium, served, tmp_path):
    page, errors, _outside = _page(chromium, served)
    page.goto(served + "/")
    assert page.locator("html").get_attribute("lang") == "fr-CA"
    page.get_by_role("link", name="English").click()
    page.wait_for_url("**lang=en**")
    assert page.locator("html").get_attribute("lang") == "en-CA"
    expect(page.get_by_role("button", name="Filter")).to_be_visible()
    expect(page.locator(".ms-legend h2")).to_have_text("Legend")
    page.screenshot(path=str(tmp_path / "map-en.png"))
    page.goto(served + "/materiaux")  # remembered
    assert page.locator("html").get_attribute("lang") == "en-CA"
    page.get_by_role("link", name="Français").click()
    assert page.locator("html").get_attribute("lang") == "fr-CA"
    assert errors == []


def _save_views(page, served: str) -> None:
    token = csrf_token_of(page.request.get(served + "/present/vues").text())
    for title, filters, anonymised in (
        ("Le bois à valoriser", "category=bois&direction=offre", "1"),
        ("Toute la région", "", "1"),
    ):
        form = {
            "title": title,
            "lat": "48.5",
            "lon": "-71.7",
            "zoom": "9",
            "layers": "parks,sites,lines",
            "filters": filters,
            "anonymised": anonymised,
            "csrf_token": token,
        }
        response = page.request.post(served + "/present/vues", form=form, max_redirects=0)
        assert response.status == 303


def test_presenter_steps_with_the_keyboard_and_hides_names(chromium, served, demo_db, tmp_path):
    page, errors, outside = _page(chromium, served, 1920, 1080)
    _save_views(page, served)
    page.goto(served + "/present")
    page.wait_for_url("**/present/1")
    _drawn(page)
    expect(page.locator("#counter")).to_have_text("1 / 2")
    page.screenshot(path=str(tmp_path / "present-1.png"))
    page.keyboard.press("ArrowRight")
    page.wait_for_url("**/present/2")
    _drawn(page)
    expect(page.locator("#view-title")).to_have_text("Toute la région")
    page.screenshot(path=str(tmp_path / "present-2.png"))
    source = page.content()
    with sqlite3.connect(demo_db.removeprefix("sqlite:///")) as conn:
        hidden = [r[0] for r in conn.execute("SELECT name FROM members WHERE NOT public_consent")]
    assert hidden
    leaked = [n for n in hidden if n in source or n.replace("'", "&#39;") in source]
    assert leaked == []
    page.keyboard.press("ArrowLeft")
    page.wait_for_url("**/present/1")
    page.keyboard.press("a")  # the anonymised switch, off
    page.wait_for_url("**anonyme=0**")
    _drawn(page)
    assert any(n in page.content() for n in hidden)
    assert outside.other == [] and errors == []


def test_downloaded_view_opens_from_disk_without_network(chromium, served, tmp_path):
    page, errors, outside = _page(chromium, served)
    _save_views(page, served)
    body = page.request.get(served + "/present/1/telecharger").body()
    path = tmp_path / "vue.html"
    path.write_bytes(body)
    # A file from disk, opened by nobody signed in.
    offline = chromium.new_page(viewport={"width": 1366, "height": 850})
    offline_errors: list[str] = []
    offline.on("pageerror", lambda exc: offline_errors.append(str(exc)))
    away = Outside(offline, "http://offline.invalid")
    offline.goto(path.as_uri())
    assert _drawn(offline) > 0
    offline.wait_for_function(
        "document.documentElement.dataset.basemapDrawn === '1'", timeout=15000
    )
    offline.screenshot(path=str(tmp_path / "vue-hors-ligne.png"))
    assert away.other == [] and offline_errors == []


def test_hostile_company_name_is_only_text(chromium, served, demo_db, tmp_path):
    from mapservice import create_app
    from tests.support.import_files import GOOD, HEADER, write_csv

    rows = [[*GOOD[0], "oui"]]
    rows[0][0] = HOSTILE
    app = create_app(
        {"DATABASE_URL": demo_db, "INSTANCE_PATH": str(tmp_path / "i"), "SECRET_KEY": "t"}
    )
    app.extensions["mapservice"].import_file(
        write_csv(tmp_path / "x.csv", rows, header=[*HEADER, "consentement_public"])
    )
    app.extensions["mapservice"].close()

    page, errors, _outside = _page(chromium, served)
    page.goto(served + "/?" + urlencode({"q": "onerror"}))
    assert _drawn(page) == 1
    # One site: the cluster layer holds it as a plain marker. (zoomToShowLayer waits for a
    # 'moveend' that never comes when the map is already there, so it is not used.)
    page.evaluate("""() => {
        const marker = window.mapservice.markers[0];
        window.mapservice.map.setView(marker.getLatLng(), 14, {animate: false});
        marker.openPopup();
    }""")
    popup = page.locator(".leaflet-popup-content h3")
    expect(popup).to_have_text(HOSTILE)
    page.locator("details.site-list summary").click()
    expect(page.locator("details.site-list li").first).to_contain_text(HOSTILE)
    page.screenshot(path=str(tmp_path / "hostile.png"))
    assert page.evaluate("window.__xss") is None
    assert errors == []


def test_keyboard_and_labels(chromium, served):
    page, errors, _outside = _page(chromium, served)
    page.goto(served + "/")
    _drawn(page)
    page.keyboard.press("Tab")
    expect(page.locator("a.skip")).to_be_focused()
    page.keyboard.press("Enter")
    unlabelled = page.evaluate("""() => [...document.querySelectorAll(
        'input:not([type=hidden]), select, textarea')].filter(el =>
        !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
        && !el.closest('.leaflet-control-layers')).map(el => el.outerHTML)""")
    assert unlabelled == []
    page.locator("#f-q").focus()
    page.keyboard.type("aluminium")
    page.keyboard.press("Enter")
    page.wait_for_url("**q=aluminium**")
    assert _drawn(page) > 0
    assert errors == []


def test_park_outline_page_draws_on_the_offline_base_and_writes_the_clicked_polygon(
    chromium, served, tmp_path
):
    """With the tiles cut, the outline to replace sits on the bundled regional base; three
    clicks make a closed GeoJSON ring in lon/lat in the form."""
    page, errors, outside = _page(chromium, served)
    page.goto(served + "/registre/parcs/kenogami/contour")
    page.wait_for_function(
        "() => document.documentElement.dataset.basemap === 'offline'", timeout=15000
    )
    page.wait_for_function("() => document.documentElement.dataset.basemapDrawn === '1'")
    expect(page.locator(".ms-offline-note")).to_be_visible()
    box = page.locator(".folium-map").bounding_box()
    for dx, dy in ((0.4, 0.4), (0.6, 0.4), (0.5, 0.6)):
        page.mouse.click(box["x"] + box["width"] * dx, box["y"] + box["height"] * dy)
    ring = json.loads(page.locator("#geojson").input_value())["coordinates"][0]
    assert len(ring) == 4 and ring[0] == ring[-1]
    assert all(-72.5 < lon < -70.5 and 48.0 < lat < 49.0 for lon, lat in ring)
    page.screenshot(path=str(tmp_path / "contour.png"))
    assert outside.other == [] and errors == []
