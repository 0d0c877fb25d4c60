"""The audit log: one entry per write, inside the write's own transaction; history; restore.

A writer takes a :func:`snapshot` of the row before it writes and hands it to
:func:`record_change` on the same connection before its transaction ends, so an entry exists
exactly when the write committed; the importer does the same for many rows at once through
:class:`ImportAudit`. Snapshots are whole rows minus bookkeeping columns (see
:mod:`mapservice.domain.audit`), which makes every entry a version :meth:`AuditStore.restore` (a
mixin
of :class:`~mapservice.storage.sql.SqlRepository`) can write back.
"""

from __future__ import annotations

import json
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from mapservice.domain.audit import ACTIONS, AuditEntry, redacted
from mapservice.domain.text import fold
from mapservice.errors import InvalidInput, NotFound, tr
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
#: other columns, and sign-in and token-use bookkeeping.
_SKIPPED = frozenset(
    {
        "updated_at",
        "updated_by",
        "name_key",
        "site_key",
        "description_key",
        "failed_logins",
        "locked_until",
        "last_used_at",
    }
)


def _now() -> datetime:
    return datetime.now(UTC)


def _utc(value: datetime) -> datetime:
    # SQLite hands back naive datetimes (written in UTC), PostgreSQL aware ones.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _jsonable(value: Any) -> Any:
    return _utc(value).isoformat() if isinstance(value, datetime) else value


def _pk(table: sa.Table) -> sa.Column[Any]:
    return next(iter(table.primary_key.columns))


def _key(table: sa.Table, record_id: int | str) -> int | str:
    return int(record_id) if isinstance(_pk(table).type, sa.Integer) else str(record_id)


def _kept(table: sa.Table) -> list[sa.Column[Any]]:
    """The columns a snapshot keeps."""
    pk = _pk(table)
    return [c for c in table.columns if c.name not in _SKIPPED and c is not pk]


def snapshot(conn: Connection, table: str, record_id: int | str) -> dict[str, Any] | None:
    """The row as an entry keeps it (JSON-ready), or None when there is none."""
    tbl = AUDITED[table]
    row = conn.execute(sa.select(tbl).where(_pk(tbl) == _key(tbl, record_id))).first()
    if row is None:
        return None
    return {c.name: _jsonable(row._mapping[c.name]) for c in _kept(tbl)}


def _column_values(table: sa.Table, values: dict[str, Any]) -> dict[str, Any]:
    """Values of a snapshot as the table's columns take them."""
    out = {}
    for name, value in values.items():
        if name not in table.c:
            continue  # a column dropped since the entry was written
        if isinstance(table.c[name].type, sa.DateTime) and isinstance(value, str):
            value = datetime.fromisoformat(value)
        out[name] = value
    return out


def _entry(r: sa.Row[Any]) -> AuditEntry:
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
            at=_now(),
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

    Restoring the flow brings them back (:meth:`AuditStore.restore`). Candidates are not kept:
    the next matching run finds them again.
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


