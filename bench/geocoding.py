"""Offline geocoding throughput: the regional cascade against a plain exact-match lookup.

Two datasets go through both, in the same run:

* the demo membership (``data/demo/membres.csv``), one structured query per site, the way the
  importer builds it (address, municipality, postal code, coordinates when given);
* ``--rows`` free-text addresses (100,000 by default) generated from the region's real place
  names and postal codes with a seeded :class:`random.Random`, written the many ways people
  write them; each goes through :func:`parse_query` and then the cascade.

The baseline is what a script without a gazetteer would do: the exact postal code string in
a dict of the postal-code table, else the exact place name in a dict of names. Throughput is
printed as a ratio against that baseline, never as an absolute target.

Run ``python -m bench.geocoding --help`` (or ``make bench``); see ``bench/README.md``.
"""

from __future__ import annotations

import argparse
import csv
import gc
import itertools
import json
import os
import platform
import random
import re
import resource
import sys
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mapservice.domain.model import Location, Municipality
from mapservice.domain.reference import read_parks
from mapservice.domain.text import strip_accents
from mapservice.errors import GeocodingError
from mapservice.geocoding import CascadeGeocoder, Gazetteer, GeocodeQuery, ParkNames, parse_query

ROOT = Path(__file__).resolve().parent.parent
MIB = 1024 * 1024

#: How a row ended, most precise first. ``manual`` = coordinates given with the row.
OUTCOMES = ("manual", "address", "postcode", "park", "fsa", "municipality", "outside", "failed")

# --- the baseline -----------------------------------------------------------------------------

Hit = tuple[float, float, str]  # lon, lat, outcome


class ExactMatch:
    """The baseline: exact strings looked up in two dicts, without any normalisation."""

    def __init__(self, data_dir: Path) -> None:
        self.postal: dict[str, Hit] = {}
        with (data_dir / "postal_codes.csv").open(encoding="utf-8", newline="") as fh:
            for rec in csv.DictReader(fh):
                self.postal[rec["postal_code"]] = (float(rec["lon"]), float(rec["lat"]), "postcode")
        self.names: dict[str, Hit] = {}
        with (data_dir / "municipalities.csv").open(encoding="utf-8", newline="") as fh:
            for rec in csv.DictReader(fh):
                hit = (float(rec["lon"]), float(rec["lat"]), "municipality")
                self.names[rec["name"]] = hit
                for variant in rec["variants"].split("|"):
                    if variant.strip():
                        self.names.setdefault(variant.strip(), hit)

    def fields(self, query: GeocodeQuery) -> Hit | None:
        """Structured row: given coordinates as they are, else exact code, else exact name."""
        if query.lat is not None and query.lon is not None:
            return (query.lon, query.lat, "manual")
        return self.postal.get(query.postal_code or "") or self.names.get(query.municipality or "")

    def text(self, text: str) -> Hit | None:
        """Free text: the last 7 characters as a code, else a comma-separated part as a name."""
        hit = self.postal.get(text[-7:])
        if hit is not None:
            return hit
        for part in reversed(text.split(",")):
            hit = self.names.get(part.strip())
            if hit is not None:
                return hit
        return None


# --- the datasets -----------------------------------------------------------------------------


def _number(text: str) -> float | None:
    text = text.strip().replace(",", ".")
    return float(text) if text else None


def demo_queries(path: Path) -> list[GeocodeQuery]:
    """One query per distinct site (company, site name, address) of the demo membership."""
    seen: set[tuple[str, str, str]] = set()
    queries = []
    with path.open(encoding="utf-8", newline="") as fh:
        for rec in csv.DictReader(fh, delimiter=";"):
            key = (rec["entreprise"].strip(), rec["site"].strip(), rec["adresse"].strip())
            if key in seen:
                continue
            seen.add(key)
            queries.append(
                GeocodeQuery(
                    address=rec["adresse"].strip() or None,
                    municipality=rec["municipalite"].strip() or None,
                    postal_code=rec["code_postal"].strip() or None,
                    lat=_number(rec["latitude"]),
                    lon=_number(rec["longitude"]),
                )
            )
    return queries


@dataclass(frozen=True, slots=True)
class Generated:
    """One generated line of free text and how it was written (for the breakdowns)."""

    text: str
    place: str
    code: str
    street: str
    layout: str


