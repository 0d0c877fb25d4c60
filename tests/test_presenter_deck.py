"""The presentation as one document: views pooled by :func:`build_deck`, and the pages that
serve it (the deck, opened at a view, and its download) as each role reads them."""

from __future__ import annotations

import re

import pytest

from mapservice.domain.model import PresenterView
from mapservice.domain.typography import french
from mapservice.views.presenter_deck import Slide, build_deck
from tests.support.pages import map_data


def _view(title: str, **changes) -> PresenterView:
    values = {
        "id": None,
        "position": 0,
        "title": title,
        "lat": 48.42,
        "lon": -71.06,
        "zoom": 12,
        "filters": "",
        "layers": "parks,sites,lines",
        "anonymised": True,
    }
    return PresenterView(**{**values, **changes})


def _site(name: str, lon: float = -71.0) -> dict:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, 48.4]},
        "properties": {"n": name, "g": "31"},
    }


def _data(*sites: dict, lines: tuple = ()) -> dict:
    return {
        "sites": {"type": "FeatureCollection", "features": list(sites)},
        "parks": {"type": "FeatureCollection", "features": []},
        "lines": {"type": "FeatureCollection", "features": list(lines)},
        "groups": [{"code": "31", "label": "Bois", "colour": "#D55E00"}],
        "anonymised": True,
    }


def _count(n: int) -> str:
    return f"{n} sites"


LAYERS = ("parks", "sites", "offers", "needs", "lines", "roads")


def test_a_feature_shown_by_several_views_is_written_once():
    a, b, c = _site("A", -71.0), _site("B", -71.1), _site("C", -71.2)
    line = {"type": "Feature", "geometry": None, "properties": {"t": "bois"}}
    deck = build_deck(
        [
            Slide(_view("Tout"), _data(a, b, c, lines=(line,)), anonymised=True),
            Slide(_view("B et C", filters="q=b", layers="sites"), _data(b, c), anonymised=True),
            Slide(_view("Nommés"), _data({**a, "properties": {"n": "A inc."}}), anonymised=False),
        ],
        layers=LAYERS,
        count_text=_count,
        start=2,
    )
    assert [f["properties"]["n"] for f in deck["sites"]["features"]] == ["A", "B", "C", "A inc."]
    assert len(deck["lines"]["features"]) == 1
    views = deck["deck"]["views"]
    assert [v["sites"] for v in views] == [[0, 1, 2], [1, 2], [3]]
    assert [v["lines"] for v in views] == [[0], [], []]
    assert views[1]["layers"] == ["sites"] and views[1]["filters"] == "q=b"
    assert [v["count"] for v in views] == ["3 sites", "2 sites", "1 sites"]
    assert [v["anonymised"] for v in views] == [True, True, False]
    assert (views[0]["title"], views[0]["lat"], views[0]["lon"], views[0]["zoom"]) == (
        "Tout",
        48.42,
        -71.06,
        12,
    )
    assert deck["groups"][0]["code"] == "31"  # shared keys once, outside the views
    assert "anonymised" not in deck
    assert deck["deck"]["start"] == 2


@pytest.mark.parametrize(("start", "shown"), [(0, 1), (1, 1), (2, 2), (9, 2)])
def test_the_first_view_shown_is_one_of_the_views(start, shown):
    slides = [Slide(_view(t), _data(_site(t)), anonymised=True) for t in "AB"]
    deck = build_deck(slides, layers=LAYERS, count_text=_count, start=start)
    assert deck["deck"]["start"] == shown


def test_unknown_or_no_layers_show_parks_and_sites():
    slides = [Slide(_view("A", layers="heatmap"), _data(), anonymised=True)]
    deck = build_deck(slides, layers=LAYERS, count_text=_count)
    assert deck["deck"]["views"][0]["layers"] == ["parks", "sites"]


