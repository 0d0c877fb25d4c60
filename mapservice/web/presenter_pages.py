"""Presenter mode: saved views stepped through full screen, anonymised, working offline.

The presentation is one page holding every view as data (:mod:`mapservice.views.presenter_deck`);
its script changes views without reloading, and the downloaded file is the same page with its
scripts, styles and the regional base layer inlined."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for
from flask_babel import get_translations
from flask_babel import gettext as _

from mapservice.domain.model import Direction, PresenterView
from mapservice.domain.sectors import BY_CODE as SECTORS
from mapservice.errors import FormErrors, InvalidInput, NotFound
from mapservice.views import folium_maps as maps
from mapservice.views import presenter
from mapservice.views.map_filters import MapFilter
from mapservice.views.map_view import TRACKED, filter_choices, region_view
from mapservice.views.member_map import member_view
from mapservice.views.presenter import view_filter
from mapservice.views.presenter_deck import Slide, build_deck
from mapservice.web import services
from mapservice.web.auth import current_principal
from mapservice.web.guard import sees_everything
from mapservice.web.i18n import language, num
from mapservice.web.links import link
from mapservice.web.mapping import (
    LAYERS,
    map_labels,
    map_parts,
    site_url_pattern,
    status_labels,
    status_legend,
)
from mapservice.web.standalone import inline_assets

bp = Blueprint("presenter", __name__)

#: What presenter mode shows when no view was saved yet: the whole region, anonymised.
REGION = PresenterView(
    id=None,
    position=0,
    title="",
    lat=maps.REGION_CENTRE[0],
    lon=maps.REGION_CENTRE[1],
    zoom=maps.REGION_ZOOM,
    layers="parks,sites,lines",
    anonymised=True,
)


def _anonymised(view: PresenterView) -> bool:
    """The view's setting, or the ``anonyme`` switch; always anonymised for all but staff."""
    switch = request.args.get("anonyme")
    if switch not in (None, "0", "1"):
        raise InvalidInput(_("anonyme vaut 0 ou 1 (reçu : %(v)s).", v=switch), field="anonyme")
    if not sees_everything():
        return True
    return view.anonymised if switch is None else switch == "1"


def _view_data(view: PresenterView, *, anonymise: bool, standalone: bool) -> dict[str, Any]:
    """What one view draws, disclosed to the reader as presenter mode shows it: the region
    map's filter, or the sites of the members the view picks."""
    svc = services()
    if view.members is not None:
        return member_view(
            svc,
            view.members,
            lang=language(),
            anonymise=anonymise,
            site_url=None if anonymise or standalone else site_url_pattern(),
            status_labels=status_labels(),
            statuses=TRACKED,
        ).data
    try:
        shown_filter = view_filter(view, filter_choices(svc))
    except InvalidInput:
        shown_filter = MapFilter()  # a park or category gone since: show everything
    shown = region_view(
        svc,
        shown_filter,
        lang=language(),
        anonymise=anonymise,
        site_url=None if anonymise or standalone else site_url_pattern(),
        status_labels=status_labels(),
        statuses=TRACKED,
    )
    return shown.data


def _count_text(n: int) -> str:
    """« 1 234 sites », as the map page says it (the digits grouped the page's way)."""
    text: str = get_translations().ungettext("%(num)s site", "%(num)s sites", n)
    return text % {"num": num(n, 0)}


def render_deck(
    views: list[PresenterView],
    start: int,
    *,
    standalone: bool = False,
    path_base: str | None = None,
    numbered: bool = True,
    exit_url: str | None = None,
    download_url: str | None = None,
) -> str:
    """The presentation as one page: every view as data, ``start`` shown first (1-based).

    ``views`` may come from anywhere (the saved presentation, an event's tables): each is
    disclosed to the reader and filtered as presenter mode does. With ``path_base`` the page
    keeps the view's number in its path (``{path_base}/{n}``, a route that serves the same
    deck), else in its hash; ``numbered`` False hides the « n / total » counter.
    ``exit_url`` and ``download_url`` (the deck as one file) default to the saved
    presentation's.
    """
    slides = []
    for view in views:
        anonymise = _anonymised(view)
        data = _view_data(view, anonymise=anonymise, standalone=standalone)
        slides.append(Slide(view=view, data=data, anonymised=anonymise))
    data = build_deck(slides, layers=LAYERS, count_text=_count_text, start=start)
    data["lineLegend"] = status_legend()
    extra: dict[str, Any] = {}
    if standalone:
        data_dir = services().data_dir
        extra["basemap"] = json.loads((data_dir / "basemap.geojson").read_text("utf-8"))
        extra["roads"] = json.loads((data_dir / "roads.geojson").read_text("utf-8"))
        extra["tiles"] = "none"  # the file asks nothing of the network: the regional base only
    first = views[data["deck"]["start"] - 1]
    parts = map_parts(
        data,
        standalone=standalone,
        presenter=True,
        view={"lat": first.lat, "lon": first.lon, "zoom": first.zoom},
        layers=LAYERS,
        hidden=[],
        collapsed=True,
        tile_timeout_ms=3000,
        **extra,
    )
    shown = data["deck"]["views"][data["deck"]["start"] - 1]
    staff = sees_everything()
    return render_template(
        "present.html",
        map=parts,
        title=shown["title"],
        number=data["deck"]["start"],
        total=len(views) if numbered else 0,
        count=shown["count"],
        anonymised=shown["anonymised"],
        standalone=standalone,
        staff=staff,
        base=None if standalone else path_base,
        exit_url=exit_url or (url_for("presenter.views") if staff else url_for("pages.region_map")),
        download_url=download_url or url_for("presenter.download_deck"),
    )


