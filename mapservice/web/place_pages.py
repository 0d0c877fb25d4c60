"""The map's place box: ``GET /carte/lieux?q=…`` answers where a place is, in JSON.

A route of the map pages (the signed-in reader's session, no token), not of the API: it gives
no registry data, only what the geocoder knows of a place
(:mod:`mapservice.geocoding.place_search`).
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from mapservice.errors import GeocodingError, InvalidInput
from mapservice.geocoding.place_search import find_place
from mapservice.web import services
from mapservice.web.i18n import say

bp = Blueprint("place_pages", __name__)


@bp.get("/carte/lieux")
def places() -> tuple[Response, int]:
    try:
        found = find_place(services(), request.args.get("q"))
    except GeocodingError as exc:
        status = 404 if exc.extra.get("not_found") else 422
        return jsonify({"found": False, "message": say(exc.message)}), status
    except InvalidInput as exc:
        return jsonify({"found": False, "message": say(exc.message), "field": exc.field}), 422
    return jsonify({"found": True, **found}), 200
