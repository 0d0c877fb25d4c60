"""Which answers a cache may keep: none of those made for an account.

An answer to a signed-in person or a token (staff pages, the registry, the board, exports and
API answers of accounts that see contacts, names or confidential quantities) carries
``Cache-Control: no-store``: no browser cache, shared proxy or back button keeps a copy after
the session ends. So does the sign-in page (its form holds the session's CSRF token). What
strangers get (the anonymised public map, its exports, the public OGC and API answers with
their ETags) and the static files stay cacheable as before.
"""

from __future__ import annotations

from flask import Flask, Response, request

from mapservice.errors import MapserviceError
from mapservice.web.auth import current_principal

NO_STORE = "no-store"
#: Endpoints whose answers are never kept, whoever asks.
ALWAYS_PRIVATE = frozenset({"auth.login"})


def _made_for_an_account() -> bool:
    try:
        return current_principal().signed_in
    except MapserviceError:
        return True  # who asks is unknown (a token that cannot be read): keep nothing


def _no_store(response: Response) -> Response:
    if request.endpoint == "static":
        return response
    if request.endpoint in ALWAYS_PRIVATE or _made_for_an_account():
        response.headers["Cache-Control"] = NO_STORE
    return response


def init_app(app: Flask) -> None:
    app.after_request(_no_store)
