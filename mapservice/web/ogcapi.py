"""OGC API – Features under ``/ogcapi``: Part 1 Core (GeoJSON, HTML) and Part 2 (CRS).

The four layers of :mod:`mapservice.exports.layers` are the collections; items are read through
:func:`mapservice.exports.jobs.cached_features` with the same filters as the map and the exports
(plus ``datetime`` on synergies and equality filters on the queryable properties), then paged
with ``limit``/``offset`` and ``next``/``prev`` links, so GDAL's OAPIF driver and QGIS open them
as they are. Features come in CRS84 unless ``crs`` asks for one of
:data:`mapservice.geo.crs.OFFERED`.
Who asks is :func:`_scope`, the one place access control plugs into. Invalid parameters answer
400 (OGC), naming the parameter. The schemas, the queryables and the OpenAPI document are
:mod:`mapservice.web.ogcapi_schemas` (on this blueprint).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, current_app, render_template, request, url_for

from mapservice.domain.access import Scope
from mapservice.errors import InvalidInput, NotFound, tr
from mapservice.exports.fields import LAYERS, Field
from mapservice.exports.jobs import (
    EXTRA,
    TIMED,
    LayerQuery,
    cached_features,
    parse_bbox,
    parse_datetime,
    parse_query,
    spatial_extent,
    time_extent,
)
from mapservice.geo import crs
from mapservice.views.map_filters import PARAMETERS
from mapservice.web import services
from mapservice.web.error_pages import respond
from mapservice.web.guard import read_scope

bp = Blueprint("ogcapi", __name__, url_prefix="/ogcapi")

CRS84 = crs.CRS84
#: The extent of a collection with nothing in it yet: the region.
REGION_BBOX = [-73.6, 47.7, -69.6, 49.9]
CONFORMANCE = [
    *(
        f"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/{c}"
        for c in ("core", "geojson", "html", "oas30")
    ),
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
]
DEFAULT_LIMIT, MAX_LIMIT = 100, 10000
#: Query parameters of ``/items`` besides the queryable properties; anything else is a 400.
ITEM_PARAMETERS = frozenset(
    {"limit", "offset", "f", "lang", "datetime", "crs", "bbox-crs", *PARAMETERS, *EXTRA}
)
#: Filters by property value (Part 1 "parameters for filtering on feature properties"): the
#: simple, non-confidential properties whose names are not already a map filter.
QUERYABLE_TYPES = ("string", "integer", "boolean")
GREGORIAN = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"
DESCRIPTIONS = {
    "parks": "Les parcs industriels de la région : contour quand il est connu, sinon le centre.",
    "sites": "Les sites des entreprises membres, avec leurs nombres d'offres et de besoins.",
    "flows": "Les offres et les besoins de matières, en points au site qui les porte.",
    "synergies": "Les synergies candidates et réalisées : une ligne de l'offre au besoin, "
    "avec distances, CO2e et statut.",
}
GEOJSON, JSON, HTML = "application/geo+json", "application/json", "text/html"
SCHEMA = "application/schema+json"


def queryables(layer_id: str) -> list[Field]:
    return [
        f
        for f in LAYERS[layer_id].fields
        if f.type in QUERYABLE_TYPES and not f.confidential and f.name not in ITEM_PARAMETERS
    ]


def _scope() -> Scope:
    """Who asks: staff read everything, a park manager their parks
    (:func:`mapservice.web.guard.read_scope`)."""
    return read_scope()


@bp.errorhandler(InvalidInput)
def _invalid(exc: InvalidInput) -> tuple[Response | str, int]:
    """OGC API answers an invalid parameter with 400, not the service's usual 422: RFC 9457
    with the OGC exception's ``code`` and ``description`` beside."""
    return respond(
        400, {**exc.to_dict(), "code": "InvalidParameterValue", "description": exc.message}
    )


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
        raise InvalidInput(
            tr("Format inconnu : {asked!r} (attendu : json ou html).", asked=asked), field="f"
        )
    best = request.accept_mimetypes.best_match([JSON, GEOJSON, HTML], default=JSON)
    return "html" if best == HTML else "json"


