"""OGC API – Features, Part 1 Core, under ``/ogcapi``: GeoJSON and HTML, over the export layers.

The four layers of :mod:`mapservice.layers` are the collections; items are read through
:func:`mapservice.export_jobs.layer_features` with the same filters as the map and the exports,
then paged with ``limit``/``offset`` and ``next``/``prev`` links, so GDAL's OAPIF driver and
QGIS open them as they are. Who asks is :func:`_scope`, the one place access control will plug
into. Invalid parameters answer 400 (OGC), naming the parameter.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, current_app, render_template, request, url_for

from mapservice.errors import InvalidInput, NotFound
from mapservice.export_jobs import EXTRA, LayerQuery, layer_features, parse_query
from mapservice.layers import LAYERS, STAFF, Scope
from mapservice.map_filters import PARAMETERS
from mapservice.web import services

bp = Blueprint("ogcapi", __name__, url_prefix="/ogcapi")

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
REGION_BBOX = [-73.6, 47.7, -69.6, 49.9]
CONFORMANCE = [f"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/{c}"
               for c in ("core", "geojson", "html", "oas30")]
DEFAULT_LIMIT, MAX_LIMIT = 100, 10000
#: Query parameters of ``/items``; anything else is a 400.
ITEM_PARAMETERS = frozenset({"limit", "offset", "f", "lang", *PARAMETERS, *EXTRA})
DESCRIPTIONS = {
    "parks": "Les parcs industriels de la région : contour quand il est connu, sinon le centre.",
    "sites": "Les sites des entreprises membres, avec leurs nombres d'offres et de besoins.",
    "flows": "Les offres et les besoins de matières, en points au site qui les porte.",
    "synergies": "Les synergies candidates et réalisées : une ligne de l'offre au besoin, "
                 "avec distances, CO2e et statut.",
}
GEOJSON, JSON, HTML = "application/geo+json", "application/json", "text/html"


def _scope() -> Scope:
    """Who asks. Everyone is staff until accounts and tokens arrive (issue 7)."""
    return STAFF


@bp.errorhandler(InvalidInput)
def _invalid(exc: InvalidInput) -> tuple[Response, int]:
    """OGC API answers an invalid parameter with 400, not the service's usual 422."""
    return _json({**exc.to_dict(), "code": "InvalidParameterValue"}, JSON), 400


# --- helpers ------------------------------------------------------------------------------------


def _json(payload: Any, mimetype: str) -> Response:
    body = current_app.json.dumps(payload, ensure_ascii=False, sort_keys=False)
    return Response(body, mimetype=mimetype)


def _format() -> str:
    """``json`` or ``html``: ``f`` first, else the Accept header (JSON unless HTML is preferred)."""
    asked = request.args.get("f")
    if asked is not None:
        if asked in ("json", "geojson"):
            return "json"
        if asked == "html":
            return "html"
        raise InvalidInput(f"Format inconnu : {asked!r} (attendu : json ou html).", field="f")
    best = request.accept_mimetypes.best_match([JSON, GEOJSON, HTML], default=JSON)
    return "html" if best == HTML else "json"


def _url(endpoint: str, **values: Any) -> str:
    return url_for(endpoint, _external=True, **values)


def _self_links(endpoint: str, fmt: str, json_type: str = JSON, **values: Any) -> list[dict]:
    """``self`` in the format answered, ``alternate`` in the other one."""
    args = {k: v for k, v in request.args.items() if k != "f"}
    as_json = {"href": _url(endpoint, **{**args, **values, "f": "json"}), "type": json_type,
               "title": "Ce document en JSON"}
    as_html = {"href": _url(endpoint, **{**args, **values, "f": "html"}), "type": HTML,
               "title": "Ce document en HTML"}
    if fmt == "html":
        return [{**as_html, "rel": "self"}, {**as_json, "rel": "alternate"}]
    return [{**as_json, "rel": "self"}, {**as_html, "rel": "alternate"}]


def _answer(payload: dict, fmt: str, mimetype: str = JSON, **page: Any) -> Response | str:
    if fmt == "html":
        return render_template("ogcapi_page.html", doc=payload, **page)
    return _json(payload, mimetype)


def _layer(collection_id: str) -> str:
    if collection_id not in LAYERS:
        raise NotFound(f"Collection inconnue : {collection_id!r} "
                       f"(attendu : {', '.join(LAYERS)}).", field="collectionId")
    return collection_id


