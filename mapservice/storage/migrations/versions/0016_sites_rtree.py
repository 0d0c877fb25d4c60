"""SQLite stores get an R*Tree of the sites' points, kept by triggers, for ``bbox`` queries.

OGC API – Features' ``bbox`` and the exports' boxes select the sites whose point is in the box;
on SQLite, the ``sites_rtree`` virtual table (SQLite's R*Tree module, built into Python's
``sqlite3``) answers that from an index, as the GiST index on ``sites.geom`` does on PostGIS
(migration 0001). Its coordinates are 32-bit floats rounded outwards, so a query on it gives
candidates that the exact test on ``sites.lon``/``sites.lat`` then confirms.

The triggers keep it in the same transaction as every write to ``sites``; a site without a
point has no entry. PostgreSQL is unchanged.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07
"""

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

PLACED = "new.lon IS NOT NULL AND new.lat IS NOT NULL"


def upgrade() -> None:
    if op.get_context().dialect.name != "sqlite":
        return
    op.execute(
        "CREATE VIRTUAL TABLE sites_rtree USING rtree(id, min_lon, max_lon, min_lat, max_lat)"
    )
    op.execute(
        "INSERT INTO sites_rtree SELECT id, lon, lon, lat, lat FROM sites "
        "WHERE lon IS NOT NULL AND lat IS NOT NULL"
    )
    op.execute(
        f"CREATE TRIGGER sites_rtree_insert AFTER INSERT ON sites WHEN {PLACED} BEGIN "
        "INSERT INTO sites_rtree VALUES (new.id, new.lon, new.lon, new.lat, new.lat); END"
    )
    op.execute(
        "CREATE TRIGGER sites_rtree_update AFTER UPDATE OF id, lon, lat ON sites BEGIN "
        "DELETE FROM sites_rtree WHERE id = old.id; "
        "INSERT INTO sites_rtree SELECT new.id, new.lon, new.lon, new.lat, new.lat "
        f"WHERE {PLACED}; END"
    )
    op.execute(
        "CREATE TRIGGER sites_rtree_delete AFTER DELETE ON sites BEGIN "
        "DELETE FROM sites_rtree WHERE id = old.id; END"
    )


def downgrade() -> None:
    if op.get_context().dialect.name != "sqlite":
        return
    for write in ("insert", "update", "delete"):
        op.execute(f"DROP TRIGGER IF EXISTS sites_rtree_{write}")
    op.execute("DROP TABLE IF EXISTS sites_rtree")
