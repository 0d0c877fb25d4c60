"""Repository on SQLAlchemy Core, shared by the SQLite and PostGIS backends.

The two backends differ only where the database can do better (spatial filters on a GiST
index, connection set-up); everything else, and so every behaviour a test can see, is here.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import resources
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Connection, Engine

from mapservice.domain.audit import SYSTEM_ACTOR
from mapservice.domain.model import (
    Direction,
    Flow,
    Frequency,
    ImportPlan,
    ImportResult,
    Member,
    Municipality,
    Park,
    PlannedFlow,
    PlannedSite,
    Precision,
    Site,
    Unit,
)
from mapservice.domain.reference import ReferenceData
from mapservice.domain.text import fold
from mapservice.errors import NotFound, StorageError, StorageFull, tr
from mapservice.storage import schema as t
from mapservice.storage.account_store import AccountStore
from mapservice.storage.audit_store import AuditStore, ImportAudit
from mapservice.storage.geocode_store import MANUAL_SOURCE, GeocodeStore
from mapservice.storage.pace_store import PaceStore
from mapservice.storage.registry_store import RegistryStore
from mapservice.storage.route_store import RouteStore
from mapservice.storage.synergy_store import SynergyStore
from mapservice.storage.view_store import ViewStore

#: Execution option that marks a connection's transactions as writes (see ``_begin``).
WRITE_OPTION = "mapservice_write"


def _now() -> datetime:
    return datetime.now(UTC)


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
    if (getattr(orig, "sqlite_errorcode", None) == _SQLITE_FULL
            or getattr(orig, "sqlstate", None) == _PG_DISK_FULL):
        return StorageFull(tr("Le disque de la base de données est plein : rien n'a été "
                              "enregistré. Libérez de l'espace, puis recommencez."),
                           detail=str(orig))
    if isinstance(exc, sa.exc.OperationalError | sa.exc.InterfaceError) or (
            exc.connection_invalidated):
        said = (tr("La base de données est indisponible : rien n'a été enregistré. "
                   "Réessayez dans un moment.") if writing
                else tr("La base de données est indisponible. Réessayez dans un moment."))
        return StorageError(said, detail=str(orig))
    raise exc


class SqlRepository(GeocodeStore, RouteStore, PaceStore, SynergyStore, RegistryStore, ViewStore,
                    AccountStore, AuditStore):
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

    # --- reference data -----------------------------------------------------------------------

    def load_reference(self, ref: ReferenceData) -> dict[str, int]:
        muni_rows = [
            {
                "id": m.id,
                "name": m.name,
                "kind": m.kind,
                "parent_id": m.parent_id,
                "mrc": m.mrc,
                "mamh_code": m.mamh_code,
                "lon": m.lon,
                "lat": m.lat,
                "coord_status": m.coord_status,
                "fsa": " ".join(m.fsa),
                "variants": "|".join(m.variants),
                "population": m.population,
            }
            for m in ref.municipalities
        ]
        park_rows = [
            {
                "id": p.id,
                "name": p.name,
                "kind": p.kind,
                "municipality_id": p.municipality_id,
                "sector": p.sector,
                "status": p.status,
                "coord_status": p.coord_status,
                "outline_status": p.outline_status,
                "centre_lon": p.centre_lon,
                "centre_lat": p.centre_lat,
                "outline_geojson": json.dumps(p.outline) if p.outline else None,
                "area_ha": p.area_ha,
                "manager": p.manager,
                "properties_json": json.dumps(p.properties, ensure_ascii=False, sort_keys=True),
            }
            for p in ref.parks
        ]
        category_rows = [
            {
                "code": c.code,
                "parent_code": c.parent,
                "kind": c.kind,
                "label_fr": c.label_fr,
                "label_en": c.label_en,
                "synonyms_fr": "|".join(c.synonyms_fr),
                "synonyms_en": "|".join(c.synonyms_en),
                "ewc_code": c.ewc_code,
                "hazardous": c.hazardous,
                "default_unit": c.default_unit,
                "density_t_per_m3": c.density_t_per_m3,
                "max_transport_km": c.max_transport_km,
            }
            for c in ref.taxonomy
        ]
        rule_rows = [
            {
                "output_code": r.output_code,
                "input_code": r.input_code,
                "strength": r.strength,
                "kind": r.kind,
                "note_fr": r.note_fr,
                "note_en": r.note_en,
            }
            for r in ref.taxonomy.rules
        ]
        factor_rows = [
            {
                "key": f.key,
                "value": f.value,
                "unit": f.unit,
                "label_fr": f.label_fr,
                "label_en": f.label_en,
                "source": f.source,
                "year": f.year,
                "note": f.note,
            }
            for f in ref.factors.values()
        ]
        plan: list[tuple[sa.Table, list[dict[str, Any]]]] = [
            (t.municipalities, muni_rows),
            (t.parks, park_rows),
            (t.material_categories, category_rows),
            (t.compatibility_rules, rule_rows),
            (t.factors, factor_rows),
        ]
        with self._begin() as conn:
            for table, rows in plan:
                conn.execute(table.delete())
                if rows:
                    conn.execute(table.insert(), rows)
        return {table.name: len(rows) for table, rows in plan}

    def counts(self) -> dict[str, int]:
        with self._connect() as conn:
            return {
                table.name: conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
                for table in t.ALL_TABLES
            }

    def municipalities(self) -> list[Municipality]:
        with self._connect() as conn:
            rows = conn.execute(sa.select(t.municipalities).order_by(t.municipalities.c.id))
            return [
                Municipality(
                    id=r.id,
                    name=r.name,
                    kind=r.kind,
                    mrc=r.mrc,
                    lon=r.lon,
                    lat=r.lat,
                    parent_id=r.parent_id,
                    mamh_code=r.mamh_code,
                    coord_status=r.coord_status,
                    fsa=tuple(r.fsa.split()),
                    variants=tuple(v for v in r.variants.split("|") if v),
                    population=r.population,
                )
                for r in rows
            ]

    def parks(self) -> list[Park]:
        with self._connect() as conn:
            rows = conn.execute(sa.select(t.parks).order_by(t.parks.c.name))
            return [
                Park(
                    id=r.id,
                    name=r.name,
                    kind=r.kind,
                    municipality_id=r.municipality_id,
                    centre_lon=r.centre_lon,
                    centre_lat=r.centre_lat,
                    status=r.status,
                    coord_status=r.coord_status,
                    outline_status=r.outline_status,
                    outline=json.loads(r.outline_geojson) if r.outline_geojson else None,
                    area_ha=r.area_ha,
                    manager=r.manager,
                    sector=r.sector,
                    properties=json.loads(r.properties_json),
                )
                for r in rows
            ]

    # --- registry -----------------------------------------------------------------------------

    def members(self) -> list[Member]:
        with self._connect() as conn:
            rows = conn.execute(sa.select(t.members).order_by(t.members.c.id))
            return [
                Member(
                    id=r.id,
                    name=r.name,
                    naics_code=r.naics_code,
                    contact_name=r.contact_name,
                    contact_email=r.contact_email,
                    contact_phone=r.contact_phone,
                    public_consent=bool(r.public_consent),
                )
                for r in rows
            ]

    def _site_query(self) -> sa.Select[Any]:
        return sa.select(
            t.sites, t.members.c.name.label("member_name"), t.members.c.naics_code,
            t.members.c.public_consent,
        ).join(t.members, t.members.c.id == t.sites.c.member_id)

    def _bbox_clause(self, bbox: tuple[float, float, float, float]) -> sa.ColumnElement[bool]:
        min_lon, min_lat, max_lon, max_lat = bbox
        return sa.and_(
            t.sites.c.lon.between(min_lon, max_lon), t.sites.c.lat.between(min_lat, max_lat)
        )

    def sites(
        self,
        *,
        park_id: str | None = None,
        municipality_id: str | None = None,
        bbox: tuple[float, float, float, float] | None = None,
    ) -> list[Site]:
        query = self._site_query()
        if park_id is not None:
            query = query.where(t.sites.c.park_id == park_id)
        if municipality_id is not None:
            query = query.where(t.sites.c.municipality_id == municipality_id)
        if bbox is not None:
            query = query.where(self._bbox_clause(bbox))
        with self._connect() as conn:
            return [_site(r) for r in conn.execute(query.order_by(t.sites.c.id))]

    def registry_stamp(self) -> tuple[Any, ...]:
        """Changes whenever a site or flow is added, changed or removed (by any process)."""
        with self._connect() as conn:
            return tuple(conn.execute(sa.select(*t.change_stamp(t.sites),
                                                *t.change_stamp(t.flows))).one())

    def get_site(self, site_id: int) -> Site:
        with self._connect() as conn:
            row = conn.execute(self._site_query().where(t.sites.c.id == site_id)).first()
        if row is None:
            raise NotFound(tr("Aucun site n'a l'identifiant {site_id}.", site_id=site_id))
        return _site(row)

    def flows(self, *, site_ids: list[int] | None = None) -> list[Flow]:
        query = sa.select(t.flows).order_by(t.flows.c.site_id, t.flows.c.id)
        if site_ids is not None:
            query = query.where(t.flows.c.site_id.in_(site_ids))
        with self._connect() as conn:
            return [_flow(r) for r in conn.execute(query)]

    # --- import -------------------------------------------------------------------------------

    def apply_import(self, plan: ImportPlan, *, dry_run: bool = False,
                     actor: str = SYSTEM_ACTOR) -> ImportResult:
        result = ImportResult(dry_run=dry_run)
        # One audit entry per row written, and one for the file, in the import's transaction.
        audit = None if dry_run else ImportAudit(actor, plan.source)
        with self._connect(write=True) as conn:
            tx = conn.begin()
            try:
                for member in plan.members:
                    values: dict[str, Any] = {"name": member.name,
                                              "naics_code": member.naics_code}
                    for key in ("contact_name", "contact_email", "contact_phone"):
                        if getattr(member, key) is not None:
                            values[key] = getattr(member, key)
                    if member.public_consent is not None:
                        values["public_consent"] = member.public_consent
                    member_id = self._upsert(
                        conn, t.members, {"name_key": fold(member.name)}, values, result,
                        "members", audit,
                    )
                    for site in member.sites:
                        site_id = self._upsert(
                            conn,
                            t.sites,
                            {"member_id": member_id, "site_key": fold(site.name)},
                            _site_values(site),
                            result,
                            "sites",
                            audit,
                        )
                        for flow in site.flows:
                            self._upsert(
                                conn,
                                t.flows,
                                {
                                    "site_id": site_id,
                                    "direction": flow.direction.value,
                                    "category_code": flow.category_code,
                                    "description_key": fold(flow.description)[:500],
                                },
                                _flow_values(flow),
                                result,
                                "flows",
                                audit,
                            )
                if audit is not None:
                    audit.finish(conn, {"inserted": result.inserted, "updated": result.updated,
                                        "unchanged": result.unchanged})
            except BaseException:
                tx.rollback()
                raise
            if dry_run:
                tx.rollback()
            else:
                tx.commit()
        return result

    def _upsert(
        self,
        conn: Connection,
        table: sa.Table,
        key: dict[str, Any],
        values: dict[str, Any],
        result: ImportResult,
        name: str,
        audit: ImportAudit | None = None,
    ) -> int:
        """Insert or update one row found by its natural ``key``; count what happened."""
        where = sa.and_(*(table.c[k] == v for k, v in key.items()))
        row = conn.execute(sa.select(table).where(where)).first()
        now = _now()
        if row is None:
            inserted = conn.execute(
                table.insert().values(**key, **values, created_at=now, updated_at=now)
            )
            result.inserted[name] += 1
            new_id = int(inserted.inserted_primary_key[0])  # type: ignore[index]
            if audit is not None:
                audit.created(conn, name, new_id, {**key, **values, "created_at": now})
            return new_id
        current = row._mapping
        if (table is t.sites and current["geocode_source"] == MANUAL_SOURCE
                and values.get("geocode_source") != "coordonnees-fournies"):
            # A person placed this site by hand: a re-import without coordinates keeps it there.
            values = {k: v for k, v in values.items() if k not in _POSITION_COLUMNS}
        changed = {k: v for k, v in values.items() if not _same(current[k], v)}
        if changed:
            update = table.update().where(table.c.id == row.id)
            conn.execute(update.values(**changed, updated_at=now))
            result.updated[name] += 1
            if audit is not None:
                audit.updated(conn, name, int(row.id), current, changed)
        else:
            result.unchanged[name] += 1
        return int(row.id)


_POSITION_COLUMNS = frozenset({"lon", "lat", "park_id", "geocode_precision", "geocode_source",
                               "geocode_score", "municipality_id"})


def _same(stored: Any, new: Any) -> bool:
    if isinstance(new, float) and isinstance(stored, float):
        return abs(stored - new) <= 1e-9 * max(1.0, abs(new))
    if isinstance(new, bool):
        return bool(stored) == new
    return bool(stored == new)


def _site_values(site: PlannedSite) -> dict[str, Any]:
    loc = site.location
    return {
        "name": site.name,
        "address": site.address,
        "municipality_id": site.municipality_id,
        "postal_code": site.postal_code,
        "lon": round(loc.lon, 7) if loc else None,
        "lat": round(loc.lat, 7) if loc else None,
        "park_id": site.park_id,
        "geocode_precision": loc.precision.value if loc else None,
        "geocode_source": loc.source if loc else None,
        "geocode_score": round(loc.score, 4) if loc else None,
    }


def _flow_values(flow: PlannedFlow) -> dict[str, Any]:
    return {
        "description": flow.description,
        "quantity": flow.quantity,
        "unit": flow.unit.value if flow.unit else None,
        "frequency": flow.frequency.value if flow.frequency else None,
        "hazardous": flow.hazardous,
        "confidential": flow.confidential,
    }


def _site(r: sa.Row[Any]) -> Site:
    return Site(
        id=r.id,
        member_id=r.member_id,
        name=r.name,
        address=r.address,
        municipality_id=r.municipality_id,
        postal_code=r.postal_code,
        lon=r.lon,
        lat=r.lat,
        park_id=r.park_id,
        geocode_precision=Precision(r.geocode_precision) if r.geocode_precision else None,
        geocode_source=r.geocode_source,
        geocode_score=r.geocode_score,
        member_name=r.member_name,
        naics_code=r.naics_code,
        geocode_note=r.geocode_note,
        geocoded_at=r.geocoded_at,
        geocoded_by=r.geocoded_by,
        public_consent=bool(r.public_consent),
    )


def _flow(r: sa.Row[Any]) -> Flow:
    return Flow(
        id=r.id,
        site_id=r.site_id,
        direction=Direction(r.direction),
        category_code=r.category_code,
        description=r.description,
        quantity=r.quantity,
        unit=Unit(r.unit) if r.unit else None,
        frequency=Frequency(r.frequency) if r.frequency else None,
        hazardous=bool(r.hazardous),
        confidential=bool(r.confidential),
    )