def _collection(layer_id: str) -> dict:
    layer = LAYERS[layer_id]
    items = "ogcapi.items"
    return {
        "id": layer_id,
        "title": layer.title_fr,
        "description": DESCRIPTIONS[layer_id],
        "extent": {"spatial": {"bbox": [REGION_BBOX], "crs": CRS84}},
        "itemType": "feature",
        "crs": [CRS84],
        "links": [
            {"rel": "self", "type": JSON, "title": layer.title_fr,
             "href": _url("ogcapi.collection", collection_id=layer_id, f="json")},
            {"rel": "items", "type": GEOJSON, "title": f"{layer.title_fr} (GeoJSON)",
             "href": _url(items, collection_id=layer_id, f="json")},
            {"rel": "items", "type": HTML, "title": f"{layer.title_fr} (HTML)",
             "href": _url(items, collection_id=layer_id, f="html")},
        ],
    }


def _integer(name: str, default: int, minimum: int) -> int:
    text = request.args.get(name, "").strip()
    if not text:
        return default
    try:
        value = int(text)
    except ValueError:
        value = minimum - 1
    if value < minimum:
        raise InvalidInput(f"Paramètre {name} invalide : {text!r} (attendu : un entier "
                           f"≥ {minimum}).", field=name)
    return value


# --- routes -------------------------------------------------------------------------------------


@bp.get("")
@bp.get("/")
def landing() -> Response | str:
    fmt = _format()
    doc = {
        "title": "Économie circulaire Saguenay–Lac-Saint-Jean",
        "description": "Parcs industriels, sites des membres, offres et besoins de matières "
                       "et synergies de la région, en OGC API – Features.",
        "links": [
            *_self_links("ogcapi.landing", fmt),
            {"rel": "service-desc", "type": "application/vnd.oai.openapi+json;version=3.0",
             "title": "Définition de l'API (OpenAPI 3.0)", "href": _url("ogcapi.openapi")},
            {"rel": "conformance", "type": JSON, "title": "Classes de conformité",
             "href": _url("ogcapi.conformance", f="json")},
            {"rel": "data", "type": JSON, "title": "Collections",
             "href": _url("ogcapi.collections", f="json")},
        ],
    }
    return _answer(doc, fmt)


@bp.get("/conformance")
def conformance() -> Response | str:
    fmt = _format()
    doc = {"title": "Classes de conformité", "conformsTo": CONFORMANCE,
           "links": _self_links("ogcapi.conformance", fmt)}
    return _answer(doc, fmt)


@bp.get("/collections")
def collections() -> Response | str:
    fmt = _format()
    doc = {"title": "Collections", "links": _self_links("ogcapi.collections", fmt),
           "collections": [_collection(layer_id) for layer_id in LAYERS]}
    return _answer(doc, fmt)


@bp.get("/collections/<collection_id>")
def collection(collection_id: str) -> Response | str:
    fmt = _format()
    doc = _collection(_layer(collection_id))
    doc["links"] = [*_self_links("ogcapi.collection", fmt, collection_id=collection_id),
                    *doc["links"][1:]]
    return _answer(doc, fmt)


@bp.get("/collections/<collection_id>/items")
def items(collection_id: str) -> Response | str:
    layer_id = _layer(collection_id)
    unknown = sorted(set(request.args) - ITEM_PARAMETERS)
    if unknown:
        raise InvalidInput(f"Paramètre inconnu : {', '.join(unknown)} (acceptés : "
                           f"{', '.join(sorted(ITEM_PARAMETERS))}).", field=unknown[0])
    fmt = _format()
    limit = min(_integer("limit", DEFAULT_LIMIT, 1), MAX_LIMIT)
    offset = _integer("offset", 0, 0)
    query = parse_query(services(), request.args)
    matched = list(layer_features(services(), layer_id, query, _scope()))
    page = matched[offset:offset + limit]
    endpoint, values = "ogcapi.items", {"collection_id": layer_id}
    links = _self_links(endpoint, fmt, GEOJSON, **values)
    args = {k: v for k, v in request.args.items() if k not in ("offset", "limit")}
    args.setdefault("f", "html" if fmt == "html" else "json")
    args.update(values)
    mimetype = HTML if fmt == "html" else GEOJSON
    if offset + limit < len(matched):
        links.append({"rel": "next", "type": mimetype, "title": "Page suivante",
                      "href": _url(endpoint, **args, limit=limit, offset=offset + limit)})
    if offset > 0:
        links.append({"rel": "prev", "type": mimetype, "title": "Page précédente",
                      "href": _url(endpoint, **args, limit=limit,
                                   offset=max(0, offset - limit))})
    links.append({"rel": "collection", "type": JSON, "title": LAYERS[layer_id].title_fr,
                  "href": _url("ogcapi.collection", collection_id=layer_id, f="json")})
    doc = {"type": "FeatureCollection", "features": page, "numberMatched": len(matched),
           "numberReturned": len(page),
           "timeStamp": datetime.now(UTC).replace(microsecond=0).isoformat()
           .replace("+00:00", "Z"),
           "links": links}
    return _answer(doc, fmt, GEOJSON, layer=LAYERS[layer_id], scope=_scope(),
                   title=LAYERS[layer_id].title_fr, offset=offset)


