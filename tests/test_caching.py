"""The caches of a process (mapservice/caching.py): named and sized by settings, keyed by the
change stamp, dropped all together when the registry moves on, listed with their figures."""

from __future__ import annotations

import json
import threading

from mapservice.caching import CACHES, Caches, ChangeStamp
from mapservice.cli import main
from mapservice.config import SETTINGS_BY_NAME
from mapservice.services import Services
from tests.support.accounts import sign_in
from tests.support.settings import make_settings

STAMP = ChangeStamp("e1", registry=5, synergies=2, corrections=1)


class Builds:
    """A build function that counts its calls."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> dict[str, int]:
        self.calls += 1
        return {"built": self.calls}


def _sizes(caches: Caches) -> dict[str, int]:
    return {f.name: f.size for f in caches.figures()}


def test_every_cache_is_named_said_and_sized_by_its_setting():
    caches = Caches.from_settings(
        {"CACHE_MAP_VIEWS": 3, "CACHE_LAYER_READS": 0, "CACHE_SITE_PAGES": 7}
    )
    figures = {f.name: f for f in caches.figures()}
    assert list(figures) == [spec.name for spec in CACHES]
    for spec in CACHES:
        assert figures[spec.name].holds == spec.holds != ""
        assert spec.size_setting is None or spec.size_setting in SETTINGS_BY_NAME
    assert [
        figures[n].max_size
        for n in ("region_views", "region_lines", "layer_reads", "site_maps", "matcher")
    ] == [3, 3, 0, 7, 1]
    defaults = Caches()
    assert defaults.max_size("region_views") == SETTINGS_BY_NAME["CACHE_MAP_VIEWS"].default


def test_a_value_is_kept_for_its_stamp_and_everything_goes_when_the_registry_moves():
    caches = Caches()
    build = Builds()
    first = caches.kept("region_views", STAMP, ("vue", "fr"), build)
    assert caches.kept("region_views", STAMP, ("vue", "fr"), build) is first
    caches.kept("site_maps", STAMP, 1, Builds())
    assert build.calls == 1
    assert caches.keys("region_views") == [("e1", 5, ("vue", "fr"))]
    [views] = [f for f in caches.figures() if f.name == "region_views"]
    assert (views.hits, views.misses, views.hit_rate) == (1, 1, 0.5)

    later = ChangeStamp("e1", registry=6, synergies=2, corrections=1)
    caches.observe(later)  # a write by any process: every cache is dropped
    assert set(_sizes(caches).values()) == {0}
    assert caches.kept("region_views", later, ("vue", "fr"), build) == {"built": 2}
    # a stamp read earlier, by a slower thread, is no news
    caches.observe(STAMP)
    assert _sizes(caches)["region_views"] == 1


def test_a_new_epoch_drops_everything_even_at_the_same_counters():
    caches = Caches()
    caches.kept("matcher", STAMP, None, Builds())
    caches.observe(ChangeStamp("e2", registry=5, synergies=2, corrections=1))
    assert _sizes(caches)["matcher"] == 0


def test_a_moved_synergy_changes_only_the_keys_that_hold_synergies():
    caches = Caches()
    views, lines = Builds(), Builds()
    caches.kept("region_views", STAMP, "vue", views)
    caches.kept("region_lines", STAMP, "vue", lines)
    moved = ChangeStamp("e1", registry=5, synergies=3, corrections=1)
    caches.kept("region_views", moved, "vue", views)
    caches.kept("region_lines", moved, "vue", lines)
    assert (views.calls, lines.calls) == (1, 2)
    assert caches.keys("region_lines")[-1] == ("e1", 5, 3, "vue")


def test_a_value_built_while_the_registry_moved_on_is_not_kept():
    caches = Caches()

    def slow() -> str:
        caches.observe(ChangeStamp("e1", registry=6))  # another thread saw a write meanwhile
        return "construite sur l'ancien registre"

    assert caches.kept("site_candidates", STAMP, 1, slow) == "construite sur l'ancien registre"
    assert caches.keys("site_candidates") == []


def test_sizes_are_bounds_and_zero_keeps_nothing():
    caches = Caches({"CACHE_MAP_VIEWS": 2, "CACHE_LAYER_READS": 0})
    for n in range(5):
        caches.kept("region_views", STAMP, n, Builds())
        caches.kept("layer_reads", STAMP, n, Builds())
    assert [k[-1] for k in caches.keys("region_views")] == [3, 4]
    assert caches.keys("layer_reads") == []


def test_threads_share_the_caches_safely():
    caches = Caches({"CACHE_SITE_PAGES": 16})
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            for n in range(300):
                stamp = ChangeStamp("e1", registry=n // 100)
                value = caches.kept("site_maps", stamp, (worker + n) % 40, Builds())
                assert isinstance(value, dict)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and _sizes(caches)["site_maps"] <= 16


def test_two_processes_on_one_database_each_see_the_others_writes(tmp_path):
    """Two service layers on one SQLite file stand for two processes: what one writes, the
    other's kept classifier and spatial index show at the next call."""
    from mapservice.registry.category_words import classify_text, correct_category

    url = "sqlite:///" + str(tmp_path / "base.sqlite")
    one, other = (Services(make_settings(tmp_path, url)) for _ in range(2))
    try:
        one.init_database()
        assert classify_text(other, "rognures de cuir fin")["method"] != "correction"
        correct_category(one, "rognures de cuir fin", "bois.sciure", "Julie")
        assert classify_text(other, "rognures de cuir fin")["category"] == "bois.sciure"

        index = other.site_index
        assert other.site_index is index  # kept while the registry stays the same
        member = one.repo.add_member({"name": "Scierie (test)"})
        site = one.repo.add_site(
            {"member_id": member, "name": "Usine", "lon": -71.07, "lat": 48.42}
        )
        assert other.site_index.point(site) == (-71.07, 48.42)
    finally:
        one.close()
        other.close()


def test_stats_lists_the_caches_of_the_command(tmp_path, monkeypatch):
    from click.testing import CliRunner

    monkeypatch.setenv("MAPSERVICE_DATABASE_URL", "sqlite:///" + str(tmp_path / "b.sqlite"))
    monkeypatch.setenv("MAPSERVICE_INSTANCE_PATH", str(tmp_path / "instance"))
    runner = CliRunner()
    assert runner.invoke(main, ["init"]).exit_code == 0
    text = runner.invoke(main, ["stats"]).output
    assert "/healthz/caches" in text
    assert all(spec.name in text and spec.holds in text for spec in CACHES)
    figures = json.loads(runner.invoke(main, ["stats", "--json"]).output)
    assert figures["members"] == 0
    assert [c["name"] for c in figures["caches"]] == [spec.name for spec in CACHES]
    assert figures["caches"][0]["max_size"] == SETTINGS_BY_NAME["CACHE_MAP_VIEWS"].default


def test_staff_read_the_caches_of_the_process_that_answers(app):
    staff = sign_in(app.test_client(), "personnel")
    site = next(s.id for s in app.extensions["mapservice"].repo.sites() if s.lon is not None)
    staff.get(f"/sites/{site}")
    staff.get(f"/sites/{site}")
    body = staff.get("/healthz/caches").get_json()
    assert isinstance(body["pid"], int)
    tables = next(c for c in body["caches"] if c["name"] == "candidate_tables")
    assert (tables["size"], tables["hits"], tables["misses"]) == (1, 1, 1)
    assert tables["hit_rate"] == 0.5 and tables["max_size"] == 512
    assert app.test_client().get("/healthz/caches").status_code == 401
