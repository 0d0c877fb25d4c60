"""The inference suite's attacks, as an attacker with the published factors and formula runs
them, and how a result is scored against the truth.

- :func:`figure_inversion`: tonnes from the benefit, the net or transport CO2e and the road km
  (t = benefit ÷ (landfill $/t − cost $/t·km × km), and the same with the CO2e factors);
- :func:`score_inversion`: the quantity ratio from the score minus its public terms (category
  strength, quality fit and distance, read from the reasons), then the hidden quantity from
  the partner's public one;
- :func:`trilaterate`: a hidden site's point by least squares from the distances to three or
  more partners whose points are public; :func:`line_ends`: the points lines end at.

A quantity is recovered when an estimate falls within :data:`QUANTITY_TOLERANCE` of it; a
position when an estimate falls within :data:`POSITION_KM` of it and closer than half the
distance from the point the public map shows, and by more than :data:`MARGIN_KM` (a site
shown at its park's centre is already near its true point: that much is published).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
from pyproj import Geod
from scipy.optimize import least_squares

from mapservice.matching import scoring
from mapservice.materials.impact import TransportModel, avoided_factor
from mapservice.materials.taxonomy import Taxonomy
from tests.support.inference_data import Point, Record, Truth

QUANTITY_TOLERANCE = 0.25
POSITION_KM = 2.0
#: An estimate must beat the published point by this much (rounding is not a recovery).
MARGIN_KM = 0.05
_GEOD = Geod(ellps="WGS84")


def distance_km(a: Point, b: Point) -> float:
    return float(_GEOD.inv(a[0], a[1], b[0], b[1])[2]) / 1000.0


def _add(out: dict[int, list[float]], flow_ids: Iterable[int], value: float | None) -> None:
    if value is None or not np.isfinite(value) or value <= 0:
        return
    for flow_id in flow_ids:
        out[flow_id].append(value)


def figure_inversion(
    records: Iterable[Record],
    model: TransportModel,
    taxonomy: Taxonomy,
    category: Mapping[int, str],
) -> dict[int, list[float]]:
    """Tonnes per flow id, from each shown figure that scales with them."""
    out: dict[int, list[float]] = defaultdict(list)
    per_tkm = model.kg_co2e_per_tkm * model.return_multiplier
    for r in records:
        pair = (r.output_flow_id, r.input_flow_id)
        _add(out, pair, r.tonnes)
        km = r.road_km
        if km is None:
            continue
        if r.net_benefit_cad is not None:
            per_t = model.landfill_cad_per_t - model.cost_cad_per_tkm * km
            _add(out, pair, r.net_benefit_cad / per_t if abs(per_t) > 1e-9 else None)
        if r.transport_t_co2e is not None and km > 0:
            _add(out, pair, r.transport_t_co2e * 1000.0 / (per_tkm * km))
        avoided = avoided_factor(taxonomy, category.get(r.output_flow_id, ""))
        if r.net_t_co2e is not None and avoided is not None:
            per_t = avoided.kg_co2e_avoided_per_t - per_tkm * km
            _add(out, pair, r.net_t_co2e * 1000.0 / per_t if abs(per_t) > 1e-9 else None)
    return out


_STRENGTH = re.compile(r"force (\d+(?:[.,]\d+)?)")
_MAX = re.compile(r"maximum (\d+(?:[.,]\d+)?)\s*km")


def _quality(reasons: list[str]) -> float:
    said = next((r for r in reasons if r.startswith("qualité")), None)
    if said is None:
        return scoring.QUALITY_NEUTRAL
    if "dit le contraire" in said:
        return scoring.QUALITY_CONTRARY
    if "elle ne précise pas" in said:
        return scoring.QUALITY_PARTLY
    if "que l'offre ne précise pas" in said:
        return scoring.QUALITY_UNSAID
    return scoring.QUALITY_MET


def _number(pattern: re.Pattern[str], reasons: list[str]) -> float | None:
    for reason in reasons:
        found = pattern.search(reason)
        if found:
            return float(found.group(1).replace(",", "."))
    return None


def score_inversion(
    records: Iterable[Record], known: Mapping[int, float]
) -> dict[int, list[float]]:
    """Quantities per flow id from the score: the quantity fit is the score minus the public
    terms, over its weight; the hidden quantity is the partner's times or over that ratio."""
    out: dict[int, list[float]] = defaultdict(list)
    for r in records:
        strength = _number(_STRENGTH, r.reasons)
        max_km = _number(_MAX, r.reasons)
        km = r.road_km if r.road_km is not None else r.geodesic_km
        if r.score is None or strength is None or max_km is None or km is None:
            continue
        rest = (
            scoring.W_CATEGORY * strength
            + scoring.W_DISTANCE * max(0.0, 1.0 - km / max_km)
            + scoring.W_QUALITY * _quality(r.reasons)
        )
        ratio = (r.score / 100.0 - rest) / scoring.W_QUANTITY
        if not 0.0 < ratio <= 1.1:
            continue
        ratio = min(ratio, 1.0)
        for hidden, partner in (
            (r.output_flow_id, r.input_flow_id),
            (r.input_flow_id, r.output_flow_id),
        ):
            other = known.get(partner)
            if other:
                out[hidden] += [other * ratio, other / ratio]
    return out


