"""``mapservice data audit``: what a facilitator should distrust, on copies of the real data."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from mapservice.cli.main import main
from mapservice.domain.reference import read_municipalities, read_parks
from mapservice.ops.data_audit import FAR_FROM_ROADS_M, audit
from tests.support.import_files import GOOD, write_csv

DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture
def data_copy(tmp_path):
    dest = tmp_path / "data"
    shutil.copytree(DATA, dest, ignore=shutil.ignore_patterns("demo"))
    return dest


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def _rewrite_csv(path: Path, change) -> None:
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        fields = list(reader.fieldnames or [])
        rows = list(reader)
    rows = [change(dict(r)) for r in rows]
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


def _audit(data_dir: Path, **kwargs):
    return audit(
        data_dir,
        parks=read_parks(data_dir / "parks.geojson"),
        places=read_municipalities(data_dir / "municipalities.csv"),
        **kwargs,
    )


def test_moved_postal_codes_are_listed_with_their_reason_most_used_first(data_copy):
    shipped = _audit(data_copy)
    assert shipped.postal_moved, "the shipped table has moved codes"
    assert all(c.note for c in shipped.postal_moved)
    kept = "G8K 2A3"
    assert kept not in {c.postal_code for c in shipped.postal_moved}

    def move(row):
        if row["postal_code"] == kept:
            row["precision"] = "municipality"
            row["note"] = "point GeoNames à 12 km de la ville"
            row["source_lat"], row["source_lon"] = row["lat"], row["lon"]
        return row

    _rewrite_csv(data_copy / "postal_codes.csv", move)
    busy = shipped.postal_moved[-1].postal_code
    report = _audit(data_copy, sites_per_code={kept: 3, busy: 2})
    moved = [(c.postal_code, c.sites) for c in report.postal_moved]
    assert moved[:2] == [(kept, 3), (busy, 2)]
    assert len(moved) == len(shipped.postal_moved) + 1
    rest = [code for code, _ in moved[2:]]
    assert rest == sorted(rest)
    by_reason = report.moved_by_reason()
    assert by_reason["municipality"] == shipped.moved_by_reason()["municipality"] + 1


def test_a_town_cut_off_from_the_roads_is_listed_with_its_distance(data_copy):
    roads_path = data_copy / "roads.geojson"
    before = _audit(data_copy)
    place = next(p for p in read_municipalities(data_copy / "municipalities.csv") if p.id == "alma")
    assert "alma" not in {f.id for f in before.far_places}
    roads = json.loads(roads_path.read_text("utf-8"))

    # Cut every road that passes within 15 km of Alma's point.
    def near(feature) -> bool:
        coords = feature["geometry"]["coordinates"]
        flat = coords if isinstance(coords[0][0], float) else [c for part in coords for c in part]
        return any(abs(lon - place.lon) < 0.2 and abs(lat - place.lat) < 0.14 for lon, lat in flat)

    roads["features"] = [f for f in roads["features"] if not near(f)]
    roads_path.write_text(json.dumps(roads), "utf-8")
    after = _audit(data_copy)
    far = {f.id: f.distance_m for f in after.far_places}
    assert far["alma"] > 10_000
    assert all(d > FAR_FROM_ROADS_M for d in far.values())
    distances = [f.distance_m for f in after.far_places]
    assert distances == sorted(distances, reverse=True)


def test_parks_come_least_trustworthy_first_and_estimates_are_listed(data_copy):
    report = _audit(data_copy, sites_per_park={"arvida": 9})
    ranks = [p.outline_status for p in report.parks]
    order = ("town", "approximate", "estimated", "traced", "surveyed")
    assert [order.index(s) for s in ranks] == sorted(order.index(s) for s in ranks)
    assert sum(report.parks_by_status().values()) == len(report.parks) == 24
    kinds = {e.what for e in report.estimates}
    assert {"facteur", "émissions évitées", "parc", "municipalité"} <= kinds
    assert all(e.status in ("ESTIMATE", "TOWN", "PLACEHOLDER") for e in report.estimates)


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("MAPSERVICE_DATABASE_URL", "sqlite:///" + str(tmp_path / "cli.sqlite"))
    monkeypatch.setenv("MAPSERVICE_INSTANCE_PATH", str(tmp_path / "instance"))
    return tmp_path


def test_cli_audits_data_alone_before_init_then_the_instance_with_its_sites(env):
    alone = run("data", "audit")
    assert alone.exit_code == 0, alone.output
    assert "pas de base à jour" in alone.output
    for heading in ("1. Parcs", "2. Codes postaux déplacés", "3. Lieux à plus de", "4. Chiffres"):
        assert heading in alone.output
    assert run("init").exit_code == 0
    assert run("import", str(write_csv(env / "ok.csv", GOOD))).exit_code == 0
    result = run("data", "audit", "--json", "--tout")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["parks"]["source"] == "base"
    assert report["postal_codes"]["total"] > 10_000
    out = env / "sites.geojson"
    assert run("export", "sites", "--out", str(out)).exit_code == 0
    features = json.loads(out.read_text("utf-8"))["features"]
    expected: dict[str, int] = {}
    for feature in features:
        if park := feature["properties"].get("park_id"):
            expected[park] = expected.get(park, 0) + 1
    counted = {p["id"]: p["sites"] for p in report["parks"]["items"] if p["sites"]}
    assert counted == expected and expected, (counted, expected)
