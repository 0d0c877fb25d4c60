"""The query parameters of ``/ogcapi`` items: paging, bbox, bbox-crs, datetime, property filters."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import request

from mapservice.errors import InvalidInput, tr
from mapservice.exports.fields import LAYERS, Field
from mapservice.exports.jobs import (
    EXTRA,
    TIMED,
    LayerQuery,
    parse_bbox,
    parse_datetime,
    parse_query,
)
from mapservice.geo import crs
from mapservice.geo.boxes import horizontal
from mapservice.views.map_filters import PARAMETERS
from mapservice.web import services

DEFAULT_LIMIT, MAX_LIMIT = 100, 10000
#: Query parameters of ``/items`` besides the queryable properties; anything else is a 400.
ITEM_PARAMETERS = frozenset(
    {"limit", "offset", "f", "lang", "datetime", "crs", "bbox-crs", *PARAMETERS, *EXTRA}
)
#: Filters by property value (Part 1 "parameters for filtering on feature properties"): the
#: simple, non-confidential properties whose names are not already a map filter.
QUERYABLE_TYPES = ("string", "integer", "boolean")


def queryables(layer_id: str) -> list[Field]:
    return [
        f
        for f in LAYERS[layer_id].fields
        if f.type in QUERYABLE_TYPES and not f.confidential and f.name not in ITEM_PARAMETERS
    ]


def integer_param(name: str, default: int, minimum: int) -> int:
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


def property_filters(layer_id: str) -> dict[str, Any]:
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


def items_query(layer_id: str) -> LayerQuery:
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
        if bbox_crs.uri == crs.CRS84:
            bbox = parse_bbox(raw_bbox)
        else:
            bbox = crs.bbox_to_crs84(_numbers("bbox", raw_bbox), bbox_crs)
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


def _numbers(name: str, raw: str) -> tuple[float, float, float, float]:
    """A box in ``bbox-crs``: 4 numbers, or 6 with heights (ignored: the data is 2D)."""
    try:
        values = [float(p) for p in raw.split(",")]
    except ValueError:
        values = []
    values = horizontal(values) if len(values) in (4, 6) else []
    if (
        len(values) != 4
        or not all(abs(v) < 1e8 for v in values)
        or values[0] > values[2]
        or values[1] > values[3]
    ):
        raise InvalidInput(
            tr(
                "Paramètre {name} invalide : {raw!r} (attendu : 4 nombres, ou 6 avec les "
                "hauteurs, les minimums avant les maximums, dans l'ordre des axes "
                "du système bbox-crs).",
                name=name,
                raw=raw[:80],
            ),
            field=name,
        )
    return values[0], values[1], values[2], values[3]
