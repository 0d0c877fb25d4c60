"""The one module that writes GeoJSON (RFC 7946): WGS84 [lon, lat], no ``crs``, 6 decimals."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from mapservice.domain.model import Direction, Flow, Municipality, Park, Site
from mapservice.materials.taxonomy import Taxonomy

DECIMALS = 6


def point(lon: float, lat: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [round(lon, DECIMALS), round(lat, DECIMALS)]}


def positions(coordinates: Any) -> Iterator[list[float]]:
    """Every position of a GeoJSON ``coordinates`` member, whatever its nesting, in order."""
    if coordinates and isinstance(coordinates[0], int | float):
        yield coordinates
        return
    for part in coordinates:
        yield from positions(part)


def bounds(geometries: Iterable[Mapping[str, Any] | None]) -> tuple[float, ...] | None:
    """Min lon, min lat, max lon, max lat of every position of ``geometries`` (None when
    they hold none)."""
    lons: list[float] = []
    lats: list[float] = []
    for geometry in geometries:
        for position in positions((geometry or {}).get("coordinates") or []):
            lons.append(position[0])
            lats.append(position[1])
    if not lons:
        return None
    return (min(lons), min(lats), max(lons), max(lats))


def feature_collection(features: Iterable[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": list(features)}


def site_feature(
    site: Site,
    flows: list[Flow],
    *,
    park: Park | None,
    municipality: Municipality | None,
    taxonomy: Taxonomy,
) -> dict[str, Any]:
    """Return one site as a Feature whose ``id`` is the site's id."""

    def flow_props(flow: Flow) -> dict[str, Any]:
        category = taxonomy.get(flow.category_code)
        return {
            "id": flow.id,
            "category": flow.category_code,
            "category_fr": category.label_fr if category else None,
            "description": flow.description,
            "quantity": None if flow.confidential else flow.quantity,
            "unit": None if flow.confidential or flow.unit is None else flow.unit.value,
            "hazardous": flow.hazardous,
        }

    return {
        "type": "Feature",
        "id": site.id,
        "geometry": point(site.lon, site.lat)
        if site.lon is not None and site.lat is not None
        else None,
        "properties": {
            "site_id": site.id,
            "member_id": site.member_id,
            "member": site.member_name,
            "naics": site.naics_code,
            "name": site.name,
            "address": site.address,
            "postal_code": site.postal_code,
            "municipality_id": site.municipality_id,
            "municipality": municipality.name if municipality else None,
            "park_id": site.park_id,
            "park": park.name if park else None,
            "precision": site.geocode_precision.value if site.geocode_precision else None,
            "geocode_source": site.geocode_source,
            "offers": [flow_props(f) for f in flows if f.direction is Direction.OUTPUT],
            "needs": [flow_props(f) for f in flows if f.direction is Direction.INPUT],
        },
    }


def sites_collection(
    sites: list[Site],
    flows: list[Flow],
    *,
    parks: Mapping[str, Park],
    municipalities: Mapping[str, Municipality],
    taxonomy: Taxonomy,
) -> dict[str, Any]:
    by_site: dict[int, list[Flow]] = {}
    for flow in flows:
        by_site.setdefault(flow.site_id, []).append(flow)
    return feature_collection(
        site_feature(
            s,
            by_site.get(s.id or -1, []),
            park=parks.get(s.park_id or ""),
            municipality=municipalities.get(s.municipality_id or ""),
            taxonomy=taxonomy,
        )
        for s in sites
    )


def line(points: Iterable[tuple[float, float]]) -> dict[str, Any]:
    """A LineString from (lon, lat) points."""
    return {
        "type": "LineString",
        "coordinates": [[round(lon, DECIMALS), round(lat, DECIMALS)] for lon, lat in points],
    }


def synergy_feature(
    properties: dict[str, Any],
    a: tuple[float, float],
    b: tuple[float, float],
    fid: str | int | None = None,
) -> dict[str, Any]:
    """A synergy as a line from the offer's site (a) to the need's site (b), lon/lat."""
    feature: dict[str, Any] = {
        "type": "Feature",
        "geometry": line([a, b]),
        "properties": properties,
    }
    if fid is not None:
        feature["id"] = fid
    return feature


def route_feature(
    properties: dict[str, Any], parts: Iterable[Iterable[tuple[float, float]]]
) -> dict[str, Any]:
    """A synergy drawn along its road route: one MultiLineString of its parts, lon/lat, in
    driving order from the offer's site to the need's."""
    coordinates = [line(points)["coordinates"] for points in parts]
    return {
        "type": "Feature",
        "geometry": {"type": "MultiLineString", "coordinates": coordinates},
        "properties": properties,
    }
