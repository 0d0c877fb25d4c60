"""Synergies and their pipeline history; who placed a site by hand, and when.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sites") as batch:
        batch.add_column(sa.Column("geocoded_at", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("geocoded_by", sa.String(120)))

    op.create_table(
        "synergies",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "output_flow_id",
            sa.Integer,
            sa.ForeignKey("flows.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "input_flow_id",
            sa.Integer,
            sa.ForeignKey("flows.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("score", sa.Float),
        sa.Column("geodesic_m", sa.Float),
        sa.Column("road_m", sa.Float),
        sa.Column("duration_s", sa.Float),
        sa.Column("transport_kg_co2e", sa.Float),
        sa.Column("transport_cost_cad", sa.Float),
        sa.Column("avoided_kg_co2e", sa.Float),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("output_flow_id", "input_flow_id", name="uq_synergies_pair"),
    )
    op.create_index("ix_synergies_status", "synergies", ["status"])
    op.create_table(
        "synergy_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "synergy_id",
            sa.Integer,
            sa.ForeignKey("synergies.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("from_status", sa.String(20)),
        sa.Column("to_status", sa.String(20), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("author", sa.String(120), nullable=False),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
    )
    op.create_index("ix_synergy_events_synergy", "synergy_events", ["synergy_id"])


def downgrade() -> None:
    op.drop_table("synergy_events")
    op.drop_table("synergies")
    with op.batch_alter_table("sites") as batch:
        batch.drop_column("geocoded_by")
        batch.drop_column("geocoded_at")