class Weights:
    """Keys with relative weights, ready for ``random.choices`` (cumulative weights)."""

    def __init__(self, weights: dict[str, float]) -> None:
        self.weights = dict(weights)
        self.keys = list(weights)
        self.cumulative = list(itertools.accumulate(weights.values()))

    def only(self, keys: Iterable[str]) -> Weights:
        wanted = set(keys)
        return Weights({k: w for k, w in self.weights.items() if k in wanted})


# Relative weights of each way of writing. A style that does not apply to the place drawn
# (no "Saint" to abbreviate, no variant, not a borough or sector) is redrawn among those that do.
PLACE_STYLES = Weights(
    {
        "official name": 33,
        "accents dropped": 12,
        "UPPER CASE": 7,
        "lower case": 5,
        "St-/Ste- abbreviated": 11,
        "listed variant": 7,
        "spaces for hyphens": 5,
        "compound (Ville de…, arr., secteur)": 12,
        "misspelt": 3,
        "place outside the region": 0.8,
        "street only, no place": 0.8,
        "junk": 1.2,
    }
)
_SPECIAL_PLACES = ("misspelt", "place outside the region", "street only, no place", "junk")
CODE_STYLES = Weights(
    {
        "known, A1A 1A1": 42,
        "known, A1A1A1": 7,
        "known, lower case": 4,
        "known, A1A-1A1": 2,
        "unknown code of the place's FSA": 10,
        "FSA only (A1A)": 4,
        "known, another town's": 3,
        "code outside the region": 0.8,
        "malformed code": 0.8,
        "none": 26,
    }
)
STREETS = Weights(
    {"demo vocabulary": 50, "regional names": 30, "park streets": 12, "named after a town": 8}
)
LAYOUTS = Weights(
    {
        "commas": 55,
        "no comma before the place": 20,
        "number, street, place": 15,
        "on three lines": 10,
    }
)
SUFFIXES = Weights(
    {
        "": 55,
        " (Québec)": 15,
        ", QC": 10,
        " QC": 5,
        ", Québec": 8,
        " (Qc)": 3,
        ", Québec, Canada": 4,
    }
)
STREET_TYPES = Weights(
    {
        "rue": 50,
        "boulevard": 8,
        "boul.": 4,
        "avenue": 5,
        "av.": 2,
        "chemin": 8,
        "ch.": 2,
        "rang": 8,
        "route": 5,
    }
)
#: Street names common in the region (generic enough to exist in several towns).
REGIONAL_STREETS = (
    "Racine Est",
    "Talbot",
    "du Royaume",
    "Saint-Dominique",
    "Sacré-Cœur Ouest",
    "Price",
    "Harvey",
    "Mellon",
    "Sainte-Famille",
    "Jacques-Cartier Est",
    "Saint-Hubert",
    "des Pins",
    "Champlain",
    "Saint-Joseph",
    "Principale",
    "Notre-Dame",
    "de l'Hôtel-de-Ville",
    "Lafontaine",
    "du Pont-Taché Nord",
    "Wallberg",
    "Sainte-Anne",
    "du Lac-Saint-Jean",
)
JUNK = (
    "N/A",
    "???",
    "inconnu",
    "à venir",
    "-",
    "0",
    "xxx",
    "Voir contrat",
    "123456",
    "même adresse que le siège",
    "TBD",
)
#: Letters Canada Post uses in the last three characters of a postal code.
_LDU_LETTERS = "ABCEGHJKLMNPRSTVWXYZ"


def _pick(rng: random.Random, weights: Weights) -> str:
    return rng.choices(weights.keys, cum_weights=weights.cumulative)[0]


