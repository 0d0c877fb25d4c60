"""Road lines as read from a GeoJSON file, checked before any graph is built.

Each line is a :class:`RoadLine` (``(lon, lat)`` vertices and its properties); a file that
is not a FeatureCollection of LineStrings with the expected properties fails with a
:class:`~mapservice.errors.RoadNetworkError` naming the feature and the property at fault.
"""

from __future__ import annotations

import json
import math
from collections.abc import Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mapservice.errors import RoadNetworkError
from mapservice.routing.base import Point


@dataclass
class RoadLine:
    """One road line: ``coords`` as (lon, lat), its properties, and optional node keys.

    ``node_keys`` (one per vertex) say which vertices are the same node; by default the
    vertex rounded to 6 decimals.
    """

    coords: list[Point]
    props: dict[str, Any]
    node_keys: list[Hashable] | None = None


KINDS = ("autoroute", "route", "arterial", "bridge", "ferry")


def read_road_lines(path: Path) -> list[RoadLine]:
    """Read and check a road GeoJSON: a FeatureCollection of LineStrings (or MultiLineStrings).

    Properties: ``id``, ``ref``, ``name``, ``kind`` (one of :data:`KINDS`), ``speed_kmh``
    (> 0), ``bridge`` (bool), ``bridge_name``; optional ``length_factor`` (0–10, default 1:
    what the graph multiplies the line's length by, for a road that winds more than its
    vertices show) and its ``length_note``. Raise :class:`RoadNetworkError` naming the
    feature index and the property at the first problem.
    """
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        # ValueError: bad JSON, or an integer of more than 4,300 digits; RecursionError:
        # arrays nested a thousand deep.
        reason = "imbrication trop profonde" if isinstance(exc, RecursionError) else str(exc)
        raise RoadNetworkError(
            f"{path}: fichier illisible ({reason[:200]})", detail=repr(exc)[:1000]
        ) from None
    if (
        not isinstance(doc, dict)
        or doc.get("type") != "FeatureCollection"
        or not isinstance(doc.get("features"), list)
    ):
        raise RoadNetworkError(f"{path}: attendu une FeatureCollection GeoJSON avec « features »")
    lines: list[RoadLine] = []
    for index, feature in enumerate(doc["features"]):
        where = f"{path}: entité {index}"

        def bad(what: str, expected: str, got: Any, where: str = where) -> RoadNetworkError:
            return RoadNetworkError(f"{where}, {what} : attendu {expected} ; reçu {_shown(got)}")

        if not isinstance(feature, dict):
            raise bad("entité", "un objet Feature", feature)
        props = feature.get("properties")
        if not isinstance(props, dict):
            raise bad("properties", "un objet", props)
        where = f"{where} (id {_shown(props.get('id'))})"
        kind, speed = props.get("kind"), props.get("speed_kmh")
        if kind not in KINDS:
            raise bad("propriété « kind »", " | ".join(KINDS), kind, where)
        if (
            isinstance(speed, bool)
            or not isinstance(speed, int | float)
            or not 0 < speed < math.inf
        ):
            raise bad("propriété « speed_kmh »", "un nombre > 0", speed, where)
        if not isinstance(props.get("bridge", False), bool):
            raise bad("propriété « bridge »", "true ou false", props.get("bridge"), where)
        factor = props.get("length_factor", 1.0)
        if isinstance(factor, bool) or not isinstance(factor, int | float) or not 0 < factor < 10:
            raise bad("propriété « length_factor »", "un nombre entre 0 et 10", factor, where)
        geom = feature.get("geometry")
        gtype = geom.get("type") if isinstance(geom, dict) else None
        if gtype == "LineString":
            parts = [geom.get("coordinates")]  # type: ignore[union-attr]
        elif gtype == "MultiLineString":
            parts = geom.get("coordinates")  # type: ignore[union-attr]
        else:
            raise bad("geometry", "LineString ou MultiLineString", gtype or geom, where)
        keep = {
            k: props.get(k)
            for k in ("id", "ref", "name", "kind", "speed_kmh", "bridge", "bridge_name")
        }
        keep.update({k: props[k] for k in ("length_factor", "length_note") if k in props})
        for part in parts if isinstance(parts, list) else [parts]:
            lines.append(RoadLine(_coords(part, bad, where), keep))
    return lines


def _shown(value: Any) -> str:
    """``repr(value)`` cut to 80 characters: a message quotes a value, it does not dump it."""
    text = repr(value)
    return text if len(text) <= 80 else text[:80] + "…"


def _coords(part: Any, bad: Any, where: str) -> list[Point]:
    if not isinstance(part, list) or len(part) < 2:
        raise bad("geometry.coordinates", "au moins 2 positions [lon, lat]", part, where)
    coords: list[Point] = []
    for pos in part:
        ok = (
            isinstance(pos, list)
            and len(pos) >= 2
            and all(isinstance(v, int | float) and not isinstance(v, bool) for v in pos[:2])
            and -180 <= pos[0] <= 180
            and -90 <= pos[1] <= 90
        )
        if not ok:
            raise bad("geometry.coordinates", "des positions [lon, lat] en degrés", pos, where)
        coords.append((float(pos[0]), float(pos[1])))
    return coords
