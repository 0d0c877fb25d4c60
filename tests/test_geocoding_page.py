"""The correction page in headless Chromium: drag the marker, save, the site is placed by hand."""

from __future__ import annotations

import sqlite3

from playwright.sync_api import expect

from tests.support.browser import signed_in_page


def _coarse_site(db_url: str) -> tuple[int, float, float]:
    with sqlite3.connect(db_url.removeprefix("sqlite:///")) as conn:
        return conn.execute(
            "SELECT id, lat, lon FROM sites WHERE geocode_precision = "
            "'municipality' ORDER BY id LIMIT 1"
        ).fetchone()


def test_drag_the_marker_and_save(chromium, served, demo_db, tmp_path):
    site_id, lat0, lon0 = _coarse_site(demo_db)
    page = signed_in_page(chromium, served, viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{served}/geocodage")
    row = page.locator(f'tr[data-site="{site_id}"]')
    expect(row).to_be_visible()
    row.get_by_role("link", name="Corriger").click()
    page.wait_for_url(f"**/sites/{site_id}/position")

    marker = page.locator(".leaflet-marker-icon")
    expect(marker).to_be_visible()
    box = marker.bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] - 4
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 11):
        page.mouse.move(x + 15 * step, y + 8 * step)
    page.mouse.up()
    lat = float(page.locator("#lat").input_value())
    lon = float(page.locator("#lon").input_value())
    assert lon > lon0 and lat < lat0, (lat, lon, lat0, lon0)  # moved east and south
    page.screenshot(path=str(tmp_path / "position.png"))

    page.click("#save")  # no name to give: the placement is signed by the account
    page.wait_for_url(f"**/geocodage?corrige={site_id}")
    expect(page.get_by_role("status")).to_contain_text(f"{site_id}")
    expect(page.locator(f'tr[data-site="{site_id}"]')).to_have_count(0)  # no longer to review
    assert errors == []

    with sqlite3.connect(demo_db.removeprefix("sqlite:///")) as conn:
        row_db = conn.execute(
            "SELECT lat, lon, geocode_precision, geocode_source, geocoded_by, "
            "geocoded_at FROM sites WHERE id = ?",
            (site_id,),
        ).fetchone()
    assert row_db[:5] == (
        round(lat, 6),
        round(lon, 6),
        "manual",
        "correction-manuelle",
        "personnel",
    )
    assert row_db[5] is not None
    page.close()


def test_clicking_the_map_moves_the_marker_and_a_refusal_is_shown(chromium, served, demo_db):
    site_id, _lat0, _lon0 = _coarse_site(demo_db)
    page = signed_in_page(chromium, served, viewport={"width": 1280, "height": 900})
    page.goto(f"{served}/sites/{site_id}/position")
    expect(page.locator(".leaflet-marker-icon")).to_be_visible()
    before = page.locator("#lat").input_value()
    page.locator(".folium-map").click(position={"x": 60, "y": 60})
    assert page.locator("#lat").input_value() != before
    page.fill("#lat", "45.5")
    page.fill("#lon", "-73.56")
    page.click("#save")
    expect(page.get_by_role("alert")).to_contain_text("hors du Saguenay")
    page.close()
