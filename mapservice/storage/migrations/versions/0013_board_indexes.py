"""Indexes for the pipeline board at 20,000 candidates: a column's page in score order reads
``(status, score, …)`` instead of sorting the whole column (it replaces the index on ``status``
alone, and serves the same look-ups); between them, the two indexes hold the columns the
board's filters test, so counting a filtered column reads an index, not the rows (with their
reasons), and « the best N per offer » finds each offer's synergies side by side. Indexes
only: the change-counter triggers of 0010 stay as they are.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

#: A column in score order, with what the other filters on the synergy itself test.
IN_ORDER = ["status", "score", "updated_at", "road_m", "geodesic_m"]
#: Both ends, for the filters on an end and « the best N per offer ».
BY_END = ["status", "output_flow_id", "input_flow_id", "score"]


def upgrade() -> None:
    op.drop_index("ix_synergies_status", table_name="synergies")
    op.create_index("ix_synergies_status_score", "synergies", IN_ORDER)
    op.create_index("ix_synergies_board", "synergies", BY_END)


def downgrade() -> None:
    op.drop_index("ix_synergies_board", table_name="synergies")
    op.drop_index("ix_synergies_status_score", table_name="synergies")
    op.create_index("ix_synergies_status", "synergies", ["status"])
