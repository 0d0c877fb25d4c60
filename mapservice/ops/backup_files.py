"""What backups of either database share: their errors, the tables a backup must hold, the
revision check, and the staging file a copy is written to before it is renamed into place."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from mapservice.errors import MapserviceError, tr
from mapservice.private_files import create_private

#: Tables every mapservice database has had since the first revision.
REQUIRED_TABLES = frozenset(
    {"alembic_version", "municipalities", "parks", "members", "sites", "flows"}
)


class BackupError(MapserviceError):
    """A backup or a restore could not be made; the database was left as it was."""

    code = "backup_failed"


class InvalidBackup(BackupError):
    """The file to restore is not a mapservice database this version can use."""

    status = 422
    code = "invalid_backup"


def known_revision(revision: str, what: str) -> str:
    """Return ``revision`` if this code knows it; else say why it cannot be restored."""
    from mapservice.storage.sql import known_revisions

    known = known_revisions()
    if revision not in known:
        raise InvalidBackup(
            tr(
                "{what} a un schéma plus récent que ce code (révision {revision} ; ce code connaît "
                "jusqu'à {known}) : mettez mapservice à jour avant de restaurer.",
                what=what,
                revision=revision,
                known=known[-1],
            )
        )
    return revision


@contextmanager
def staging_file(path: Path, suffix: str) -> Iterator[Path]:
    """A temporary file in ``path``'s folder (so a rename is atomic), removed afterwards.

    It is created empty with mode 0600, which the copy written into it keeps (SQLite gives its
    journal files the same), and so does the file it is renamed to.
    """
    temp = path.with_name(f".{path.name}{suffix}-{os.getpid()}")
    for extra in ("", "-journal", "-wal", "-shm"):
        Path(f"{temp}{extra}").unlink(missing_ok=True)
    create_private(temp)
    try:
        yield temp
    finally:
        for extra in ("", "-journal", "-wal", "-shm"):
            Path(f"{temp}{extra}").unlink(missing_ok=True)


def flush_to_disk(path: Path) -> None:
    """Flush ``path`` to disk before it is renamed into place."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
