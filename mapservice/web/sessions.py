"""Browser sessions that end: a lifetime renewed by activity, read from a signed cookie.

The session is Flask's signed cookie. Its signature carries the time it was made, and a
cookie older than ``MAPSERVICE_SESSION_LIFETIME_H`` hours is refused when read (Flask's
``PERMANENT_SESSION_LIFETIME``), whatever the browser kept: an unused session ends that long
after its last request. A signed-in session is permanent, and every answer signs it anew
(``SESSION_REFRESH_EACH_REQUEST``), so activity keeps it going. Ending a session before that
(signing out, a new password, role…) is the session version's work
(:mod:`mapservice.accounts.sign_in`).

The time the signatures carry and are checked against is the app's ``SESSION_CLOCK`` (seconds
since 1970; :func:`time.time` unless a test gives its own clock).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import TimestampSigner, URLSafeTimedSerializer


class ClockedSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, whose signatures are dated by ``clock``."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        class Signer(TimestampSigner):
            def get_timestamp(self) -> int:
                return int(clock())

        self.signer = Signer

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        serializer = super().get_signing_serializer(app)
        if serializer is not None:
            serializer.signer = self.signer
        return serializer


def lifetime(config: Any) -> timedelta:
    """How long a session lasts after its last request."""
    return timedelta(hours=float(config["SESSION_LIFETIME_H"]))


def init_app(app: Flask) -> None:
    app.permanent_session_lifetime = lifetime(app.config)
    app.config["SESSION_REFRESH_EACH_REQUEST"] = True
    app.session_interface = ClockedSessions(app.config.get("SESSION_CLOCK") or time.time)
