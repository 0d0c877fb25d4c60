"""Behind a reverse proxy: the client's address, the scheme and the public host, from the
proxy's ``X-Forwarded-*`` headers, but only when the request comes from a trusted proxy.

``MAPSERVICE_TRUSTED_PROXIES`` lists the proxies' addresses or networks. A request whose peer
(``REMOTE_ADDR``) is one of them has its headers read by werkzeug's ``ProxyFix``; from anyone
else the headers are dropped before the app sees them, so a client that reaches the port
directly cannot pass for another address (the sign-in limit counts per address) nor make the
service write links to a host of its choosing.

Several proxies in a row (a load balancer, then nginx): the client is the first address of
``X-Forwarded-For``, read from the right, that is not a trusted proxy; each trusted proxy on
the way counts as one hop. The scheme, host and port are those the outermost of these proxies
gave (the header's value that many hops from the right, or its first one if it has fewer: a
proxy that passes the header on unchanged adds no value).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

#: The headers read from a trusted proxy, and dropped from anyone else.
FORWARDED = (
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
)


class TrustedProxies:
    """WSGI middleware: ``X-Forwarded-*`` honoured from ``networks`` only."""

    def __init__(self, app: Any, networks: Iterable[Network]) -> None:
        self.app = app
        self.networks = tuple(networks)

    def trusts(self, address: str) -> bool:
        """Whether ``address`` (as it appears in ``REMOTE_ADDR`` or the headers) is a proxy."""
        try:
            ip = ipaddress.ip_address(address.strip().strip("[]"))
        except ValueError:
            return False
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped  # a dual-stack socket's view of an IPv4 peer
        return any(ip in net for net in self.networks)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        if not self.trusts(environ.get("REMOTE_ADDR", "")):
            for key in FORWARDED:
                environ.pop(key, None)
            return self.app(environ, start_response)
        chain = _values(environ, "HTTP_X_FORWARDED_FOR")
        walked = 0  # trusted proxies met in X-Forwarded-For, from the right
        while walked < len(chain) - 1 and self.trusts(chain[-1 - walked]):
            walked += 1
        hops = walked + 1  # and the peer itself

        def depth(key: str) -> int:
            return min(hops, len(_values(environ, key)))

        fix = ProxyFix(
            self.app,
            x_for=min(hops, len(chain)),
            x_proto=depth("HTTP_X_FORWARDED_PROTO"),
            x_host=depth("HTTP_X_FORWARDED_HOST"),
            x_port=depth("HTTP_X_FORWARDED_PORT"),
            x_prefix=0,
        )
        return fix(environ, start_response)


def _values(environ: dict[str, Any], key: str) -> list[str]:
    return [v.strip() for v in environ.get(key, "").split(",") if v.strip()]


def parse(raw: str | Iterable[Network]) -> tuple[Network, ...]:
    """The setting's value: already parsed, or text as in ``MAPSERVICE_TRUSTED_PROXIES``."""
    if isinstance(raw, str):
        from mapservice.config import SETTINGS_BY_NAME

        return SETTINGS_BY_NAME["TRUSTED_PROXIES"].parse(raw)  # type: ignore[no-any-return]
    return tuple(raw)


def init_app(app: Flask) -> None:
    """Wrap ``app``'s WSGI callable: every request passes here before Flask reads it."""
    app.wsgi_app = TrustedProxies(  # type: ignore[method-assign]
        app.wsgi_app, parse(app.config.get("TRUSTED_PROXIES", ()))
    )
