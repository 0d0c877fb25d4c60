"""Repository on SQLAlchemy Core, shared by the SQLite and PostGIS backends.

The two backends differ only where the database can do better (spatial filters on a GiST
index, connection set-up); everything else, and so every behaviour a test can see, is here.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from importlib import resources
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.sql.selectable import NamedFromClause

from mapservice.caching import ChangeStamp
from mapservice.domain.model import Flow, Member, Site
from mapservice.errors import NotFound, StorageError, StorageFull, tr
from mapservice.storage import schema as t
from mapservice.storage.account_store import AccountStore
from mapservice.storage.audit_store import AuditStore
from mapservice.storage.board_store import BoardStore
from mapservice.storage.engagement_store import EngagementStore
from mapservice.storage.event_plan_store import EventPlanStore
from mapservice.storage.event_store import EventStore
from mapservice.storage.geocode_store import GeocodeStore
from mapservice.storage.history_store import HistoryStore
from mapservice.storage.import_store import ImportStore
from mapservice.storage.pace_store import PaceStore
from mapservice.storage.reference_store import ReferenceStore
from mapservice.storage.registry_store import RegistryStore
from mapservice.storage.restore_store import RestoreStore
from mapservice.storage.route_store import RouteStore
from mapservice.storage.rows import flow_of, member_of, site_of
from mapservice.storage.synergy_store import SynergyStore
from mapservice.storage.view_store import ViewStore

#: Execution option that marks a connection's transactions as writes (see ``_begin``).
WRITE_OPTION = "mapservice_write"


def alembic_config() -> AlembicConfig:
    """Alembic's configuration for the migrations shipped with the package."""
    cfg = AlembicConfig()
    cfg.set_main_option(
        "script_location", str(resources.files("mapservice.storage") / "migrations")
    )
    return cfg


def known_revisions() -> list[str]:
    """Every schema revision this code knows, oldest first; the last is the head."""
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(alembic_config()).walk_revisions()
    return [script.revision for script in reversed(list(scripts))]


#: SQLite's "database or disk is full" and PostgreSQL's disk_full (SQLSTATE 53100).
_SQLITE_FULL = 13
_PG_DISK_FULL = "53100"


def storage_error(exc: sa.exc.DBAPIError, *, writing: bool) -> StorageError:
    """What a database error means to the person who asked: the disk is full, or the database
    cannot be reached (gone, restarted, connection cut). Either way the transaction was rolled
    back. Errors that are the query's fault (a constraint, a type) are not this function's:
    they come through as they are, since they are bugs to be fixed, not conditions to report.
    """
    orig = exc.orig
    if (
        getattr(orig, "sqlite_errorcode", None) == _SQLITE_FULL
        or getattr(orig, "sqlstate", None) == _PG_DISK_FULL
    ):
        return StorageFull(
            tr(
                "Le disque de la base de données est plein : rien n'a été "
                "enregistré. Libérez de l'espace, puis recommencez."
            ),
            detail=str(orig),
        )
    if isinstance(exc, sa.exc.OperationalError | sa.exc.InterfaceError) or (
        exc.connection_invalidated
    ):
        said = (
            tr(
                "La base de données est indisponible : rien n'a été enregistré. "
                "Réessayez dans un moment."
            )
            if writing
            else tr("La base de données est indisponible. Réessayez dans un moment.")
        )
        return StorageError(said, detail=str(orig))
    raise exc


