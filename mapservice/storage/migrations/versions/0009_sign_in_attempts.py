"""Sign-in attempts in the database: the per-address limit holds across the processes of
``mapservice serve --workers N`` (it was counted in each process's memory).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sign_in_attempts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("address_key", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_sign_in_attempts_address", "sign_in_attempts", ["address_key", "at"])
    op.create_index("ix_sign_in_attempts_at", "sign_in_attempts", ["at"])


def downgrade() -> None:
    op.drop_table("sign_in_attempts")
