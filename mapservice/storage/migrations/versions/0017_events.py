"""Maillage events: the event, its participants, its saved table plan and its meetings.

``events`` (title, date, place, who made it and when; the shape of its saved plan);
``event_participants`` (one row per member of an event); ``event_seats`` (the saved plan: a
participant's table and seat, removed with the participant); ``event_meetings`` (the meetings
staff recorded: a synergy, or only the pair of members when the synergy is gone).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("event_date", sa.Date, nullable=False),
        sa.Column("place", sa.String(300), nullable=False, server_default=""),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.Column("plan_tables", sa.Integer),
        sa.Column("plan_seats", sa.Integer),
        sa.Column("planned_by", sa.String(200)),
        sa.Column("planned_at", WHEN),
    )
    op.create_table(
        "event_participants",
        sa.Column(
            "event_id", sa.Integer, sa.ForeignKey("events.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column(
            "member_id",
            sa.Integer,
            sa.ForeignKey("members.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("added_by", sa.String(200), nullable=False),
        sa.Column("added_at", WHEN, nullable=False),
    )
    op.create_index("ix_event_participants_member", "event_participants", ["member_id"])
    op.create_table(
        "event_seats",
        sa.Column("event_id", sa.Integer, primary_key=True),
        sa.Column("member_id", sa.Integer, primary_key=True),
        sa.Column("table_number", sa.Integer, nullable=False),
        sa.Column("seat_order", sa.Integer, nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id", "member_id"],
            ["event_participants.event_id", "event_participants.member_id"],
            ondelete="CASCADE",
        ),
    )
    op.create_table(
        "event_meetings",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "event_id", sa.Integer, sa.ForeignKey("events.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("synergy_id", sa.Integer, sa.ForeignKey("synergies.id", ondelete="SET NULL")),
        sa.Column("member_a_id", sa.Integer, nullable=False),
        sa.Column("member_b_id", sa.Integer, nullable=False),
        sa.Column("took_place", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        sa.Column("recorded_at", WHEN, nullable=False),
        sa.UniqueConstraint("event_id", "synergy_id", name="uq_event_meetings_synergy"),
    )
    op.create_index("ix_event_meetings_event", "event_meetings", ["event_id"])


def downgrade() -> None:
    op.drop_table("event_meetings")
    op.drop_table("event_seats")
    op.drop_table("event_participants")
    op.drop_table("events")
