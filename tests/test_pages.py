"""The region map, site, material and presenter pages through the Flask test client."""

from __future__ import annotations

import csv
import io
import re
from urllib.parse import urlencode

import pytest

from mapservice.domain.typography import french
from tests.support.pages import map_data


def _svc(app):
    return app.extensions["mapservice"]


def _busiest_park(svc) -> str:
    counts: dict[str, int] = {}
    for site in svc.repo.sites():
        if site.park_id:
            counts[site.park_id] = counts.get(site.park_id, 0) + 1
    return max(counts, key=counts.__getitem__)


# --- the region map -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        {"direction": "offre"},
        {"category": "bois"},
        {"sector": "metaux"},
        {"mrc": "Le Domaine-du-Roy"},
        {"municipality": "alma", "direction": "besoin"},
        {"q": "aluminium"},
    ],
)
def test_the_map_draws_what_the_export_link_downloads(client, query):
    html = client.get("/?" + urlencode(query)).get_data(as_text=True)
    drawn = map_data(html)["sites"]["features"]
    assert len(drawn) > 0
    link = re.search(r'id="export-geojson" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    exported = client.get(link).get_json()["features"]
    assert len(exported) == len(drawn)
    assert sorted(f["geometry"]["coordinates"] for f in exported) == sorted(
        f["geometry"]["coordinates"] for f in drawn
    )
    csv_link = re.search(r'id="export-csv" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    response = client.get(csv_link)
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == len(drawn)


def test_filters_narrow_the_map_and_the_summary_says_so(client, app):
    svc = _svc(app)
    park = _busiest_park(svc)
    everything = map_data(client.get("/").get_data(as_text=True))["sites"]["features"]
    html = client.get(f"/?park={park}").get_data(as_text=True)
    in_park = map_data(html)["sites"]["features"]
    expected = [s for s in svc.repo.sites() if s.park_id == park and s.lat is not None]
    assert len(in_park) == len(expected) < len(everything)
    assert f"{len(expected)} sites" in html
    # The form shows the choice made, so the view can be read back from the page.
    assert re.search(rf'<option value="{park}" selected', html)


def test_a_bad_filter_is_named_next_to_its_field(client):
    response = client.get("/?category=ferraille-imaginaire&direction=offre")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="err-category"' in html and "ferraille-imaginaire" in html
    assert re.search(
        r'id="f-category" name="category" aria-invalid="true" '
        r'aria-describedby="err-category"',
        html,
    )


@pytest.mark.parametrize(
    "query, field",
    [
        ("zoom=99&lat=48.5&lon=-71", "zoom"),
        ("lat=abc&lon=-71&zoom=9", "lat"),
        ("layers=sites,nuages", "layers"),
    ],
)
def test_bad_view_parameters_say_which(client, query, field):
    response = client.get("/?" + query)
    assert response.status_code == 422
    assert f'id="err-{field}"' in response.get_data(as_text=True) or field in response.get_data(
        as_text=True
    )


def test_centre_zoom_and_layers_come_from_the_url(client):
    html = client.get("/?lat=48.43&lon=-71.07&zoom=13&layers=sites,roads").get_data(as_text=True)
    assert re.search(r'view: \{"lat":48\.43,"lon":-71\.07,"zoom":13\}', html)
    # Hidden layers are not added to the map at start; shown ones are.
    assert html.count(".addTo(map_") >= 2


def test_english_on_request_and_remembered(client):
    response = client.get("/?lang=en")
    html = response.get_data(as_text=True)
    assert '<html lang="en-CA">' in html
    assert "Filter" in html and "Filtrer" not in html
    assert "lang=en" in response.headers.get("Set-Cookie", "")
    again = client.get("/").get_data(as_text=True)  # the cookie keeps English
    assert '<html lang="en-CA">' in again
    assert '<html lang="fr-CA">' in client.get("/?lang=fr").get_data(as_text=True)


def test_numbers_follow_the_language(client, app):
    svc = _svc(app)
    flow = next(
        f
        for f in svc.repo.flows()
        if f.quantity
        and f.quantity >= 1000
        and not f.confidential
        and f.unit
        and f.unit.value == "t_per_year"
    )
    fr = client.get(f"/sites/{flow.site_id}?lang=fr").get_data(as_text=True)
    en = client.get(f"/sites/{flow.site_id}?lang=en").get_data(as_text=True)
    whole = int(flow.quantity)
    assert f"{whole // 1000}\u00a0{whole % 1000:03d}" in fr and "t/an" in fr
    assert f"{whole // 1000},{whole % 1000:03d}" in en and "t/year" in en


# --- the site page ----------------------------------------------------------------------------


def _site_with_candidates(client, app) -> int:
    """A demo site with several candidates (found by straight line, the cheap way)."""
    from mapservice.matching import jobs as synergy_jobs

    svc = _svc(app)
    for site in svc.repo.sites():
        if (
            site.lon is not None
            and len(synergy_jobs.site_candidates(svc, site.id, backend="geodesic", limit=5)) >= 3
        ):
            return site.id
    raise AssertionError("no site with candidates in the demo")


def test_site_page_lists_candidates_on_a_map_and_in_a_table(client, app):
    site_id = _site_with_candidates(client, app)
    html = client.get(f"/sites/{site_id}").get_data(as_text=True)
    data = map_data(html)
    rows = re.findall(r'<tr data-key="(\d+)-(\d+)">', html)
    assert rows and len(data["lines"]["features"]) >= 1
    focus = [f for f in data["sites"]["features"] if f["properties"].get("focus")]
    assert len(focus) == 1
    popup = data["lines"]["features"][0]["properties"]["r"]
    labels = [r[0] for r in popup]
    assert {"Distance routière", "Distance à vol d'oiseau", "Durée du trajet"} <= set(labels)


def test_candidates_sort_by_any_column(client, app):
    site_id = _site_with_candidates(client, app)

    def road_km(html: str) -> list[float]:
        body = html.split('id="candidates"')[1]
        cells = re.findall(r"<tr data-key.*?</tr>", body, re.S)
        out = []
        for cell in cells:
            tds = re.findall(r"<td[^>]*>(.*?)</td>", cell, re.S)
            out.append(
                float(tds[4].replace("\u00a0km", "").replace("\u00a0", "").replace(",", "."))
            )
        return out

    up = road_km(client.get(f"/sites/{site_id}?tri=route&ordre=asc").get_data(as_text=True))
    down = road_km(client.get(f"/sites/{site_id}?tri=route&ordre=desc").get_data(as_text=True))
    assert up == sorted(up) and down == sorted(down, reverse=True) and len(up) > 1
    assert client.get(f"/sites/{site_id}?tri=couleur").status_code == 422


def test_straight_line_switch_uses_the_geodesic_backend(client, app):
    site_id = _site_with_candidates(client, app)
    html = client.get(f"/sites/{site_id}?distance=vol").get_data(as_text=True)
    assert "à vol d&#39;oiseau" in html or "à vol d'oiseau" in html
    for feature in map_data(html)["lines"]["features"]:
        rows = dict(feature["properties"]["r"])
        assert rows["Distance routière"] == "—" and rows["Distance à vol d'oiseau"] != "—"
    by_road = client.get(f"/sites/{site_id}").get_data(as_text=True)
    for feature in map_data(by_road)["lines"]["features"]:
        rows = dict(feature["properties"]["r"])
        assert rows["Distance routière"] != "—"


def test_move_a_candidate_along_the_pipeline(client, app):
    svc = _svc(app)
    site_id = _site_with_candidates(client, app)
    html = client.get(f"/sites/{site_id}").get_data(as_text=True)
    out_id, in_id = map(int, re.search(r'<tr data-key="(\d+)-(\d+)">', html).groups())
    response = client.post(
        f"/sites/{site_id}/synergies",
        data={
            "output_flow_id": out_id,
            "input_flow_id": in_id,
            "status": "contacted",
            "author": "Marie Tremblay",  # ignored: no one signs for another
        },
    )
    assert response.status_code == 303
    stored = [
        s for s in svc.repo.synergies() if (s.output_flow_id, s.input_flow_id) == (out_id, in_id)
    ]
    assert stored and stored[0].status.value == "contacted"
    after = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "mise à jour" in after
    # the table is kept between visits, but where a synergy stands is read afresh
    row = re.search(rf'<tr data-key="{out_id}-{in_id}">.*?</tr>', after, re.S).group(0)
    assert "Contactée" in row and f'name="synergy_id" value="{stored[0].id}"' in row
    assert 'name="author"' not in after and "Votre nom" not in after
    # No name field: an empty one blocks nothing; the signed-in account is the author.
    moved = client.post(
        f"/sites/{site_id}/synergies",
        data={"synergy_id": stored[0].id, "status": "in_progress", "author": ""},
    )
    assert moved.status_code == 303
    assert svc.repo.get_synergy(stored[0].id).status.value == "in_progress"
    assert [e.author for e in svc.repo.synergy_events(stored[0].id)] == ["personnel"] * 2


def test_a_long_candidate_list_shows_the_best_first_and_all_on_request(client, app):
    from mapservice.matching import jobs as synergy_jobs
    from mapservice.views.site_page import SHOWN_CANDIDATES

    svc = _svc(app)
    site_id = next(
        s.id
        for s in svc.repo.sites()
        if s.lon is not None
        and len(synergy_jobs.site_candidates(svc, s.id, limit=100)) > SHOWN_CANDIDATES
    )
    total = len(synergy_jobs.site_candidates(svc, site_id, limit=100))
    html = client.get(f"/sites/{site_id}?tri=route&ordre=asc").get_data(as_text=True)
    rows = re.findall(r'<tr data-key="(\d+-\d+)">', html)
    assert len(rows) == SHOWN_CANDIDATES
    assert f"Les {SHOWN_CANDIDATES} premières de {total} synergies" in html
    link = re.search(r'<a href="([^"]+)">Afficher les (\d+) synergies</a>', html)
    assert link and int(link.group(2)) == total
    assert "toutes=1" in link.group(1) and "tri=route" in link.group(1)
    lines = map_data(html)["lines"]["features"]
    assert 0 < len(lines) <= SHOWN_CANDIDATES  # the map draws what the table lists
    everything = client.get(link.group(1).replace("&amp;", "&")).get_data(as_text=True)
    all_rows = re.findall(r'<tr data-key="(\d+-\d+)">', everything)
    assert len(all_rows) == total and all_rows[:SHOWN_CANDIDATES] == rows  # same order
    assert "Afficher les" not in everything
    assert client.get(f"/sites/{site_id}?toutes=oui").status_code == 422


def test_unknown_site_is_404(client):
    assert client.get("/sites/999999").status_code == 404


# --- the material pages -------------------------------------------------------------------------


def test_material_index_counts_sub_categories(client, app):
    svc = _svc(app)
    html = client.get("/materiaux").get_data(as_text=True)
    flows = svc.repo.flows()
    wood = [f for f in flows if f.category_code == "bois" or f.category_code.startswith("bois.")]
    offers = sum(1 for f in wood if f.direction.value == "output")
    row = re.search(r'href="/materiaux/bois">[^<]+</a></td>\s*<td class="num">([^<]+)</td>', html)
    assert row and int(row.group(1).replace("\u00a0", "")) == offers


def test_material_page_maps_offers_needs_and_flows(client, app):
    html = client.get("/materiaux/bois").get_data(as_text=True)
    data = map_data(html)
    assert data["sites"]["features"] and data["lines"]["features"]
    assert client.get("/materiaux/pas-une-matiere").status_code == 404


# --- presenter mode ------------------------------------------------------------------------


def _add_view(client, **extra):
    form = {
        "title": "Le bois offert",
        "lat": "48.5",
        "lon": "-71.9",
        "zoom": "10",
        "layers": "parks,sites,offers",
        "filters": "category=bois&direction=offre",
        "anonymised": "1",
        **extra,
    }
    return client.post("/present/vues", data=form)


def test_views_are_saved_ordered_and_stepped(client, app):
    assert _add_view(client).status_code == 303
    assert (
        _add_view(client, title="Métaux", filters="category=metaux", anonymised="").status_code
        == 303
    )
    views = _svc(app).repo.presenter_views()
    assert [v.title for v in views] == ["Le bois offert", "Métaux"]
    first = client.get("/present/1").get_data(as_text=True)
    deck = map_data(first)["deck"]  # one page holds every view, in order
    assert [v["title"] for v in deck["views"]] == ["Le bois offert", "Métaux"]
    assert deck["start"] == 1 and "1 / 2" in first
    client.post(f"/present/vues/{views[1].id}/deplacer", data={"offset": "-1"})
    assert [v.title for v in _svc(app).repo.presenter_views()] == ["Métaux", "Le bois offert"]
    assert client.get("/present").headers["Location"].endswith("/present/1")
    assert client.get("/present/3").status_code == 404


def test_a_bad_view_is_refused_with_every_reason(client, app):
    response = _add_view(client, title="", zoom="40", filters="category=nope", layers="nuages")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    for field in ("title", "zoom", "filters", "layers"):
        assert french(f"<li>{field} :") in html
    assert _svc(app).repo.presenter_views() == []


def test_anonymised_view_names_no_company_without_consent(client, app):
    svc = _svc(app)
    _add_view(client, filters="")
    html = client.get("/present/1").get_data(as_text=True)
    hidden = {m.name for m in svc.repo.members() if not m.public_consent}
    shown = {m.name for m in svc.repo.members() if m.public_consent}
    data = map_data(html)
    names = {f["properties"]["n"] for f in data["sites"]["features"]}
    assert hidden and not names & hidden
    assert names & shown
    for name in hidden:
        assert name not in html and name.replace("'", "&#39;") not in html
    # The switch turns anonymising off, for a room where everyone consented.
    plain = client.get("/present/1?anonyme=0").get_data(as_text=True)
    assert {f["properties"]["n"] for f in map_data(plain)["sites"]["features"]} & hidden


def test_a_view_downloads_as_one_self_contained_file(client):
    _add_view(client)
    response = client.get("/present/1/telecharger")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    html = response.get_data(as_text=True)
    assert not re.search(r"<script[^>]+src=", html)
    assert not re.search(r"<link[^>]+stylesheet", html)
    assert "L.Map" in html or "L.map(" in html  # Leaflet itself is inside
    assert '"layer":"water"' in html  # the regional base layer travels with it
    assert "cdn." not in html and "/static/" not in html


def test_presenter_pages_have_no_editing_chrome(client):
    _add_view(client)
    html = client.get("/present/1").get_data(as_text=True)
    # the deck's own controls only: no site menu, no form
    assert "Navigation principale" not in html and "<form" not in html
    assert html.count("<nav") == 1 and 'class="present-nav"' in html


def test_the_anonymised_map_exports_no_hidden_name(client, app):
    svc = _svc(app)
    hidden = {m.name for m in svc.repo.members() if not m.public_consent}
    html = client.get("/?anonyme=1").get_data(as_text=True)
    assert not {f["properties"]["n"] for f in map_data(html)["sites"]["features"]} & hidden
    for link_id in ("export-geojson", "export-csv"):
        link = re.search(rf'id="{link_id}" href="([^"]+)"', html).group(1).replace("&amp;", "&")
        assert "anonyme=1" in link
        body = client.get(link).get_data(as_text=True)
        assert [n for n in hidden if n in body] == []


def test_pages_are_gzipped_for_browsers_that_ask(client):
    import gzip

    plain = client.get("/")
    packed = client.get("/", headers={"Accept-Encoding": "gzip, deflate"})
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"]
    unpacked = gzip.decompress(packed.get_data())
    # Folium names its objects afresh on each render; the rest is the same page.
    assert map_data(unpacked.decode()) == map_data(plain.get_data(as_text=True))
    assert len(packed.get_data()) * 5 < len(plain.get_data())


def test_the_cached_view_follows_synergy_moves(client, app):
    from mapservice.matching import jobs as synergy_jobs

    svc = _svc(app)
    before = len(map_data(client.get("/").get_data(as_text=True))["lines"]["features"])
    site_id = _site_with_candidates(client, app)
    pair = next(
        c
        for c in synergy_jobs.site_candidates(svc, site_id, backend="geodesic", limit=20)
        if c.output_site.id != c.input_site.id
    )
    synergy_jobs.move(
        svc,
        synergy_id=None,
        output_flow_id=pair.output_flow.id,
        input_flow_id=pair.input_flow.id,
        status="contacted",
        author="Test",
    )
    after = map_data(client.get("/").get_data(as_text=True))["lines"]["features"]
    assert len(after) == before + 1
    assert after[-1]["properties"]["c"] == "#E69F00"  # contacted


@pytest.mark.slow
def test_the_region_map_draws_tracked_synergies_not_bare_candidates(client, app):
    from mapservice.matching import jobs as synergy_jobs

    svc = _svc(app)
    synergy_jobs.match_all(svc, backend="geodesic")  # thousands of candidates
    assert len(svc.repo.synergies()) > 100
    data = map_data(client.get("/").get_data(as_text=True))
    assert data["lines"]["features"] == []
    assert [e["label"] for e in data["lineLegend"]] == ["Contactée", "En cours", "Réalisée"]
