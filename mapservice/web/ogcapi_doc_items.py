"""The query parameters of ``/items`` in the OGC API document, collection by collection.

Clients read them from the document: GDAL's OAPIF driver sends a ``-where`` clause on a field
as ``name=value`` when the collection's path (``/collections/sites/items``, else the generic
``/collections/{collectionId}/items``) lists a parameter of that name, and trusts the answer.
So each collection has its own path listing its properties (equality filters) and the map's
filters it takes, and the generic path lists only what every collection takes the same way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from mapservice.exports.fields import Field
from mapservice.geo import crs

_TYPES = {"string": "string", "integer": "integer", "boolean": "boolean", "number": "number"}
#: What each of the map's filters does, by its API name.
MAP_FILTERS = {
    "park_id": "Filtre de la carte : identifiant du parc (synergies : les deux bouts dans le parc)",
    "municipality_id": "Filtre de la carte : identifiant de la municipalité, avec ses "
    "arrondissements et secteurs",
    "mrc": "Filtre de la carte : MRC",
    "sector": "Filtre de la carte : groupe de secteurs d'activité (code SCIAN)",
    "category_id": "Filtre de la carte : code de catégorie, avec ses sous-catégories "
    "(synergies : l'offre et le besoin)",
    "direction": "Filtre de la carte : offre ou besoin",
    "q": "Filtre de la carte : recherche dans les noms, descriptions et matières",
}


def param(
    name: str,
    description: str,
    schema: dict[str, Any],
    where: str = "query",
    required: bool = False,
) -> dict[str, Any]:
    """One OpenAPI parameter object."""
    return {
        "name": name,
        "in": where,
        "required": required or where == "path",
        "description": description,
        "schema": schema,
    }


def _map_filter(name: str) -> dict[str, Any]:
    return param(name, MAP_FILTERS.get(name, f"Filtre de la carte : {name}"), {"type": "string"})


def items_parameters(
    queryables: Mapping[str, list[Field]],
    map_filters: Mapping[str, list[str]],
    extra: Sequence[dict[str, Any]],
    *,
    timed: frozenset[str],
    max_limit: int,
    default_limit: int,
) -> tuple[list[dict[str, Any]], dict[str, list[dict[str, Any]]]]:
    """The generic path's parameters, and each collection's (``extra`` goes in both).

    A collection lists ``datetime`` if it has a time, the map's filters it takes
    (``map_filters``) and its properties (``queryables``). The generic path lists the paging,
    ``bbox`` and ``extra``, and the map's filters that are a property of no collection.
    """
    common = [
        param(
            "limit",
            "Nombre maximal d'objets par page",
            {"type": "integer", "minimum": 1, "maximum": max_limit, "default": default_limit},
        ),
        param(
            "offset", "Nombre d'objets à sauter", {"type": "integer", "minimum": 0, "default": 0}
        ),
        {
            **param(
                "bbox",
                "min x, min y, max x, max y (CRS84, ou bbox-crs), ou 6 nombres avec les "
                "hauteurs (ignorées)",
                {
                    "oneOf": [
                        {"type": "array", "minItems": n, "maxItems": n, "items": {"type": "number"}}
                        for n in (4, 6)
                    ]
                },
            ),
            "style": "form",
            "explode": False,
        },
        param(
            "bbox-crs",
            "Système de coordonnées de bbox (Part 2)",
            {"type": "string", "format": "uri", "enum": crs.URIS},
        ),
        *extra,
    ]
    datetime = param(
        "datetime",
        "Instant ou intervalle RFC 3339 (synergies : date de la dernière "
        "mise à jour), ex. 2026-01-01/.. ",
        {"type": "string"},
    )
    own = {
        layer_id: [
            *common,
            *([datetime] if layer_id in timed else []),
            *(_map_filter(name) for name in map_filters[layer_id]),
            *(
                param(
                    field.name,
                    f"Égal à cette valeur, exactement comme elle est écrite : {field.label_fr}",
                    {"type": _TYPES[field.type]},
                )
                for field in fields
            ),
        ]
        for layer_id, fields in queryables.items()
    }
    properties = {field.name for fields in queryables.values() for field in fields}
    names = [n for n in MAP_FILTERS if all(n in taken for taken in map_filters.values())]
    generic = [*common, *(_map_filter(n) for n in names if n not in properties)]
    return generic, own
