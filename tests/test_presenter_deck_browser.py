"""Presenter mode in headless Chromium, driven as a room would: the mouse only, a swipe, a
presenter's account, and the downloaded file opened from disk with every network request
refused.

The deck changes views without reloading: a marker set on ``window`` must survive every step.
Screenshots go to each test's tmp_path for a person to look at.
"""

from __future__ import annotations

import sqlite3
from urllib.parse import urlparse

from playwright.sync_api import expect

from tests.support.accounts import csrf_token_of
from tests.support.browser import signed_in_page

VIEWS = (
    ("Toute la région", "", "48.5", "-71.7", "9", "parks,sites,lines"),
    ("Le bois à valoriser", "category=bois&direction=offre", "48.5", "-71.7", "9", "parks,sites"),
    ("Saguenay", "", "48.42", "-71.1", "11", "parks,sites,lines"),
)


def _refuse_outside(page, base: str | None) -> list[str]:
    """Refuse every request that leaves ``base`` (all http(s) when None); the refused URLs."""
    host = urlparse(base).netloc if base else None
    refused: list[str] = []

    def handle(route) -> None:
        url = route.request.url
        if url.startswith(("data:", "blob:")) or (host and urlparse(url).netloc == host):
            route.continue_()
            return
        if url.startswith("file:") and host is None:
            route.continue_()
            return
        refused.append(url)
        route.abort()

    page.route("**/*", handle)
    return refused


def _save_views(page, served: str) -> None:
    token = csrf_token_of(page.request.get(served + "/present/vues").text())
    for title, filters, lat, lon, zoom, layers in VIEWS:
        form = {
            "title": title,
            "lat": lat,
            "lon": lon,
            "zoom": zoom,
            "layers": layers,
            "filters": filters,
            "anonymised": "1",
            "csrf_token": token,
        }
        assert page.request.post(served + "/present/vues", form=form, max_redirects=0).status == 303


def _at_slide(page, number: int) -> None:
    page.wait_for_function(
        "n => document.documentElement.dataset.slide === String(n)", arg=number, timeout=20000
    )
    page.wait_for_function("() => document.documentElement.dataset.sitesDrawn !== undefined")


def _hidden_names(demo_db: str) -> list[str]:
    with sqlite3.connect(demo_db.removeprefix("sqlite:///")) as conn:
        return [r[0] for r in conn.execute("SELECT name FROM members WHERE NOT public_consent")]


def _no_town_label_on_a_cluster(page) -> int:
    """Town labels of the offline base that are shown; none may overlap a cluster."""
    clashes = page.evaluate(
        """() => {
        const hit = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom
                              && b.top < a.bottom;
        const clusters = [...document.querySelectorAll('.ms-cluster')]
          .map(c => c.getBoundingClientRect());
        const shown = [...document.querySelectorAll('.leaflet-tooltip.ms-place')]
          .filter(t => getComputedStyle(t).visibility !== 'hidden');
        const clashes = shown.filter(t => clusters.some(c => hit(t.getBoundingClientRect(), c)))
          .map(t => t.textContent);
        return {shown: shown.length, clashes: clashes};
        }"""
    )
    assert clashes["clashes"] == [], clashes
    return clashes["shown"]


