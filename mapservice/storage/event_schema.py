"""Tables of maillage events: the event, its participants, its table plan, its meetings.

Declared on :data:`mapservice.storage.schema_metadata.metadata` and imported by
:mod:`mapservice.storage.schema` (migration 0017 builds them). A deleted member leaves the
events it was in, and its seat with it (``ON DELETE CASCADE``); a meeting keeps the pair of
members it was between, and loses only its synergy when that is deleted.
"""

from __future__ import annotations

import sqlalchemy as sa

from mapservice.storage.schema_metadata import metadata

WHEN = sa.DateTime(timezone=True)

events = sa.Table(
    "events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("event_date", sa.Date, nullable=False),
    sa.Column("place", sa.String(300), nullable=False, server_default=""),
    sa.Column("created_by", sa.String(200), nullable=False),
    sa.Column("created_at", WHEN, nullable=False),
    sa.Column("updated_at", WHEN, nullable=False),
    #: The shape of the saved plan (None: no plan yet), who made it and when.
    sa.Column("plan_tables", sa.Integer),
    sa.Column("plan_seats", sa.Integer),
    sa.Column("planned_by", sa.String(200)),
    sa.Column("planned_at", WHEN),
)

event_participants = sa.Table(
    "event_participants",
    metadata,
    sa.Column(
        "event_id", sa.Integer, sa.ForeignKey("events.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column(
        "member_id", sa.Integer, sa.ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("added_by", sa.String(200), nullable=False),
    sa.Column("added_at", WHEN, nullable=False),
    sa.Index("ix_event_participants_member", "member_id"),
)

#: The saved table plan: one row a seated participant (tables and seats counted from 1).
event_seats = sa.Table(
    "event_seats",
    metadata,
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

#: Meetings staff recorded: a synergy (when there is one) and the pair of members it joins.
event_meetings = sa.Table(
    "event_meetings",
    metadata,
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
    sa.Index("ix_event_meetings_event", "event_id"),
    sa.UniqueConstraint("event_id", "synergy_id", name="uq_event_meetings_synergy"),
)

EVENT_TABLES = (events, event_participants, event_seats, event_meetings)
