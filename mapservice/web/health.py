"""``/healthz``: is the service up, and what database does it use."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from mapservice.web import services

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> Response:
    return jsonify(services().health())
