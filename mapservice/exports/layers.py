"""The layers every export and the OGC API share: parks, sites, flows, synergies, routes.

A layer is a fixed list of fields (:mod:`mapservice.exports.fields`: stable property names, a
type, French and English labels, whether the value is confidential) and a function here that
turns domain objects into GeoJSON-shaped features, one at a time, so a large export can stream.
Who asks is one :class:`Scope` parameter (which parks, whether confidential values may leave),
applied here, before anything is written. Pure: no Flask, no database.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from mapservice.domain.access import Scope
from mapservice.domain.disclosure import quantity_withheld, shown_synergy
from mapservice.domain.model import (
    UNIT_LABELS,
    Direction,
    Flow,
    Member,
    Municipality,
    Park,
    Site,
    Synergy,
    SynergyStatus,
    places_holding,
)
from mapservice.domain.moments import rfc3339
from mapservice.domain.reasons import score_100, shown_reasons
from mapservice.exports.fields import LAYERS, Layer
from mapservice.geo import geojson
from mapservice.materials.taxonomy import Taxonomy
from mapservice.routing.paths import Route

DIRECTION_LABELS = {Direction.OUTPUT: ("offre", "offer"), Direction.INPUT: ("besoin", "need")}
STATUS_LABELS = {
    SynergyStatus.CANDIDATE: ("candidate", "candidate"),
    SynergyStatus.CONTACTED: ("contactée", "contacted"),
    SynergyStatus.IN_PROGRESS: ("en cours", "in progress"),
    SynergyStatus.REALISED: ("réalisée", "realised"),
    SynergyStatus.REJECTED: ("rejetée", "rejected"),
}


@dataclass(frozen=True)
class Context:
    """The reference data and registry a layer's features are written from."""

    parks: Mapping[str, Park]
    municipalities: Mapping[str, Municipality]
    taxonomy: Taxonomy
    members: Mapping[int, Member]


def _town(municipality_id: str | None, ctx: Context) -> Municipality | None:
    """The municipality that holds a sector or borough (itself for a municipality)."""
    chain = places_holding(municipality_id, ctx.municipalities)
    return chain[-1] if chain else None


def _keep(props: dict[str, Any], layer: Layer, scope: Scope) -> dict[str, Any]:
    names = layer.field_names(scope)
    return {name: props.get(name) for name in names}


def _named(
    member: Member | None, name: str | None, scope: Scope, park_id: str | None
) -> str | None:
    """A member's name leaves only with its consent, to those who see confidential data, or to
    those who may read names in the site's park."""
    if member is None:
        return name
    known = scope.confidential or (scope.names and scope.sees_park(park_id))
    return name if known or member.public_consent else None


def _right_hand(geometry: dict[str, Any]) -> dict[str, Any]:
    """RFC 7946's right-hand rule: exterior rings counter-clockwise, holes clockwise."""
    from shapely.geometry import mapping, shape
    from shapely.geometry.polygon import orient

    geom = shape(geometry)
    if geom.geom_type == "Polygon":
        geom = orient(geom, sign=1.0)
    elif geom.geom_type == "MultiPolygon":
        from shapely.geometry import MultiPolygon

        geom = MultiPolygon([orient(p, sign=1.0) for p in geom.geoms])
    else:
        return geometry
    return json.loads(json.dumps(mapping(geom)))


def park_features(parks: Iterable[Park], ctx: Context, scope: Scope) -> Iterator[dict[str, Any]]:
    layer = LAYERS["parks"]
    for park in parks:
        if not scope.sees_park(park.id):
            continue
        muni = ctx.municipalities.get(park.municipality_id)
        town = _town(park.municipality_id, ctx)
        props = {
            "park_id": park.id,
            "name": park.name,
            "kind": park.kind,
            "municipality_id": park.municipality_id,
            "municipality": muni.name if muni else None,
            "mrc": town.mrc if town else None,
            "status": park.status,
            "outline_status": park.outline_status,
            "area_ha": park.area_ha,
            "manager": park.manager,
        }
        geometry = (
            _right_hand(park.outline)
            if park.outline
            else geojson.point(park.centre_lon, park.centre_lat)
        )
        yield {
            "type": "Feature",
            "id": park.id,
            "geometry": geometry,
            "properties": _keep(props, layer, scope),
        }


