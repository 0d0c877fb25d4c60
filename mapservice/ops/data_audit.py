"""What a facilitator should distrust in the reference data, worst first.

``mapservice data audit`` prints it: the parks by how their outline was made, the postal codes
whose GeoNames point was moved when ``data/`` was built, the places the road graph reaches only
by a long straight access leg, and the figures that are estimates. Each list is sorted so the
association knows what to survey first: what touches the most member sites comes first.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from mapservice.domain.model import Municipality, Park

#: Outline statuses from the least to the most trustworthy; the audit lists them in this order.
OUTLINE_ORDER = ("town", "approximate", "estimated", "traced", "surveyed")

#: A place farther than this from every road reaches the graph by a straight access leg.
FAR_FROM_ROADS_M = 2_000.0

#: Statuses of a figure or a point that were not read in a source.
UNSURE = frozenset({"ESTIMATE", "TOWN", "PLACEHOLDER"})


@dataclass(frozen=True)
class ParkLine:
    id: str
    name: str
    outline_status: str
    coord_status: str
    note: str
    sites: int


@dataclass(frozen=True)
class PostalLine:
    postal_code: str
    municipality_id: str
    precision: str
    note: str
    sites: int


@dataclass(frozen=True)
class FarPlace:
    id: str
    name: str
    distance_m: float


@dataclass(frozen=True)
class Estimate:
    what: str  # "facteur", "émissions évitées", "municipalité", "parc"
    key: str
    label: str
    status: str
    source: str


@dataclass
class DataAudit:
    parks: list[ParkLine] = field(default_factory=list)
    parks_from: str = "data"
    postal_codes_total: int = 0
    postal_moved: list[PostalLine] = field(default_factory=list)
    places_total: int = 0
    far_places: list[FarPlace] = field(default_factory=list)
    estimates: list[Estimate] = field(default_factory=list)

    def parks_by_status(self) -> dict[str, int]:
        counts = Counter(p.outline_status for p in self.parks)
        return {s: counts[s] for s in sorted(counts, key=_outline_rank)}

    def moved_by_reason(self) -> dict[str, int]:
        return dict(sorted(Counter(p.precision for p in self.postal_moved).items()))

    def as_json(self) -> dict[str, Any]:
        return {
            "parks": {
                "source": self.parks_from,
                "by_outline_status": self.parks_by_status(),
                "items": [asdict(p) for p in self.parks],
            },
            "postal_codes": {
                "total": self.postal_codes_total,
                "moved": len(self.postal_moved),
                "moved_by_precision": self.moved_by_reason(),
                "items": [asdict(p) for p in self.postal_moved],
            },
            "places_far_from_roads": {
                "total_places": self.places_total,
                "threshold_m": FAR_FROM_ROADS_M,
                "items": [asdict(p) for p in self.far_places],
            },
            "estimates": [asdict(e) for e in self.estimates],
        }


def _outline_rank(status: str) -> int:
    return OUTLINE_ORDER.index(status) if status in OUTLINE_ORDER else len(OUTLINE_ORDER)


def audit_parks(parks: Iterable[Park], sites_per_park: Mapping[str, int]) -> list[ParkLine]:
    """Every park, the least trustworthy outline first, then the park with most sites."""
    lines = [
        ParkLine(
            id=p.id,
            name=p.name,
            outline_status=p.outline_status,
            coord_status=p.coord_status,
            note=str(p.properties.get("outline_note") or p.properties.get("coord_note") or ""),
            sites=sites_per_park.get(p.id, 0),
        )
        for p in parks
    ]
    return sorted(lines, key=lambda p: (_outline_rank(p.outline_status), -p.sites, p.name))


def audit_postal_codes(
    path: Path, sites_per_code: Mapping[str, int]
) -> tuple[int, list[PostalLine]]:
    """The postal codes whose point is not GeoNames' own, those used by most sites first."""
    from mapservice.domain.reference import moved_postal_codes

    with path.open(encoding="utf-8", newline="") as f:
        total = sum(1 for _ in csv.DictReader(f))
    moved = [
        PostalLine(
            postal_code=m.postal_code,
            municipality_id=m.municipality_id,
            precision=m.precision,
            note=m.reason,
            sites=sites_per_code.get(m.postal_code, 0),
        )
        for m in moved_postal_codes(path)
    ]
    moved.sort(key=lambda p: (-p.sites, p.postal_code))
    return total, moved


