"""Presenter mode's saved views: the form that saves one, its filter, and their storage.

The store is exercised through ``services.repo`` on SQLite and on PostGIS.
"""

from __future__ import annotations

import pytest

from mapservice.domain.model import Direction, PresenterView
from mapservice.errors import FormErrors, InvalidInput, NotFound
from mapservice.views import presenter
from mapservice.views.map_filters import MapFilter
from mapservice.views.presenter import (
    DEFAULT_LAYERS,
    LAYERS,
    MAX_TITLE,
    read_view_form,
    view_filter,
)

GOOD = {
    "title": "Bois offert autour d'Alma",
    "lat": "48,55",
    "lon": "-71.65",
    "zoom": "11",
    "filters": "direction=offre&category=bois",
    "layers": "parks,sites,offers",
    "anonymised": "on",
}


# --- read_view_form -------------------------------------------------------------------------


def test_a_valid_form(choices):
    view = read_view_form(GOOD, choices, position=4)
    assert view == PresenterView(
        id=None,
        position=4,
        title="Bois offert autour d'Alma",
        lat=48.55,
        lon=-71.65,
        zoom=11,
        filters="category=bois&direction=offre",
        layers="parks,sites,offers",
        anonymised=True,
    )


@pytest.mark.parametrize(
    ("filters", "normalised"),
    [
        ("", ""),
        ("direction=offre&category=bois", "category=bois&direction=offre"),
        ("direction=output", "direction=offre"),
        ("direction=INPUT", "direction=besoin"),
        ("park=&category=bois&q=", "category=bois"),
        ("zoom=3&lang=en&sector=metaux", "sector=metaux"),
        ("q=R%C3%A9cup%C3%A9ration+Grand-Duc", "q=R%C3%A9cup%C3%A9ration+Grand-Duc"),
        ("q=++sciure++&municipality=saguenay", "municipality=saguenay&q=sciure"),
    ],
)
def test_filters_are_normalised(choices, filters, normalised):
    assert read_view_form({**GOOD, "filters": filters}, choices).filters == normalised


@pytest.mark.parametrize(
    ("changes", "field", "value"),
    [
        ({"title": "  Parcs de Saguenay  "}, "title", "Parcs de Saguenay"),
        ({"lat": " 48.4 "}, "lat", 48.4),
        ({"lon": "-64"}, "lon", -64.0),
        ({"zoom": "5"}, "zoom", 5),
        ({"zoom": "18"}, "zoom", 18),
        ({"zoom": "12,0"}, "zoom", 12),
        ({"layers": ",".join(LAYERS)}, "layers", ",".join(LAYERS)),
        ({"layers": ""}, "layers", DEFAULT_LAYERS),
        ({"anonymised": "1"}, "anonymised", True),
        ({"anonymised": "oui"}, "anonymised", True),
        ({"anonymised": ""}, "anonymised", False),
        ({"anonymised": "off"}, "anonymised", False),
        ({"title": "t" * MAX_TITLE}, "title", "t" * MAX_TITLE),
    ],
)
def test_valid_values(choices, changes, field, value):
    assert getattr(read_view_form({**GOOD, **changes}, choices), field) == value


def test_an_unchecked_box_is_not_anonymised(choices):
    form = {k: v for k, v in GOOD.items() if k != "anonymised"}
    assert read_view_form(form, choices).anonymised is False


def test_every_error_at_once(choices):
    form = {
        "title": "   ",
        "lat": "quarante-huit",
        "lon": "-71.65",
        "zoom": "30",
        "filters": "category=bois.inconnu&direction=offre",
        "layers": "parks,heatmap",
    }
    with pytest.raises(FormErrors) as caught:
        read_view_form(form, choices)
    fields = caught.value.fields
    assert set(fields) == {"title", "lat", "zoom", "filters", "layers"}
    assert "quarante-huit" in fields["lat"]
    assert "30" in fields["zoom"] and "18" in fields["zoom"]
    assert "bois.inconnu" in fields["filters"]
    assert "heatmap" in fields["layers"]
    assert isinstance(caught.value, InvalidInput) and caught.value.status == 422
    assert caught.value.to_dict()["fields"] == fields
    assert "5 erreurs" in caught.value.message


