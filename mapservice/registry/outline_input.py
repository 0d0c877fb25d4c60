"""Read a park outline that a person uploads or draws: GeoJSON in, a checked geometry out.

Accepted: a Polygon or MultiPolygon Feature, a FeatureCollection of exactly one such feature,
or a bare Polygon/MultiPolygon geometry; coordinates in lon/lat (RFC 7946). The outline must
be a valid polygon (a self-crossing ring is made valid, and the result says so), lie inside the
region and have a plausible area for an industrial park. Every refusal says what was expected,
what came and where.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

import shapely
from shapely.geometry import MultiPolygon, Polygon, mapping, shape
from shapely.geometry.polygon import orient

from mapservice.errors import InvalidInput, tr
from mapservice.geocoding.region import Region, to_metres

#: Smallest and largest outline accepted, in hectares (the Grande-Anse port zone is 1,170 ha;
#: the Henri-Girard park association's territory 2,800 ha).
MIN_AREA_HA = 0.5
MAX_AREA_HA = 3_000
#: Largest upload, in bytes (an outline has hundreds of vertices, not millions).
MAX_BYTES = 2_000_000
#: Decimals kept (about 10 cm).
DECIMALS = 6
_POLYGONAL = ("Polygon", "MultiPolygon")


@dataclass(frozen=True)
class CheckedOutline:
    """An outline ready to store: GeoJSON geometry (lon/lat), its area and what was fixed."""

    geometry: dict[str, Any]
    area_ha: float
    note: str | None = None


def _fail(message: str) -> InvalidInput:
    return InvalidInput(message, field="outline")


def _geometry_of(data: Any) -> dict[str, Any]:
    """The geometry member of a Feature, a one-feature FeatureCollection or a bare geometry."""
    if not isinstance(data, dict) or "type" not in data:
        raise _fail(
            tr(
                "Attendu : un objet GeoJSON (Feature, FeatureCollection ou géométrie) ; "
                "reçu : {got}.",
                got=type(data).__name__,
            )
        )
    kind = data["type"]
    if kind == "FeatureCollection":
        features = data.get("features")
        if not isinstance(features, list) or len(features) != 1:
            count = len(features) if isinstance(features, list) else 0
            raise _fail(
                tr(
                    "Attendu : une FeatureCollection d'une seule entité (le contour du parc) ; "
                    "reçu : {count} entités.",
                    count=count,
                )
            )
        return _geometry_of(features[0])
    if kind == "Feature":
        geometry = data.get("geometry")
        if not isinstance(geometry, dict):
            raise _fail(tr("L'entité (Feature) n'a pas de géométrie : attendu un Polygon."))
        return geometry
    return data


def _check_coordinates(coordinates: Any, where: str) -> None:
    """Every position is [lon, lat] of finite numbers within their ranges."""
    if isinstance(coordinates, list) and coordinates and isinstance(coordinates[0], int | float):
        if len(coordinates) < 2 or not all(isinstance(v, int | float) for v in coordinates):
            raise _fail(
                tr(
                    "Position {where} : attendu [longitude, latitude] ; reçu {got}.",
                    where=where,
                    got=json.dumps(coordinates)[:80],
                )
            )
        lon, lat = float(coordinates[0]), float(coordinates[1])
        if not (math.isfinite(lon) and math.isfinite(lat)) or not (
            -180 <= lon <= 180 and -90 <= lat <= 90
        ):
            raise _fail(
                tr(
                    "Position {where} : [{lon}, {lat}] n'est pas une longitude, latitude en "
                    "degrés (attendu : longitude -180 à 180, latitude -90 à 90, EPSG:4326).",
                    where=where,
                    lon=lon,
                    lat=lat,
                )
            )
        return
    if not isinstance(coordinates, list) or not coordinates:
        raise _fail(tr("Coordonnées {where} : attendu une liste de positions.", where=where))
    for index, item in enumerate(coordinates):
        _check_coordinates(item, f"{where}[{index}]")


def read_outline(text: str | bytes, region: Region) -> CheckedOutline:
    """Check an uploaded or drawn outline and return it ready to store.

    Parameters
    ----------
    text
        The GeoJSON text (UTF-8).
    region
        The region's extent: every vertex must lie in it.

    Raises
    ------
    InvalidInput
        With ``field="outline"`` and a French message saying what was expected and what came.
    """
    if len(text) > MAX_BYTES:
        raise _fail(
            tr("Fichier trop gros : {size} octets (au plus {max}).", size=len(text), max=MAX_BYTES)
        )
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise _fail(
                tr("Le fichier n'est pas du texte UTF-8 : attendu un fichier GeoJSON.")
            ) from None
    if not text.strip():
        raise _fail(tr("Aucun contour reçu : attendu un fichier GeoJSON ou un tracé sur la carte."))
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _fail(
            tr(
                "GeoJSON illisible à la ligne {line}, colonne {column} : {reason}.",
                line=exc.lineno,
                column=exc.colno,
                reason=exc.msg,
            )
        ) from None
    geometry = _geometry_of(data)
    kind = geometry.get("type")
    if kind not in _POLYGONAL:
        raise _fail(
            tr(
                "Attendu : un Polygon ou un MultiPolygon (le contour du parc) ; reçu : {kind}.",
                kind=str(kind)[:40],
            )
        )
    _check_coordinates(geometry.get("coordinates"), "coordinates")
    try:
        outline = shape(geometry)
    except (ValueError, TypeError, AttributeError, IndexError) as exc:
        raise _fail(
            tr(
                "Le {kind} est mal formé : {reason} (un anneau a au moins 4 positions, la "
                "dernière égale à la première).",
                kind=kind,
                reason=str(exc)[:120],
            )
        ) from None
    note = None
    if not outline.is_valid:
        reason = shapely.is_valid_reason(outline)
        fixed = shapely.make_valid(outline)
        polygons = [g for g in getattr(fixed, "geoms", [fixed]) if g.geom_type in _POLYGONAL]
        outline = shapely.union_all(polygons) if polygons else shapely.Polygon()
        if outline.is_empty:
            raise _fail(tr("Le contour n'a aucune surface ({reason}).", reason=reason))
        note = str(tr("contour corrigé (il n'était pas valide : {reason})", reason=reason))
    for lon, lat in shapely.get_coordinates(outline):
        if not region.contains(float(lon), float(lat)):
            swapped = region.contains(float(lat), float(lon))
            raise _fail(
                tr(
                    "Le sommet [{lon}, {lat}] est hors du Saguenay–Lac-Saint-Jean{hint}.",
                    lon=round(float(lon), 6),
                    lat=round(float(lat), 6),
                    hint=tr(
                        " : latitude et longitude inversées ? GeoJSON attend [longitude, latitude]"
                    )
                    if swapped
                    else "",
                )
            )
    area_ha = float(to_metres(outline).area) / 10_000
    if not MIN_AREA_HA <= area_ha <= MAX_AREA_HA:
        raise _fail(
            tr(
                "Surface du contour : {area} ha ; attendu entre {low} et {high} ha pour un parc "
                "industriel.",
                area=round(area_ha, 2),
                low=MIN_AREA_HA,
                high=MAX_AREA_HA,
            )
        )
    rounded = shapely.set_precision(outline, 10**-DECIMALS)
    if rounded.is_valid and not rounded.is_empty:
        outline = rounded
    # Exterior rings counter-clockwise, as RFC 7946 asks.
    if isinstance(outline, MultiPolygon):
        outline = MultiPolygon([orient(p) for p in outline.geoms])
    elif isinstance(outline, Polygon):
        outline = orient(outline)
    return CheckedOutline(geometry=_plain(mapping(outline)), area_ha=round(area_ha, 2), note=note)


def _plain(value: Any) -> Any:
    """Tuples to lists, so the geometry serialises as GeoJSON does."""
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value
