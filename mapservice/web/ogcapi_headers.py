"""The headers GIS clients and caches read on ``/ogcapi``: a stable ETag and ``Link`` on
``/items``, ``Vary`` on the machine routes, and paths that answer with or without their
trailing slash.

The body of ``/items`` holds ``timeStamp`` (when it was made), so a tag hashed from the body
would change every second and no client would ever get a 304. Its tag is drawn instead from
what the answer is made of: the registry's change stamp, the request (path, query, format,
language, host of its absolute links) and who asks (the disclosure level, and the account for
the HTML pages, which name it). The tag is weak: two answers with the same tag differ only by
their ``timeStamp``. :mod:`mapservice.web.etags` then answers ``If-None-Match`` with a 304.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import astuple

from flask import Flask, Response, make_response, request
from flask_babel import get_locale

from mapservice.domain.access import Scope
from mapservice.web import services
from mapservice.web.auth import current_principal
from mapservice.web.machine_routes import MACHINE_PREFIXES

#: The links of a page that ``Link`` repeats (RFC 8288), as in the body.
LINK_RELS = ("self", "alternate", "next", "prev")
#: What a machine route's answer depends on besides its address: the format asked for
#: (``/ogcapi`` answers JSON or HTML), and who asks (a token or a session).
VARY = ("Accept", "Authorization", "Cookie")


def items_tag(layer_id: str, scope: Scope, mimetype: str) -> str:
    """The ETag value of an ``/items`` answer: the same while nothing it shows changed."""
    who = current_principal()
    key = [
        list(astuple(services().change_stamp())),
        layer_id,
        request.host_url,
        request.path,
        sorted(request.args.items(multi=True)),
        mimetype,
        str(get_locale()),
        [sorted(scope.parks) if scope.parks is not None else None, scope.confidential],
        scope.names,
        [who.user_id, who.username] if mimetype.startswith("text/html") else None,
    ]
    return hashlib.sha256(json.dumps(key, ensure_ascii=False).encode()).hexdigest()[:32]


def link_header(links: list[dict]) -> str:
    """``links`` of the body as an RFC 8288 ``Link`` header (self, alternate, next, prev)."""
    return ", ".join(
        f'<{link["href"]}>; rel="{link["rel"]}"; type="{link["type"]}"'
        for link in links
        if link["rel"] in LINK_RELS
    )


def items_headers(
    answer: Response | str, links: list[dict], layer_id: str, scope: Scope
) -> Response:
    """``answer`` (JSON or HTML) with its stable weak ETag and its ``Link`` header."""
    response = make_response(answer)
    response.set_etag(items_tag(layer_id, scope, response.mimetype or ""), weak=True)
    response.headers["Link"] = link_header(links)
    return response


def _vary(response: Response) -> Response:
    if request.path.startswith(MACHINE_PREFIXES):
        response.vary.update(VARY)
    return response


def init_app(app: Flask) -> None:
    """``Vary`` on the machine routes; ``/ogcapi`` paths answer with a trailing slash too
    (``/ogcapi/collections/``), as clients that build URLs by joining often send."""
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("ogcapi."):
            rule.strict_slashes = False
    app.after_request(_vary)
