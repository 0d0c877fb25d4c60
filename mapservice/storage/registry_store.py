"""Members, sites and flows written one at a time, as the registry forms do.

A mixin of :class:`~mapservice.storage.sql.SqlRepository`; every write is one transaction, in
which the database's triggers bump the registry's change counter (see
:data:`~mapservice.storage.schema.COUNTED`), so every process's caches see the change.
Natural keys are the importer's (folded names), so a form and a spreadsheet never create two
rows for the same member, site or flow; a clash raises :class:`InvalidInput` naming the field.
Each write logs who made it (``actor``) and the row before and after in the audit log, in the
same transaction (:mod:`mapservice.storage.audit_store`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from mapservice.domain.audit import SYSTEM_ACTOR
from mapservice.domain.model import Flow, Member, Site
from mapservice.domain.text import fold
from mapservice.errors import InvalidInput, NotFound, tr
from mapservice.storage import schema as t
from mapservice.storage.audit_store import archive_synergies, record_change, snapshot
from mapservice.storage.rows import flow_of, member_of, site_of

MEMBER_COLUMNS = frozenset(
    {"name", "naics_code", "contact_name", "contact_email", "contact_phone", "public_consent"}
)
SITE_COLUMNS = frozenset(
    {
        "member_id",
        "name",
        "address",
        "municipality_id",
        "postal_code",
        "lon",
        "lat",
        "park_id",
        "geocode_precision",
        "geocode_source",
        "geocode_score",
        "geocoded_at",
        "geocoded_by",
        "geocode_note",
    }
)
FLOW_COLUMNS = frozenset(
    {
        "site_id",
        "direction",
        "category_code",
        "description",
        "quantity",
        "unit",
        "frequency",
        "hazardous",
        "confidential",
        "to_classify",
        "suggestions",
        "material_text",
    }
)


def _now() -> datetime:
    return datetime.now(UTC)


def _only(values: Mapping[str, Any], allowed: frozenset[str], table: str) -> dict[str, Any]:
    unknown = set(values) - allowed
    if unknown:
        msg = f"unknown {table} column(s): {', '.join(sorted(unknown))}"
        raise ValueError(msg)
    return dict(values)


class RegistryStore:
    """Single-row reads and writes of the registry; needs the repository's connections."""

    def _begin(self) -> AbstractContextManager[Connection]:  # pragma: no cover - provided
        raise NotImplementedError

    def _connect(self) -> AbstractContextManager[Connection]:  # pragma: no cover - provided
        raise NotImplementedError

    def _site_query(self) -> sa.Select[Any]:  # pragma: no cover - provided
        raise NotImplementedError

    # --- members ------------------------------------------------------------------------------

    def get_member(self, member_id: int) -> Member:
        with self._connect() as conn:
            r = conn.execute(sa.select(t.members).where(t.members.c.id == member_id)).first()
        if r is None:
            raise NotFound(tr("Aucun membre n'a l'identifiant {member_id}.", member_id=member_id))
        return member_of(r)

    def member_sites(self, member_id: int) -> list[Site]:
        """Return the sites of one member, by name."""
        query = self._site_query().where(t.sites.c.member_id == member_id)
        with self._connect() as conn:
            return [site_of(r) for r in conn.execute(query.order_by(t.sites.c.name, t.sites.c.id))]

    def member_counts(self) -> dict[int, tuple[int, int]]:
        """Return ``member_id → (number of sites, number of flows)`` for every member."""
        n_flows = (
            sa.select(sa.func.count(t.flows.c.id))
            .where(t.flows.c.site_id == t.sites.c.id)
            .correlate(t.sites)
            .scalar_subquery()
        )
        query = (
            sa.select(
                t.members.c.id,
                sa.func.count(t.sites.c.id),
                sa.func.coalesce(sa.func.sum(n_flows), 0),
            )
            .select_from(t.members.outerjoin(t.sites, t.sites.c.member_id == t.members.c.id))
            .group_by(t.members.c.id)
        )
        with self._connect() as conn:
            return {int(mid): (int(ns), int(nf)) for mid, ns, nf in conn.execute(query)}

    def add_member(self, values: Mapping[str, Any], *, actor: str = SYSTEM_ACTOR) -> int:
        """Insert a member; its name must differ (accents and case aside) from every other."""
        row = _only(values, MEMBER_COLUMNS, "members")
        now = _now()
        with self._write() as conn:
            self._check_member_name(conn, row["name"], None)
            done = conn.execute(
                t.members.insert().values(
                    **row, name_key=fold(row["name"]), created_at=now, updated_at=now
                )
            )
            member_id = _new_id(done)
            record_change(conn, "members", member_id, None, actor=actor)
            return member_id

    def update_member(
        self, member_id: int, values: Mapping[str, Any], *, actor: str = SYSTEM_ACTOR
    ) -> None:
        """Change a member; its sites are stamped too, since maps show the name and consent."""
        row = _only(values, MEMBER_COLUMNS, "members")
        if "name" in row:
            row["name_key"] = fold(row["name"])
        now = _now()
        with self._write() as conn:
            before = snapshot(conn, "members", member_id)
            if "name" in row:
                self._check_member_name(conn, row["name"], member_id)
            done = conn.execute(
                t.members.update().where(t.members.c.id == member_id).values(**row, updated_at=now)
            )
            if done.rowcount == 0:
                raise NotFound(
                    tr("Aucun membre n'a l'identifiant {member_id}.", member_id=member_id)
                )
            conn.execute(
                t.sites.update().where(t.sites.c.member_id == member_id).values(updated_at=now)
            )
            record_change(conn, "members", member_id, before, actor=actor)

    def _check_member_name(self, conn: Connection, name: str, member_id: int | None) -> None:
        query = sa.select(t.members.c.id, t.members.c.name).where(
            t.members.c.name_key == fold(name)
        )
        if member_id is not None:
            query = query.where(t.members.c.id != member_id)
        clash = conn.execute(query).first()
        if clash is not None:
            raise InvalidInput(
                tr("Un autre membre porte déjà ce nom : « {clash} ».", clash=clash.name),
                field="name",
                existing_id=int(clash.id),
            )

    # --- sites --------------------------------------------------------------------------------

    def add_site(self, values: Mapping[str, Any], *, actor: str = SYSTEM_ACTOR) -> int:
        """Insert a site of an existing member; its name is unique within the member."""
        row = _only(values, SITE_COLUMNS, "sites")
        now = _now()
        with self._write() as conn:
            self._require(
                conn,
                t.members,
                row["member_id"],
                tr("Aucun membre n'a l'identifiant {row_id}.", row_id=row["member_id"]),
            )
            self._check_site_name(conn, row["member_id"], row["name"], None)
            done = conn.execute(
                t.sites.insert().values(
                    **row, site_key=fold(row["name"]), created_at=now, updated_at=now
                )
            )
            site_id = _new_id(done)
            record_change(conn, "sites", site_id, None, actor=actor)
            return site_id

    def update_site(
        self, site_id: int, values: Mapping[str, Any], *, actor: str = SYSTEM_ACTOR
    ) -> None:
        row = _only(values, SITE_COLUMNS - {"member_id"}, "sites")
        now = _now()
        with self._write() as conn:
            before = snapshot(conn, "sites", site_id)
            if before is None:
                raise NotFound(tr("Aucun site n'a l'identifiant {site_id}.", site_id=site_id))
            if "name" in row:
                self._check_site_name(conn, before["member_id"], row["name"], site_id)
                row["site_key"] = fold(row["name"])
            conn.execute(
                t.sites.update().where(t.sites.c.id == site_id).values(**row, updated_at=now)
            )
            record_change(conn, "sites", site_id, before, actor=actor)

    def _check_site_name(
        self, conn: Connection, member_id: int, name: str, site_id: int | None
    ) -> None:
        query = sa.select(t.sites.c.id).where(
            t.sites.c.member_id == member_id, t.sites.c.site_key == fold(name)
        )
        if site_id is not None:
            query = query.where(t.sites.c.id != site_id)
        clash = conn.execute(query).first()
        if clash is not None:
            raise InvalidInput(
                tr("Ce membre a déjà un site de ce nom."), field="name", existing_id=int(clash.id)
            )

    # --- flows --------------------------------------------------------------------------------

    def get_flow(self, flow_id: int) -> Flow:
        with self._connect() as conn:
            r = conn.execute(sa.select(t.flows).where(t.flows.c.id == flow_id)).first()
        if r is None:
            raise NotFound(tr("Aucun flux n'a l'identifiant {flow_id}.", flow_id=flow_id))
        return flow_of(r)

    def add_flow(self, values: Mapping[str, Any], *, actor: str = SYSTEM_ACTOR) -> int:
        """Insert an offer or a need of an existing site."""
        row = _only(values, FLOW_COLUMNS, "flows")
        now = _now()
        with self._write() as conn:
            self._require(
                conn,
                t.sites,
                row["site_id"],
                tr("Aucun site n'a l'identifiant {row_id}.", row_id=row["site_id"]),
            )
            key = fold(row["description"])[:500]
            self._check_flow(
                conn, row["site_id"], row["direction"], row["category_code"], key, None
            )
            done = conn.execute(
                t.flows.insert().values(**row, description_key=key, created_at=now, updated_at=now)
            )
            flow_id = _new_id(done)
            record_change(conn, "flows", flow_id, None, actor=actor)
            return flow_id

    def update_flow(
        self, flow_id: int, values: Mapping[str, Any], *, actor: str = SYSTEM_ACTOR
    ) -> None:
        row = _only(values, FLOW_COLUMNS - {"site_id"}, "flows")
        now = _now()
        with self._write() as conn:
            before = snapshot(conn, "flows", flow_id)
            current = conn.execute(sa.select(t.flows).where(t.flows.c.id == flow_id)).first()
            if current is None:
                raise NotFound(tr("Aucun flux n'a l'identifiant {flow_id}.", flow_id=flow_id))
            if "description" in row:
                row["description_key"] = fold(row["description"])[:500]
            if row.get("category_code", current.category_code) != current.category_code:
                # A category chosen by a person: the flow leaves the classification queue.
                row.setdefault("to_classify", False)
            if row.get("to_classify") is False:
                row.update(suggestions=None, material_text=None)
            self._check_flow(
                conn,
                current.site_id,
                row.get("direction", current.direction),
                row.get("category_code", current.category_code),
                row.get("description_key", current.description_key),
                flow_id,
            )
            conn.execute(
                t.flows.update().where(t.flows.c.id == flow_id).values(**row, updated_at=now)
            )
            record_change(conn, "flows", flow_id, before, actor=actor)

    def delete_flow(self, flow_id: int, *, actor: str = SYSTEM_ACTOR) -> None:
        """Remove a flow and, by cascade, the synergies it was part of. The tracked ones are
        logged with their history first, and come back when the flow is restored."""
        with self._write() as conn:
            before = snapshot(conn, "flows", flow_id)
            archive_synergies(conn, flow_id, actor=actor)
            # Explicit, so the synergies go on SQLite files opened without foreign keys too.
            conn.execute(
                t.synergies.delete().where(
                    sa.or_(
                        t.synergies.c.output_flow_id == flow_id,
                        t.synergies.c.input_flow_id == flow_id,
                    )
                )
            )
            done = conn.execute(t.flows.delete().where(t.flows.c.id == flow_id))
            if done.rowcount == 0:
                raise NotFound(tr("Aucun flux n'a l'identifiant {flow_id}.", flow_id=flow_id))
            record_change(conn, "flows", flow_id, before, actor=actor)

    def _check_flow(
        self,
        conn: Connection,
        site_id: int,
        direction: str,
        category: str,
        key: str,
        flow_id: int | None,
    ) -> None:
        c = t.flows.c
        query = sa.select(c.id).where(
            c.site_id == site_id,
            c.direction == direction,
            c.category_code == category,
            c.description_key == key,
        )
        if flow_id is not None:
            query = query.where(c.id != flow_id)
        clash = conn.execute(query).first()
        if clash is not None:
            raise InvalidInput(
                tr(
                    "Ce site a déjà un flux de ce type, de cette matière et avec cette description."
                ),
                field="description",
                existing_id=int(clash.id),
            )

    # --- helpers ------------------------------------------------------------------------------

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """One transaction; a unique key another writer took meanwhile is a 422, not a 500."""
        try:
            with self._begin() as conn:
                yield conn
        except sa.exc.IntegrityError as exc:
            raise InvalidInput(
                tr(
                    "Cet enregistrement existe déjà (modifié en même temps par "
                    "quelqu'un d'autre ?)."
                ),
                field="name",
                detail=str(exc.orig),
            ) from exc

    def _require(self, conn: Connection, table: sa.Table, row_id: int, message: str) -> None:
        if conn.execute(sa.select(table.c.id).where(table.c.id == row_id)).first() is None:
            raise NotFound(message)


def _new_id(result: sa.CursorResult[Any]) -> int:
    key = result.inserted_primary_key
    if key is None:  # pragma: no cover - every table here has an integer key
        raise RuntimeError("insert returned no primary key")
    return int(key[0])
