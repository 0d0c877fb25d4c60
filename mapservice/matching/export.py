"""Candidate synergies written to CSV (with lon/lat of both ends) or GeoJSON lines."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import TYPE_CHECKING

from mapservice.domain.reasons import score_100
from mapservice.exports.formats import csv_safe
from mapservice.geo import geojson
from mapservice.matching.matcher import Candidate
from mapservice.private_files import open_private_text

if TYPE_CHECKING:
    from mapservice.services import Services

COLUMNS = (
    "kind",
    "score",
    "output_site_id",
    "output_flow_id",
    "output_category",
    "output_member",
    "output_lon",
    "output_lat",
    "input_site_id",
    "input_flow_id",
    "input_category",
    "input_member",
    "input_lon",
    "input_lat",
    "geodesic_km",
    "road_km",
    "duration_min",
    "distance_backend",
    "tonnes_per_year",
    "transport_kg_co2e",
    "transport_cost_cad",
    "avoided_kg_co2e",
    "net_kg_co2e",
    "net_benefit_cad",
    "break_even_km",
    "reasons",
)


def _row(c: Candidate) -> dict[str, object]:
    i = c.impact
    return {
        "kind": c.kind.value,
        "score": score_100(c.score),  # the one scale of pages and exports
        "output_site_id": c.output_site.id,
        "output_flow_id": c.output_flow.id,
        "output_category": c.output_flow.category_code,
        "output_member": c.output_site.member_name,
        "output_lon": c.output_site.lon,
        "output_lat": c.output_site.lat,
        "input_site_id": c.input_site.id,
        "input_flow_id": c.input_flow.id,
        "input_category": c.input_flow.category_code,
        "input_member": c.input_site.member_name,
        "input_lon": c.input_site.lon,
        "input_lat": c.input_site.lat,
        "geodesic_km": round(c.geodesic_m / 1000, 3),
        "road_km": round(c.road_m / 1000, 3) if c.road_m is not None else None,
        "duration_min": round(c.duration_s / 60, 1) if c.duration_s is not None else None,
        "distance_backend": c.distance_backend,
        "tonnes_per_year": i.tonnes,
        "transport_kg_co2e": i.transport_kg_co2e,
        "transport_cost_cad": i.transport_cost_cad,
        "avoided_kg_co2e": i.avoided_kg_co2e,
        "net_kg_co2e": i.net_kg_co2e,
        "net_benefit_cad": i.net_benefit_cad,
        "break_even_km": i.break_even_km,
        "reasons": " | ".join(c.reasons),
    }


def write_candidates(services: Services, found: list[Candidate], path: Path) -> int:
    """Write ``found`` to ``path`` (.csv or .geojson); return how many were written."""
    rows = [_row(c) for c in found]
    if path.suffix.lower() == ".csv":
        with open_private_text(path) as fh:
            writer = csv.DictWriter(fh, fieldnames=COLUMNS)
            writer.writeheader()
            writer.writerows({k: csv_safe(v) for k, v in row.items()} for row in rows)
        return len(rows)
    features = []
    for c, row in zip(found, rows, strict=True):
        a = (c.output_site.lon or 0.0, c.output_site.lat or 0.0)
        b = (c.input_site.lon or 0.0, c.input_site.lat or 0.0)
        features.append(geojson.synergy_feature(row, a, b, f"{c.key[0]}-{c.key[1]}"))
    with open_private_text(path) as fh:
        fh.write(json.dumps(geojson.feature_collection(features), ensure_ascii=False))
    return len(features)
