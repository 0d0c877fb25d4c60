"""`mapservice geocode`: batch runs over the registry, resumable, never touching hand placements."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from mapservice.domain.model import Precision
from mapservice.geocoding import jobs as geocoding_jobs
from mapservice.services import Services
from tests.support.settings import make_settings


@pytest.fixture
def demo(tmp_path, demo_db):
    svc = Services(make_settings(tmp_path, demo_db))
    yield svc
    svc.close()


def test_every_demo_site_has_a_precision_and_its_park_where_one_applies(demo):
    sites = demo.repo.sites()
    assert sites and all(s.geocode_precision is not None for s in sites)
    for site in sites:
        if site.geocode_precision in (Precision.MANUAL, Precision.ADDRESS):
            match = demo.park_locator.locate(site.lon, site.lat)
            if site.park_id != (match.park_id if match else None):
                # The address names the park (a town stand-in outline claims nothing by
                # geometry; the address's words do).
                named = demo.park_names.match(site.address or "")
                assert named is not None and named.park.id == site.park_id, site
        elif site.geocode_precision in (Precision.FSA, Precision.MUNICIPALITY):
            assert site.park_id is None, site  # a town centre says nothing about a park
    assert sum(1 for s in sites if s.park_id) > 50


def test_a_run_over_all_sites_keeps_hand_placements_and_summarises(demo):
    site = next(s for s in demo.repo.sites() if s.geocode_precision is Precision.MUNICIPALITY)
    geocoding_jobs.move_site(demo, site.id, -71.2221, 48.4069, "Julie")
    summary = geocoding_jobs.run_batch(demo, mode="all")
    n_sites = len(demo.repo.sites())
    manual = sum(1 for s in demo.repo.sites() if s.geocode_precision is Precision.MANUAL)
    assert summary.total == n_sites - manual and summary.statuses == {"done": summary.total}
    assert sum(summary.by_precision.values()) == n_sites
    moved = demo.repo.get_site(site.id)
    assert (moved.lat, moved.lon, moved.geocoded_by) == (48.4069, -71.2221, "Julie")
    assert all(s.geocode_precision not in geocoding_jobs.TRUSTED for s in summary.review)
    assert site.id not in {s.id for s in summary.review}


def test_an_interrupted_run_resumes_where_it_stopped(demo):
    seen: list[int] = []

    def stop_after_ten(done: int, total: int) -> None:
        seen.append(done)
        if done == 10:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        geocoding_jobs.run_batch(demo, mode="all", on_progress=stop_after_ten)
    stamped = {s.id: s.geocoded_at for s in demo.repo.sites() if s.geocoded_at}
    assert len(stamped) == 10
    progress: list[int] = []
    summary = geocoding_jobs.run_batch(
        demo, mode="all", on_progress=lambda d, t: progress.append(d)
    )
    assert summary.resumed and summary.done_now == summary.total - 10
    assert progress[0] == 11 and progress[-1] == summary.total
    after = {s.id: s.geocoded_at for s in demo.repo.sites()}
    assert all(after[i] == at for i, at in stamped.items())  # the first ten not redone
    assert summary.statuses == {"done": summary.total}
    # Finished: the next run starts afresh.
    assert not geocoding_jobs.run_batch(demo, mode="all").resumed


def test_a_site_that_cannot_be_placed_is_reported_and_keeps_its_point(demo):
    site = next(s for s in demo.repo.sites() if s.geocode_precision is Precision.POSTCODE)
    with demo.repo.engine.begin() as conn:
        conn.exec_driver_sql(
            "UPDATE sites SET postal_code = 'H2X 1Y4', lon = NULL, lat = NULL WHERE id = ?",
            (site.id,),
        )
    summary = geocoding_jobs.run_batch(demo, mode="missing")
    assert summary.total == 1 and summary.statuses == {"failed": 1}
    (failure,) = summary.failures
    assert failure[0] == site.id and "H2X 1Y4" in failure[1]
    assert demo.repo.get_site(site.id).geocode_note == failure[1]


def test_unknown_mode_is_refused(demo):
    from mapservice.errors import InvalidInput

    with pytest.raises(InvalidInput):
        geocoding_jobs.run_batch(demo, mode="some")


@pytest.mark.slow
def test_the_cli_prints_a_summary_by_precision_and_the_review_list(tmp_path, demo_db):
    env = {
        **os.environ,
        "MAPSERVICE_DATABASE_URL": demo_db,
        "MAPSERVICE_INSTANCE_PATH": str(tmp_path / "instance"),
    }
    run = subprocess.run(
        [sys.executable, "-m", "mapservice.cli", "geocode", "--all", "--review-limit", "3"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert "Sites par précision" in run.stdout and "postcode" in run.stdout
    assert "sites à vérifier" in run.stdout and "… et " in run.stdout
    again = subprocess.run(
        [sys.executable, "-m", "mapservice.cli", "geocode"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert again.returncode == 0 and "0 sites traités" in again.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "mapservice.cli", "geocode", "--backend", "nominatim"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode != 0 and "MAPSERVICE_GEOCODER_URL" in bad.stderr
