"""Coordinate reference systems offered beside WGS84 lon/lat (OGC API – Features, Part 2).

Storage and GeoJSON stay in CRS84 (lon, lat). A client may ask for features in WGS84 with the
EPSG axis order (lat, lon), Québec Lambert (EPSG:32198, metres) or the UTM zones that cover the
region (18N west of 72° W, 19N east of it), and may give its ``bbox`` in any of them. Axis order
is the authority's, as Part 2 requires: pyproj's transformers are built without ``always_xy``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pyproj import CRS, Transformer

from mapservice.errors import InvalidInput, tr
from mapservice.geo.geojson import positions

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
_EPSG = "http://www.opengis.net/def/crs/EPSG/0/"


@dataclass(frozen=True)
class Offered:
    uri: str
    code: str  #: what pyproj reads
    title: str
    decimals: int  #: 7 for degrees (about 1 cm), 2 for metres (1 cm)


OFFERED = (
    Offered(CRS84, "OGC:CRS84", "WGS84 longitude, latitude", 7),
    Offered(_EPSG + "4326", "EPSG:4326", "WGS84 latitude, longitude", 7),
    Offered(_EPSG + "32198", "EPSG:32198", "NAD83 / Québec Lambert", 2),
    Offered(_EPSG + "32618", "EPSG:32618", "WGS84 / UTM zone 18N", 2),
    Offered(_EPSG + "32619", "EPSG:32619", "WGS84 / UTM zone 19N", 2),
)
BY_URI = {o.uri: o for o in OFFERED}
URIS = [o.uri for o in OFFERED]


def parse_crs(text: str | None, *, field: str = "crs") -> Offered:
    """One of :data:`OFFERED` by its URI (or its ``[EPSG:n]`` safe CURIE); CRS84 when absent."""
    if text is None or not text.strip():
        return OFFERED[0]
    value = text.strip()
    if value.startswith("[") and value.endswith("]"):
        authority, _, code = value[1:-1].partition(":")
        value = CRS84 if (authority, code) == ("OGC", "CRS84") else f"{_EPSG}{code}"
    if value not in BY_URI:
        raise InvalidInput(
            tr(
                "Système de coordonnées non offert : {text!r} (attendu : {allowed}).",
                text=text[:80],
                allowed=", ".join(URIS),
            ),
            field=field,
        )
    return BY_URI[value]


@lru_cache(maxsize=16)
def _transformer(source: str, target: str) -> Transformer:
    return Transformer.from_crs(CRS.from_user_input(source), CRS.from_user_input(target))


def bbox_to_crs84(
    values: tuple[float, float, float, float], source: Offered
) -> tuple[float, float, float, float]:
    """A bbox given in ``source`` (its own axis order) as min_lon, min_lat, max_lon, max_lat.

    The edges are densified, so a box drawn in metres keeps all of its area once in degrees.
    """
    if source.uri == CRS84:
        return values
    west, south, east, north = _transformer(source.code, "OGC:CRS84").transform_bounds(
        *values, densify_pts=21
    )
    return west, south, east, north


def _rebuild(coordinates: Any, moved: Iterator[tuple[float, float]]) -> Any:
    if coordinates and isinstance(coordinates[0], int | float):
        return list(next(moved))
    return [_rebuild(part, moved) for part in coordinates]


def reproject(feature: dict[str, Any], target: Offered) -> dict[str, Any]:
    """The feature with its geometry in ``target`` (a new dict; the input is not changed)."""
    geometry = feature.get("geometry")
    if target.uri == CRS84 or not geometry:
        return feature
    flat = list(positions(geometry["coordinates"]))
    xs, ys = _transformer("OGC:CRS84", target.code).transform(
        [p[0] for p in flat], [p[1] for p in flat]
    )
    moved = iter(
        [
            (round(x, target.decimals), round(y, target.decimals))
            for x, y in zip(xs, ys, strict=True)
        ]
    )
    return {
        **feature,
        "geometry": {**geometry, "coordinates": _rebuild(geometry["coordinates"], moved)},
    }
