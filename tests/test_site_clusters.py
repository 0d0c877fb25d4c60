"""The region map's sites clustered on the server (views/site_clusters.py, web/map_clusters.py):
the page's data, the viewport answers against the inline map's sites, what an anonymised
reader gets, and the map in Chromium."""

from __future__ import annotations

import json
from typing import Any

import pytest

from mapservice.domain.access import PUBLIC
from mapservice.domain.disclosure import hidden_points, is_exact
from mapservice.services import Services
from tests.support.accounts import sign_in
from tests.support.clusters import (
    WORLD,
    clustered_app,
    clustered_map_page,
    clusters_answer,
    wait_drawn_after,
)
from tests.support.pages import map_data
from tests.support.settings import make_settings


def _positions(answer: dict[str, Any]) -> list[tuple[float, float]]:
    return [(c[0], c[1]) for c in answer["clusters"]] + [(s[0], s[1]) for s in answer["sites"]]


def _leaf_indices(answer: dict[str, Any]) -> list[int]:
    """The site indices an answer at the leaves' zoom names (singles and stacks)."""
    out = [s[2] for s in answer["sites"]]
    for c in answer["clusters"]:
        assert c[3] == -1, c  # past the last level only stacks stay together
        out += c[5]
    return out


@pytest.mark.parametrize("query", ["", "&category=bois", "&direction=offre"])
def test_clusters_hold_the_inline_maps_sites_at_every_zoom(tmp_path, demo_db, query):
    inline = sign_in(clustered_app(tmp_path / "a", demo_db, 100_000).test_client(), "personnel")
    page = inline.get("/?" + query.lstrip("&"))
    features = map_data(page.get_data(as_text=True))["sites"]["features"]
    assert features and "clusters" not in map_data(page.get_data(as_text=True))
    client = sign_in(clustered_app(tmp_path / "b", demo_db, 0).test_client(), "personnel")
    data = map_data(client.get("/?" + query.lstrip("&")).get_data(as_text=True))
    assert data["sites"]["features"] == []
    assert data["clusters"]["total"] == len(features)
    assert "js/site-clusters.js" in client.get("/?" + query.lstrip("&")).get_data(as_text=True)
    for zoom in range(3, 19):
        answer = clusters_answer(client, zoom, query)
        assert answer["total"] == answer["shown"] == len(features), zoom
        assert sum(c[2] for c in answer["clusters"]) + len(answer["sites"]) == len(features)
    leaves = clusters_answer(client, 18, query)
    indices = _leaf_indices(leaves)
    assert sorted(indices) == list(range(len(features)))
    # a single site is the inline feature: its place, its group, its popup
    for s in leaves["sites"][:25]:
        feature = features[s[2]]
        assert [s[0], s[1]] == feature["geometry"]["coordinates"]
        assert s[3] == feature["properties"]["g"] and s[4] == feature["properties"]["n"]
        asked = f"/carte/grappes/site.json?i={s[2]}&v={leaves['version']}{query}"
        popup = client.get(asked).get_json()
        assert popup == feature["properties"]


def test_a_viewport_gets_only_what_it_shows_and_bad_input_says_what_was_expected(tmp_path, demo_db):
    client = sign_in(clustered_app(tmp_path, demo_db, 0).test_client(), "personnel")
    whole = clusters_answer(client, 12)
    saguenay = clusters_answer(client, 12, bbox="-71.3,48.3,-70.9,48.5")
    assert 0 < saguenay["shown"] < whole["shown"]
    for lon, lat in _positions(saguenay):
        assert -71.3 <= lon <= -70.9 and 48.3 <= lat <= 48.5
    bad = client.get("/carte/grappes.json?zoom=douze&bbox=" + WORLD)
    assert bad.status_code == 422 and "zoom" in bad.get_data(as_text=True)
    bad = client.get("/carte/grappes.json?zoom=9&bbox=1,2,3")
    assert bad.status_code == 422 and "bbox" in bad.get_data(as_text=True)
    version = whole["version"]
    assert client.get(f"/carte/grappes/site.json?i=999999&v={version}").status_code == 404
    assert client.get(f"/carte/grappes/site.json?i=x&v={version}").status_code == 422
    assert (
        client.get("/carte/grappes.json?zoom=9&bbox=" + WORLD + "&park=nulle-part").status_code
        == 422
    )


