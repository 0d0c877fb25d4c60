"""The database's own use cases, for the commands that run it: its schema revision against
the code's, an upgrade in place, and the rows of each table."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mapservice.services import Services


@dataclass(frozen=True)
class SchemaState:
    """The database's schema revision (None before ``init``) and the one this code expects."""

    backend: str
    revision: str | None
    head: str | None

    @property
    def current(self) -> bool:
        return self.revision == self.head


def schema_state(svc: Services) -> SchemaState:
    return SchemaState(svc.repo.backend, svc.repo.revision(), svc.repo.head_revision())


def upgrade_schema(svc: Services) -> SchemaState:
    """Bring the schema up to this code's revision (nothing is lost); the state after."""
    svc.repo.migrate()
    return schema_state(svc)


def table_counts(svc: Services) -> dict[str, int]:
    """The number of rows of each table, by table name."""
    return svc.repo.counts()
