"""The region map's sites clustered on the server: the page's data, the viewport answers and
a single site's popup (:mod:`mapservice.views.site_clusters`).

The reader is the region map's (``/``): anonymised for all but staff, or when ``anonyme=1``;
the same filter parameters; so the answers are made of what that page would show.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from mapservice.errors import InvalidInput, tr
from mapservice.views.map_filters import MapFilter
from mapservice.views.site_clusters import (
    ClusteredSites,
    clustered_sites,
    read_viewport,
    site_properties,
    viewport_answer,
)
from mapservice.web import services
from mapservice.web.guard import sees_everything
from mapservice.web.i18n import language
from mapservice.web.links import link
from mapservice.web.mapping import read_filter, site_url_pattern

bp = Blueprint("map_clusters", __name__)


def server_clusters(n_sites: int) -> bool:
    """Whether a region map of ``n_sites`` sites clusters them on the server."""
    return n_sites > int(current_app.config["MAP_SERVER_CLUSTERS_ABOVE"])


def _reader_sites(view: MapFilter, anonymise: bool) -> ClusteredSites:
    return clustered_sites(
        services(),
        view,
        lang=language(),
        anonymise=anonymise,
        site_url=site_url_pattern() if sees_everything() else None,
    )


def page_data(view: MapFilter, *, anonymise: bool) -> dict[str, Any]:
    """What the page hands its script instead of the sites: where to ask, how many, where."""
    sites = _reader_sites(view, anonymise)
    query = {**view.query(), **({"anonyme": "1"} if anonymise else {})}
    return {
        "sites": {"type": "FeatureCollection", "features": []},
        "clusters": {
            "url": link("map_clusters.viewport", query=query),
            "site": link("map_clusters.site", query=query),
            "total": sites.total,
            "version": sites.version,
            "bounds": list(sites.bounds) if sites.bounds else None,
        },
    }


def _asked() -> ClusteredSites:
    view, errors = read_filter()
    if errors:
        field, message = next(iter(errors.items()))
        raise InvalidInput(message, field=field)
    anonymise = request.args.get("anonyme") == "1" or not sees_everything()
    return _reader_sites(view, anonymise)


@bp.get("/carte/grappes.json")
def viewport() -> Response:
    """Clusters and single sites of the region map at ``zoom`` inside ``bbox``."""
    zoom, bbox = read_viewport(request.args)
    return jsonify(viewport_answer(_asked(), zoom, bbox))


@bp.get("/carte/grappes/site.json")
def site() -> Response:
    """The popup of single site ``i`` of the same view, drawn from version ``v`` (409 if the
    view has changed since: the index may now be another site's)."""
    raw = request.args.get("i", "")
    if not (raw.isascii() and raw.isdigit()):
        raise InvalidInput(
            tr("i doit être le numéro d'un site de la vue (reçu : {raw}).", raw=raw or "—"),
            field="i",
        )
    version = request.args.get("v", "")
    if not version:
        raise InvalidInput(
            tr("v doit être la version de la vue d'où vient le numéro du site."), field="v"
        )
    return jsonify(site_properties(_asked(), int(raw), version))