def trilaterate(
    records: Iterable[Record],
    exact: Mapping[int, Point],
    site_of: Mapping[int, int],
    targets: set[int],
) -> dict[int, list[Point]]:
    """Each target site's point, by least squares from three or more partners of ``exact``
    (public points) at the distances the records give."""
    seen: dict[int, dict[int, float]] = defaultdict(dict)
    for r in records:
        if r.geodesic_km is None:
            continue
        a, b = site_of.get(r.output_flow_id), site_of.get(r.input_flow_id)
        for hidden, partner in ((a, b), (b, a)):
            if hidden in targets and partner in exact and partner not in targets:
                seen[hidden][partner] = r.geodesic_km
    out: dict[int, list[Point]] = {}
    for hidden, partners in seen.items():
        if len(partners) < 3:
            continue
        pts = np.array([exact[p] for p in partners])
        dist_m = np.array(list(partners.values())) * 1000.0

        def residuals(v: np.ndarray, pts: np.ndarray = pts, dist_m: np.ndarray = dist_m) -> Any:
            ones = np.ones(len(pts))
            return _GEOD.inv(v[0] * ones, v[1] * ones, pts[:, 0], pts[:, 1])[2] - dist_m

        fit = least_squares(residuals, x0=pts.mean(axis=0), x_scale=[0.01, 0.01])
        out[hidden] = [(float(fit.x[0]), float(fit.x[1]))]
    return out


def line_ends(
    records: Iterable[Record], site_of: Mapping[int, int], targets: set[int]
) -> dict[int, list[Point]]:
    """The points lines end at, for each target site at an end."""
    out: dict[int, list[Point]] = defaultdict(list)
    for r in records:
        if r.ends is None:
            continue
        for flow_id, end in zip((r.output_flow_id, r.input_flow_id), r.ends, strict=True):
            site = site_of.get(flow_id)
            if site in targets:
                out[site].append(end)
    return out


def recovered_positions(
    estimates: Mapping[int, list[Point]], truth: Truth, targets: set[int]
) -> dict[int, float]:
    """Target sites recovered, with the best error in km."""
    out = {}
    for site_id, points in estimates.items():
        site = truth.sites[site_id]
        if site_id not in targets or site.lon is None or site.lat is None or not points:
            continue
        true = (site.lon, site.lat)
        shown = truth.shown.get(site_id)
        published_km = distance_km(true, shown) if shown else float("inf")
        best = min(distance_km(true, p) for p in points)
        if best <= POSITION_KM and best < published_km / 2 and published_km - best > MARGIN_KM:
            out[site_id] = best
    return out


def recovered_quantities(
    estimates: Mapping[int, list[float]], secret: Mapping[int, float]
) -> dict[int, float]:
    """Confidential flows whose quantity an estimate gives within the tolerance, with the best
    relative error."""
    out = {}
    for flow_id, values in estimates.items():
        true = secret.get(flow_id)
        if not true or not values:
            continue
        best = min(abs(v - true) / true for v in values)
        if best <= QUANTITY_TOLERANCE:
            out[flow_id] = best
    return out
