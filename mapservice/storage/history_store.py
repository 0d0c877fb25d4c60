"""The audit log read back: a row's history, and the rows deleted and still gone."""

from __future__ import annotations

from contextlib import AbstractContextManager

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from mapservice.domain.audit import AuditEntry
from mapservice.storage import schema as t
from mapservice.storage.audit_store import AUDITED, entry_of, pk_column


class HistoryStore:
    """Reads the audit log (a mixin of :class:`~mapservice.storage.sql.SqlRepository`)."""

    def _connect(self) -> AbstractContextManager[Connection]:  # pragma: no cover - provided
        raise NotImplementedError

    def history(self, table: str, record_id: int | str) -> list[AuditEntry]:
        """Every entry about one row, oldest first."""
        log = t.audit_log
        query = (
            sa.select(log)
            .where(log.c.table_name == table, log.c.record_id == str(record_id))
            .order_by(log.c.id)
        )
        with self._connect() as conn:
            return [entry_of(r) for r in conn.execute(query)]

    def deleted_records(self, table: str) -> list[AuditEntry]:
        """The last deletion entry of every row of ``table`` that is still gone, newest first."""
        log, tbl = t.audit_log, AUDITED[table]
        pk = pk_column(tbl)
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
                latest.setdefault(r.record_id, entry_of(r))
        return list(latest.values())
