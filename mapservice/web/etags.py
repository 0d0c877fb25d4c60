"""ETags on the JSON API and the OGC API, so clients revalidate instead of downloading again:
``If-None-Match`` with the same tag answers 304 with no body."""

from __future__ import annotations

from flask import Flask, Response, request

from mapservice.web.machine_routes import API_PREFIXES


def _etag(response: Response) -> Response:
    """Tag a plain 200 GET of the APIs; answer 304 when the client already has it."""
    if (
        request.method != "GET"
        or response.status_code != 200
        or response.is_streamed
        or response.direct_passthrough
        or not request.path.startswith(API_PREFIXES)
    ):
        return response
    response.add_etag()
    response.make_conditional(request)  # turns it into a 304 in place when the tag matches
    return response


def init_app(app: Flask) -> None:
    app.after_request(_etag)
