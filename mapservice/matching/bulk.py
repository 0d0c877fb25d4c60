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
   the k-th nearest of its category can score at most the category fit, a perfect quantity fit
   and the distance fit at that distance: where that bound reaches the bar, a radius query
   fetches every partner of the category close enough to reach it (and no farther);
3. the pairs whose upper bound reaches the bar get their exact geodesic distance and score,
   and the ``per_offer`` best are kept (score down, distance up, partner id up).

No partner that could enter an offer's best is ever left out, whatever its distance: the
nearest-neighbour pool only sets how much the radius queries have left to do. A test holds
this to the per-site matcher and to the exhaustive baseline; ``bench/matching.py`` measures it
at 50,000 sites.

Distances here are geodesic: road distances for the kept pairs come after, from the configured
backend, in one matrix.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import chain

import numpy as np
from scipy.spatial import cKDTree

from mapservice.domain.model import Direction, Flow, Site, SynergyKind
from mapservice.geo.projection import LAMBERT_MARGIN, TO_LAMBERT, WGS84_GEOD
from mapservice.matching import scoring
from mapservice.matching.arrays import comparable_quantity, is_hazardous
from mapservice.matching.scoring import MUTUALISATION_MAX_KM, UNIT_KINDS
from mapservice.materials.compatibility import Compatibility
from mapservice.materials.taxonomy import Taxonomy

#: Slack on score comparisons: half a unit of the rounded score each side, and float error.
SCORE_SLACK = 2e-4
#: Up to this many pairs per offer, each offer's best lower bounds are kept in a table.
_TRACKED_BEST = 64
#: Needs are grouped by quantity, within a factor of this of each other, for the radius queries.
_QUANTITY_STEP = 2**0.5
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


@dataclass(frozen=True)
class _Group:
    """Needs of one category whose quantities are of one kind, between two amounts (or not
    comparable at all: ``kind`` -1), with their own k-d tree."""

    tree: cKDTree
    ins: np.ndarray  # flow indices, in tree order
    kind: int
    low: float
    high: float

    def q_max(self, kind: np.ndarray, amount: np.ndarray) -> np.ndarray:
        """The best quantity fit offers of these kinds and amounts can have with the group."""
        if self.kind < 0:
            return np.full(kind.size, scoring.UNCOMPARABLE_FIT)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(
                amount < self.low,
                amount / self.low,
                np.where(amount > self.high, self.high / amount, 1.0),
            )
        return np.where((kind == self.kind) & (amount > 0), ratio, scoring.UNCOMPARABLE_FIT)


def _groups(fa: _Flows, ins: np.ndarray) -> tuple[_Group, ...]:
    """The needs ``ins`` by unit kind and amount, a factor :data:`_QUANTITY_STEP` apart."""
    kind, amount = fa.unit_kind[ins], fa.amount[ins]
    comparable = (kind >= 0) & (amount > 0)
    step = np.where(
        comparable, np.floor(np.log(np.where(comparable, amount, 1.0)) / np.log(_QUANTITY_STEP)), 0
    )
    key = np.where(comparable, kind.astype(np.int64) * 100_000 + step.astype(np.int64) + 50_000, -1)
    groups = []
    for value in np.unique(key):
        members = ins[key == value]
        groups.append(
            _Group(
                tree=cKDTree(fa.xy[members]),
                ins=members,
                kind=int(fa.unit_kind[members[0]]) if value >= 0 else -1,
                low=float(fa.amount[members].min()),
                high=float(fa.amount[members].max()),
            )
        )
    return tuple(groups)


@dataclass(frozen=True)
class _Block:
    """The offers of one category against the needs of one compatible category."""

    outs: np.ndarray  # flow indices of the offers
    tree: cKDTree
    ins: np.ndarray  # flow indices of the needs, in tree order
    strength: float
    mutual: bool
    own_max_m: float  # where the distance fit falls to 0
    reach_m: float  # geodesic cut
    groups: tuple[_Group, ...]  # the needs again, by quantity class