def test_a_view_of_chosen_members_is_framed_on_their_sites():
    a, b = (
        _site("A", -71.0),
        {**_site("B", -71.4), "geometry": {"type": "Point", "coordinates": [-71.4, 48.6]}},
    )
    deck = build_deck(
        [
            Slide(_view("Tous", members=(1, 2)), _data(a, b), anonymised=True),
            Slide(_view("Personne", members=()), _data(), anonymised=True),
            Slide(_view("Filtre"), _data(a), anonymised=True),
        ],
        layers=LAYERS,
        count_text=_count,
    )
    views = deck["deck"]["views"]
    assert views[0]["bounds"] == {"west": -71.4, "south": 48.4, "east": -71.0, "north": 48.6}
    assert views[1]["bounds"] is None  # no site to frame: the view's centre and zoom
    assert "bounds" not in views[2]  # a filter's view keeps its saved framing


# --- the pages ----------------------------------------------------------------------------


def _save(client, *titles_filters) -> None:
    for title, filters in titles_filters:
        resp = client.post(
            "/present/vues",
            data={
                "title": title,
                "lat": "48.5",
                "lon": "-71.7",
                "zoom": "9",
                "layers": "parks,sites,lines",
                "filters": filters,
                "anonymised": "1",
            },
        )
        assert resp.status_code == 303


def test_the_deck_holds_every_view_and_opens_at_the_one_asked(client):
    _save(client, ("Tout", ""), ("Bois", "category=bois&direction=offre"), ("Fin", ""))
    html = client.get("/present/2").get_data(as_text=True)
    data = map_data(html)
    views = data["deck"]["views"]
    assert [v["title"] for v in views] == ["Tout", "Bois", "Fin"]
    assert data["deck"]["start"] == 2
    assert 0 < len(views[1]["sites"]) < len(views[0]["sites"])
    assert views[0]["sites"] == views[2]["sites"]  # the same sites, written once
    # The third view adds nothing; the second only its sites whose popup the filter changes.
    pooled = len(data["sites"]["features"])
    assert len(views[0]["sites"]) <= pooled <= len(views[0]["sites"]) + len(views[1]["sites"])
    assert [k["label"] for k in data["lineLegend"]] == ["Contactée", "En cours", "Réalisée"]
    assert '<span id="counter">2 / 3</span>' in html
    assert 'data-base="/present"' in html
    assert french("A : anonymiser") in html  # staff may switch
    assert client.get("/present/4").status_code == 404


def test_a_presenter_is_not_told_of_a_key_that_does_nothing(client, client_as):
    _save(client, ("Tout", ""))
    html = client_as("presentateur").get("/present/1").get_data(as_text=True)
    assert "anonymiser" not in html.split("</header>")[0].split('id="keys"')[1]
    assert "data-toggle" not in html
    assert 'href="/"' in html  # leaving goes to the map
    assert french("← → : vue précédente ou suivante · F : plein écran") in html


def test_the_download_is_the_whole_deck_in_one_file(client, client_as):
    _save(client, ("Tout", ""), ("Bois", "category=bois&direction=offre"))
    for who in (client, client_as("presentateur")):
        resp = who.get("/present/telecharger")
        assert resp.status_code == 200
        assert resp.headers["Content-Disposition"] == 'attachment; filename="presentation.html"'
        html = resp.get_data(as_text=True)
        assert not re.search(r"<(script|link|img)[^>]+(src|href)=\"(https?:|/)", html)
        data = map_data(html)
        assert [v["title"] for v in data["deck"]["views"]] == ["Tout", "Bois"]
        assert "data-base" not in html  # the file keeps the view in its hash
        assert "tile.openstreetmap" not in html
    at_two = client.get("/present/2/telecharger")
    assert map_data(at_two.get_data(as_text=True))["deck"]["start"] == 2
    assert "presentation-vue-2.html" in at_two.headers["Content-Disposition"]
    assert client.get("/present/3/telecharger").status_code == 404


def test_without_saved_views_the_deck_is_the_region(client, client_as):
    for who in (client, client_as("presentateur")):
        html = who.get("/present").get_data(as_text=True)
        views = map_data(html)["deck"]["views"]
        assert len(views) == 1 and views[0]["anonymised"] is True
        assert "Économie circulaire" in views[0]["title"]
        assert '<span id="counter" hidden>' in html
    assert client.get("/present/1").status_code == 404
    assert client.get("/present/telecharger").status_code == 200
