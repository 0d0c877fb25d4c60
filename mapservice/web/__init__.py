"""Blueprints: pages, API, exports; the language; and the one error handler.

This package module holds what every blueprint shares (the app's services, the row-id rule);
:mod:`mapservice.web.blueprints` registers them all on an app.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
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