@pytest.mark.parametrize(
    ("changes", "field", "in_message"),
    [
        ({"title": ""}, "title", "titre"),
        ({"title": "t" * (MAX_TITLE + 1)}, "title", str(MAX_TITLE + 1)),
        ({"lat": ""}, "lat", "rien"),
        ({"lat": "43.9"}, "lat", "43.9"),
        ({"lat": "nan"}, "lat", "nan"),
        ({"lon": "71.65"}, "lon", "71.65"),  # the sign forgotten: east of Greenwich
        ({"lon": "inf"}, "lon", "inf"),
        ({"zoom": "4.9"}, "zoom", "4.9"),
        ({"zoom": "douze"}, "zoom", "douze"),
        ({"filters": "park=nulle-part"}, "filters", "nulle-part"),
        ({"filters": "direction=partout"}, "filters", "partout"),
        ({"filters": "q=%21%21%21"}, "filters", "lettre"),
        ({"layers": "parks,,sites,Sites"}, "layers", "Sites"),
    ],
)
def test_one_error_by_field(choices, changes, field, in_message):
    form = {**GOOD, **changes}
    with pytest.raises(FormErrors) as caught:
        read_view_form(form, choices)
    assert set(caught.value.fields) == {field}
    assert caught.value.field == field
    assert in_message in caught.value.fields[field]


# --- view_filter ----------------------------------------------------------------------------


def test_view_filter_reads_the_saved_filters(choices):
    view = read_view_form({**GOOD, "filters": "q=sciure&direction=besoin&park=arvida"}, choices)
    assert view_filter(view, choices) == MapFilter(
        park="arvida", direction=Direction.INPUT, q="sciure"
    )
    assert view_filter(read_view_form({**GOOD, "filters": ""}, choices), choices).is_empty()


def test_view_filter_checks_again(choices):
    saved = PresenterView(
        id=1,
        position=1,
        title="Ancien parc",
        lat=48.4,
        lon=-71.1,
        zoom=12,
        filters="park=parc-demoli",
    )
    with pytest.raises(InvalidInput) as caught:
        view_filter(saved, choices)
    assert caught.value.field == "park"


# --- the store, on SQLite and PostGIS -------------------------------------------------------


def make_view(title: str, **changes) -> PresenterView:
    values = {
        "id": None,
        "position": 0,
        "title": title,
        "lat": 48.42,
        "lon": -71.06,
        "zoom": 12,
        "filters": "",
        "layers": DEFAULT_LAYERS,
        "anonymised": True,
    }
    return PresenterView(**{**values, **changes})


def titles(repo) -> list[str]:
    return [v.title for v in repo.presenter_views()]


def test_views_are_stored_in_order(services):
    repo = services.repo
    assert repo.presenter_views() == []
    first = make_view("Vue d'ensemble", position=99, lat=48.55, lon=-71.65, zoom=9)
    second = make_view(
        "Récupération à Saguenay",
        filters="municipality=saguenay&q=R%C3%A9cup",
        layers="parks,sites,lines,roads",
        anonymised=False,
    )
    third = make_view("Bois", filters="category=bois&direction=offre", zoom=10)
    ids = [repo.add_presenter_view(v) for v in (first, second, third)]
    assert len(set(ids)) == 3
    views = repo.presenter_views()
    assert [v.id for v in views] == ids
    assert [v.position for v in views] == [1, 2, 3]  # appended; the given position is ignored
    for view, stored in zip((first, second, third), views, strict=True):
        assert stored == PresenterView(
            **{**view.__dict__, "id": stored.id, "position": stored.position}
        )
    assert repo.get_presenter_view(ids[1]) == views[1]
    assert isinstance(views[1].anonymised, bool) and views[1].anonymised is False


@pytest.mark.parametrize(
    ("moves", "order"),
    [
        ([], "ABC"),
        ([("C", -1)], "ACB"),
        ([("C", -1), ("C", -1)], "CAB"),
        ([("A", -1)], "ABC"),  # already first
        ([("C", +1)], "ABC"),  # already last
        ([("A", +1)], "BAC"),
        ([("A", +5)], "BCA"),
        ([("C", -5)], "CAB"),
        ([("B", 0)], "ABC"),
        ([("A", +1), ("A", +1), ("C", -1)], "CBA"),
    ],
)
def test_move_views(services, moves, order):
    repo = services.repo
    ids = {name: repo.add_presenter_view(make_view(name)) for name in "ABC"}
    for name, offset in moves:
        repo.move_presenter_view(ids[name], offset)
    assert "".join(titles(repo)) == order
    if moves:  # renumbered 1…n
        assert [v.position for v in repo.presenter_views()] == [1, 2, 3]


