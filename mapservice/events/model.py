"""Types of maillage events. No I/O here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class Event:
    """A maillage event; ``plan_tables``/``plan_seats`` are the saved plan's shape (None: no
    plan saved yet)."""

    id: int
    title: str
    event_date: date
    place: str
    created_by: str
    created_at: datetime
    updated_at: datetime
    plan_tables: int | None = None
    plan_seats: int | None = None
    planned_by: str | None = None
    planned_at: datetime | None = None
    n_participants: int = 0


@dataclass(frozen=True)
class Seat:
    """Where a participant sits in the saved plan; tables and seats are counted from 1."""

    member_id: int
    table_number: int
    seat_order: int


@dataclass(frozen=True)
class MeetingRecord:
    """A meeting staff recorded: the synergy it was about (None once that synergy is deleted)
    and the pair of members it joined."""

    id: int
    event_id: int
    synergy_id: int | None
    member_a_id: int
    member_b_id: int
    took_place: bool
    recorded_by: str
    recorded_at: datetime


@dataclass(frozen=True)
class NewMeeting:
    """A meeting to record: its synergy and the two members it joins."""

    synergy_id: int
    member_a_id: int
    member_b_id: int
