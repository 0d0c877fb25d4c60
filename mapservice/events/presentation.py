"""An event's presentation, as data: all its participants, then each table of its saved plan.

The web layer turns each part into a view of presenter mode that picks members
(``PresenterView.members``); what each view shows is disclosed there as presenter mode
discloses any map. This module says who is in each part and what the table is worth.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from mapservice.errors import InvalidInput, tr
from mapservice.events import pairs, planning
from mapservice.events.model import Event

if TYPE_CHECKING:
    from mapservice.services import Services


@dataclass(frozen=True)
class DeckTable:
    """One table of the saved plan: its people in seat order, the value of the pairs seated
    there (:func:`mapservice.events.planning.objective`) and how many of those pairs have a
    synergy worth a meeting."""

    number: int
    member_ids: tuple[int, ...]
    value: float
    meetings: int


@dataclass(frozen=True)
class EventDeck:
    event: Event
    member_ids: tuple[int, ...]
    tables: tuple[DeckTable, ...]


def event_deck(services: Services, event_id: int) -> EventDeck:
    """The parts of ``event_id``'s presentation; refused when it has no saved plan yet.

    A participant deleted meanwhile is left out; a table whose people are all gone stays,
    empty, so that tables keep their numbers."""
    event = services.repo.get_event(event_id)
    seats = services.repo.event_seats(event_id)
    if not event.plan_tables or not seats:
        raise InvalidInput(
            tr("Cet événement n'a pas encore de plan : proposez-en un d'abord."), field="plan"
        )
    known = {m.id for m in services.repo.members() if m.id is not None}
    ids = tuple(i for i in services.repo.event_participants(event_id) if i in known)
    between = pairs.between(services, ids)
    values = planning.pair_values(between.by_pair)
    tables = []
    for number in range(1, event.plan_tables + 1):
        at = sorted(
            (s for s in seats if s.table_number == number and s.member_id in known),
            key=lambda s: s.seat_order,
        )
        people = tuple(s.member_id for s in at)
        worth = sum(
            1
            for i, a in enumerate(people)
            for b in people[i + 1 :]
            if (min(a, b), max(a, b)) in values
        )
        tables.append(DeckTable(number, people, planning.objective([people], values), worth))
    return EventDeck(event, ids, tuple(tables))
