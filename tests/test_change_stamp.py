"""The change stamp the database gives (migration 0010, ``storage/schema.py``): every kind of
write bumps its counter in the write's own transaction, a failed write bumps nothing, no
writer's clock matters, a restore starts a new epoch; and two app servers on one PostGIS
database: a write through one is seen through the other at the next request."""

from __future__ import annotations

import json
import urllib.request
from contextlib import ExitStack
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa

from mapservice.domain.model import (
    Direction,
    ImportPlan,
    Location,
    PlannedFlow,
    PlannedMember,
    PlannedSite,
    Precision,
    SynergyKind,
    SynergyStatus,
    Unit,
)
from mapservice.errors import InvalidInput, NotFound
from mapservice.services import Services
from mapservice.storage import schema as t
from mapservice.storage.sqlite import SQLITE_RTREE_TRIGGERS
from tests.support.settings import make_settings

MEMBER = {"name": "Scierie Lavoie (test)", "naics_code": "321113", "public_consent": True}
LONG_AGO = datetime(2001, 1, 1, tzinfo=UTC)


def _site(member_id: int, name: str = "Usine", lon: float = -71.07, lat: float = 48.42) -> dict:
    return {
        "member_id": member_id,
        "name": name,
        "municipality_id": "saguenay-chicoutimi",
        "lon": lon,
        "lat": lat,
        "geocode_precision": "postcode",
        "geocode_source": "test",
    }


def _flow(
    site_id: int,
    direction: str = "output",
    code: str = "bois.sciure",
    description: str = "Sciure sèche",
) -> dict:
    return {
        "site_id": site_id,
        "direction": direction,
        "category_code": code,
        "description": description,
        "quantity": 120.0,
        "unit": "t_per_year",
        "hazardous": False,
        "confidential": False,
    }


def _plan(category: Any = "bois.sciure") -> ImportPlan:
    return ImportPlan(
        members=(
            PlannedMember(
                name="Granules du Lac (test)",
                naics_code="321999",
                sites=(
                    PlannedSite(
                        name="Usine",
                        address="1 rue du Port",
                        municipality_id="saguenay-chicoutimi",
                        postal_code="G7H 5B1",
                        location=Location(-71.06, 48.43, Precision.POSTCODE, "test"),
                        park_id=None,
                        flows=(
                            PlannedFlow(
                                Direction.INPUT,
                                category,
                                "sciure",
                                40.0,
                                Unit.T_PER_YEAR,
                                None,
                                False,
                                False,
                            ),
                        ),
                    ),
                ),
            ),
        )
    )


def _moved(repo: Any, write: Any) -> tuple[bool, bool, bool]:
    """Whether ``write()`` moved each counter: registry, synergies, corrections (on SQLite by
    one for each row written, on PostgreSQL by one for each statement)."""
    before = repo.change_stamp()
    write()
    after = repo.change_stamp()
    assert after.epoch == before.epoch
    return (
        after.registry > before.registry,
        after.synergies > before.synergies,
        after.corrections > before.corrections,
    )


def test_every_kind_of_write_bumps_its_counter_and_nothing_else_does(services):
    repo = services.repo
    member = repo.add_member(MEMBER)
    site = repo.add_site(_site(member))
    out = repo.add_flow(_flow(site))
    partner = repo.add_site(_site(member, "Entrepôt", lon=-71.05))
    need = repo.add_flow(_flow(partner, "input", "usages.litiere_animale", "Litière"))
    pair = {
        "output_flow_id": out,
        "input_flow_id": need,
        "kind": SynergyKind.SUBSTITUTION.value,
        "score": 0.9,
        "reasons_json": "[]",
    }

    registry = {
        "add a member": lambda: repo.add_member({**MEMBER, "name": "Autre membre"}),
        "change a member": lambda: repo.update_member(member, {"public_consent": False}),
        "add a site": lambda: repo.add_site(_site(member, "Atelier")),
        "change a site": lambda: repo.update_site(site, {"postal_code": "G7H 5B2"}),
        "place a site": lambda: repo.set_site_location(
            site,
            Location(-71.08, 48.41, Precision.MANUAL, "correction-manuelle"),
            park_id=None,
            by="Julie",
        ),
        "add a flow": lambda: repo.add_flow(_flow(site, description="Copeaux")),
        "change a flow": lambda: repo.update_flow(out, {"quantity": 130.0}),
        "import a file": lambda: repo.apply_import(_plan()),
    }
    for what, write in registry.items():
        assert _moved(repo, write) == (True, False, False), what

    assert _moved(repo, lambda: repo.save_candidates([pair])) == (False, True, False)
    synergy = repo.synergies()[0].id
    assert _moved(
        repo, lambda: repo.move_synergy(synergy, SynergyStatus.CONTACTED, author="Julie")
    ) == (False, True, False)
    assert _moved(
        repo,
        lambda: repo.save_category_correction(
            "sciure bois", "sciure de bois", "bois.sciure", "Julie"
        ),
    ) == (False, False, True)
    # deleting a flow takes its synergies with it; restoring it from the log brings both back
    assert _moved(repo, lambda: repo.delete_flow(out)) == (True, True, False)
    deleted = repo.deleted_records("flows")[0]
    assert _moved(repo, lambda: repo.restore("flows", out, deleted.id, "Julie")) == (
        True,
        True,
        False,
    )

    others = {
        "read everything": lambda: (repo.sites(), repo.flows(), repo.synergies(), repo.counts()),
        "a dry run": lambda: repo.apply_import(_plan(), dry_run=True),
        "an account": lambda: repo.add_user(
            username="julie",
            display_name="Julie",
            password_hash="x",
            role="staff",
            parks=frozenset(),
        ),
        "a setting": lambda: repo.set_setting("public_map", "1", by="test"),
        "a geocoder answer kept": lambda: repo.cache_put("nominatim", "1 rue", "1 rue", []),
    }
    for what, write in others.items():
        assert _moved(repo, write) == (False, False, False), what


