"""mapservice: the circular-economy map of Saguenay–Lac-Saint-Jean.

:func:`create_app` is the only place a Flask application is built; nothing happens at import.
"""

from __future__ import annotations

from typing import Any

from mapservice._version import __version__

__all__ = ["__version__", "create_app"]


def create_app(test_config: dict[str, Any] | None = None) -> Any:
    """Build the web application.

    Parameters
    ----------
    test_config
        Settings that override the environment (``MAPSERVICE_*``) and the defaults; keys are
        the setting names of :data:`mapservice.config.SETTINGS` (``DATABASE_URL``, …) plus
        any Flask key such as ``TESTING``.
    """
    from pathlib import Path

    from flask import Flask

    from mapservice.config import finish_settings, load_settings
    from mapservice.services import Services
    from mapservice.web.blueprints import register

    settings = load_settings()
    if test_config:
        settings.update(test_config)
    settings = finish_settings(settings)
    Path(settings["INSTANCE_PATH"]).mkdir(parents=True, exist_ok=True)

    app = Flask(
        __name__,
        instance_path=str(Path(settings["INSTANCE_PATH"]).resolve()),
        template_folder="web/templates",
        static_folder="web/static",
    )
    app.config.update(settings)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    services = Services(settings)
    app.extensions["mapservice"] = services
    register(app)
    return app
