"""Every page on a 390 × 844 phone, in headless Chromium, tiles cut as when offline.

Each page of tests/support/every_page.py, read by its own account: the page does not scroll
sideways, no table cell is narrower than one of its words (a word broken across lines, as the
site page's « P a r t e n a i r e » was), and a map page gives its map at least 60 % of the
screen's height, and every map, with its tiles unreachable, draws the bundled regional base.
A screenshot of every page goes to ``MAPSERVICE_SCREENSHOTS`` when it is set
(a folder), else to the test's own temporary folder.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.support.browser import signed_in_page
from tests.support.every_page import prepare
from tests.support.phone import measure, problems

PHONE = {"width": 390, "height": 844}


def _shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("MAPSERVICE_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _file_name(index: int, reader: str, path: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9.-]+", "_", path.strip("/")) or "carte"
    return f"{index:02d}-{reader or 'anonyme'}-{slug}.png"


def test_every_page_fits_a_phone(chromium, served, demo_db, tmp_path):
    cases = prepare(demo_db, tmp_path)
    shots = _shots(tmp_path)
    pages = {}
    found = {}
    try:
        for index, case in enumerate(cases):
            if case.username not in pages:
                if case.username:
                    page = signed_in_page(chromium, served, case.username, viewport=PHONE)
                else:
                    page = chromium.new_page(viewport=PHONE)
                # Nothing but the local server: the tiles fail, as on a phone offline.
                page.route(
                    "**/*",
                    lambda route: (
                        route.continue_() if route.request.url.startswith(served) else route.abort()
                    ),
                )
                pages[case.username] = page
            page = pages[case.username]
            page.goto(served + case.path)
            page.wait_for_load_state("load")
            offline = True
            if page.locator(".folium-map").count():
                try:  # every map falls back to the bundled regional base
                    page.wait_for_function(
                        "() => document.documentElement.dataset.basemapDrawn === '1'", timeout=15000
                    )
                except PlaywrightTimeout:
                    offline = False
            measured = measure(page)
            page.screenshot(
                path=str(shots / _file_name(index, case.username, case.path)),
                full_page=measured["height"] < 8000,
            )
            wrong = problems(measured, width_px=PHONE["width"], is_map=case.is_map)
            if not offline:
                wrong.append("a grey map: no offline regional base under it")
            if wrong:
                found[case.name] = wrong
    finally:
        for page in pages.values():
            page.close()
    assert found == {}
