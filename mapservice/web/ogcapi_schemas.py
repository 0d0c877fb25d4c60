"""What the OGC API says about itself: each collection's JSON Schema (Part 5 style), its
queryables (Part 3) and the OpenAPI document (:mod:`mapservice.web.ogcapi_doc`).

Its routes belong to the OGC API's blueprint (:mod:`mapservice.web.ogcapi`), so their
addresses, error answers and access rule are the API's.
"""

from __future__ import annotations

from typing import Any

from flask import Response

from mapservice.exports.fields import LAYERS, Field
from mapservice.exports.jobs import TIMED
from mapservice.web import ogcapi_doc
from mapservice.web.ogcapi import bp, layer_of, scope
from mapservice.web.ogcapi_answers import SCHEMA, answer_document, url
from mapservice.web.ogcapi_params import DEFAULT_LIMIT, MAX_LIMIT, map_filters, queryables
from mapservice.web.ogcapi_security import secured

_JSON_TYPES = {"string": "string", "integer": "integer", "number": "number", "boolean": "boolean"}
#: Part 5 geometry formats: parks are outlines where known, else their centre.
_GEOMETRY = {
    "parks": "geometry-any",
    "sites": "geometry-point",
    "flows": "geometry-point",
    "synergies": "geometry-linestring",
    "routes": "geometry-multilinestring",
}


def _property_schema(f: Field) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "title": f.label_fr,
        "description": f.label_en,
        "type": [_JSON_TYPES[f.type], "null"],
    }
    if f.format is not None:
        schema["format"] = f.format
    if f.name == "updated_at":
        schema["x-ogc-role"] = "primary-instant"
    return schema


@bp.get("/collections/<collection_id>/schema")
def schema(collection_id: str) -> Response | str:
    """The collection's features as JSON Schema (Part 5 style): what each property holds."""
    layer_id = layer_of(collection_id)
    layer = LAYERS[layer_id]
    fields = [f for f in layer.fields if scope().confidential or not f.confidential]
    doc = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": url("ogcapi.schema", collection_id=layer_id),
        "title": layer.title_fr,
        "type": "object",
        "properties": {
            "geometry": {"format": _GEOMETRY[layer_id], "x-ogc-role": "primary-geometry"},
            **{f.name: _property_schema(f) for f in fields},
        },
    }
    return answer_document(doc, SCHEMA, "ogcapi.schema", collection_id=layer_id)


@bp.get("/collections/<collection_id>/queryables")
def queryables_of(collection_id: str) -> Response | str:
    """The properties the collection's ``/items`` filters on by ``name=value``, exactly as the
    value is written (see :func:`queryables`); the document lists the same for its path."""
    layer_id = layer_of(collection_id)
    doc = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": url("ogcapi.queryables_of", collection_id=layer_id),
        "title": f"{LAYERS[layer_id].title_fr} — propriétés filtrables",
        "type": "object",
        "properties": {
            f.name: {"title": f.label_fr, "type": _JSON_TYPES[f.type]} for f in queryables(layer_id)
        },
        "additionalProperties": False,
    }
    return answer_document(doc, SCHEMA, "ogcapi.queryables_of", collection_id=layer_id)


@bp.get("/api")
def openapi() -> Response | str:
    """The OpenAPI 3.0 description of these paths (``service-desc`` of the landing page)."""
    doc = ogcapi_doc.document(
        url("ogcapi.landing"),
        {k: queryables(k) for k in LAYERS},
        {k: map_filters(k) for k in LAYERS},
        timed=TIMED,
        max_limit=MAX_LIMIT,
        default_limit=DEFAULT_LIMIT,
    )
    secured(doc)  # Basic and Bearer on the operations that need a token
    return answer_document(doc, "application/vnd.oai.openapi+json;version=3.0", "ogcapi.openapi")
