"""What geocoding keeps in the database: the online cache, batch runs and site positions.

A mixin of :class:`~mapservice.storage.sql.SqlRepository`; every method is one transaction.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from mapservice.domain.model import Location
from mapservice.errors import NotFound, tr
from mapservice.geocoding.base import MANUAL_SOURCE
from mapservice.storage import schema as t
from mapservice.storage.audit_store import record_change, snapshot

#: Kept here too for the stores that compare with it.
__all__ = ["MANUAL_SOURCE", "GeocodeRun", "GeocodeStore"]


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class GeocodeRun:
    id: int
    mode: str
    backend: str
    started_at: datetime
    total: int
    pending: tuple[int, ...]  # site ids not yet done, in order
    resumed: bool = False


class GeocodeStore:
    """Cache, runs and positions; needs ``_begin``/``_connect`` from the repository."""

    def _begin(self) -> AbstractContextManager[Connection]:  # pragma: no cover - provided
        raise NotImplementedError

    def _connect(self) -> AbstractContextManager[Connection]:  # pragma: no cover - provided
        raise NotImplementedError

    # --- cache of the online geocoder ---------------------------------------------------------

    def cache_get(self, backend: str, key: str) -> list[dict[str, Any]] | None:
        """Return the hits cached for ``key`` (possibly none found), or None if never asked."""
        query = sa.select(t.geocode_cache.c.hits_json).where(
            t.geocode_cache.c.backend == backend, t.geocode_cache.c.query_key == key[:400]
        )
        with self._connect() as conn:
            raw = conn.execute(query).scalar()
        return None if raw is None else list(json.loads(raw))

    def cache_put(self, backend: str, key: str, query: str, hits: list[dict[str, Any]]) -> None:
        """Remember an answer (only ever a complete one: errors are not cached)."""
        table = t.geocode_cache
        with self._begin() as conn:
            conn.execute(
                table.delete().where(table.c.backend == backend, table.c.query_key == key[:400])
            )
            conn.execute(
                table.insert().values(
                    backend=backend,
                    query_key=key[:400],
                    query=query,
                    hits_json=json.dumps(hits, ensure_ascii=False),
                    created_at=_now(),
                )
            )

    def cache_size(self, backend: str | None = None) -> int:
        query = sa.select(sa.func.count()).select_from(t.geocode_cache)
        if backend is not None:
            query = query.where(t.geocode_cache.c.backend == backend)
        with self._connect() as conn:
            return int(conn.execute(query).scalar_one())

    # --- positions ----------------------------------------------------------------------------

    def set_site_location(
        self,
        site_id: int,
        location: Location | None,
        *,
        park_id: str | None,
        by: str,
        note: str | None = None,
        run_id: int | None = None,
        status: str = "done",
        actor: str | None = None,
    ) -> None:
        """Store a site's position (None: could not be placed) and tick it off its run.

        ``by`` is who the position is credited to on the site; the audit entry names
        ``actor`` (the signed-in person who moved it), else ``by``.
        """
        now = _now()
        values: dict[str, Any] = {
            "geocode_note": note,
            "geocoded_at": now,
            "geocoded_by": by,
            "updated_at": now,
        }
        if location is not None:
            values.update(
                lon=round(location.lon, 7),
                lat=round(location.lat, 7),
                park_id=park_id,
                geocode_precision=location.precision.value,
                geocode_source=location.source,
                geocode_score=round(location.score, 4),
            )
            if location.municipality_id:
                values["municipality_id"] = location.municipality_id
        with self._begin() as conn:
            before = snapshot(conn, "sites", site_id)
            done = conn.execute(t.sites.update().where(t.sites.c.id == site_id).values(**values))
            if done.rowcount == 0:
                raise NotFound(tr("Aucun site n'a l'identifiant {site_id}.", site_id=site_id))
            record_change(conn, "sites", site_id, before, actor=actor or by)
            if run_id is not None:
                _tick(conn, run_id, site_id, status, note)

    def skip_geocode_run_site(self, run_id: int, site_id: int, message: str) -> None:
        """Tick a site off its run as failed with ``message``, leaving the site untouched."""
        with self._begin() as conn:
            _tick(conn, run_id, site_id, "failed", message)

    # --- batch runs ---------------------------------------------------------------------------

    def open_geocode_run(self, mode: str, backend: str, site_ids: list[int]) -> GeocodeRun:
        """Resume the unfinished run of the same mode and backend, else start a new one."""
        runs, items = t.geocode_runs, t.geocode_run_sites
        with self._begin() as conn:
            row = conn.execute(
                sa.select(runs)
                .where(runs.c.mode == mode, runs.c.backend == backend, runs.c.finished_at.is_(None))
                .order_by(runs.c.id.desc())
                .limit(1)
            ).first()
            if row is not None:
                pending = (
                    conn.execute(
                        sa.select(items.c.site_id)
                        .where(items.c.run_id == row.id, items.c.status == "pending")
                        .order_by(items.c.site_id)
                    )
                    .scalars()
                    .all()
                )
                return GeocodeRun(
                    row.id, mode, backend, row.started_at, row.total, tuple(pending), resumed=True
                )
            started = _now()
            inserted = conn.execute(
                runs.insert().values(
                    mode=mode, backend=backend, started_at=started, total=len(site_ids), done=0
                )
            ).inserted_primary_key
            assert inserted is not None
            run_id = inserted[0]
            for chunk in _chunks(site_ids, 500):
                conn.execute(
                    items.insert(),
                    [{"run_id": run_id, "site_id": s, "status": "pending"} for s in chunk],
                )
        return GeocodeRun(int(run_id), mode, backend, started, len(site_ids), tuple(site_ids))

    def finish_geocode_run(self, run_id: int) -> dict[str, int]:
        """Close a run; return how many of its sites ended in each status."""
        items = t.geocode_run_sites
        with self._begin() as conn:
            conn.execute(
                t.geocode_runs.update()
                .where(t.geocode_runs.c.id == run_id)
                .values(finished_at=_now())
            )
            rows = conn.execute(
                sa.select(items.c.status, sa.func.count())
                .where(items.c.run_id == run_id)
                .group_by(items.c.status)
            )
            return {status: int(n) for status, n in rows}

    def geocode_run_failures(self, run_id: int) -> list[tuple[int, str]]:
        items = t.geocode_run_sites
        with self._connect() as conn:
            rows = conn.execute(
                sa.select(items.c.site_id, items.c.message)
                .where(items.c.run_id == run_id, items.c.status == "failed")
                .order_by(items.c.site_id)
            )
            return [(int(r.site_id), r.message or "") for r in rows]


def _tick(conn: Connection, run_id: int, site_id: int, status: str, message: str | None) -> None:
    runs = t.geocode_run_sites
    conn.execute(
        runs.update()
        .where(runs.c.run_id == run_id, runs.c.site_id == site_id)
        .values(status=status, message=message)
    )
    conn.execute(
        t.geocode_runs.update()
        .where(t.geocode_runs.c.id == run_id)
        .values(done=t.geocode_runs.c.done + 1)
    )


def _chunks(values: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]
