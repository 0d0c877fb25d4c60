"""A popup of the server-clustered region map names its site by an index in the reader's view:
asked for with the view's version, it is refused (409) once the registry has changed, and the
map then draws its clusters again (views/site_clusters.py, web/map_clusters.py,
static/js/site-clusters.js)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mapservice.domain.model import Location, Precision
from mapservice.services import Services
from tests.support.accounts import sign_in
from tests.support.clusters import (
    clustered_app,
    clustered_map_page,
    clusters_answer,
    wait_drawn_after,
)
from tests.support.pages import map_data
from tests.support.settings import make_settings


def _popup(client: Any, query: str) -> Any:
    """A site's popup, asked as the map's script does (it accepts JSON only)."""
    return client.get("/carte/grappes/site.json?" + query, headers={"Accept": "application/json"})


def _move_a_site(tmp_path: Path, db_url: str, lon: float, lat: float) -> int:
    """Place the first located site at ``lon, lat`` from another process's point of view (its
    own connection): what a colleague's correction does while the map is open."""
    svc = Services(make_settings(tmp_path, db_url))
    try:
        site = next(s for s in svc.repo.sites() if s.lon is not None and s.member_name)
        svc.repo.set_site_location(
            site.id,  # type: ignore[arg-type]
            Location(lon, lat, Precision.MANUAL, "correction-manuelle"),
            park_id=None,
            by="Julie",
        )
        return site.id  # type: ignore[return-value]
    finally:
        svc.close()


def test_a_popup_of_a_view_that_changed_since_is_refused_with_the_new_version(tmp_path, demo_db):
    client = sign_in(clustered_app(tmp_path, demo_db).test_client(), "personnel")
    version = map_data(client.get("/").get_data(as_text=True))["clusters"]["version"]
    before = clusters_answer(client, 18)
    assert before["version"] == version and len(version) == 16
    index = before["sites"][0][2]
    ok = _popup(client, f"i={index}&v={version}")
    assert ok.status_code == 200 and ok.get_json()["n"]
    missing = _popup(client, f"i={index}")
    assert missing.status_code == 422 and missing.get_json()["field"] == "v"

    _move_a_site(tmp_path, demo_db, -71.05, 48.43)
    stale = _popup(client, f"i={index}&v={version}")
    assert stale.status_code == 409 and stale.mimetype == "application/problem+json"
    problem = stale.get_json()
    assert problem["code"] == "view_changed" and "Le registre a changé" in problem["message"]
    after = clusters_answer(client, 18)
    assert after["version"] == problem["version"] != version
    assert _popup(client, f"i={index}&v={after['version']}").status_code == 200
    english = _popup(client, f"i={index}&v={version}&lang=en").get_json()
    assert english["message"].startswith("The registry has changed since the map was drawn")


def test_the_version_follows_what_the_reader_is_shown_only(tmp_path, demo_db):
    """A change that moves nothing the reader sees leaves the version (and the indices) alone:
    the version tells no more than the answers do."""
    app = clustered_app(tmp_path, demo_db)
    staff = sign_in(app.test_client(), "personnel")
    first = clusters_answer(staff, 18)
    again = clusters_answer(staff, 18)
    assert first["version"] == again["version"]
    anonymised = clusters_answer(staff, 18, "&anonyme=1")
    assert anonymised["version"] != first["version"]  # another view, another version
    svc = app.extensions["mapservice"]
    with app.app_context():
        member = next(m for m in svc.repo.members() if m.contact_phone)
        svc.repo.update_member(member.id, {"contact_phone": "418 555-0199"})  # not on the map
    assert clusters_answer(staff, 18)["version"] == first["version"]


# --- in a browser ---------------------------------------------------------------------------

NEAREST_SITE_JS = """
() => {
  const h = window.mapservice, size = h.map.getSize();
  const m = h.markers.reduce((best, m) => {
    const p = h.map.latLngToContainerPoint(m.getLatLng());
    const d = Math.hypot(p.x - size.x / 2, p.y - size.y / 2);
    return !best || d < best[0] ? [d, m] : best;
  }, null)[1];
  const p = h.map.latLngToContainerPoint(m.getLatLng());
  const box = h.map.getContainer().getBoundingClientRect();
  return {x: box.left + p.x, y: box.top + p.y, index: m.siteIndex};
}
"""


@pytest.mark.slow
def test_a_stale_popup_says_why_and_the_map_draws_its_clusters_again(chromium, tmp_path, demo_db):
    svc = Services(make_settings(tmp_path, demo_db))
    try:
        located = [s for s in svc.repo.sites() if s.lon is not None and s.member_name]
    finally:
        svc.close()
    # looked at: another site than the one moved (the first), somewhere else
    site = next(s for s in located if (s.lon, s.lat) != (located[0].lon, located[0].lat))
    with clustered_map_page(chromium, demo_db, tmp_path) as (page, errors):
        at = wait_drawn_after(page, 0)
        page.evaluate(
            "([lat, lon]) => { window.mapservice.map.setView([lat, lon], 17, {animate: false}); }",
            [site.lat, site.lon],
        )
        at = wait_drawn_after(page, at)
        # a colleague places another site while the map stays open
        _move_a_site(tmp_path, demo_db, -71.05, 48.43)
        point = page.evaluate(NEAREST_SITE_JS)
        page.mouse.click(point["x"], point["y"])
        page.wait_for_selector(".leaflet-popup-content .ms-popup-stale")
        said = page.inner_text(".leaflet-popup-content .ms-popup-stale")
        assert "Le registre a changé" in said, said
        at = wait_drawn_after(page, at)  # the clusters of the new version
        # the site opens now, asked for with the new version
        page.evaluate("() => { window.mapservice.map.closePopup(); }")
        point = page.evaluate(NEAREST_SITE_JS)
        page.mouse.click(point["x"], point["y"])
        page.wait_for_selector(".leaflet-popup-content .ms-popup h3")
        assert page.inner_text(".leaflet-popup-content .ms-popup h3").strip()
        assert not errors, errors
