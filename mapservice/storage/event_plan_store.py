"""The saved table plan of a maillage event: who sits at which table, in which seat.

A mixin of :class:`~mapservice.storage.sql.SqlRepository`; every write is one transaction,
refused whole when the plan no longer fits the event's participants or its seats.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from mapservice.errors import InvalidInput, ntr, tr
from mapservice.events.model import Seat
from mapservice.storage.event_schema import event_seats, events
from mapservice.storage.event_store import locked_event, participant_ids, utc_now


class EventPlanStore:
    def _begin(self) -> AbstractContextManager[Connection]:  # pragma: no cover - provided
        raise NotImplementedError

    def _connect(self) -> AbstractContextManager[Connection]:  # pragma: no cover - provided
        raise NotImplementedError

    def event_seats(self, event_id: int) -> list[Seat]:
        s = event_seats.c
        query = (
            sa.select(s.member_id, s.table_number, s.seat_order)
            .where(s.event_id == event_id)
            .order_by(s.table_number, s.seat_order, s.member_id)
        )
        with self._connect() as conn:
            return [Seat(r.member_id, r.table_number, r.seat_order) for r in conn.execute(query)]

    def save_plan(
        self, event_id: int, seats: Sequence[Seat], *, tables: int, per_table: int, author: str
    ) -> None:
        """Replace the event's plan with ``seats`` (``tables`` tables of ``per_table`` seats).

        Refused whole (:class:`InvalidInput`) when a seated member is no longer a participant,
        or when the plan seats more people than it has seats.
        """
        now = utc_now()
        with self._begin() as conn:
            locked_event(conn, event_id)
            present = participant_ids(conn, event_id)
            gone = sorted({s.member_id for s in seats} - present)
            if gone:
                raise InvalidInput(
                    ntr(
                        "Le plan n'a pas été enregistré : {n} personne du plan ne "
                        "participe plus à l'événement (membre n° {ids}). Proposez un "
                        "nouveau plan.",
                        "Le plan n'a pas été enregistré : {n} personnes du plan ne "
                        "participent plus à l'événement (membres n° {ids}). Proposez un "
                        "nouveau plan.",
                        len(gone),
                        ids=", ".join(map(str, gone)),
                    ),
                    field="plan",
                )
            _check_capacity(seats, tables, per_table)
            conn.execute(event_seats.delete().where(event_seats.c.event_id == event_id))
            if seats:
                conn.execute(
                    event_seats.insert(),
                    [
                        {
                            "event_id": event_id,
                            "member_id": s.member_id,
                            "table_number": s.table_number,
                            "seat_order": s.seat_order,
                        }
                        for s in seats
                    ],
                )
            conn.execute(
                events.update()
                .where(events.c.id == event_id)
                .values(
                    plan_tables=tables,
                    plan_seats=per_table,
                    planned_by=author,
                    planned_at=now,
                    updated_at=now,
                )
            )

    def move_seat(self, event_id: int, member_id: int, table_number: int) -> None:
        """Seat a participant at the end of another table of the saved plan. Refused
        (:class:`InvalidInput`) when the plan has no such table, the table is full, or the
        member is not (or no longer) a participant."""
        s = event_seats.c
        with self._begin() as conn:
            row = locked_event(conn, event_id)
            if row.plan_tables is None:
                raise InvalidInput(
                    tr("Cet événement n'a pas encore de plan : proposez-en un d'abord."),
                    field="table",
                )
            if not 1 <= table_number <= row.plan_tables:
                raise InvalidInput(
                    tr(
                        "Table invalide : {got} (attendu : de 1 à {tables}).",
                        got=table_number,
                        tables=row.plan_tables,
                    ),
                    field="table",
                )
            if member_id not in participant_ids(conn, event_id):
                raise InvalidInput(
                    tr(
                        "Le membre n° {member_id} ne participe plus à cet événement : rien "
                        "n'a été déplacé.",
                        member_id=member_id,
                    ),
                    field="member",
                )
            at_table = conn.execute(
                sa.select(s.member_id, s.seat_order).where(
                    s.event_id == event_id, s.table_number == table_number
                )
            ).all()
            if any(r.member_id == member_id for r in at_table):
                return
            if len(at_table) >= row.plan_seats:
                raise InvalidInput(
                    tr(
                        "La table {table} est pleine ({seats} places sur {seats}) : libérez "
                        "une place d'abord.",
                        table=table_number,
                        seats=row.plan_seats,
                    ),
                    field="table",
                )
            seat = max((r.seat_order for r in at_table), default=0) + 1
            conn.execute(
                event_seats.delete().where(s.event_id == event_id, s.member_id == member_id)
            )
            conn.execute(
                event_seats.insert().values(
                    event_id=event_id,
                    member_id=member_id,
                    table_number=table_number,
                    seat_order=seat,
                )
            )
            conn.execute(
                events.update().where(events.c.id == event_id).values(updated_at=utc_now())
            )

    def swap_seats(self, event_id: int, member_id: int, other_id: int) -> None:
        """Exchange the seats of two seated participants of the saved plan. Refused
        (:class:`InvalidInput`) when either is not seated (or no longer a participant)."""
        s = event_seats.c
        with self._begin() as conn:
            locked_event(conn, event_id)
            rows = {
                r.member_id: r
                for r in conn.execute(
                    sa.select(event_seats).where(
                        s.event_id == event_id, s.member_id.in_([member_id, other_id])
                    )
                )
            }
            missing = [i for i in (member_id, other_id) if i not in rows]
            if missing:
                raise InvalidInput(
                    tr(
                        "Le membre n° {member_id} n'a pas de place dans le plan : rien n'a "
                        "été déplacé.",
                        member_id=missing[0],
                    ),
                    field="member",
                )
            for mine, theirs in ((member_id, other_id), (other_id, member_id)):
                conn.execute(
                    event_seats.update()
                    .where(s.event_id == event_id, s.member_id == mine)
                    .values(
                        table_number=rows[theirs].table_number, seat_order=rows[theirs].seat_order
                    )
                )
            conn.execute(
                events.update().where(events.c.id == event_id).values(updated_at=utc_now())
            )


def _check_capacity(seats: Sequence[Seat], tables: int, per_table: int) -> None:
    """Refuse a plan that seats more people than ``tables`` × ``per_table``, or outside them."""
    if len(seats) > tables * per_table:
        raise InvalidInput(
            tr(
                "Plan impossible : {n} personnes pour {tables} tables de {seats} places "
                "({capacity} places).",
                n=len(seats),
                tables=tables,
                seats=per_table,
                capacity=tables * per_table,
            ),
            field="plan",
        )
    by_table: dict[int, int] = {}
    for seat in seats:
        by_table[seat.table_number] = by_table.get(seat.table_number, 0) + 1
    wrong = sorted(n for n, k in by_table.items() if not 1 <= n <= tables or k > per_table)
    if wrong:
        raise InvalidInput(
            tr(
                "Plan impossible : la table {table} n'existe pas ou reçoit plus de {seats} "
                "personnes (attendu : des tables de 1 à {tables}).",
                table=wrong[0],
                seats=per_table,
                tables=tables,
            ),
            field="plan",
        )