def _url(endpoint: str, **values: Any) -> str:
    return url_for(endpoint, _external=True, **values)


def _self_links(endpoint: str, fmt: str, json_type: str = JSON, **values: Any) -> list[dict]:
    """``self`` in the format answered, ``alternate`` in the other one."""
    args = {k: v for k, v in request.args.items() if k != "f"}
    as_json = {
        "href": _url(endpoint, **{**args, **values, "f": "json"}),
        "type": json_type,
        "title": "Ce document en JSON",
    }
    as_html = {
        "href": _url(endpoint, **{**args, **values, "f": "html"}),
        "type": HTML,
        "title": "Ce document en HTML",
    }
    if fmt == "html":
        return [{**as_html, "rel": "self"}, {**as_json, "rel": "alternate"}]
    return [{**as_json, "rel": "self"}, {**as_html, "rel": "alternate"}]


def _answer(payload: dict, fmt: str, mimetype: str = JSON, **page: Any) -> Response | str:
    if fmt == "html":
        return render_template("ogcapi_page.html", doc=payload, **page)
    return _json(payload, mimetype)


def _layer(collection_id: str) -> str:
    if collection_id not in LAYERS:
        raise NotFound(
            tr(
                "Collection inconnue : {collection_id!r} (attendu : {allowed}).",
                collection_id=collection_id,
                allowed=", ".join(LAYERS),
            ),
            field="collectionId",
        )
    return collection_id


def _collection(layer_id: str) -> dict:
    layer = LAYERS[layer_id]
    items = "ogcapi.items"
    features = cached_features(services(), layer_id, LayerQuery(), _scope())
    extent: dict[str, Any] = {
        "spatial": {"bbox": [spatial_extent(features) or REGION_BBOX], "crs": CRS84}
    }
    if layer_id in TIMED:
        extent["temporal"] = {"interval": [time_extent(features) or [None, None]], "trs": GREGORIAN}
    return {
        "id": layer_id,
        "title": layer.title_fr,
        "description": DESCRIPTIONS[layer_id],
        "extent": extent,
        "itemType": "feature",
        "crs": crs.URIS,
        "storageCrs": CRS84,
        "links": [
            {
                "rel": "self",
                "type": JSON,
                "title": layer.title_fr,
                "href": _url("ogcapi.collection", collection_id=layer_id, f="json"),
            },
            {
                "rel": "items",
                "type": GEOJSON,
                "title": f"{layer.title_fr} (GeoJSON)",
                "href": _url(items, collection_id=layer_id, f="json"),
            },
            {
                "rel": "items",
                "type": HTML,
                "title": f"{layer.title_fr} (HTML)",
                "href": _url(items, collection_id=layer_id, f="html"),
            },
            {
                "rel": "describedby",
                "type": SCHEMA,
                "title": "Schéma des objets",
                "href": _url("ogcapi.schema", collection_id=layer_id),
            },
            {
                "rel": "http://www.opengis.net/def/rel/ogc/1.0/queryables",
                "type": SCHEMA,
                "title": "Propriétés filtrables",
                "href": _url("ogcapi.queryables_of", collection_id=layer_id),
            },
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
        raise InvalidInput(
            tr(
                "Paramètre {name} invalide : {text!r} (attendu : un entier ≥ {minimum}).",
                name=name,
                text=text,
                minimum=minimum,
            ),
            field=name,
        )
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
            {
                "rel": "service-desc",
                "type": "application/vnd.oai.openapi+json;version=3.0",
                "title": "Définition de l'API (OpenAPI 3.0)",
                "href": _url("ogcapi.openapi"),
            },
            {
                "rel": "conformance",
                "type": JSON,
                "title": "Classes de conformité",
                "href": _url("ogcapi.conformance", f="json"),
            },
            {
                "rel": "data",
                "type": JSON,
                "title": "Collections",
                "href": _url("ogcapi.collections", f="json"),
            },
        ],
    }
    return _answer(doc, fmt)


