"""One error handler: JSON for machine routes, an HTML page for people; never a traceback."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from mapservice.errors import MapserviceError

log = logging.getLogger("mapservice.web")
_JSON_PREFIXES = ("/api/", "/export/", "/healthz", "/ogcapi")


def _wants_json() -> bool:
    return request.path.startswith(_JSON_PREFIXES) or request.accept_mimetypes.best == (
        "application/json"
    )


def respond(status: int, payload: dict) -> tuple[Response | str, int]:
    if _wants_json():
        # RFC 9457: type, title, status, detail; our `error`, `message`, `field` stay.
        problem = {"type": "about:blank",
                   "title": HTTP_STATUS_CODES.get(status, "Error"), "status": status,
                   "detail": payload.get("message"), "instance": request.path, **payload}
        response = jsonify(problem)
        response.mimetype = "application/problem+json"
        return response, status
    return render_template("error.html", status=status, error=payload), status


def init_app(app: Flask) -> None:
    @app.errorhandler(MapserviceError)
    def handle_ours(exc: MapserviceError) -> tuple[Response | str, int]:
        if exc.status >= 500:
            log.error("%s: %s (%s)", type(exc).__name__, exc.message, exc.detail)
        return respond(exc.status, exc.to_dict())

    @app.errorhandler(HTTPException)
    def handle_http(exc: HTTPException) -> tuple[Response | str, int]:
        status = exc.code or 500
        return respond(status, {"error": exc.name.lower().replace(" ", "_"),
                                 "message": exc.description or exc.name})

    @app.errorhandler(Exception)
    def handle_unexpected(exc: Exception) -> tuple[Response | str, int]:
        log.exception("unexpected error on %s", request.path)
        return respond(500, {"error": "internal_error",
                              "message": "Erreur interne. L'incident a été journalisé."})
