"""HTML pages for people: the region map and the material pages."""

from __future__ import annotations

from collections import Counter
from itertools import islice
from typing import Any

from flask import Blueprint, Response, render_template, request, send_file

from mapservice.domain.model import Direction
from mapservice.errors import InvalidInput, NotFound, tr
from mapservice.views.map_filters import MapFilter, search_understood
from mapservice.views.map_view import TRACKED, region_view
from mapservice.web import services
from mapservice.web.guard import sees_everything
from mapservice.web.i18n import language
from mapservice.web.links import link
from mapservice.web.map_clusters import page_data as cluster_page_data
from mapservice.web.map_clusters import server_clusters
from mapservice.web.mapping import (
    LAYERS,
    form_choices,
    map_parts,
    read_filter,
    read_layers,
    read_view,
    site_url_pattern,
    status_labels,
    status_legend,
)

bp = Blueprint("pages", __name__)

#: How many matching sites the page lists under the map (the keyboard's way in).
LIST_LIMIT = 200


def region_page_context(
    view: MapFilter, errors: dict[str, str], *, anonymise: bool = False
) -> dict:
    svc = services()
    try:
        layers = read_layers(request.args.get("layers"))
        start = read_view(request.args)
    except InvalidInput as exc:
        errors = {**errors, exc.field or "layers": exc.message}
        layers, start = read_layers(None), None
    shown = region_view(
        svc,
        view,
        lang=language(),
        anonymise=anonymise,
        site_url=site_url_pattern() if sees_everything() else None,
        status_labels=status_labels(),
        statuses=TRACKED,
    )
    data = {**shown.data, "lineLegend": status_legend()}  # the view's own data is shared
    # A large view's sites are clustered on the server and fetched per viewport.
    on_server = server_clusters(len(shown.data["sites"]["features"]))
    if on_server:
        data.update(cluster_page_data(view, anonymise=anonymise))
    parts = map_parts(
        data,
        view=start,
        fit=not view.is_empty() and start is None,
        layers=LAYERS,
        hidden=[k for k in LAYERS if k not in layers],
        server_clusters=on_server,
    )
    query: dict[str, Any] = dict(view.query())
    directions = Counter(f.direction for f in shown.flows)
    export_query = {**query, "anonyme": "1"} if anonymise else query
    return {
        "map": parts,
        "filter": view,
        "errors": errors,
        "choices": form_choices(),
        "n_sites": len(shown.data["sites"]["features"]),
        # counted once a request over every shown flow (170,000 for a province): no enum
        # attribute read per flow
        "n_offers": directions[Direction.OUTPUT],
        "n_needs": directions[Direction.INPUT],
        "n_lines": len(shown.data["lines"]["features"]),
        "listed": list(islice((s for s in shown.sites if s.member_name), LIST_LIMIT)),
        "site_url_pattern": site_url_pattern(),
        "export_geojson": link("exports.layer", {"layer": "sites", "fmt": "geojson"}, export_query),
        "export_csv": link("exports.layer", {"layer": "sites", "fmt": "csv"}, export_query),
        "export_excel": link(
            "exports.layer", {"layer": "sites", "fmt": "csv"}, {**export_query, "csv": "excel"}
        ),
        "export_routes": link("exports.layer", {"layer": "routes", "fmt": "geojson"}, export_query),
        "query": query,
        "layers": layers,
        "anonymised": anonymise,
        "municipalities": svc.gazetteer.municipalities,
        "understood": search_understood(view.q, svc.search_vocabulary, language()),
    }


@bp.get("/")
def region_map() -> tuple[str, int]:
    view, errors = read_filter()
    # only staff see the full map; everyone else sees the anonymised one
    anonymise = request.args.get("anonyme") == "1" or not sees_everything()
    context = region_page_context(view, errors, anonymise=anonymise)
    return render_template("map.html", **context), 422 if context["errors"] else 200


@bp.get("/carte/routes.geojson")
def roads() -> Response:
    """The regional road network the road-distance backend uses (the map's road layer)."""
    return _data_file("roads.geojson")


@bp.get("/carte/fond.geojson")
def basemap() -> Response:
    """The bundled regional base layer: lake, rivers, municipalities, main roads."""
    return _data_file("basemap.geojson")


def _data_file(name: str) -> Response:
    path = services().data_dir / name
    if not path.is_file():
        raise NotFound(tr("{name} est absent du dossier de données.", name=name))
    response = send_file(path, mimetype="application/geo+json", max_age=3600)
    return response


@bp.get("/materiaux")
def materials() -> str:
    from mapservice.views.materials import material_index

    svc = services()
    return render_template("materials.html", rows=material_index(svc, lang=language()))


@bp.get("/materiaux/<code>")
def material(code: str) -> str:
    from mapservice.views.materials import material_view

    svc = services()
    if svc.taxonomy.get(code) is None:
        raise NotFound(tr("Aucune catégorie de matière n'a le code {code!r}.", code=code))
    shown = material_view(
        svc, code, lang=language(), labels=status_labels(), site_url=site_url_pattern()
    )
    parts = map_parts(
        shown["data"],
        fit=True,
        layers=("parks", "sites", "offers", "needs", "lines"),
        hidden=("parks",),
        cluster=False,
        collapsed=True,
    )
    return render_template("material.html", map=parts, **shown)