@bp.get("/conformance")
def conformance() -> Response | str:
    fmt = _format()
    doc = {
        "title": "Classes de conformité",
        "conformsTo": CONFORMANCE,
        "links": _self_links("ogcapi.conformance", fmt),
    }
    return _answer(doc, fmt)


@bp.get("/collections")
def collections() -> Response | str:
    fmt = _format()
    doc = {
        "title": "Collections",
        "links": _self_links("ogcapi.collections", fmt),
        "collections": [_collection(layer_id) for layer_id in LAYERS],
    }
    return _answer(doc, fmt)


@bp.get("/collections/<collection_id>")
def collection(collection_id: str) -> Response | str:
    fmt = _format()
    doc = _collection(_layer(collection_id))
    doc["links"] = [
        *_self_links("ogcapi.collection", fmt, collection_id=collection_id),
        *doc["links"][1:],
    ]
    return _answer(doc, fmt)


def _property_filters(layer_id: str) -> dict[str, Any]:
    """``name=value`` pairs on queryable properties, each value read as its property's type."""
    wanted: dict[str, Any] = {}
    for f in queryables(layer_id):
        raw = request.args.get(f.name)
        if raw is None:
            continue
        if f.type == "integer":
            try:
                wanted[f.name] = int(raw)
            except ValueError:
                raise InvalidInput(
                    tr(
                        "Paramètre {f} invalide : {raw!r} (attendu : un entier).",
                        f=f.name,
                        raw=raw[:40],
                    ),
                    field=f.name,
                ) from None
        elif f.type == "boolean":
            if raw not in ("true", "false"):
                raise InvalidInput(
                    tr(
                        "Paramètre {f} invalide : {raw!r} (attendu : true ou false).",
                        f=f.name,
                        raw=raw[:40],
                    ),
                    field=f.name,
                )
            wanted[f.name] = raw == "true"
        else:
            wanted[f.name] = raw
    return wanted


def _items_query(layer_id: str) -> LayerQuery:
    allowed = ITEM_PARAMETERS | {f.name for f in queryables(layer_id)}
    unknown = sorted(set(request.args) - allowed)
    if unknown:
        raise InvalidInput(
            tr(
                "Paramètre inconnu : {unknown} (acceptés : {allowed}).",
                unknown=", ".join(unknown),
                allowed=", ".join(sorted(allowed)),
            ),
            field=unknown[0],
        )
    args = {k: v for k, v in request.args.items() if k != "bbox"}
    query = parse_query(services(), args)
    bbox_crs = crs.parse_crs(request.args.get("bbox-crs"), field="bbox-crs")
    raw_bbox = request.args.get("bbox")
    if raw_bbox:
        if bbox_crs.uri == CRS84:
            bbox = parse_bbox(raw_bbox)
        else:
            bbox = crs.bbox_to_crs84(_numbers("bbox", raw_bbox, 4), bbox_crs)
        query = replace(query, bbox=bbox)
    elif "bbox-crs" in request.args:
        raise InvalidInput(tr("bbox-crs sans bbox."), field="bbox-crs")
    window = parse_datetime(request.args.get("datetime"))
    if window is not None and layer_id not in TIMED:
        raise InvalidInput(
            tr(
                "datetime ne s'applique pas à la collection {layer_id} (seulement à : {allowed}).",
                layer_id=layer_id,
                allowed=", ".join(sorted(TIMED)),
            ),
            field="datetime",
        )
    return replace(query, datetime=window)


def _numbers(name: str, raw: str, count: int) -> tuple[float, float, float, float]:
    try:
        values = [float(p) for p in raw.split(",")]
    except ValueError:
        values = []
    if (
        len(values) != count
        or not all(abs(v) < 1e8 for v in values)
        or values[0] > values[2]
        or values[1] > values[3]
    ):
        raise InvalidInput(
            tr(
                "Paramètre {name} invalide : {raw!r} (attendu : {count} "
                "nombres, les minimums avant les maximums, dans l'ordre des axes "
                "du système bbox-crs).",
                name=name,
                raw=raw[:80],
                count=count,
            ),
            field=name,
        )
    return values[0], values[1], values[2], values[3]


