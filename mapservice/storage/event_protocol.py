"""What the repository offers for maillage events (see :mod:`mapservice.storage.event_store`).

Part of :class:`~mapservice.storage.base.Repository`; every write is one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Protocol

from mapservice.events.model import Event, MeetingRecord, NewMeeting, Seat


class EventRecords(Protocol):
    def add_event(self, title: str, event_date: date, place: str, *, author: str) -> int:
        """Insert an event; return its id."""

    def events(self) -> list[Event]:
        """Every event, the most recent date first, with its number of participants."""

    def get_event(self, event_id: int) -> Event:
        """One event or :class:`mapservice.errors.NotFound`."""

    def event_participants(self, event_id: int) -> list[int]:
        """The member ids of the event's participants."""

    def add_participants(self, event_id: int, member_ids: Iterable[int], *, author: str) -> int:
        """Add members (all, or none when one no longer exists); return how many are new."""

    def remove_participant(self, event_id: int, member_id: int) -> None:
        """Take a member (and its seat) out of the event."""

    def event_seats(self, event_id: int) -> list[Seat]:
        """The saved plan, by table and seat."""

    def save_plan(
        self, event_id: int, seats: Sequence[Seat], *, tables: int, per_table: int, author: str
    ) -> None:
        """Replace the saved plan (refused whole when it no longer fits the participants)."""

    def move_seat(self, event_id: int, member_id: int, table_number: int) -> None:
        """Seat a participant at the end of another table of the saved plan."""

    def swap_seats(self, event_id: int, member_id: int, other_id: int) -> None:
        """Exchange the seats of two seated participants."""

    def event_meetings(self, event_id: int) -> list[MeetingRecord]:
        """The meetings recorded for the event."""

    def record_meetings(
        self, event_id: int, meetings: Sequence[NewMeeting], *, author: str, note: str
    ) -> int:
        """Record meetings and move their synergies to « contacted »: all, or none."""
