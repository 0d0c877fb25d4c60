"""Blueprints: pages, API, exports; the language; and the one error handler."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app
from werkzeug.routing import IntegerConverter, Map

from mapservice.services import Services

#: The largest row id: the databases' integer keys (PostgreSQL ``integer``) stop here.
MAX_ROW_ID = 2_147_483_647


class RowIdConverter(IntegerConverter):
    """``<int:…>`` in every route: 1 to :data:`MAX_ROW_ID`, else the route does not match.

    Werkzeug's own takes any number of digits, and past the database's integers the driver
    overflows (a 500) instead of finding nothing (a 404).
    """

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", MAX_ROW_ID)
        super().__init__(url_map, *args, **kwargs)


def services() -> Services:
    """Return the app's service layer (built once by :func:`mapservice.create_app`)."""
    return current_app.extensions["mapservice"]  # type: ignore[no-any-return]


def register(app: Flask) -> None:
    from mapservice.web import (
        api,
        api_synergies,
        auth,
        caching,
        compression,
        error_pages,
        exports,
        geocoding_pages,
        guard,
        health,
        i18n,
        navigation,
        ogcapi,
        openapi,
        pages,
        presenter_pages,
        proxies,
        registry_pages,
        security,
        site_pages,
        synergy_pages,
    )

    app.url_map.converters["int"] = RowIdConverter  # before any route is added
    i18n.init_app(app)
    auth.init_app(app)
    guard.init_app(app)  # after auth: it asks who is signed in
    navigation.init_app(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(site_pages.bp)
    app.register_blueprint(presenter_pages.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(exports.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(openapi.bp)
    app.register_blueprint(api_synergies.bp)
    app.register_blueprint(geocoding_pages.bp)
    app.register_blueprint(synergy_pages.bp)
    app.register_blueprint(registry_pages.bp)
    app.register_blueprint(ogcapi.bp)
    error_pages.init_app(app)
    compression.init_app(app)
    caching.init_app(app)  # after: runs before compression, on the plain body
    security.init_app(app)  # last: runs first, hashes the inline scripts of the plain body
    proxies.init_app(app)  # around the whole app: the client's address before anything reads it
