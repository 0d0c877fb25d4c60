"""The offline gazetteer: municipalities, boroughs and sectors, postal codes and postal areas.

Everything is read from ``data/`` once and answered from memory.
"""

from __future__ import annotations

import csv
import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from mapservice.domain.model import Municipality
from mapservice.domain.reference import read_municipalities
from mapservice.geocoding.names import place_key
from mapservice.geocoding.postal_checks import (
    EXTENT_FLOOR_M,
    KEPT,
    distance_to_town_m,
    town_extents_m,
    town_points,
)
from mapservice.geocoding.region import Region

_POSTAL = re.compile(r"^\s*([A-Za-z]\d[A-Za-z])[\s-]?(\d[A-Za-z]\d)\s*$")
_POSTAL_ANYWHERE = re.compile(r"\b([A-Za-z]\d[A-Za-z])[\s-]?(\d[A-Za-z]\d)\b")
#: Letters Canada Post never uses in postal codes (D F I O Q U; W and Z not first).
_BAD_LETTERS = set("DFIOQU")
#: Where a compound place name splits: brackets, commas, "arr.", "arrondissement", "secteur".
_SEGMENTS = re.compile(r"[(),;/]|\barr(?:ondissement)?\b\.?|\bsecteur\b", re.IGNORECASE)


def normalize_postal_code(text: str) -> str | None:
    """Return ``text`` as ``A1A 1A1`` if it is a well-formed Canadian postal code, else None.

    Accepts any case, a space, a hyphen or nothing in the middle.
    """
    m = _POSTAL.match(text)
    if not m:
        return None
    code = f"{m.group(1)} {m.group(2)}".upper()
    letters = code[0] + code[2] + code[5]
    if set(letters) & _BAD_LETTERS or code[0] in "WZ":
        return None
    return code


def find_postal_code(text: str) -> str | None:
    """Return the first well-formed postal code written anywhere in ``text``."""
    for m in _POSTAL_ANYWHERE.finditer(text):
        code = normalize_postal_code(m.group(0))
        if code:
            return code
    return None


@dataclass(frozen=True)
class PostalPoint:
    code: str
    lon: float
    lat: float
    place_name: str
    municipality_id: str
    #: ``postal_code`` at GeoNames' point; ``neighbours`` or ``municipality`` when the build
    #: moved it (far from its town or in water), with ``note`` saying why (French).
    precision: str = KEPT
    note: str | None = None
    #: GeoNames' point, where the build moved the code away from it.
    source_lon: float | None = None
    source_lat: float | None = None

    @property
    def moved(self) -> bool:
        """Whether the build moved this code away from GeoNames' point."""
        return self.precision != KEPT


@dataclass(frozen=True)
class PostalArea:
    fsa: str
    label: str
    lon: float
    lat: float
    urban: bool


@dataclass(frozen=True)
class OutsidePlace:
    """A place or postal area of Québec outside the region: only ever used to flag a query."""

    name: str
    lon: float
    lat: float


