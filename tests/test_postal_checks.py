"""Every postal code checked against its town: the table, the rule and the cascade that reads it.

Real data only: ``data/postal_codes.csv`` as built, ``data/municipalities.csv`` and the water
layer of ``data/basemap.geojson``, through :mod:`mapservice.geocoding.postal_checks` (the one
rule the build, the cascade and these tests share).
"""

from __future__ import annotations

import csv
import dataclasses
import gettext
import importlib.util
import random
from functools import cache
from pathlib import Path

import pytest

from mapservice.domain.model import Precision
from mapservice.domain.reference import moved_postal_codes, read_parks
from mapservice.errors import Message
from mapservice.geocoding import CascadeGeocoder, Gazetteer, GeocodeQuery
from mapservice.geocoding import postal_checks as checks
from mapservice.geocoding.parks import ParkLocator
from mapservice.geocoding.region import distance_m
from mapservice.geocoding.reverse import ReverseGeocoder

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
#: The issue's placements: code, the town it serves, the town's gazetteer id.
ISSUE_CASES = [
    ("G0V 1L0", "Saint-Honoré", "saint-honore"),
    ("G0V 1J0", "L'Anse-Saint-Jean", "l-anse-saint-jean"),
    ("G0W 1K0", "Saint-Augustin", "saint-augustin"),
    ("G7N 0G7", "Laterrière", "saguenay-laterriere"),
    ("G7P 2Y6", "Saint-Ambroise", "saint-ambroise"),
    ("G8L 0B5", "Dolbeau-Mistassini", "dolbeau-mistassini"),
    ("G0W 2X0", "Saint-Henri-de-Taillon", "saint-henri-de-taillon"),
]
#: "Right": within this of the town's point.
RIGHT_M = 2_000.0


@cache
def rows() -> tuple[dict[str, str], ...]:
    with (DATA / "postal_codes.csv").open(encoding="utf-8", newline="") as handle:
        return tuple(csv.DictReader(handle))


@cache
def gazetteer() -> Gazetteer:
    return Gazetteer.from_directory(DATA)


@cache
def water() -> checks.WaterAreas:
    return checks.WaterAreas.from_basemap(DATA / "basemap.geojson")


@pytest.fixture(scope="module")
def geocoder() -> CascadeGeocoder:
    return CascadeGeocoder(gazetteer())


def _beyond(muni_id: str, lon: float, lat: float) -> float | None:
    gaz = gazetteer()
    return gaz.beyond_extent_m(gaz.municipalities[muni_id], lon, lat)


# --- the table --------------------------------------------------------------------------------


def test_every_kept_code_lies_in_its_town_and_on_land():
    wrong = [
        (r["postal_code"], r["municipality_id"], round(far or 0.0))
        for r in rows()
        if r["precision"] == checks.KEPT
        and (
            (far := _beyond(r["municipality_id"], float(r["lon"]), float(r["lat"]))) is not None
            or water().contains(float(r["lon"]), float(r["lat"]))
        )
    ]
    assert not wrong


def test_kept_codes_have_no_note_and_no_source_point():
    for r in rows():
        if r["precision"] == checks.KEPT:
            assert (r["note"], r["source_lat"], r["source_lon"]) == ("", "", ""), r


def test_every_moved_code_says_why_and_was_wrong_where_geonames_put_it():
    moved = [r for r in rows() if r["precision"] != checks.KEPT]
    assert moved
    for r in moved:
        assert r["precision"] in {checks.NEIGHBOURS, checks.MUNICIPALITY}, r
        assert r["note"].startswith("Point GeoNames"), r
        lon, lat = float(r["source_lon"]), float(r["source_lat"])
        far = _beyond(r["municipality_id"], lon, lat)
        assert far is not None or water().contains(lon, lat), r["postal_code"]
        # …and where it now lies is sound.
        assert _beyond(r["municipality_id"], float(r["lon"]), float(r["lat"])) is None, r
        assert not water().contains(float(r["lon"]), float(r["lat"])), r


def test_a_code_moved_to_its_town_sits_on_the_town_point():
    places = gazetteer().municipalities
    for r in rows():
        if r["precision"] == checks.MUNICIPALITY:
            muni = places[r["municipality_id"]]
            assert (float(r["lon"]), float(r["lat"])) == pytest.approx((muni.lon, muni.lat)), r


def test_table_is_what_the_build_makes_of_geonames_points():
    """Put every code back at GeoNames' point and check again: the same table comes out."""
    spec = importlib.util.spec_from_file_location(
        "build_postal_codes", ROOT / "scripts" / "build_postal_codes.py"
    )
    assert spec is not None and spec.loader is not None
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    raw = []
    for r in rows():
        back = dict(r)
        if r["source_lat"]:
            back.update(lat=r["source_lat"], lon=r["source_lon"], source_lat="", source_lon="")
        back.update(precision=checks.KEPT, note="")
        raw.append(back)
    counts = build.check_rows(raw, DATA / "municipalities.csv", DATA / "basemap.geojson")
    assert raw == [dict(r) for r in rows()], "run: python scripts/build_postal_codes.py"
    assert counts["moved"] == sum(r["precision"] != checks.KEPT for r in rows())