class AddressGenerator:
    """Deterministic free-text addresses of the region (same seed, same data: same rows)."""

    def __init__(
        self, gazetteer: Gazetteer, data_dir: Path, street_names: Sequence[str], seed: int
    ) -> None:
        self.rng = random.Random(seed)
        self.gaz = gazetteer
        self.munis = sorted(gazetteer.municipalities.values(), key=lambda m: m.id)
        self.codes = sorted(gazetteer.postal_codes.values(), key=lambda p: p.code)
        self.codes_for = {m.id: self._codes_of(m) for m in self.munis}
        self.writings = {m.id: self._writings(m) for m in self.munis}
        self.styles_for = {m.id: PLACE_STYLES.only(self.writings[m.id]) for m in self.munis}
        self.vocabulary_streets = list(street_names)
        self.park_streets = self._park_streets(data_dir)
        with (data_dir / "quebec_places.csv").open(encoding="utf-8", newline="") as fh:
            # Names the regional gazetteer also knows ("L'Ascension") are regional first.
            self.outside_places = sorted(
                rec["name"] for rec in csv.DictReader(fh) if gazetteer.match(rec["name"]) is None
            )
        with (data_dir / "quebec_fsa.csv").open(encoding="utf-8", newline="") as fh:
            self.outside_fsas = sorted(
                rec["fsa"] for rec in csv.DictReader(fh) if rec["fsa"] not in gazetteer.postal_areas
            )

    # --- reference -----------------------------------------------------------------------------

    def _codes_of(self, muni: Municipality) -> list[str]:
        """Codes of the place or its boroughs/sectors, else of the nearest parent that has some
        (within the postal areas the place lists, when it lists any)."""
        current: Municipality | None = muni
        while current is not None:
            codes = [
                p.code
                for p in self.codes
                if p.municipality_id in self.gaz.municipalities
                and self.gaz.within(self.gaz.municipalities[p.municipality_id], current)
                and (current is muni or not muni.fsa or p.code[:3] in muni.fsa)
            ]
            if codes:
                return codes
            current = self.gaz.municipalities.get(current.parent_id or "")
        return []

    def _writings(self, muni: Municipality) -> dict[str, list[str]]:
        name = muni.name
        out: dict[str, list[str]] = {"official name": [name]}
        if strip_accents(name) != name:
            out["accents dropped"] = [strip_accents(name)]
        out["UPPER CASE"] = [name.upper(), strip_accents(name).upper()]
        out["lower case"] = [name.lower(), strip_accents(name).lower()]
        if re.search(r"\bSainte?-", name):
            short = re.sub(r"\bSainte-", "Ste-", re.sub(r"\bSaint-", "St-", name))
            out["St-/Ste- abbreviated"] = [
                short,
                short.replace("St-", "St "),
                strip_accents(short),
                short.replace("St-", "St.-"),
            ]
        if muni.variants:
            out["listed variant"] = list(muni.variants)
        if re.search(r"[-'–]", name):
            out["spaces for hyphens"] = [re.sub(r"[-'–]", " ", name)]
        if muni.parent_id:
            parent = self.gaz.municipalities[muni.parent_id]
            top = self.gaz.municipality_of(muni)
            word = "arr." if muni.kind == "borough" else "secteur"
            compound = [
                f"{top.name} ({name})",
                f"{name}, {top.name}",
                f"Ville de {top.name}, {word} {name}",
                f"Ville de {top.name} ({word} {name})",
            ]
            if parent.id != top.id:
                compound.append(f"{parent.name} ({name})")
            out["compound (Ville de…, arr., secteur)"] = compound
        return out

    @staticmethod
    def _park_streets(data_dir: Path) -> list[str]:
        streets: set[str] = set()
        for park in read_parks(data_dir / "parks.geojson"):
            for street in str(park.properties.get("streets") or "").split("|"):
                if street.strip():
                    streets.add(street.strip())
        return sorted(streets)

    # --- one row -------------------------------------------------------------------------------

    def _street(self) -> tuple[str, str]:
        rng = self.rng
        kind = _pick(rng, STREETS)
        if kind == "demo vocabulary" and self.vocabulary_streets:
            return kind, rng.choice(self.vocabulary_streets)
        if kind == "park streets" and self.park_streets:
            return kind, rng.choice(self.park_streets)
        if kind == "named after a town":
            return kind, f"{_pick(rng, STREET_TYPES)} {rng.choice(self.munis).name}"
        return "regional names", f"{_pick(rng, STREET_TYPES)} {rng.choice(REGIONAL_STREETS)}"

    def _civic(self) -> str:
        number = str(
            self.rng.randint(1, 9999) if self.rng.random() < 0.8 else self.rng.randint(1, 999)
        )
        if self.rng.random() < 0.05:
            number += self.rng.choice(("A", "-B", " C"))
        return number

    def _unknown_code(self, fsa: str) -> str:
        while True:
            code = (
                f"{fsa} {self.rng.randint(0, 9)}{self.rng.choice(_LDU_LETTERS)}"
                f"{self.rng.randint(0, 9)}"
            )
            if code not in self.gaz.postal_codes:
                return code

    def _code(self, style: str, muni: Municipality, drawn: str | None) -> tuple[str, str]:
        """Return (style, code): a place without any code of its own gets an unknown one."""
        if drawn is None and not self.codes_for[muni.id]:
            style = "unknown code of the place's FSA"
            return style, self._unknown_code(muni.fsa[0] if muni.fsa else "G0W")
        return style, self._write_code(style, muni, drawn)

    def _write_code(self, style: str, muni: Municipality, drawn: str | None) -> str:
        rng = self.rng
        code = drawn or rng.choice(self.codes_for[muni.id])
        if style == "known, A1A1A1":
            return code.replace(" ", "")
        if style == "known, lower case":
            return code.lower()
        if style == "known, A1A-1A1":
            return code.replace(" ", "-")
        if style == "unknown code of the place's FSA":
            return self._unknown_code(code[:3])
        if style == "FSA only (A1A)":
            return code[:3]
        if style == "known, another town's":
            top = self.gaz.municipality_of(muni).id
            while True:
                other = rng.choice(self.codes)
                other_muni = self.gaz.municipalities.get(other.municipality_id)
                if other_muni is not None and self.gaz.municipality_of(other_muni).id != top:
                    return other.code
        if style == "code outside the region":
            return self._unknown_code(rng.choice(self.outside_fsas))
        if style == "malformed code":
            return rng.choice((code[:-1], "D" + code[1:], code[:3] + " " + code[4:6] + "O"))
        return code

    def row(self) -> Generated:
        rng = self.rng
        # Seven rows in ten start from a postal code of the table (so places weigh like the
        # population), three from any place of the gazetteer (so every name gets written).
        drawn: str | None = None
        if rng.random() < 0.7:
            point = rng.choice(self.codes)
            muni = self.gaz.municipalities[point.municipality_id]
            drawn = point.code
        else:
            muni = rng.choice(self.munis)
        place_style = _pick(rng, PLACE_STYLES)
        if place_style == "junk":
            return Generated(
                rng.choice(JUNK)
                if rng.random() < 0.6
                else "".join(rng.choices("abcdefghijklmnopqrstuvwxyz  .'", k=rng.randint(3, 14))),
                place_style,
                "none",
                "(junk row)",
                "(junk row)",
            )
        writings = self.writings[muni.id]
        if place_style not in writings and place_style not in _SPECIAL_PLACES:
            place_style = _pick(rng, self.styles_for[muni.id])
        if place_style == "misspelt":
            name = muni.name
            cut = rng.randint(1, len(name) - 2)
            place = (
                name[:cut] + name[cut + 1 :]
                if rng.random() < 0.5
                else name[:cut] + name[cut] + name[cut:]
            )
        elif place_style == "place outside the region":
            place = rng.choice(self.outside_places)
        elif place_style == "street only, no place":
            place = ""
        else:
            place = rng.choice(writings[place_style])
        code_style = _pick(rng, CODE_STYLES)
        if place_style == "place outside the region":
            code_style = "none"
        code = ""
        if code_style != "none":
            code_style, code = self._code(code_style, muni, drawn)
        street_kind, street = self._street()
        civic = self._civic()
        suffix = _pick(rng, SUFFIXES) if place else ""
        layout = _pick(rng, LAYOUTS)
        if layout == "no comma before the place":
            text = " ".join(p for p in (civic, street, place + suffix, code) if p)
        elif layout == "on three lines":
            text = "\n".join(p for p in (f"{civic} {street}", place + suffix, code) if p)
        else:
            first = (
                f"{civic}, {street}" if layout == "number, street, place" else (f"{civic} {street}")
            )
            text = ", ".join(p for p in (first, place + suffix) if p)
            if code:
                text += (", " if rng.random() < 0.4 else " ") + code
        return Generated(text, place_style, code_style, street_kind, layout)

    def rows(self, n: int) -> list[Generated]:
        return [self.row() for _ in range(n)]