def _restore_synergies(conn: Connection, flow_id: int, *, actor: str, now: datetime) -> int:
    """Write back the tracked synergies logged by :func:`archive_synergies` that involve
    ``flow_id``, once both their flows exist; return how many came back.

    A synergy comes back with its id (a new one if another synergy took it) and its history.
    When matching has since stored the same pair again as a mere candidate, the candidate
    gives way; a pair tracked again since is left as it is.
    """
    log, s, e = t.audit_log, t.synergies, t.synergy_events
    entries = conn.execute(
        sa.select(log)
        .where(log.c.table_name == SYNERGIES, log.c.action == "delete")
        .order_by(log.c.id.desc())
    ).all()
    flows_now = {r[0] for r in conn.execute(sa.select(t.flows.c.id))}
    done: set[str] = set()
    restored = 0
    for entry in entries:
        if entry.record_id in done or entry.old_values is None:
            continue
        done.add(entry.record_id)  # the latest deletion of each synergy counts
        old = json.loads(entry.old_values)
        ends = (old.get("output_flow_id"), old.get("input_flow_id"))
        if flow_id not in ends or not all(end in flows_now for end in ends):
            continue
        pair = (s.c.output_flow_id == ends[0]) & (s.c.input_flow_id == ends[1])
        present = conn.execute(sa.select(s.c.id, s.c.status).where(pair)).first()
        if present is not None:
            if present.status != "candidate":
                continue
            conn.execute(s.delete().where(s.c.id == present.id))
        values = _column_values(s, {k: v for k, v in old.items() if k != "events"})
        values["updated_at"] = now
        taken = conn.execute(sa.select(s.c.id).where(s.c.id == int(entry.record_id))).first()
        if taken is None:
            values["id"] = int(entry.record_id)
        synergy_id = int(conn.execute(s.insert().values(**values)).inserted_primary_key[0])  # type: ignore[index]
        for event in old.get("events", []):
            conn.execute(e.insert().values(synergy_id=synergy_id, **_column_values(e, event)))
        record_audit(
            conn,
            actor=actor,
            action="restore",
            table=SYNERGIES,
            record_id=synergy_id,
            new={k: v for k, v in old.items() if k != "events"},
            note=f"avec le flux n° {flow_id} (entrée n° {entry.id})",
        )
        restored += 1
    return restored


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
                "at": _now(),
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
    """Writes entries on the caller's connection; reads history; restores versions."""

    def _connect(self) -> AbstractContextManager[Connection]:  # pragma: no cover - provided
        raise NotImplementedError

    if TYPE_CHECKING:  # provided by RegistryStore; stubs here would shadow it in the MRO

        def _write(self) -> AbstractContextManager[Connection]: ...

        def _check_member_name(
            self, conn: Connection, name: str, member_id: int | None
        ) -> None: ...

        def _check_site_name(
            self, conn: Connection, member_id: int, name: str, site_id: int | None
        ) -> None: ...

        def _check_flow(
            self,
            conn: Connection,
            site_id: int,
            direction: str,
            category: str,
            key: str,
            flow_id: int | None,
        ) -> None: ...

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

    # --- reading ------------------------------------------------------------------------------

    def history(self, table: str, record_id: int | str) -> list[AuditEntry]:
        """Every entry about one row, oldest first."""
        log = t.audit_log
        query = (
            sa.select(log)
            .where(log.c.table_name == table, log.c.record_id == str(record_id))
            .order_by(log.c.id)
        )
        with self._connect() as conn:
            return [_entry(r) for r in conn.execute(query)]

    def deleted_records(self, table: str) -> list[AuditEntry]:
        """The last deletion entry of every row of ``table`` that is still gone, newest first."""
        log, tbl = t.audit_log, AUDITED[table]
        pk = _pk(tbl)
        alive = sa.select(sa.cast(pk, sa.String(200)))
        query = (
            sa.select(log)
            .where(
                log.c.table_name == table, log.c.action == "delete", log.c.record_id.not_in(alive)
            )
            .order_by(log.c.id.desc())
        )
        latest: dict[str, AuditEntry] = {}
        with self._connect() as conn:
            for r in conn.execute(query):
                latest.setdefault(r.record_id, _entry(r))
        return list(latest.values())

    # --- restoring ----------------------------------------------------------------------------

    def restore(self, table: str, record_id: int, audit_id: int, actor: str) -> bool:
        """Write back the version entry ``audit_id`` left (the deleted row, for a deletion).

        One transaction, logged as a ``restore``; a deleted row comes back with its id. Refused
        (:class:`InvalidInput`) when the row it belongs to is gone and needed, when its name is
        now another's, or when its id now holds another row. Returns False when the row already
        is that version (nothing written).
        """
        if table not in RESTORABLE:
            msg = tr(
                "Table {table!r} : seules {allowed} se restaurent.",
                table=table,
                allowed=", ".join(RESTORABLE),
            )
            raise InvalidInput(msg, field="table")
        tbl = AUDITED[table]
        with self._write() as conn:
            version = self._version(conn, table, record_id, audit_id)
            current = snapshot(conn, table, record_id)
            if current == version:
                return False
            if current is not None and current.get("created_at") != version.get("created_at"):
                raise InvalidInput(
                    tr(
                        "L'identifiant {record_id} désigne maintenant un autre enregistrement "
                        "(créé le {current}) : cette version ne peut pas le "
                        "remplacer.",
                        record_id=record_id,
                        current=current.get("created_at"),
                    ),
                    field="audit_id",
                )
            row = self._checked(conn, table, record_id, _column_values(tbl, version))
            now = _now()
            if current is None:
                conn.execute(tbl.insert().values(id=record_id, **row, updated_at=now))
            else:
                conn.execute(
                    tbl.update().where(tbl.c.id == record_id).values(**row, updated_at=now)
                )
            if table == "members":  # maps show the member's name and consent on its sites
                conn.execute(
                    t.sites.update().where(t.sites.c.member_id == record_id).values(updated_at=now)
                )
            note = f"version de l'entrée n° {audit_id}"
            if table == "flows" and current is None:
                synergies = _restore_synergies(conn, record_id, actor=actor, now=now)
                if synergies:
                    note += f", avec {synergies} synergie(s) suivie(s)"
            record_audit(
                conn,
                actor=actor,
                action="restore",
                table=table,
                record_id=record_id,
                old=current,
                new=snapshot(conn, table, record_id),
                note=note,
            )
        return True

    def _version(
        self, conn: Connection, table: str, record_id: int, audit_id: int
    ) -> dict[str, Any]:
        log = t.audit_log
        found = conn.execute(
            sa.select(log).where(
                log.c.id == audit_id, log.c.table_name == table, log.c.record_id == str(record_id)
            )
        ).first()
        if found is None:
            raise NotFound(
                tr(
                    "Aucune entrée n° {audit_id} dans l'historique de {table} n° {record_id}.",
                    audit_id=audit_id,
                    table=table,
                    record_id=record_id,
                )
            )
        version = _entry(found).version
        if version is None:
            raise InvalidInput(
                tr(
                    "L'entrée n° {audit_id} ne garde aucune version à restaurer.", audit_id=audit_id
                ),
                field="audit_id",
            )
        return version

    def _checked(
        self, conn: Connection, table: str, record_id: int, row: dict[str, Any]
    ) -> dict[str, Any]:
        """``row`` with its derived keys, once its parent exists and its name is free."""
        if table == "members":
            self._check_member_name(conn, row["name"], record_id)
            return {**row, "name_key": fold(row["name"])}
        if table == "sites":
            self._parent(conn, t.members, row["member_id"], tr("Le membre"))
            self._check_site_name(conn, row["member_id"], row["name"], record_id)
            return {**row, "site_key": fold(row["name"])}
        self._parent(conn, t.sites, row["site_id"], tr("Le site"))
        key = fold(row["description"])[:500]
        self._check_flow(
            conn, row["site_id"], row["direction"], row["category_code"], key, record_id
        )
        return {**row, "description_key": key}

    def _parent(self, conn: Connection, table: sa.Table, parent_id: int, what: str) -> None:
        if conn.execute(sa.select(table.c.id).where(table.c.id == parent_id)).first() is None:
            raise InvalidInput(
                tr(
                    "{what} n° {parent_id} auquel cette version appartient "
                    "n'existe plus : restaurez-le d'abord.",
                    what=what,
                    parent_id=parent_id,
                ),
                field="audit_id",
            )
