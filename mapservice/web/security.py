"""Security headers on every response, and a Content-Security-Policy the map pages work under.

Scripts run only from this site (``'self'``: Leaflet in ``static/vendor``, our ``static/js``)
or, for the inline ``<script>`` blocks the templates and the map write into a page, when they
carry that response's nonce: a random value made for each response (:func:`nonce`), written
by the templates (``nonce="{{ csp_nonce() }}"``) and by :func:`mark_scripts` into the map's
parts, and named in the policy. No ``'unsafe-inline'``, no ``'unsafe-eval'``, no hashes. A
``<script>`` that found its way into a page by any other road (a stored name that escaping
missed) does not carry the nonce, cannot guess it, and does not run. The policy also stops
inline event handlers (``onerror=``…), ``javascript:`` URLs, scripts from elsewhere, ``eval``,
framing, and requests to any host but this one and the tile server of ``MAPSERVICE_TILES``
(images only).

Cookies: the session's are HttpOnly and SameSite=Lax, and Secure when
``MAPSERVICE_SECURE_COOKIES`` says the site is served over HTTPS (which also turns on HSTS).
Request bodies are capped at the import size plus room for the form around the file.
"""

from __future__ import annotations

import re
import secrets
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, g, request

#: Room for the multipart envelope and the form's other fields around an imported file.
FORM_OVERHEAD_BYTES = 64 * 1024
HSTS = "max-age=31536000"  # a year; no includeSubDomains: other hosts of the domain may be http
_PLACEHOLDER = re.compile(r"\{[^}]*\}")

HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    # Other sites get the origin only, never a path or query (site ids, searches); the tile
    # server still gets a Referer, which OpenStreetMap's tile usage policy requires.
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def nonce() -> str:
    """This response's CSP nonce: 128 random bits, made the first time a page asks for it."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return str(g.csp_nonce)


_BARE_SCRIPT = re.compile(r"<script(?=[\s>])(?![^>]*\bnonce=)", re.IGNORECASE)


def mark_scripts(html: str) -> str:
    """Give every ``<script>`` of trusted markup (the map's Folium parts) this response's nonce.

    Only for HTML this app generated from its own templates: marking markup that holds user
    text would bless whatever script that text smuggled in.
    """
    return _BARE_SCRIPT.sub(f'<script nonce="{nonce()}"', html)


def tile_url(tiles: str) -> str | None:
    """The XYZ URL template the map's tile layer loads (as Folium resolves ``tiles``)."""
    if tiles.strip().lower() == "none":
        return None
    if "/" in tiles:
        return tiles
    import xyzservices  # Folium's catalogue of named tile servers

    name = "OpenStreetMap Mapnik" if tiles.lower() == "openstreetmap" else tiles
    try:
        provider = xyzservices.providers.query_name(name)
    except ValueError:
        return None  # Folium would not find it either: the page draws no tiles
    return str(provider["url"])  # a template: its placeholders stay, as in Folium's layer


def tile_sources(tiles: str) -> tuple[str, ...]:
    """The CSP source of the tile server of ``tiles``: ``https://{s}.tile.x.org/…`` gives
    ``https://*.tile.x.org``; no source when there are no tiles, or they are served here."""
    url = tile_url(tiles)
    if not url:
        return ()
    parts = urlsplit(url if "//" in url else "//" + url)
    if not parts.netloc:
        return ()  # a path on this site: 'self'
    host, _sep, port = parts.netloc.rpartition("@")[2].partition(":")
    labels = host.split(".")
    templated = [i for i, label in enumerate(labels) if _PLACEHOLDER.search(label)]
    if templated:  # CSP wildcards cover leftmost labels only
        labels = ["*", *labels[templated[-1] + 1 :]]
    scheme = parts.scheme or "https"
    return (f"{scheme}://{'.'.join(labels)}" + (f":{port}" if port else ""),)


def policy(script_nonce: str | None, image_sources: tuple[str, ...]) -> str:
    """Return the Content-Security-Policy for a response whose inline scripts carry
    ``script_nonce`` (None: the response has none that may run)."""
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", *([f"'nonce-{script_nonce}'"] if script_nonce else [])],
        # Folium writes <style> blocks and Leaflet positions every tile and marker through
        # style attributes: inline styles cannot be hashed away, and cannot run code.
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:", *image_sources],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


def _add_headers(response: Response) -> Response:
    headers = response.headers
    # Only a response whose page asked for the nonce names it: everything else (JSON, files,
    # pages without a script) runs no inline script at all.
    headers["Content-Security-Policy"] = policy(
        g.get("csp_nonce"), current_app.extensions["security"]["image_sources"]
    )
    for name, value in HEADERS.items():
        headers.setdefault(name, value)
    if request.is_secure or current_app.config.get("SECURE_COOKIES"):
        headers["Strict-Transport-Security"] = HSTS
    return response


def init_app(app: Flask) -> None:
    secure = bool(app.config.get("SECURE_COOKIES"))
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=secure,
    )
    # Flask refuses a longer body with 413 before any view reads it (errors.py words it).
    if app.config.get("MAX_CONTENT_LENGTH") is None:
        app.config["MAX_CONTENT_LENGTH"] = int(app.config["IMPORT_MAX_BYTES"]) + FORM_OVERHEAD_BYTES
    app.extensions["security"] = {"image_sources": tile_sources(str(app.config["TILES"]))}
    app.jinja_env.globals["csp_nonce"] = nonce
    app.after_request(_add_headers)
