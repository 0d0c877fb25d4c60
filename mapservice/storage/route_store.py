"""What the HTTP routing engines keep in the database: one answer per origin → destination pair.

A mixin of :class:`~mapservice.storage.sql.SqlRepository`. A matrix reads its cached pairs in a
few statements and writes its new answers in one transaction (one statement per
:data:`CHUNK` pairs), where a table of 100 × 100 pairs once cost 10,000 transactions.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from mapservice.storage import schema as t

T = TypeVar("T")

#: Pairs per statement: within SQLite's oldest limit on bound parameters (999).
CHUNK = 900

#: (road_m, duration_s); both None when the engine found no route (an answer too).
Answer = tuple[float | None, float | None]


class RouteStore:
    """Route answers by engine; needs ``_begin``/``_connect`` from the repository."""

    def _begin(self) -> AbstractContextManager[Connection]:  # pragma: no cover - provided
        raise NotImplementedError

    def _connect(self) -> AbstractContextManager[Connection]:  # pragma: no cover - provided
        raise NotImplementedError

    def route_answers(self, backend: str, keys: Iterable[str]) -> dict[str, Answer]:
        """The cached answers of ``backend`` among the pair ``keys``; a key never asked is
        absent, a pair without a route maps to ``(None, None)``."""
        table = t.route_cache
        found: dict[str, Answer] = {}
        with self._connect() as conn:
            for chunk in _chunks(sorted(set(keys)), CHUNK):
                rows = conn.execute(
                    sa.select(table.c.pair_key, table.c.road_m, table.c.duration_s).where(
                        table.c.backend == backend, table.c.pair_key.in_(chunk)
                    )
                )
                for key, road_m, duration_s in rows:
                    found[key] = (road_m, duration_s)
        return found

    def save_route_answers(self, backend: str, answers: Mapping[str, Answer]) -> int:
        """Remember ``answers`` (pair key → answer) in one transaction; a pair already there
        (another process asked it meanwhile) takes the new answer. Return how many."""
        now = datetime.now(UTC)
        rows = [
            {
                "backend": backend,
                "pair_key": key,
                "road_m": road_m,
                "duration_s": duration_s,
                "created_at": now,
            }
            for key, (road_m, duration_s) in sorted(answers.items())
        ]
        with self._begin() as conn:
            for chunk in _chunks(rows, CHUNK):
                conn.execute(_upsert(conn), chunk)
        return len(rows)

    def route_cache_size(self, backend: str | None = None) -> int:
        """How many pair answers are cached (of ``backend``, or of every engine)."""
        query = sa.select(sa.func.count()).select_from(t.route_cache)
        if backend is not None:
            query = query.where(t.route_cache.c.backend == backend)
        with self._connect() as conn:
            return int(conn.execute(query).scalar_one())


def _upsert(conn: Connection) -> sa.Insert:
    """INSERT … ON CONFLICT (backend, pair_key) DO UPDATE, in the connection's dialect."""
    table = t.route_cache
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    stmt = insert(table)
    return stmt.on_conflict_do_update(
        index_elements=[table.c.backend, table.c.pair_key],
        set_={
            "road_m": stmt.excluded.road_m,
            "duration_s": stmt.excluded.duration_s,
            "created_at": stmt.excluded.created_at,
        },
    )


def _chunks(values: list[T], size: int) -> Iterator[list[T]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]
