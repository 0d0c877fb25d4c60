"""The repository protocol every storage backend implements, with the same behaviour."""

from __future__ import annotations

from typing import Protocol

from mapservice.model import (
    Flow,
    ImportPlan,
    ImportResult,
    Member,
    Municipality,
    Park,
    Site,
)
from mapservice.reference import ReferenceData


class Repository(Protocol):
    """Where the registry and the reference data live.

    Every write method runs in one transaction: it commits whole or not at all.
    """

    backend: str

    def migrate(self, revision: str = "head") -> None:
        """Create the schema, or upgrade it in place to ``revision``."""

    def revision(self) -> str | None:
        """Return the schema revision, or None for an empty database."""

    def load_reference(self, ref: ReferenceData) -> dict[str, int]:
        """Replace the reference tables with ``ref``; return the row count per table."""

    def counts(self) -> dict[str, int]:
        """Return the number of rows of every table."""

    def parks(self) -> list[Park]: ...

    def municipalities(self) -> list[Municipality]: ...

    def members(self) -> list[Member]: ...

    def sites(
        self,
        *,
        park_id: str | None = None,
        municipality_id: str | None = None,
        bbox: tuple[float, float, float, float] | None = None,
    ) -> list[Site]:
        """Return sites, optionally those of one park, one municipality or inside a lon/lat box."""

    def get_site(self, site_id: int) -> Site:
        """Return one site or raise :class:`mapservice.errors.NotFound`."""

    def flows(self, *, site_ids: list[int] | None = None) -> list[Flow]: ...

    def apply_import(self, plan: ImportPlan, *, dry_run: bool = False) -> ImportResult:
        """Write ``plan`` (upserting by natural keys) in one transaction; roll back on dry run."""

    def close(self) -> None: ...
