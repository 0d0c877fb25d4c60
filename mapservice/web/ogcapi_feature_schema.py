"""Each collection's features as one GeoJSON Feature schema, the form GDAL's OAPIF driver reads
field types from (its ``describedBy`` link).

GDAL (3.6 as Debian ships it, and the newer ones) builds its fields from a schema of the whole
Feature (``properties`` → ``properties`` → one scalar ``type`` per property); it reads nothing
from the Part 5 schema of ``/schema``, whose properties are the feature's own and whose types
say ``null`` too. Without types GDAL guesses from the first page, so a park manager whose
parks have no area got ``area_ha`` as text. Absent values are ``null`` here as everywhere:
``nullable`` (OpenAPI 3.0's keyword) says so beside the one type GDAL reads.
"""

from __future__ import annotations

from typing import Any

from flask import Response

from mapservice.exports.fields import LAYERS, Field
from mapservice.web.ogcapi import bp, layer_of, scope
from mapservice.web.ogcapi_answers import SCHEMA, answer_document, url

_TYPES = {"string": "string", "integer": "integer", "number": "number", "boolean": "boolean"}


def _property(field: Field) -> dict[str, Any]:
    out: dict[str, Any] = {
        "title": field.label_fr,
        "description": field.label_en,
        "type": _TYPES[field.type],
        "nullable": True,
    }
    if field.name == "updated_at":
        out["format"] = "date-time"
    return out


@bp.get("/collections/<collection_id>/feature-schema")
def feature_schema(collection_id: str) -> Response | str:
    """The GeoJSON Feature of ``collection_id``, its properties typed as the layer declares."""
    layer_id = layer_of(collection_id)
    layer = LAYERS[layer_id]
    fields = [f for f in layer.fields if scope().confidential or not f.confidential]
    doc = {
        "$id": url("ogcapi.feature_schema", collection_id=layer_id),
        "title": f"{layer.title_fr} — objet GeoJSON",
        "type": "object",
        "required": ["type", "geometry", "properties"],
        "properties": {
            "type": {"type": "string", "enum": ["Feature"]},
            "id": {"type": ["string", "integer"]},
            "geometry": {"type": "object", "nullable": True},
            "properties": {"type": "object", "properties": {f.name: _property(f) for f in fields}},
        },
    }
    return answer_document(doc, SCHEMA, "ogcapi.feature_schema", collection_id=layer_id)
