"""Matching: what a synergy exchanges and why it was proposed; staff corrections of categories.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("synergies") as batch:
        batch.add_column(sa.Column("tonnes_per_year", sa.Float))
        batch.add_column(sa.Column("net_kg_co2e", sa.Float))
        batch.add_column(sa.Column("net_benefit_cad", sa.Float))
        batch.add_column(sa.Column("distance_backend", sa.String(40)))
        batch.add_column(sa.Column("reasons_json", sa.Text, nullable=False, server_default="[]"))
    op.create_table(
        "category_corrections",
        sa.Column("text_key", sa.String(400), primary_key=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("category_code", sa.String(80), nullable=False),
        sa.Column("author", sa.String(120), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    if op.get_bind().dialect.name == "postgresql":
        # ST_DWithin on geography, in metres, served by its own GiST index.
        op.execute("CREATE INDEX ix_sites_geog ON sites USING gist ((geom::geography))")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_sites_geog")
    op.drop_table("category_corrections")
    with op.batch_alter_table("synergies") as batch:
        for name in (
            "reasons_json",
            "distance_backend",
            "net_benefit_cad",
            "net_kg_co2e",
            "tonnes_per_year",
        ):
            batch.drop_column(name)
