"""The page benchmark's membership generator (bench/pages.py): no browser here."""

from __future__ import annotations

import csv
from pathlib import Path

from bench.pages import generate_rows, write_membership
from mapservice.ops.demo import HEADER
from mapservice.services import Services
from tests.support.settings import DATA_DIR, make_settings


def test_generated_membership_imports_cleanly_and_lands_in_the_region(tmp_path: Path) -> None:
    path = tmp_path / "membres.csv"
    n_rows = write_membership(path, DATA_DIR, 30, seed=7)
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh, delimiter=";")
        assert tuple(next(reader)) == HEADER
        assert sum(1 for _ in reader) == n_rows
    svc = Services(make_settings(tmp_path, "sqlite:///" + str(tmp_path / "bench.sqlite")))
    try:
        svc.init_database()
        result = svc.import_file(path)
        assert result.inserted["sites"] == 30
        assert result.inserted["flows"] == n_rows
        sites = svc.repo.sites()
        assert len(sites) == 30
        region = svc.gazetteer.region
        for site in sites:
            assert site.lat is not None and site.lon is not None
            assert region.contains(site.lon, site.lat), site
            assert site.municipality_id in svc.gazetteer.municipalities
        assert any(site.park_id for site in sites)  # some land in an industrial park
        assert all(svc.taxonomy.get(f.category_code) for f in svc.repo.flows())
    finally:
        svc.close()


def test_generator_is_seeded_and_exact_in_size() -> None:
    rows = generate_rows(DATA_DIR, 30, seed=7)
    assert rows == generate_rows(DATA_DIR, 30, seed=7)
    assert rows != generate_rows(DATA_DIR, 30, seed=8)
    sites = {(r["entreprise"], r["site"], r["adresse"]) for r in rows}
    assert len(sites) == 30
    assert all(r["latitude"] and r["longitude"] for r in rows)
