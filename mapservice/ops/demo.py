"""Generate the demo membership: fictional member companies, their sites, offers and needs.

The file mirrors the scale of the regional programme (about 1,000 offers and needs from about
247 companies) so that maps, matching and reports can be shown without any real member's data.
Names, streets and descriptions come from the word lists of ``data/demo/vocabulary.json``;
places come from the region's reference data (municipalities, postal codes, park outlines).
The companies, their sizes and contacts come from :mod:`mapservice.ops.demo_members`; this
module places their sites and writes their offers and needs.

The same seed always gives the same bytes: one ``random.Random(seed)``, lists walked in file
order, no set iteration, no clock.
"""

from __future__ import annotations

import csv
import io
import math
import random
import unicodedata
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from mapservice.ops.demo_members import N_ROWS, SIZES, DemoMember, DemoSite, generate_members
from mapservice.ops.demo_reference import ParkArea, Place, Reference, dist2

HEADER = (
    "entreprise",
    "secteur_scian",
    "site",
    "adresse",
    "municipalite",
    "code_postal",
    "latitude",
    "longitude",
    "type",
    "matiere",
    "description",
    "quantite",
    "unite",
    "frequence",
    "dangereux",
    "confidentiel",
    "contact_nom",
    "contact_courriel",
    "contact_telephone",
    "consentement_public",
)
OFFER_SHARE = 0.55
MUTUALISATION_SHARE = 0.05
COMMON_SHARE = 0.12
PARK_SHARE = 0.60
NO_POSTCODE_SHARE = 0.05
#: Share of the sites of a park with no known street whose address names the park.
PARK_NAMED_SHARE = 0.6
VARIANT_SHARE = 0.10
CONFIDENTIAL_SHARE = 0.10
NO_QUANTITY_SHARE = 0.06
SUFFIX_SHARE = 0.3
OTHER = {"offre": "besoin", "besoin": "offre"}
UNITS = {"t_per_year": "t/an", "m3_per_year": "m3/an", "units_per_year": "unités/an", "kw": "kW"}


def _fr_number(value: float, whole: bool = False) -> str:
    """Round ``value`` the way staff would write it and format it with a decimal comma."""
    step = 0.5 if value < 30 and not whole else 1 if value < 200 else 5 if value < 2000 else 50
    rounded = max(step, round(value / step) * step)
    if rounded == int(rounded):
        return str(int(rounded))
    return f"{rounded:.1f}".replace(".", ",")


def _fr_coord(value: float) -> str:
    return f"{value:.5f}".replace(".", ",")


def _place_sites(ref: Reference, sites: list[DemoSite], rng: random.Random) -> None:
    """Put ~PARK_SHARE of the sites in a park, address and post every site."""
    eligible: list[tuple[float, int]] = []
    for index, site in enumerate(sites):
        if _parks_for(ref, site):
            key = rng.random() ** (1.0 / site.sector["park_affinity"])
            eligible.append((-key, index))
    in_park = sorted(i for _, i in sorted(eligible)[: round(PARK_SHARE * len(sites))])
    outside = [i for i in range(len(sites)) if i not in in_park]
    no_code = rng.sample(outside, min(len(outside), round(NO_POSTCODE_SHARE * len(sites))))
    variant = rng.sample(range(len(sites)), round(VARIANT_SHARE * len(sites)))
    park_streets = {
        p.id: p.streets or tuple(rng.sample(ref.vocab["park_streets"], 3)) for p in ref.parks
    }
    for index, site in enumerate(sites):
        rural = site.sector["profile"] in ("ferme", "foret") or len(ref.codes(site.place_id)) < 5
        if index in in_park:
            parks = _parks_for(ref, site)
            park = rng.choices(parks, weights=[p.weight for p in parks])[0]
            site.place_id = park.place_id
            lat, lon = _point_in(park.outline, rng)
            site.lat, site.lon = _fr_coord(lat), _fr_coord(lon)
            street = rng.choice(park_streets[park.id])
            site.postal_code = min(
                ref.codes(park.place_id, related=True),
                key=lambda p: (dist2(lat, lon, p[1], p[2]), p[0]),
            )[0]
            number = rng.randint(100, 4999)
            if not park.streets and _names_its_park(index, park.id, number):
                # Nothing else tells which park a site of an unlocated park is in.
                street = f"{street}, {park.name}"
        else:
            street = rng.choice(ref.vocab["rural_streets" if rural else "town_streets"])
            code = rng.choice(ref.codes(site.place_id))[0]
            site.postal_code = "" if index in no_code else code
            number = rng.randint(10, 990) if rural else rng.randint(100, 4999)
        site.address = f"{number}, {street}"
        place = ref.places[site.place_id]
        site.municipality = place.name
        if index in variant:
            site.municipality = rng.choice(_variants(ref, place))


