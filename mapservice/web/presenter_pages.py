"""Presenter mode: saved views stepped through full screen, anonymised, working offline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _

from mapservice.domain.model import PresenterView
from mapservice.errors import FormErrors, InvalidInput, NotFound
from mapservice.views import folium_maps as maps
from mapservice.views import presenter
from mapservice.views.map_filters import MapFilter
from mapservice.views.map_view import TRACKED, filter_choices, region_view
from mapservice.views.presenter import view_filter
from mapservice.web import services
from mapservice.web.auth import current_principal
from mapservice.web.guard import sees_everything
from mapservice.web.i18n import language
from mapservice.web.links import link
from mapservice.web.mapping import LAYERS, map_parts, site_url_pattern, status_labels
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


def _slide(view: PresenterView, *, anonymise: bool, standalone: bool = False) -> dict[str, Any]:
    svc = services()
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
    layers = [k for k in view.layers.split(",") if k in LAYERS] or ["parks", "sites"]
    extra: dict[str, Any] = {}
    if standalone:
        data_dir = svc.data_dir
        extra["basemap"] = json.loads((data_dir / "basemap.geojson").read_text("utf-8"))
        extra["roads"] = json.loads((data_dir / "roads.geojson").read_text("utf-8"))
    parts = map_parts(
        shown.data,
        standalone=standalone,
        presenter=True,
        view={"lat": view.lat, "lon": view.lon, "zoom": view.zoom},
        layers=LAYERS,
        hidden=[k for k in LAYERS if k not in layers],
        collapsed=True,
        tile_timeout_ms=3000,
        **extra,
    )
    return {"map": parts, "n_sites": len(shown.data["sites"]["features"]), "anonymised": anonymise}


@bp.get("/present")
def present() -> Any:
    if presenter.saved_views(services()):
        return redirect(link("presenter.slide", {"number": 1}, request.args.items(multi=True)))
    view = REGION
    title = _("Économie circulaire au Saguenay–Lac-Saint-Jean")
    return render_template(
        "present.html",
        view=view,
        title=title,
        number=0,
        total=0,
        **_slide(view, anonymise=_anonymised(view)),
    )


@bp.get("/present/<int:number>")
def slide(number: int) -> str:
    views = presenter.saved_views(services())
    if not 1 <= number <= len(views):
        raise NotFound(
            _(
                "Pas de vue n° %(n)s : la présentation en compte %(total)s.",
                n=number,
                total=len(views),
            )
        )
    view = views[number - 1]
    return render_template(
        "present.html",
        view=view,
        title=view.title,
        number=number,
        total=len(views),
        **_slide(view, anonymise=_anonymised(view)),
    )


@bp.get("/present/<int:number>/telecharger")
def download(number: int) -> Response:
    """The view as one HTML file that opens without a server (scripts and data inlined)."""
    views = presenter.saved_views(services())
    if not 1 <= number <= len(views):
        raise NotFound(
            _(
                "Pas de vue n° %(n)s : la présentation en compte %(total)s.",
                n=number,
                total=len(views),
            )
        )
    view = views[number - 1]
    html = render_template(
        "present.html",
        view=view,
        title=view.title,
        number=number,
        total=len(views),
        standalone=True,
        **_slide(view, anonymise=_anonymised(view), standalone=True),
    )
    html = inline_assets(
        html,
        static_url=url_for("static", filename=""),
        static_dir=Path(current_app.static_folder or ""),
    )
    name = f"vue-{number}.html"
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
    for view in presenter.saved_views(services()):
        filters: dict[str, Any] = dict(parse_qsl(view.filters))
        rows.append(
            {
                "view": view,
                "filters": filters,
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