def _site_props(site: Site, ctx: Context, scope: Scope) -> dict[str, Any]:
    member = ctx.members.get(site.member_id)
    named = _named(member, site.member_name, scope, site.park_id)
    muni = ctx.municipalities.get(site.municipality_id or "")
    town = _town(site.municipality_id, ctx)
    park = ctx.parks.get(site.park_id or "")
    hidden = named is None
    return {
        "site_id": site.id,
        "member_id": None if hidden else site.member_id,
        "member": named,
        "naics": site.naics_code,
        "site": None if hidden else site.name,
        "address": None if hidden else site.address,
        "postal_code": None if hidden else site.postal_code,
        "municipality_id": site.municipality_id,
        "municipality": muni.name if muni else None,
        "mrc": town.mrc if town else None,
        "park_id": site.park_id,
        "park": park.name if park else None,
        "precision": site.geocode_precision.value if site.geocode_precision else None,
        "contact_name": member.contact_name if member else None,
        "contact_email": member.contact_email if member else None,
        "contact_phone": member.contact_phone if member else None,
    }


def site_features(
    sites: Iterable[Site], flows: Iterable[Flow], ctx: Context, scope: Scope
) -> Iterator[dict[str, Any]]:
    """Sites in the scope's parks; a site of a member who did not consent stays, unnamed."""
    layer = LAYERS["sites"]
    counts: dict[int, list[int]] = {}
    for flow in flows:
        pair = counts.setdefault(flow.site_id, [0, 0])
        pair[0 if flow.direction is Direction.OUTPUT else 1] += 1
    for site in sites:
        if not scope.sees_park(site.park_id):
            continue
        props = _site_props(site, ctx, scope)
        offers, needs = counts.get(site.id or -1, [0, 0])
        props.update(offers=offers, needs=needs)
        geometry = (
            geojson.point(site.lon, site.lat)
            if site.lon is not None and site.lat is not None
            else None
        )
        yield {
            "type": "Feature",
            "id": site.id,
            "geometry": geometry,
            "properties": _keep(props, layer, scope),
        }


def flow_features(
    flows: Iterable[Flow], sites: Mapping[int, Site], ctx: Context, scope: Scope
) -> Iterator[dict[str, Any]]:
    """Offers and needs as points at their site; confidential quantities only with the right."""
    layer = LAYERS["flows"]
    for flow in flows:
        site = sites.get(flow.site_id)
        if site is None or not scope.sees_park(site.park_id):
            continue
        base = _site_props(site, ctx, scope)
        category = ctx.taxonomy.get(flow.category_code)
        hide_quantity = flow.confidential and not scope.confidential
        props = {
            "flow_id": flow.id,
            **base,
            "direction": flow.direction.value,
            "direction_fr": DIRECTION_LABELS[flow.direction][0],
            "category": flow.category_code,
            "category_fr": category.label_fr if category else None,
            "category_en": category.label_en if category else None,
            "description": flow.description if base["member"] is not None else None,
            "quantity": None if hide_quantity else flow.quantity,
            "unit": None if hide_quantity or flow.unit is None else flow.unit.value,
            "unit_fr": (
                None if hide_quantity or flow.unit is None else UNIT_LABELS[flow.unit]["fr"]
            ),
            "frequency": flow.frequency.value if flow.frequency else None,
            "hazardous": flow.hazardous,
            "confidential": flow.confidential,
        }
        geometry = (
            geojson.point(site.lon, site.lat)
            if site.lon is not None and site.lat is not None
            else None
        )
        yield {
            "type": "Feature",
            "id": flow.id,
            "geometry": geometry,
            "properties": _keep(props, layer, scope),
        }


def _thousandth(value: float | None) -> float | None:
    """Metres as km, kg as t (three decimals)."""
    return None if value is None else round(value / 1000, 3)


def _in_scope(
    synergies: Iterable[Synergy], flows: Mapping[int, Flow], sites: Mapping[int, Site], scope: Scope
) -> Iterator[tuple[Synergy, Flow, Flow, Site, Site]]:
    """Each synergy with an end in ``scope``, disclosed, with its two flows and sites (offer
    first); one whose flow or site is gone is left out."""
    for s in synergies:
        out_f, in_f = flows.get(s.output_flow_id), flows.get(s.input_flow_id)
        if out_f is None or in_f is None:
            continue
        a, b = sites.get(out_f.site_id), sites.get(in_f.site_id)
        if a is None or b is None or not (scope.sees_park(a.park_id) or scope.sees_park(b.park_id)):
            continue
        yield shown_synergy(s, out_f, in_f, a, b, scope), out_f, in_f, a, b