def test_a_presenter_walks_the_deck_with_the_mouse_only(chromium, served, demo_db, tmp_path):
    staff = signed_in_page(chromium, served)
    _save_views(staff, served)
    staff.close()
    page = signed_in_page(chromium, served, "presentateur", viewport={"width": 1366, "height": 768})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    refused = _refuse_outside(page, served)
    page.goto(served + "/present")
    _at_slide(page, 1)
    page.wait_for_function("() => document.documentElement.dataset.basemapDrawn === '1'")
    page.evaluate("() => { window.__sameDocument = 'deck'; }")
    loads: list[str] = []
    page.on("load", lambda p: loads.append(p.url))

    expect(page.locator("#counter")).to_have_text("1 / 3")
    expect(page.get_by_role("button", name="Vue précédente")).to_be_disabled()
    # No banner about the base layer on the screen the room sees.
    assert page.evaluate("() => document.documentElement.dataset.basemap") == "offline"
    expect(page.locator(".ms-offline-note")).to_have_count(0)
    # The legend says what the lines' colours and dashes are.
    legend = page.locator(".ms-legend")
    for status in ("Contactée", "En cours", "Réalisée"):
        expect(legend).to_contain_text(status)
    assert legend.locator(".ms-line-key svg line[stroke-dasharray]").count() >= 1
    expect(legend).to_contain_text("la part de chaque secteur")
    # A presenter cannot switch anonymising: no hint about a key that does nothing.
    expect(page.locator("#keys")).not_to_contain_text("anonymiser")
    assert "A : anonymiser" not in page.content()
    # Clusters show their sector mix: a ring of several colours.
    page.wait_for_selector(".ms-cluster svg circle[stroke-dasharray]")
    colours = page.evaluate(
        "() => new Set([...document.querySelectorAll('.ms-cluster svg circle[stroke]')]"
        ".map(c => c.getAttribute('stroke'))).size"
    )
    assert colours >= 3
    _no_town_label_on_a_cluster(page)
    page.screenshot(path=str(tmp_path / "deck-1.png"))

    page.get_by_role("button", name="Vue suivante").click()
    _at_slide(page, 2)
    expect(page.locator("#view-title")).to_have_text("Le bois à valoriser")
    expect(page.locator("#counter")).to_have_text("2 / 3")
    assert page.url.endswith("/present/2")
    wood = int(page.evaluate("() => document.documentElement.dataset.sitesDrawn"))
    assert 0 < wood < 250
    expect(page.locator("#count")).to_contain_text(f"{wood} sites")
    # This view shows no lines: neither does its legend.
    expect(legend).not_to_contain_text("Réalisée")
    page.get_by_role("button", name="Vue suivante").click()
    _at_slide(page, 3)
    expect(page.get_by_role("button", name="Vue suivante")).to_be_disabled()
    zoom = page.evaluate("() => window.mapservice.map.getZoom()")
    assert zoom == 11
    _no_town_label_on_a_cluster(page)
    page.screenshot(path=str(tmp_path / "deck-3.png"))
    page.get_by_role("button", name="Vue précédente").click()
    _at_slide(page, 2)
    assert page.evaluate("() => window.__sameDocument") == "deck"
    assert loads == []

    # Back goes to the view before; a reload opens the view in the URL.
    page.go_back()
    _at_slide(page, 3)
    page.reload()
    _at_slide(page, 3)
    expect(page.locator("#view-title")).to_have_text("Saguenay")
    source = page.content()
    leaked = [n for n in _hidden_names(demo_db) if n in source]
    assert leaked == []
    # Leaving goes back to the map (a presenter has no views page).
    page.get_by_role("link", name="Quitter la présentation").click()
    page.wait_for_url(served + "/")
    assert refused == [] or all("tile" in u for u in refused)
    assert errors == []


def _swipe(page, dx: int, *, seconds: float = 0.15) -> None:
    """A one-finger swipe of ``dx`` pixels across the middle of the map, as pointer events."""
    page.evaluate(
        """([dx, ms]) => new Promise(done => {
        const map = document.querySelector('.folium-map').getBoundingClientRect();
        const x = map.left + map.width / 2, y = map.top + map.height / 2;
        const at = (type, px) => document.elementFromPoint(x, y).dispatchEvent(new PointerEvent(
          type, {pointerId: 7, pointerType: 'touch', isPrimary: true, clientX: px, clientY: y,
                 bubbles: true, cancelable: true}));
        at('pointerdown', x);
        at('pointermove', x + dx / 2);
        setTimeout(() => { at('pointermove', x + dx); at('pointerup', x + dx); done(); }, ms);
        })""",
        [dx, int(seconds * 1000)],
    )


