"""The JSON API under ``/api/v1/``: parse the request, call one service, serialise."""

from __future__ import annotations

import math
from typing import Any

from flask import Blueprint, Response, jsonify, request

from mapservice import geocoding_jobs
from mapservice.errors import GeocodingError, InvalidInput
from mapservice.web import services

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def _float_arg(name: str, source: Any = None) -> float:
    source = request.args if source is None else source
    raw = source.get(name)
    if raw is None or str(raw).strip() == "":
        raise InvalidInput(f"Paramètre {name} manquant (un nombre décimal, ex. 48.42).",
                           field=name)
    try:
        value = float(str(raw).strip().replace(",", "."))
    except ValueError:
        raise InvalidInput(f"Paramètre {name} invalide : {str(raw)[:40]!r} n'est pas un nombre.",
                           field=name) from None
    if not math.isfinite(value):
        raise InvalidInput(f"Paramètre {name} invalide : {raw!r} n'est pas fini.", field=name)
    return value


@bp.get("/geocode")
def geocode() -> tuple[Response, int] | Response:
    args = request.args
    try:
        found = geocoding_jobs.geocode_text(
            services(), args.get("q"), address=args.get("address"),
            municipality=args.get("municipality"), postal_code=args.get("postal_code"),
        )
    except GeocodingError as exc:
        if exc.extra.get("not_found"):
            return jsonify({**exc.to_dict(), "error": "not_found"}), 404
        raise
    return jsonify(found)


@bp.get("/reverse")
def reverse() -> Response:
    lat, lon = _float_arg("lat"), _float_arg("lon")
    return jsonify(geocoding_jobs.reverse_json(services(), lon, lat))


@bp.post("/sites/<int:site_id>/location")
def move_site(site_id: int) -> Response:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidInput("Corps JSON attendu : {\"lat\": …, \"lon\": …, \"by\": \"…\"}.",
                           field="body")
    site = geocoding_jobs.move_site(services(), site_id, _float_arg("lon", body),
                                    _float_arg("lat", body), str(body.get("by") or ""))
    return jsonify({
        "id": site.id, "lat": site.lat, "lon": site.lon, "park": site.park_id,
        "municipality": site.municipality_id,
        "precision": site.geocode_precision.value if site.geocode_precision else None,
        "source": site.geocode_source, "geocoded_by": site.geocoded_by,
        "geocoded_at": site.geocoded_at.isoformat() if site.geocoded_at else None,
    })
