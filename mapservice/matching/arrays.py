"""Flows as the matcher reads them: comparable quantities, hazard, and one category's flows
as arrays; cells of a distance matrix. Helpers of :mod:`mapservice.matching.matcher` (pure;
nothing here imports the matcher)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mapservice.domain.model import Flow, Unit
from mapservice.domain.reasons import QUANTITIES, SaidNumber
from mapservice.errors import tr
from mapservice.geo.projection import LAMBERT_MARGIN, TO_LAMBERT, WGS84_GEOD
from mapservice.geo.spatial_index import SpatialIndex
from mapservice.matching import scoring
from mapservice.matching.scoring import UNIT_KINDS
from mapservice.materials.impact import tonnes_per_year
from mapservice.materials.taxonomy import Category, Taxonomy
from mapservice.routing.base import DistanceMatrix


def is_hazardous(flow: Flow, cat: Category | None) -> bool:
    return flow.hazardous or bool(cat and cat.hazardous)


def comparable_quantity(flow: Flow, cat: Category | None) -> tuple[str, float] | None:
    """A flow's quantity in a unit both sides can share: ('t', t/yr), ('kw', kW) or ('u', …)."""
    if flow.quantity is None or flow.unit is None:
        return None
    if flow.unit is Unit.KW:
        return ("kw", flow.quantity)
    if flow.unit is Unit.UNITS_PER_YEAR:
        return ("u", flow.quantity)
    tonnes = tonnes_per_year(flow.quantity, flow.unit, cat.density_t_per_m3 if cat else None)
    return ("t", tonnes) if tonnes is not None else None


def quality_masks(flow: Flow, taxonomy: Taxonomy) -> tuple[int, int]:
    """(stated, contrary) quality bit masks of a flow's description (see
    :mod:`mapservice.materials.qualities`)."""
    return taxonomy.qualities.masks(flow.description or "")


def pair_quality(out_f: Flow, in_f: Flow, taxonomy: Taxonomy) -> tuple[float, int, int, int]:
    """(quality fit, asked, offered, contrary) of an offer and a need: the need's stated
    qualities against the offer's (see :func:`~mapservice.matching.scoring.quality_fit`)."""
    asked, _ = quality_masks(in_f, taxonomy)
    offered, contrary = quality_masks(out_f, taxonomy)
    return scoring.quality_fit(asked, offered, contrary), asked, offered, contrary


def fr_num(value: float) -> SaidNumber:
    """A figure of a reason, to one decimal: 1 234,5 in French, 1,234.5 on an English page."""
    return SaidNumber(value)


def quantity_fit(
    out_f: Flow, in_f: Flow, out_cat: Category | None, in_cat: Category | None
) -> tuple[float, float | None, str]:
    """(fit 0..1, tonnes exchanged or None, reason) of two flows' quantities."""
    qa, qb = comparable_quantity(out_f, out_cat), comparable_quantity(in_f, in_cat)
    fit = scoring.quantity_fit(
        UNIT_KINDS[qa[0]] if qa else -1,
        qa[1] if qa else 0.0,
        UNIT_KINDS[qb[0]] if qb else -1,
        qb[1] if qb else 0.0,
    )
    if qa and qb and qa[0] == qb[0] and max(qa[1], qb[1]) > 0:
        unit = {"t": tr("t/an"), "kw": tr("kW"), "u": tr("unités/an")}[qa[0]]
        return (
            fit,
            min(qa[1], qb[1]) if qa[0] == "t" else None,
            tr(QUANTITIES, offer=fr_num(qa[1]), need=fr_num(qb[1]), unit=unit),
        )
    exchanged = qa[1] if qa and qa[0] == "t" else (qb[1] if qb and qb[0] == "t" else None)
    return fit, exchanged, tr("quantités non comparables (une unité ou une quantité manque)")


