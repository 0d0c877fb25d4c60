"""Each page checked by axe-core (WCAG 2.1 A and AA rules) in headless Chromium.

axe cannot judge everything (a canvas map, wording, reading order), so the keyboard paths are
tested separately (tests/test_pages_browser.py, test_synergy_browser.py, test_registry_browser.py);
this catches what can be measured: labels, names, contrast, landmarks, ARIA, zoom.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.browser import signed_in_page

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
PAGES = [
    "/",
    "/?category=bois&direction=offre",
    "/sites/{site}",
    "/materiaux",
    "/materiaux/bois",
    "/synergies",
    "/impact",
    "/mobilisation",
    "/registre/",
    "/registre/import",
    "/registre/membres/nouveau",
    "/registre/parcs",
    "/registre/parcs/jonquiere/contour",
    "/geocodage",
    "/present/vues",
    "/present",
    "/?lang=en",
]
RUN = """() => axe.run(document, {runOnly: {type: 'tag',
           values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})
    .then(r => r.violations.map(v => ({id: v.id, impact: v.impact,
           nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))})))"""


@pytest.fixture
def page(chromium, served):
    page = signed_in_page(chromium, served, viewport={"width": 1366, "height": 850})
    page.route(
        "**/*",
        lambda route: route.continue_() if route.request.url.startswith(served) else route.abort(),
    )
    yield page
    page.close()


def test_every_page_passes_axe(page, served, demo_db):
    import sqlite3

    with sqlite3.connect(demo_db.removeprefix("sqlite:///")) as conn:
        site = conn.execute("SELECT min(id) FROM sites WHERE lat IS NOT NULL").fetchone()[0]
    found = {}
    # Before each page's own scripts, as the browser's: the pages' Content-Security-Policy
    # refuses a <script> added afterwards (add_script_tag).
    page.add_init_script(path=str(AXE))
    for path in PAGES:
        page.goto(served + path.format(site=site))
        page.wait_for_load_state("load")
        violations = page.evaluate(RUN)
        if violations:
            found[path] = violations
    assert found == {}, json.dumps(found, indent=1, ensure_ascii=False)


def test_no_page_is_wider_than_a_phone(chromium, served, demo_db):
    """WCAG 1.4.10 (reflow) at 390 px: a wide table scrolls in its own box, the page does not.
    The site page's candidates table used to widen the whole page (its hidden labels escaped
    the scrolling box)."""
    import sqlite3

    with sqlite3.connect(demo_db.removeprefix("sqlite:///")) as conn:
        site = conn.execute("SELECT min(id) FROM sites WHERE lat IS NOT NULL").fetchone()[0]
    wide = {}
    for username, paths in (("personnel", PAGES), ("admin", ["/admin", "/compte"])):
        phone = signed_in_page(chromium, served, username, viewport={"width": 390, "height": 800})
        for path in paths:
            phone.goto(served + path.format(site=site))
            phone.wait_for_load_state("load")
            width = phone.evaluate("document.documentElement.scrollWidth")
            if width > 390:
                wide[path] = width
        phone.close()
    assert wide == {}
