"""Flows « à classer »: an import no longer refuses a row whose material text the classifier
is not sure of. The flow is kept under ``autres`` with ``to_classify`` set, the classifier's
suggestions (codes joined by ``|``) and the material text as written, out of matching until
staff classify it.

``ALTER TABLE … ADD COLUMN`` keeps the change-counter triggers of 0010 on ``flows``.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("flows", recreate="never") as batch:
        batch.add_column(
            sa.Column("to_classify", sa.Boolean, nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("suggestions", sa.Text))
        batch.add_column(sa.Column("material_text", sa.String(300)))


def downgrade() -> None:
    with op.batch_alter_table("flows", recreate="never") as batch:
        batch.drop_column("material_text")
        batch.drop_column("suggestions")
        batch.drop_column("to_classify")
