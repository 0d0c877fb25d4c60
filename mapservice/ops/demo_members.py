"""The demo's fictional member companies: names, sizes, contacts, and how many sites and rows.

See :mod:`mapservice.ops.demo`, which places the sites and writes the rows.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from mapservice.ops.demo_reference import Reference

N_MEMBERS = 247
N_ROWS = 1000
CONSENT_SHARE = 0.60
#: Quantity multiplier, rows (min, max) and odds of 1, 2 or 3 sites, by firm size.
SIZES: dict[str, tuple[float, tuple[int, int], tuple[float, float, float]]] = {
    "petite": (1.0, (2, 5), (0.92, 0.08, 0.0)),
    "moyenne": (4.0, (4, 7), (0.7, 0.25, 0.05)),
    "grande": (15.0, (6, 11), (0.3, 0.45, 0.25)),
}


@dataclass
class DemoSite:
    sector: dict[str, Any]
    place_id: str
    name: str = ""
    address: str = ""
    municipality: str = ""
    postal_code: str = ""
    lat: str = ""
    lon: str = ""
    n_rows: int = 1


@dataclass
class DemoMember:
    name: str
    sector: dict[str, Any]
    size: str
    naics: str
    contact: tuple[str, str, str]
    consent: bool
    n_rows: int
    sites: list[DemoSite] = field(default_factory=list)


def _weighted(rng: random.Random, weights: dict[str, float]) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text.replace("œ", "oe").replace("Œ", "Oe"))
    ascii_text = "".join(c for c in ascii_text if not unicodedata.combining(c)).lower()
    return "-".join("".join(c if c.isalnum() else " " for c in ascii_text).split())


def _of(name: str) -> str:
    """Return ``de Roberval``, ``d'Alma``, ``de La Baie``: French elision before a vowel."""
    return f"d'{name}" if _slug(name)[:1] in tuple("aeiouyh") else f"de {name}"


def _allocate(total: int, weights: list[float]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` (largest remainders, ties by position)."""
    scale = total / sum(weights)
    counts = [int(w * scale) for w in weights]
    order = sorted(range(len(weights)), key=lambda i: (-(weights[i] * scale - counts[i]), i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def generate_members(ref: Reference, rng: random.Random) -> list[DemoMember]:
    vocab = ref.vocab
    sectors = vocab["sectors"]
    kinds = [
        s
        for s, n in zip(sectors, _allocate(N_MEMBERS, [s["weight"] for s in sectors]), strict=True)
        for _ in range(n)
    ]
    rng.shuffle(kinds)
    consenting = rng.sample(range(N_MEMBERS), round(CONSENT_SHARE * N_MEMBERS))
    members: list[DemoMember] = []
    for index, sector in enumerate(kinds):
        size = _weighted(rng, dict(zip(SIZES, sector["sizes"], strict=True)))
        head, name = _company_name(vocab, sector, rng, [_slug(m.name) for m in members])
        naics = sector.get("head_naics", {}).get(head) or rng.choice(sector["naics"])
        first, last = rng.choice(vocab["first_names"]), rng.choice(vocab["last_names"])
        domain = _slug(name.removesuffix(" (démo)").removesuffix(" inc.").removesuffix(" ltée"))
        contact = (
            f"{first} {last}",
            f"{_slug(first)}.{_slug(last)}@{domain}.example",
            f"{rng.choice(('418', '581'))}-555-01{rng.randrange(100):02d}",
        )
        low, high = SIZES[size][1]
        members.append(
            DemoMember(
                name, sector, size, naics, contact, index in consenting, rng.randint(low, high)
            )
        )
    # Bring the total to N_ROWS, one row at a time, within each size's bounds (+1).
    while (total := sum(m.n_rows for m in members)) != N_ROWS:
        member = rng.choice(members)
        low, high = SIZES[member.size][1]
        if total > N_ROWS and member.n_rows > low:
            member.n_rows -= 1
        elif total < N_ROWS and member.n_rows <= high:
            member.n_rows += 1
    for member in members:
        _add_sites(ref, member, rng)
    return members


def _company_name(
    vocab: dict[str, Any], sector: dict[str, Any], rng: random.Random, taken: list[str]
) -> tuple[str, str]:
    """Return (head, name): a sector word, a neutral root, a legal form, `` (démo)``."""
    while True:
        head = rng.choice(sector["heads"])
        legal = rng.random()
        name = f"{head} {rng.choice(vocab['name_roots'])}"
        name += " inc." if legal < 0.35 else " ltée" if legal < 0.45 else ""
        name += " (démo)"
        if _slug(name) not in taken:
            return head, name


def _add_sites(ref: Reference, member: DemoMember, rng: random.Random) -> None:
    n_sites = rng.choices((1, 2, 3), weights=SIZES[member.size][2])[0]
    n_sites = min(n_sites, member.n_rows)
    profile = ref.vocab["profiles"][member.sector["profile"]]
    used: list[str] = []
    for index in range(n_sites):
        place_id = _weighted(rng, profile)
        for _ in range(5):  # a second site elsewhere, mostly
            place_id = _weighted(rng, profile) if place_id in used else place_id
        site = DemoSite(member.sector, place_id)
        if index:
            kind = rng.choice(member.sector["site_kinds"])
            site.name = f"{kind} {_of(ref.places[place_id].name)}"
            if any(s.name == site.name for s in member.sites):
                site.name += f" {index + 1}"
        used.append(place_id)
        member.sites.append(site)
    # Rows: one per site at least, the rest mostly at the main site.
    for _ in range(member.n_rows - n_sites):
        rng.choices(member.sites, weights=[3.0] + [1.0] * (n_sites - 1))[0].n_rows += 1
