"""The audit log written: one entry per write, inside the write's own transaction.

A writer takes a :func:`snapshot` of the row before it writes and hands it to
:func:`record_change` on the same connection before its transaction ends, so an entry exists
exactly when the write committed; the importer does the same for many rows at once through
:class:`ImportAudit`. Snapshots are whole rows minus bookkeeping columns (see
:mod:`mapservice.domain.audit`), which makes every entry a version
:mod:`~mapservice.storage.restore_store` can write back; :mod:`~mapservice.storage.history_store`
reads them.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from mapservice.domain.audit import ACTIONS, AuditEntry, redacted
from mapservice.storage import schema as t

#: The tables whose writes are logged, by the name entries carry.
AUDITED: dict[str, sa.Table] = {
    "members": t.members,
    "sites": t.sites,
    "flows": t.flows,
    "presenter_views": t.presenter_views,
    "users": t.users,
    "app_settings": t.app_settings,
    "api_tokens": t.api_tokens,
}
#: The tables whose earlier versions can be written back.
RESTORABLE = ("members", "sites", "flows")
#: Left out of snapshots: the clock and the writer (the entry has both), keys derived from
#: other columns, and sign-in, session and token-use bookkeeping.
_SKIPPED = frozenset(
    {
        "updated_at",
        "updated_by",
        "name_key",
        "site_key",
        "description_key",
        "failed_logins",
        "locked_until",
        "session_version",
        "last_used_at",
    }
)


def utc_now() -> datetime:
    return datetime.now(UTC)


def _utc(value: datetime) -> datetime:
    # SQLite hands back naive datetimes (written in UTC), PostgreSQL aware ones.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _jsonable(value: Any) -> Any:
    return _utc(value).isoformat() if isinstance(value, datetime) else value


def pk_column(table: sa.Table) -> sa.Column[Any]:
    return next(iter(table.primary_key.columns))


def _key(table: sa.Table, record_id: int | str) -> int | str:
    return int(record_id) if isinstance(pk_column(table).type, sa.Integer) else str(record_id)


def _kept(table: sa.Table) -> list[sa.Column[Any]]:
    """The columns a snapshot keeps."""
    pk = pk_column(table)
    return [c for c in table.columns if c.name not in _SKIPPED and c is not pk]


def snapshot(conn: Connection, table: str, record_id: int | str) -> dict[str, Any] | None:
    """The row as an entry keeps it (JSON-ready), or None when there is none."""
    tbl = AUDITED[table]
    row = conn.execute(sa.select(tbl).where(pk_column(tbl) == _key(tbl, record_id))).first()
    if row is None:
        return None
    return {c.name: _jsonable(row._mapping[c.name]) for c in _kept(tbl)}


def column_values(table: sa.Table, values: dict[str, Any]) -> dict[str, Any]:
    """Values of a snapshot as the table's columns take them."""
    out = {}
    for name, value in values.items():
        if name not in table.c:
            continue  # a column dropped since the entry was written
        if isinstance(table.c[name].type, sa.DateTime) and isinstance(value, str):
            value = datetime.fromisoformat(value)
        out[name] = value
    return out


def entry_of(r: sa.Row[Any]) -> AuditEntry:
    return AuditEntry(
        id=r.id,
        at=_utc(r.at),
        actor=r.actor,
        action=r.action,
        table_name=r.table_name,
        record_id=r.record_id,
        old_values=None if r.old_values is None else json.loads(r.old_values),
        new_values=None if r.new_values is None else json.loads(r.new_values),
        note=r.note,
    )


def record_audit(
    conn: Connection,
    *,
    actor: str,
    action: str,
    table: str,
    record_id: int | str,
    old: dict[str, Any] | None = None,
    new: dict[str, Any] | None = None,
    note: str | None = None,
) -> int | None:
    """Add an entry on ``conn``, inside the caller's transaction; return its id.

    Secrets are redacted here, whoever calls. An update that changed nothing leaves no entry
    (and returns None).
    """
    if action not in ACTIONS:
        msg = f"unknown audit action {action!r}: expected one of {', '.join(ACTIONS)}"
        raise ValueError(msg)
    if action == "update" and old == new:
        return None
    old, new = redacted(old, new)  # after the comparison: a new hash shows as *** → ***
    done = conn.execute(
        t.audit_log.insert().values(
            at=utc_now(),
            actor=(actor or "?")[:200],
            action=action,
            table_name=table,
            record_id=str(record_id)[:200],
            note=note,
            old_values=None if old is None else json.dumps(old, ensure_ascii=False),
            new_values=None if new is None else json.dumps(new, ensure_ascii=False),
        )
    )
    key = done.inserted_primary_key
    return None if key is None else int(key[0])


def record_change(
    conn: Connection,
    table: str,
    record_id: int | str,
    before: dict[str, Any] | None,
    *,
    actor: str,
    note: str | None = None,
) -> int | None:
    """Log what became of the row ``before`` was taken from (None: it did not exist yet):
    created, changed or gone. Call it on the writer's connection before the commit."""
    after = snapshot(conn, table, record_id)
    action = "create" if before is None else "delete" if after is None else "update"
    return record_audit(
        conn,
        actor=actor,
        action=action,
        table=table,
        record_id=record_id,
        old=before,
        new=after,
        note=note,
    )


