"""The query parameters of ``/ogcapi`` items: paging, bbox, bbox-crs, datetime, filters.

Each collection takes its properties as equality filters (its queryables, see
:mod:`mapservice.exports.property_filters`) and the map's filters by their API names where they
are not one of its properties (``park_id`` on the synergies keeps those with both ends in the
park; on the sites it is the property, the same thing). ``datetime`` is for the synergies only.
Anything else answers 400 naming the parameter and listing what the collection accepts.
"""

from __future__ import annotations

from dataclasses import replace

from flask import request

from mapservice.errors import InvalidInput, tr
from mapservice.exports.extents import parse_datetime
from mapservice.exports.fields import Field
from mapservice.exports.jobs import TIMED, LayerQuery, parse_bbox
from mapservice.exports.property_filters import parse_property_filter
from mapservice.exports.property_filters import queryables as layer_queryables
from mapservice.geo import crs
from mapservice.geo.boxes import horizontal
from mapservice.views.map_filters import API_PARAMETERS, parse_filter
from mapservice.views.map_view import filter_choices
from mapservice.web import services

DEFAULT_LIMIT, MAX_LIMIT = 100, 10000
#: Query parameters of every collection's ``/items``, beside its filters.
COMMON_PARAMETERS = ("limit", "offset", "f", "lang", "crs", "bbox", "bbox-crs")


def queryables(layer_id: str) -> list[Field]:
    """The collection's properties ``name=value`` filters on by equality (its queryables)."""
    return layer_queryables(layer_id)


def map_filters(layer_id: str) -> list[str]:
    """The map's filters a collection also takes, by their API names (``park_id``,
    ``municipality_id``, ``category_id``, ``q``…): those that are not one of its properties,
    which filter by equality instead."""
    own = {f.name for f in queryables(layer_id)}
    return [name for name in API_PARAMETERS if name not in own]


def item_parameters(layer_id: str) -> list[str]:
    """Every query parameter the collection's ``/items`` accepts."""
    timed = ["datetime"] if layer_id in TIMED else []
    return [
        *COMMON_PARAMETERS,
        *timed,
        *map_filters(layer_id),
        *(f.name for f in queryables(layer_id)),
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


def items_query(layer_id: str) -> LayerQuery:
    if "datetime" in request.args and layer_id not in TIMED:
        raise InvalidInput(
            tr(
                "datetime ne s'applique pas à la collection {layer_id} (seulement à : {allowed}).",
                layer_id=layer_id,
                allowed=", ".join(sorted(TIMED)),
            ),
            field="datetime",
        )
    allowed = item_parameters(layer_id)
    unknown = sorted(set(request.args) - set(allowed))
    if unknown:
        raise InvalidInput(
            tr(
                "Paramètre inconnu : {unknown} (acceptés : {allowed}).",
                unknown=", ".join(unknown),
                allowed=", ".join(allowed),
            ),
            field=unknown[0],
        )
    shown = set(map_filters(layer_id))
    view = parse_filter(
        {k: v for k, v in request.args.items() if k in shown},
        filter_choices(services()),
        legacy=False,
    )
    query = LayerQuery(filter=view, properties=parse_property_filter(layer_id, request.args))
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
    return replace(query, datetime=parse_datetime(request.args.get("datetime")))


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
