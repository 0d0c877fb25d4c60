"""The region's reference data as the demo generator draws from it, read and indexed once.

Places (municipalities, boroughs, sectors) with their spelling variants, postal codes, the
material categories, park outlines and the word lists of ``data/demo/vocabulary.json``. See
:mod:`mapservice.ops.demo`.
"""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

VOCABULARY = Path("demo") / "vocabulary.json"


@dataclass(frozen=True)
class Place:
    id: str
    name: str
    kind: str
    parent_id: str
    lat: float
    lon: float
    variants: tuple[str, ...]


@dataclass(frozen=True)
class ParkArea:
    id: str
    place_id: str
    outline: BaseGeometry
    streets: tuple[str, ...]
    weight: float
    only: tuple[str, ...]
    #: The park's name, which members of a park with no known street write in their address.
    name: str = ""


class Reference:
    """The reference data the generator draws from, indexed once."""

    def __init__(self, data_dir: Path) -> None:
        self.vocab: dict[str, Any] = json.loads((data_dir / VOCABULARY).read_text("utf-8"))
        self.places = {
            r["id"]: Place(
                r["id"],
                r["name"],
                r["kind"],
                r["parent_id"],
                float(r["lat"]),
                float(r["lon"]),
                tuple(v for v in r["variants"].split("|") if v),
            )
            for r in read_csv(data_dir / "municipalities.csv")
        }
        self.postcodes: list[tuple[str, float, float, str]] = [
            (r["postal_code"], float(r["lat"]), float(r["lon"]), r["municipality_id"])
            for r in read_csv(data_dir / "postal_codes.csv")
        ]
        self.categories = {r["code"]: r for r in read_csv(data_dir / "materials/categories.csv")}
        #: Each place and the borough and municipality it lies in, inner first.
        self.lineage: dict[str, tuple[str, ...]] = {}
        for pid in self.places:
            chain = [pid]
            while self.places[chain[-1]].parent_id:
                chain.append(self.places[chain[-1]].parent_id)
            self.lineage[pid] = tuple(chain)
        by_name = {(p.parent_id, p.name): p.id for p in self.places.values()}
        self.parks: list[ParkArea] = []
        for feature in json.loads((data_dir / "parks.geojson").read_text("utf-8"))["features"]:
            props, extra = feature["properties"], self.vocab["parks"].get(feature["id"], {})
            place = props["municipality_id"]
            self.parks.append(
                ParkArea(
                    feature["id"],
                    by_name.get((place, props.get("sector") or ""), place),
                    shape(feature["geometry"]),
                    tuple(s for s in (props.get("streets") or "").split("|") if s),
                    float(extra.get("weight", 1.0)),
                    tuple(extra.get("only", ())),
                    props["name"],
                )
            )
        self._codes: dict[tuple[str, bool], list[tuple[str, float, float, str]]] = {}

    def within(self, place_id: str, other_id: str) -> bool:
        """Return whether ``place_id`` is ``other_id`` or one of its sectors or boroughs."""
        return other_id in self.lineage[place_id]

    def codes(self, place_id: str, related: bool = False) -> list[tuple[str, float, float, str]]:
        """Return the postal codes of a place (else the 40 of its parent nearest its centre).

        ``related`` adds the codes of its sectors and of the places it lies in.
        """
        if (place_id, related) not in self._codes:
            codes = [
                p
                for p in self.postcodes
                if p[3] == place_id
                or related
                and (self.within(p[3], place_id) or self.within(place_id, p[3]))
            ]
            if not codes:
                here = self.places[place_id]
                codes = sorted(
                    (p for p in self.postcodes if self.within(place_id, p[3])),
                    key=lambda p: (dist2(p[1], p[2], here.lat, here.lon), p[0]),
                )[:40]
            self._codes[place_id, related] = codes
        return self._codes[place_id, related]


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def dist2(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    return (lat1 - lat2) ** 2 + ((lon1 - lon2) * math.cos(math.radians(lat1))) ** 2
