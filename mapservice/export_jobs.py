"""Reading a layer for an export or the OGC API: filters, bbox, scope, in feature order.

One :class:`LayerQuery` carries what every download and the OGC API accept (the map's filters
plus ``status`` and ``bbox``); :func:`layer_features` yields the features of one layer for one
scope, lazily, so writers can stream.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mapservice.errors import InvalidInput, NotFound
from mapservice.layers import (
    LAYERS,
    Context,
    Scope,
    flow_features,
    park_features,
    site_features,
    synergy_features,
)
from mapservice.map_filters import MapFilter, apply_filter, parse_filter
from mapservice.map_views import anonymised, filter_choices
from mapservice.model import SynergyStatus

if TYPE_CHECKING:
    from mapservice.services import Services

#: Parameters a layer query reads, beyond the map's filters.
EXTRA = ("status", "bbox")


@dataclass(frozen=True)
class LayerQuery:
    filter: MapFilter = field(default_factory=MapFilter)
    status: SynergyStatus | None = None
    bbox: tuple[float, float, float, float] | None = None


def parse_bbox(text: str | None) -> tuple[float, float, float, float] | None:
    """``min_lon,min_lat,max_lon,max_lat`` in WGS84 degrees (OGC API order)."""
    if not text:
        return None
    parts = text.split(",")
    try:
        values = [float(p) for p in parts]
    except ValueError:
        values = []
    if len(values) != 4 or not (-180 <= values[0] <= values[2] <= 180
                                and -90 <= values[1] <= values[3] <= 90):
        raise InvalidInput(f"bbox invalide : {text!r} (attendu : min_lon,min_lat,max_lon,"
                           "max_lat en degrés, ex. -72.5,48.2,-70.8,48.9).", field="bbox")
    return values[0], values[1], values[2], values[3]


def parse_query(svc: Services, args: Mapping[str, str]) -> LayerQuery:
    """Read a layer query from query parameters; :class:`InvalidInput` names the parameter."""
    status_text = (args.get("status") or "").strip()
    status = None
    if status_text:
        try:
            status = SynergyStatus(status_text)
        except ValueError:
            raise InvalidInput(f"Statut inconnu : {status_text!r} (attendu : "
                               f"{', '.join(s.value for s in SynergyStatus)}).",
                               field="status") from None
    return LayerQuery(filter=parse_filter(args, filter_choices(svc)), status=status,
                      bbox=parse_bbox(args.get("bbox")))


def context(svc: Services) -> Context:
    return Context(parks=svc.park_ids(), municipalities=svc.gazetteer.municipalities,
                   taxonomy=svc.taxonomy, members={m.id: m for m in svc.repo.members()
                                                   if m.id is not None})


def _in_bbox(feature: dict[str, Any], bbox: tuple[float, float, float, float] | None) -> bool:
    if bbox is None:
        return True
    geometry = feature["geometry"]
    if geometry is None:
        return False
    min_lon, min_lat, max_lon, max_lat = bbox
    points: list[Any] = []
    todo = [geometry["coordinates"]]
    while todo:  # every position, whatever the nesting (points, lines, polygons)
        item = todo.pop()
        if item and isinstance(item[0], int | float):
            points.append(item)
        else:
            todo.extend(item)
    return any(min_lon <= p[0] <= max_lon and min_lat <= p[1] <= max_lat for p in points)


def layer_features(svc: Services, layer_id: str, query: LayerQuery, scope: Scope, *,
                   anonymise: bool = False) -> Iterator[dict[str, Any]]:
    """The features of one layer that the query selects and the scope may read.

    ``anonymise`` places the sites of members who did not consent as the anonymised map does
    (at their park or town), so that an export of that map shows what it shows.
    """
    if layer_id not in LAYERS:
        raise NotFound(f"Couche inconnue : {layer_id!r} (attendu : {', '.join(LAYERS)}).")
    ctx = context(svc)
    if layer_id == "parks":
        view = query.filter
        parks = [p for p in svc.repo.parks()
                 if (not view.park or p.id == view.park)
                 and (not view.municipality or p.municipality_id == view.municipality)]
        found: Iterator[dict[str, Any]] = park_features(parks, ctx, scope)
    else:
        sites, flows = svc.sites_with_flows()
        if anonymise:
            sites = anonymised(sites, ctx.parks, ctx.municipalities)
        sites, flows = apply_filter(query.filter, sites, flows, filter_choices(svc))
        by_site = {s.id: s for s in sites if s.id is not None}
        if layer_id == "sites":
            found = site_features(sites, flows, ctx, scope)
        elif layer_id == "flows":
            found = flow_features(flows, by_site, ctx, scope)
        else:
            by_flow = {f.id: f for f in flows if f.id is not None}
            synergies = [s for s in svc.repo.synergies(status=query.status)
                         if s.output_flow_id in by_flow and s.input_flow_id in by_flow]
            found = synergy_features(synergies, by_flow, by_site, ctx, scope)
    return (f for f in found if _in_bbox(f, query.bbox))
