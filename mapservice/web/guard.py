"""Every request passes here first: who asks, may they, and is their form really from us.

:data:`RULES` gives each endpoint the permission it needs (:mod:`mapservice.domain.access` says who
has it). An endpoint missing from the table is refused to everyone, and a test walks the app's
routes to keep the table complete. Forms and other writes from a browser session must carry
the session's CSRF token (Flask-WTF); a request signed with a personal token carries no
ambient credential, so it needs none.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import Flask, Response, redirect, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError, CSRFProtect

from mapservice.domain.access import PUBLIC, Permission, Principal, Role, Scope, allowed, scope_for
from mapservice.errors import Forbidden, NotSignedIn
from mapservice.web.auth import current_principal, public_map_open
from mapservice.web.machine_routes import MACHINE_PREFIXES

P = Permission
csrf = CSRFProtect()

#: The permission each endpoint needs. Blueprint-wide entries end with ``.*``.
RULES: dict[str, Permission] = {
    "static": P.PUBLIC,
    "health.healthz": P.PUBLIC,
    "health.caches": P.STAFF,
    "auth.login": P.PUBLIC,
    "pages.basemap": P.PUBLIC,  # the bundled base layer: public sources only
    "ogcapi.landing": P.PUBLIC,  # discovery: what the API is, not what it holds
    "ogcapi.conformance": P.PUBLIC,
    "ogcapi.openapi": P.PUBLIC,
    "openapi.docs": P.PUBLIC,
    "openapi.openapi_json": P.PUBLIC,
    "pages.region_map": P.PUBLIC_MAP,  # anonymised for all but staff
    "place_pages.*": P.ACCOUNT,  # the map's place box: the geocoder, for signed-in readers
    "pages.roads": P.PUBLIC_MAP,
    "map_clusters.*": P.PUBLIC_MAP,  # the region map's sites, as that map shows them
    "exports.layer": P.PUBLIC_MAP,  # the anonymised view's export, or the asker's parks
    "ogcapi.*": P.READ_PARKS,
    "presenter.present": P.PRESENT,
    "presenter.slide": P.PRESENT,
    "presenter.download": P.PRESENT,
    "presenter.download_deck": P.PRESENT,
    "auth.logout": P.ACCOUNT,
    "auth.account": P.ACCOUNT,
    "auth.new_token": P.ACCOUNT,
    "auth.revoke_token": P.ACCOUNT,
    "auth.*": P.ADMIN,
    "presenter.*": P.STAFF,
    "pages.*": P.STAFF,
    "site_pages.*": P.STAFF,
    "synergy_pages.*": P.STAFF,
    "matching_runs.*": P.STAFF,  # rerun the whole-registry matching, and follow it
    # a park manager replaces the outlines of their own parks (the use cases check which)
    "registry_pages.park_outlines_list": P.PARK_OUTLINES,
    "registry_pages.park_outline": P.PARK_OUTLINES,
    "registry_pages.replace_park_outline": P.PARK_OUTLINES,
    "registry_pages.restore_park_outline": P.PARK_OUTLINES,
    "registry_pages.*": P.STAFF,
    "geocoding_pages.*": P.STAFF,
    "classification_pages.*": P.STAFF,
    "mobilisation_pages.*": P.STAFF,  # every member's name and figures
    "event_pages.*": P.STAFF,  # maillage events: participants, plans, meetings
    "api.*": P.STAFF,
    "api_synergies.*": P.STAFF,
}
_WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def permission_for(endpoint: str | None) -> Permission | None:
    """The rule for an endpoint: its own, else its blueprint's; None when it has neither."""
    if endpoint is None:
        return None
    if endpoint in RULES:
        return RULES[endpoint]
    blueprint = endpoint.rpartition(".")[0]
    return RULES.get(f"{blueprint}.*") if blueprint else None


def may_open(endpoint: str) -> bool:
    """Whether the asker may open an endpoint (the menu shows only those)."""
    needed = permission_for(endpoint)
    return needed is not None and allowed(
        current_principal(), needed, public_map=needed is P.PUBLIC_MAP and public_map_open()
    )


def sees_everything(who: Principal | None = None) -> bool:
    """Staff and administrators: the full map, names, contacts, exact places."""
    return (who or current_principal()).is_staff


def read_scope(who: Principal | None = None) -> Scope:
    """What the asker may read of the layers (:func:`mapservice.domain.access.scope_for`)."""
    return scope_for(who or current_principal())


def export_scope(asked_anonymised: bool) -> tuple[Scope, bool]:
    """The scope of an export and whether its sites are placed as on the anonymised map.

    Staff and park managers get their scope (anonymised when they ask for it); anyone else
    reaching an export does so from the public map, so it is the public, anonymised one.
    """
    who = current_principal()
    if who.role in (Role.ADMIN, Role.STAFF, Role.PARK_MANAGER):
        if asked_anonymised:
            return PUBLIC, True
        return read_scope(who), False
    return PUBLIC, True


def _refuse(who: Principal) -> Any:
    if who.signed_in:
        raise Forbidden(_("Votre rôle ne donne pas accès à cette page."))
    if request.path.startswith(MACHINE_PREFIXES):
        raise NotSignedIn(
            _(
                "Connexion requise : envoyez votre jeton personnel (Authorization: Bearer …, "
                "ou authentification de base avec le jeton comme mot de passe)."
            )
        )
    target = request.full_path if request.query_string else request.path
    return redirect(url_for("auth.login") + "?next=" + quote(target, safe="/"))


def _check() -> Any:
    needed = permission_for(request.endpoint)
    if request.endpoint is None:
        return None  # no route: Flask answers 404
    who = current_principal()
    if needed is None or not allowed(
        who, needed, public_map=needed is P.PUBLIC_MAP and public_map_open()
    ):
        if needed is None:
            raise Forbidden(_("Cette adresse n'a pas de règle d'accès."))
        return _refuse(who)
    if request.method in _WRITES and not who.by_token:
        csrf.protect()
    return None


def _unauthorised_header(response: Response) -> Response:
    if response.status_code == 401 and request.path.startswith(MACHINE_PREFIXES):
        response.headers["WWW-Authenticate"] = 'Bearer realm="mapservice", Basic realm="mapservice"'
    return response


def init_app(app: Flask) -> None:
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)  # checked in _check, after auth
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # valid for the session's life
    csrf.init_app(app)
    app.before_request(_check)
    app.after_request(_unauthorised_header)

    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError) -> Any:
        from mapservice.web.error_pages import respond

        return respond(
            400,
            {
                "error": "csrf",
                "field": "csrf_token",
                "message": _(
                    "Ce formulaire a expiré ou ne vient pas de ce site "
                    "(jeton CSRF %(why)s) : rechargez la page et "
                    "recommencez.",
                    why=exc.description,
                ),
            },
        )
