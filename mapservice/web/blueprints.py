"""Register every blueprint and hook of the web app, in the order they must run."""

from __future__ import annotations

from flask import Flask

from mapservice.web import RowIdConverter


def register(app: Flask) -> None:
    from mapservice.web import (
        api,
        api_synergies,
        auth,
        cache_policy,
        classification_pages,
        compression,
        error_pages,
        etags,
        event_pages,
        exports,
        geocoding_pages,
        guard,
        health,
        heavy,
        i18n,
        links,
        map_clusters,
        matching_runs,
        mobilisation_pages,
        navigation,
        ogcapi,
        ogcapi_feature_schema,
        ogcapi_headers,
        ogcapi_schemas,
        openapi,
        pages,
        park_outline_pages,
        place_pages,
        presenter_pages,
        proxies,
        registry_history,
        registry_import,
        registry_pages,
        security,
        site_pages,
        synergy_pages,
    )

    app.url_map.converters["int"] = RowIdConverter  # before any route is added
    i18n.init_app(app)
    auth.init_app(app)
    guard.init_app(app)  # after auth: it asks who is signed in
    heavy.init_app(app)  # after the guard: a refused request takes no place
    navigation.init_app(app)
    links.init_app(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(place_pages.bp)
    app.register_blueprint(map_clusters.bp)
    app.register_blueprint(site_pages.bp)
    app.register_blueprint(presenter_pages.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(exports.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(openapi.bp)
    app.register_blueprint(api_synergies.bp)
    app.register_blueprint(geocoding_pages.bp)
    app.register_blueprint(synergy_pages.bp)
    app.register_blueprint(matching_runs.bp)
    app.register_blueprint(classification_pages.bp)
    app.register_blueprint(mobilisation_pages.bp)
    app.register_blueprint(event_pages.bp)
    # The registry's history and import pages add their routes to its blueprint.
    assert registry_history.bp is registry_import.bp is registry_pages.bp
    assert park_outline_pages.bp is registry_pages.bp
    app.register_blueprint(registry_pages.bp)
    assert ogcapi_schemas.bp is ogcapi_feature_schema.bp is ogcapi.bp  # the OGC API's routes
    app.register_blueprint(ogcapi.bp)
    ogcapi_headers.init_app(app)  # Vary; /ogcapi paths answer with a trailing slash too
    error_pages.init_app(app)
    compression.init_app(app)
    etags.init_app(app)  # after: runs before compression, on the plain body
    cache_policy.init_app(app)
    security.init_app(app)  # last: runs first, hashes the inline scripts of the plain body
    proxies.init_app(app)  # around the whole app: the client's address before anything reads it