def test_audit_lists_exactly_the_moved_codes():
    listed = moved_postal_codes(DATA / "postal_codes.csv")
    assert [m.postal_code for m in listed] == [
        r["postal_code"] for r in rows() if r["precision"] != checks.KEPT
    ]
    assert all(m.reason and m.precision in {"neighbours", "municipality"} for m in listed)


def test_derived_gazetteer_points_agree_with_a_sound_code_of_their_own():
    """A point taken from a postal code must be a code that survived the check."""
    kept: dict[str, list[tuple[float, float]]] = {}
    for r in rows():
        if r["precision"] == checks.KEPT:
            kept.setdefault(r["municipality_id"], []).append((float(r["lon"]), float(r["lat"])))
    wrong = []
    for muni in gazetteer().municipalities.values():
        if muni.coord_status != "DERIVED" or muni.id not in kept:
            continue
        nearest = checks.distance_to_town_m(kept[muni.id], muni.lon, muni.lat)
        if nearest > RIGHT_M:
            wrong.append((muni.id, round(nearest)))
    assert not wrong


@pytest.mark.parametrize(
    ("distances_km", "population", "expected_km"),
    [
        ([0.1, 0.2], None, 5.0),  # a village's two codes: the floor
        ([1.0] * 9 + [40.0], None, 5.0),  # one far code does not widen the extent
        ([2.0] * 20 + [40.0] * 5, None, 10.0),  # a median, not a mean
        ([3.0] * 30, None, 12.0),  # the cap
        ([0.5] * 30, 30_000, 9.8),  # a large town's people
    ],
)
def test_extent_rule(distances_km, population, expected_km):
    got = checks.extent_m([d * 1000 for d in distances_km], population) / 1000
    assert got == pytest.approx(expected_km, abs=0.05)


# --- the cascade ------------------------------------------------------------------------------


@pytest.mark.parametrize(("code", "town", "muni_id"), ISSUE_CASES)
def test_issue_placements_are_right_or_say_how_unsure(geocoder, code, town, muni_id):
    muni = gazetteer().municipalities[muni_id]
    for query in (
        GeocodeQuery(postal_code=code),
        GeocodeQuery(address="123 rue X", municipality=town, postal_code=code),
    ):
        loc = geocoder.geocode(query)
        off_m = distance_m(loc.lon, loc.lat, muni.lon, muni.lat)
        assert off_m <= RIGHT_M or (loc.score < 0.9 and loc.note), (query, loc)


def test_laterriere_free_text_lands_in_laterriere(geocoder):
    loc = geocoder.geocode(
        GeocodeQuery(address="123 rue X", municipality="Laterrière", postal_code="G7N 0G7")
    )
    laterriere = gazetteer().municipalities["saguenay-laterriere"]
    assert distance_m(loc.lon, loc.lat, laterriere.lon, laterriere.lat) <= RIGHT_M
    assert loc.score < 0.9 and "G7N 0G7" in loc.note and "Laterrière" in loc.note


def test_moved_codes_answer_with_their_precision_score_and_note(geocoder):
    for r in rows():
        if r["precision"] == checks.KEPT:
            continue
        loc = geocoder.geocode(GeocodeQuery(postal_code=r["postal_code"]))
        expected = (
            Precision.MUNICIPALITY if r["precision"] == checks.MUNICIPALITY else Precision.POSTCODE
        )
        assert loc.precision is expected, r["postal_code"]
        assert loc.score < 0.9 and loc.note and r["postal_code"] in loc.note, loc


@pytest.mark.parametrize(
    ("precision", "rural", "english_end"),
    [
        (checks.NEIGHBOURS, False, "placed at the centre of its neighbouring codes."),
        (checks.NEIGHBOURS, True, "placed on the village's other code."),
        (checks.MUNICIPALITY, True, "placed at the centre of {town}."),
    ],
)
def test_moved_note_is_said_in_english_through_the_catalogue(precision, rural, english_end):
    gaz = gazetteer()
    row = next(
        r for r in rows() if r["precision"] == precision and (r["fsa"] in {"G0V", "G0W"}) == rural
    )
    loc = CascadeGeocoder(gaz).geocode(GeocodeQuery(postal_code=row["postal_code"]))
    assert isinstance(loc.note, Message)
    english = gettext.translation(
        "messages", ROOT / "mapservice" / "translations", languages=["en"]
    ).gettext
    said = loc.note.render(english)
    town = gaz.municipalities[row["municipality_id"]].name
    assert said.startswith(f"GeoNames' point for postal code {row['postal_code']}")
    assert said.endswith(english_end.format(town=town)), said


