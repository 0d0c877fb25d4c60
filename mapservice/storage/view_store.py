"""The saved views of presenter mode, in their order. A mixin of ``SqlRepository``.

Every write logs who made it (``actor``) in the audit log, in its own transaction.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from mapservice.domain.audit import SYSTEM_ACTOR
from mapservice.domain.model import PresenterView
from mapservice.errors import NotFound, tr
from mapservice.storage import schema as t
from mapservice.storage.audit_store import record_change, snapshot

FIELDS = ("title", "lat", "lon", "zoom", "filters", "layers", "anonymised")


def _view(r: sa.Row[Any]) -> PresenterView:
    return PresenterView(
        id=r.id,
        position=r.position,
        title=r.title,
        lat=r.lat,
        lon=r.lon,
        zoom=r.zoom,
        filters=r.filters,
        layers=r.layers,
        anonymised=bool(r.anonymised),
    )


class ViewStore:
    def _begin(self) -> AbstractContextManager[Connection]:  # pragma: no cover - provided
        raise NotImplementedError

    def _connect(self) -> AbstractContextManager[Connection]:  # pragma: no cover - provided
        raise NotImplementedError

    def presenter_views(self) -> list[PresenterView]:
        """Every saved view, in presentation order."""
        query = sa.select(t.presenter_views).order_by(
            t.presenter_views.c.position, t.presenter_views.c.id
        )
        with self._connect() as conn:
            return [_view(r) for r in conn.execute(query)]

    def get_presenter_view(self, view_id: int) -> PresenterView:
        with self._connect() as conn:
            row = conn.execute(
                sa.select(t.presenter_views).where(t.presenter_views.c.id == view_id)
            ).first()
        if row is None:
            raise NotFound(
                tr("Aucune vue de présentation n'a l'identifiant {view_id}.", view_id=view_id)
            )
        return _view(row)

    def add_presenter_view(self, view: PresenterView, *, actor: str = SYSTEM_ACTOR) -> int:
        """Append a view at the end of the presentation; return its id."""
        now = datetime.now(UTC)
        with self._begin() as conn:
            last = conn.execute(sa.select(sa.func.max(t.presenter_views.c.position))).scalar()
            values = {f: getattr(view, f) for f in FIELDS}
            result = conn.execute(
                t.presenter_views.insert().values(
                    position=(last or 0) + 1, created_at=now, updated_at=now, **values
                )
            )
            view_id = int(result.inserted_primary_key[0])  # type: ignore[index]
            record_change(conn, "presenter_views", view_id, None, actor=actor)
            return view_id

    def update_presenter_view(
        self, view_id: int, changes: dict[str, Any], *, actor: str = SYSTEM_ACTOR
    ) -> None:
        unknown = set(changes) - set(FIELDS)
        if unknown:
            raise ValueError(f"unknown presenter view fields: {sorted(unknown)}")
        with self._begin() as conn:
            before = snapshot(conn, "presenter_views", view_id)
            done = conn.execute(
                t.presenter_views.update()
                .where(t.presenter_views.c.id == view_id)
                .values(updated_at=datetime.now(UTC), **changes)
            )
            if done.rowcount == 0:
                raise NotFound(
                    tr("Aucune vue de présentation n'a l'identifiant {view_id}.", view_id=view_id)
                )
            record_change(conn, "presenter_views", view_id, before, actor=actor)

    def delete_presenter_view(self, view_id: int, *, actor: str = SYSTEM_ACTOR) -> None:
        with self._begin() as conn:
            before = snapshot(conn, "presenter_views", view_id)
            done = conn.execute(t.presenter_views.delete().where(t.presenter_views.c.id == view_id))
            if done.rowcount == 0:
                raise NotFound(
                    tr("Aucune vue de présentation n'a l'identifiant {view_id}.", view_id=view_id)
                )
            record_change(conn, "presenter_views", view_id, before, actor=actor)

    def move_presenter_view(self, view_id: int, offset: int, *, actor: str = SYSTEM_ACTOR) -> None:
        """Move a view ``offset`` places (−1 earlier, +1 later) and renumber them all 1…n."""
        with self._begin() as conn:
            ids = [
                r.id
                for r in conn.execute(
                    sa.select(t.presenter_views.c.id).order_by(
                        t.presenter_views.c.position, t.presenter_views.c.id
                    )
                )
            ]
            if view_id not in ids:
                raise NotFound(
                    tr("Aucune vue de présentation n'a l'identifiant {view_id}.", view_id=view_id)
                )
            old = ids.index(view_id)
            new = max(0, min(len(ids) - 1, old + offset))
            ids.insert(new, ids.pop(old))
            for position, vid in enumerate(ids, start=1):
                before = snapshot(conn, "presenter_views", vid)
                conn.execute(
                    t.presenter_views.update()
                    .where(t.presenter_views.c.id == vid)
                    .values(position=position)
                )
                record_change(conn, "presenter_views", vid, before, actor=actor)
