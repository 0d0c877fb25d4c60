"""A session version per account: a browser session holds the version its account had at
sign-in, and is refused once the account's version has moved on. Signing out, a new password,
a new role or parks and (de)activation move it on, which ends every session of the account,
in every browser. Accounts start at 0; the cookies of sessions opened before this revision
hold no version and are refused, so everyone signs in again once.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("session_version", sa.Integer, nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("session_version")