def vocabulary_streets(data_dir: Path) -> list[str]:
    """The demo generator's invented street names (town, rural and park streets)."""
    path = data_dir / "demo" / "vocabulary.json"
    if not path.exists():
        return []
    words = json.loads(path.read_text(encoding="utf-8"))
    return [
        s for key in ("town_streets", "rural_streets", "park_streets") for s in words.get(key, [])
    ]


# --- measuring --------------------------------------------------------------------------------


def run_pass(fn: Callable[[Any], object], rows: Sequence[Any]) -> list[object]:
    """Call ``fn`` on every row; a ``GeocodingError`` is a result like any other."""
    out: list[object] = []
    append = out.append
    for row in rows:
        try:
            append(fn(row))
        except GeocodingError as exc:
            append(exc)
    return out


@dataclass
class Pass:
    name: str
    best_s: float
    passes: int
    peak_bytes: int
    traced_rows: int
    outcomes: Counter[str]
    results: list[object] = field(repr=False)

    def rate(self, rows: int) -> float:
        return rows / self.best_s if self.best_s > 0 else float("inf")


def outcome(result: object) -> str:
    if isinstance(result, Location):
        return "outside" if result.outside_region else result.precision.value
    if isinstance(result, tuple):
        return str(result[2])
    return "failed"  # GeocodingError, or None from the baseline


