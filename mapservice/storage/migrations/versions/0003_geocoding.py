"""Online geocoder cache, resumable batch runs, and the note a geocoder left on a site.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sites") as batch:
        batch.add_column(sa.Column("geocode_note", sa.Text))
    op.create_table(
        "geocode_cache",
        sa.Column("backend", sa.String(40), primary_key=True),
        sa.Column("query_key", sa.String(400), primary_key=True),
        sa.Column("query", sa.Text, nullable=False),
        sa.Column("hits_json", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "geocode_runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("mode", sa.String(20), nullable=False),
        sa.Column("backend", sa.String(40), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.Column("total", sa.Integer, nullable=False),
        sa.Column("done", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_table(
        "geocode_run_sites",
        sa.Column(
            "run_id",
            sa.Integer,
            sa.ForeignKey("geocode_runs.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "site_id", sa.Integer, sa.ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("message", sa.Text),
    )


def downgrade() -> None:
    op.drop_table("geocode_run_sites")
    op.drop_table("geocode_runs")
    op.drop_table("geocode_cache")
    with op.batch_alter_table("sites") as batch:
        batch.drop_column("geocode_note")