def _names_its_park(index: int, park_id: str, number: int) -> bool:
    """Whether this park site writes its park's name, decided without drawing from the
    generator's random stream (the rest of the membership stays as it was)."""
    key = f"{index}:{park_id}:{number}".encode()
    return zlib.crc32(key) % 100 < PARK_NAMED_SHARE * 100


def _parks_for(ref: Reference, site: DemoSite) -> list[ParkArea]:
    return [
        p
        for p in ref.parks
        if ref.within(p.place_id, site.place_id) and (not p.only or site.sector["key"] in p.only)
    ]


def _point_in(outline: BaseGeometry, rng: random.Random) -> tuple[float, float]:
    """Return a (lat, lon) inside ``outline``, 5 decimals, some 50 m clear of its edge."""
    west, south, east, north = outline.bounds
    while True:
        lat, lon = round(rng.uniform(south, north), 5), round(rng.uniform(west, east), 5)
        point = Point(lon, lat)
        if outline.contains(point) and outline.exterior.distance(point) > 0.0005:
            return lat, lon


def _variants(ref: Reference, place: Place) -> list[str]:
    """Return ways people write ``place`` that the importer resolves (St-, no accents, arr.)."""
    forms = [v for v in place.variants if v.startswith(("Ville", "Arrondissement", "St"))]
    for long, short in (("Saint-", "St-"), ("Sainte-", "Ste-")):
        if place.name.startswith(long):
            forms.append(short + place.name[len(long) :])
    plain = "".join(
        c for c in unicodedata.normalize("NFKD", place.name) if not unicodedata.combining(c)
    )
    if plain != place.name:
        forms.append(plain)
    forms += [f"{place.name} (Québec)", f"{place.name}, QC", place.name.upper()]
    top = ref.places[ref.lineage[place.id][-1]]
    if top.id != place.id:
        town = "Ville de Saguenay" if top.id == "saguenay" else top.name
        part = "arr." if place.kind == "borough" else "secteur"
        forms += [f"{town} ({part} {place.name})", f"{top.name} ({place.name})"] * 2
    return forms


def _flows(
    ref: Reference,
    member: DemoMember,
    site: DemoSite,
    directions: Iterator[str],
    rng: random.Random,
) -> list[tuple[str, dict[str, Any]]]:
    """Return ``site.n_rows`` (direction, template) pairs, each category at most once.

    The main site's first row is the sector's hallmark (a sawmill's sawdust, a greenhouse's
    need for heat), so that every member shows what its trade is known for.
    """
    vocab = ref.vocab
    chosen: list[tuple[str, dict[str, Any]]] = []
    keys: list[str] = []
    if site is member.sites[0]:
        direction = member.sector.get("hallmark", "offre")
        chosen.append((direction, member.sector[direction][0]))
        keys.append(member.sector[direction][0]["code"])
    mine, common, shared = member.sector, vocab["common"], vocab["mutualisation"]
    for _ in range(site.n_rows - len(chosen)):
        draw = rng.random()
        one = next(directions)
        two = OTHER[one]
        # (direction, templates, ranked): a sector lists its most typical templates first.
        pools = [(one, mine[one], True), (two, mine[two], True)]
        if draw < MUTUALISATION_SHARE:
            pools = [(one, shared[one], False), (two, shared[two], False)]
        elif draw < MUTUALISATION_SHARE + COMMON_SHARE:
            pools.insert(0, (one, common[one], False))
        pools += [
            (one, common[one], False),
            (two, common[two], False),
            (one, shared[one], False),
            (two, shared[two], False),
        ]
        for direction, pool, ranked in pools:
            free = [
                (1 / (i + 1) if ranked else 1.0, t)
                for i, t in enumerate(pool)
                if t["code"] not in keys
            ]
            if free:
                template = rng.choices([t for _, t in free], weights=[w for w, _ in free])[0]
                chosen.append((direction, template))
                keys.append(template["code"])
                break
    return chosen


