"""An event's presentation in headless Chromium, as a facilitator runs it from a USB key: an
event of 30 demo members planned 5 tables of 6, its presentation downloaded, opened from disk
with every http(s) request refused, and walked with the on-screen « Suivante » button only.

Screenshots go to the test's tmp_path for a person to look at.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from mapservice.events import jobs as events
from mapservice.matching.jobs import match_all
from mapservice.services import Services
from mapservice.views.map_filters import MapFilter
from mapservice.views.map_view import region_view, site_features
from tests.support.browser import signed_in_page
from tests.support.settings import make_settings


def _planned_event(svc: Services) -> int:
    """30 members of the demo (the first by id) at 5 tables of 6, through the use cases."""
    match_all(svc)  # this demo database has no candidates yet: give the plan its values
    event_id = events.create_event(
        svc, {"title": "Maillage d'hiver", "date": "2026-12-10", "place": "Saguenay"}, author="t"
    )
    members = sorted(m.id for m in svc.repo.members() if m.id is not None)[:30]
    events.add_participants(svc, event_id, map(str, members), author="t")
    events.propose_plan(svc, event_id, "5", "6", author="t")
    return event_id


def _expected(svc: Services, event_id: int) -> tuple[dict[int, Counter[str]], list[str]]:
    """For each table, the names its markers carry on the anonymised map (a member's name,
    or its sector for one who has not consented); and the names that must never show."""
    members = {m.id: m for m in svc.repo.members()}
    shown = {s.id: f["properties"]["n"] for s, f in _anonymised_features(svc)}
    tables: dict[int, Counter[str]] = {}
    for seat in svc.repo.event_seats(event_id):
        own = [s for s in svc.repo.sites() if s.member_id == seat.member_id]
        tables.setdefault(seat.table_number, Counter()).update(
            shown[s.id] for s in own if s.id in shown
        )
    hidden = [m.name for m in members.values() if not m.public_consent]
    return tables, hidden


def _anonymised_features(svc: Services) -> list[tuple[Any, dict]]:
    """Each site the anonymised map draws, with its feature."""
    region = region_view(svc, MapFilter(), anonymise=True)
    out = []
    for site in region.sites:
        features = site_features(svc, [site], region.flows, lang="fr", site_url=None)
        if features:
            out.append((site, features[0]))
    return out


def _at_slide(page: Any, number: int) -> None:
    page.wait_for_function(
        "n => document.documentElement.dataset.slide === String(n)", arg=number, timeout=20000
    )
    page.wait_for_function("() => document.documentElement.dataset.sitesDrawn !== undefined")


MARKERS = """() => {
  const ms = window.mapservice, box = ms.map.getBounds();
  return ms.markers.map(m => ({n: m.feature.properties.n, in: box.contains(m.getLatLng())}));
}"""


def test_an_event_deck_runs_from_disk_with_the_mouse_only(
    chromium: Any, served: str, demo_db: str, tmp_path: Path
) -> None:
    svc = Services(make_settings(tmp_path, demo_db))
    try:
        event_id = _planned_event(svc)
        tables, hidden = _expected(svc, event_id)
    finally:
        svc.close()
    assert sorted(tables) == [1, 2, 3, 4, 5]

    page = signed_in_page(chromium, served)
    page.goto(f"{served}/evenements/{event_id}")
    link = page.locator("#telecharger-presentation")
    with page.expect_download() as got:
        link.click()
    path = tmp_path / "presentation-evenement.html"
    got.value.save_as(path)
    page.close()
    body = path.read_text("utf-8")
    assert [n for n in hidden if n in body] == []

    offline = chromium.new_page(viewport={"width": 1366, "height": 768})
    errors: list[str] = []
    offline.on("pageerror", lambda exc: errors.append(str(exc)))
    asked: list[str] = []
    offline.on("request", lambda r: asked.append(r.url))

    def refuse(route: Any) -> None:
        if route.request.url.startswith(("file:", "data:", "blob:")):
            route.continue_()
        else:
            route.abort()

    offline.route("**/*", refuse)
    offline.goto(path.as_uri())
    _at_slide(offline, 1)
    offline.wait_for_function(
        "() => document.documentElement.dataset.basemapDrawn === '1'", timeout=15000
    )
    offline.evaluate("() => { window.__sameDocument = 'deck'; }")
    expect(offline.locator("#view-title")).to_have_text("Maillage d'hiver · 30 participants")
    expect(offline.locator("#counter")).to_have_text("1 / 6")
    everyone = sum(tables.values(), Counter())
    first = offline.evaluate(MARKERS)
    assert Counter(m["n"] for m in first) == everyone
    offline.screenshot(path=str(tmp_path / "event-deck-1.png"))

    following = offline.get_by_role("button", name="Vue suivante")
    for number in range(1, 6):
        following.click()
        _at_slide(offline, number + 1)
        expect(offline.locator("#view-title")).to_contain_text(f"Table {number} · 6 participants")
        expect(offline.locator("#counter")).to_have_text(f"{number + 1} / 6")
        offline.wait_for_function(
            "n => window.mapservice.markers.length === n", arg=sum(tables[number].values())
        )
        markers = offline.evaluate(MARKERS)
        assert Counter(m["n"] for m in markers) == tables[number], number
        assert all(m["in"] for m in markers), number  # framed on its people's sites
        offline.screenshot(path=str(tmp_path / f"event-deck-table-{number}.png"))
    expect(following).to_be_disabled()
    assert offline.url.endswith("#6")
    assert offline.evaluate("() => window.__sameDocument") == "deck"
    outside = [u for u in asked if not u.startswith(("file:", "data:", "blob:"))]
    assert outside == []
    assert errors == []
