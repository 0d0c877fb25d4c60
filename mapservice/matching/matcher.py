"""Candidate synergies: who nearby could use an offer, how far the truck drives, is it worth it.

Pure: sites, flows, the taxonomy, a live :class:`~mapservice.geo.spatial_index.SiteIndex`, a
distance backend and the transport model in; ranked :class:`Candidate` pairs out, each with its
reasons. Nothing here reads a database or speaks HTTP.

Compatibility, strongest first:

* the same category on both sides (an offer of X, a need for X) — substitution, strength 1.0;
* the offer is a kind of what is needed (offer "sciure", need "bois") — 0.8; the other way
  (offer "bois", need "sciure") — 0.5: it may or may not be the right kind;
* a declared rule output → input of ``compatibility.csv`` with its strength (times
  :data:`~mapservice.materials.compatibility.RULE_CERTAINTY`) and kind; a rule of the offer's
  parent applies to the child at 90 % of that (a rule of strength 0 forbids the link);
* *mutualisation*: two nearby sites with the same need or the same offer (shared transport,
  group purchasing), or the same ``mutualisation.*`` category — within
  :data:`MUTUALISATION_MAX_KM`.

The quality words each side states (« écorcés », « non traitée ») count in the score too (see
:mod:`mapservice.matching.scoring`).

Hazardous offers (flagged on the flow or hazardous by category) go only to needs that accept
hazardous material (the need's flow is flagged hazardous). Candidates beyond the plausible
transport distance of the offered category (``max_transport_km``: a few km for heat, tens for
wet organics, hundreds for metals) are never proposed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import numpy as np

from mapservice.domain.model import Direction, Flow, Site, SynergyKind
from mapservice.errors import N_
from mapservice.geo.projection import LAMBERT_MARGIN, TO_LAMBERT
from mapservice.geo.spatial_index import SpatialIndex
from mapservice.matching import scoring
from mapservice.matching.arrays import (
    FlowGroup,
    comparable_quantity,
    geodesic_to,
    is_hazardous,
    quality_masks,
)
from mapservice.matching.candidate import Candidate, make_candidate
from mapservice.matching.reach import CategoryReach, mutual_reach_m
from mapservice.matching.road_distances import road_distances
from mapservice.matching.scoring import MUTUALISATION_MAX_KM, UNIT_KINDS
from mapservice.matching.site_search import SiteSearch
from mapservice.materials.compatibility import Compatibility, Fit
from mapservice.materials.impact import TransportModel
from mapservice.materials.taxonomy import Category, Taxonomy
from mapservice.routing.base import DistanceBackend

#: Mutualisation partners kept per flow: the nearest ones.
MUTUALISATION_PER_FLOW = 5


class Matcher:
    """Candidate synergies over one snapshot of the registry and a live site index."""

    def __init__(
        self,
        *,
        sites: Iterable[Site],
        flows: Iterable[Flow],
        taxonomy: Taxonomy,
        index: SpatialIndex,
        model: TransportModel,
        compatibility: Compatibility | None = None,
    ) -> None:
        self.taxonomy = taxonomy
        self.index = index
        self.model = model
        self.compat = compatibility or Compatibility(taxonomy)
        self.sites = {s.id: s for s in sites if s.id is not None}
        self.flows_by_site: dict[int, list[Flow]] = defaultdict(list)
        self.flows_by_code: dict[tuple[Direction, str], list[Flow]] = defaultdict(list)
        for flow in flows:
            if flow.to_classify:  # its category is a guess: matched once staff classify it
                continue
            self.flows_by_site[flow.site_id].append(flow)
            self.flows_by_code[(flow.direction, flow.category_code)].append(flow)
        self._groups: dict[tuple[Direction, str], FlowGroup | None] = {}
        self._max_site_id = max(self.sites, default=0)
        for key in list(self.flows_by_code):  # built once, before any query
            self._group(key)
        self._reach = CategoryReach(taxonomy)

    # --- public -------------------------------------------------------------------------------

    def for_site(
        self,
        site_id: int,
        *,
        distances: DistanceBackend,
        max_km: float | None = None,
        category: str | None = None,
        limit: int | None = None,
    ) -> list[Candidate]:
        """Every candidate synergy one of this site's flows takes part in, best first."""
        site = self.sites[site_id]
        search = self._pairs_for_site(site, max_km=max_km, category=category)
        if limit is None or search.size <= limit + 20:
            return self._finish(search.pairs(None), distances, limit, site_id)
        # Road distance is never shorter than the straight line, so each pair's score on the
        # straight line bounds its real score. Route the best by that bound; stop when the
        # next bound cannot beat the limit-th real score (else take four times as many).
        order = np.argsort(-search.upper, kind="stable")
        take = limit + 20
        while True:
            found = self._finish(search.pairs(order[:take]), distances, None, site_id)
            if take >= order.size:
                return found[:limit]
            bar = found[limit - 1].score if len(found) >= limit else -1.0
            if search.upper[order[take]] <= bar:
                return found[:limit]
            take *= 4

    def rank(
        self,
        pairs: list[tuple[Flow, Flow, Fit, float]],
        distances: DistanceBackend,
        limit: int | None = None,
    ) -> list[Candidate]:
        """Route, explain and rank given (output, input, fit, geodesic_m) pairs, best first."""
        return self._finish(pairs, distances, limit)

    def all_pairs(
        self,
        *,
        distances: DistanceBackend,
        max_km: float | None = None,
        per_offer: int | None = None,
    ) -> list[Candidate]:
        """Every candidate in the registry (each pair once), best first."""
        seen: set[tuple[str, int, int]] = set()
        pairs: list[tuple[Flow, Flow, Fit, float]] = []
        for site in self.sites.values():
            search = self._pairs_for_site(site, max_km=max_km, category=None, outputs_only=True)
            for pair in search.pairs(None):
                key = (pair[2].kind.value, pair[0].id or 0, pair[1].id or 0)
                if key not in seen:
                    seen.add(key)
                    pairs.append(pair)
        found = self._finish(pairs, distances, None)
        if per_offer is None:
            return found
        kept: dict[int, int] = defaultdict(int)
        out = []
        for cand in found:
            if kept[cand.output_flow.id or 0] < per_offer:
                kept[cand.output_flow.id or 0] += 1
                out.append(cand)
        return out

    # --- pairs by category and geodesic distance ----------------------------------------------

    def _group(self, key: tuple[Direction, str]) -> FlowGroup | None:
        """The flows of one direction and category, as arrays (built once per matcher)."""
        if key not in self._groups:
            flows = [f for f in self.flows_by_code.get(key, ()) if f.site_id in self.index]
            self._groups[key] = FlowGroup.of(flows, self.index, self.taxonomy) if flows else None
        return self._groups[key]

    def _pairs_for_site(
        self, site: Site, *, max_km: float | None, category: str | None, outputs_only: bool = False
    ) -> SiteSearch:
        """(output, input, fit, geodesic_m) pairs this site's flows take part in.

        Partners are looked for by category first (only flows a compatibility rule links to
        this site's flows), then in space: the live index gives the sites within reach, and
        exact geodesic distances are computed, on arrays, for the partners among them. At
        province scale a site has tens of thousands of neighbours within 100 km, but few need
        what it offers.
        """
        if site.id is None or site.id not in self.index:
            return SiteSearch([], [], np.zeros(0), (0.0, 0.0))
        own = self.flows_by_site.get(site.id, [])
        if category:
            own = [
                f
                for f in own
                if f.category_code == category
                or any(a.code == category for a in self._ancestors(f.category_code))
            ]
        if not own:
            return SiteSearch([], [], np.zeros(0), (0.0, 0.0))
        plans: list[tuple[Flow, list[tuple[FlowGroup, Fit | None]]]] = []
        for flow in own:
            groups: list[tuple[FlowGroup, Fit | None]] = []
            if flow.direction is Direction.OUTPUT:
                links = self.compat.inputs_for(flow.category_code).items()
                other_way = Direction.INPUT
            elif not outputs_only:
                links = self.compat.outputs_for(flow.category_code).items()
                other_way = Direction.OUTPUT
            else:
                links, other_way = {}.items(), Direction.OUTPUT
            for code, fit in links:
                group = self._group((other_way, code))
                if group is not None:
                    groups.append((group, fit))
            same = self._group((flow.direction, flow.category_code))  # mutualisation
            if same is not None:
                groups.append((same, None))
            if groups:
                plans.append((flow, groups))
        if not plans:
            return SiteSearch([], [], np.zeros(0), (0.0, 0.0))
        lon, lat = self.index.point(site.id)
        reach_all_m = 1000.0 * max(
            [self._reach.km(f.category_code, max_km) for f, _ in plans]
            + [
                self._reach.km(g.code, max_km)
                for _, gs in plans
                for g, fit in gs
                if fit is not None
            ]
            + [MUTUALISATION_MAX_KM]
        )
        ids = self.index.sites_within(lon, lat, reach_all_m)
        # A lookup table by site id: one O(n) gather per group instead of a sorted search.
        in_reach = np.zeros(
            max(int(ids.max()) + 1 if ids.size else 0, self._max_site_id + 1), dtype=bool
        )
        in_reach[ids] = True
        # How far each group needs to be looked at: the largest reach of the pairs it is in.
        group_reach: dict[int, float] = {}
        for flow, groups in plans:
            for group, link in groups:
                if link is None:
                    reach = mutual_reach_m(max_km)
                else:
                    out_code = (
                        flow.category_code if flow.direction is Direction.OUTPUT else group.code
                    )
                    reach = self._reach.km(out_code, max_km) * 1000.0
                group_reach[id(group)] = max(reach, group_reach.get(id(group), 0.0))
        xy = TO_LAMBERT.transform(lon, lat)
        # Distances on the Québec Lambert plane, shrunk by the projection's margin: never more
        # than the geodesic distance, so every filter and score bound below keeps all that may
        # qualify. The ellipsoid is asked only about the pairs that are finally kept.
        distances: dict[int, np.ndarray] = {}
        found: list[tuple[Flow, FlowGroup, np.ndarray, np.ndarray, Fit, float]] = []
        out: list[tuple[Flow, Flow, Fit, float]] = []
        for flow, groups in plans:
            mutual: list[tuple[Flow, Flow, Fit, float]] = []
            for group, group_fit in groups:
                if id(group) not in distances:
                    near = group.maybe_near(in_reach, xy, group_reach[id(group)])
                    plane = np.hypot(group.x - xy[0], group.y - xy[1]) / LAMBERT_MARGIN
                    distances[id(group)] = np.where(near, plane, np.inf)
                dist = distances[id(group)]
                if group_fit is None:
                    reach_m = mutual_reach_m(max_km)
                    near_idx = group.indices_within(dist, site.id, reach_m)
                    if near_idx.size > MUTUALISATION_PER_FLOW * 3:
                        near_idx = near_idx[
                            np.argsort(dist[near_idx], kind="stable")[: MUTUALISATION_PER_FLOW * 3]
                        ]
                    exact = geodesic_to(lon, lat, group.lon[near_idx], group.lat[near_idx])
                    for k, d in zip(near_idx.tolist(), exact.tolist(), strict=True):
                        pair = self._mutual(flow, group.flows[k], d, max_km)
                        if pair is not None:
                            mutual.append(pair)
                    continue
                if flow.direction is Direction.OUTPUT:
                    reach_m = self._reach.km(flow.category_code, max_km) * 1000.0
                    idx = group.indices_within(
                        dist, site.id, reach_m, need_accepts=self._hazardous_code(flow)
                    )
                else:
                    reach_m = self._reach.km(group.code, max_km) * 1000.0
                    # A hazardous offer (flagged, or hazardous by category) only if this need
                    # accepts hazardous material.
                    ok = None if flow.hazardous else ~(group.hazardous | group.category_hazardous)
                    idx = group.indices_within(dist, site.id, reach_m, mask=ok)
                if idx.size:
                    found.append((flow, group, idx, dist[idx], group_fit, reach_m))
            mutual.sort(key=lambda p: (p[3], p[1].id or 0, p[0].id or 0))
            out.extend(mutual[:MUTUALISATION_PER_FLOW])
        upper = (
            np.concatenate([self._upper_scores(*entry) for entry in found])
            if found
            else np.zeros(0)
        )
        return SiteSearch(found, out, upper, (lon, lat))

    def _upper_scores(
        self,
        flow: Flow,
        group: FlowGroup,
        idx: np.ndarray,
        dist: np.ndarray,
        fit: Fit,
        _reach_m: float,
    ) -> np.ndarray:
        """The best score each pair could reach (straight line for the road), on arrays."""
        own = comparable_quantity(flow, self.taxonomy.get(flow.category_code))
        kind, amount = (UNIT_KINDS[own[0]], own[1]) if own else (-1, 0.0)
        q_fit = scoring.quantity_fits(kind, amount, group.unit_kind[idx], group.amount[idx])
        stated, contrary = quality_masks(flow, self.taxonomy)
        if flow.direction is Direction.OUTPUT:
            quality = scoring.quality_fits(group.stated[idx], stated, contrary)
        else:
            quality = scoring.quality_fits(stated, group.stated[idx], group.contrary[idx])
        out_code = flow.category_code if flow.direction is Direction.OUTPUT else group.code
        own_max_m = self._reach.km(out_code, None) * 1000.0
        return scoring.scores(fit.strength, q_fit, dist, own_max_m, quality)

    def _hazardous_code(self, flow: Flow) -> bool:
        return is_hazardous(flow, self.taxonomy.get(flow.category_code))

    def _ancestors(self, code: str) -> list[Category]:
        return self.taxonomy.ancestors(code) if self.taxonomy.get(code) else []

    def _mutual(
        self, a: Flow, b: Flow, dist_m: float, max_km: float | None
    ) -> tuple[Flow, Flow, Fit, float] | None:
        if a.category_code != b.category_code:
            return None
        cat = self.taxonomy.get(a.category_code)
        if cat is not None and cat.kind == "mutualisation" and a.direction is Direction.OUTPUT:
            return None  # two sites offering the same service: nothing to pair
        limit_km = MUTUALISATION_MAX_KM if max_km is None else min(max_km, MUTUALISATION_MAX_KM)
        if dist_m > limit_km * 1000.0:
            return None
        first, second = sorted((a, b), key=lambda f: f.id or 0)
        what = (
            N_("besoin commun : achats ou livraisons groupés")
            if a.direction is Direction.INPUT
            else N_("offre commune : transport ou traitement partagé")
        )
        return (first, second, Fit(SynergyKind.MUTUALISATION, 0.6, "mutualisation", what), dist_m)

    # --- road distances, impact, score --------------------------------------------------------

    def _finish(
        self,
        pairs: list[tuple[Flow, Flow, Fit, float]],
        distances: DistanceBackend,
        limit: int | None,
        site_id: int | None = None,
    ) -> list[Candidate]:
        if not pairs:
            return []
        lookup = road_distances(pairs, distances, self.index.point, site_id)
        out = []
        for out_f, in_f, fit, geo_m in pairs:
            dist = lookup(out_f.site_id, in_f.site_id)
            cand = make_candidate(
                out_f,
                in_f,
                fit,
                geo_m,
                dist,
                distances.name,
                taxonomy=self.taxonomy,
                model=self.model,
                sites=self.sites,
            )
            if cand is not None:
                out.append(cand)
        out.sort(
            key=lambda c: (-c.score, c.road_m if c.road_m is not None else c.geodesic_m, c.key)
        )
        return out[:limit] if limit is not None else out
