"""``/healthz``: is the service up, and what database does it use; ``/healthz/caches``: what
this serving process keeps in memory (staff only)."""

from __future__ import annotations

import os

from flask import Blueprint, Response, jsonify

from mapservice.web import services

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> Response:
    """200 when the database's schema is the one this code expects; 503 with both revisions
    when it is not, so that a proxy or a process manager sends no one to this process."""
    health = services().health()
    response = jsonify(health)
    response.status_code = 200 if health["status"] == "ok" else 503
    return response


@bp.get("/healthz/caches")
def caches() -> Response:
    """Each cache of the process that answers (its id: with several workers, each has its
    own): what it holds, its largest and current size, hits, misses and hit rate."""
    return jsonify(
        {"pid": os.getpid(), "caches": [c.as_json() for c in services().caches.figures()]}
    )
