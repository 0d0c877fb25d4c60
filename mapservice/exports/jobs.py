"""Reading a layer for an export or the OGC API: filters, bbox, scope, in feature order.

One :class:`LayerQuery` carries what every download and the OGC API accept (the map's filters
plus ``status`` and ``bbox``); :func:`layer_features` yields the features of one layer for one
scope, lazily, so writers can stream.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from mapservice.domain.access import PUBLIC, Scope
from mapservice.domain.disclosure import hidden_points, shown_registry
from mapservice.domain.model import Flow, Park, Site, Synergy, SynergyStatus
from mapservice.errors import InvalidInput, NotFound, tr
from mapservice.exports.extents import in_interval
from mapservice.exports.fields import LAYERS
from mapservice.exports.layers import (
    Context,
    flow_features,
    park_features,
    route_features,
    site_features,
    synergy_features,
)
from mapservice.exports.property_filters import PropertyFilter, kept
from mapservice.geo import geojson
from mapservice.geo.boxes import Box, contains, intersects, parse_bbox, segment_meets
from mapservice.routing.paths import Route
from mapservice.views.map_filters import MapFilter, apply_filter, parse_filter
from mapservice.views.map_view import filter_choices
from mapservice.views.route_lines import LineEnds, line_routes

if TYPE_CHECKING:
    from mapservice.services import Services

#: Parameters a layer query reads, beyond the map's filters.
EXTRA = ("status", "bbox")


@dataclass(frozen=True)
class LayerQuery:
    filter: MapFilter = field(default_factory=MapFilter)
    status: SynergyStatus | None = None
    bbox: tuple[float, float, float, float] | None = None
    #: Inclusive interval on ``updated_at`` (synergies only), either end open.
    datetime: tuple[datetime | None, datetime | None] | None = None
    #: Equality on property values (:mod:`mapservice.exports.property_filters`), applied to
    #: the features as the reader receives them, before any paging.
    properties: PropertyFilter = ()


#: The layers made of the synergies (they change when a synergy moves along the pipeline).
SYNERGY_LAYERS = frozenset({"synergies", "routes"})
#: Up to this many synergies are read by id; more, by reading them all (one query).
PAGE_READ = 10_000
#: The layers that have a time: the synergies, by their last change.
TIMED = frozenset({"synergies"})


def parse_query(svc: Services, args: Mapping[str, str]) -> LayerQuery:
    """Read a layer query from query parameters; :class:`InvalidInput` names the parameter."""
    status_text = (args.get("status") or "").strip()
    status = None
    if status_text:
        try:
            status = SynergyStatus(status_text)
        except ValueError:
            raise InvalidInput(
                tr(
                    "Statut inconnu : {status_text!r} (attendu : {allowed}).",
                    status_text=status_text,
                    allowed=", ".join(s.value for s in SynergyStatus),
                ),
                field="status",
            ) from None
    return LayerQuery(
        filter=parse_filter(args, filter_choices(svc)),
        status=status,
        bbox=parse_bbox(args.get("bbox")),
    )


def context(svc: Services) -> Context:
    return Context(
        parks=svc.park_ids(),
        municipalities=svc.gazetteer.municipalities,
        taxonomy=svc.taxonomy,
        members={m.id: m for m in svc.repo.members() if m.id is not None},
    )


@dataclass(frozen=True)
class Selection:
    """What a layer query selects, before any feature is written: ``items`` (parks, sites,
    flows or synergies, disclosed, filtered, in ``bbox``, in feature order) and ``build``,
    which writes the features of any run of them: a page writes its own items only."""

    items: list[Any]
    build: Callable[[Sequence[Any]], Iterator[dict[str, Any]]]


def _point(site: Site | None) -> dict[str, Any] | None:
    if site is None or site.lon is None or site.lat is None:
        return None
    return geojson.point(site.lon, site.lat)


def _park_shape(park: Park) -> dict[str, Any]:
    return park.outline or geojson.point(park.centre_lon, park.centre_lat)


def _line_meets(a: Site, b: Site, box: Box) -> bool:
    """Whether the straight line between two shown sites meets ``box`` (none without both
    points), without making its geometry: tested on every synergy a box selects."""
    if a.lon is None or a.lat is None or b.lon is None or b.lat is None:
        return False
    return segment_meets((a.lon, a.lat), (b.lon, b.lat), box)


def _check(layer_id: str, query: LayerQuery) -> None:
    if layer_id not in LAYERS:
        raise NotFound(
            tr(
                "Couche inconnue : {layer_id!r} (attendu : {allowed}).",
                layer_id=layer_id,
                allowed=", ".join(LAYERS),
            )
        )
    if query.datetime is not None and layer_id not in TIMED:
        raise InvalidInput(
            tr(
                "datetime ne s'applique pas à la couche {layer_id} (seulement à : {allowed}).",
                layer_id=layer_id,
                allowed=", ".join(sorted(TIMED)),
            ),
            field="datetime",
        )


def select(
    svc: Services, layer_id: str, query: LayerQuery, scope: Scope, *, anonymise: bool = False
) -> Selection:
    """The items of one layer that the query selects and the scope may read.

    The registry is disclosed to the scope first (:mod:`mapservice.domain.disclosure`), so
    filters, ``q``, ``bbox`` and counts run over what the reader may see only: ``bbox`` keeps
    what intersects the *shown* geometry (a hidden site at its park's centre), never the true
    one. ``anonymise`` discloses it as to the public (the anonymised map's export shows what
    that map shows).
    """
    _check(layer_id, query)
    ctx = context(svc)
    box = query.bbox

    def hits(shown: Callable[..., dict[str, Any] | None], *of: Any) -> bool:
        """Whether the shown geometry ``shown(*of)`` (made only when a box asks) is in it."""
        return box is None or intersects(shown(*of), box)

    if layer_id == "parks":
        view = query.filter
        parks = [
            p
            for p in svc.repo.parks()
            if (not view.park or p.id == view.park)
            and (not view.municipality or p.municipality_id == view.municipality)
            and scope.sees_park(p.id)
            and hits(_park_shape, p)
        ]
        return Selection(parks, lambda run: park_features(run, ctx, scope))
    reader = PUBLIC if anonymise else scope
    if box is not None and layer_id in ("sites", "flows"):
        # The store's spatial index reads the sites the box may show, then the exact test.
        sites, flows = _sites_in_box(svc, ctx, box, query.filter.park or None, reader)
    else:
        # One park's export reads that park's sites only (apply_filter would drop the rest).
        sites, flows = svc.sites_with_flows(park_id=query.filter.park or None)
    sites, flows = shown_registry(sites, flows, ctx.parks, ctx.municipalities, reader)
    sites, flows = apply_filter(query.filter, sites, flows, filter_choices(svc))
    by_site = {s.id: s for s in sites if s.id is not None}
    if layer_id == "sites":
        chosen = [s for s in sites if scope.sees_park(s.park_id) and hits(_point, s)]
        return Selection(chosen, lambda run: site_features(run, flows, ctx, scope))
    if layer_id == "flows":
        held = [
            f
            for f in flows
            if (site := by_site.get(f.site_id)) is not None
            and scope.sees_park(site.park_id)
            and hits(_point, site)
        ]
        return Selection(held, lambda run: flow_features(run, by_site, ctx, scope))
    by_flow = {f.id: f for f in flows if f.id is not None}
    # Selected on their ends and time only; a page reads its own synergies' figures.
    chosen_ids = []
    # A line's box test runs in the store first (a route's road may leave its line's box).
    heads = svc.repo.synergy_heads(
        status=query.status,
        bbox=box if layer_id == "synergies" else None,
        or_unconsented=not reader.confidential,
    )
    for synergy_id, out_id, in_id, updated_at in heads:
        out_f, in_f = by_flow.get(out_id), by_flow.get(in_id)
        if out_f is None or in_f is None or not in_interval(updated_at, query.datetime):
            continue
        a, b = by_site.get(out_f.site_id), by_site.get(in_f.site_id)
        if a is None or b is None or not (scope.sees_park(a.park_id) or scope.sees_park(b.park_id)):
            continue
        # A route's line is known once its road is drawn: the routes layer is tested below.
        if layer_id == "routes" or box is None or _line_meets(a, b, box):
            chosen_ids.append(synergy_id)

    def read(run: Sequence[int]) -> list[Synergy]:
        if len(run) <= PAGE_READ:
            return svc.repo.synergies_by_id(run)
        wanted = set(run)
        return [s for s in svc.repo.synergies(status=query.status) if s.id in wanted]

    if layer_id == "synergies":
        return Selection(
            chosen_ids, lambda run: synergy_features(read(run), by_flow, by_site, ctx, scope)
        )

    def routes(run: Sequence[int]) -> Iterator[dict[str, Any]]:
        synergies = read(run)
        drawn = _routes(svc, synergies, by_flow, by_site)
        return route_features(synergies, by_flow, by_site, drawn, scope)

    if box is None:
        return Selection(chosen_ids, routes)
    drawn = [f for f in routes(chosen_ids) if intersects(f["geometry"], box)]
    return Selection(drawn, iter)


def _sites_in_box(
    svc: Services, ctx: Context, box: Box, park_id: str | None, reader: Scope
) -> tuple[list[Site], list[Flow]]:
    """The sites (of one park) that ``box`` may show to ``reader``, with their flows: those
    whose point is in it, by the store's spatial index, and, for a reader who does not see
    every site exactly, those of the parks and places where hidden sites are drawn in it.
    The caller discloses them, then keeps those whose shown point is in the box."""
    near_parks: set[str] = set()
    near_places: set[str] = set()
    if not reader.confidential:
        by_park, by_place = hidden_points(ctx.parks, ctx.municipalities)
        near_parks = {pid for pid, at in by_park.items() if contains(box, at)}
        near_places = {mid for mid, at in by_place.items() if contains(box, at)}
    sites = svc.repo.sites(
        park_id=park_id, bbox=box, or_park_ids=near_parks, or_municipality_ids=near_places
    )
    return sites, svc.repo.flows(site_ids=[s.id for s in sites if s.id is not None])


def layer_features(
    svc: Services, layer_id: str, query: LayerQuery, scope: Scope, *, anonymise: bool = False
) -> Iterator[dict[str, Any]]:
    """The features of one layer that the query selects and the scope may read (see
    :func:`select`), written one at a time, so writers can stream; then its property filters."""
    chosen = select(svc, layer_id, query, scope, anonymise=anonymise)
    return iter(kept(chosen.build(chosen.items), query.properties))


def layer_page(
    svc: Services, layer_id: str, query: LayerQuery, scope: Scope, offset: int, limit: int
) -> tuple[int, list[dict[str, Any]]]:
    """How many features the query matches, and the features of one page of them.

    Only the page's features are written (for routes, only its roads drawn); the selection is
    kept like :func:`cached_features` (``MAPSERVICE_CACHE_LAYER_READS``), so the next page
    costs a slice. Property filters compare written features: with one, the whole layer is.
    """
    if query.properties:
        matched = cached_features(svc, layer_id, query, scope)
        return len(matched), matched[offset : offset + limit]
    chosen = _kept_selection(svc, layer_id, query, scope)
    return len(chosen.items), list(chosen.build(chosen.items[offset : offset + limit]))


def layer_item(
    svc: Services, layer_id: str, scope: Scope, feature_id: str
) -> dict[str, Any] | None:
    """The feature of ``feature_id`` in one layer as ``scope`` reads it (None if it has
    none): the layer's selection (kept as for :func:`layer_page`), and that item written."""
    chosen = _kept_selection(svc, layer_id, LayerQuery(), scope)
    run = [i for i in chosen.items if str(getattr(i, "id", i)) == feature_id]
    return next((f for f in chosen.build(run) if str(f["id"]) == feature_id), None)


def _kept_selection(svc: Services, layer_id: str, query: LayerQuery, scope: Scope) -> Selection:
    stamp = svc.change_stamp()
    moved = stamp.synergies if layer_id in SYNERGY_LAYERS else None
    return svc.caches.kept(
        "layer_reads",
        stamp,
        ("selection", moved, layer_id, query, scope),
        lambda: select(svc, layer_id, query, scope),
    )


def _routes(
    svc: Services,
    synergies: Sequence[Synergy],
    flows: Mapping[int, Flow],
    sites: Mapping[int, Site],
) -> dict[int, Route | None]:
    """The road route of each synergy by id (see :func:`~mapservice.views.route_lines.line_routes`):
    none for a synergy with an end whose exact position the export does not show (an
    anonymised site has no name)."""
    ends, ids = [], []
    for s in synergies:
        a, b = sites.get(flows[s.output_flow_id].site_id), sites.get(flows[s.input_flow_id].site_id)
        if a is None or b is None or None in (a.lon, a.lat, b.lon, b.lat) or s.id is None:
            continue
        exact = a.member_name is not None and b.member_name is not None
        ends.append(LineEnds((a.lon, a.lat), (b.lon, b.lat), exact, s.distance_backend, s.road_m))  # type: ignore[arg-type]
        ids.append(s.id)
    return dict(zip(ids, line_routes(svc, ends), strict=True))


def cached_features(
    svc: Services, layer_id: str, query: LayerQuery, scope: Scope
) -> list[dict[str, Any]]:
    """:func:`layer_features` as a list, kept until a site or flow changes (or, for
    the synergies layer, a synergy).

    Paging through a layer (GDAL asks for it a page at a time, then each feature by id) then
    costs one stamp query and a slice, not a rebuild of the whole layer per page. Treat the
    result as read-only. ``MAPSERVICE_CACHE_LAYER_READS=0`` keeps none (the benchmark's
    baseline).
    """
    stamp = svc.change_stamp()
    # Only the synergies and routes layers change when a synergy moves along the pipeline.
    moved = stamp.synergies if layer_id in SYNERGY_LAYERS else None
    return svc.caches.kept(
        "layer_reads",
        stamp,
        (moved, layer_id, query, scope),
        lambda: list(layer_features(svc, layer_id, query, scope)),
    )
