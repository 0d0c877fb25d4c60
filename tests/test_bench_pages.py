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


def _page(**figures: object) -> dict[str, object]:
    page: dict[str, object] = {
        "external_count": 0,
        "external_js_css": 0,
        "sites_drawn": "50000",
        "sites_total": None,
        "server_clusters": False,
        "stamp_ms": 900.0,
        "runs": 3,
        "drawn_early_runs": 0,
        "drawn_ms": 900.0,
        "zoom_in_ms": 300.0,
        "weight_bytes": 400_000,
    }
    page.update(figures)
    return page


def _verdicts(new: dict[str, object], sites: int = 50000) -> dict[str, bool]:
    from bench.pages import verdicts

    base = _page(drawn_ms=20_000.0, weight_bytes=9_000_000)
    info = {
        "data": {"located_sites": sites, "sites": sites},
        "new": new,
        "baseline": base,
        "ratios": {"drawn": 900.0 / 20_000.0},
    }
    return {v["figure"]: v["pass"] for v in verdicts(info)}


def test_a_province_is_judged_on_its_drawn_time_and_weight() -> None:
    server = {"sites_drawn": "48000", "sites_total": "50000", "server_clusters": True}
    fine = _verdicts(_page(**server))
    assert all(fine.values()), fine
    assert fine["province: drawn (ms)"] and fine["province: weight (bytes)"]
    slow = _verdicts(_page(**server, drawn_ms=1600.0))
    assert not slow["province: drawn (ms)"]
    heavy = _verdicts(_page(**server, weight_bytes=2_100_000))
    assert not heavy["province: weight (bytes)"]
    # clustered on the server, the view's total is what counts; inline, what is drawn
    assert not _verdicts(_page(server_clusters=True, sites_total="49999"))[
        "sites of the view = located sites"
    ]
    assert not _verdicts(_page(sites_drawn="48000"))["sites of the view = located sites"]
    assert "province: drawn (ms)" not in _verdicts(_page(sites_drawn="5000"), sites=5000)


def test_the_baseline_server_keeps_every_site_inline() -> None:
    from bench import pages
    from mapservice.config import load_settings

    settings = load_settings(pages.INLINE_SETTINGS)
    assert settings["MAP_SERVER_CLUSTERS_ABOVE"] >= pages.PROVINCE_SITES
    assert load_settings({})["MAP_SERVER_CLUSTERS_ABOVE"] < pages.TARGET_SITES
    assert pages._sizes("250,5000,50000") == [250, 5000, 50000]