@bp.get("/collections/<collection_id>/items/<feature_id>")
def item(collection_id: str, feature_id: str) -> Response | str:
    layer_id = _layer(collection_id)
    fmt = _format()
    found = next((f for f in layer_features(services(), layer_id, LayerQuery(), _scope())
                  if str(f["id"]) == feature_id), None)
    if found is None:
        raise NotFound(f"Objet inconnu dans {layer_id} : {feature_id!r}.", field="featureId")
    values = {"collection_id": layer_id, "feature_id": feature_id}
    doc = {**found, "links": [
        *_self_links("ogcapi.item", fmt, GEOJSON, **values),
        {"rel": "collection", "type": JSON, "title": LAYERS[layer_id].title_fr,
         "href": _url("ogcapi.collection", collection_id=layer_id, f="json")},
    ]}
    return _answer(doc, fmt, GEOJSON, layer=LAYERS[layer_id], scope=_scope(),
                   title=f"{LAYERS[layer_id].title_fr} — {feature_id}", offset=0)


# --- OpenAPI ------------------------------------------------------------------------------------


def _param(name: str, description: str, schema: dict, where: str = "query",
           required: bool = False) -> dict:
    return {"name": name, "in": where, "required": required or where == "path",
            "description": description, "schema": schema}


def _ok(description: str, *types: str) -> dict:
    return {"200": {"description": description,
                    "content": {t: {"schema": {"type": "object"}} for t in types}},
            "400": {"description": "Paramètre invalide"},
            "404": {"description": "Introuvable"}}


@bp.get("/api")
def openapi() -> Response:
    """A short OpenAPI 3.0 description of these paths (``service-desc`` of the landing page)."""
    f = _param("f", "Format de la réponse", {"type": "string", "enum": ["json", "html"]})
    cid = _param("collectionId", "Identifiant de la collection",
                 {"type": "string", "enum": list(LAYERS)}, "path")
    filters = [_param(name, f"Filtre de la carte : {name}", {"type": "string"})
               for name in (*PARAMETERS, "status")]
    item_params = [
        cid,
        _param("limit", "Nombre maximal d'objets par page",
               {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT,
                "default": DEFAULT_LIMIT}),
        _param("offset", "Nombre d'objets à sauter", {"type": "integer", "minimum": 0,
                                                      "default": 0}),
        {**_param("bbox", "min_lon,min_lat,max_lon,max_lat (CRS84)",
                  {"type": "array", "minItems": 4, "maxItems": 4,
                   "items": {"type": "number"}}), "style": "form", "explode": False},
        *filters, f,
    ]
    doc = {
        "openapi": "3.0.3",
        "info": {"title": "Économie circulaire Saguenay–Lac-Saint-Jean — OGC API – Features",
                 "version": "1.0.0",
                 "description": "Parcs, sites, offres et besoins, synergies."},
        "servers": [{"url": _url("ogcapi.landing")}],
        "paths": {
            "/": {"get": {"summary": "Page d'accueil", "operationId": "landing",
                          "parameters": [f], "responses": _ok("Page d'accueil", JSON, HTML)}},
            "/conformance": {"get": {"summary": "Classes de conformité",
                                     "operationId": "conformance", "parameters": [f],
                                     "responses": _ok("Classes", JSON, HTML)}},
            "/collections": {"get": {"summary": "Collections", "operationId": "collections",
                                     "parameters": [f],
                                     "responses": _ok("Collections", JSON, HTML)}},
            "/collections/{collectionId}": {"get": {
                "summary": "Une collection", "operationId": "collection",
                "parameters": [cid, f], "responses": _ok("Collection", JSON, HTML)}},
            "/collections/{collectionId}/items": {"get": {
                "summary": "Objets d'une collection", "operationId": "items",
                "parameters": item_params, "responses": _ok("Objets", GEOJSON, HTML)}},
            "/collections/{collectionId}/items/{featureId}": {"get": {
                "summary": "Un objet", "operationId": "item",
                "parameters": [cid, _param("featureId", "Identifiant de l'objet",
                                           {"type": "string"}, "path"), f],
                "responses": _ok("Objet", GEOJSON, HTML)}},
            "/api": {"get": {"summary": "Ce document", "operationId": "api",
                             "responses": {"200": {"description": "OpenAPI 3.0"}}}},
        },
    }
    return _json(doc, "application/vnd.oai.openapi+json;version=3.0")
