"""The OpenAPI 3.0 document of ``/ogcapi`` (its landing page's ``service-desc``).

Written path by path beside :mod:`mapservice.web.ogcapi`; a test validates it and fuzzes the
API from it (schemathesis), so what it promises (parameters, status codes, bodies) is checked.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from mapservice.exports.fields import LAYERS, Field
from mapservice.geo import crs
from mapservice.web.ogcapi_doc_items import items_parameters, param

GEOJSON, JSON, HTML = "application/geo+json", "application/json", "text/html"
SCHEMA = "application/schema+json"
OAS = "application/vnd.oai.openapi+json;version=3.0"


_param = param


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _responses(
    description: str, schema: str, *types: str, errors: Sequence[str] = ("400",)
) -> dict[str, Any]:
    content: dict[str, Any] = {t: {"schema": _ref(schema)} for t in types if t != HTML}
    if HTML in types:
        content[HTML] = {"schema": {"type": "string"}}
    out: dict[str, Any] = {"200": {"description": description, "content": content}}
    for code in errors:
        out[code] = {"$ref": f"#/components/responses/E{code}"}
    return out


def _schemas() -> dict[str, Any]:
    link = {
        "type": "object",
        "required": ["href", "rel"],
        "properties": {
            "href": {"type": "string"},
            "rel": {"type": "string"},
            "type": {"type": "string"},
            "title": {"type": "string"},
        },
    }
    links = {"type": "array", "items": _ref("Link")}
    geometry = {
        "type": "object",
        "nullable": True,
        "required": ["type", "coordinates"],
        "properties": {
            "type": {
                "type": "string",
                "enum": ["Point", "LineString", "MultiLineString", "Polygon", "MultiPolygon"],
            },
            "coordinates": {"type": "array"},
        },
    }
    feature = {
        "type": "object",
        "required": ["type", "geometry", "properties", "id"],
        "properties": {
            "type": {"type": "string", "enum": ["Feature"]},
            "id": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
            "geometry": geometry,
            "properties": {"type": "object"},
            "links": links,
        },
    }
    collection = {
        "type": "object",
        "required": ["id", "links", "extent", "crs"],
        "properties": {
            "id": {"type": "string"},
            "title": {"type": "string"},
            "description": {"type": "string"},
            "extent": {"type": "object"},
            "itemType": {"type": "string"},
            "crs": {"type": "array", "items": {"type": "string"}},
            "storageCrs": {"type": "string"},
            "links": links,
        },
    }
    return {
        "Link": link,
        "Landing": {
            "type": "object",
            "required": ["links"],
            "properties": {
                "title": {"type": "string"},
                "description": {"type": "string"},
                "links": links,
            },
        },
        "Conformance": {
            "type": "object",
            "required": ["conformsTo"],
            "properties": {
                "conformsTo": {"type": "array", "items": {"type": "string"}},
                "links": links,
            },
        },
        "Collection": collection,
        "Collections": {
            "type": "object",
            "required": ["links", "collections"],
            "properties": {
                "links": links,
                "collections": {"type": "array", "items": _ref("Collection")},
            },
        },
        "Feature": feature,
        "FeatureCollection": {
            "type": "object",
            "required": ["type", "features", "numberMatched", "numberReturned", "links"],
            "properties": {
                "type": {"type": "string", "enum": ["FeatureCollection"]},
                "features": {"type": "array", "items": _ref("Feature")},
                "numberMatched": {"type": "integer", "minimum": 0},
                "numberReturned": {"type": "integer", "minimum": 0},
                "timeStamp": {"type": "string", "format": "date-time"},
                "links": links,
            },
        },
        "Api": {"type": "object", "required": ["openapi", "paths"]},
        "JsonSchema": {
            "type": "object",
            "required": ["type", "properties"],
            "properties": {"type": {"type": "string"}, "properties": {"type": "object"}},
        },
        "Exception": {
            "type": "object",
            "required": ["type", "title", "status", "detail"],
            "properties": {
                "type": {"type": "string"},
                "title": {"type": "string"},
                "status": {"type": "integer"},
                "detail": {"type": "string"},
                "code": {"type": "string"},
                "description": {"type": "string"},
                "field": {"type": "string", "nullable": True},
            },
        },
    }


def document(
    server: str,
    queryables: Mapping[str, list[Field]],
    map_filters: Mapping[str, list[str]],
    *,
    timed: frozenset[str],
    max_limit: int,
    default_limit: int,
) -> dict[str, Any]:
    """The document; ``queryables`` and ``map_filters`` give each collection's filters (its
    own path lists them, the generic one only what every collection takes alike)."""
    f = _param("f", "Format de la réponse", {"type": "string", "enum": ["json", "html"]})
    lang = _param("lang", "Langue des pages HTML", {"type": "string", "enum": ["fr", "en"]})
    cid = _param(
        "collectionId",
        "Identifiant de la collection",
        {"type": "string", "enum": list(LAYERS)},
        "path",
    )
    crs_param = _param(
        "crs",
        "Système de coordonnées des géométries (Part 2)",
        {"type": "string", "format": "uri", "enum": crs.URIS},
    )
    generic, own = items_parameters(
        queryables,
        map_filters,
        [crs_param],
        timed=timed,
        max_limit=max_limit,
        default_limit=default_limit,
    )
    item_params = [cid, *generic, f, lang]
    crs_header = {
        "Content-Crs": {
            "description": "Système de coordonnées des géométries",
            "schema": {"type": "string"},
        }
    }
    items_ok = _responses(
        "Objets", "FeatureCollection", GEOJSON, HTML, errors=("400", "401", "403", "404")
    )
    items_ok["200"]["headers"] = crs_header
    item_ok = _responses("Objet", "Feature", GEOJSON, HTML, errors=("400", "401", "403", "404"))
    item_ok["200"]["headers"] = crs_header
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Économie circulaire Saguenay–Lac-Saint-Jean — OGC API – Features",
            "version": "1.0.0",
            "description": "Parcs, sites, offres et besoins, synergies.",
        },
        "servers": [{"url": server.rstrip("/")}],
        "paths": {
            "/": {
                "get": {
                    "summary": "Page d'accueil",
                    "operationId": "landing",
                    "parameters": [f, lang],
                    "responses": _responses("Page d'accueil", "Landing", JSON, HTML),
                }
            },
            "/conformance": {
                "get": {
                    "summary": "Classes de conformité",
                    "operationId": "conformance",
                    "parameters": [f, lang],
                    "responses": _responses("Classes", "Conformance", JSON, HTML),
                }
            },
            "/collections": {
                "get": {
                    "summary": "Collections",
                    "operationId": "collections",
                    "parameters": [f, lang],
                    "responses": _responses(
                        "Collections", "Collections", JSON, HTML, errors=("400", "401", "403")
                    ),
                }
            },
            "/collections/{collectionId}": {
                "get": {
                    "summary": "Une collection",
                    "operationId": "collection",
                    "parameters": [cid, f, lang],
                    "responses": _responses(
                        "Collection", "Collection", JSON, HTML, errors=("400", "401", "403", "404")
                    ),
                }
            },
            "/collections/{collectionId}/items": {
                "get": {
                    "summary": "Objets d'une collection",
                    "operationId": "items",
                    "parameters": item_params,
                    "responses": items_ok,
                }
            },
            **{
                f"/collections/{layer_id}/items": {
                    "get": {
                        "summary": f"Objets de la collection {layer_id}",
                        "description": "Les paramètres que prend cette collection : ses "
                        "propriétés (égalité exacte, comme la valeur est écrite) et les filtres "
                        "de la carte qui n'en sont pas.",
                        "operationId": f"items_{layer_id}",
                        "parameters": [*own[layer_id], f, lang],
                        "responses": items_ok,
                    }
                }
                for layer_id in LAYERS
            },
            "/collections/{collectionId}/items/{featureId}": {
                "get": {
                    "summary": "Un objet",
                    "operationId": "item",
                    "parameters": [
                        cid,
                        _param("featureId", "Identifiant de l'objet", {"type": "string"}, "path"),
                        crs_param,
                        f,
                        lang,
                    ],
                    "responses": item_ok,
                }
            },
            "/collections/{collectionId}/schema": {
                "get": {
                    "summary": "Schéma des objets (JSON Schema)",
                    "operationId": "schema",
                    "parameters": [cid, f, lang],
                    "responses": _responses(
                        "Schéma", "JsonSchema", SCHEMA, HTML, errors=("400", "401", "403", "404")
                    ),
                }
            },
            "/collections/{collectionId}/feature-schema": {
                "get": {
                    "summary": "Schéma de l'objet GeoJSON entier (celui que lit GDAL)",
                    "operationId": "featureSchema",
                    "parameters": [cid, f, lang],
                    "responses": _responses(
                        "Schéma", "JsonSchema", SCHEMA, HTML, errors=("400", "401", "403", "404")
                    ),
                }
            },
            "/collections/{collectionId}/queryables": {
                "get": {
                    "summary": "Propriétés filtrables",
                    "operationId": "queryables",
                    "parameters": [cid, f, lang],
                    "responses": _responses(
                        "Propriétés",
                        "JsonSchema",
                        SCHEMA,
                        HTML,
                        errors=("400", "401", "403", "404"),
                    ),
                }
            },
            "/api": {
                "get": {
                    "summary": "Ce document",
                    "operationId": "api",
                    "parameters": [f, lang],
                    "responses": _responses(
                        "OpenAPI 3.0, ou une page qui le résume", "Api", OAS, HTML
                    ),
                }
            },
        },
        "components": {
            "schemas": _schemas(),
            "responses": {
                "E400": {
                    "description": "Paramètre invalide",
                    "content": {"application/problem+json": {"schema": _ref("Exception")}},
                },
                "E404": {
                    "description": "Introuvable",
                    "content": {"application/problem+json": {"schema": _ref("Exception")}},
                },
                "E401": {
                    "description": "Connexion requise : jeton personnel (Bearer ou Basic)",
                    "content": {"application/problem+json": {"schema": _ref("Exception")}},
                },
                "E403": {
                    "description": "Rôle sans accès aux données",
                    "content": {"application/problem+json": {"schema": _ref("Exception")}},
                },
            },
        },
    }