#: The name the log gives a synergy deleted with one of its flows (see :func:`archive_synergies`).
SYNERGIES = "synergies"


def archive_synergies(conn: Connection, flow_id: int, *, actor: str) -> int:
    """Log each tracked synergy of ``flow_id`` (status other than ``candidate``) with its
    pipeline history, before the flow's deletion takes them along; return how many.

    Restoring the flow brings them back (:mod:`~mapservice.storage.restore_store`). Candidates
    are not kept: the next matching run finds them again.
    """
    s, e = t.synergies, t.synergy_events
    rows = conn.execute(
        sa.select(s)
        .where(
            sa.or_(s.c.output_flow_id == flow_id, s.c.input_flow_id == flow_id),
            s.c.status != "candidate",
        )
        .order_by(s.c.id)
    ).all()
    for row in rows:
        kept = {c.name: _jsonable(row._mapping[c.name]) for c in s.columns if c.name != "id"}
        kept["events"] = [
            {
                c.name: _jsonable(ev._mapping[c.name])
                for c in e.columns
                if c.name not in ("id", "synergy_id")
            }
            for ev in conn.execute(
                sa.select(e).where(e.c.synergy_id == row.id).order_by(e.c.at, e.c.id)
            )
        ]
        record_audit(
            conn,
            actor=actor,
            action="delete",
            table=SYNERGIES,
            record_id=row.id,
            old=kept,
            note=f"supprimée avec le flux n° {flow_id}",
        )
    return len(rows)


def _default(column: sa.Column[Any]) -> Any:
    """What the database puts in a column an insert leaves out (the audited tables' server
    defaults are booleans; anything else is None)."""
    arg = getattr(column.server_default, "arg", None)
    if isinstance(arg, sa.sql.elements.False_):
        return False
    if isinstance(arg, sa.sql.elements.True_):
        return True
    return arg if isinstance(arg, str) else None


class ImportAudit:
    """One entry per row an import inserts or changes, and one ``import`` entry for the file.

    The importer calls :meth:`created` and :meth:`updated` as it writes, on its own connection,
    and :meth:`finish` before it commits. Entries are built from what the importer already
    holds (no extra read) and written 500 at a time.
    """

    BATCH = 500

    def __init__(self, actor: str, source: str) -> None:
        self.actor = (actor or "?")[:200]
        self.source = source
        self.note = f"import {source}"[:1000] if source else "import"
        self._rows: list[dict[str, Any]] = []

    def created(self, conn: Connection, table: str, record_id: int, values: dict[str, Any]) -> None:
        """A row the import inserted with ``values`` (natural key, columns and ``created_at``)."""
        row = {
            c.name: _jsonable(values[c.name]) if c.name in values else _default(c)
            for c in _kept(AUDITED[table])
        }
        self._add(conn, "create", table, record_id, None, row)

    def updated(
        self, conn: Connection, table: str, record_id: int, current: Any, changed: dict[str, Any]
    ) -> None:
        """A row the import changed: ``current`` is the row as read, ``changed`` what it wrote."""
        old = {c.name: _jsonable(current[c.name]) for c in _kept(AUDITED[table])}
        new = {**old, **{k: _jsonable(v) for k, v in changed.items() if k in old}}
        self._add(conn, "update", table, record_id, old, new)

    def finish(self, conn: Connection, counts: dict[str, dict[str, int]]) -> None:
        """Write what is left, then the file's own entry with its counts."""
        self._add(
            conn,
            "import",
            "imports",
            self.source or "?",
            None,
            {"source": self.source, **counts},
            note=self.note,
        )
        self._flush(conn)

    def _add(
        self,
        conn: Connection,
        action: str,
        table: str,
        record_id: int | str,
        old: dict[str, Any] | None,
        new: dict[str, Any] | None,
        note: str | None = None,
    ) -> None:
        self._rows.append(
            {
                "at": utc_now(),
                "actor": self.actor,
                "action": action,
                "table_name": table,
                "record_id": str(record_id)[:200],
                "note": note or self.note,
                "old_values": None if old is None else json.dumps(old, ensure_ascii=False),
                "new_values": None if new is None else json.dumps(new, ensure_ascii=False),
            }
        )
        if len(self._rows) >= self.BATCH:
            self._flush(conn)

    def _flush(self, conn: Connection) -> None:
        if self._rows:
            conn.execute(t.audit_log.insert(), self._rows)
            self._rows = []


class AuditStore:
    """Writes entries on the caller's connection (history: :class:`HistoryStore`, restoring:
    :class:`RestoreStore`)."""

    def record_audit(
        self,
        conn: Connection,
        *,
        actor: str,
        action: str,
        table: str,
        record_id: int | str,
        old: dict[str, Any] | None = None,
        new: dict[str, Any] | None = None,
        note: str | None = None,
    ) -> int | None:
        """Add an entry on ``conn``, inside the caller's transaction (see :func:`record_audit`)."""
        return record_audit(
            conn,
            actor=actor,
            action=action,
            table=table,
            record_id=record_id,
            old=old,
            new=new,
            note=note,
        )
