"""How ``/ogcapi`` answers: JSON or HTML (``f``, Accept), self and alternate links, Content-Crs."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, render_template, request

from mapservice.errors import InvalidInput, tr
from mapservice.geo import crs
from mapservice.web.links import Query, link

GEOJSON, JSON, HTML = "application/geo+json", "application/json", "text/html"
SCHEMA = "application/schema+json"


def json_response(payload: Any, mimetype: str) -> Response:
    body = current_app.json.dumps(payload, ensure_ascii=False, sort_keys=False)
    return Response(body, mimetype=mimetype)


def answer_format() -> str:
    """``json`` or ``html``: ``f`` first, else the Accept header (JSON unless HTML is preferred)."""
    asked = request.args.get("f")
    if asked is not None:
        if asked in ("json", "geojson"):
            return "json"
        if asked == "html":
            return "html"
        raise InvalidInput(
            tr("Format inconnu : {asked!r} (attendu : json ou html).", asked=asked), field="f"
        )
    best = request.accept_mimetypes.best_match([JSON, GEOJSON, HTML], default=JSON)
    return "html" if best == HTML else "json"


def url(endpoint: str, query: Query = (), **path: Any) -> str:
    """The absolute URL of ``endpoint``: ``path`` values chosen by the code, ``query`` encoded."""
    return link(endpoint, path, query, external=True)


def self_links(endpoint: str, fmt: str, json_type: str = JSON, **path: Any) -> list[dict]:
    """``self`` in the format answered, ``alternate`` in the other one."""
    kept = [(k, v) for k, v in request.args.items(multi=True) if k != "f"]
    as_json = {
        "href": url(endpoint, [*kept, ("f", "json")], **path),
        "type": json_type,
        "title": "Ce document en JSON",
    }
    as_html = {
        "href": url(endpoint, [*kept, ("f", "html")], **path),
        "type": HTML,
        "title": "Ce document en HTML",
    }
    if fmt == "html":
        return [{**as_html, "rel": "self"}, {**as_json, "rel": "alternate"}]
    return [{**as_json, "rel": "self"}, {**as_html, "rel": "alternate"}]


def answer(payload: dict, fmt: str, mimetype: str = JSON, **page: Any) -> Response | str:
    if fmt == "html":
        return render_template("ogcapi_page.html", doc=payload, **page)
    return json_response(payload, mimetype)


def answer_document(doc: dict, mimetype: str, endpoint: str, **path: Any) -> Response | str:
    """A document that is JSON for programs (a schema, the OpenAPI document) as ``mimetype``,
    or, with ``f=html`` or a browser's Accept, a page listing what it describes."""
    fmt = answer_format()
    if fmt == "html":
        page = {**doc, "links": self_links(endpoint, fmt, mimetype, **path)}
        title = doc.get("title") or doc.get("info", {}).get("title")
        return render_template("ogcapi_page.html", doc=page, title=title)
    return json_response(doc, mimetype)


def with_crs(response: Response | str, target: crs.Offered) -> Response | str:
    if isinstance(response, Response):
        response.headers["Content-Crs"] = f"<{target.uri}>"
    return response
