"""Which park a point lies in, and which park a text names.

:class:`ParkLocator` answers by geometry: inside an outline, else the nearest park within a
tolerance, among the outlines whose status lets them claim a site
(:func:`mapservice.domain.outlines.claims_by_geometry`: never a town stand-in).
:class:`ParkNames` answers by text: the park's name, a known alias (``PIHS``, ``Port de
Saguenay``) or one of its distinctive streets written in an address.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import shapely
from shapely.geometry import Point, shape

from mapservice.domain.model import Location, Park, Precision
from mapservice.domain.outlines import ESTIMATED, claims_by_geometry, geometry_confidence
from mapservice.domain.text import fold
from mapservice.errors import tr
from mapservice.geo.projection import TO_LAMBERT
from mapservice.geocoding.names import STREET_WORDS, clean_place
from mapservice.geocoding.region import to_metres


@dataclass(frozen=True)
class ParkMatch:
    park_id: str
    distance_m: float  # 0 inside the outline
    #: The outline's status when found by geometry; None when the park was named in the text.
    outline_status: str | None = None
    confidence: float = 1.0

    @property
    def note(self) -> str | None:
        """What to tell about a park found by an outline that is only an estimate."""
        if self.outline_status == ESTIMATED:
            return tr(
                "parc d'après un contour estimé (confiance {confidence}) : à confirmer",
                confidence=self.confidence,
            )
        return None


def with_park_note(note: str | None, park: ParkMatch | None) -> str | None:
    """The geocoding note of a site, with what its park's outline is worth added."""
    extra = park.note if park is not None else None
    if not extra:
        return note
    return f"{note} ; {extra}" if note else extra


class ParkLocator:
    """Point-in-polygon on the park outlines (in Québec Lambert metres) with an STRtree.

    Only outlines that may claim a site by geometry are indexed: a park whose outline is a
    town stand-in is found by its name, an alias or its street (:class:`ParkNames`), never by
    where a point lies.
    """

    def __init__(self, parks: Iterable[Park], tolerance_m: float) -> None:
        self.tolerance_m = tolerance_m
        self._ids: list[str] = []
        self._statuses: list[str] = []
        geoms = []
        for park in parks:
            if not claims_by_geometry(park.outline_status):
                continue
            geom = shape(park.outline) if park.outline else Point(park.centre_lon, park.centre_lat)
            geoms.append(to_metres(geom))
            self._ids.append(park.id)
            self._statuses.append(park.outline_status)
        self._geoms = geoms
        self._tree = shapely.STRtree(geoms)

    def locate(self, lon: float, lat: float) -> ParkMatch | None:
        """Return the park containing the point, else the nearest within the tolerance."""
        if not self._ids:
            return None
        point = Point(*TO_LAMBERT.transform(lon, lat))
        hits = self._tree.query(point, predicate="intersects")
        if len(hits):
            return self._match(int(min(hits)), 0.0)
        indices, distances = self._tree.query_nearest(
            point, max_distance=self.tolerance_m, return_distance=True
        )
        if len(indices) == 0:
            return None
        best = min(zip(distances, indices, strict=True))
        return self._match(int(best[1]), float(best[0]))

    def _match(self, index: int, distance_m: float) -> ParkMatch:
        status = self._statuses[index]
        return ParkMatch(self._ids[index], distance_m, status, geometry_confidence(status) or 0.0)

    def assign(self, location: Location | None) -> ParkMatch | None:
        """Return the park of a geocoded site, when its point is precise enough to say so.

        A point found by the park's name is in that park, whatever its outline. A point placed
        by hand or by address lies in the park whose outline holds it, else the nearest within
        the tolerance. A postal-code point counts only inside an outline; a postal-area or
        municipality centre says nothing about a park (it would drop every coarse site into its
        town's park). A town stand-in outline claims nothing (see the class).
        """
        if location is None or location.outside_region:
            return None
        if location.park_id is not None:
            return ParkMatch(location.park_id, 0.0)
        if location.precision in (Precision.MANUAL, Precision.ADDRESS):
            return self.locate(location.lon, location.lat)
        if location.precision is Precision.POSTCODE:
            match = self.locate(location.lon, location.lat)
            return match if match is not None and match.distance_m == 0.0 else None
        return None


