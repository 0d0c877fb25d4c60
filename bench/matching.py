"""Province-scale matching: the vectorised full matching against a naive all-pairs baseline.

One run builds a seeded synthetic registry (50,000 sites and 200,000 flows by default, spread
over Québec's populated south around real towns) and measures:

* the full matching within 100 km (:func:`mapservice.matching.bulk.bulk_pairs`, k-d trees per
  category), against a naive all-pairs baseline timed in the same run on a random sample of
  offers and extrapolated linearly to every offer (the ratio), and, on that sample, the share
  of offers where both keep the same best partners (ties aside; the target is 99 %) and the
  share of the baseline's pairs that bulk finds;
* one site's candidates (:meth:`mapservice.matching.matcher.Matcher.for_site` on the live rtree
index,
  geodesic backend): p50 / p95 over random sites;
* a 1,000 × 1,000 road distance matrix on the regional road graph (and the geodesic one);
* the live index: build, inserts, moves, removes and radius queries per second;
* peak memory: tracemalloc peak of the full matching, and the process max RSS.

Run ``python -m bench.matching --help`` (or ``make bench-matching``); see ``bench/README.md``.
"""

from __future__ import annotations

import argparse
import csv
import gc
import json
import math
import multiprocessing as mp
import os
import platform
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from mapservice.domain.model import Direction, Flow, Frequency, Site, Unit
from mapservice.geo.projection import WGS84_GEOD as _GEOD
from mapservice.geo.spatial_index import SiteIndex
from mapservice.matching import scoring
from mapservice.matching.bulk import BulkPairs, bulk_pairs
from mapservice.matching.matcher import Matcher
from mapservice.matching.scoring import MUTUALISATION_MAX_KM, UNIT_KINDS
from mapservice.materials.compatibility import Compatibility
from mapservice.materials.impact import TransportModel, tonnes_per_year
from mapservice.materials.taxonomy import Category, Taxonomy, load_factors
from mapservice.routing.geodesic import GeodesicBackend
from mapservice.routing.graph import RoadGraph

ROOT = Path(__file__).resolve().parent.parent
MIB = 1024 * 1024
MAX_KM = 100.0
#: Candidates a site page or the API shows (the API's default limit).
SITE_LIMIT = 100
PER_OFFER = 5

#: The issue's targets.
TARGET_FULL_S = 10.0
TARGET_SITE_P95_MS = 50.0
TARGET_MATRIX_S = 5.0
#: Share of sampled offers whose best PER_OFFER bulk matching must keep, ties aside (%).
TARGET_AGREEMENT_PCT = 99.0

#: Québec's populated south (lon, lat bounds) and the service's region.
PROVINCE = (-79.5, 45.0, -64.0, 49.5)
REGION = (-72.6, 48.2, -70.8, 48.9)
#: Share of the sites drawn around the region's own municipalities (the rest: the province).
REGIONAL_SHARE = 0.10

_KM_PER_DEG_LAT = 111.2

# --- the synthetic registry ---------------------------------------------------------------------

#: Relative weight of an offered category, by top-level family (leaves and roots alike).
FAMILY_WEIGHTS = {
    "bois": 10,
    "metaux": 8,
    "pates_papiers": 5,
    "agroalimentaire": 8,
    "construction": 9,
    "plastiques": 7,
    "emballages": 7,
    "chimiques": 1.2,
    "autres": 5,
    "energie": 3,
    "mutualisation": 4,
    "usages": 0,
}
#: Typical quantity (median) and spread (sigma of the log) of a flow, by its unit.
QUANTITY = {
    Unit.T_PER_YEAR: (150.0, 1.6),
    Unit.M3_PER_YEAR: (40.0, 1.4),
    Unit.UNITS_PER_YEAR: (1500.0, 1.5),
    Unit.KW: (400.0, 1.2),
}
#: Mutualisation flows count occasions (trips, shared days), not goods.
MUTUALISATION_QUANTITY = (24.0, 1.0)
#: Share of flows flagged hazardous outside the hazardous categories (mislabelled, mixed loads).
HAZARD_FLAG_SHARE = 0.015
#: Share of needs in a hazardous category that say they accept hazardous material.
HAZARD_NEED_ACCEPTS = 0.7
#: Share of flows declared without a quantity.
NO_QUANTITY_SHARE = 0.1


@dataclass
class Registry:
    sites: list[Site]
    flows: list[Flow]
    offers: int
    needs: int
    hazardous: int
    regional_sites: int


