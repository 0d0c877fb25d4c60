"""The repository behaves the same on SQLite and PostGIS (every test runs on both)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from mapservice.domain.model import (
    Direction,
    Frequency,
    ImportPlan,
    Location,
    PlannedFlow,
    PlannedMember,
    PlannedSite,
    Precision,
    Unit,
)
from mapservice.errors import NotFound
from mapservice.storage import backend_for_url, open_repository
from mapservice.storage import schema as t
from tests.support.migrations import latest_revision


def _plan(name: str = "Scierie Test (démo)", qty: float = 120.0, n_sites: int = 1) -> ImportPlan:
    flows = (
        PlannedFlow(
            Direction.OUTPUT,
            "bois.sciure",
            "Sciure sèche",
            qty,
            Unit.T_PER_YEAR,
            Frequency.WEEKLY,
            False,
            False,
        ),
        PlannedFlow(
            Direction.INPUT, "bois.copeaux", "Copeaux pour chaudière", None, None, None, False, True
        ),
    )
    sites = tuple(
        PlannedSite(
            name=f"Usine {i}",
            address=f"{100 + i} rue des Actionnaires",
            municipality_id="saguenay-chicoutimi",
            postal_code="G7H 5B1",
            location=Location(-71.08 + i / 100, 48.40, Precision.MANUAL, "test"),
            park_id=None,
            flows=flows,
        )
        for i in range(n_sites)
    )
    return ImportPlan(members=(PlannedMember(name, "321113", sites),), source="test")


def _dump(repo) -> dict[str, list]:
    with repo.engine.connect() as conn:
        return {
            tbl.name: [tuple(r) for r in conn.execute(sa.select(tbl).order_by(*tbl.primary_key))]
            for tbl in t.ALL_TABLES
        }


def test_init_loads_reference(services):
    counts = services.repo.counts()
    assert counts["municipalities"] >= 50
    assert counts["parks"] >= 20
    assert counts["material_categories"] >= 40
    assert counts["compatibility_rules"] > 0
    assert counts["factors"] > 0
    assert counts["members"] == counts["sites"] == counts["flows"] == 0
    assert services.repo.revision() == services.repo.head_revision() == latest_revision()


def test_migrate_twice_is_harmless(services):
    before = services.repo.counts()
    services.repo.migrate()
    assert services.repo.counts() == before


def test_reference_reload_replaces_rows(services):
    first = services.repo.counts()
    services.init_database()
    assert services.repo.counts() == first


def test_import_then_reimport_changes_nothing(services):
    repo = services.repo
    result = repo.apply_import(_plan(n_sites=2))
    assert result.inserted == {"members": 1, "sites": 2, "flows": 4}
    snapshot = _dump(repo)
    again = repo.apply_import(_plan(n_sites=2))
    assert not again.changed
    assert again.unchanged == {"members": 1, "sites": 2, "flows": 4}
    assert _dump(repo) == snapshot


def test_changed_quantity_updates_one_flow(services):
    repo = services.repo
    repo.apply_import(_plan())
    result = repo.apply_import(_plan(qty=150.0))
    assert result.updated["flows"] == 1 and result.inserted["flows"] == 0
    (flow,) = [f for f in repo.flows() if f.direction is Direction.OUTPUT]
    assert flow.quantity == 150.0 and flow.unit is Unit.T_PER_YEAR


def test_dry_run_writes_nothing(services):
    repo = services.repo
    before = _dump(repo)
    result = repo.apply_import(_plan(), dry_run=True)
    assert result.dry_run and result.inserted["flows"] == 2
    assert _dump(repo) == before


def test_failure_midway_rolls_back_everything(services):
    repo = services.repo
    good = _plan("Première entreprise (démo)")
    bad_site = PlannedSite(
        "Site",
        None,
        None,
        None,
        None,
        None,
        (PlannedFlow(Direction.OUTPUT, "bois.sciure", "x" * 10, None, None, None, False, False),),
    )
    # A NOT NULL column left empty by a broken plan: the database refuses the last row.
    broken = PlannedMember(None, None, (bad_site,))  # type: ignore[arg-type]
    plan = ImportPlan(members=(*good.members, broken))
    before = _dump(repo)
    with pytest.raises(Exception):  # noqa: B017 - whatever the driver raises
        repo.apply_import(plan)
    assert _dump(repo) == before


def test_sites_filters_and_get(services):
    repo = services.repo
    repo.apply_import(_plan(n_sites=3))
    sites = repo.sites()
    assert [s.name for s in sites] == ["Usine 0", "Usine 1", "Usine 2"]
    assert sites[0].member_name == "Scierie Test (démo)" and sites[0].naics_code == "321113"
    inside = repo.sites(bbox=(-71.075, 48.3, -71.055, 48.5))
    assert [s.name for s in inside] == ["Usine 1", "Usine 2"]
    assert repo.sites(municipality_id="alma") == []
    assert repo.get_site(sites[0].id) == sites[0]
    with pytest.raises(NotFound):
        repo.get_site(999_999)


def test_parks_round_trip_outlines(services):
    parks = services.repo.parks()
    assert all(p.outline and p.outline["type"] in {"Polygon", "MultiPolygon"} for p in parks)
    statuses = {p.outline_status for p in parks}
    assert statuses <= {"surveyed", "traced", "estimated", "town"} and "town" in statuses


@pytest.mark.parametrize(
    ("url", "backend"),
    [
        ("sqlite:///x.db", "sqlite"),
        ("postgresql://u@h/db", "postgresql"),
        ("postgresql+psycopg://u@h/db", "postgresql"),
        ("postgis://u@h/db", "postgis"),
    ],
)
def test_backend_for_url(url, backend):
    assert backend_for_url(url) == backend


def test_unknown_scheme_is_a_clear_error():
    from mapservice.errors import ConfigError

    with pytest.raises(ConfigError, match="mysql"):
        open_repository("mysql://u:secret@host/db")
