"""Files only the service's own account may read (mode 0600): the database, backups, exports.

The registry holds contacts and confidential quantities; a file created with the default
umask (0644) would let any account on the machine read them. SQLite gives its ``-wal``,
``-shm`` and ``-journal`` files the mode of the database file, so creating that file 0600
before SQLite opens it is enough for all four.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

#: Read and write for the owner, nothing for anyone else.
PRIVATE_MODE = 0o600


def create_private(path: Path) -> bool:
    """Create ``path`` empty with mode 0600 if it does not exist; whether it was created.

    An empty file is a valid empty SQLite database, and ``pg_dump --file`` or a workbook writer
    truncate a file without changing its mode.
    """
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_MODE)
    except FileExistsError:
        return False
    os.close(fd)
    return True


def open_private_text(path: Path) -> IO[str]:
    """Open ``path`` for writing text (UTF-8, no newline translation), mode 0600 if created.

    A file that was already there is truncated and made 0600 too.
    """
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_MODE)
    os.fchmod(fd, PRIVATE_MODE)
    return os.fdopen(fd, "w", encoding="utf-8", newline="")


@contextmanager
def private_staging(path: Path) -> Iterator[Path]:
    """A path to write ``path``'s content at, in a folder only the owner can enter (0700) beside
    it; on success the file becomes 0600 and replaces ``path``, else it is gone.

    For writers that create their file with the umask's mode (GDAL): nobody else can open it
    while it is written, nor the journal files written next to it.
    """
    folder = Path(tempfile.mkdtemp(prefix=".mapservice-", dir=path.parent))
    try:
        staged = folder / path.name
        yield staged
        make_private(staged)
        os.replace(staged, path)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def make_private(path: Path) -> None:
    """Set ``path`` to mode 0600 (a file a library created with the umask's mode)."""
    os.chmod(path, PRIVATE_MODE)