def test_a_swipe_changes_the_view_and_a_slow_drag_does_not(chromium, served, tmp_path):
    page = signed_in_page(chromium, served, viewport={"width": 390, "height": 844})
    _save_views(page, served)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    _refuse_outside(page, served)
    page.goto(served + "/present/1")
    _at_slide(page, 1)
    page.evaluate("() => { window.__sameDocument = 'deck'; }")
    _swipe(page, -200)  # right to left: the next view
    _at_slide(page, 2)
    expect(page.locator("#view-title")).to_have_text("Le bois à valoriser")
    _swipe(page, 200)  # left to right: back
    _at_slide(page, 1)
    _swipe(page, -200, seconds=1.2)  # a slow drag pans the map and stays
    page.wait_for_timeout(300)
    assert page.evaluate("() => document.documentElement.dataset.slide") == "1"
    assert page.evaluate("() => window.__sameDocument") == "deck"
    # On a phone the buttons keep their names, and the legend folds to its title.
    expect(page.get_by_role("button", name="Vue suivante")).to_be_visible()
    expect(page.get_by_role("button", name="Légende")).to_have_attribute("aria-expanded", "false")
    # Staff may switch anonymising; the hint says so (on a wide screen: a phone has no keys).
    expect(page.locator("#keys")).to_contain_text("A : anonymiser")
    page.screenshot(path=str(tmp_path / "deck-390.png"))
    assert errors == []


def test_the_downloaded_deck_runs_from_disk_with_no_network(chromium, served, demo_db, tmp_path):
    staff = signed_in_page(chromium, served)
    _save_views(staff, served)
    staff.close()
    page = signed_in_page(chromium, served, "presentateur")
    response = page.request.get(served + "/present/telecharger")
    assert response.status == 200
    assert "presentation.html" in response.headers["content-disposition"]
    body = response.text()
    assert "<script src=" not in body and 'rel="stylesheet"' not in body
    leaked = [n for n in _hidden_names(demo_db) if n in body]
    assert leaked == []
    # The one-view download is the same deck, opened at that view: no « 2 / 3 » with dead
    # arrows.
    one = page.request.get(served + "/present/2/telecharger").text()
    assert "Le bois à valoriser" in one and "Saguenay" in one
    path = tmp_path / "presentation.html"
    path.write_text(body, encoding="utf-8")
    page.close()

    offline = chromium.new_page(viewport={"width": 1366, "height": 768})
    errors: list[str] = []
    offline.on("pageerror", lambda exc: errors.append(str(exc)))
    refused = _refuse_outside(offline, None)
    asked: list[str] = []
    offline.on("request", lambda r: asked.append(r.url))
    offline.goto(path.as_uri())
    _at_slide(offline, 1)
    offline.wait_for_function(
        "() => document.documentElement.dataset.basemapDrawn === '1'", timeout=15000
    )
    offline.evaluate("() => { window.__sameDocument = 'deck'; }")
    expect(offline.locator(".ms-offline-note")).to_have_count(0)
    offline.get_by_role("button", name="Vue suivante").click()
    _at_slide(offline, 2)
    expect(offline.locator("#view-title")).to_have_text("Le bois à valoriser")
    assert offline.url.endswith("#2")
    offline.get_by_role("button", name="Vue suivante").click()
    _at_slide(offline, 3)
    offline.keyboard.press("ArrowLeft")
    _at_slide(offline, 2)
    assert offline.evaluate("() => window.__sameDocument") == "deck"
    _no_town_label_on_a_cluster(offline)
    offline.screenshot(path=str(tmp_path / "deck-offline.png"))
    offline.reload()  # the hash keeps the view
    _at_slide(offline, 2)
    # Nothing was asked of the network, not even tiles: every script, style and the regional
    # base layer are in the file.
    outside = [u for u in asked if not u.startswith(("file:", "data:", "blob:"))]
    assert outside == [] and refused == []
    assert errors == []
