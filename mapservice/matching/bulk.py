"""Matching a whole registry at once, vectorised and exact: the best candidates of every offer.

:class:`~mapservice.matching.matcher.Matcher` answers one site at a time on the live index,
building a :class:`~mapservice.matching.matcher.Candidate` (with reasons and impact) per pair.
Over a province-scale registry (tens of thousands of sites) the same rules run here on arrays,
with one k-d tree per needed category (Québec Lambert metres), and give the same best
``per_offer`` partners of each offer as the exhaustive all-pairs search:

1. for each compatible (offer category, need category) pair, a k-nearest query (the
   :func:`pool_size` nearest partners of each offer), scored on the plane distance widened
   and narrowed by :data:`~mapservice.geo.projection.LAMBERT_MARGIN` (a lower and an upper
   bound of the exact score);
2. each offer's bar: the ``per_offer``-th best lower bound found so far. A partner farther than
   the k-th nearest of its category can score at most the category fit, the best quantity fit
   its quantity class allows (needs grouped by unit and amount, see
   :class:`~mapservice.matching.bulk_bounds.NeedClass`) and the distance fit at that
   distance: where that bound reaches the bar, a radius query fetches every partner of the
   class close enough to reach it (and no farther);
3. the pairs whose upper bound reaches the bar get their exact geodesic distance and score,
   and the ``per_offer`` best are kept (score down, distance up, partner id up).

A hazardous offer searches only the needs that accept hazardous material. No partner that
could enter an offer's best is ever left out, whatever its distance: the
nearest-neighbour pool only sets how much the radius queries have left to do. A test holds
this to the per-site matcher and to the exhaustive baseline; ``bench/matching.py`` measures it
at 50,000 sites.

Distances here are geodesic: road distances for the kept pairs come after, from the configured
backend, in one matrix.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import chain

import numpy as np

from mapservice.domain.model import Flow, Site
from mapservice.geo.projection import LAMBERT_MARGIN, WGS84_GEOD
from mapservice.matching import scoring
from mapservice.matching.bulk_bounds import (
    Block,
    Bounded,
    FlowArrays,
    NeedClass,
    blocks,
    concat,
    kth_per_offer,
)
from mapservice.materials.compatibility import Compatibility
from mapservice.materials.taxonomy import Taxonomy

#: Slack on score comparisons: half a unit of the rounded score each side, and float error.
SCORE_SLACK = 2e-4
#: Up to this many pairs per offer, each offer's best lower bounds are kept in a table.
_TRACKED_BEST = 64
#: Round 2 starts this much (relative) short of the k-th nearest: distances measured two ways
#: may differ in the last bits, and a partner there must not fall between the two rounds.
_EDGE = 1e-9
#: Query size from which the k-d tree runs on every core.
_THREADED_ROWS = 200_000


def pool_size(per_offer: int) -> int:
    """Partners first looked at per offer and compatible need category: the nearest this many.

    Only a starting point: partners beyond them that could still enter an offer's best are
    fetched by a radius query (see the module's docstring), so the answer does not depend on it.
    """
    return 4 * per_offer + 4


@dataclass(frozen=True)
class BulkPairs:
    """Kept pairs, best first within each offer: parallel arrays."""

    output_flow_id: np.ndarray
    input_flow_id: np.ndarray
    geodesic_m: np.ndarray
    score: np.ndarray
    strength: np.ndarray
    mutualisation: np.ndarray  # bool

    def __len__(self) -> int:
        return int(self.output_flow_id.size)

    def pairs(self) -> set[tuple[int, int]]:
        return set(zip(self.output_flow_id.tolist(), self.input_flow_id.tolist(), strict=True))


def bulk_pairs(
    *,
    sites: Iterable[Site],
    flows: Iterable[Flow],
    taxonomy: Taxonomy,
    compatibility: Compatibility | None = None,
    max_km: float = 100.0,
    per_offer: int = 5,
) -> BulkPairs:
    """The ``per_offer`` best substitution (and offer→need mutualisation) pairs of each offer.

    The same pairs as the exhaustive search (every offer against every compatible need within
    reach), ranked score down, distance up, partner id up.
    """
    compat = compatibility or Compatibility(taxonomy)
    placed = {
        s.id: (s.lon, s.lat)
        for s in sites
        if s.id is not None and s.lon is not None and s.lat is not None
    }
    flow_list = [f for f in flows if f.site_id in placed and f.id is not None]
    if not flow_list or per_offer < 1:
        return _empty()
    fa = FlowArrays(placed, flow_list, taxonomy)
    n = len(flow_list)
    searched = list(blocks(fa, taxonomy, compat, max_km))
    # Round 1: the nearest partners of each block; the rest of the block is bounded.
    found: list[Bounded] = []
    frontier: list[tuple[Block, np.ndarray, np.ndarray]] = []
    # Per offer: the best lower bounds so far (a table when per_offer is small).
    tracked = per_offer <= _TRACKED_BEST
    best = np.full((n if tracked else 0, per_offer), -np.inf)
    for block in searched:
        k = min(pool_size(per_offer), block.ins.size)
        dist, pos = block.tree.query(
            fa.xy[block.outs],
            k=k,
            distance_upper_bound=block.reach_m * LAMBERT_MARGIN,
            workers=-1 if block.outs.size * k > _THREADED_ROWS else 1,
        )
        dist, pos = dist.reshape(block.outs.size, k), pos.reshape(block.outs.size, k)
        hit = np.isfinite(dist)
        rows, cols = np.nonzero(hit)
        o, i = block.outs[rows], block.ins[pos[rows, cols]]
        d_m = fa.plane_m(o, i)  # as round 2 measures, so that the two never overlap
        cands = fa.candidates(block, o, i, d_m)
        own_bar = np.full(block.outs.size, -np.inf)
        if tracked:
            lo = np.full(dist.shape, -np.inf)
            lo[rows, cols] = cands.lo
            if k > per_offer:
                lo = -np.partition(-lo, per_offer - 1, axis=1)[:, :per_offer]
            both = np.concatenate([best[block.outs], lo], axis=1)
            best[block.outs] = -np.partition(-both, per_offer - 1, axis=1)[:, :per_offer]
            if k >= per_offer:  # the block's own bar: its k-th best lower bound
                own_bar = lo.min(axis=1)
        keep = (cands.hi > -np.inf) & (cands.hi >= own_bar[rows] - SCORE_SLACK)
        if k < block.ins.size:
            # All k nearest within reach: farther partners of the block may remain. Those at
            # the k-th distance or beyond are round 2's (ties there may or may not be here).
            full = hit[:, -1]
            edge_m = np.where(full, dist[:, -1] * (1.0 - _EDGE), np.inf)
            frontier.append((block, np.flatnonzero(full), edge_m[full]))
            keep &= d_m < edge_m[rows]
        found.append(cands.keep(keep))
    bar = best.min(axis=1) if tracked else kth_per_offer(concat(found), per_offer, n)
    found = [c.keep(c.hi >= bar[c.o] - SCORE_SLACK) for c in found]
    # Round 2: radius queries wherever a farther partner could still reach the bar, by
    # quantity class: a class far from the offer's quantity needs a nearer partner to reach it.
    for block, rows, r1_m in frontier:
        o = block.outs[rows]
        need = bar[o] - SCORE_SLACK
        g_max = scoring.quality_bounds(fa.stated[o])
        for group in block.groups:
            q_max = group.q_max(fa.unit_kind[o], fa.amount[o])
            base = (
                scoring.W_CATEGORY * block.strength
                + scoring.W_QUANTITY * q_max
                + scoring.W_QUALITY * g_max
            )
            bound = base + scoring.W_DISTANCE * np.maximum(
                0.0, 1.0 - r1_m / LAMBERT_MARGIN / block.own_max_m
            )
            go = bound >= need
            if go.any():
                found.append(
                    _radius_round(fa, block, group, o[go], r1_m[go], base[go], need[go], bar)
                )
    return _exact(fa, found, per_offer, n)


def _radius_round(
    fa: FlowArrays,
    block: Block,
    group: NeedClass,
    o: np.ndarray,
    r1_m: np.ndarray,
    base: np.ndarray,
    need: np.ndarray,
    bar: np.ndarray,
) -> Bounded:
    """The needs of ``group`` beyond ``r1_m`` that could still reach each offer's bar."""
    with np.errstate(invalid="ignore"):
        fit_left = np.where(np.isfinite(need), (need - base) / scoring.W_DISTANCE, -np.inf)
    radius = (
        np.minimum(block.reach_m, block.own_max_m * (1.0 - np.maximum(fit_left, 0.0)))
        * LAMBERT_MARGIN
    )
    hits = group.tree.query_ball_point(
        fa.xy[o], radius, return_sorted=False, workers=-1 if o.size > 2_000 else 1
    )
    counts = np.fromiter((len(h) for h in hits), dtype=np.int64, count=len(hits))
    pos = np.fromiter(chain.from_iterable(hits), dtype=np.int64, count=int(counts.sum()))
    oo = np.repeat(o, counts)
    ii = group.ins[pos]
    d_m = fa.plane_m(oo, ii)
    beyond = d_m >= np.repeat(r1_m, counts)  # the nearer ones are round 1's
    cands = fa.candidates(block, oo[beyond], ii[beyond], d_m[beyond])
    return cands.keep((cands.hi > -np.inf) & (cands.hi >= bar[cands.o] - SCORE_SLACK))


def _exact(fa: FlowArrays, parts: list[Bounded], per_offer: int, n: int) -> BulkPairs:
    """Exact geodesic distances and scores of the pairs that can reach their offer's bar."""
    tagged = [p for p in parts if p.o.size and p.block is not None]
    if not tagged:
        return _empty()
    per = [(b.strength, b.own_max_m, b.reach_m, b.mutual) for p in tagged if (b := p.block)]
    sizes = [p.o.size for p in tagged]
    strength, own_max_m, reach_m, mutual = (np.repeat([x[j] for x in per], sizes) for j in range(4))
    cands = concat(tagged)
    keep = cands.hi >= kth_per_offer(cands, per_offer, n)[cands.o] - SCORE_SLACK
    o, ins, q, g = cands.o[keep], cands.i[keep], cands.q[keep], cands.g[keep]
    strength, own_max_m, reach_m, mutual = (
        strength[keep],
        own_max_m[keep],
        reach_m[keep],
        mutual[keep].astype(bool),
    )
    _, _, geo = WGS84_GEOD.inv(fa.lon[o], fa.lat[o], fa.lon[ins], fa.lat[ins])
    inside = geo <= reach_m
    o, ins, geo, q, g, strength, own_max_m, mutual = (
        a[inside] for a in (o, ins, geo, q, g, strength, own_max_m, mutual)
    )
    score = scoring.rounded_scores(scoring.scores(strength, q, geo, own_max_m, g))
    ids = fa.ids
    order = _best_per_offer(ids[o], score, ids[ins], per_offer, geo=geo)
    return BulkPairs(
        ids[o][order], ids[ins][order], geo[order], score[order], strength[order], mutual[order]
    )


def _best_per_offer(
    offer: np.ndarray, score: np.ndarray, partner: np.ndarray, n: int, geo: np.ndarray | None = None
) -> np.ndarray:
    """Indices of the ``n`` best rows of each offer: score down, distance up, partner id."""
    keys = (partner,) + ((geo,) if geo is not None else ()) + (-score, offer)
    order = np.lexsort(keys)
    sorted_offer = offer[order]
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_offer)) + 1]
    rank = np.arange(order.size) - np.repeat(starts, np.diff(np.r_[starts, order.size]))
    return order[rank < n]


def _empty() -> BulkPairs:
    z = np.zeros(0)
    return BulkPairs(z.astype(np.int64), z.astype(np.int64), z, z, z, z.astype(bool))
