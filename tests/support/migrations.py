"""The newest schema revision, read from the migration files themselves (not from the code
under test), so tests that check a database is at head need no edit for each migration."""

from __future__ import annotations

from pathlib import Path

import mapservice.storage.migrations as migrations

VERSIONS = Path(migrations.__file__).parent / "versions"


def latest_revision() -> str:
    """The number of the last migration file (``0016_sites_rtree.py`` → ``"0016"``)."""
    return max(p.name.split("_", 1)[0] for p in VERSIONS.glob("[0-9][0-9][0-9][0-9]_*.py"))