class _Flows:
    """The registry's placed flows as arrays (index = position in ``flows``)."""

    def __init__(
        self, placed: dict[int, tuple[float, float]], flows: list[Flow], taxonomy: Taxonomy
    ):
        n = len(flows)
        self.flows = flows
        self.lon = np.array([placed[f.site_id][0] for f in flows])
        self.lat = np.array([placed[f.site_id][1] for f in flows])
        x, y = TO_LAMBERT.transform(self.lon, self.lat)
        self.xy = np.column_stack([x, y])
        self.ids = np.array([f.id for f in flows], dtype=np.int64)
        self.site_ids = np.array([f.site_id for f in flows], dtype=np.int64)
        cats = [taxonomy.get(f.category_code) for f in flows]
        self.hazardous = np.array([is_hazardous(f, c) for f, c in zip(flows, cats, strict=True)])
        # A need accepts hazardous material only when it says so (its own flag), as in Matcher.
        self.accepts = np.array([f.hazardous for f in flows])
        self.unit_kind = np.full(n, -1, dtype=np.int8)
        self.amount = np.zeros(n)
        for i, (f, c) in enumerate(zip(flows, cats, strict=True)):
            comp = comparable_quantity(f, c)
            if comp is not None:
                self.unit_kind[i], self.amount[i] = UNIT_KINDS[comp[0]], comp[1]

    def plane_m(self, o: np.ndarray, i: np.ndarray) -> np.ndarray:
        """Québec Lambert metres between flows ``o`` and ``i`` (pairwise)."""
        return np.hypot(self.xy[o, 0] - self.xy[i, 0], self.xy[o, 1] - self.xy[i, 1])

    def candidates(self, block: _Block, o: np.ndarray, i: np.ndarray, d_m: np.ndarray) -> _Cands:
        """Pairs (offer ``o``, need ``i``, plane distance ``d_m``) with bounds of their score;
        a pair that may not be matched (same site, hazard) has both bounds at -inf."""
        ok = (self.site_ids[o] != self.site_ids[i]) & (~self.hazardous[o] | self.accepts[i])
        q = scoring.quantity_fits(
            self.unit_kind[o], self.amount[o], self.unit_kind[i], self.amount[i]
        )
        far = d_m * LAMBERT_MARGIN
        lo = scoring.scores(block.strength, q, far, block.own_max_m)
        lo = np.where(ok & (far <= block.reach_m), lo, -np.inf)  # surely within reach, or no bar
        hi = scoring.scores(block.strength, q, d_m / LAMBERT_MARGIN, block.own_max_m)
        hi = np.where(ok, hi, -np.inf)
        return _Cands(o, i, lo, hi, q, block)


@dataclass
class _Cands:
    o: np.ndarray
    i: np.ndarray
    lo: np.ndarray  # the exact score is at least this (-inf: maybe out of reach)
    hi: np.ndarray  # and at most this
    q: np.ndarray
    block: _Block | None = None

    def keep(self, mask: np.ndarray) -> _Cands:
        return _Cands(
            self.o[mask], self.i[mask], self.lo[mask], self.hi[mask], self.q[mask], self.block
        )


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
    fa = _Flows(placed, flow_list, taxonomy)
    n = len(flow_list)
    blocks = list(_blocks(fa, taxonomy, compat, max_km))
    # Round 1: the nearest partners of each block; the rest of the block is bounded.
    found: list[_Cands] = []
    frontier: list[tuple[_Block, np.ndarray, np.ndarray]] = []
    # Per offer: the best lower bounds so far (a table when per_offer is small).
    tracked = per_offer <= _TRACKED_BEST
    best = np.full((n if tracked else 0, per_offer), -np.inf)
    for block in blocks:
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
    bar = best.min(axis=1) if tracked else _kth_per_offer(_concat(found), per_offer, n)
    found = [c.keep(c.hi >= bar[c.o] - SCORE_SLACK) for c in found]
    # Round 2: radius queries wherever a farther partner could still reach the bar, by
    # quantity class: a class far from the offer's quantity needs a nearer partner to reach it.
    for block, rows, r1_m in frontier:
        o = block.outs[rows]
        need = bar[o] - SCORE_SLACK
        for group in block.groups:
            q_max = group.q_max(fa.unit_kind[o], fa.amount[o])
            base = scoring.W_CATEGORY * block.strength + scoring.W_QUANTITY * q_max
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
    fa: _Flows,
    block: _Block,
    group: _Group,
    o: np.ndarray,
    r1_m: np.ndarray,
    base: np.ndarray,
    need: np.ndarray,
    bar: np.ndarray,
) -> _Cands:
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


