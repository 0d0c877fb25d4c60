"""Downloads under ``/export/``."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request

from mapservice.web import services

bp = Blueprint("exports", __name__, url_prefix="/export")


@bp.get("/sites.geojson")
def sites_geojson() -> Response:
    collection = services().sites_geojson(park_id=request.args.get("park") or None)
    body = current_app.json.dumps(collection, ensure_ascii=False)
    return Response(body, mimetype="application/geo+json")