def synergy_features(
    synergies: Iterable[Synergy],
    flows: Mapping[int, Flow],
    sites: Mapping[int, Site],
    ctx: Context,
    scope: Scope,
) -> Iterator[dict[str, Any]]:
    """Synergies as lines from the offer's site to the need's, when one end is in scope.

    ``flows`` and ``sites`` are the disclosed ones (:func:`mapservice.domain.disclosure.
    shown_registry`): lines end at the shown points, and each synergy is disclosed too
    (:func:`~mapservice.domain.disclosure.shown_synergy`: no figure that gives a withheld
    quantity or a hidden point back).
    """
    layer = LAYERS["synergies"]
    for s, out_f, in_f, a, b in _in_scope(synergies, flows, sites, scope):
        secret = quantity_withheld(out_f, scope) or quantity_withheld(in_f, scope)
        category = ctx.taxonomy.get(out_f.category_code)

        props = {
            "synergy_id": s.id,
            "status": s.status.value,
            "status_fr": STATUS_LABELS[s.status][0],
            "kind": s.kind.value,
            "score": score_100(s.score),
            "output_flow_id": s.output_flow_id,
            "input_flow_id": s.input_flow_id,
            "output_member": _named(ctx.members.get(a.member_id), a.member_name, scope, a.park_id),
            "input_member": _named(ctx.members.get(b.member_id), b.member_name, scope, b.park_id),
            "output_park_id": a.park_id,
            "input_park_id": b.park_id,
            "category": out_f.category_code,
            "category_fr": category.label_fr if category else None,
            "geodesic_km": _thousandth(s.geodesic_m),
            "road_km": _thousandth(s.road_m),
            "duration_min": None if s.duration_s is None else round(s.duration_s / 60, 1),
            "tonnes_per_year": s.tonnes_per_year,
            "transport_t_co2e": _thousandth(s.transport_kg_co2e),
            "net_t_co2e": _thousandth(s.net_kg_co2e),
            "net_benefit_cad": s.net_benefit_cad,
            "updated_at": rfc3339(s.updated_at),
            # French, as stored; never a confidential quantity (shown_reasons, again: a
            # reason stored before a flow was marked confidential).
            "reasons": " | ".join(shown_reasons(s.reasons, secret=secret)),
        }
        geometry = None
        if None not in (a.lon, a.lat, b.lon, b.lat):
            geometry = geojson.line([(a.lon, a.lat), (b.lon, b.lat)])  # type: ignore[list-item]
        yield {
            "type": "Feature",
            "id": s.id,
            "geometry": geometry,
            "properties": _keep(props, layer, scope),
        }


def route_features(
    synergies: Iterable[Synergy],
    flows: Mapping[int, Flow],
    sites: Mapping[int, Site],
    routes: Mapping[int, Route | None],
    scope: Scope,
) -> Iterator[dict[str, Any]]:
    """The synergies of :func:`synergy_features` (same scope rule), each along its road route
    (``routes`` by synergy id, None where none is drawn: then the straight line, ``by_road``
    false). A MultiLineString: the access legs (site → road, road → site) are its first and
    last parts, the network part between them.
    """
    layer = LAYERS["routes"]
    for s, _offer, _need, a, b in _in_scope(synergies, flows, sites, scope):
        route = routes.get(s.id or -1) if s.road_m is not None else None
        props = {
            "synergy_id": s.id,
            "status": s.status.value,
            "by_road": route is not None,
            "distance_m": None if s.road_m is None else round(s.road_m, 1),
            "duration_s": None if s.duration_s is None else round(s.duration_s, 1),
            "access_m": None if route is None else round(route.access_m, 1),
        }
        geometry = None
        if route is not None:
            geometry = geojson.route_feature({}, [p for p, _ in route.parts()])["geometry"]
        elif None not in (a.lon, a.lat, b.lon, b.lat):
            geometry = geojson.route_feature({}, [[(a.lon, a.lat), (b.lon, b.lat)]])["geometry"]  # type: ignore[list-item]
        yield {
            "type": "Feature",
            "id": s.id,
            "geometry": geometry,
            "properties": _keep(props, layer, scope),
        }