def _blocks(
    fa: _Flows, taxonomy: Taxonomy, compat: Compatibility, max_km: float
) -> Iterable[_Block]:
    """One block per offered category, compatible need category and hazard: a hazardous
    offer looks only at the needs that accept hazardous material."""
    by_code: dict[tuple[Direction, str], list[int]] = defaultdict(list)
    for i, f in enumerate(fa.flows):
        by_code[(f.direction, f.category_code)].append(i)
    trees: dict[tuple[str, bool], tuple[cKDTree, np.ndarray, tuple[_Group, ...]] | None] = {}

    def needs(code: str, hazardous: bool) -> tuple[cKDTree, np.ndarray, tuple[_Group, ...]] | None:
        if (code, hazardous) not in trees:
            ins = np.array(by_code.get((Direction.INPUT, code), []), dtype=np.int64)
            if hazardous:
                ins = ins[fa.accepts[ins]]
            trees[(code, hazardous)] = (
                (cKDTree(fa.xy[ins]), ins, _groups(fa, ins)) if ins.size else None
            )
        return trees[(code, hazardous)]

    for (direction, out_code), out_members in by_code.items():
        out_cat = taxonomy.get(out_code)
        if direction is not Direction.OUTPUT or out_cat is None:
            continue
        own_max_km = (
            MUTUALISATION_MAX_KM if out_cat.kind == "mutualisation" else out_cat.max_transport_km
        )
        members = np.array(out_members)
        for in_code, fit in compat.inputs_for(out_code).items():
            for hazardous in (False, True):
                outs = members[fa.hazardous[members] == hazardous]
                found = needs(in_code, hazardous) if outs.size else None
                if found is None:
                    continue
                tree, ins, groups = found
                yield _Block(
                    outs=outs,
                    tree=tree,
                    ins=ins,
                    strength=fit.strength,
                    mutual=fit.kind is SynergyKind.MUTUALISATION,
                    own_max_m=own_max_km * 1000.0,
                    reach_m=min(own_max_km, max_km) * 1000.0,
                    groups=groups,
                )


def _kth_per_offer(cands: _Cands, k: int, n: int) -> np.ndarray:
    """Per flow index: the ``k``-th largest lower bound among its pairs (-inf: fewer)."""
    bar = np.full(n, -np.inf)
    if cands.o.size == 0:
        return bar
    # One sort on one key: offer, then lower bound down. The key keeps the bounds to about
    # 1e-10, far inside SCORE_SLACK; the bar read back is the exact bound of that pair.
    key = cands.o * 4.0 + (1.5 - np.clip(cands.lo, -1.0, 1.5))
    order = np.argsort(key)
    o = cands.o[order]
    starts = np.r_[0, np.flatnonzero(np.diff(o)) + 1]
    rank = np.arange(o.size) - np.repeat(starts, np.diff(np.r_[starts, o.size]))
    at = order[rank == k - 1]
    bar[cands.o[at]] = cands.lo[at]
    return bar


def _concat(parts: list[_Cands]) -> _Cands:
    return _Cands(
        *(np.concatenate([getattr(p, f) for p in parts]) for f in ("o", "i", "lo", "hi", "q"))
    )


def _exact(fa: _Flows, parts: list[_Cands], per_offer: int, n: int) -> BulkPairs:
    """Exact geodesic distances and scores of the pairs that can reach their offer's bar."""
    tagged = [p for p in parts if p.o.size]
    if not tagged:
        return _empty()
    per = [(p.block.strength, p.block.own_max_m, p.block.reach_m, p.block.mutual) for p in tagged]  # type: ignore[union-attr]
    sizes = [p.o.size for p in tagged]
    strength, own_max_m, reach_m, mutual = (np.repeat([x[j] for x in per], sizes) for j in range(4))
    cands = _concat(tagged)
    keep = cands.hi >= _kth_per_offer(cands, per_offer, n)[cands.o] - SCORE_SLACK
    o, ins, q = cands.o[keep], cands.i[keep], cands.q[keep]
    strength, own_max_m, reach_m, mutual = (
        strength[keep],
        own_max_m[keep],
        reach_m[keep],
        mutual[keep].astype(bool),
    )
    _, _, geo = WGS84_GEOD.inv(fa.lon[o], fa.lat[o], fa.lon[ins], fa.lat[ins])
    inside = geo <= reach_m
    o, ins, geo, q, strength, own_max_m, mutual = (
        a[inside] for a in (o, ins, geo, q, strength, own_max_m, mutual)
    )
    score = scoring.rounded_scores(scoring.scores(strength, q, geo, own_max_m))
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
