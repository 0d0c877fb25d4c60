"""Read the region's reference data from ``data/``: gazetteer, parks, taxonomy and factors.

Files are read once per process by whoever needs them; nothing here touches a database.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

from mapservice.domain.model import Municipality, Park
from mapservice.errors import TaxonomyError
from mapservice.materials.taxonomy import Factor, Taxonomy, load_factors


@dataclass(frozen=True)
class ReferenceData:
    """Everything `mapservice init` loads into the database besides the membership."""

    municipalities: tuple[Municipality, ...]
    parks: tuple[Park, ...]
    taxonomy: Taxonomy
    factors: dict[str, Factor]


def _float(value: str) -> float | None:
    return float(value) if value.strip() else None


def read_municipalities(path: Path) -> tuple[Municipality, ...]:
    """Read the gazetteer CSV (``data/municipalities.csv``)."""
    rows = []
    with path.open(encoding="utf-8", newline="") as fh:
        for line, rec in enumerate(csv.DictReader(fh), start=2):
            try:
                rows.append(
                    Municipality(
                        id=rec["id"],
                        name=rec["name"],
                        kind=rec["kind"],
                        mrc=rec["mrc"],
                        lon=float(rec["lon"]),
                        lat=float(rec["lat"]),
                        parent_id=rec["parent_id"] or None,
                        mamh_code=rec["mamh_code"] or None,
                        coord_status=rec["coord_status"],
                        fsa=tuple(rec["fsa"].split()),
                        variants=tuple(v.strip() for v in rec["variants"].split("|") if v.strip()),
                        population=int(rec["population"]) if rec["population"].strip() else None,
                    )
                )
            except (KeyError, ValueError) as exc:
                raise TaxonomyError(f"{path}:{line}: {exc!r}") from exc
    return tuple(rows)


def read_parks(path: Path) -> tuple[Park, ...]:
    """Read the parks GeoJSON (``data/parks.geojson``)."""
    collection = json.loads(path.read_text(encoding="utf-8"))
    parks = []
    for feature in collection["features"]:
        props = dict(feature["properties"])
        parks.append(
            Park(
                id=str(feature["id"]),
                name=props["name"],
                kind=props["kind"],
                municipality_id=props["municipality_id"],
                centre_lon=float(props["centre_lon"]),
                centre_lat=float(props["centre_lat"]),
                status=props.get("status") or "active",
                coord_status=props.get("coord_status") or "ESTIMATE",
                outline_status=props.get("outline_status") or "estimated",
                outline=feature.get("geometry"),
                area_ha=props.get("area_ha") if props.get("area_ha") not in ("", None) else None,
                manager=props.get("manager") or None,
                sector=props.get("sector") or None,
                properties=props,
            )
        )
    return tuple(parks)


@dataclass(frozen=True)
class MovedPostalCode:
    """A postal code the build of ``data/postal_codes.csv`` moved away from GeoNames' point."""

    postal_code: str
    municipality_id: str
    #: ``neighbours`` (the centroid of its sound neighbours) or ``municipality`` (its town's
    #: point).
    precision: str
    #: Why and where to, in French, as the build wrote it.
    reason: str
    lon: float
    lat: float
    source_lon: float
    source_lat: float


def moved_postal_codes(path: Path) -> tuple[MovedPostalCode, ...]:
    """List the postal codes of ``data/postal_codes.csv`` that were moved, with the reason.

    Parameters
    ----------
    path : Path
        The postal-code table (``data/postal_codes.csv``).

    Returns
    -------
    tuple of MovedPostalCode
        In the file's order (by postal code); empty for a table without ``precision``.
    """
    moved = []
    with path.open(encoding="utf-8", newline="") as fh:
        for line, rec in enumerate(csv.DictReader(fh), start=2):
            if rec.get("precision", "postal_code") in ("postal_code", ""):
                continue
            try:
                moved.append(
                    MovedPostalCode(
                        postal_code=rec["postal_code"],
                        municipality_id=rec["municipality_id"],
                        precision=rec["precision"],
                        reason=rec["note"],
                        lon=float(rec["lon"]),
                        lat=float(rec["lat"]),
                        source_lon=float(rec["source_lon"]),
                        source_lat=float(rec["source_lat"]),
                    )
                )
            except (KeyError, ValueError) as exc:
                raise TaxonomyError(f"{path}:{line}: {exc!r}") from exc
    return tuple(moved)


def load_reference(data_dir: Path) -> ReferenceData:
    """Read every reference file under ``data_dir``."""
    return ReferenceData(
        municipalities=read_municipalities(data_dir / "municipalities.csv"),
        parks=read_parks(data_dir / "parks.geojson"),
        taxonomy=Taxonomy.from_directory(data_dir),
        factors=load_factors(data_dir / "factors.csv"),
    )
