"""Restoring a version the audit log kept: the row, and the tracked synergies of a flow."""

from __future__ import annotations

import json
from contextlib import AbstractContextManager
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from mapservice.domain.text import fold
from mapservice.errors import InvalidInput, NotFound, tr
from mapservice.storage import schema as t
from mapservice.storage.audit_store import (
    AUDITED,
    RESTORABLE,
    SYNERGIES,
    column_values,
    entry_of,
    record_audit,
    snapshot,
    utc_now,
)


def _restore_synergies(conn: Connection, flow_id: int, *, actor: str, now: datetime) -> int:
    """Write back the tracked synergies logged by
    :func:`~mapservice.storage.audit_store.archive_synergies` that involve ``flow_id``, once
    both their flows exist; return how many came back.

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
        values = column_values(s, {k: v for k, v in old.items() if k != "events"})
        values["updated_at"] = now
        taken = conn.execute(sa.select(s.c.id).where(s.c.id == int(entry.record_id))).first()
        if taken is None:
            values["id"] = int(entry.record_id)
        synergy_id = int(conn.execute(s.insert().values(**values)).inserted_primary_key[0])  # type: ignore[index]
        for event in old.get("events", []):
            conn.execute(e.insert().values(synergy_id=synergy_id, **column_values(e, event)))
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


class RestoreStore:
    """Writes back versions from the audit log (a mixin of
    :class:`~mapservice.storage.sql.SqlRepository`)."""

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
            row = self._checked(conn, table, record_id, column_values(tbl, version))
            now = utc_now()
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
                    suivie = "synergies suivies" if synergies >= 2 else "synergie suivie"
                    note += f", avec {synergies} {suivie}"
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
        version = entry_of(found).version
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