def test_update_and_delete(services):
    repo = services.repo
    a, b, c = (repo.add_presenter_view(make_view(name)) for name in "ABC")
    repo.update_presenter_view(
        b,
        {
            "title": "B2",
            "zoom": 15,
            "filters": "sector=metaux",
            "anonymised": False,
            "lat": 48.5,
            "lon": -71.2,
        },
    )
    changed = repo.get_presenter_view(b)
    assert (
        changed.title,
        changed.zoom,
        changed.filters,
        changed.anonymised,
        changed.lat,
        changed.lon,
        changed.position,
    ) == ("B2", 15, "sector=metaux", False, 48.5, -71.2, 2)
    assert repo.get_presenter_view(a) == PresenterView(
        **{**make_view("A").__dict__, "id": a, "position": 1}
    )
    with pytest.raises(ValueError, match="position"):
        repo.update_presenter_view(a, {"position": 3})
    with pytest.raises(ValueError, match="colour"):
        repo.update_presenter_view(a, {"title": "x", "colour": "red"})
    assert repo.get_presenter_view(a).title == "A"  # nothing of a refused update is written

    repo.delete_presenter_view(b)
    assert titles(repo) == ["A", "C"]
    with pytest.raises(NotFound):
        repo.get_presenter_view(b)
    d = repo.add_presenter_view(make_view("D"))
    assert titles(repo) == ["A", "C", "D"]
    repo.move_presenter_view(d, -1)
    assert titles(repo) == ["A", "D", "C"]
    assert [v.position for v in repo.presenter_views()] == [1, 2, 3]
    for view_id in (a, c, d):
        repo.delete_presenter_view(view_id)
    assert repo.presenter_views() == []
    e = repo.add_presenter_view(make_view("E"))
    assert repo.get_presenter_view(e).position == 1


@pytest.mark.parametrize(
    "call",
    [
        lambda repo, i: repo.get_presenter_view(i),
        lambda repo, i: repo.update_presenter_view(i, {"title": "x"}),
        lambda repo, i: repo.delete_presenter_view(i),
        lambda repo, i: repo.move_presenter_view(i, -1),
    ],
    ids=["get", "update", "delete", "move"],
)
def test_unknown_ids_are_not_found(services, call):
    repo = services.repo
    known = repo.add_presenter_view(make_view("A"))
    with pytest.raises(NotFound) as caught:
        call(repo, known + 1000)
    assert str(known + 1000) in caught.value.message and caught.value.status == 404
    assert titles(repo) == ["A"]


def test_a_form_view_round_trips_through_the_store(services, choices):
    view = read_view_form(GOOD, choices)
    stored = services.repo.get_presenter_view(services.repo.add_presenter_view(view))
    assert stored == PresenterView(**{**view.__dict__, "id": stored.id, "position": 1})
    assert view_filter(stored, choices) == MapFilter(category="bois", direction=Direction.OUTPUT)


# --- the use cases behind the views page ------------------------------------------------------


def test_staff_compose_the_presentation_through_the_use_cases(services):
    first = presenter.add_view(services, GOOD, actor="personnel")
    second = presenter.add_view(services, {**GOOD, "title": "Deuxième"}, actor="personnel")
    presenter.move_view(services, second, "-1", actor="personnel")
    assert [v.title for v in presenter.saved_views(services)] == ["Deuxième", GOOD["title"]]
    presenter.rename_view(services, first, "  Renommée ", anonymised=False, actor="personnel")
    renamed = services.repo.get_presenter_view(first)
    assert (renamed.title, renamed.anonymised) == ("Renommée", False)
    presenter.delete_view(services, second, actor="personnel")
    assert [v.id for v in presenter.saved_views(services)] == [first]


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (
            lambda svc, vid: presenter.rename_view(svc, vid, "", anonymised=True, actor="a"),
            FormErrors,
        ),
        (
            lambda svc, vid: presenter.rename_view(svc, vid, "x" * 201, anonymised=True, actor="a"),
            FormErrors,
        ),
        (lambda svc, vid: presenter.move_view(svc, vid, "2", actor="a"), InvalidInput),
        (
            lambda svc, vid: presenter.rename_view(
                svc, vid + 99, "Titre", anonymised=True, actor="a"
            ),
            NotFound,
        ),
    ],
)
def test_a_refused_change_leaves_the_view_as_it_was(services, call, error):
    view_id = presenter.add_view(services, GOOD, actor="personnel")
    with pytest.raises(error):
        call(services, view_id)
    assert services.repo.get_presenter_view(view_id).title == GOOD["title"]