def _row(
    ref: Reference,
    member: DemoMember,
    site: DemoSite,
    direction: str,
    template: dict[str, Any],
    rng: random.Random,
) -> dict[str, str]:
    category = ref.categories[template["code"]]
    kind = category["kind"]
    description = rng.choice(template["desc"])
    if kind == "material" and rng.random() < SUFFIX_SHARE:
        description += ", " + rng.choice(ref.vocab["suffixes"][direction])
    quantity = unit = ""
    no_quantity = NO_QUANTITY_SHARE * (6 if kind == "mutualisation" else 1)
    if "qty" in template and rng.random() >= no_quantity:
        low, high = template["qty"]
        value = math.exp(rng.uniform(math.log(low), math.log(high)))
        unit = UNITS[category["default_unit"]]
        quantity = _fr_number(
            value * SIZES[member.size][0] ** template.get("scale", 1.0), whole=unit == "unités/an"
        )
    frequency = rng.choice(template.get("freq") or ref.vocab["default_freq"][kind])
    hazardous = category["hazardous"].strip().lower() in ("true", "oui", "1", "yes")
    values = (
        member.name,
        member.naics,
        site.name,
        site.address,
        site.municipality,
        site.postal_code,
        site.lat,
        site.lon,
        direction,
        template["code"],
        description,
        quantity,
        unit,
        frequency,
        "oui" if hazardous else "non",
        "non",
        *member.contact,
        "oui" if member.consent else "non",
    )
    return dict(zip(HEADER, values, strict=True))


def generate_rows(data_dir: Path, seed: int = 2021) -> list[dict[str, str]]:
    """Generate the demo membership as import rows.

    Parameters
    ----------
    data_dir
        The ``data/`` folder: municipalities, postal codes, parks, material categories and
        ``demo/vocabulary.json``.
    seed
        Seed of the one random generator used; the same seed gives the same rows.

    Returns
    -------
    list of dict
        One dict per offer or need, keyed by the columns of :data:`HEADER`, values as text.
    """
    ref = Reference(data_dir)
    rng = random.Random(seed)
    members = generate_members(ref, rng)
    _place_sites(ref, [s for m in members for s in m.sites], rng)
    # Directions of the rows after each member's hallmark, shuffled, to land on OFFER_SHARE.
    hallmarks = sum(m.sector.get("hallmark", "offre") == "offre" for m in members)
    offers = round(OFFER_SHARE * N_ROWS) - hallmarks
    directions = ["offre"] * offers + ["besoin"] * (N_ROWS - len(members) - offers)
    rng.shuffle(directions)
    stream = iter(directions)
    rows = []
    for member in members:
        for site in member.sites:
            for direction, template in _flows(ref, member, site, stream, rng):
                rows.append(_row(ref, member, site, direction, template, rng))
    for index in rng.sample(range(len(rows)), round(CONFIDENTIAL_SHARE * len(rows))):
        rows[index]["confidentiel"] = "oui"
    return rows


def render_csv(rows: list[dict[str, str]]) -> str:
    """Return ``rows`` as the import format: semicolons, the fixed header, ``\\n`` line ends."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=HEADER, delimiter=";", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def write_demo(data_dir: Path, target: Path, *, seed: int = 2021) -> tuple[int, int]:
    """Generate the demo membership and write it to ``target`` (UTF-8, no BOM).

    Parameters
    ----------
    data_dir
        The ``data/`` folder the generator reads (see :func:`generate_rows`).
    target
        The CSV file to write; its folder is created if needed.
    seed
        Seed of the random generator; the same seed gives a byte-identical file.

    Returns
    -------
    tuple of int
        The number of member companies and of rows (offers and needs) written.
    """
    rows = generate_rows(data_dir, seed)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(render_csv(rows).encode("utf-8"))
    members = len(dict.fromkeys(r["entreprise"] for r in rows))
    return members, len(rows)
