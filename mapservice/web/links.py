"""Links that keep the request's query: the path from ``url_for``, the query encoded apart.

``url_for(endpoint, **request.args)`` lets whoever writes the query string choose ``url_for``'s
own keywords (``endpoint``, ``_external``, ``_anchor``, ``_method``, ``_scheme``) or a path value
(``number``, ``site_id``…): a 500 or a link elsewhere. Here the code names the path values and
the query goes through :func:`urllib.parse.urlencode`, whatever its names.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlencode

from flask import Flask, url_for

#: What ``url_for`` leaves unencoded in a query string (WHATWG), so links read as before.
SAFE = "!$'()*,/:;?@"
Query = Mapping[str, Any] | Iterable[tuple[str, Any]]


def link(
    endpoint: str,
    path: Mapping[str, Any] | None = None,
    query: Query = (),
    *,
    external: bool = False,
) -> str:
    """Return the URL of ``endpoint`` with ``path`` values and ``query`` as its query string.

    Parameters
    ----------
    endpoint
        The Flask endpoint.
    path
        The route's path values, chosen by the code (never the request's query).
    query
        Query parameters, a mapping or (name, value) pairs; ``None`` values are left out.
        Any name is safe here, ``endpoint`` and ``_external`` included.
    external
        An absolute URL (scheme and host), as ``url_for(..., _external=True)``.
    """
    base = url_for(endpoint, _external=external, **(path or {}))
    pairs = query.items() if isinstance(query, Mapping) else query
    encoded = urlencode([(k, v) for k, v in pairs if v is not None], safe=SAFE)
    return base + "?" + encoded if encoded else base


def init_app(app: Flask) -> None:
    """``link(...)`` in the templates."""
    app.add_template_global(link)