def audit_places(
    places: Sequence[Municipality], roads_path: Path, threshold_m: float = FAR_FROM_ROADS_M
) -> list[FarPlace]:
    """The places whose point lies farther than ``threshold_m`` from every road, worst first."""
    from mapservice.routing.coverage import town_distances_m
    from mapservice.routing.graph import RoadGraph

    metres = town_distances_m(
        RoadGraph.from_geojson(roads_path), {p.id: (p.lon, p.lat) for p in places}
    )
    far = [
        FarPlace(p.id, p.name, round(metres[p.id])) for p in places if metres[p.id] > threshold_m
    ]
    return sorted(far, key=lambda p: (-p.distance_m, p.name))


def audit_estimates(data_dir: Path, parks: Iterable[Park]) -> list[Estimate]:
    """Factors, avoided emissions, gazetteer points and park points that are not read facts."""
    from mapservice.materials.taxonomy import Taxonomy, load_factors

    out: list[Estimate] = [
        Estimate("facteur", f.key, f.label_fr, f.status, f.source)
        for f in load_factors(data_dir / "factors.csv").values()
        if f.status in UNSURE
    ]
    out += [
        Estimate("émissions évitées", a.category_code, a.category_code, a.status, a.source)
        for a in Taxonomy.from_directory(data_dir).avoided.values()
        if a.status in UNSURE
    ]
    with (data_dir / "municipalities.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if row["coord_status"] in UNSURE:
                out.append(
                    Estimate(
                        "municipalité",
                        row["id"],
                        row["name"],
                        row["coord_status"],
                        row["coord_source"],
                    )
                )
    for park in parks:
        if park.coord_status in UNSURE:
            out.append(
                Estimate(
                    "parc",
                    park.id,
                    park.name,
                    park.coord_status,
                    str(park.properties.get("coord_note") or ""),
                )
            )
    return out


def audit(
    data_dir: Path,
    *,
    parks: Sequence[Park],
    places: Sequence[Municipality],
    sites_per_park: Mapping[str, int] | None = None,
    sites_per_code: Mapping[str, int] | None = None,
    parks_from: str = "data",
) -> DataAudit:
    """Put every list of the audit together."""
    total, moved = audit_postal_codes(data_dir / "postal_codes.csv", sites_per_code or {})
    return DataAudit(
        parks=audit_parks(parks, sites_per_park or {}),
        parks_from=parks_from,
        postal_codes_total=total,
        postal_moved=moved,
        places_total=len(places),
        far_places=audit_places(places, data_dir / "roads.geojson"),
        estimates=audit_estimates(data_dir, parks),
    )


def audit_instance(svc: Any) -> DataAudit:
    """The audit of the instance's reference data: its parks (with replaced outlines), its
    places and the member sites that rest on each doubtful park or postal code.

    Without an up-to-date database, the shipped ``data/`` alone is audited.
    """
    from mapservice.domain.reference import read_municipalities, read_parks
    from mapservice.errors import MapserviceError
    from mapservice.ops.database import schema_state

    data_dir = Path(svc.data_dir)
    try:
        current = schema_state(svc).current
    except MapserviceError:
        current = False
    if not current:
        return audit(
            data_dir,
            parks=read_parks(data_dir / "parks.geojson"),
            places=read_municipalities(data_dir / "municipalities.csv"),
        )
    sites = svc.repo.sites()
    per_park = Counter(s.park_id for s in sites if s.park_id)
    per_code = Counter(s.postal_code for s in sites if s.postal_code)
    return audit(
        data_dir,
        parks=svc.repo.parks(),
        places=svc.repo.municipalities(),
        sites_per_park=per_park,
        sites_per_code=per_code,
        parks_from="base",
    )
