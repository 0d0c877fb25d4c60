"""Filters by property value: ``name=value`` keeps the features whose property equals the value.

OGC API – Features Part 1 lets a collection filter on its properties by equality, and clients
(GDAL's OAPIF driver) turn a ``-where "municipality = 'Jonquière'"`` into
``municipality=Jonquière`` when the API document lists the parameter for that collection, then
trust the answer. So the comparison is exact, as the property is written (case and accents
kept), on the feature as the reader receives it: a value withheld from the reader (an unnamed
member, a confidential quantity) is empty there and matches nothing. Pure: no Flask.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from mapservice.errors import InvalidInput, tr
from mapservice.exports.fields import LAYERS, Field

#: The property types a value in a query string can be read as.
QUERYABLE_TYPES = ("string", "integer", "number", "boolean")
#: A property filter: each (name, value) pair must hold, value typed as its property.
PropertyFilter = tuple[tuple[str, Any], ...]


def queryables(layer_id: str) -> list[Field]:
    """The properties of a layer a query parameter filters on: every simple property that
    leaves to every reader (contacts, which leave only with the right, are not filterable)."""
    return [f for f in LAYERS[layer_id].fields if f.type in QUERYABLE_TYPES and not f.confidential]


def _refused(f: Field, raw: str) -> InvalidInput:
    shown = raw[:40]
    if f.type == "integer":
        message = tr("Paramètre {f} invalide : {raw!r} (attendu : un entier).", f=f.name, raw=shown)
    elif f.type == "number":
        message = tr("Paramètre {f} invalide : {raw!r} (attendu : un nombre).", f=f.name, raw=shown)
    else:
        message = tr(
            "Paramètre {f} invalide : {raw!r} (attendu : true ou false).", f=f.name, raw=shown
        )
    return InvalidInput(message, field=f.name)


def _typed(f: Field, raw: str) -> Any:
    try:
        if f.type == "integer":
            return int(raw)
        if f.type == "number":
            value = float(raw)
            if not math.isfinite(value):
                raise ValueError(raw)
            return value
        if f.type == "boolean":
            if raw not in ("true", "false"):
                raise ValueError(raw)
            return raw == "true"
    except ValueError:
        raise _refused(f, raw) from None
    return raw


def parse_property_filter(layer_id: str, args: Mapping[str, str]) -> PropertyFilter:
    """The ``name=value`` pairs of ``args`` on the layer's queryables, each value read as its
    property's type (:class:`InvalidInput` names the parameter that is not). An empty value
    filters nothing, as an HTML form sends an untouched field."""
    return tuple(
        (f.name, _typed(f, args[f.name])) for f in queryables(layer_id) if args.get(f.name)
    )


def matches(feature: Mapping[str, Any], wanted: PropertyFilter) -> bool:
    """Whether every wanted property of the feature equals its value (an empty one never)."""
    props = feature["properties"]
    for name, value in wanted:
        got = props.get(name)
        # bool is an int in Python: never let true match 1 or 1 match true.
        if got is None or isinstance(got, bool) is not isinstance(value, bool) or got != value:
            return False
    return True


def kept(features: Iterable[dict[str, Any]], wanted: PropertyFilter) -> Iterable[dict[str, Any]]:
    """The features that match ``wanted`` (all of them when it is empty), in order."""
    if not wanted:
        return features
    return (f for f in features if matches(f, wanted))
