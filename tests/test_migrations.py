"""A database made by an earlier schema upgrades in place with no data lost (both backends).

Besides two hand-written upgrades, one test walks the whole chain of migrations (a new one
joins by itself): at each revision every table gets rows — accents, NULLs, values at their
limits — and after each step every row of every table that was there is still there, unchanged.
"""

from __future__ import annotations

import itertools
import json
import warnings
from datetime import UTC, date, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext

from mapservice.errors import StorageError
from mapservice.storage import open_repository
from mapservice.storage.sql import known_revisions
from mapservice.storage.sqlite import SQLITE_RTREE_TABLES


def test_upgrade_from_0001_keeps_every_row(database_url):
    repo = open_repository(database_url)
    repo.migrate("0001")
    assert repo.revision() == "0001"
    now = datetime(2025, 1, 2, tzinfo=UTC)
    with repo.engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO members (name, name_key, naics_code, public_consent, created_at, "
                "updated_at) VALUES ('Ancienne Fonderie (démo)', 'ancienne fonderie demo', "
                "'331313', "
                ":f, :now, :now)"
            ),
            {"now": now, "f": False},
        )
        member_id = conn.execute(sa.text("SELECT id FROM members")).scalar_one()
        conn.execute(
            sa.text(
                "INSERT INTO sites (member_id, name, site_key, municipality_id, lon, lat, "
                "geocode_precision, created_at, updated_at) VALUES (:m, 'Usine', 'usine', "
                "'saguenay-jonquiere', -71.2, 48.42, 'postcode', :now, :now)"
            ),
            {"m": member_id, "now": now},
        )
        site_id = conn.execute(sa.text("SELECT id FROM sites")).scalar_one()
        conn.execute(
            sa.text(
                "INSERT INTO flows (site_id, direction, category_code, description, "
                "description_key, "
                "quantity, unit, hazardous, confidential, created_at, updated_at) VALUES (:s, "
                "'output', 'metaux.aluminium', 'Retailles', 'retailles', 12.5, 't_per_year', :f, "
                ":f, "
                ":now, :now)"
            ),
            {"s": site_id, "now": now, "f": False},
        )

    repo.migrate()
    assert repo.revision() == repo.head_revision()
    (site,) = repo.sites()
    assert (site.name, site.lon, site.lat, site.member_name) == (
        "Usine",
        -71.2,
        48.42,
        "Ancienne Fonderie (démo)",
    )
    (flow,) = repo.flows()
    assert (flow.description, flow.quantity) == ("Retailles", 12.5)
    counts = repo.counts()
    assert counts["synergies"] == 0 and counts["synergy_events"] == 0
    repo.close()


def test_upgrade_from_0002_keeps_sites_and_adds_the_geocoding_tables(database_url):
    repo = open_repository(database_url)
    repo.migrate("0002")
    now = datetime(2025, 6, 1, tzinfo=UTC)
    with repo.engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO members (name, name_key, public_consent, created_at, updated_at) "
                "VALUES ('Scierie (démo)', 'scierie demo', :f, :now, :now)"
            ),
            {"now": now, "f": False},
        )
        conn.execute(
            sa.text(
                "INSERT INTO sites (member_id, name, site_key, lon, lat, geocode_precision, "
                "geocoded_by, created_at, updated_at) VALUES (1, 'Cour', 'cour', -72.2, 48.88, "
                "'manual', 'Lise', :now, :now)"
            ),
            {"now": now},
        )
    repo.migrate()
    assert repo.revision() == repo.head_revision()
    (site,) = repo.sites()
    assert (site.lon, site.lat, site.geocoded_by, site.geocode_note) == (-72.2, 48.88, "Lise", None)
    repo.cache_put("nominatim", "k", "Q", [{"lon": 1.0}])
    assert repo.cache_get("nominatim", "k") == [{"lon": 1.0}]
    repo.close()


# --- every step of the chain, with every table full ---------------------------------------------

