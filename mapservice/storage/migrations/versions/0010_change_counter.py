"""Change counters bumped by the database in each write transaction, instead of stamps read from
``updated_at`` (a row count and the latest time some writer's clock gave): on several app
servers whose clocks differ, a write could leave the others serving stale pages.

One row (``id`` 1) of counters: ``registry`` (members, sites, flows), ``synergies``,
``corrections`` (staff corrections of categories), and a random ``epoch``. Triggers bump them:
on SQLite for each row written, on PostgreSQL once per statement.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

#: Table → counter (the same as ``mapservice.storage.schema.COUNTED`` at this revision).
COUNTED = {
    "members": "registry",
    "sites": "registry",
    "flows": "registry",
    "synergies": "synergies",
    "category_corrections": "corrections",
}
COUNTERS = ("registry", "synergies", "corrections")
WRITES = ("insert", "update", "delete")

_PG_FUNCTION = """
CREATE FUNCTION count_change() RETURNS trigger LANGUAGE plpgsql AS $count$
BEGIN
  UPDATE change_counters
     SET registry = registry + (TG_ARGV[0] = 'registry')::int,
         synergies = synergies + (TG_ARGV[0] = 'synergies')::int,
         corrections = corrections + (TG_ARGV[0] = 'corrections')::int
   WHERE id = 1;
  RETURN NULL;
END
$count$
"""


def upgrade() -> None:
    op.create_table(
        "change_counters",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("epoch", sa.String(32), nullable=False),
        *(sa.Column(name, sa.BigInteger, nullable=False, server_default="0") for name in COUNTERS),
    )
    # The one row takes id 1 from the sequence (PostgreSQL), which then moves past it.
    op.execute(
        sa.text("INSERT INTO change_counters (epoch) VALUES (:epoch)").bindparams(
            epoch=uuid.uuid4().hex
        )
    )
    if op.get_context().dialect.name == "postgresql":
        op.execute(_PG_FUNCTION)
        for table, counter in COUNTED.items():
            op.execute(
                f"CREATE TRIGGER {table}_counted AFTER INSERT OR UPDATE OR DELETE "
                f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION "
                f"count_change('{counter}')"
            )
        return
    for table, counter in COUNTED.items():
        for write in WRITES:
            op.execute(
                f"CREATE TRIGGER {table}_counted_{write} AFTER {write.upper()} "
                f"ON {table} BEGIN UPDATE change_counters "
                f"SET {counter} = {counter} + 1 WHERE id = 1; END"
            )


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        for table in COUNTED:
            op.execute(f"DROP TRIGGER {table}_counted ON {table}")
        op.execute("DROP FUNCTION count_change()")
    else:
        for table in COUNTED:
            for write in WRITES:
                op.execute(f"DROP TRIGGER {table}_counted_{write}")
    op.drop_table("change_counters")