def measure(
    name: str,
    fn: Callable[[Any], object],
    rows: Sequence[Any],
    min_seconds: float,
    max_passes: int,
    trace_rows: int,
) -> Pass:
    """Best wall time over passes repeated until ``min_seconds``, then one traced pass.

    The traced pass covers the first ``trace_rows`` rows only: tracemalloc makes Python several
    times slower, and the peak grows with the rows (it includes the list of results).
    """
    best, passes, total = float("inf"), 0, 0.0
    results: list[object] = []
    while passes == 0 or (total < min_seconds and passes < max_passes):
        results = []
        gc.collect()
        started = time.perf_counter()
        results = run_pass(fn, rows)
        elapsed = time.perf_counter() - started
        best, total, passes = min(best, elapsed), total + elapsed, passes + 1
    # Memory in its own pass: tracemalloc slows Python down, it must not touch the timings.
    gc.collect()
    tracemalloc.start()
    try:
        traced = run_pass(fn, rows[:trace_rows])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    del traced
    return Pass(
        name,
        best,
        passes,
        peak,
        min(trace_rows, len(rows)),
        Counter(outcome(r) for r in results),
        results,
    )


@dataclass
class Dataset:
    key: str
    title: str
    rows: int
    cascade: Pass
    baseline: Pass
    breakdowns: dict[str, dict[str, Counter[str]]] = field(default_factory=dict)

    @property
    def ratio(self) -> float:
        return self.cascade.rate(self.rows) / self.baseline.rate(self.rows)


def breakdown(
    rows: Sequence[Generated], results: Sequence[object], attribute: str
) -> dict[str, Counter[str]]:
    table: dict[str, Counter[str]] = {}
    for row, result in zip(rows, results, strict=True):
        table.setdefault(getattr(row, attribute), Counter())[outcome(result)] += 1
    return dict(sorted(table.items(), key=lambda item: -item[1].total()))


# --- report -----------------------------------------------------------------------------------


#: Column widths of the outcome tables.
_W = {k: max(9, len(k) + 2) for k in OUTCOMES}


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:5.1f} %" if whole else "    - "


def _placed(counts: Counter[str]) -> int:
    return sum(n for k, n in counts.items() if k not in ("failed", "outside"))


