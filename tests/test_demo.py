"""The demo membership: deterministic, at the programme's scale, consistent with data/."""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from pathlib import Path

import pytest
from shapely.geometry import Point, shape

from mapservice.geocoding import Gazetteer
from mapservice.ops.demo import HEADER, write_demo

DATA = Path(__file__).resolve().parents[1] / "data"
DEMO = DATA / "demo" / "membres.csv"
UNITS = {"t_per_year": "t/an", "m3_per_year": "m3/an", "units_per_year": "unités/an", "kw": "kW"}
FREQUENCIES = {
    "continu",
    "quotidien",
    "hebdomadaire",
    "mensuel",
    "saisonnier",
    "annuel",
    "ponctuel",
}
#: Names of real firms of the region (reference notes) that must never appear.
REAL_NAMES = (
    "rio tinto",
    "résolu",
    "resolu",
    "domtar",
    "alcoa",
    "coderr",
    "proco",
    "durafibre",
    "pexal",
    "tecalum",
    "vérifruit",
    "toundra",
    "bio serra",
    "lignarex",
    "pie braque",
    "charl-pol",
    "alco tmi",
    "niobec",
    "magris",
    "uniforêt",
    "granules lg",
    "top aces",
    "barrette",
    "nolitrex",
    "biochar boréalis",
    "boulangerie du royaume",
    "héritier",
)


def read(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8")), delimiter=";"))


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    return read(DEMO.read_bytes())


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer.from_directory(DATA)


def sites(rows: list[dict[str, str]]) -> dict[tuple[str, str], dict[str, str]]:
    """The first row of each site, keyed as the importer keys sites (name, else address)."""
    out: dict[tuple[str, str], dict[str, str]] = {}
    for row in rows:
        out.setdefault((row["entreprise"], row["site"] or row["adresse"]), row)
    return out


def test_same_seed_gives_the_same_bytes_as_the_committed_file(tmp_path):
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    counts = write_demo(DATA, first)
    assert write_demo(DATA, second, seed=2021) == counts
    assert first.read_bytes() == second.read_bytes()
    assert first.read_bytes() == DEMO.read_bytes(), (
        "data/demo/membres.csv is stale: run `mapservice demo generate --seed 2021`"
    )
    assert counts == (
        len({r["entreprise"] for r in read(first.read_bytes())}),
        len(read(first.read_bytes())),
    )


def test_another_seed_gives_another_file(tmp_path):
    write_demo(DATA, tmp_path / "other.csv", seed=7)
    assert (tmp_path / "other.csv").read_bytes() != DEMO.read_bytes()


def test_format_is_the_import_format():
    raw = DEMO.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert raw.split(b"\n", 1)[0].decode() == ";".join(HEADER)
    assert b"\r" not in raw


def test_scale_and_proportions(rows):
    members = {r["entreprise"] for r in rows}
    assert 235 <= len(members) <= 265
    assert 950 <= len(rows) <= 1050
    share = Counter(r["type"] for r in rows)
    assert set(share) == {"offre", "besoin"}
    assert 0.50 <= share["offre"] / len(rows) <= 0.60
    assert 0.07 <= sum(r["confidentiel"] == "oui" for r in rows) / len(rows) <= 0.13
    consent = {r["entreprise"]: r["consentement_public"] for r in rows}
    assert 0.5 <= list(consent.values()).count("oui") / len(consent) <= 0.7
    mutual = sum(r["matiere"].startswith("mutualisation.") for r in rows) / len(rows)
    assert 0.05 <= mutual <= 0.25
    by_site = sites(rows)
    in_park = sum(bool(s["latitude"]) for s in by_site.values()) / len(by_site)
    assert 0.55 <= in_park <= 0.65
    no_code = sum(not s["code_postal"] for s in by_site.values()) / len(by_site)
    assert 0.02 <= no_code <= 0.08
    per_member = Counter(Counter(m for m, _ in by_site).values())
    assert set(per_member) <= {1, 2, 3} and per_member[1] > 0.7 * len(members)


def test_member_and_site_fields_repeat_on_every_row(rows):
    member_fields = (
        "secteur_scian",
        "contact_nom",
        "contact_courriel",
        "contact_telephone",
        "consentement_public",
    )
    site_fields = ("adresse", "municipalite", "code_postal", "latitude", "longitude")
    first: dict[str, dict[str, str]] = {}
    for row in rows:
        ref = first.setdefault(row["entreprise"], row)
        assert [row[f] for f in member_fields] == [ref[f] for f in member_fields]
    for (name, key), ref in sites(rows).items():
        for row in rows:
            if row["entreprise"] == name and (row["site"] or row["adresse"]) == key:
                assert [row[f] for f in site_fields] == [ref[f] for f in site_fields]


def test_one_row_per_site_type_and_category(rows):
    keys = Counter(
        (r["entreprise"], r["site"] or r["adresse"], r["type"], r["matiere"]) for r in rows
    )
    assert max(keys.values()) == 1


def test_names_contacts_and_codes_are_fictional(rows):
    for row in rows:
        name = row["entreprise"]
        assert name.endswith(" (démo)"), name
        assert not any(real in name.lower() for real in REAL_NAMES), name
        assert re.fullmatch(r"[a-z-]+\.[a-z-]+@[a-z0-9-]+\.example", row["contact_courriel"])
        assert re.fullmatch(r"(418|581)-555-01\d\d", row["contact_telephone"])
        assert re.fullmatch(r"\d{2,6}", row["secteur_scian"])


def test_materials_units_and_flags_follow_the_taxonomy(rows):
    with (DATA / "materials" / "categories.csv").open(encoding="utf-8", newline="") as fh:
        categories = {c["code"]: c for c in csv.DictReader(fh)}
    for row in rows:
        category = categories[row["matiere"]]
        assert row["description"]
        assert row["unite"] in ("", UNITS[category["default_unit"]])
        assert bool(row["quantite"]) == bool(row["unite"])
        assert re.fullmatch(r"(\d+(,\d+)?)?", row["quantite"]), row["quantite"]
        assert row["frequence"] in FREQUENCIES
        assert row["dangereux"] == ("oui" if category["hazardous"] == "true" else "non")
        assert row["confidentiel"] in ("oui", "non")


def test_places_resolve_and_postal_codes_belong_to_them(rows, gazetteer):
    variants = 0
    for row in rows:
        place = gazetteer.match(row["municipalite"])
        assert place is not None, row["municipalite"]
        variants += row["municipalite"] != place.name
        if row["code_postal"]:
            point = gazetteer.postal_codes[row["code_postal"]]
            home = gazetteer.municipalities[point.municipality_id]
            assert gazetteer.within(home, place) or gazetteer.within(place, home), (
                row["code_postal"],
                row["municipalite"],
            )
    assert 0.05 <= variants / len(rows) <= 0.15


def test_park_sites_lie_inside_a_park(rows):
    features = json.loads((DATA / "parks.geojson").read_text("utf-8"))["features"]
    outlines = [shape(f["geometry"]) for f in features]
    for row in sites(rows).values():
        assert bool(row["latitude"]) == bool(row["longitude"])
        if row["latitude"]:
            assert re.fullmatch(r"\d+,\d{5}", row["latitude"])
            assert re.fullmatch(r"-\d+,\d{5}", row["longitude"])
            lat, lon = (float(row[k].replace(",", ".")) for k in ("latitude", "longitude"))
            assert any(o.contains(Point(lon, lat)) for o in outlines), (lat, lon)
            assert row["code_postal"], "a park site carries the code nearest the park"