#: Words of a park name that say "a park" without saying which one.
_GENERIC = frozenset(
    {
        "parc",
        "parcs",
        "industriel",
        "industriels",
        "industrielle",
        "industrielles",
        "de",
        "du",
        "des",
        "d",
        "la",
        "le",
        "les",
        "l",
        "et",
        "zone",
        "zones",
        "terrains",
        "terrain",
        "secteur",
        "no",
        "regional",
        "regionale",
        "technologique",
        "aeroportuaire",
        "autres",
    }
)
#: Words that announce a park in free text.
_MARKERS = frozenset(["parc", "parcs", "zone", "terrains", "ecoparc", "port", "terminal"])
#: Streets too long to tell a park (a route or boulevard crosses a whole town).
_LONG_STREETS = re.compile(r"^(route|autoroute|boulevard|boul|rang)\b")
_VARIANT_SPLIT = re.compile(r"[()/]| – | - | et ")


def _tokens(text: str) -> list[str]:
    return clean_place(text).replace("-", " ").replace("'", " ").split()


@dataclass
class _ParkText:
    park: Park
    variants: list[frozenset[str]] = field(default_factory=list)
    standalone: list[frozenset[str]] = field(default_factory=list)
    streets: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ParkNameMatch:
    park: Park
    how: str  # "nom", "alias" or "rue"
    ambiguous_with: tuple[Park, ...] = ()


class ParkNames:
    """Find the park a text names: name, alias or distinctive street."""

    def __init__(self, parks: Iterable[Park], aliases: Iterable[tuple[str, str, bool]] = ()):
        self._parks: dict[str, _ParkText] = {p.id: _ParkText(p) for p in parks}
        for entry in self._parks.values():
            for part in [entry.park.name, *_VARIANT_SPLIT.split(entry.park.name)]:
                tokens = frozenset(t for t in _tokens(part) if t not in _GENERIC)
                if tokens and tokens not in entry.variants:
                    entry.variants.append(tokens)
            streets = str(entry.park.properties.get("streets") or "")
            for street in filter(None, (s.strip() for s in streets.split("|"))):
                if not _LONG_STREETS.match(fold(street)):
                    entry.streets.append(" ".join(_tokens(street)))
        for park_id, alias, standalone in aliases:
            if park_id not in self._parks:
                continue
            tokens = frozenset(t for t in _tokens(alias) if t not in _GENERIC) or frozenset(
                _tokens(alias)
            )
            entry = self._parks[park_id]
            (entry.standalone if standalone else entry.variants).append(tokens)

    @classmethod
    def from_files(cls, parks: Iterable[Park], aliases_csv: Path) -> ParkNames:
        aliases: list[tuple[str, str, bool]] = []
        if aliases_csv.exists():
            with aliases_csv.open(encoding="utf-8", newline="") as fh:
                for rec in csv.DictReader(fh):
                    aliases.append(
                        (rec["park_id"], rec["alias"], rec["standalone"].strip().lower() == "true")
                    )
        return cls(parks, aliases)

    def match(self, text: str, *, municipality_ids: set[str] | None = None) -> ParkNameMatch | None:
        """Return the park ``text`` names, or None.

        ``municipality_ids`` (the place named with the text and its parents and children) keeps
        only parks in that place. A name shared by several parks comes back with the others in
        ``ambiguous_with``.
        """
        words = _tokens(text)
        present = set(words)
        joined = " " + " ".join(words) + " "
        # "parc" in "45 rue du Parc" names a street, not a park.
        has_marker = any(
            word in _MARKERS and not set(words[max(0, i - 3) : i]) & STREET_WORDS
            for i, word in enumerate(words)
        )
        scored: list[tuple[int, str, Park]] = []
        for entry in self._parks.values():
            park = entry.park
            if municipality_ids is not None and park.municipality_id not in municipality_ids:
                continue
            best, how = 0, ""
            for tokens in entry.standalone:
                if tokens <= present and len(tokens) + 10 > best:
                    best, how = len(tokens) + 10, "alias"
            if has_marker:
                for tokens in entry.variants:
                    if tokens <= present and len(tokens) > best:
                        best, how = len(tokens), "nom"
            for street in entry.streets:
                if f" {street} " in joined and best < 1:
                    best, how = 1, "rue"
            if best:
                scored.append((best, how, park))
        if not scored:
            return None
        scored.sort(key=lambda item: -item[0])
        top = scored[0]
        ties = tuple(p for score, _, p in scored[1:] if score == top[0])
        return ParkNameMatch(park=top[2], how=top[1], ambiguous_with=ties)