def _read_anchors(data_dir: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Province anchors (lon, lat, weight = postal codes) and region anchors (by population)."""
    prov = []
    with (data_dir / "quebec_places.csv").open(encoding="utf-8", newline="") as fh:
        for rec in csv.DictReader(fh):
            lon, lat = float(rec["lon"]), float(rec["lat"])
            weight = float(rec["n_postal_codes"] or 0)
            inside = PROVINCE[0] <= lon <= PROVINCE[2] and PROVINCE[1] <= lat <= PROVINCE[3]
            if weight > 0 and inside:
                prov.append((lon, lat, weight))
    region = []
    with (data_dir / "municipalities.csv").open(encoding="utf-8", newline="") as fh:
        for rec in csv.DictReader(fh):
            if rec["parent_id"]:
                continue  # boroughs and sectors: their town is already there
            region.append((float(rec["lon"]), float(rec["lat"]), float(rec["population"] or 500)))
    return (
        np.array(prov),
        np.array(region),
        np.array([p[2] for p in prov]),
        np.array([r[2] for r in region]),
    )


def _scatter(
    rng: np.random.Generator,
    anchors: np.ndarray,
    weights: np.ndarray,
    n: int,
    bounds: tuple[float, float, float, float],
) -> np.ndarray:
    """``n`` points around weighted anchors: a bigger town spreads wider (sigma in km)."""
    pick = rng.choice(len(anchors), size=n, p=weights / weights.sum())
    sigma_km = np.clip(1.5 + 0.12 * np.sqrt(weights[pick]), 1.5, 18.0)
    lat0 = anchors[pick, 1]
    dlat = rng.normal(0.0, 1.0, n) * sigma_km / _KM_PER_DEG_LAT
    dlon = rng.normal(0.0, 1.0, n) * sigma_km / (_KM_PER_DEG_LAT * np.cos(np.radians(lat0)))
    lon = np.clip(anchors[pick, 0] + dlon, bounds[0], bounds[2])
    lat = np.clip(lat0 + dlat, bounds[1], bounds[3])
    return np.column_stack([lon, lat])


def _quantity(rng: np.random.Generator, cat: Category) -> tuple[float | None, Unit | None]:
    unit = Unit(cat.default_unit)
    if rng.random() < NO_QUANTITY_SHARE:
        return None, unit if rng.random() < 0.5 else None
    median, sigma = MUTUALISATION_QUANTITY if cat.kind == "mutualisation" else QUANTITY[unit]
    value = float(median * math.exp(rng.normal(0.0, sigma)))
    return (round(value, 1) if value < 100 else float(round(value))), unit


#: What synthetic descriptions add (often nothing): quality words of ``qualities.csv``.
QUALITY_SUFFIXES = ("",) * 6 + (
    ", sèche",
    ", humide",
    ", non traité",
    ", traité",
    ", propre",
    ", triée",
    ", écorcés, qualité pâte",
    ", résineux",
    ", bois franc",
)


def build_registry(
    data_dir: Path,
    taxonomy: Taxonomy,
    compat: Compatibility,
    n_sites: int,
    flows_per_site: float,
    seed: int,
) -> Registry:
    """A deterministic registry: same seed, sizes and ``data/``, same sites and flows."""
    rng = np.random.default_rng(seed)
    prov, region, prov_w, region_w = _read_anchors(data_dir)
    n_regional = int(round(n_sites * REGIONAL_SHARE))
    points = np.concatenate(
        [
            _scatter(rng, region, region_w, n_regional, REGION),
            _scatter(rng, prov, prov_w, n_sites - n_regional, PROVINCE),
        ]
    )
    points = points[rng.permutation(n_sites)]
    sites = [
        Site(
            id=i + 1,
            member_id=i + 1,
            name=f"Site synthétique {i + 1}",
            address=None,
            municipality_id=None,
            postal_code=None,
            lon=float(lon),
            lat=float(lat),
        )
        for i, (lon, lat) in enumerate(points.tolist())
    ]

    # Every site has at least one flow; the rest are spread at random (exact total).
    n_flows = int(round(n_sites * flows_per_site))
    extra = max(0, n_flows - n_sites)
    counts = (
        np.ones(n_sites, dtype=np.int64)
        if n_flows >= n_sites
        else np.zeros(n_sites, dtype=np.int64)
    )
    if n_flows < n_sites:
        counts[rng.choice(n_sites, size=n_flows, replace=False)] = 1
    else:
        counts += rng.multinomial(extra, np.full(n_sites, 1.0 / n_sites))
    site_of_flow = np.repeat(np.arange(1, n_sites + 1), counts)

    cats = [c for c in taxonomy if FAMILY_WEIGHTS.get(c.code.split(".")[0], 1) > 0]
    weights = np.array([FAMILY_WEIGHTS.get(c.code.split(".")[0], 1.0) for c in cats])
    out_cat = rng.choice(len(cats), size=len(site_of_flow), p=weights / weights.sum())
    is_offer = rng.random(len(site_of_flow)) < 0.5
    # Quality words on some descriptions, from their own stream (the rest of the registry does
    # not depend on them): the quality term and its bounds are exercised at scale.
    words = np.random.default_rng(seed + 1).choice(len(QUALITY_SUFFIXES), size=len(site_of_flow))
    flows = []
    hazardous_count = 0
    for k, (site_id, ci, offer) in enumerate(
        zip(site_of_flow.tolist(), out_cat.tolist(), is_offer.tolist(), strict=True)
    ):
        cat = cats[ci]
        if not offer:
            # A need that some offer can feed: one of the drawn category's compatible inputs.
            targets = sorted(compat.inputs_for(cat.code))
            code = targets[int(rng.integers(len(targets)))]
            found = taxonomy.get(code)
            assert found is not None
            cat = found
        quantity, unit = _quantity(rng, cat)
        if cat.hazardous:
            flagged = offer or rng.random() < HAZARD_NEED_ACCEPTS
        else:
            flagged = bool(rng.random() < HAZARD_FLAG_SHARE)
        hazardous_count += flagged
        flows.append(
            Flow(
                id=k + 1,
                site_id=site_id,
                direction=Direction.OUTPUT if offer else Direction.INPUT,
                category_code=cat.code,
                description=f"{cat.label_fr}{QUALITY_SUFFIXES[words[k]]} (synthétique)",
                quantity=quantity,
                unit=unit,
                frequency=Frequency.CONTINUOUS,
                hazardous=flagged,
            )
        )
    offers = int(is_offer.sum())
    return Registry(sites, flows, offers, len(flows) - offers, hazardous_count, n_regional)


# --- the naive baseline -------------------------------------------------------------------------


def _comparable(flow: Flow, cat: Category | None) -> tuple[int, float]:
    """(unit kind, amount) both sides can share, or (-1, 0) — the rule the matcher states."""
    if flow.quantity is None or flow.unit is None:
        return -1, 0.0
    if flow.unit is Unit.KW:
        return UNIT_KINDS["kw"], flow.quantity
    if flow.unit is Unit.UNITS_PER_YEAR:
        return UNIT_KINDS["u"], flow.quantity
    tonnes = tonnes_per_year(flow.quantity, flow.unit, cat.density_t_per_m3 if cat else None)
    return (UNIT_KINDS["t"], tonnes) if tonnes is not None else (-1, 0.0)


class NaiveMatcher:
    """Every offer against every need in the registry: no spatial index, no pruning.

    Per offer, vectorised over all needs: compatibility of the two categories (the
    :class:`Compatibility` answer for each need's category), not the same site, the hazard rule
    (a hazardous offer only to a need flagged hazardous), the exact geodesic distance to every
    compatible need, kept within min(``max_km``, the offered category's reach), then the same
    score as the matcher (quality words included) and the ``per_offer`` best (score down,
    distance up, need id up).
    """

    def __init__(
        self,
        registry: Registry,
        taxonomy: Taxonomy,
        compat: Compatibility,
        max_km: float,
        per_offer: int,
    ) -> None:
        self.taxonomy, self.compat = taxonomy, compat
        self.max_km, self.per_offer = max_km, per_offer
        point = {s.id: (s.lon, s.lat) for s in registry.sites}
        needs = [f for f in registry.flows if f.direction is Direction.INPUT]
        self.codes = sorted({f.category_code for f in needs})
        code_index = {c: i for i, c in enumerate(self.codes)}
        self.need_id = np.array([f.id for f in needs], dtype=np.int64)
        self.need_site = np.array([f.site_id for f in needs], dtype=np.int64)
        self.need_lon = np.array([point[f.site_id][0] for f in needs])
        self.need_lat = np.array([point[f.site_id][1] for f in needs])
        self.need_code = np.array([code_index[f.category_code] for f in needs])
        self.need_flagged = np.array([f.hazardous for f in needs])
        comp = [_comparable(f, taxonomy.get(f.category_code)) for f in needs]
        self.need_kind = np.array([c[0] for c in comp], dtype=np.int8)
        self.need_amount = np.array([c[1] for c in comp])
        masks = [taxonomy.qualities.masks(f.description or "") for f in needs]
        self.need_stated = np.array([m[0] for m in masks], dtype=np.int64)
        self.point = point

    def top(self, offer: Flow) -> list[tuple[int, float, float]]:
        """The offer's best needs: (need flow id, score, geodesic m)."""
        cat = self.taxonomy.get(offer.category_code)
        if cat is None:
            return []
        strength = np.zeros(len(self.codes))
        for j, code in enumerate(self.codes):
            fit = self.compat.fit(offer.category_code, code)
            if fit is not None:
                strength[j] = fit.strength
        s = strength[self.need_code]
        ok = (s > 0) & (self.need_site != offer.site_id)
        if offer.hazardous or cat.hazardous:
            ok &= self.need_flagged
        idx = np.flatnonzero(ok)
        if idx.size == 0:
            return []
        lon, lat = self.point[offer.site_id]
        _, _, geo = _GEOD.inv(
            np.full(idx.size, lon), np.full(idx.size, lat), self.need_lon[idx], self.need_lat[idx]
        )
        own_km = MUTUALISATION_MAX_KM if cat.kind == "mutualisation" else cat.max_transport_km
        inside = geo <= min(own_km, self.max_km) * 1000.0
        idx, geo = idx[inside], geo[inside]
        kind, amount = _comparable(offer, cat)
        q_fit = scoring.quantity_fits(kind, amount, self.need_kind[idx], self.need_amount[idx])
        stated, contrary = self.taxonomy.qualities.masks(offer.description or "")
        quality = scoring.quality_fits(self.need_stated[idx], stated, contrary)
        score = scoring.rounded_scores(scoring.scores(s[idx], q_fit, geo, own_km * 1000.0, quality))
        order = np.lexsort((self.need_id[idx], geo, -score))[: self.per_offer]
        return [(int(self.need_id[idx][o]), float(score[o]), float(geo[o])) for o in order]


# --- measuring ----------------------------------------------------------------------------------


def _best_of(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(max(1, repeat)):
        result = None
        gc.collect()
        started = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - started)
    return best, result


def _percentile(values: Sequence[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q)) if len(values) else float("nan")


def _routed_pct(cells: Any) -> float:
    """Share of cells with a road distance (arrays when the matrix has them)."""
    road = getattr(cells, "road_m", None)
    if isinstance(road, np.ndarray):
        return 100.0 * float(np.isfinite(road).mean()) if road.size else 0.0
    flat = [c for row in cells for c in row]
    return 100.0 * sum(c.road_m is not None for c in flat) / max(1, len(flat))


_T0 = time.perf_counter()


def _stage(name: str) -> None:
    """Progress on stderr, so a long run shows where it is (the report goes to stdout)."""
    print(f"[{time.perf_counter() - _T0:6.1f} s] {name} done", file=sys.stderr, flush=True)


def _max_rss_mib(who: int = resource.RUSAGE_SELF) -> float:
    rss = resource.getrusage(who).ru_maxrss
    return rss / MIB if sys.platform == "darwin" else rss / 1024  # bytes on macOS, else KiB


def region_points(rng: np.random.Generator, data_dir: Path, n: int) -> list[tuple[float, float]]:
    """``n`` points of the region: municipality points jittered by up to 5 km."""
    anchors = []
    with (data_dir / "municipalities.csv").open(encoding="utf-8", newline="") as fh:
        for rec in csv.DictReader(fh):
            anchors.append((float(rec["lon"]), float(rec["lat"])))
    pick = rng.integers(len(anchors), size=n)
    dist = 5000.0 * np.sqrt(rng.random(n))
    az = rng.uniform(-180.0, 180.0, n)
    base = np.array(anchors)[pick]
    lon, lat, _ = _GEOD.fwd(base[:, 0], base[:, 1], az, dist)
    lon = np.clip(lon, REGION[0], REGION[2])
    lat = np.clip(lat, REGION[1], REGION[3])
    return list(zip(lon.tolist(), lat.tolist(), strict=True))


def _agreement(bulk: BulkPairs, naive: dict[int, list[tuple[int, float, float]]]) -> dict[str, Any]:
    """Does bulk keep the same best needs as the naive baseline, offer by offer?"""
    kept: dict[int, list[tuple[int, float]]] = {}
    for o, i, score in zip(
        bulk.output_flow_id.tolist(), bulk.input_flow_id.tolist(), bulk.score.tolist(), strict=True
    ):
        if o in naive:
            kept.setdefault(o, []).append((i, score))
    same_list = same_set = same_scores = ties_aside = 0
    naive_pairs = found_pairs = 0
    for offer, top in naive.items():
        got = kept.get(offer, [])
        want_ids = [t[0] for t in top]
        got_ids = [g[0] for g in got]
        same_list += got_ids == want_ids
        same_set += set(got_ids) == set(want_ids)
        # Ties in score: another need at the same score is as good a pick.
        scores_equal = sorted(g[1] for g in got) == sorted(t[1] for t in top)
        same_scores += scores_equal
        # Ties aside: the same list, or another need at the same score in place of one.
        ties_aside += got_ids == want_ids or scores_equal
        naive_pairs += len(want_ids)
        found_pairs += len(set(got_ids) & set(want_ids))
    n = len(naive) or 1
    return {
        "offers": len(naive),
        "same_ranked_list_pct": 100.0 * same_list / n,
        "same_set_pct": 100.0 * same_set / n,
        "same_scores_pct": 100.0 * same_scores / n,
        "agreement_pct": 100.0 * ties_aside / n,
        "pair_recall_pct": 100.0 * found_pairs / naive_pairs if naive_pairs else 100.0,
        "naive_pairs": naive_pairs,
    }


def _hazard_breaches(bulk: BulkPairs, registry: Registry, taxonomy: Taxonomy) -> int:
    """Kept pairs where a hazardous offer goes to a need not flagged hazardous."""
    by_id = {f.id: f for f in registry.flows}
    count = 0
    for o, i in zip(bulk.output_flow_id.tolist(), bulk.input_flow_id.tolist(), strict=True):
        out_f, in_f = by_id[o], by_id[i]
        cat = taxonomy.get(out_f.category_code)
        if (out_f.hazardous or (cat is not None and cat.hazardous)) and not in_f.hazardous:
            count += 1
    return count


def _site_worker(
    conn: Any,
    matcher: Matcher,
    index: SiteIndex,
    site_ids: list[int],
    distances: Any,
    memory_gib: float,
    warm_up: bool,
) -> None:
    """Child process: time each site's query and send (site, ms, candidates, near, error)."""
    limit = int(memory_gib * 1024**3)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    if warm_up and site_ids:
        # A site with the fewest neighbours, so the warm-up itself is short.
        sid = min(site_ids[:20], key=lambda i: len(index.within(*index.point(i), 10_000.0)))
        matcher.for_site(sid, distances=distances, max_km=MAX_KM, limit=SITE_LIMIT)
    conn.send(("ready", 0.0, 0, 0, ""))
    for sid in site_ids:
        near = len(index.within(*index.point(sid), MAX_KM * 1000.0))
        conn.send(("start", float(sid), 0, near, ""))
        gc.collect()
        started = time.perf_counter()
        try:
            found = len(matcher.for_site(sid, distances=distances, max_km=MAX_KM, limit=SITE_LIMIT))
            error = ""
        except MemoryError:
            found, error = -1, "MemoryError"
        conn.send(("done", 1000 * (time.perf_counter() - started), found, near, error))
    conn.close()


def time_sites(
    matcher: Matcher,
    index: SiteIndex,
    site_ids: list[int],
    distances: Any,
    budget_s: float,
    memory_gib: float,
    warm_up: bool = True,
) -> dict[str, Any]:
    """``Matcher.for_site`` on each site in turn, in a forked child with a memory cap.

    A query can need a matrix of every partner offering to the site × every partner needing
    from it: at province density that is millions of cells. The child stops at ``budget_s``
    (the sites are in random order, so those timed are a random sample); the query running
    then counts with its time so far as a lower bound, and a ``MemoryError`` under the cap
    counts as a failed query.
    """
    empty = {
        "sites": 0,
        "asked": len(site_ids),
        "p50_ms": float("nan"),
        "p95_ms": float("nan"),
        "max_ms": float("nan"),
        "p95_lower_bound": False,
        "unfinished": 0,
        "memory_errors": 0,
        "p50_candidates": float("nan"),
        "max_candidates": 0,
        "p50_near": float("nan"),
        "max_near": 0,
        "slowest": [],
        "budget_s": budget_s,
        "memory_gib": memory_gib,
    }
    if not site_ids:
        return empty
    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(
        target=_site_worker,
        args=(child, matcher, index, site_ids, distances, memory_gib, warm_up),
        daemon=True,
    )
    proc.start()
    child.close()
    rows: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None
    deadline: float | None = None
    query_started = 0.0
    while True:
        wait = None if deadline is None else max(0.0, deadline - time.perf_counter())
        if not parent.poll(wait):
            break  # budget spent
        try:
            kind, value, found, near, error = parent.recv()
        except EOFError:
            break  # the child ended (or died)
        if kind == "ready":
            deadline = time.perf_counter() + budget_s
        elif kind == "start":
            current = {"site_id": int(value), "near": near}
            query_started = time.perf_counter()
        elif current is not None:
            rows.append(
                {**current, "ms": value, "candidates": found, "error": error, "lower_bound": False}
            )
            current = None
    if current is not None:  # cut by the budget, or killed by the memory cap
        rows.append(
            {
                **current,
                "ms": 1000 * (time.perf_counter() - query_started),
                "candidates": -1,
                "error": "unfinished",
                "lower_bound": True,
            }
        )
    if proc.is_alive():
        proc.terminate()
    proc.join()
    parent.close()
    if not rows:
        return empty
    ms = [r["ms"] for r in rows]
    ok = [r for r in rows if not r["error"]]
    p95 = _percentile(ms, 95)
    # A query cut short counts with its time so far: the true percentiles are no lower.
    bound = any(r["lower_bound"] for r in rows)
    return {
        **empty,
        "sites": len(rows),
        "p50_ms": _percentile(ms, 50),
        "p95_ms": p95,
        "max_ms": max(ms),
        "p95_lower_bound": bound,
        "unfinished": sum(r["error"] == "unfinished" for r in rows),
        "memory_errors": sum(r["error"] == "MemoryError" for r in rows),
        "p50_candidates": _percentile([r["candidates"] for r in ok], 50),
        "max_candidates": max((r["candidates"] for r in ok), default=0),
        "p50_near": _percentile([r["near"] for r in rows], 50),
        "max_near": max(r["near"] for r in rows),
        "slowest": sorted(rows, key=lambda r: -r["ms"])[:3],
    }


# --- report -------------------------------------------------------------------------------------


def _verdict(value: float, target: float | None) -> str:
    if target is None:
        return ""
    return "PASS" if value <= target else "FAIL"


def print_report(meta: dict[str, Any], res: dict[str, Any]) -> None:
    reg = res["registry"]
    print("Province-scale matching: vectorised full matching vs naive all-pairs baseline")
    print(
        f"Python {meta['python']} on {meta['platform']}, {meta['cpus']} CPUs · "
        f"seed {meta['seed']} · data {meta['data_dir']}"
    )
    print()
    print(
        f"Synthetic registry ({res['load']['registry_s']:.1f} s to build, not timed below): "
        f"{reg['sites']:,} sites ({reg['regional_sites']:,} in the region), "
        f"{reg['flows']:,} flows ({reg['offers']:,} offers, {reg['needs']:,} needs, "
        f"{reg['hazardous']:,} flagged hazardous = "
        f"{100 * reg['hazardous'] / reg['flows']:.1f} %)"
    )
    print(
        f"Taxonomy {res['load']['taxonomy_s']:.3f} s · road graph "
        f"{res['load']['road_graph_s']:.2f} s ({res['load']['road_nodes']:,} nodes, "
        f"{res['load']['road_edges']:,} edges)"
    )
    print()
    full, naive = res["full"], res["naive"]
    site, road, mat, idx = res["site"], res["site_road"], res["matrix"], res["index"]
    rows: list[tuple[str, str, str, str, str]] = [
        (
            "full matching, index (bulk_pairs)",
            f"{full['best_s']:.2f} s",
            f"< {TARGET_FULL_S:g} s",
            _verdict(full["best_s"], TARGET_FULL_S),
            f"{naive['ratio']:,.0f}× faster",
        ),
        (
            f"full matching, naive (extrap. {naive['sample_offers']})",
            f"{naive['extrapolated_s']:,.0f} s",
            "",
            "",
            "baseline",
        ),
        (
            f"same best {PER_OFFER} as naive, ties aside",
            f"{naive['agreement']['agreement_pct']:.1f} %",
            f"≥ {TARGET_AGREEMENT_PCT:g} %",
            "PASS" if naive["agreement"]["agreement_pct"] >= TARGET_AGREEMENT_PCT else "FAIL",
            f"{naive['sample_offers']} sampled offers",
        ),
        (
            "naive pairs found by bulk (recall)",
            f"{naive['agreement']['pair_recall_pct']:.1f} %",
            "",
            "",
            f"of {naive['agreement']['naive_pairs']:,}",
        ),
        (
            "one site's candidates p50 (geodesic)",
            f"{site['p50_ms']:,.1f} ms",
            "",
            "",
            f"{site['sites']} sites",
        ),
        (
            "one site's candidates p95 (geodesic)",
            f"{'≥' if site['p95_lower_bound'] else ''}{site['p95_ms']:,.1f} ms",
            f"< {TARGET_SITE_P95_MS:g} ms",
            _verdict(site["p95_ms"], TARGET_SITE_P95_MS),
            "",
        ),
        (
            "one site's candidates p50 (road graph)",
            f"{road['p50_ms']:,.1f} ms",
            "",
            "",
            f"{road['sites']} regional sites",
        ),
        (
            f"road matrix {mat['points']:,} × {mat['points']:,} (matrix)",
            f"{mat['road_s']:.2f} s",
            f"< {TARGET_MATRIX_S:g} s",
            _verdict(mat["road_s"], TARGET_MATRIX_S),
            "",
        ),
        ("  + reading every cell as Distance", f"{mat['road_cells_s']:.2f} s", "", "", ""),
        (
            f"geodesic matrix {mat['points']:,} × {mat['points']:,}",
            f"{mat['geodesic_s']:.2f} s",
            "",
            "",
            "",
        ),
        ("  + reading every cell as Distance", f"{mat['geodesic_cells_s']:.2f} s", "", "", ""),
        ("index build", f"{idx['build_s']:.2f} s", "", "", f"{idx['sites']:,} sites"),
        ("index inserts", f"{idx['inserts_per_s']:,.0f} /s", "", "", ""),
        ("index moves (upsert)", f"{idx['moves_per_s']:,.0f} /s", "", "", ""),
        ("index removes", f"{idx['removes_per_s']:,.0f} /s", "", "", ""),
        (
            "index within(10 km)",
            f"{idx['within_per_s']:,.0f} /s",
            "",
            "",
            f"{idx['within_mean_found']:.0f} sites each",
        ),
        ("index nearest(10)", f"{idx['nearest_per_s']:,.0f} /s", "", "", ""),
        ("peak memory, full matching", f"{full['peak_mib']:.0f} MiB", "", "", "tracemalloc"),
        ("process max RSS", f"{res['max_rss_mib']:.0f} MiB", "", "", "whole run"),
        ("  one-site child processes max RSS", f"{res['children_rss_mib']:.0f} MiB", "", "", ""),
    ]
    head = f"{'figure':<42}{'value':>12}  {'target':<10}{'':<6}{'vs naive / note'}"
    print(head)
    print("-" * (len(head) + 14))
    for name, value, target, verdict, note in rows:
        print(f"{name:<42}{value:>12}  {target:<10}{verdict:<6}{note}")
    print()
    print(
        f"Full matching: best of {full['passes']} passes; {full['pairs']:,} pairs kept "
        f"({full['offers_with_pairs']:,} of {reg['offers']:,} offers have at least one), "
        f"max {MAX_KM:g} km, {PER_OFFER} per offer."
    )
    print(
        f"Naive baseline: {naive['sample_offers']} random offers against all "
        f"{reg['needs']:,} needs took {naive['sample_s']:.2f} s "
        f"({1000 * naive['per_offer_s']:.1f} ms per offer); × {reg['offers']:,} offers = "
        f"{naive['extrapolated_s']:,.0f} s EXTRAPOLATED (linear), not measured."
    )
    agree = naive["agreement"]
    print(
        f"Same best {PER_OFFER} on those {agree['offers']} offers: ties aside "
        f"{agree['agreement_pct']:.1f} %, ranked list "
        f"{agree['same_ranked_list_pct']:.1f} %, same set {agree['same_set_pct']:.1f} %, "
        f"same scores {agree['same_scores_pct']:.1f} %, naive pairs found by bulk "
        f"{agree['pair_recall_pct']:.1f} % of {agree['naive_pairs']:,}."
    )
    print(
        f"Bulk pairs sending a hazardous offer to a need not flagged hazardous: "
        f"{full['hazard_breaches']:,} (the matcher's rule allows none)."
    )
    for title, block in (("geodesic backend", site), ("road graph, regional sites", road)):
        if not block["sites"]:
            continue
        print(
            f"One site ({title}): Matcher.for_site(max_km={MAX_KM:g}, limit={SITE_LIMIT}) "
            f"on {block['sites']} "
            f"of {block['asked']} random sites (budget {block['budget_s']:g} s, child capped "
            f"at {block['memory_gib']:g} GiB): p50 {block['p50_ms']:,.0f} ms, p95 "
            f"{'≥ ' if block['p95_lower_bound'] else ''}{block['p95_ms']:,.0f} ms, max "
            f"{block['max_ms']:,.0f} ms; {block['unfinished']} cut by the budget, "
            f"{block['memory_errors']} MemoryError."
        )
        print(
            f"  candidates p50 {block['p50_candidates']:,.0f}, max "
            f"{block['max_candidates']:,}; sites within {MAX_KM:g} km p50 "
            f"{block['p50_near']:,.0f}, max {block['max_near']:,}."
        )
        print(
            "  slowest: "
            + "; ".join(
                f"site {r['site_id']} {r['ms']:,.0f} ms"
                f"{' (unfinished)' if r['lower_bound'] else ''}"
                f" ({r['near']:,} sites near, {max(r['candidates'], 0):,} candidates)"
                for r in block["slowest"]
            )
        )
    print(
        f"Road matrix: {mat['points']:,} × {mat['points']:,} points of the region "
        f"(municipalities jittered up to 5 km); {mat['routed_pct']:.1f} % of cells routed."
    )
    print(
        f"Index: {idx['ops']:,} inserts, moves and removes, {idx['queries']:,} of each query, "
        f"on the {idx['sites']:,}-site index."
    )
    print(
        "peak memory: tracemalloc peak of one more full-matching pass (registry excluded); "
        "max RSS: getrusage, whole run (parent; the one-site queries run in child processes)."
    )


# --- main ---------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.matching",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--sites", type=int, default=50_000, help="sites (default 50000)")
    parser.add_argument(
        "--flows-per-site", type=float, default=4.0, help="flows per site on average (default 4)"
    )
    parser.add_argument("--seed", type=int, default=2021, help="generator seed (default 2021)")
    parser.add_argument(
        "--data",
        type=Path,
        default=ROOT / "data",
        help="reference data folder (default: the project's data/)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="timed passes of the full matching; the best counts (default 1)",
    )
    parser.add_argument(
        "--naive-offers",
        type=int,
        default=300,
        help="offers in the naive baseline's sample (default 300)",
    )
    parser.add_argument(
        "--site-queries",
        type=int,
        default=200,
        help="random sites timed with Matcher.for_site (default 200)",
    )
    parser.add_argument(
        "--site-budget",
        type=float,
        default=30.0,
        help="seconds for the one-site queries (default 30; the road ones get half)",
    )
    parser.add_argument(
        "--site-memory-gib",
        type=float,
        default=8.0,
        help="address-space cap of the one-site child process (default 8)",
    )
    parser.add_argument(
        "--road-sites",
        type=int,
        default=5,
        help="regional sites timed with the road graph (default 5; 0 = none)",
    )
    parser.add_argument(
        "--matrix-points",
        type=int,
        default=1000,
        help="origins and destinations of the matrices (default 1000)",
    )
    parser.add_argument(
        "--index-ops",
        type=int,
        default=5000,
        help="inserts, moves, removes each (default 5000); a fifth as many "
        "radius and nearest queries",
    )
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the figures here")
    args = parser.parse_args(argv)
    if args.sites < 2 or args.flows_per_site <= 0:
        parser.error("--sites must be 2 or more and --flows-per-site positive")
    data_dir: Path = args.data
    rng = np.random.default_rng(args.seed + 1)  # samples; the registry has its own stream

    started = time.perf_counter()
    taxonomy = Taxonomy.from_directory(data_dir)
    compat = Compatibility(taxonomy)
    taxonomy_s = time.perf_counter() - started
    started = time.perf_counter()
    reg = build_registry(data_dir, taxonomy, compat, args.sites, args.flows_per_site, args.seed)
    registry_s = time.perf_counter() - started
    _stage("registry")
    res: dict[str, Any] = {
        "registry": {
            "sites": len(reg.sites),
            "flows": len(reg.flows),
            "offers": reg.offers,
            "needs": reg.needs,
            "hazardous": reg.hazardous,
            "regional_sites": reg.regional_sites,
        }
    }

    # 1. Full matching with the index, then its memory in a pass of its own.
    def full() -> BulkPairs:
        return bulk_pairs(
            sites=reg.sites,
            flows=reg.flows,
            taxonomy=taxonomy,
            compatibility=compat,
            max_km=MAX_KM,
            per_offer=PER_OFFER,
        )

    best_s, pairs = _best_of(full, args.repeat)
    gc.collect()
    tracemalloc.start()
    try:
        full()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    res["full"] = {
        "best_s": best_s,
        "passes": max(1, args.repeat),
        "pairs": len(pairs),
        "offers_with_pairs": int(np.unique(pairs.output_flow_id).size),
        "peak_bytes": peak,
        "peak_mib": peak / MIB,
        "hazard_breaches": _hazard_breaches(pairs, reg, taxonomy),
    }
    _stage("full matching")

    # 2. The naive baseline on a sample of offers, extrapolated to all offers.
    naive = NaiveMatcher(reg, taxonomy, compat, MAX_KM, PER_OFFER)
    offers = [f for f in reg.flows if f.direction is Direction.OUTPUT]
    sample = [
        offers[i]
        for i in rng.choice(len(offers), size=min(args.naive_offers, len(offers)), replace=False)
    ]
    naive.top(sample[0])  # warm-up
    gc.collect()
    started = time.perf_counter()
    naive_top = {f.id or 0: naive.top(f) for f in sample}
    sample_s = time.perf_counter() - started
    per_offer_s = sample_s / len(sample)
    extrapolated = per_offer_s * len(offers)
    res["naive"] = {
        "sample_offers": len(sample),
        "sample_s": sample_s,
        "per_offer_s": per_offer_s,
        "extrapolated_s": extrapolated,
        "extrapolated": True,
        "ratio": extrapolated / best_s if best_s > 0 else float("inf"),
        "agreement": _agreement(pairs, naive_top),
    }
    _stage("naive baseline")
    del naive, naive_top, pairs

    # 3. One site's candidates on the live index.
    started = time.perf_counter()
    index = SiteIndex((s.id or 0, s.lon or 0.0, s.lat or 0.0) for s in reg.sites)
    build_s = time.perf_counter() - started
    model = TransportModel.from_factors(load_factors(data_dir / "factors.csv"))
    matcher = Matcher(
        sites=reg.sites,
        flows=reg.flows,
        taxonomy=taxonomy,
        index=index,
        model=model,
        compatibility=compat,
    )
    geodesic = GeodesicBackend()
    site_ids = (
        rng.choice(len(reg.sites), size=min(args.site_queries, len(reg.sites)), replace=False) + 1
    ).tolist()
    res["site"] = time_sites(
        matcher, index, site_ids, geodesic, args.site_budget, args.site_memory_gib
    )
    _stage("one site's candidates")

    # 4. Road matrix (and, for a few regional sites, one site's candidates by road).
    started = time.perf_counter()
    roads = RoadGraph.from_geojson(data_dir / "roads.geojson")
    road_graph_s = time.perf_counter() - started
    pts_o = region_points(rng, data_dir, args.matrix_points)
    pts_d = region_points(rng, data_dir, args.matrix_points)
    roads.matrix(pts_o[:50], pts_d[:50])  # warm-up
    road_s, cells = _best_of(lambda: roads.matrix(pts_o, pts_d), 1)
    routed_pct = _routed_pct(cells)
    # The matrix may hold arrays and make its Distance objects on demand: reading every cell
    # is timed apart, since a caller that wants objects pays for them.
    started = time.perf_counter()
    n_cells = sum(len(list(row)) for row in cells)
    road_cells_s = time.perf_counter() - started
    del cells
    geodesic_s, cells = _best_of(lambda: geodesic.matrix(pts_o, pts_d), 1)
    started = time.perf_counter()
    sum(len(list(row)) for row in cells)
    geodesic_cells_s = time.perf_counter() - started
    del cells
    gc.collect()
    res["matrix"] = {
        "points": args.matrix_points,
        "road_s": road_s,
        "road_cells_s": road_cells_s,
        "geodesic_s": geodesic_s,
        "geodesic_cells_s": geodesic_cells_s,
        "cells": n_cells,
        "routed_pct": routed_pct,
    }
    _stage("road matrix")
    regional = [
        s.id or 0
        for s in reg.sites
        if REGION[0] <= (s.lon or 0) <= REGION[2] and REGION[1] <= (s.lat or 0) <= REGION[3]
    ]
    road_ids = [regional[k] for k in rng.permutation(len(regional))[: args.road_sites]]
    res["site_road"] = time_sites(
        matcher, index, road_ids, roads, args.site_budget / 2, args.site_memory_gib, warm_up=False
    )
    _stage("road candidates")
    del matcher

    # 5. The live index: inserts, moves, removes, queries.
    ops = args.index_ops
    moved = rng.choice(len(reg.sites), size=min(ops, len(reg.sites)), replace=False) + 1
    new_points = _scatter(rng, *_province_anchors(data_dir), ops, PROVINCE)
    first_new = len(reg.sites) + 1
    started = time.perf_counter()
    for k, (lon, lat) in enumerate(new_points.tolist()):
        index.upsert(first_new + k, lon, lat)
    inserts_s = time.perf_counter() - started
    started = time.perf_counter()
    for sid, (lon, lat) in zip(moved.tolist(), new_points.tolist(), strict=False):
        index.upsert(sid, lon, lat)
    moves_s = time.perf_counter() - started
    started = time.perf_counter()
    for k in range(ops):
        index.remove(first_new + k)
    removes_s = time.perf_counter() - started
    queries = new_points.tolist()[: max(1, ops // 5)]
    started = time.perf_counter()
    found_total = sum(len(index.within(lon, lat, 10_000.0)) for lon, lat in queries)
    within_s = time.perf_counter() - started
    started = time.perf_counter()
    for lon, lat in queries:
        index.nearest(lon, lat, 10)
    nearest_s = time.perf_counter() - started
    res["index"] = {
        "sites": len(reg.sites),
        "ops": ops,
        "build_s": build_s,
        "inserts_per_s": ops / inserts_s,
        "moves_per_s": len(moved) / moves_s,
        "removes_per_s": ops / removes_s,
        "queries": len(queries),
        "within_per_s": len(queries) / within_s,
        "within_mean_found": found_total / len(queries),
        "nearest_per_s": len(queries) / nearest_s,
    }
    _stage("index")
    res["load"] = {
        "taxonomy_s": taxonomy_s,
        "registry_s": registry_s,
        "road_graph_s": road_graph_s,
        "road_nodes": roads.n_nodes,
        "road_edges": roads.n_edges,
    }
    res["max_rss_mib"] = _max_rss_mib()
    res["children_rss_mib"] = _max_rss_mib(resource.RUSAGE_CHILDREN)
    meta: dict[str, Any] = {
        "python": platform.python_version(),
        "platform": f"{platform.system()} {platform.machine()}",
        "cpus": os.cpu_count(),
        "seed": args.seed,
        "data_dir": str(data_dir),
        "sites": args.sites,
        "flows_per_site": args.flows_per_site,
        "max_km": MAX_KM,
        "per_offer": PER_OFFER,
        "targets": {
            "full_s": TARGET_FULL_S,
            "site_p95_ms": TARGET_SITE_P95_MS,
            "matrix_s": TARGET_MATRIX_S,
            "agreement_pct": TARGET_AGREEMENT_PCT,
        },
    }
    print_report(meta, res)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps({**meta, **res}, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        print(f"Figures written to {args.json}")
    return 0


def _province_anchors(data_dir: Path) -> tuple[np.ndarray, np.ndarray]:
    prov, _, weights, _ = _read_anchors(data_dir)
    return prov, weights


if __name__ == "__main__":
    sys.exit(main())
