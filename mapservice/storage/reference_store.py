"""Reference data in the database: municipalities, parks, the taxonomy and its factors.

A mixin of :class:`~mapservice.storage.sql.SqlRepository`. ``mapservice init`` loads them from
the data folder, replacing what was there, in one transaction.
"""

from __future__ import annotations

import json
from contextlib import AbstractContextManager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from mapservice.domain.model import Municipality, Park
from mapservice.domain.outlines import REPLACEMENT_STATUSES, OutlineChange
from mapservice.domain.reference import ReferenceData
from mapservice.storage import schema as t
from mapservice.storage.audit_store import entry_of, record_audit
from mapservice.storage.rows import municipality_of, park_of


def _keep_replaced_outlines(conn: Connection) -> None:
    """Give back each park the outline a person last gave it (the audit log keeps them), so
    reloading the reference data (``mapservice init``, an upgrade) loses no surveyed or traced
    outline."""
    log = t.audit_log
    latest: dict[str, dict[str, Any]] = {}
    query = sa.select(log.c.record_id, log.c.new_values, log.c.note).where(
        log.c.table_name == "parks"
    )
    for entry in conn.execute(query.order_by(log.c.id)):
        latest[entry.record_id] = {**json.loads(entry.new_values or "{}"), "note": entry.note}
    for park_id, new in latest.items():
        row = conn.execute(sa.select(t.parks).where(t.parks.c.id == park_id)).first()
        # Only what a person gave (surveyed, traced): a restored estimate or stand-in is the
        # data's, and the data folder's may be newer.
        if row is None or new.get("outline_status") not in REPLACEMENT_STATUSES:
            continue
        properties = json.loads(row.properties_json or "{}")
        properties.update(outline_status=new["outline_status"], outline_note=new["note"] or "")
        conn.execute(
            t.parks.update()
            .where(t.parks.c.id == park_id)
            .values(
                outline_geojson=json.dumps(new["outline"]),
                outline_status=new["outline_status"],
                properties_json=json.dumps(properties, ensure_ascii=False, sort_keys=True),
            )
        )


class ReferenceStore:
    """Loading and reading the reference tables; needs the repository's connections."""

    def _begin(self) -> AbstractContextManager[Connection]:  # pragma: no cover - provided
        raise NotImplementedError

    def _connect(self) -> AbstractContextManager[Connection]:  # pragma: no cover - provided
        raise NotImplementedError

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
            _keep_replaced_outlines(conn)
        return {table.name: len(rows) for table, rows in plan}

    def municipalities(self) -> list[Municipality]:
        with self._connect() as conn:
            rows = conn.execute(sa.select(t.municipalities).order_by(t.municipalities.c.id))
            return [municipality_of(r) for r in rows]

    def parks(self) -> list[Park]:
        with self._connect() as conn:
            rows = conn.execute(sa.select(t.parks).order_by(t.parks.c.name))
            return [park_of(r) for r in rows]

    def park(self, park_id: str) -> Park | None:
        with self._connect() as conn:
            row = conn.execute(sa.select(t.parks).where(t.parks.c.id == park_id)).first()
            return park_of(row) if row is not None else None

    def replace_park_outline(
        self,
        park_id: str,
        outline: dict[str, Any],
        status: str,
        *,
        actor: str,
        note: str | None = None,
        restored_from: int | None = None,
    ) -> int | None:
        """Give a park a new outline and status, keeping the old one in the audit log.

        One transaction: the park's row (its ``properties_json`` too, which exports read) and
        the audit entry (table ``parks``). Returns the entry's id; None when the park does not
        exist or already has that outline and status.
        """
        with self._begin() as conn:
            row = conn.execute(sa.select(t.parks).where(t.parks.c.id == park_id)).first()
            if row is None:
                return None
            old = {
                "outline": json.loads(row.outline_geojson) if row.outline_geojson else None,
                "outline_status": row.outline_status,
            }
            new: dict[str, Any] = {"outline": outline, "outline_status": status}
            if old == new:
                return None
            properties = json.loads(row.properties_json or "{}")
            properties.update(outline_status=status, outline_note=note or "")
            conn.execute(
                t.parks.update()
                .where(t.parks.c.id == park_id)
                .values(
                    outline_geojson=json.dumps(outline),
                    outline_status=status,
                    properties_json=json.dumps(properties, ensure_ascii=False, sort_keys=True),
                )
            )
            if restored_from is not None:
                new["restored_from"] = restored_from
            return record_audit(
                conn,
                actor=actor,
                action="update" if restored_from is None else "restore",
                table="parks",
                record_id=park_id,
                old=old,
                new=new,
                note=note,
            )

    def park_outline_history(self, park_id: str) -> list[OutlineChange]:
        """Every outline change of a park, oldest first."""
        log = t.audit_log
        with self._connect() as conn:
            rows = conn.execute(
                sa.select(log)
                .where(log.c.table_name == "parks", log.c.record_id == park_id)
                .order_by(log.c.id)
            )
            out = []
            for entry in map(entry_of, rows):
                old, new = entry.old_values or {}, entry.new_values or {}
                out.append(
                    OutlineChange(
                        id=entry.id,
                        park_id=park_id,
                        at=entry.at,
                        actor=entry.actor,
                        action=entry.action,
                        old_outline=old.get("outline"),
                        old_status=str(old.get("outline_status") or ""),
                        new_outline=new.get("outline") or {},
                        new_status=str(new.get("outline_status") or ""),
                        note=entry.note,
                        restored_from=new.get("restored_from"),
                    )
                )
            return out

    def park_outline_version(self) -> int:
        """The newest outline change's id (0 before any): moves whenever an outline does."""
        log = t.audit_log
        with self._connect() as conn:
            newest = sa.select(sa.func.coalesce(sa.func.max(log.c.id), 0)).where(
                log.c.table_name == "parks"
            )
            return int(conn.execute(newest).scalar_one())