class SqlRepository(
    GeocodeStore,
    RouteStore,
    PaceStore,
    SynergyStore,
    BoardStore,
    RegistryStore,
    ImportStore,
    ReferenceStore,
    ViewStore,
    AccountStore,
    AuditStore,
    HistoryStore,
    RestoreStore,
    EngagementStore,
    EventStore,
    EventPlanStore,
):
    """Common implementation; subclasses supply :meth:`_make_engine` and spatial filters."""

    backend = "sql"

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine: Engine = self._make_engine(url)
        # The same pool; connections from it mark their transactions as writes.
        self._write_engine: Engine = self.engine.execution_options(**{WRITE_OPTION: True})

    # --- set-up -------------------------------------------------------------------------------

    def _make_engine(self, url: str) -> Engine:  # pragma: no cover - overridden
        raise NotImplementedError

    @contextmanager
    def _begin(self) -> Iterator[Connection]:
        """One write transaction: committed at the end of the block, rolled back on error.

        On SQLite it begins with ``BEGIN IMMEDIATE`` (see :mod:`mapservice.storage.sqlite`), so
        what the block reads before it writes is still true when it commits.
        """
        try:
            with self._write_engine.begin() as conn:
                yield conn
        except sa.exc.DBAPIError as exc:
            raise storage_error(exc, writing=True) from exc

    @contextmanager
    def _connect(self, *, write: bool = False) -> Iterator[Connection]:
        """A connection for reads (one snapshot until the block ends), or for a write
        transaction the caller begins and ends itself (``write=True``)."""
        try:
            with (self._write_engine if write else self.engine).connect() as conn:
                yield conn
        except sa.exc.DBAPIError as exc:
            raise storage_error(exc, writing=write) from exc

    @contextmanager
    def _migrating(self) -> Iterator[Connection]:
        """The write transaction schema migrations run in."""
        with self._begin() as conn:
            yield conn

    def close(self) -> None:
        self.engine.dispose()

    def migrate(self, revision: str = "head") -> None:
        cfg = alembic_config()
        with self._migrating() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)

    def head_revision(self) -> str | None:
        """The newest schema revision this code knows."""
        return known_revisions()[-1]

    def revision(self) -> str | None:
        with self._connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def change_stamp(self) -> ChangeStamp:
        """The change counters now: the database bumps them in every write transaction."""
        c = t.change_counters.c
        with self._connect() as conn:
            row = conn.execute(
                sa.select(c.epoch, c.registry, c.synergies, c.corrections).where(c.id == 1)
            ).one()
        return ChangeStamp(row.epoch, int(row.registry), int(row.synergies), int(row.corrections))

    def renew_epoch(self) -> None:
        """Draw a new epoch, as after a restore: no stamp read before will ever match again."""
        with self._begin() as conn:
            conn.execute(
                t.change_counters.update()
                .where(t.change_counters.c.id == 1)
                .values(epoch=uuid.uuid4().hex)
            )

    def counts(self) -> dict[str, int]:
        with self._connect() as conn:
            return {
                table.name: conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
                for table in t.ALL_TABLES
            }

    # --- registry -----------------------------------------------------------------------------

    def members(self) -> list[Member]:
        with self._connect() as conn:
            rows = conn.execute(sa.select(t.members).order_by(t.members.c.id))
            return [member_of(r) for r in rows]

    def _site_query(self) -> sa.Select[Any]:
        return sa.select(
            t.sites,
            t.members.c.name.label("member_name"),
            t.members.c.naics_code,
            t.members.c.public_consent,
        ).join(t.members, t.members.c.id == t.sites.c.member_id)

    def _bbox_clause(self, bbox: tuple[float, float, float, float]) -> sa.ColumnElement[bool]:
        min_lon, min_lat, max_lon, max_lat = bbox
        return sa.and_(
            t.sites.c.lon.between(min_lon, max_lon), t.sites.c.lat.between(min_lat, max_lat)
        )

    def _line_box_clause(
        self, a: NamedFromClause, b: NamedFromClause, bbox: tuple[float, float, float, float]
    ) -> sa.ColumnElement[bool]:
        """Whether the straight line from site ``a`` to site ``b`` may cross the box: its
        envelope does (the caller tests the line itself); PostGIS answers exactly."""
        min_lon, min_lat, max_lon, max_lat = bbox
        return sa.and_(
            sa.case((a.c.lon < b.c.lon, a.c.lon), else_=b.c.lon) <= max_lon,
            sa.case((a.c.lon > b.c.lon, a.c.lon), else_=b.c.lon) >= min_lon,
            sa.case((a.c.lat < b.c.lat, a.c.lat), else_=b.c.lat) <= max_lat,
            sa.case((a.c.lat > b.c.lat, a.c.lat), else_=b.c.lat) >= min_lat,
        )

    def sites(
        self,
        *,
        park_id: str | None = None,
        municipality_id: str | None = None,
        bbox: tuple[float, float, float, float] | None = None,
        or_park_ids: Collection[str] = (),
        or_municipality_ids: Collection[str] = (),
    ) -> list[Site]:
        query = self._site_query()
        if park_id is not None:
            query = query.where(t.sites.c.park_id == park_id)
        if municipality_id is not None:
            query = query.where(t.sites.c.municipality_id == municipality_id)
        if bbox is not None:
            clause = self._bbox_clause(bbox)
            if or_park_ids:
                clause = clause | t.sites.c.park_id.in_(sorted(or_park_ids))
            if or_municipality_ids:
                clause = clause | t.sites.c.municipality_id.in_(sorted(or_municipality_ids))
            query = query.where(clause)
        with self._connect() as conn:
            return [site_of(r) for r in conn.execute(query.order_by(t.sites.c.id))]

    def get_site(self, site_id: int) -> Site:
        with self._connect() as conn:
            row = conn.execute(self._site_query().where(t.sites.c.id == site_id)).first()
        if row is None:
            raise NotFound(tr("Aucun site n'a l'identifiant {site_id}.", site_id=site_id))
        return site_of(row)

    def flows(self, *, site_ids: list[int] | None = None) -> list[Flow]:
        query = sa.select(t.flows).order_by(t.flows.c.site_id, t.flows.c.id)
        if site_ids is not None:
            query = query.where(t.flows.c.site_id.in_(site_ids))
        with self._connect() as conn:
            return [flow_of(r) for r in conn.execute(query)]