def _saved_deck(number: int, *, standalone: bool = False, region: bool = False) -> str:
    """The saved presentation opened at view ``number``; with ``region``, the whole region,
    anonymised, when no view is saved yet."""
    views = presenter.saved_views(services())
    if not views and region:
        title = _("Économie circulaire au Saguenay–Lac-Saint-Jean")
        return render_deck([replace(REGION, title=title)], 1, standalone=standalone, numbered=False)
    if not 1 <= number <= len(views):
        raise NotFound(
            _(
                "Pas de vue n° %(n)s : la présentation en compte %(total)s.",
                n=number,
                total=len(views),
            )
        )
    base = url_for("presenter.present")
    return render_deck(views, number, standalone=standalone, path_base=base)


@bp.get("/present")
def present() -> Any:
    if presenter.saved_views(services()):
        return redirect(link("presenter.slide", {"number": 1}, request.args.items(multi=True)))
    return _saved_deck(1, region=True)


@bp.get("/present/<int:number>")
def slide(number: int) -> str:
    """The presentation, opened at view ``number``; the page steps through the others itself."""
    return _saved_deck(number)


@bp.get("/present/telecharger")
def download_deck() -> Response:
    """The whole presentation as one HTML file that runs without a server or a network."""
    return deck_download(_saved_deck(1, standalone=True, region=True), "presentation.html")


@bp.get("/present/<int:number>/telecharger")
def download(number: int) -> Response:
    """The whole presentation as one file, opened at view ``number``."""
    return deck_download(_saved_deck(number, standalone=True), f"presentation-vue-{number}.html")


def deck_download(page: str, name: str) -> Response:
    """A deck page rendered ``standalone`` (:func:`render_deck`) as one file to save
    (``name``), its scripts, styles and icon inlined: nothing is left to fetch."""
    html = inline_assets(
        page,
        static_url=url_for("static", filename=""),
        static_dir=Path(current_app.static_folder or ""),
    )
    return Response(
        html,
        mimetype="text/html",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


# --- composing the presentation -----------------------------------------------------------


@bp.get("/present/vues")
def views() -> str:
    return _views_page()


def _views_page(
    errors: dict[str, str] | None = None, form: dict[str, str] | None = None, status: int = 200
) -> Any:
    rows = []
    svc = services()
    choices = filter_choices(svc)
    labels = map_labels()
    for view in presenter.saved_views(svc):
        filters: dict[str, Any] = dict(parse_qsl(view.filters))
        try:
            said = _said_filter(view_filter(view, choices))
        except InvalidInput:  # a park or category gone since: say what is stored
            said = [(key, value) for key, value in filters.items()]
        rows.append(
            {
                "view": view,
                "filters": said,
                "layers": ", ".join(labels.get(k, k) for k in view.layers.split(",") if k),
                "map_url": link(
                    "pages.region_map",
                    query={
                        **filters,
                        "lat": view.lat,
                        "lon": view.lon,
                        "zoom": view.zoom,
                        "layers": view.layers,
                    },
                ),
            }
        )
    return render_template(
        "present_views.html", rows=rows, errors=errors or {}, form=form or {}
    ), status


def _said_filter(shown: MapFilter) -> list[tuple[str, str]]:
    """A view's filter as a reader says it: « Matière : Bois », the park's name…"""
    svc, lang = services(), language()
    out: list[tuple[str, str]] = []
    if shown.q:
        out.append((_("Recherche"), f"« {shown.q} »"))
    if shown.direction is not None:
        out.append(
            (
                _("Offres ou besoins"),
                _("Offres") if shown.direction is Direction.OUTPUT else _("Besoins"),
            )
        )
    if shown.category:
        out.append((_("Matière"), svc.taxonomy.label(shown.category, lang)))
    if shown.sector:
        group = SECTORS.get(shown.sector)
        out.append((_("Secteur d'activité"), group.label(lang) if group else shown.sector))
    if shown.park:
        park = svc.park_ids().get(shown.park)
        out.append((_("Parc industriel"), park.name if park else shown.park))
    if shown.municipality:
        muni = svc.gazetteer.municipalities.get(shown.municipality)
        out.append((_("Municipalité"), muni.name if muni else shown.municipality))
    if shown.mrc:
        out.append((_("MRC"), shown.mrc))
    return out


@bp.post("/present/vues")
def add_view() -> Any:
    try:
        presenter.add_view(services(), request.form, actor=current_principal().username)
    except FormErrors as exc:
        return _views_page(exc.fields, dict(request.form), 422)
    return redirect(url_for("presenter.views", ajoutee=1), code=303)


@bp.post("/present/vues/<int:view_id>")
def update_view(view_id: int) -> Any:
    try:
        presenter.rename_view(
            services(),
            view_id,
            request.form.get("title") or "",
            anonymised=request.form.get("anonymised") in ("1", "on"),
            actor=current_principal().username,
        )
    except FormErrors as exc:
        return _views_page(exc.fields, dict(request.form), 422)
    return redirect(url_for("presenter.views"), code=303)


@bp.post("/present/vues/<int:view_id>/deplacer")
def move_view(view_id: int) -> Any:
    presenter.move_view(
        services(), view_id, request.form.get("offset", ""), actor=current_principal().username
    )
    return redirect(url_for("presenter.views") + f"#vue-{view_id}", code=303)


@bp.post("/present/vues/<int:view_id>/supprimer")
def delete_view(view_id: int) -> Any:
    presenter.delete_view(services(), view_id, actor=current_principal().username)
    return redirect(url_for("presenter.views"), code=303)
