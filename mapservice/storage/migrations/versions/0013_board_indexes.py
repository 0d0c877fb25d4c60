"""Indexes for the pipeline board at 20,000 candidates: a column's page in score order reads
``(status, score)`` instead of sorting the whole column, and « the best N per offer » ranks
each offer's synergies along ``(status, output_flow_id, score)``. The first replaces the index
on ``status`` alone (it serves the same look-ups). Indexes only: the change-counter triggers of
0010 stay as they are.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_synergies_status", table_name="synergies")
    op.create_index("ix_synergies_status_score", "synergies", ["status", "score"])
    op.create_index("ix_synergies_status_offer", "synergies", ["status", "output_flow_id", "score"])


def downgrade() -> None:
    op.drop_index("ix_synergies_status_offer", table_name="synergies")
    op.drop_index("ix_synergies_status_score", table_name="synergies")
    op.create_index("ix_synergies_status", "synergies", ["status"])
