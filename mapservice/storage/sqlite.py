"""The embedded default: one SQLite file, no server to run.

Durability under concurrent writers rests on four settings made on every new connection: WAL
(readers go on while one writes), a busy timeout (a writer waits its turn instead of failing),
foreign keys, and transactions begun by SQLAlchemy rather than by the driver, so that a write
transaction can start with ``BEGIN IMMEDIATE`` (see :func:`_on_begin`).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import urllib.parse
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from mapservice.errors import StorageError, tr
from mapservice.geo.spatial_index import SiteIndex, SpatialIndex
from mapservice.private_files import create_private
from mapservice.storage import schema as t
from mapservice.storage.sql import WRITE_OPTION, SqlRepository, storage_error

#: Columns of the sites' R*Tree (migration 0016) beside its ``id``.
RTREE_BOUNDS = ("min_lon", "max_lon", "min_lat", "max_lat")
#: What SQLite stores have beside the declared tables: the R*Tree of the sites' points
#: (migration 0016, kept by the triggers ``sites_rtree_insert|update|delete``) and the shadow
#: tables SQLite keeps for it. The queries name only ``sites_rtree``.
SQLITE_RTREE_TABLES = frozenset(
    {"sites_rtree", "sites_rtree_node", "sites_rtree_rowid", "sites_rtree_parent"}
)
SQLITE_RTREE_TRIGGERS = frozenset(
    f"sites_rtree_{write}" for write in ("insert", "update", "delete")
)
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


class _FileConnector:
    """Opens the database file, and creates it only if it has never been seen.

    Once the file has existed, a new connection opens it read-write but never creates it: if
    the file disappears (deleted, its disk unmounted), SQLite would otherwise start an empty
    database in its place and the next request would fail on missing tables, or a write would
    land where nobody will ever read it. The connection fails instead, and the request gets a
    clear "database unavailable".
    """

    def __init__(self, file: Path) -> None:
        self.file = file
        self.seen = file.exists()

    def __call__(self) -> sqlite3.Connection:
        mode = "rw" if self.seen else "rwc"
        if not self.seen:
            # 0600, and so its -wal, -shm and -journal files; a folder it cannot write to is
            # left to SQLite, which says so as a storage error.
            with contextlib.suppress(OSError):
                create_private(self.file)
        uri = f"file:{urllib.parse.quote(str(self.file))}?mode={mode}"
        conn = sqlite3.connect(
            uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False
        )
        self.seen = True
        return conn


def _identity(file: Path) -> tuple[int, int] | None:
    """The file's device and inode: which file the name stands for now (None: it is gone)."""
    try:
        st = os.stat(file)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def _watch(engine: Engine, file: Path) -> None:
    """Make sure every transaction works on the file that is at ``file`` now.

    A connection keeps the file it opened even after the name is deleted or replaced. So a
    connection remembers which file it opened; one taken from the pool after the name changed
    is thrown away (and a new one opens the new file, or fails if there is none), and a commit
    on a file that is no longer at ``file`` is refused, which rolls the transaction back.
    """

    def opened(_dbapi_conn: Any, record: Any) -> None:
        record.info["file"] = _identity(file)

    def taken(_dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        if _identity(file) != record.info.get("file"):
            raise sa.exc.DisconnectionError(f"{file} is no longer the file this connection has")

    def committing(conn: Connection) -> None:
        if _identity(file) != conn.info.get("file"):
            raise StorageError(
                tr(
                    "La base de données a disparu ou a été remplacée pendant l'opération : "
                    "rien n'a été enregistré."
                ),
                detail=f"{file} was deleted or replaced during the transaction",
            )

    sa.event.listen(engine, "connect", opened)
    sa.event.listen(engine, "checkout", taken)
    sa.event.listen(engine, "commit", committing)


class SQLiteRepository(SqlRepository):
    backend = "sqlite"

    def _bbox_clause(self, bbox: tuple[float, float, float, float]) -> sa.ColumnElement[bool]:
        # The R*Tree of migration 0016 gives candidates (its 32-bit bounds are rounded
        # outwards); the exact test on the stored lon/lat then keeps those in the box.
        min_lon, min_lat, max_lon, max_lat = bbox
        rtree = sa.table("sites_rtree", sa.column("id"), *map(sa.column, RTREE_BOUNDS))
        candidates = sa.select(rtree.c.id).where(
            rtree.c.min_lon <= max_lon,
            rtree.c.max_lon >= min_lon,
            rtree.c.min_lat <= max_lat,
            rtree.c.max_lat >= min_lat,
        )
        return t.sites.c.id.in_(candidates) & super()._bbox_clause(bbox)

    def site_index(self, points: Iterable[tuple[int, float, float]]) -> SpatialIndex:
        """The live index of placed sites: an rtree held by this process."""
        return SiteIndex(points)

    def _make_engine(self, url: str) -> Engine:
        path = url.split("///", 1)[1].split("?", 1)[0] if "///" in url else ""
        if not path or path == ":memory:":
            engine = sa.create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        else:
            file = Path(path).absolute()
            file.parent.mkdir(parents=True, exist_ok=True)
            engine = sa.create_engine(url, creator=_FileConnector(file))
            _watch(engine, file)
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
                                tr(
                                    "La mise à niveau du schéma a été annulée : elle laisserait "
                                    "des "
                                    "références brisées."
                                ),
                                detail=repr(broken[:10]),
                            )
                finally:
                    raw.execute("PRAGMA foreign_keys = ON")
        except sa.exc.DBAPIError as exc:
            raise storage_error(exc, writing=True) from exc
