"""Spreadsheet imports written to the registry: all rows in one transaction, or none.

A mixin of :class:`~mapservice.storage.sql.SqlRepository`. Rows are found by the importer's
natural keys (folded names), so importing the same file again changes nothing; each row
written is logged in the audit log, in the import's transaction.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from mapservice.domain.audit import SYSTEM_ACTOR
from mapservice.domain.model import ImportPlan, ImportResult, PlannedFlow, PlannedSite
from mapservice.domain.text import fold
from mapservice.storage import schema as t
from mapservice.storage.audit_store import ImportAudit
from mapservice.storage.geocode_store import MANUAL_SOURCE


def _now() -> datetime:
    return datetime.now(UTC)


class ImportStore:
    """:meth:`apply_import`; needs the repository's connections."""

    def _connect(
        self, *, write: bool = False
    ) -> AbstractContextManager[Connection]:  # pragma: no cover - provided
        raise NotImplementedError

    def apply_import(
        self, plan: ImportPlan, *, dry_run: bool = False, actor: str = SYSTEM_ACTOR
    ) -> ImportResult:
        result = ImportResult(dry_run=dry_run)
        # One audit entry per row written, and one for the file, in the import's transaction.
        audit = None if dry_run else ImportAudit(actor, plan.source)
        with self._connect(write=True) as conn:
            tx = conn.begin()
            try:
                for member in plan.members:
                    values: dict[str, Any] = {"name": member.name, "naics_code": member.naics_code}
                    for key in ("contact_name", "contact_email", "contact_phone"):
                        if getattr(member, key) is not None:
                            values[key] = getattr(member, key)
                    if member.public_consent is not None:
                        values["public_consent"] = member.public_consent
                    member_id = self._upsert(
                        conn,
                        t.members,
                        {"name_key": fold(member.name)},
                        values,
                        result,
                        "members",
                        audit,
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
                                    "description_key": fold(flow.key_text)[:500],
                                },
                                _flow_values(flow),
                                result,
                                "flows",
                                audit,
                            )
                if audit is not None:
                    audit.finish(
                        conn,
                        {
                            "inserted": result.inserted,
                            "updated": result.updated,
                            "unchanged": result.unchanged,
                        },
                    )
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
        if (
            table is t.sites
            and current["geocode_source"] == MANUAL_SOURCE
            and values.get("geocode_source") != "coordonnees-fournies"
        ):
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


_POSITION_COLUMNS = frozenset(
    {
        "lon",
        "lat",
        "park_id",
        "geocode_precision",
        "geocode_source",
        "geocode_score",
        "municipality_id",
    }
)


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
        "to_classify": flow.to_classify,
        "suggestions": "|".join(flow.suggestions) or None,
        "material_text": flow.material_text if flow.to_classify else None,
    }
