"""One error handler: JSON for machine routes, an HTML page for people; never a traceback.

What a person or a client reads is a status, a stable code and a message in the page's
language, French by default (the core's messages carry their French template and parameters:
``mapservice.errors.Message``); the detail (an exception's text, its traceback) goes to the log
only. When the error page itself cannot be drawn (the layout asks the database who is signed
in, and the database may be what failed), a plain page built without template or database
answers instead.
"""

from __future__ import annotations

import logging
from html import escape

from flask import Flask, Response, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.http import HTTP_STATUS_CODES

from mapservice.errors import MapserviceError
from mapservice.web.i18n import num, say
from mapservice.web.machine_routes import MACHINE_PREFIXES

log = logging.getLogger("mapservice.web")
_INTERNAL = "Erreur interne. L'incident a été journalisé."
#: The OGC API exception's ``code`` of each status (``/ogcapi`` errors carry it).
OGC_CODES = {
    400: "InvalidParameterValue",
    401: "NotAuthorized",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    406: "NotAcceptable",
    413: "RequestTooLarge",
    429: "TooManyRequests",
}


def _wants_json() -> bool:
    return request.path.startswith(MACHINE_PREFIXES) or request.accept_mimetypes.best == (
        "application/json"
    )


def respond(status: int, payload: dict) -> tuple[Response | str, int]:
    payload = say(payload)  # the core's messages, in the page's language
    if _wants_json():
        # RFC 9457: type, title, status, detail; our `error`, `message`, `field` stay.
        problem = {
            "type": "about:blank",
            "title": HTTP_STATUS_CODES.get(status, "Error"),
            "status": status,
            "detail": payload.get("message"),
            "instance": request.path,
            **payload,
        }
        if request.path.startswith("/ogcapi"):
            # The OGC API exception's code (our own stays in `error`) and description.
            fallback = "ServerError" if status >= 500 else "InvalidRequest"
            problem["code"] = OGC_CODES.get(status, fallback)
            problem.setdefault("description", problem["detail"])
        response = jsonify(problem)
        response.mimetype = "application/problem+json"
        return response, status
    try:
        return render_template("error.html", status=status, error=payload), status
    except Exception:  # noqa: BLE001 - the page of last resort must not fail in turn
        log.exception("error page %s for %s could not be drawn", status, request.path)
        return _plain_page(status, str(payload.get("message") or _INTERNAL)), status


def _plain_page(status: int, message: str) -> Response:
    html = (
        f'<!doctype html>\n<html lang="fr-CA"><head><meta charset="utf-8">'
        f"<title>Erreur {status}</title></head><body><main><h1>Erreur {status}</h1>"
        f'<p role="alert">{escape(message)}</p><p><a href="/">Retour à la carte</a></p>'
        "</main></body></html>\n"
    )
    return Response(html, status=status, mimetype="text/html")


def http_message(status: int) -> str:
    """The message shown for an HTTP error Flask or Werkzeug raised (their text is English)."""
    if status >= 500:
        return _("Erreur interne. L'incident a été journalisé.")
    messages = {
        400: _(
            "Requête mal formée : son corps, son formulaire ou ses paramètres ne se lisent pas."
        ),
        404: _("Rien à l'adresse %(path)s sur ce site.", path=request.path),
        405: _("La méthode %(method)s n'est pas permise à cette adresse.", method=request.method),
        429: _("Trop de requêtes : attendez quelques minutes avant de recommencer."),
    }
    return messages.get(status) or _("Requête refusée (erreur %(status)s).", status=status)


def _too_large() -> dict[str, str | None]:
    """Say which limit a refused body passed: the import file's, or the form's parts."""
    cap = current_app.config.get("MAX_CONTENT_LENGTH") or 0
    over = request.content_length is None or request.content_length > cap
    if over and request.mimetype == "multipart/form-data":
        limit = current_app.config["IMPORT_MAX_BYTES"]
        return {
            "error": "upload_too_large",
            "field": "file",
            "message": _("Fichier trop volumineux : au plus %(mb)s Mo.", mb=num(limit / 2**20, 1)),
        }
    if over:
        return {
            "error": "request_too_large",
            "field": None,
            "message": _("Requête trop volumineuse : au plus %(mb)s Mo.", mb=num(cap / 2**20, 1)),
        }
    return {
        "error": "form_too_large",
        "field": None,
        "message": _("Formulaire trop volumineux : un champ trop long, ou trop de champs."),
    }


def init_app(app: Flask) -> None:
    @app.errorhandler(MapserviceError)
    def handle_ours(exc: MapserviceError) -> tuple[Response | str, int]:
        if exc.status >= 500:
            log.error("%s: %s (%s)", type(exc).__name__, exc.message, exc.detail)
        return respond(exc.status, exc.to_dict())

    @app.errorhandler(RequestEntityTooLarge)
    def handle_too_large(exc: RequestEntityTooLarge) -> tuple[Response | str, int]:
        log.info("413 on %s: %s bytes sent", request.path, request.content_length)
        return respond(413, _too_large())

    @app.errorhandler(HTTPException)
    def handle_http(exc: HTTPException) -> tuple[Response | str, int]:
        status = exc.code or 500
        if status >= 500:
            log.error("HTTP %s on %s: %s", status, request.path, exc.description)
        return respond(
            status, {"error": exc.name.lower().replace(" ", "_"), "message": http_message(status)}
        )

    @app.errorhandler(Exception)
    def handle_unexpected(exc: Exception) -> tuple[Response | str, int]:
        log.exception("unexpected error on %s", request.path)
        return respond(500, {"error": "internal_error", "message": http_message(500)})