def test_a_code_beyond_the_town_named_never_scores_high_in_silence(geocoder):
    """Any code, any town: a point beyond the named town's extent is never 0.9 without a note."""
    gaz = gazetteer()
    towns = sorted(gaz.municipalities.values(), key=lambda m: m.id)
    codes = sorted(gaz.postal_codes)
    rng = random.Random(17)
    checked = 0
    for code in rng.sample(codes, 400):
        point = gaz.postal_codes[code]
        for town in rng.sample(towns, 3) + [gaz.municipalities[point.municipality_id]]:
            loc = geocoder.geocode(GeocodeQuery(municipality=town.name, postal_code=code))
            if loc.score >= 0.9 and not loc.note:
                checked += 1
                assert gaz.beyond_extent_m(town, loc.lon, loc.lat) is None or (
                    distance_m(loc.lon, loc.lat, town.lon, town.lat) <= 8_000
                ), (code, town.id, loc)
    assert checked > 300


def test_a_code_of_the_town_named_lies_within_it_or_gives_way(geocoder):
    """The code's own town (or a sector of it), named in the address: never a far point."""
    gaz = gazetteer()
    for r in rows():
        muni = gaz.municipalities[r["municipality_id"]]
        loc = geocoder.geocode(GeocodeQuery(municipality=muni.name, postal_code=r["postal_code"]))
        assert gaz.beyond_extent_m(muni, loc.lon, loc.lat) is None, (r["postal_code"], loc)


def test_reverse_never_names_a_code_stacked_on_its_town_point():
    gaz = gazetteer()
    reverse = ReverseGeocoder(gaz, ParkLocator(read_parks(DATA / "parks.geojson"), 500.0))
    stacked = {r["postal_code"] for r in rows() if r["precision"] == checks.MUNICIPALITY}
    towns = {r["municipality_id"] for r in rows() if r["postal_code"] in stacked}
    for muni_id in sorted(towns):
        muni = gaz.municipalities[muni_id]
        found = reverse.reverse(muni.lon, muni.lat)
        assert found.postal_code is None or found.postal_code.code not in stacked, muni_id


def test_a_moved_code_named_with_another_town_keeps_both_notes(geocoder):
    gaz = gazetteer()
    point = gaz.postal_codes["G0V 1L0"]
    assert point.moved
    loc = geocoder.geocode(GeocodeQuery(municipality="Dolbeau-Mistassini", postal_code="G0V 1L0"))
    assert loc.score < 0.5 and "GeoNames" in loc.note and "Dolbeau-Mistassini" in loc.note
    assert [c.municipality_id for c in loc.candidates] == ["dolbeau-mistassini"]


def test_a_far_point_of_the_town_named_gives_way_to_the_town():
    """A code of Laterrière whose point lies in Alma (as G7N 0G7's did): Laterrière wins."""
    real = gazetteer()
    alma, laterriere = real.municipalities["alma"], real.municipalities["saguenay-laterriere"]
    codes = dict(real.postal_codes)
    codes["G7N 1G4"] = dataclasses.replace(codes["G7N 1G4"], lon=alma.lon, lat=alma.lat)
    gaz = Gazetteer(
        municipalities=real.municipalities,
        postal_codes=codes,
        postal_areas=real.postal_areas,
        region=real.region,
        town_points=real.town_points,
        extents_m=real.extents_m,
    )
    loc = CascadeGeocoder(gaz).geocode(
        GeocodeQuery(address="6000, boul. Talbot", municipality="Laterrière", postal_code="G7N 1G4")
    )
    assert (loc.lon, loc.lat) == (laterriere.lon, laterriere.lat)
    assert loc.precision is Precision.MUNICIPALITY and loc.score < 0.9
    assert "G7N 1G4" in loc.note and "Laterrière" in loc.note
    assert [(c.lon, c.lat) for c in loc.candidates] == [(alma.lon, alma.lat)]


def test_a_sector_named_far_from_its_boroughs_code_lowers_the_trust(geocoder):
    """ "Arvida" with a Jonquière code from the other end of Jonquière: unsure, and said."""
    gaz = gazetteer()
    arvida = gaz.municipalities["saguenay-arvida"]
    code = next(
        r["postal_code"]
        for r in rows()
        if r["municipality_id"] == "saguenay-jonquiere"
        and r["precision"] == checks.KEPT
        and _beyond("saguenay-arvida", float(r["lon"]), float(r["lat"])) is not None
    )
    point = gaz.postal_codes[code]
    loc = geocoder.geocode(GeocodeQuery(municipality="Arvida", postal_code=code))
    assert (loc.lon, loc.lat) == (point.lon, point.lat)
    assert loc.score < 0.9 and "vérifiez" in loc.note
    assert [c.municipality_id for c in loc.candidates] == [arvida.id]