def matrix_cell(matrix: DistanceMatrix, i: int, j: int) -> MatrixCell:
    """One cell of a distance matrix, read from its arrays (None where unroutable)."""
    value, secs = float(matrix.road_m[i, j]), float(matrix.duration_s[i, j])
    return MatrixCell(
        None if value != value else value,
        None if secs != secs else secs,
        matrix.backend,
        matrix.reason_at(i, j) if value != value else None,
        float(matrix.access_m[i, j]) if value == value else 0.0,
    )


@dataclass(frozen=True)
class MatrixCell:
    """A pair's road distance and time (None when unroutable), by the backend that routed it."""

    road_m: float | None
    duration_s: float | None
    backend: str
    reason: str | None = None  # why there is no road distance
    access_m: float = 0.0  # of road_m, driven off the network (both ends' access legs)


@dataclass
class FlowGroup:
    """Flows of one direction and category, with their sites' points, as arrays."""

    code: str
    flows: list[Flow]
    site_ids: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    x: np.ndarray  # Québec Lambert metres
    y: np.ndarray
    hazardous: np.ndarray  # the flow's own flag (a need that accepts hazardous material)
    category_hazardous: bool
    unit_kind: np.ndarray
    amount: np.ndarray
    stated: np.ndarray  # int64 quality masks: the qualities each flow's description states
    contrary: np.ndarray  # and their opposites

    @classmethod
    def of(cls, flows: list[Flow], index: SpatialIndex, taxonomy: Taxonomy) -> FlowGroup:
        points = [index.point(f.site_id) for f in flows]
        cat = taxonomy.get(flows[0].category_code)
        comparable = [comparable_quantity(f, cat) for f in flows]
        masks = [quality_masks(f, taxonomy) for f in flows]
        xs, ys = TO_LAMBERT.transform([p[0] for p in points], [p[1] for p in points])
        return cls(
            code=flows[0].category_code,
            flows=flows,
            site_ids=np.array([f.site_id for f in flows], dtype=np.int64),
            lon=np.array([p[0] for p in points]),
            lat=np.array([p[1] for p in points]),
            x=np.asarray(xs),
            y=np.asarray(ys),
            hazardous=np.array([f.hazardous for f in flows], dtype=bool),
            category_hazardous=bool(cat and cat.hazardous),
            unit_kind=np.array([UNIT_KINDS[c[0]] if c else -1 for c in comparable], dtype=np.int8),
            amount=np.array([c[1] if c else 0.0 for c in comparable]),
            stated=np.array([m[0] for m in masks], dtype=np.int64),
            contrary=np.array([m[1] for m in masks], dtype=np.int64),
        )

    def maybe_near(
        self, in_reach: np.ndarray, xy: tuple[float, float], reach_m: float
    ) -> np.ndarray:
        """Mask of the flows whose site may be within ``reach_m``: in the index's answer
        (``in_reach``, a boolean table by site id) and, on the Québec Lambert plane, within the
        reach plus the projection's margin."""
        near = in_reach[np.minimum(self.site_ids, in_reach.size - 1)] & (
            self.site_ids < in_reach.size
        )
        near &= (self.x - xy[0]) ** 2 + (self.y - xy[1]) ** 2 <= (reach_m * LAMBERT_MARGIN) ** 2
        return near

    def indices_within(
        self,
        dist: np.ndarray,
        own_site: int,
        reach_m: float,
        *,
        need_accepts: bool = False,
        mask: np.ndarray | None = None,
    ) -> np.ndarray:
        ok = (dist <= reach_m) & (self.site_ids != own_site)
        if need_accepts:
            ok &= self.hazardous
        if mask is not None:
            ok &= mask
        return np.flatnonzero(ok)


def geodesic_to(lon: float, lat: float, lons: np.ndarray, lats: np.ndarray) -> np.ndarray:
    """Geodesic metres from one point to many (one call to the ellipsoid)."""
    if lons.size == 0:
        return np.zeros(0)
    _, _, d = WGS84_GEOD.inv(np.full(lons.size, lon), np.full(lons.size, lat), lons, lats)
    return np.asarray(d)
