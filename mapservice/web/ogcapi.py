"""OGC API – Features under ``/ogcapi``: Part 1 Core (GeoJSON, HTML) and Part 2 (CRS).

The four layers of :mod:`mapservice.exports.layers` are the collections; items are read through
:func:`mapservice.exports.jobs.cached_features` with the same filters as the map and the exports
(plus ``datetime`` on synergies and equality filters on each collection's properties), then paged
with ``limit``/``offset`` and ``next``/``prev`` links, so GDAL's OAPIF driver and QGIS open them
as they are. Features come in CRS84 unless ``crs`` asks for one of
:data:`mapservice.geo.crs.OFFERED`.
Who asks is :func:`scope`, the one place access control plugs into. Invalid parameters answer
400 (OGC), naming the parameter; they are read by :mod:`mapservice.web.ogcapi_params`, and
:mod:`mapservice.web.ogcapi_answers` answers in JSON or HTML with the links of each page. The
schemas, the queryables and the OpenAPI document are :mod:`mapservice.web.ogcapi_schemas`
(on this blueprint).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, request

from mapservice.domain.access import Scope
from mapservice.errors import InvalidInput, NotFound, tr
from mapservice.exports.extents import spatial_extent, time_extent
from mapservice.exports.fields import LAYERS
from mapservice.exports.jobs import TIMED, LayerQuery, cached_features, layer_item, layer_page
from mapservice.geo import crs
from mapservice.web import services
from mapservice.web.error_pages import respond
from mapservice.web.guard import read_scope
from mapservice.web.ogcapi_answers import (
    GEOJSON,
    HTML,
    JSON,
    SCHEMA,
    answer,
    answer_format,
    self_links,
    url,
    with_crs,
)
from mapservice.web.ogcapi_headers import items_headers
from mapservice.web.ogcapi_params import DEFAULT_LIMIT, MAX_LIMIT, integer_param, items_query

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
#: What the items links say of paging (``limit``): the default page and the largest.
PAGING = f"{DEFAULT_LIMIT} objets par page par défaut, {MAX_LIMIT} au plus (limit)"
GREGORIAN = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"
DESCRIPTIONS = {
    "parks": "Les parcs industriels de la région : contour quand il est connu, sinon le centre.",
    "sites": "Les sites des entreprises membres, avec leurs nombres d'offres et de besoins.",
    "flows": "Les offres et les besoins de matières, en points au site qui les porte.",
    "synergies": "Les synergies candidates et réalisées : une ligne de l'offre au besoin, "
    "avec distances, CO2e et statut.",
    "routes": "Les mêmes synergies le long de leur tracé routier (celui qui donne la distance), "
    "les accès au réseau en premier et dernier tronçons ; en ligne droite sans tracé.",
}


def scope() -> Scope:
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


def layer_of(collection_id: str) -> str:
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
    features = cached_features(services(), layer_id, LayerQuery(), scope())
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
                "href": url("ogcapi.collection", collection_id=layer_id, f="json"),
            },
            {
                "rel": "items",
                "type": GEOJSON,
                "title": f"{layer.title_fr} (GeoJSON, {PAGING})",
                "href": url(items, collection_id=layer_id, f="json"),
            },
            {
                "rel": "items",
                "type": HTML,
                "title": f"{layer.title_fr} (HTML, {PAGING})",
                "href": url(items, collection_id=layer_id, f="html"),
            },
            {  # the whole GeoJSON Feature, as GDAL's OAPIF driver reads field types
                "rel": "describedBy",
                "type": SCHEMA,
                "title": "Schéma des objets GeoJSON (GDAL)",
                "href": url("ogcapi.feature_schema", collection_id=layer_id),
            },
            {
                "rel": "describedby",
                "type": SCHEMA,
                "title": "Schéma des objets",
                "href": url("ogcapi.schema", collection_id=layer_id),
            },
            {
                "rel": "http://www.opengis.net/def/rel/ogc/1.0/queryables",
                "type": SCHEMA,
                "title": "Propriétés filtrables",
                "href": url("ogcapi.queryables_of", collection_id=layer_id),
            },
        ],
    }


# --- routes -------------------------------------------------------------------------------------


@bp.get("")
@bp.get("/")
def landing() -> Response | str:
    fmt = answer_format()
    doc = {
        "title": "Économie circulaire Saguenay–Lac-Saint-Jean",
        "description": "Parcs industriels, sites des membres, offres et besoins de matières "
        "et synergies de la région, en OGC API – Features.",
        "links": [
            *self_links("ogcapi.landing", fmt),
            {
                "rel": "service-desc",
                "type": "application/vnd.oai.openapi+json;version=3.0",
                "title": "Définition de l'API (OpenAPI 3.0)",
                "href": url("ogcapi.openapi"),
            },
            {
                "rel": "conformance",
                "type": JSON,
                "title": "Classes de conformité",
                "href": url("ogcapi.conformance", f="json"),
            },
            {
                "rel": "data",
                "type": JSON,
                "title": "Collections",
                "href": url("ogcapi.collections", f="json"),
            },
        ],
    }
    return answer(doc, fmt)


@bp.get("/conformance")
def conformance() -> Response | str:
    fmt = answer_format()
    doc = {
        "title": "Classes de conformité",
        "conformsTo": CONFORMANCE,
        "links": self_links("ogcapi.conformance", fmt),
    }
    return answer(doc, fmt)


@bp.get("/collections")
def collections() -> Response | str:
    fmt = answer_format()
    doc = {
        "title": "Collections",
        "links": self_links("ogcapi.collections", fmt),
        "collections": [_collection(layer_id) for layer_id in LAYERS],
    }
    return answer(doc, fmt)


@bp.get("/collections/<collection_id>")
def collection(collection_id: str) -> Response | str:
    fmt = answer_format()
    doc = _collection(layer_of(collection_id))
    doc["links"] = [
        *self_links("ogcapi.collection", fmt, collection_id=collection_id),
        *doc["links"][1:],
    ]
    return answer(doc, fmt)


def _page(limit: int, offset: int) -> list[tuple[str, int]]:
    return [("limit", limit), ("offset", offset)]


@bp.get("/collections/<collection_id>/items")
def items(collection_id: str) -> Response | str:
    layer_id = layer_of(collection_id)
    query = items_query(layer_id)
    target = crs.parse_crs(request.args.get("crs"))
    fmt = answer_format()
    limit = min(integer_param("limit", DEFAULT_LIMIT, 1), MAX_LIMIT)
    offset = integer_param("offset", 0, 0)
    # Only this page's features are written (the whole layer when property filters ask).
    count, found = layer_page(services(), layer_id, query, scope(), offset, limit)
    page = [crs.reproject(f, target) for f in found]
    endpoint, values = "ogcapi.items", {"collection_id": layer_id}
    links = self_links(endpoint, fmt, GEOJSON, **values)
    kept = [(k, v) for k, v in request.args.items(multi=True) if k not in ("offset", "limit")]
    if "f" not in request.args:
        kept.append(("f", "html" if fmt == "html" else "json"))
    mimetype = HTML if fmt == "html" else GEOJSON
    if offset + limit < count:
        links.append(
            {
                "rel": "next",
                "type": mimetype,
                "title": "Page suivante",
                "href": url(
                    endpoint, [*kept, ("limit", limit), ("offset", offset + limit)], **values
                ),
            }
        )
    if offset > 0 and count > 0:
        # Past the end, prev is the last page that has features, not another empty one.
        last = ((count - 1) // limit) * limit
        links.append(
            {
                "rel": "prev",
                "type": mimetype,
                "title": "Page précédente",
                "href": url(
                    endpoint,
                    [*kept, ("limit", limit), ("offset", min(max(0, offset - limit), last))],
                    **values,
                ),
            }
        )
    links.append(
        {
            "rel": "collection",
            "type": JSON,
            "title": LAYERS[layer_id].title_fr,
            "href": url("ogcapi.collection", collection_id=layer_id, f="json"),
        }
    )
    doc = {
        "type": "FeatureCollection",
        "features": page,
        "numberMatched": count,
        "numberReturned": len(page),
        "timeStamp": datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "links": links,
    }
    page_answer = answer(
        doc,
        fmt,
        GEOJSON,
        layer=LAYERS[layer_id],
        scope=scope(),
        title=LAYERS[layer_id].title_fr,
        offset=offset,
    )
    # A stable ETag (not the body's, which holds timeStamp) and the links as a Link header.
    return items_headers(with_crs(page_answer, target), links, layer_id, scope())


@bp.get("/collections/<collection_id>/items/<feature_id>")
def item(collection_id: str, feature_id: str) -> Response | str:
    layer_id = layer_of(collection_id)
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
    fmt = answer_format()
    # The layer's selection is kept between requests: one feature is written, not the layer.
    found = layer_item(services(), layer_id, scope(), feature_id)
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
            *self_links("ogcapi.item", fmt, GEOJSON, **values),
            {
                "rel": "collection",
                "type": JSON,
                "title": LAYERS[layer_id].title_fr,
                "href": url("ogcapi.collection", collection_id=layer_id, f="json"),
            },
        ],
    }
    return with_crs(
        answer(
            doc,
            fmt,
            GEOJSON,
            layer=LAYERS[layer_id],
            scope=scope(),
            title=f"{LAYERS[layer_id].title_fr} — {feature_id}",
            offset=0,
        ),
        target,
    )