def test_the_clusters_are_kept_per_stamp_and_reader_scope(tmp_path, demo_db):
    app = clustered_app(tmp_path, demo_db, 0)
    staff = sign_in(app.test_client(), "personnel")
    manager = sign_in(app.test_client(), "gestion")
    clusters_answer(staff, 9)
    clusters_answer(staff, 11)
    clusters_answer(manager, 9)
    keys = app.extensions["mapservice"].caches.keys("site_clusters")
    assert len(keys) == 2  # one per reader scope; the second zoom read the kept one
    assert {k[-1][0] for k in keys} == {PUBLIC, keys[0][-1][0]} and keys[0][-1][0] != keys[1][-1][0]


def test_a_hidden_sites_exact_place_appears_in_no_answer_for_a_reader_who_may_not_see_it(
    tmp_path, demo_db
):
    app = clustered_app(tmp_path, demo_db, 0)
    svc = Services(make_settings(tmp_path, demo_db))
    try:
        parks, munis = svc.park_ids(), svc.gazetteer.municipalities
        by_park, by_place = hidden_points(parks, munis)
        # a park's centre, a town's point, a place where a shown site stands (a postal code's
        # centre, say) are no secret, whoever else stands there
        sites = svc.repo.sites()
        seen = [(s.lon, s.lat) for s in sites if s.lon is not None and is_exact(s, PUBLIC)]
        public = {
            (round(x, 6), round(y, 6))
            for x, y in [*by_park.values(), *by_place.values(), *seen]  # type: ignore[misc]
        }
        secret = []
        for site in sites:
            if site.lon is None or site.lat is None or is_exact(site, PUBLIC):
                continue
            if (round(site.lon, 6), round(site.lat, 6)) not in public:
                secret.append((site.lon, site.lat, site.member_name))
    finally:
        svc.close()
    assert len(secret) > 10  # the demo has members without consent

    def leaks(body: str, positions: list[tuple[float, float]]) -> list[Any]:
        found = [
            s
            for s in secret
            if any(abs(s[0] - x) < 1e-6 and abs(s[1] - y) < 1e-6 for x, y in positions)
            or (f"{s[0]:.5f}" in body and f"{s[1]:.5f}" in body)
            or (s[2] and s[2] in body)
        ]
        return found

    for who in ("gestion", "personnel"):
        client = sign_in(app.test_client(), who)
        query = "&anonyme=1" if who == "personnel" else ""
        page = client.get("/?" + query.lstrip("&")).get_data(as_text=True)
        assert not leaks(page, [])
        for zoom in range(3, 19):
            resp = client.get(f"/carte/grappes.json?zoom={zoom}&bbox={WORLD}{query}")
            answer = resp.get_json()
            assert not leaks(resp.get_data(as_text=True), _positions(answer)), (who, zoom)
        for index in _leaf_indices(answer):
            asked = f"/carte/grappes/site.json?i={index}&v={answer['version']}{query}"
            body = client.get(asked).get_data(as_text=True)
            assert not leaks(body, [])
            assert "u" not in json.loads(body) or not json.loads(body).get("a")
    # staff see the same sites where they are
    staff = sign_in(app.test_client(), "personnel")
    answer = clusters_answer(staff, 18)
    assert leaks(json.dumps(answer), _positions(answer))


# --- in a browser ---------------------------------------------------------------------------

CLUSTER_STATE_JS = """
() => {
  const h = window.mapservice, d = document.documentElement.dataset;
  let counted = 0, clusters = 0, singles = 0;
  h.layers.sites.eachLayer((m) => {
    if (m.clusterCount) { clusters += 1; counted += m.clusterCount; }
    else { singles += 1; counted += 1; }
  });
  return {zoom: h.map.getZoom(), total: +d.sitesTotal, drawn: +d.sitesDrawn, at: +d.sitesDrawnAt,
          counted, clusters, singles};
}
"""


