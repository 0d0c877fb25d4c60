"""Matching a whole registry at once, vectorised: the best candidates of every offer.

:class:`~mapservice.matching.matcher.Matcher` answers one site at a time on the live index,
building a
:class:`~mapservice.matching.matcher.Candidate` (with reasons and impact) per pair. Over a
province-scale
registry (tens of thousands of sites) the same rules run here on arrays: one k-d tree per needed
category (Québec Lambert metres), a k-nearest query per compatible (offer category, need
category) pair bounded by the offered material's plausible distance (the :func:`pool_size`
nearest partners of each category), exact geodesic distances for what the trees return, then
the same score as :class:`Matcher` (category fit, quantity fit,
distance) and the ``per_offer`` best kept per offer. A test holds the two to the same answers.

Distances here are geodesic: road distances for the kept pairs come after, from the configured
backend, in one matrix.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

from mapservice.domain.model import Direction, Flow, Site, SynergyKind
from mapservice.geo.projection import LAMBERT_MARGIN, TO_LAMBERT, WGS84_GEOD
from mapservice.matching import scoring
from mapservice.matching.arrays import comparable_quantity, is_hazardous
from mapservice.matching.scoring import MUTUALISATION_MAX_KM, UNIT_KINDS
from mapservice.materials.compatibility import Compatibility
from mapservice.materials.taxonomy import Taxonomy


def pool_size(per_offer: int) -> int:
    """Partners looked at per offer and compatible need category: the nearest this many.

    This bounds the work at province scale, and makes the result an approximation there: a
    farther partner can outrank a nearer one through a better quantity fit (up to 0.25 of the
    score) and is then missed. On the demo registry the answer equals the per-site matcher's;
    at 50,000 sites ``bench/matching.py`` measures how often it agrees with the exhaustive
    baseline. Use :class:`~mapservice.matching.matcher.Matcher` for an exact answer about one site.
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
    """The ``per_offer`` best substitution (and offer→need mutualisation) pairs of each offer."""
    compat = compatibility or Compatibility(taxonomy)
    placed = {
        s.id: (s.lon, s.lat)
        for s in sites
        if s.id is not None and s.lon is not None and s.lat is not None
    }
    flow_list = [f for f in flows if f.site_id in placed and f.id is not None]
    n = len(flow_list)
    if n == 0:
        return _empty()
    lon = np.array([placed[f.site_id][0] for f in flow_list])
    lat = np.array([placed[f.site_id][1] for f in flow_list])
    x, y = TO_LAMBERT.transform(lon, lat)
    xy = np.column_stack([x, y])
    ids = np.array([f.id for f in flow_list], dtype=np.int64)
    site_ids = np.array([f.site_id for f in flow_list], dtype=np.int64)
    cats = [taxonomy.get(f.category_code) for f in flow_list]
    hazardous = np.array([is_hazardous(f, c) for f, c in zip(flow_list, cats, strict=True)])
    # A need accepts hazardous material only when it says so (its own flag), as in Matcher.
    accepts = np.array([f.hazardous for f in flow_list])
    unit_kind = np.full(n, -1, dtype=np.int8)
    amount = np.zeros(n)
    for i, (f, c) in enumerate(zip(flow_list, cats, strict=True)):
        comp = comparable_quantity(f, c)
        if comp is not None:
            unit_kind[i], amount[i] = UNIT_KINDS[comp[0]], comp[1]
    by_code: dict[tuple[Direction, str], list[int]] = defaultdict(list)
    for i, f in enumerate(flow_list):
        by_code[(f.direction, f.category_code)].append(i)
    trees: dict[str, tuple[cKDTree, np.ndarray]] = {}

    def tree(code: str) -> tuple[cKDTree, np.ndarray] | None:
        members = by_code.get((Direction.INPUT, code))
        if not members:
            return None
        if code not in trees:
            index = np.array(members)
            trees[code] = (cKDTree(xy[index]), index)
        return trees[code]

    chunks: list[tuple[np.ndarray, ...]] = []
    for (direction, out_code), out_members in by_code.items():
        if direction is not Direction.OUTPUT:
            continue
        out_cat = taxonomy.get(out_code)
        if out_cat is None:
            continue
        own_max_km = (
            MUTUALISATION_MAX_KM if out_cat.kind == "mutualisation" else out_cat.max_transport_km
        )
        reach_m = min(own_max_km, max_km) * 1000.0
        outs = np.array(out_members)
        for in_code, fit in compat.inputs_for(out_code).items():
            found = tree(in_code)
            if found is None:
                continue
            kd, ins_index = found
            k = min(pool_size(per_offer), ins_index.size)
            # Threads pay off on big queries only; small ones run in this thread.
            dist, pos = kd.query(
                xy[outs],
                k=k,
                distance_upper_bound=reach_m * LAMBERT_MARGIN,
                workers=-1 if outs.size * k > 200_000 else 1,
            )
            dist, pos = dist.reshape(len(outs), k), pos.reshape(len(outs), k)
            valid = np.isfinite(dist)
            i_mat = ins_index[np.minimum(pos, ins_index.size - 1)]
            valid &= site_ids[outs][:, None] != site_ids[i_mat]
            valid &= ~hazardous[outs][:, None] | accepts[i_mat]
            if not valid.any():
                continue
            q_fit = scoring.quantity_fits(
                unit_kind[outs][:, None], amount[outs][:, None], unit_kind[i_mat], amount[i_mat]
            )
            # Pre-score on the projected distance (within a fraction of a percent of the
            # geodesic one); the exact score comes after the cut.
            pre = np.where(
                valid,
                scoring.scores(
                    fit.strength, q_fit, np.where(valid, dist, 0.0), own_max_km * 1000.0
                ),
                -np.inf,
            )
            keep_n = 2 * per_offer + 2
            if k > keep_n:  # no offer needs more than keep_n rows from one category
                cols = np.argpartition(-pre, keep_n - 1, axis=1)[:, :keep_n]
                pre = np.take_along_axis(pre, cols, axis=1)
                q_fit = np.take_along_axis(q_fit, cols, axis=1)
                i_mat = np.take_along_axis(i_mat, cols, axis=1)
            rows, cols = np.nonzero(np.isfinite(pre))
            o = outs[rows]
            chunks.append(
                (
                    o,
                    i_mat[rows, cols],
                    pre[rows, cols],
                    q_fit[rows, cols],
                    np.full(o.size, own_max_km * 1000.0),
                    np.full(o.size, reach_m),
                    np.full(o.size, fit.strength),
                    np.full(o.size, fit.kind is SynergyKind.MUTUALISATION),
                )
            )
    if not chunks:
        return _empty()
    o, ins, pre, q_fits, own_max_m, reach, strength, mutual = (
        np.concatenate(parts) for parts in zip(*chunks, strict=True)
    )
    # Cut 1: a margin of the best by pre-score, per offer (ties in any order: cut 2 decides).
    cut = _top_per_offer(o, pre, 2 * per_offer + 2)
    o, ins, q_fits, own_max_m, reach, strength, mutual = (
        a[cut] for a in (o, ins, q_fits, own_max_m, reach, strength, mutual)
    )
    _, _, geo = WGS84_GEOD.inv(lon[o], lat[o], lon[ins], lat[ins])
    inside = geo <= reach
    o, ins, geo, q_fits, own_max_m, strength, mutual = (
        a[inside] for a in (o, ins, geo, q_fits, own_max_m, strength, mutual)
    )
    score = scoring.rounded_scores(scoring.scores(strength, q_fits, geo, own_max_m))
    # Cut 2: the exact score, best first within each offer.
    order = _best_per_offer(ids[o], score, ids[ins], per_offer, geo=geo)
    return BulkPairs(
        ids[o][order], ids[ins][order], geo[order], score[order], strength[order], mutual[order]
    )


def _top_per_offer(offer: np.ndarray, score: np.ndarray, n: int) -> np.ndarray:
    """Indices of ``n`` rows of each offer with the highest scores (one sort on one key)."""
    key = offer.astype(np.float64) * 2.0 + (1.0 - np.clip(score, 0.0, 1.0))
    order = np.argsort(key, kind="stable")
    sorted_offer = offer[order]
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_offer)) + 1]
    rank = np.arange(order.size) - np.repeat(starts, np.diff(np.r_[starts, order.size]))
    return order[rank < n]


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
