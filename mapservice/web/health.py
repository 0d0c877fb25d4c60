"""``/healthz``: is the service up, and what database does it use; ``/healthz/caches``: what
this serving process keeps in memory (staff only).

Anyone gets the status with the right code (``ok``, 200; ``degraded``, 503), so that a proxy
or a process manager sends no one to a process whose schema is not this code's. The details
(backend, both schema revisions, the exact status, row counts) are for staff and for the
monitors of ``MAPSERVICE_MONITORS`` only: row counts say how many members the association
has and how fast it grows.
"""

from __future__ import annotations

import ipaddress
import os

from flask import Blueprint, Response, current_app, jsonify, request

from mapservice.errors import MapserviceError
from mapservice.web import services
from mapservice.web.auth import current_principal

bp = Blueprint("health", __name__)


def _networks() -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    raw = current_app.config.get("MONITORS", ())
    if isinstance(raw, str):
        from mapservice.config import SETTINGS_BY_NAME

        return SETTINGS_BY_NAME["MONITORS"].parse(raw)  # type: ignore[no-any-return]
    return tuple(raw)


def _from_a_monitor() -> bool:
    """Whether the client's address (a trusted proxy's forwarded one) is a monitor's."""
    try:
        ip = ipaddress.ip_address((request.remote_addr or "").strip("[]"))
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip in net for net in _networks())


def sees_details() -> bool:
    if _from_a_monitor():
        return True
    try:
        return current_principal().is_staff
    except MapserviceError:  # a token the database cannot check (a schema behind): a stranger
        return False


@bp.get("/healthz")
def healthz() -> Response:
    """200 when the database's schema is the one this code expects; 503 when it is not (with
    both revisions for those who may see them)."""
    health = services().health()
    ok = health["status"] == "ok"
    details = sees_details()
    response = jsonify(health if details else {"status": "ok" if ok else "degraded"})
    response.status_code = 200 if ok else 503
    if details:  # a shared cache must not hand a monitor's answer to a stranger
        response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/healthz/caches")
def caches() -> Response:
    """Each cache of the process that answers (its id: with several workers, each has its
    own): what it holds, its largest and current size, hits, misses and hit rate."""
    return jsonify(
        {"pid": os.getpid(), "caches": [c.as_json() for c in services().caches.figures()]}
    )
