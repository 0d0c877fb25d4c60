"""The embedded default: one SQLite file, no server to run.

Durability under concurrent writers rests on four settings made on every new connection: WAL
(readers go on while one writes), a busy timeout (a writer waits its turn instead of failing),
foreign keys, and transactions begun by SQLAlchemy rather than by the driver, so that a write
transaction can start with ``BEGIN IMMEDIATE`` (see :func:`_on_begin`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from mapservice.errors import StorageError
from mapservice.storage.sql import WRITE_OPTION, SqlRepository

#: How long a connection waits for another one's write lock before giving up, in milliseconds.
BUSY_TIMEOUT_MS = 10_000


def _on_connect(dbapi_conn: Any, _record: Any) -> None:
    # The driver's own transaction handling begins a transaction only before an INSERT, UPDATE
    # or DELETE, so the reads a write depends on ran outside it; turn it off and let
    # `_on_begin` say BEGIN where SQLAlchemy begins.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys = ON")
    cur.execute("PRAGMA journal_mode = WAL")
    cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cur.close()


def _on_begin(conn: Connection) -> None:
    """Begin a write transaction with ``BEGIN IMMEDIATE``, a read with a plain ``BEGIN``.

    A deferred transaction that has read and then writes must upgrade to the write lock; if
    another connection committed in between, SQLite refuses at once ("database is locked") and
    the busy timeout cannot help, since waiting would not make the snapshot it read current.
    Taking the write lock at BEGIN makes writers queue on the busy timeout instead. Readers are
    not held up (WAL); a read gets one consistent snapshot for all its statements.
    """
    immediate = conn.get_execution_options().get(WRITE_OPTION, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


class SQLiteRepository(SqlRepository):
    backend = "sqlite"

    def _make_engine(self, url: str) -> Engine:
        path = url.split("///", 1)[1] if "///" in url else ""
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        sa.event.listen(engine, "connect", _on_connect)
        sa.event.listen(engine, "begin", _on_begin)
        return engine

    @contextmanager
    def _migrating(self) -> Iterator[Connection]:
        """One write transaction with foreign keys off, checked before it commits.

        Alembic's batch mode changes a table by copying it, dropping the old one and renaming
        the copy; with foreign keys on, the drop would delete (cascade) every row that points at
        the table. This is SQLite's own recipe for schema changes: keys off outside the
        transaction, change, ``PRAGMA foreign_key_check``, commit, keys on again.
        """
        try:
            with self._write_engine.connect() as conn:
                raw: Any = conn.connection.dbapi_connection
                raw.execute("PRAGMA foreign_keys = OFF")  # before BEGIN: a no-op inside one
                try:
                    with conn.begin():
                        yield conn
                        broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                        if broken:
                            raise StorageError(
                                "La mise à niveau du schéma a été annulée : elle laisserait des "
                                "références brisées.", detail=repr(broken[:10]))
                finally:
                    raw.execute("PRAGMA foreign_keys = ON")
        except sa.exc.OperationalError as exc:
            raise StorageError(
                "La base de données est indisponible.", detail=str(exc.orig)
            ) from exc