def test_a_failed_write_bumps_nothing(services):
    repo = services.repo
    member = repo.add_member(MEMBER)
    site = repo.add_site(_site(member))
    flow = repo.add_flow(_flow(site))
    refused = {
        "a name already taken": (InvalidInput, lambda: repo.add_site(_site(member, "USINE"))),
        "a row that is not there": (
            NotFound,
            lambda: repo.update_flow(flow + 99, {"quantity": 1.0}),
        ),
        "a flow that is not there": (NotFound, lambda: repo.delete_flow(flow + 99)),
        # the member and its site are written, then the flow fails: all rolled back
        "an import that fails half-way": (
            sa.exc.IntegrityError,
            lambda: repo.apply_import(_plan(category=None)),
        ),
    }
    for what, (error, write) in refused.items():
        before = repo.change_stamp()
        with pytest.raises(error):
            write()
        assert repo.change_stamp() == before, what
    assert repo.counts()["members"] == 1


def test_a_writer_whose_clock_is_behind_still_moves_the_stamp(services):
    """The stamp was a row count and the latest ``updated_at``: a change stamped earlier than
    the latest one, by a server whose clock is behind, left it as it was."""
    repo = services.repo
    member = repo.add_member(MEMBER)
    site = repo.add_site(_site(member))
    before = repo.change_stamp()
    with repo.engine.begin() as conn:  # as another server would write, an hour behind or more
        conn.execute(
            t.sites.update()
            .where(t.sites.c.id == site)
            .values(name="Usine renommée", updated_at=LONG_AGO)
        )
    assert repo.change_stamp().registry > before.registry


def test_the_counters_are_what_the_schema_declares(services):
    """Migration 0010 made one row of counters and a trigger for each table that bumps one."""
    repo = services.repo
    columns = {c.name for c in t.change_counters.columns}
    assert set(t.COUNTED.values()) | {"id", "epoch"} == columns
    with repo.engine.connect() as conn:
        assert (
            conn.execute(sa.select(sa.func.count()).select_from(t.change_counters)).scalar_one()
            == 1
        )
        if repo.backend == "sqlite":
            found = {
                (r.tbl_name, r.name)
                for r in conn.exec_driver_sql(
                    "SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'"
                )
                if r.name not in SQLITE_RTREE_TRIGGERS
            }
            expected = {
                (table, f"{table}_counted_{write}")
                for table in t.COUNTED
                for write in ("insert", "update", "delete")
            }
        else:
            found = {
                (r.tbl, r.name)
                for r in conn.exec_driver_sql(
                    "SELECT c.relname AS tbl, tg.tgname AS name FROM pg_trigger tg "
                    "JOIN pg_class c ON c.oid = tg.tgrelid "
                    "WHERE NOT tg.tgisinternal AND c.relnamespace = current_schema()::regnamespace"
                )
            }
            expected = {(table, f"{table}_counted") for table in t.COUNTED}
    assert found == expected


