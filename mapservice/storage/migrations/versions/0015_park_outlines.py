"""Park outlines say what they are worth, and can be replaced with history.

``parks.outline_status`` held ``approximate`` for every park; it now holds ``surveyed``,
``traced``, ``estimated`` or ``town`` (see ``mapservice.domain.outlines``). Existing rows become
``town`` when their point is a stand-in (``coord_status`` TOWN or PLACEHOLDER), else
``estimated``; ``mapservice init`` then loads the statuses of ``data/parks.csv``.

A replaced outline is written to the audit log (table ``parks``: who, when, the old and the
new outline and status), so any version can be restored. Writes to ``parks`` now bump the
registry's change counter (as members, sites and flows do, see 0010), so every process's maps
and exports see a new outline.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07
"""

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

WRITES = ("insert", "update", "delete")


def upgrade() -> None:
    op.execute(
        "UPDATE parks SET outline_status = CASE WHEN coord_status IN ('TOWN', 'PLACEHOLDER') "
        "THEN 'town' ELSE 'estimated' END WHERE outline_status = 'approximate'"
    )
    if op.get_context().dialect.name == "postgresql":
        op.execute(
            "CREATE TRIGGER parks_counted AFTER INSERT OR UPDATE OR DELETE "
            "ON parks FOR EACH STATEMENT EXECUTE FUNCTION count_change('registry')"
        )
        return
    for write in WRITES:
        op.execute(
            f"CREATE TRIGGER parks_counted_{write} AFTER {write.upper()} "
            "ON parks BEGIN UPDATE change_counters "
            "SET registry = registry + 1 WHERE id = 1; END"
        )


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute("DROP TRIGGER parks_counted ON parks")
    else:
        for write in WRITES:
            op.execute(f"DROP TRIGGER parks_counted_{write}")
    op.execute("UPDATE parks SET outline_status = 'approximate'")