def _drawn_after(page: Any, before: float) -> dict[str, Any]:
    wait_drawn_after(page, before)
    return page.evaluate(CLUSTER_STATE_JS)


@pytest.mark.slow
def test_the_clustered_map_counts_every_site_and_zooms_down_to_popups(chromium, tmp_path, demo_db):
    svc = Services(make_settings(tmp_path, demo_db))
    try:
        located = sum(1 for s in svc.repo.sites() if s.lon is not None and s.lat is not None)
    finally:
        svc.close()
    with clustered_map_page(chromium, demo_db, tmp_path) as (page, errors):
        state = _drawn_after(page, 0)
        assert state["total"] == located
        assert state["clusters"] > 0 and state["counted"] == state["drawn"] <= located
        # from afar every site is in one of the drawn clusters
        page.evaluate(
            "() => { window.mapservice.map.setView([48.5, -71.7], 6, {animate: false}); }"
        )
        state = _drawn_after(page, state["at"])
        assert state["counted"] == state["drawn"] == located == state["total"]
        # click the biggest cluster until it falls apart into single sites
        for _ in range(16):
            if state["singles"]:
                break
            page.evaluate(
                """() => {
                  let best = null;
                  window.mapservice.layers.sites.eachLayer((m) => {
                    if (m.clusterCount && (!best || m.clusterCount > best.clusterCount)) best = m;
                  });
                  best.getElement().dispatchEvent(new MouseEvent('click', {bubbles: true}));
                }"""
            )
            state = _drawn_after(page, state["at"])
        assert state["singles"] > 0 and state["zoom"] > 6
        # a single site's popup opens with the site's name, asked of the server then
        point = page.evaluate(
            """() => {
              const h = window.mapservice, size = h.map.getSize();
              const m = h.markers.reduce((best, m) => {
                const p = h.map.latLngToContainerPoint(m.getLatLng());
                const d = Math.hypot(p.x - size.x / 2, p.y - size.y / 2);
                return !best || d < best[0] ? [d, m, p] : best;
              }, null)[1];
              h.map.panTo(m.getLatLng(), {animate: false});
              const p = h.map.latLngToContainerPoint(m.getLatLng());
              const box = h.map.getContainer().getBoundingClientRect();
              return {x: box.left + p.x, y: box.top + p.y};
            }"""
        )
        page.wait_for_timeout(300)
        page.mouse.click(point["x"], point["y"])
        page.wait_for_selector(".leaflet-popup-content .ms-popup h3")
        assert page.inner_text(".leaflet-popup-content .ms-popup h3").strip()
        assert not errors, errors


def test_clusters_are_made_of_the_readers_sites_on_both_databases(services, tmp_path):
    from bench.pages import write_membership
    from mapservice.views.map_filters import MapFilter
    from mapservice.views.map_view import region_sites
    from mapservice.views.site_clusters import clustered_sites, viewport_answer
    from tests.support.settings import DATA_DIR

    write_membership(tmp_path / "membres.csv", DATA_DIR, 120, seed=3)
    services.import_file(tmp_path / "membres.csv")
    for anonymise in (False, True):
        shown = region_sites(services, MapFilter(), lang="fr", anonymise=anonymise, site_url=None)
        sites = clustered_sites(
            services, MapFilter(), lang="fr", anonymise=anonymise, site_url=None
        )
        assert sites is clustered_sites(
            services, MapFilter(), lang="fr", anonymise=anonymise, site_url=None
        )  # kept
        assert sites.features is shown.data["sites"]["features"] and sites.total == 120
        for zoom in (3, 9, 13, 18):
            answer = viewport_answer(sites, zoom, (-180.0, -85.0, 180.0, 85.0))
            assert answer["shown"] == 120
