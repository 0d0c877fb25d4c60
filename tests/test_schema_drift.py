"""The schema the migrations build is the schema ``mapservice/storage/schema.py`` declares.

The queries are written against ``schema.py``; the databases are made by the migrations. After
every migration, on both backends, Alembic's autogenerate comparison of the two must find no
difference: no table, column, type, nullability, server default, index, unique constraint or
foreign key on one side only. A migration without its ``schema.py`` change (or the reverse)
fails here, not in production.

Only what each backend adds on purpose, beside the declared tables, is left out of the
comparison: PostGIS's own ``spatial_ref_sys`` table and the generated ``geom`` columns with
their GiST indexes (migrations 0001 and 0004), which SQLite has no use for, and SQLite's R*Tree
of the sites' points with its shadow tables (migration 0016), which PostGIS has no use for.
"""

from __future__ import annotations

import re
import warnings
from typing import Any

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from mapservice.storage import open_repository, schema
from mapservice.storage.sqlite import SQLITE_RTREE_TABLES

#: What PostGIS databases have beside the declared tables (see the migrations).
POSTGIS_ONLY_TABLES = {"spatial_ref_sys"}
POSTGIS_ONLY_COLUMNS = {("sites", "geom"), ("parks", "geom"), ("municipalities", "geom")}
POSTGIS_ONLY_INDEXES = {"ix_sites_geom", "ix_parks_geom", "ix_municipalities_geom", "ix_sites_geog"}


def _declared_elsewhere(
    obj: Any, name: str | None, kind: str, reflected: bool, compare_to: Any
) -> bool:
    """Alembic's ``include_object``: leave out only the PostGIS additions named above."""
    if not reflected or compare_to is not None:
        return True
    if kind == "table":
        return name not in POSTGIS_ONLY_TABLES | SQLITE_RTREE_TABLES
    if kind == "column":
        return (obj.table.name, name) not in POSTGIS_ONLY_COLUMNS
    if kind == "index":
        return name not in POSTGIS_ONLY_INDEXES
    return True


def _literal(text: str | None) -> str | None:
    """A server default as its bare value: ``('')``, ``''`` and ``''::text`` are all empty."""
    if text is None:
        return None
    text = re.sub(r"::[\w ]+$", "", text.strip())
    text = re.sub(r"^\((.*)\)$", r"\1", text)
    return re.sub(r"^'(.*)'$", r"\1", text)


def _same_default(
    _context: Any,
    _inspected_column: Any,
    _metadata_column: Any,
    inspected_default: str | None,
    _metadata_default: Any,
    rendered_metadata_default: str | None,
) -> bool | None:
    """Alembic's ``compare_server_default``: equal bare values are the same default (Alembic
    reads SQLite's ``DEFAULT ''`` back as ``('')`` and takes it for ``''`` ≠ the declared
    empty string); anything else is left to Alembic's own comparison."""
    if _literal(inspected_default) == _literal(rendered_metadata_default):
        return False
    return None


def _flat(diffs: list[Any]) -> list[Any]:
    """Alembic nests column changes of one table in a list: one difference per item here."""
    out: list[Any] = []
    for diff in diffs:
        out.extend(_flat(diff) if isinstance(diff, list) else [diff])
    return out


def _differences(url: str) -> list[Any]:
    repo = open_repository(url)
    try:
        repo.migrate()
        with repo.engine.connect() as conn, warnings.catch_warnings():
            # No SQLAlchemy type for PostGIS' ``geometry``: those columns are left out anyway.
            warnings.filterwarnings("ignore", "Did not recognize type 'geometry'", sa.exc.SAWarning)
            context = MigrationContext.configure(
                conn,
                opts={
                    "compare_type": True,
                    "compare_server_default": _same_default,
                    "include_object": _declared_elsewhere,
                },
            )
            return _flat(compare_metadata(context, schema.metadata))
    finally:
        repo.close()


def test_the_migrated_schema_is_the_declared_one(database_url):
    differences = _differences(database_url)
    assert differences == [], "\n".join(map(repr, differences))


def test_a_difference_would_be_seen(tmp_path):
    """The comparison is not blind: a table and an index the migrations did not declare, and a
    declared default the database does not have, are each reported."""
    url = "sqlite:///" + str(tmp_path / "derive.sqlite")
    repo = open_repository(url)
    repo.migrate()
    with repo.engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE notes (texte TEXT)"))
        conn.execute(sa.text("CREATE INDEX ix_members_name ON members (name)"))
    repo.close()
    declared = sa.MetaData()
    for table in schema.metadata.sorted_tables:
        table.to_metadata(declared)
    declared.tables["synergy_events"].c.note.server_default = sa.DefaultClause("à faire")
    with sa.create_engine(url).connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "compare_server_default": _same_default}
        )
        found = {
            (d[0], d[2] if d[0] == "modify_default" else None)
            for d in _flat(compare_metadata(context, declared))
        }
    assert found == {
        ("remove_table", None),
        ("remove_index", None),
        ("modify_default", "synergy_events"),
    }
