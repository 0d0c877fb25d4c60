"""Maillage events in the database: events, participants, the meetings recorded.

A mixin of :class:`~mapservice.storage.sql.SqlRepository`; every write is one transaction,
whole or not at all (the saved table plan: :mod:`mapservice.storage.event_plan_store`).
Recording meetings moves their synergies to « contacted » in the same transaction
(:func:`~mapservice.storage.board_store.move_all`, the board's own move).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from mapservice.domain.model import SynergyStatus
from mapservice.errors import InvalidInput, NotFound, ntr, tr
from mapservice.events.model import Event, MeetingRecord, NewMeeting
from mapservice.storage import schema as t
from mapservice.storage.board_store import move_all
from mapservice.storage.event_schema import event_meetings, event_participants, event_seats, events

#: Rows per ``IN (…)``: well under SQLite's bound on parameters.
CHUNK = 900


def utc_now() -> datetime:
    return datetime.now(UTC)


def _event_of(row: Any, n_participants: int = 0) -> Event:
    return Event(
        id=row.id,
        title=row.title,
        event_date=row.event_date,
        place=row.place,
        created_by=row.created_by,
        created_at=row.created_at,
        updated_at=row.updated_at,
        plan_tables=row.plan_tables,
        plan_seats=row.plan_seats,
        planned_by=row.planned_by,
        planned_at=row.planned_at,
        n_participants=n_participants,
    )


def _no_event(event_id: int) -> NotFound:
    return NotFound(tr("Aucun événement n'a le numéro {event_id}.", event_id=event_id))


def locked_event(conn: Connection, event_id: int) -> Any:
    """The event's row, locked for the transaction (PostgreSQL; SQLite's ``BEGIN IMMEDIATE``
    already holds the database); :class:`NotFound` when there is none."""
    row = conn.execute(sa.select(events).where(events.c.id == event_id).with_for_update()).first()
    if row is None:
        raise _no_event(event_id)
    return row


def participant_ids(conn: Connection, event_id: int) -> set[int]:
    p = event_participants.c
    return set(conn.execute(sa.select(p.member_id).where(p.event_id == event_id)).scalars())


class EventStore:
    def _begin(self) -> AbstractContextManager[Connection]:  # pragma: no cover - provided
        raise NotImplementedError

    def _connect(self) -> AbstractContextManager[Connection]:  # pragma: no cover - provided
        raise NotImplementedError

    # --- events -------------------------------------------------------------------------------

    def add_event(self, title: str, event_date: date, place: str, *, author: str) -> int:
        now = utc_now()
        with self._begin() as conn:
            result = conn.execute(
                events.insert().values(
                    title=title,
                    event_date=event_date,
                    place=place,
                    created_by=author,
                    created_at=now,
                    updated_at=now,
                )
            )
            return int(result.inserted_primary_key[0])  # type: ignore[index]

    def events(self) -> list[Event]:
        """Every event, the most recent date first, with its number of participants."""
        p = event_participants.c
        counts = (
            sa.select(p.event_id, sa.func.count().label("n"))
            .group_by(p.event_id)
            .subquery("counts")
        )
        query = (
            sa.select(events, sa.func.coalesce(counts.c.n, 0).label("n_participants"))
            .outerjoin(counts, counts.c.event_id == events.c.id)
            .order_by(events.c.event_date.desc(), events.c.id.desc())
        )
        with self._connect() as conn:
            return [_event_of(r, int(r.n_participants)) for r in conn.execute(query)]

    def get_event(self, event_id: int) -> Event:
        with self._connect() as conn:
            row = conn.execute(sa.select(events).where(events.c.id == event_id)).first()
            if row is None:
                raise _no_event(event_id)
            return _event_of(row, len(participant_ids(conn, event_id)))

    # --- participants -------------------------------------------------------------------------

    def event_participants(self, event_id: int) -> list[int]:
        """The member ids of the event's participants, in the order they were added."""
        p = event_participants.c
        query = (
            sa.select(p.member_id).where(p.event_id == event_id).order_by(p.added_at, p.member_id)
        )
        with self._connect() as conn:
            return [int(i) for i in conn.execute(query).scalars()]

    def add_participants(self, event_id: int, member_ids: Iterable[int], *, author: str) -> int:
        """Add members to the event; return how many were not there yet. Refused whole
        (:class:`InvalidInput`, ``missing``: their ids) when one of them no longer exists."""
        wanted = sorted(set(member_ids))
        now = utc_now()
        with self._begin() as conn:
            locked_event(conn, event_id)
            existing: set[int] = set()
            for start in range(0, len(wanted), CHUNK):
                chunk = wanted[start : start + CHUNK]
                existing.update(
                    conn.execute(
                        sa.select(t.members.c.id).where(t.members.c.id.in_(chunk))
                    ).scalars()
                )
            missing = [i for i in wanted if i not in existing]
            if missing:
                raise InvalidInput(
                    ntr(
                        "Aucun participant n'a été ajouté : {n} membre n'existe plus "
                        "(n° {ids}). Rechargez la page et choisissez à nouveau.",
                        "Aucun participant n'a été ajouté : {n} membres n'existent plus "
                        "(n° {ids}). Rechargez la page et choisissez à nouveau.",
                        len(missing),
                        ids=", ".join(map(str, missing)),
                    ),
                    field="members",
                    missing=missing,
                )
            new = [i for i in wanted if i not in participant_ids(conn, event_id)]
            if new:
                conn.execute(
                    event_participants.insert(),
                    [
                        {"event_id": event_id, "member_id": i, "added_by": author, "added_at": now}
                        for i in new
                    ],
                )
                conn.execute(events.update().where(events.c.id == event_id).values(updated_at=now))
        return len(new)

    def remove_participant(self, event_id: int, member_id: int) -> None:
        """Take a member out of the event, and out of its seat in the plan."""
        p = event_participants.c
        with self._begin() as conn:
            locked_event(conn, event_id)
            gone = conn.execute(
                event_participants.delete().where(p.event_id == event_id, p.member_id == member_id)
            ).rowcount
            if not gone:
                raise NotFound(
                    tr(
                        "Le membre n° {member_id} ne participe pas à cet événement.",
                        member_id=member_id,
                    )
                )
            # The seat goes with it (a foreign key's cascade, written out for clarity).
            conn.execute(
                event_seats.delete().where(
                    event_seats.c.event_id == event_id, event_seats.c.member_id == member_id
                )
            )
            conn.execute(
                events.update().where(events.c.id == event_id).values(updated_at=utc_now())
            )

    # --- meetings -----------------------------------------------------------------------------

    def event_meetings(self, event_id: int) -> list[MeetingRecord]:
        m = event_meetings.c
        query = sa.select(event_meetings).where(m.event_id == event_id).order_by(m.id)
        with self._connect() as conn:
            return [
                MeetingRecord(
                    id=r.id,
                    event_id=r.event_id,
                    synergy_id=r.synergy_id,
                    member_a_id=r.member_a_id,
                    member_b_id=r.member_b_id,
                    took_place=bool(r.took_place),
                    recorded_by=r.recorded_by,
                    recorded_at=r.recorded_at,
                )
                for r in conn.execute(query)
            ]

    def record_meetings(
        self, event_id: int, meetings: Sequence[NewMeeting], *, author: str, note: str
    ) -> int:
        """Record the meetings and move their synergies to « contacted », each step noted
        with ``note``, in one transaction: all of them, or none (:class:`InvalidInput` says
        which synergy may not move, as the board's move does)."""
        at = utc_now()
        with self._begin() as conn:
            locked_event(conn, event_id)
            ids = sorted({m.synergy_id for m in meetings})
            move_all(conn, ids, SynergyStatus.CONTACTED, author=author, note=note, at=at)
            conn.execute(
                event_meetings.insert(),
                [
                    {
                        "event_id": event_id,
                        "synergy_id": m.synergy_id,
                        "member_a_id": m.member_a_id,
                        "member_b_id": m.member_b_id,
                        "took_place": True,
                        "recorded_by": author,
                        "recorded_at": at,
                    }
                    for m in {m.synergy_id: m for m in meetings}.values()
                ],
            )
            conn.execute(events.update().where(events.c.id == event_id).values(updated_at=at))
        return len(ids)