def test_a_restore_starts_a_new_epoch(tmp_path):
    from mapservice.ops.backup import backup, restore

    url = "sqlite:///" + str(tmp_path / "base.sqlite")
    svc = Services(make_settings(tmp_path, url))
    try:
        svc.init_database()
        svc.repo.add_member(MEMBER)
        saved = svc.repo.change_stamp()
        backup(url, tmp_path / "copie.sqlite")
        svc.repo.add_member({**MEMBER, "name": "Après la sauvegarde"})
        restore(url, tmp_path / "copie.sqlite", safety_folder=tmp_path / "avant")
        restored = svc.repo.change_stamp()
        assert restored.registry == saved.registry and restored.epoch != saved.epoch
    finally:
        svc.close()


# --- two app servers on one PostGIS database ----------------------------------------------------


def _ask(base: str, path: str, token: str, body: dict[str, Any] | None = None) -> Any:
    request = urllib.request.Request(
        base + path,
        data=None if body is None else json.dumps(body).encode(),
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "Accept": "application/json",
        },
        method="GET" if body is None else "POST",
    )
    with urllib.request.urlopen(request, timeout=30) as resp:
        return json.load(resp)


def _hits(base: str, token: str, cache: str) -> int:
    found = _ask(base, "/healthz/caches", token)["caches"]
    return next(c["hits"] for c in found if c["name"] == cache)


@pytest.mark.postgis
def test_a_write_through_one_server_is_seen_through_the_other_at_once(postgis_url, tmp_path):
    from bench.serving import serve
    from mapservice.accounts import jobs as accounts

    svc = Services(make_settings(tmp_path, postgis_url))
    try:
        svc.init_database()
        repo = svc.repo
        member = repo.add_member(MEMBER)
        site = repo.add_site(_site(member))
        out = repo.add_flow(_flow(site))
        farm = repo.add_site(
            _site(repo.add_member({**MEMBER, "name": "Ferme (test)"}), lon=-71.20, lat=48.45)
        )
        need = repo.add_flow(_flow(farm, "input", "usages.litiere_animale", "Litière"))
        accounts.add_user(svc, username="personnel", password="mot-de-passe-de-test", role="staff")
        token = accounts.make_token(svc, "personnel", "deux serveurs")
    finally:
        svc.close()

    (tmp_path / "un").mkdir()
    (tmp_path / "deux").mkdir()
    with ExitStack() as stack:
        one = stack.enter_context(serve(postgis_url, tmp_path / "un", ["--no-warm"]))
        other = stack.enter_context(serve(postgis_url, tmp_path / "deux", ["--no-warm"]))
        item = f"/ogcapi/collections/sites/items/{site}?f=json"
        candidates = f"/api/v1/sites/{site}/synergies?backend=geodesic"

        # the other server reads the site and its candidates, then serves them kept
        before = _ask(other.base, item, token)
        assert before["geometry"]["coordinates"] == pytest.approx([-71.07, 48.42])
        far = _ask(other.base, candidates, token)
        hits = (
            _hits(other.base, token, "layer_reads"),
            _hits(other.base, token, "site_candidates"),
        )
        assert _ask(other.base, item, token) == before
        assert _ask(other.base, candidates, token) == far
        assert (
            _hits(other.base, token, "layer_reads"),
            _hits(other.base, token, "site_candidates"),
        ) == (hits[0] + 1, hits[1] + 1)

        # a site moved through one server: the other's next answers show it
        _ask(one.base, f"/api/v1/sites/{site}/location", token, {"lon": -71.19, "lat": 48.45})
        moved = _ask(other.base, item, token)
        assert moved["geometry"]["coordinates"] == pytest.approx([-71.19, 48.45])
        near = _ask(other.base, candidates, token)
        assert near != far

        # a synergy saved through one server: the other's synergies layer has it at once
        layer = "/ogcapi/collections/synergies/items?f=json"
        assert _ask(other.base, layer, token)["features"] == []
        _ask(
            one.base,
            "/api/v1/synergies",
            token,
            {"output_flow_id": out, "input_flow_id": need, "status": "contacted"},
        )
        [saved] = _ask(other.base, layer, token)["features"]
        assert saved["properties"]["status"] == "contacted"

        # a server whose clock is behind renames the site: seen all the same
        engine = sa.create_engine(postgis_url.replace("postgresql://", "postgresql+psycopg://"))
        try:
            with engine.begin() as conn:
                conn.execute(
                    t.sites.update()
                    .where(t.sites.c.id == site)
                    .values(name="Usine renommée", updated_at=LONG_AGO)
                )
        finally:
            engine.dispose()
        assert "Usine renommée" in json.dumps(_ask(other.base, item, token), ensure_ascii=False)