def print_report(meta: dict[str, Any], datasets: list[Dataset]) -> None:
    print(
        "Offline geocoding throughput: cascade (offline, no address backend) vs exact-match lookup"
    )
    print(
        f"Python {meta['python']} on {meta['platform']}, {meta['cpus']} CPUs · "
        f"seed {meta['seed']} · data {meta['data_dir']}"
    )
    print()
    load = meta["load"]
    print("Reference data, loaded once before any timing:")
    print(
        f"  gazetteer      {load['gazetteer_s']:7.3f} s  ({load['places']} places, "
        f"{load['postal_codes']:,} postal codes, {load['postal_areas']} postal areas, "
        f"{load['outside_places']:,} places elsewhere in Québec)"
    )
    print(f"  park names     {load['park_names_s']:7.3f} s  ({load['parks']} parks)")
    print(
        f"  exact-match    {load['baseline_s']:7.3f} s  ({load['baseline_codes']:,} codes, "
        f"{load['baseline_names']} names)"
    )
    print(f"  rows generated {load['generate_s']:7.3f} s  (not part of any timing)")
    print()
    head = (
        f"{'dataset':<26}{'rows':>8}  {'pass':<12}{'passes':>6}{'best s':>10}"
        f"{'rows/s':>12}{'placed':>9}{'peak MiB':>10}{'traced':>9}"
    )
    print(head)
    print("-" * len(head))
    for ds in datasets:
        for i, p in enumerate((ds.cascade, ds.baseline)):
            label, rows = (ds.title, f"{ds.rows:,}") if i == 0 else ("", "")
            print(
                f"{label:<26}{rows:>8}  {p.name:<12}{p.passes:>6}{p.best_s:>10.4f}"
                f"{p.rate(ds.rows):>12,.0f}{_pct(_placed(p.outcomes), ds.rows):>9}"
                f"{p.peak_bytes / MIB:>10.2f}{p.traced_rows:>9,}"
            )
        slower = 1 / ds.ratio if ds.ratio else float("inf")
        print(
            f"{'':<36}ratio: cascade at {ds.ratio:.4f}× the exact-match baseline "
            f"({slower:,.0f}× slower)"
        )
    print()
    print(
        "Outcome of each row (share of rows; manual = coordinates given with the row, "
        "outside = flagged outside the region)"
    )
    # Columns no row reached are left out (offline, nothing is placed by civic address).
    shown = [
        k
        for k in OUTCOMES
        if k == "failed" or any(p.outcomes[k] for ds in datasets for p in (ds.cascade, ds.baseline))
    ]
    head = f"{'':<36}" + "".join(f"{k:>{_W[k]}}" for k in shown)
    print(head)
    print("-" * len(head))
    for ds in datasets:
        for p in (ds.cascade, ds.baseline):
            cells = "".join(f"{_pct(p.outcomes[k], ds.rows):>{_W[k]}}" for k in shown)
            print(f"{ds.key + ' · ' + p.name:<36}{cells}")
    for ds in datasets:
        cols = [k for k in shown if k == "failed" or ds.cascade.outcomes[k]]
        for attribute, table in ds.breakdowns.items():
            print()
            print(f"{ds.title}, cascade, by {attribute}")
            head = f"{'':<38}{'rows':>7}" + "".join(f"{k:>{_W[k]}}" for k in cols)
            print(head)
            print("-" * len(head))
            for label, counts in table.items():
                total = counts.total()
                cells = "".join(f"{_pct(counts[k], total):>{_W[k]}}" for k in cols)
                print(f"{label[:38]:<38}{total:>7}{cells}")
    print()
    print(
        "peak MiB: tracemalloc peak of one pass over the first 'traced' rows, list of results "
        "included,\nreference data excluded."
    )
    print(f"Process max RSS (getrusage, whole run, every pass): {meta['max_rss_mib']:.1f} MiB.")


def to_json(meta: dict[str, Any], datasets: list[Dataset]) -> dict[str, Any]:
    def pass_json(p: Pass, rows: int) -> dict[str, Any]:
        return {
            "best_seconds": p.best_s,
            "passes": p.passes,
            "rows_per_second": p.rate(rows),
            "tracemalloc_peak_bytes": p.peak_bytes,
            "traced_rows": p.traced_rows,
            "outcomes": {k: p.outcomes[k] for k in OUTCOMES},
            "placed": _placed(p.outcomes),
        }

    return {
        **meta,
        "datasets": {
            ds.key: {
                "title": ds.title,
                "rows": ds.rows,
                "ratio": ds.ratio,
                "cascade": pass_json(ds.cascade, ds.rows),
                "baseline": pass_json(ds.baseline, ds.rows),
                "breakdowns": {
                    attr: {label: {k: c[k] for k in OUTCOMES if c[k]} for label, c in table.items()}
                    for attr, table in ds.breakdowns.items()
                },
            }
            for ds in datasets
        },
    }


