"""One HTML file that needs no server: the page's own scripts, styles and images inlined.

For a presenter's laptop with no network: the file opens from disk; map tiles load if there
is internet, else the bundled regional base layer (inlined too) is drawn.
"""

from __future__ import annotations

import base64
import mimetypes
import re
from pathlib import Path

_SCRIPT = re.compile(r'<script[^>]*\bsrc="(?P<src>[^"]+)"[^>]*>\s*</script>')
_STYLE = re.compile(r'<link[^>]*\bhref="(?P<href>[^"]+\.css)"[^>]*/?>')
_ICON = re.compile(r'(?P<head><link[^>]*\brel="icon"[^>]*\bhref=")(?P<href>[^"]+)"')
_CLOSE_SCRIPT = re.compile(r"</(script)", re.IGNORECASE)
_CLOSE_STYLE = re.compile(r"</(style)", re.IGNORECASE)
_CSS_URL = re.compile(r"url\((?P<q>['\"]?)(?P<url>[^)'\"]+)(?P=q)\)")


class MissingAsset(LookupError):
    """A page refers to a local asset the app does not have."""


def _local(url: str, static_url: str, static_dir: Path) -> Path | None:
    """The file behind a URL of the app's static folder; None for anything else."""
    prefix = static_url.rstrip("/") + "/"
    if not url.startswith(prefix):
        return None
    path = (static_dir / url[len(prefix) :].split("?")[0]).resolve()
    if static_dir.resolve() not in path.parents or not path.is_file():
        raise MissingAsset(url)
    return path


def _data_uri(path: Path) -> str:
    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{kind};base64,{base64.b64encode(path.read_bytes()).decode()}"


def _css(path: Path, static_dir: Path) -> str:
    """A stylesheet with the images it points at (in the static folder) as data: URIs."""
    text = path.read_text(encoding="utf-8")

    def embed(match: re.Match[str]) -> str:
        url = match.group("url")
        if url.startswith(("data:", "http:", "https:", "#")):
            return match.group(0)
        image = (path.parent / url.split("?")[0].split("#")[0]).resolve()
        if static_dir.resolve() not in image.parents or not image.is_file():
            return match.group(0)
        return f"url({_data_uri(image)})"

    return _CSS_URL.sub(embed, text)


def inline_assets(html: str, *, static_url: str, static_dir: Path) -> str:
    """Replace every script, stylesheet and icon of the app's static folder by its content.

    Links to anything else (there should be none: the pages use no CDN) are left alone.
    """

    def script(match: re.Match[str]) -> str:
        path = _local(match.group("src"), static_url, static_dir)
        if path is None:
            return match.group(0)
        code = _CLOSE_SCRIPT.sub(r"<\\/\1", path.read_text(encoding="utf-8"))
        return f"<script>{code}</script>"

    def style(match: re.Match[str]) -> str:
        path = _local(match.group("href"), static_url, static_dir)
        if path is None:
            return match.group(0)
        return "<style>" + _CLOSE_STYLE.sub(r"<\\/\1", _css(path, static_dir)) + "</style>"

    def icon(match: re.Match[str]) -> str:
        path = _local(match.group("href"), static_url, static_dir)
        if path is None:
            return match.group(0)
        return f'{match.group("head")}{_data_uri(path)}"'

    return _ICON.sub(icon, _STYLE.sub(style, _SCRIPT.sub(script, html)))