@dataclass
class Gazetteer:
    """Lookups by name, postal code and postal area, all within the region."""

    municipalities: dict[str, Municipality]
    postal_codes: dict[str, PostalPoint]
    postal_areas: dict[str, PostalArea]
    region: Region
    outside_places: dict[str, OutsidePlace] = field(default_factory=dict, repr=False)
    outside_areas: dict[str, OutsidePlace] = field(default_factory=dict, repr=False)
    _by_key: dict[str, Municipality] = field(default_factory=dict, repr=False)
    #: Each place's point and its sectors' points (lon, lat), and the radius in metres its
    #: postal codes may spread over (:mod:`mapservice.geocoding.postal_checks`).
    town_points: dict[str, list[tuple[float, float]]] = field(default_factory=dict, repr=False)
    extents_m: dict[str, float] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        # Official names win over variants when both give the same key.
        for muni in self.municipalities.values():
            for variant in muni.variants:
                self._by_key.setdefault(place_key(variant), muni)
        for muni in self.municipalities.values():
            self._by_key[place_key(muni.name)] = muni
        if not self.town_points:
            self.town_points = town_points(self.municipalities.values())
        if not self.extents_m:
            self.extents_m = town_extents_m(
                self.municipalities.values(),
                (
                    (p.municipality_id, p.source_lon or p.lon, p.source_lat or p.lat)
                    for p in self.postal_codes.values()
                ),
            )

    @classmethod
    def from_directory(cls, data_dir: Path) -> Gazetteer:
        munis = {m.id: m for m in read_municipalities(data_dir / "municipalities.csv")}
        postal: dict[str, PostalPoint] = {}
        with (data_dir / "postal_codes.csv").open(encoding="utf-8", newline="") as fh:
            for rec in csv.DictReader(fh):
                postal[rec["postal_code"]] = PostalPoint(
                    code=rec["postal_code"],
                    lon=float(rec["lon"]),
                    lat=float(rec["lat"]),
                    place_name=rec["place_name"],
                    municipality_id=rec["municipality_id"],
                    precision=rec.get("precision") or KEPT,
                    note=rec.get("note") or None,
                    source_lon=float(rec["source_lon"]) if rec.get("source_lon") else None,
                    source_lat=float(rec["source_lat"]) if rec.get("source_lat") else None,
                )
        areas: dict[str, PostalArea] = {}
        with (data_dir / "fsa.csv").open(encoding="utf-8", newline="") as fh:
            for rec in csv.DictReader(fh):
                areas[rec["fsa"]] = PostalArea(
                    fsa=rec["fsa"],
                    label=rec["label"],
                    lon=float(rec["lon"]),
                    lat=float(rec["lat"]),
                    urban=rec["urban"].strip().lower() == "true",
                )
        region = Region.around(
            [(m.lon, m.lat) for m in munis.values()] + [(p.lon, p.lat) for p in postal.values()]
        )
        return cls(
            municipalities=munis,
            postal_codes=postal,
            postal_areas=areas,
            region=region,
            outside_places=_read_outside(data_dir / "quebec_places.csv", "name", key=place_key),
            outside_areas=_read_outside(data_dir / "quebec_fsa.csv", "fsa", key=str.upper),
        )

    # --- names --------------------------------------------------------------------------------

    def match(self, text: str) -> Municipality | None:
        """Return the municipality, borough or sector ``text`` names, or None.

        A compound such as ``"Ville de Saguenay (arr. Jonquière)"`` or ``"Saguenay, secteur
        Arvida"`` resolves to its most specific part, provided the parts agree.
        """
        key = place_key(text)
        if not key:
            return None
        whole = self._by_key.get(key)
        if whole is not None:
            return whole
        found = [
            m
            for part in _SEGMENTS.split(text)
            if (k := place_key(part)) and (m := self._by_key.get(k)) is not None
        ]
        if not found:
            return None
        deepest = max(found, key=self._depth)
        if all(self.within(deepest, other) for other in found):
            return deepest
        return None

    def _depth(self, muni: Municipality) -> int:
        depth = 0
        while muni.parent_id and muni.parent_id in self.municipalities:
            muni = self.municipalities[muni.parent_id]
            depth += 1
        return depth

    def suggest(self, text: str, n: int = 5) -> list[Municipality]:
        """Return the places whose names are closest to ``text`` (for error messages)."""
        key = place_key(text)
        if not key:
            return []
        keys = difflib.get_close_matches(key, list(self._by_key), n=n * 3, cutoff=0.6)
        seen: dict[str, Municipality] = {}
        for k in keys:
            muni = self._by_key[k]
            seen.setdefault(muni.id, muni)
        return list(seen.values())[:n]

    def municipality_of(self, muni: Municipality) -> Municipality:
        """Return the municipality a borough or sector belongs to (itself for a municipality)."""
        while muni.parent_id and muni.parent_id in self.municipalities:
            muni = self.municipalities[muni.parent_id]
        return muni

    def within(self, place: Municipality, other: Municipality) -> bool:
        """Return whether ``place`` is ``other`` or lies inside it (sector of a borough…)."""
        current: Municipality | None = place
        while current is not None:
            if current.id == other.id:
                return True
            current = self.municipalities.get(current.parent_id or "")
        return False

    def outside_place(self, text: str) -> OutsidePlace | None:
        """Return the place of Québec outside the region that ``text`` names, if any."""
        key = place_key(text)
        return self.outside_places.get(key) if key else None

    # --- postal codes -------------------------------------------------------------------------

    def postal_point(self, code: str) -> PostalPoint | None:
        """Return the point of a postal code of the region (any accepted spelling)."""
        normal = normalize_postal_code(code)
        return self.postal_codes.get(normal) if normal else None

    def beyond_extent_m(self, muni: Municipality, lon: float, lat: float) -> float | None:
        """Return how far ``(lon, lat)`` is from ``muni`` when beyond its extent, else None."""
        points = self.town_points.get(muni.id) or [(muni.lon, muni.lat)]
        distance = distance_to_town_m(points, lon, lat)
        return distance if distance > self.extents_m.get(muni.id, EXTENT_FLOOR_M) else None

    def postal_area(self, code: str) -> PostalArea | None:
        """Return the postal area (first three characters) of ``code``, if it is the region's."""
        return self.postal_areas.get(code.strip().upper()[:3])


def _read_outside(path: Path, column: str, *, key: Callable[[str], str]) -> dict[str, OutsidePlace]:
    """Read a table of places outside the region (optional: absent file, empty table)."""
    if not path.exists():
        return {}
    out: dict[str, OutsidePlace] = {}
    with path.open(encoding="utf-8", newline="") as fh:
        for rec in csv.DictReader(fh):
            name = rec[column]
            out.setdefault(key(name), OutsidePlace(name, float(rec["lon"]), float(rec["lat"])))
    return out