def _with_crs(response: Response | str, target: crs.Offered) -> Response | str:
    if isinstance(response, Response):
        response.headers["Content-Crs"] = f"<{target.uri}>"
    return response


@bp.get("/collections/<collection_id>/items")
def items(collection_id: str) -> Response | str:
    layer_id = _layer(collection_id)
    query = _items_query(layer_id)
    wanted = _property_filters(layer_id)
    target = crs.parse_crs(request.args.get("crs"))
    fmt = _format()
    limit = min(_integer("limit", DEFAULT_LIMIT, 1), MAX_LIMIT)
    offset = _integer("offset", 0, 0)
    matched = cached_features(services(), layer_id, query, _scope())
    if wanted:
        matched = [
            f for f in matched if all(f["properties"].get(k) == v for k, v in wanted.items())
        ]
    page = [crs.reproject(f, target) for f in matched[offset : offset + limit]]
    endpoint, values = "ogcapi.items", {"collection_id": layer_id}
    links = _self_links(endpoint, fmt, GEOJSON, **values)
    args = {k: v for k, v in request.args.items() if k not in ("offset", "limit")}
    args.setdefault("f", "html" if fmt == "html" else "json")
    args.update(values)
    mimetype = HTML if fmt == "html" else GEOJSON
    if offset + limit < len(matched):
        links.append(
            {
                "rel": "next",
                "type": mimetype,
                "title": "Page suivante",
                "href": _url(endpoint, **args, limit=limit, offset=offset + limit),
            }
        )
    if offset > 0:
        links.append(
            {
                "rel": "prev",
                "type": mimetype,
                "title": "Page précédente",
                "href": _url(endpoint, **args, limit=limit, offset=max(0, offset - limit)),
            }
        )
    links.append(
        {
            "rel": "collection",
            "type": JSON,
            "title": LAYERS[layer_id].title_fr,
            "href": _url("ogcapi.collection", collection_id=layer_id, f="json"),
        }
    )
    doc = {
        "type": "FeatureCollection",
        "features": page,
        "numberMatched": len(matched),
        "numberReturned": len(page),
        "timeStamp": datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "links": links,
    }
    return _with_crs(
        _answer(
            doc,
            fmt,
            GEOJSON,
            layer=LAYERS[layer_id],
            scope=_scope(),
            title=LAYERS[layer_id].title_fr,
            offset=offset,
        ),
        target,
    )


@bp.get("/collections/<collection_id>/items/<feature_id>")
def item(collection_id: str, feature_id: str) -> Response | str:
    layer_id = _layer(collection_id)
    unknown = sorted(set(request.args) - {"f", "lang", "crs"})
    if unknown:
        raise InvalidInput(
            tr(
                "Paramètre inconnu : {unknown} (acceptés : crs, f, lang).",
                unknown=", ".join(unknown),
            ),
            field=unknown[0],
        )
    target = crs.parse_crs(request.args.get("crs"))
    fmt = _format()
    found = next(
        (
            f
            for f in cached_features(services(), layer_id, LayerQuery(), _scope())
            if str(f["id"]) == feature_id
        ),
        None,
    )
    if found is None:
        raise NotFound(
            tr(
                "Objet inconnu dans {layer_id} : {feature_id!r}.",
                layer_id=layer_id,
                feature_id=feature_id,
            ),
            field="featureId",
        )
    values = {"collection_id": layer_id, "feature_id": feature_id}
    doc = {
        **crs.reproject(found, target),
        "links": [
            *_self_links("ogcapi.item", fmt, GEOJSON, **values),
            {
                "rel": "collection",
                "type": JSON,
                "title": LAYERS[layer_id].title_fr,
                "href": _url("ogcapi.collection", collection_id=layer_id, f="json"),
            },
        ],
    }
    return _with_crs(
        _answer(
            doc,
            fmt,
            GEOJSON,
            layer=LAYERS[layer_id],
            scope=_scope(),
            title=f"{LAYERS[layer_id].title_fr} — {feature_id}",
            offset=0,
        ),
        target,
    )
