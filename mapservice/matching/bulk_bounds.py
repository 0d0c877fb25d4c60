"""Pieces of :mod:`mapservice.matching.bulk`: the registry's flows as arrays, the blocks of
offers and compatible needs it searches, the needs of a category by quantity class, and pairs
with a lower and an upper bound of their exact score.

The bounds come from the Québec Lambert distance, within
:data:`~mapservice.geo.projection.LAMBERT_MARGIN` of the geodesic one either way: the score
with that distance widened is a lower bound (counted only when the pair is surely within
reach), narrowed an upper bound. The quantity and quality fits of a pair are exact in both; a
partner not yet looked at is bounded by the best quantity fit of its class
(:meth:`NeedClass.q_max`) and the best quality fit the offer can have
(:func:`~mapservice.matching.scoring.quality_bounds`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

from mapservice.domain.model import Direction, Flow, SynergyKind
from mapservice.geo.projection import LAMBERT_MARGIN, TO_LAMBERT
from mapservice.matching import scoring
from mapservice.matching.arrays import comparable_quantity, is_hazardous, quality_masks
from mapservice.matching.scoring import MUTUALISATION_MAX_KM, UNIT_KINDS
from mapservice.materials.compatibility import Compatibility
from mapservice.materials.taxonomy import Taxonomy

_Needs = tuple[cKDTree, np.ndarray, tuple["NeedClass", ...]]

#: Needs are grouped by quantity, within a factor of this of each other, for the radius queries.
QUANTITY_STEP = 2**0.5


@dataclass(frozen=True)
class NeedClass:
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


def need_classes(fa: FlowArrays, ins: np.ndarray) -> tuple[NeedClass, ...]:
    """The needs ``ins`` by unit kind and amount, a factor :data:`QUANTITY_STEP` apart."""
    kind, amount = fa.unit_kind[ins], fa.amount[ins]
    comparable = (kind >= 0) & (amount > 0)
    step = np.where(
        comparable, np.floor(np.log(np.where(comparable, amount, 1.0)) / np.log(QUANTITY_STEP)), 0
    )
    key = np.where(comparable, kind.astype(np.int64) * 100_000 + step.astype(np.int64) + 50_000, -1)
    groups = []
    for value in np.unique(key):
        members = ins[key == value]
        groups.append(
            NeedClass(
                tree=cKDTree(fa.xy[members]),
                ins=members,
                kind=int(fa.unit_kind[members[0]]) if value >= 0 else -1,
                low=float(fa.amount[members].min()),
                high=float(fa.amount[members].max()),
            )
        )
    return tuple(groups)


@dataclass(frozen=True)
class Block:
    """The offers of one category against the needs of one compatible category."""

    outs: np.ndarray  # flow indices of the offers
    tree: cKDTree
    ins: np.ndarray  # flow indices of the needs, in tree order
    strength: float
    mutual: bool
    own_max_m: float  # where the distance fit falls to 0
    reach_m: float  # geodesic cut
    groups: tuple[NeedClass, ...]  # the needs again, by quantity class


class FlowArrays:
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
        # Quality words: the bits each description states, and their opposites.
        self.stated = np.zeros(n, dtype=np.int64)
        self.contrary = np.zeros(n, dtype=np.int64)
        for i, (f, c) in enumerate(zip(flows, cats, strict=True)):
            comp = comparable_quantity(f, c)
            if comp is not None:
                self.unit_kind[i], self.amount[i] = UNIT_KINDS[comp[0]], comp[1]
            self.stated[i], self.contrary[i] = quality_masks(f, taxonomy)

    def plane_m(self, o: np.ndarray, i: np.ndarray) -> np.ndarray:
        """Québec Lambert metres between flows ``o`` and ``i`` (pairwise)."""
        return np.hypot(self.xy[o, 0] - self.xy[i, 0], self.xy[o, 1] - self.xy[i, 1])

    def candidates(self, block: Block, o: np.ndarray, i: np.ndarray, d_m: np.ndarray) -> Bounded:
        """Pairs (offer ``o``, need ``i``, plane distance ``d_m``) with bounds of their score;
        a pair that may not be matched (same site, hazard) has both bounds at -inf."""
        ok = (self.site_ids[o] != self.site_ids[i]) & (~self.hazardous[o] | self.accepts[i])
        q = scoring.quantity_fits(
            self.unit_kind[o], self.amount[o], self.unit_kind[i], self.amount[i]
        )
        g = scoring.quality_fits(self.stated[i], self.stated[o], self.contrary[o])
        far = d_m * LAMBERT_MARGIN
        lo = scoring.scores(block.strength, q, far, block.own_max_m, g)
        lo = np.where(ok & (far <= block.reach_m), lo, -np.inf)  # surely within reach, or no bar
        hi = scoring.scores(block.strength, q, d_m / LAMBERT_MARGIN, block.own_max_m, g)
        hi = np.where(ok, hi, -np.inf)
        return Bounded(o, i, lo, hi, q, g, block)


@dataclass
class Bounded:
    o: np.ndarray
    i: np.ndarray
    lo: np.ndarray  # the exact score is at least this (-inf: maybe out of reach)
    hi: np.ndarray  # and at most this
    q: np.ndarray  # quantity fit
    g: np.ndarray  # quality fit
    block: Block | None = None

    def keep(self, mask: np.ndarray) -> Bounded:
        return Bounded(
            self.o[mask],
            self.i[mask],
            self.lo[mask],
            self.hi[mask],
            self.q[mask],
            self.g[mask],
            self.block,
        )


def blocks(
    fa: FlowArrays, taxonomy: Taxonomy, compat: Compatibility, max_km: float
) -> Iterable[Block]:
    """One block per offered category, compatible need category and hazard: a hazardous
    offer looks only at the needs that accept hazardous material."""
    by_code: dict[tuple[Direction, str], list[int]] = defaultdict(list)
    for i, f in enumerate(fa.flows):
        by_code[(f.direction, f.category_code)].append(i)
    trees: dict[tuple[str, bool], _Needs | None] = {}

    def needs(code: str, hazardous: bool) -> _Needs | None:
        if (code, hazardous) not in trees:
            ins = np.array(by_code.get((Direction.INPUT, code), []), dtype=np.int64)
            if hazardous:
                ins = ins[fa.accepts[ins]]
            trees[(code, hazardous)] = (
                (cKDTree(fa.xy[ins]), ins, need_classes(fa, ins)) if ins.size else None
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
                yield Block(
                    outs=outs,
                    tree=tree,
                    ins=ins,
                    strength=fit.strength,
                    mutual=fit.kind is SynergyKind.MUTUALISATION,
                    own_max_m=own_max_km * 1000.0,
                    reach_m=min(own_max_km, max_km) * 1000.0,
                    groups=groups,
                )


def kth_per_offer(cands: Bounded, k: int, n: int) -> np.ndarray:
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


def concat(parts: list[Bounded]) -> Bounded:
    """The pairs of several parts in one (without their block)."""

    def joined(name: str) -> np.ndarray:
        return np.concatenate([getattr(p, name) for p in parts])

    return Bounded(joined("o"), joined("i"), joined("lo"), joined("hi"), joined("q"), joined("g"))