#: Values a column of that name must hold, for the database (PostGIS derives geometries from
#: them and indexes them as geography) or for the code that reads them; rows 0, 1, 2.
MEANINGFUL: dict[str, list[Any]] = {
    "lon": [None, -71.0654321, 180.0],
    "lat": [None, 48.4281234, -90.0],
    "centre_lon": [-79.76, -71.0654321, 180.0],
    "centre_lat": [45.0, 48.4281234, -90.0],
    "outline_geojson": [
        None,
        json.dumps(
            {
                "type": "Polygon",
                "coordinates": [
                    [[-71.25, 48.40], [-71.20, 48.40], [-71.20, 48.45], [-71.25, 48.40]]
                ],
            }
        ),
        None,
    ],
    "direction": ["output", "input", "output"],
    "status": ["candidate", "contacted", "rejected"],
    "to_status": ["candidate", "contacted", "rejected"],
    "from_status": [None, "candidate", "contacted"],
    "kind": ["substitution", "mutualisation", "substitution"],
    "unit": [None, "t_per_year", "m3_per_year"],
    "frequency": [None, "weekly", "seasonal"],
    "geocode_precision": [None, "postcode", "manual"],
}
ACCENTS = "Métal Saguenay ltée — « L'Anse-Saint-Jean », Chicoutimi-Nord ♻ 🏭 \"%_\\"
WHEN = [
    datetime(1970, 1, 1, tzinfo=UTC),
    datetime(2026, 2, 28, 12, 30, 15, 123456, tzinfo=UTC),
    datetime(2099, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
]
NUMBERS = [0.0, -71.123456789012345, 1.7976931348623157e308]
INTEGERS = [0, -1, 2_147_483_647]
DAYS = [date(1970, 1, 1), date(2026, 2, 28), date(2099, 12, 31)]
#: Tables the migrations do not own: their bookkeeping, PostGIS's (visible through public), and
#: SQLite's R*Tree of the sites (0016: kept from ``sites`` by triggers, compared through it).
NOT_OURS = frozenset({"alembic_version", "spatial_ref_sys"}) | SQLITE_RTREE_TABLES


def _reflect(conn: sa.Connection) -> sa.MetaData:
    meta = sa.MetaData()
    with warnings.catch_warnings():
        # PostGIS's geometry type and expression indexes are unknown to SQLAlchemy; geometry
        # columns are generated, so they are only read back, as they are.
        warnings.simplefilter("ignore", sa.exc.SAWarning)
        meta.reflect(conn, only=lambda name, _meta: name not in NOT_OURS)
    return meta


def _keys(table: sa.Table) -> set[str]:
    """Columns whose values must differ from row to row."""
    keys = {c.name for c in table.primary_key.columns}
    for constraint in table.constraints:
        if isinstance(constraint, sa.UniqueConstraint):
            keys.update(c.name for c in constraint.columns)
    for index in table.indexes:
        if index.unique:
            keys.update(c.name for c in index.columns if isinstance(c, sa.Column))
    return keys


def _value(column: sa.Column[Any], k: int, step: int, keys: set[str]) -> Any:
    """Row ``k`` (0: empty or NULL, 1: accented, 2: at the limits) added at ``step``."""
    if column.name in MEANINGFUL:
        choices = MEANINGFUL[column.name]
        if choices[k] is not None or column.nullable:
            return choices[k]
        return next(v for v in choices if v is not None)
    if k == 0 and column.nullable and column.name not in keys:
        return None
    kind = column.type
    if isinstance(kind, sa.Boolean):
        return k == 1
    if isinstance(kind, sa.DateTime):
        return WHEN[k]
    if isinstance(kind, sa.Date):
        return DAYS[k]
    if isinstance(kind, sa.Integer):
        return INTEGERS[k] - (10 * step + k if column.name in keys and k == 2 else 0)
    if isinstance(kind, sa.Float | sa.Numeric):
        return NUMBERS[k]
    if isinstance(kind, sa.String):
        tag = f"{step}.{k} " if column.name in keys else ""
        if column.name.endswith("_json"):
            return json.dumps({"note": tag + ACCENTS}, ensure_ascii=False)
        limit = kind.length or 10_000
        return (tag + ["", ACCENTS, "é" * limit][k])[:limit]
    msg = f"no test value for {column.table.name}.{column.name} of type {kind!r}"
    raise AssertionError(msg)


def _fill(conn: sa.Connection, meta: sa.MetaData, step: int) -> None:
    """Add three rows to every table, parents first; child row k points at new parent row k."""
    added: dict[str, list[dict[str, Any]]] = {}
    for table in meta.sorted_tables:
        keys = _keys(table)
        pk = list(table.primary_key.columns)
        auto = pk[0].name if len(pk) == 1 and isinstance(pk[0].type, sa.Integer) else None
        added[table.name] = []
        for k in range(3):
            row: dict[str, Any] = {}
            for column in table.columns:
                if column.computed is not None or column.name == auto:
                    continue
                fk = next(iter(column.foreign_keys), None)
                row[column.name] = (
                    added[fk.column.table.name][k][fk.column.name]
                    if fk
                    else _value(column, k, step, keys)
                )
            done = conn.execute(table.insert().values(**row))
            if auto:
                row[auto] = done.inserted_primary_key[0]
            added[table.name].append(row)


def _rows(
    conn: sa.Connection, table: sa.Table, columns: list[str], order: list[str]
) -> list[tuple[Any, ...]]:
    query = sa.select(*(table.c[c] for c in columns)).order_by(*(table.c[c] for c in order))
    return [tuple(r) for r in conn.execute(query)]


def test_every_migration_keeps_every_row_of_a_full_database(database_url):
    revisions = known_revisions()
    assert len(revisions) >= 6 and revisions[0] == "0001"
    repo = open_repository(database_url)
    try:
        repo.migrate(revisions[0])
        for step, (before, after) in enumerate(itertools.pairwise(revisions)):
            with repo.engine.begin() as conn:
                meta = _reflect(conn)
                _fill(conn, meta, step)
            kept = {}
            with repo.engine.connect() as conn:
                for table in meta.sorted_tables:
                    columns = [c.name for c in table.columns]
                    order = [c.name for c in table.primary_key.columns] or columns
                    kept[table.name] = (columns, order, _rows(conn, table, columns, order))
            repo.migrate(after)
            assert repo.revision() == after
            with repo.engine.connect() as conn:
                now = _reflect(conn)
                for name, (columns, order, rows) in kept.items():
                    assert name in now.tables, f"{before} → {after} dropped table {name}"
                    found = _rows(conn, now.tables[name], columns, order)
                    assert rows, name
                    assert found == rows, f"{before} → {after} changed rows of {name}"
        assert repo.revision() == repo.head_revision()
    finally:
        repo.close()


# --- SQLite: a table rebuilt by a migration keeps the rows that point at it ----------------------


def _sqlite_with_a_flow(tmp_path: Any) -> Any:
    repo = open_repository("sqlite:///" + str(tmp_path / "reconstruite.sqlite"))
    repo.migrate()
    member = repo.add_member({"name": "Métal Saguenay ltée"})
    site = repo.add_site({"member_id": member, "name": "Usine"})
    repo.add_flow(
        {
            "site_id": site,
            "direction": "output",
            "category_code": "metaux",
            "description": "Retailles",
            "hazardous": False,
            "confidential": False,
        }
    )
    return repo


def test_a_rebuilt_parent_table_keeps_its_children_on_sqlite(tmp_path):
    """Alembic's batch mode drops and recreates a table; the drop must not cascade."""
    repo = _sqlite_with_a_flow(tmp_path)
    with repo._migrating() as conn:
        op = Operations(MigrationContext.configure(conn, opts={"render_as_batch": True}))
        with op.batch_alter_table("sites", recreate="always") as batch:
            batch.add_column(sa.Column("note_test", sa.Text))
    assert repo.counts()["flows"] == 1
    with repo.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    repo.close()


def test_a_migration_that_breaks_a_reference_is_rolled_back_on_sqlite(tmp_path):
    repo = _sqlite_with_a_flow(tmp_path)
    with pytest.raises(StorageError, match="références brisées"), repo._migrating() as conn:
        conn.exec_driver_sql("CREATE TABLE essai (x INTEGER)")
        conn.exec_driver_sql("DELETE FROM sites")
    assert repo.counts()["sites"] == 1
    with repo.engine.connect() as conn:
        assert (
            conn.exec_driver_sql("SELECT count(*) FROM sqlite_master WHERE name = 'essai'").scalar()
            == 0
        )
    repo.close()
