"""What the audit log holds and how an entry reads, without a database.

An entry says who (``actor``) did what (``action``) to which row (``table_name``,
``record_id``) and when, with the row before (``old_values``, None for a creation) and after
(``new_values``, None for a deletion). Values are whole rows, minus bookkeeping columns, so
any entry is a version that can be restored. Secrets never reach it: a password or token hash
is written ``***``, and only when it changed. :mod:`mapservice.storage.audit_store` writes
entries, :mod:`~mapservice.storage.history_store` reads them.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from datetime import datetime
from typing import Any

#: What an entry records; ``import`` is one spreadsheet import as a whole.
ACTIONS = ("create", "update", "delete", "restore", "import")
#: What a secret (a password or token hash) is written as.
REDACTED = "***"
SECRET_COLUMNS = frozenset({"password_hash", "token_hash"})
#: Columns kept for restoring but not shown as changes.
QUIET_COLUMNS = frozenset({"created_at"})
#: Who a write is credited to when its caller named no one (a script, a test).
SYSTEM_ACTOR = "système"


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str
    action: str
    table_name: str
    record_id: str
    old_values: dict[str, Any] | None
    new_values: dict[str, Any] | None
    note: str | None = None

    @property
    def version(self) -> dict[str, Any] | None:
        """The row this entry leaves behind (the deleted row, for a deletion)."""
        return self.new_values if self.new_values is not None else self.old_values

    def changes(self) -> list[tuple[str, Any, Any]]:
        """``(column, old, new)`` for every column the entry changed, in column order."""
        old, new = self.old_values or {}, self.new_values or {}
        if self.old_values is None and self.new_values is None:
            return []
        names = list(new) + [name for name in old if name not in new]
        return [
            (name, old.get(name), new.get(name))
            for name in names
            if name not in QUIET_COLUMNS
            and (old.get(name) != new.get(name) or name in SECRET_COLUMNS)
        ]


def redacted(
    old: dict[str, Any] | None, new: dict[str, Any] | None
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """Return ``old`` and ``new`` with every secret written ``***`` where it changed (or
    appeared, or went), and left out where it stayed the same."""
    if old is None and new is None:
        return None, None
    old, new = (None if old is None else dict(old)), (None if new is None else dict(new))
    for name in SECRET_COLUMNS:
        before = None if old is None else old.pop(name, None)
        after = None if new is None else new.pop(name, None)
        if before == after:
            continue
        if old is not None:
            old[name] = REDACTED
        if new is not None:
            new[name] = REDACTED
    return old, new


def cli_actor() -> str:
    """Who a command-line write is credited to: ``cli:<system user>``, else ``cli``."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no login name (a container without a passwd entry)
        return "cli"
    return f"cli:{user}" if user else "cli"