# --- main -------------------------------------------------------------------------------------


def _max_rss_mib() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / MIB if sys.platform == "darwin" else rss / 1024  # bytes on macOS, else KiB


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.geocoding",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--rows",
        type=int,
        default=100_000,
        help="generated addresses (default 100000; 0 skips them)",
    )
    parser.add_argument("--seed", type=int, default=2021, help="generator seed (default 2021)")
    parser.add_argument(
        "--data",
        type=Path,
        default=ROOT / "data",
        help="reference data folder (default: the project's data/)",
    )
    parser.add_argument(
        "--min-time",
        type=float,
        default=1.0,
        help="repeat each timed pass until this many seconds (default 1.0); the best pass counts",
    )
    parser.add_argument(
        "--max-passes",
        type=int,
        default=50,
        help="at most this many timed passes of one kind (default 50)",
    )
    parser.add_argument(
        "--trace-rows",
        type=int,
        default=10_000,
        help="rows of the tracemalloc pass (default 10000; memory only)",
    )
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the figures here")
    args = parser.parse_args(argv)
    if args.rows < 0:
        parser.error("--rows must be 0 or more")
    data_dir: Path = args.data

    started = time.perf_counter()
    gazetteer = Gazetteer.from_directory(data_dir)
    gazetteer_s = time.perf_counter() - started
    started = time.perf_counter()
    parks = read_parks(data_dir / "parks.geojson")
    park_names = ParkNames.from_files(parks, data_dir / "park_aliases.csv")
    park_names_s = time.perf_counter() - started
    geocoder = CascadeGeocoder(gazetteer, park_names=park_names)
    started = time.perf_counter()
    baseline = ExactMatch(data_dir)
    baseline_s = time.perf_counter() - started

    demo = demo_queries(data_dir / "demo" / "membres.csv")
    started = time.perf_counter()
    generated = AddressGenerator(gazetteer, data_dir, vocabulary_streets(data_dir), args.seed).rows(
        args.rows
    )
    generate_s = time.perf_counter() - started

    def cascade_text(row: Generated) -> Location:
        return geocoder.geocode(parse_query(row.text, gazetteer))

    def baseline_text(row: Generated) -> Hit | None:
        return baseline.text(row.text)

    # Warm-up: first calls (regex caches, lazily built tables) stay out of the timings.
    run_pass(geocoder.geocode, demo)
    run_pass(baseline.fields, demo)
    run_pass(cascade_text, generated[:500])
    run_pass(baseline_text, generated[:500])

    def timed(name: str, fn: Callable[[Any], object], rows: Sequence[Any]) -> Pass:
        return measure(name, fn, rows, args.min_time, args.max_passes, args.trace_rows)

    datasets = [
        Dataset(
            "demo",
            "demo membership (sites)",
            len(demo),
            timed("cascade", geocoder.geocode, demo),
            timed("exact match", baseline.fields, demo),
        )
    ]
    if generated:
        ds = Dataset(
            "generated",
            "generated addresses",
            len(generated),
            timed("cascade", cascade_text, generated),
            timed("exact match", baseline_text, generated),
        )
        ds.breakdowns = {
            attr: breakdown(generated, ds.cascade.results, attr)
            for attr in ("place", "code", "street", "layout")
        }
        datasets.append(ds)

    meta: dict[str, Any] = {
        "python": platform.python_version(),
        "platform": f"{platform.system()} {platform.machine()}",
        "cpus": os.cpu_count(),
        "seed": args.seed,
        "data_dir": str(data_dir),
        "load": {
            "gazetteer_s": gazetteer_s,
            "park_names_s": park_names_s,
            "baseline_s": baseline_s,
            "generate_s": generate_s,
            "places": len(gazetteer.municipalities),
            "postal_codes": len(gazetteer.postal_codes),
            "postal_areas": len(gazetteer.postal_areas),
            "outside_places": len(gazetteer.outside_places),
            "parks": len(parks),
            "baseline_codes": len(baseline.postal),
            "baseline_names": len(baseline.names),
        },
        "max_rss_mib": _max_rss_mib(),
    }
    print_report(meta, datasets)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps(to_json(meta, datasets), indent=2, ensure_ascii=False) + "\n",
            encoding="utf-8",
        )
        print(f"Figures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
