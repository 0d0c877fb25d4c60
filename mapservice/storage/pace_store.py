"""The pace of requests to an outside service, shared by every process on the database.

A mixin of :class:`~mapservice.storage.sql.SqlRepository`. One row per service holds the
earliest time its next request may leave; a claim reads and moves it in one transaction (SQLite:
``BEGIN IMMEDIATE``; PostgreSQL: the row locked ``FOR UPDATE``), so two claimants never get
slots less than ``min_delay_s`` apart. Times are the database's (PostgreSQL's
``clock_timestamp()``; SQLite's file is on this machine, so its clock is this machine's): app
servers whose clocks differ still share one pace.
"""

from __future__ import annotations

import time
from contextlib import AbstractContextManager

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from mapservice.storage import schema as t


class PaceStore:
    """Slots of outbound requests; needs ``_begin`` from the repository."""

    def _begin(self) -> AbstractContextManager[Connection]:  # pragma: no cover - provided
        raise NotImplementedError

    def claim_pace(self, key: str, min_delay_s: float) -> float:
        """Reserve the next request slot of ``key`` (at least ``min_delay_s`` after the one
        before); return the seconds to wait until it (0: send now), from when it returns: the
        time its commit took is already spent."""
        table = t.outbound_pace
        key = key[:200]
        with self._begin() as conn:
            insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
            conn.execute(
                insert(table)
                .values(key=key, next_at_s=0.0)
                .on_conflict_do_nothing(index_elements=[table.c.key])
            )
            next_at_s = conn.execute(
                sa.select(table.c.next_at_s).where(table.c.key == key).with_for_update()
            ).scalar_one()
            now_s, read_at = _now_s(conn), time.monotonic()
            slot_s = max(now_s, float(next_at_s))
            conn.execute(
                table.update().where(table.c.key == key).values(next_at_s=slot_s + min_delay_s)
            )
        return max(0.0, slot_s - now_s - (time.monotonic() - read_at))


def _now_s(conn: Connection) -> float:
    """The database's time, in seconds since 1970."""
    if conn.dialect.name == "postgresql":
        return float(
            conn.execute(sa.select(sa.extract("epoch", sa.func.clock_timestamp()))).scalar_one()
        )
    return time.time()
