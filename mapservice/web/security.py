"""Security headers on every response, and a Content-Security-Policy the map pages work under.

Scripts run only from this site (``'self'``: Leaflet in ``static/vendor``, our ``static/js``)
or, for the inline ``<script>`` blocks Folium and the templates write into a page, when their
SHA-256 is listed in that response's policy; no ``'unsafe-inline'``, no ``'unsafe-eval'``. The
hashes are computed here from the HTML as sent, which leaves the templates and Folium as they
are, but also trusts any ``<script>`` element a page holds: against markup injected into a
page the defence is escaping (Jinja's autoescape, :func:`mapservice.maps.script_json`). What the
policy stops is the rest of an injection's reach: inline event handlers (``onerror=``…),
``javascript:`` URLs, scripts from elsewhere, ``eval``, framing, and requests to any host but
this one and the tile server of ``MAPSERVICE_TILES`` (images only).

Cookies: the session's are HttpOnly and SameSite=Lax, and Secure when
``MAPSERVICE_SECURE_COOKIES`` says the site is served over HTTPS (which also turns on HSTS).
Request bodies are capped at the import size plus room for the form around the file.
"""

from __future__ import annotations

import base64
import hashlib
import re
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, request

#: Room for the multipart envelope and the form's other fields around an imported file.
FORM_OVERHEAD_BYTES = 64 * 1024
HSTS = "max-age=31536000"  # a year; no includeSubDomains: other hosts of the domain may be http
_PLACEHOLDER = re.compile(r"\{[^}]*\}")
_OPENING = re.compile(rb"<script(?P<attrs>(?:[\s/](?:[^>\"']|\"[^\"]*\"|'[^']*')*)?)>",
                      re.IGNORECASE)
_SRC = re.compile(rb"[\s/]src(?=[\s=/]|$)", re.IGNORECASE)
_END_FOLLOWERS = (b"", b" ", b"\t", b"\n", b"\r", b"\f", b"/", b">")

HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    # Other sites get the origin only, never a path or query (site ids, searches); the tile
    # server still gets a Referer, which OpenStreetMap's tile usage policy requires.
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def inline_scripts(html: bytes) -> list[bytes]:
    """Return the content of every inline ``<script>`` of a UTF-8 page, in page order.

    A scan with ``bytes.find`` (an :class:`html.parser.HTMLParser` takes tens of milliseconds
    on a map page): comments are skipped, a ``<script>`` with a ``src`` attribute is not
    inline, and a script ends at ``</script`` followed by a space, ``/`` or ``>``, as in the
    browser's parser.
    """
    lower = html.lower()  # ASCII letters only: same length, same positions
    found: list[bytes] = []
    pos, comment = 0, lower.find(b"<!--")
    while True:
        tag = lower.find(b"<script", pos)
        if tag < 0:
            return found
        if 0 <= comment < pos:  # looked for again only once passed: each search reads it all
            comment = lower.find(b"<!--", pos)
        if 0 <= comment < tag:
            pos = lower.find(b"-->", comment + 4)
            if pos < 0:
                return found
            continue
        opening = _OPENING.match(html, tag)
        if opening is None:  # "<scripts", "<script-x": not a script element
            pos = tag + 7
            continue
        end = body = opening.end()
        while (end := lower.find(b"</script", end)) >= 0 \
                and lower[end + 8:end + 9] not in _END_FOLLOWERS:
            end += 8
        if end < 0:
            end = len(html)  # never closed: the browser runs what there is
        if not _SRC.search(opening.group("attrs")):
            found.append(html[body:end])
        pos = end + 8


def script_hashes(html: bytes) -> list[str]:
    """Return the CSP source (``'sha256-…'``) of each distinct inline script of ``html``."""
    found: dict[str, None] = {}
    for text in inline_scripts(html):
        # Browsers hash the script after their HTML parser turned CR LF and CR into LF.
        text = text.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        digest = base64.b64encode(hashlib.sha256(text).digest()).decode("ascii")
        found[f"'sha256-{digest}'"] = None
    return list(found)


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
        labels = ["*", *labels[templated[-1] + 1:]]
    scheme = parts.scheme or "https"
    return (f"{scheme}://{'.'.join(labels)}" + (f":{port}" if port else ""),)


def policy(hashes: list[str], image_sources: tuple[str, ...]) -> str:
    """Return the Content-Security-Policy for a response with these inline-script hashes."""
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", *hashes],
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
    hashes: list[str] = []
    # Registered last, this runs before compression (after_request runs in reverse), so the
    # body is the plain HTML. A streamed or encoded body is not read: its policy lists no
    # hash, and an inline script in it would not run (closed, not open).
    if (response.mimetype == "text/html" and not response.is_streamed
            and not response.direct_passthrough and "Content-Encoding" not in response.headers):
        hashes = script_hashes(response.get_data())
    headers = response.headers
    headers["Content-Security-Policy"] = policy(
        hashes, current_app.extensions["security"]["image_sources"])
    for name, value in HEADERS.items():
        headers.setdefault(name, value)
    if request.is_secure or current_app.config.get("SECURE_COOKIES"):
        headers["Strict-Transport-Security"] = HSTS
    return response


def init_app(app: Flask) -> None:
    secure = bool(app.config.get("SECURE_COOKIES"))
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure,
        REMEMBER_COOKIE_HTTPONLY=True, REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=secure,
    )
    # Flask refuses a longer body with 413 before any view reads it (errors.py words it).
    if app.config.get("MAX_CONTENT_LENGTH") is None:
        app.config["MAX_CONTENT_LENGTH"] = int(app.config["IMPORT_MAX_BYTES"]) \
            + FORM_OVERHEAD_BYTES
    app.extensions["security"] = {"image_sources": tile_sources(str(app.config["TILES"]))}
    app.after_request(_add_headers)
