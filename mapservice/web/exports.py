"""Downloads under ``/export/``: the sites of a map view, as GeoJSON or CSV.

They take the region map's filters (``park``, ``municipality``, ``mrc``, ``sector``,
``category``, ``direction``, ``q``), so "export this view" downloads what the map draws.
"""

from __future__ import annotations

import csv
import io
from dataclasses import replace

from flask import Blueprint, Response, current_app, request

from mapservice import geojson
from mapservice.map_filters import apply_filter, parse_filter
from mapservice.map_views import anonymised, filter_choices
from mapservice.web import services

bp = Blueprint("exports", __name__, url_prefix="/export")

CSV_COLUMNS = ("site_id", "member", "naics", "site", "address", "postal_code", "municipality",
               "park_id", "park", "lon", "lat", "precision", "offers", "needs")


def _view_collection() -> dict:
    svc = services()
    choices = filter_choices(svc)
    view = parse_filter(request.args, choices)
    sites, flows = svc.sites_with_flows()
    if request.args.get("anonyme") == "1":  # the anonymised map's export names no one either
        sites = anonymised(sites, svc.park_ids(), svc.gazetteer.municipalities)
        flows = [replace(f, description="", quantity=None, unit=None) for f in flows]
    sites, flows = apply_filter(view, sites, flows, choices)
    return geojson.sites_collection(sites, flows, parks=svc.park_ids(),
                                    municipalities=svc.gazetteer.municipalities,
                                    taxonomy=svc.taxonomy)


@bp.get("/sites.geojson")
def sites_geojson() -> Response:
    body = current_app.json.dumps(_view_collection(), ensure_ascii=False)
    return Response(body, mimetype="application/geo+json",
                    headers={"Content-Disposition": 'attachment; filename="sites.geojson"'})


@bp.get("/sites.csv")
def sites_csv() -> Response:
    """One row per site; offers and needs as ``category: description`` joined by `` | ``."""
    out = io.StringIO()
    out.write("\ufeff")  # so that Excel reads the accents as UTF-8
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for feature in _view_collection()["features"]:
        p = feature["properties"]
        lon, lat = feature["geometry"]["coordinates"] if feature["geometry"] else ("", "")

        def flows(key: str, props: dict = p) -> str:
            return " | ".join(f"{f['category_fr'] or f['category']}: {f['description']}"
                              for f in props[key])

        writer.writerow([p["site_id"], p["member"], p["naics"] or "", p["name"],
                         p["address"] or "", p["postal_code"] or "", p["municipality"] or "",
                         p["park_id"] or "", p["park"] or "", lon, lat, p["precision"] or "",
                         flows("offers"), flows("needs")])
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="sites.csv"'})


