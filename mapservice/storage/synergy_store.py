"""Synergies, their pipeline history and staff corrections of categories, in the database.

A mixin of :class:`~mapservice.storage.sql.SqlRepository`; every method is one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.sql.selectable import NamedFromClause

from mapservice.domain.model import Synergy, SynergyEvent, SynergyStatus, can_move
from mapservice.errors import InvalidInput, NotFound, tr
from mapservice.storage import schema as t
from mapservice.storage.rows import synergy_of

#: Figures a matching run refreshes on a stored synergy (its status and history stay).
FIGURES = (
    "kind",
    "score",
    "geodesic_m",
    "road_m",
    "duration_s",
    "transport_kg_co2e",
    "transport_cost_cad",
    "avoided_kg_co2e",
    "tonnes_per_year",
    "net_kg_co2e",
    "net_benefit_cad",
    "distance_backend",
    "reasons_json",
)


def _now() -> datetime:
    return datetime.now(UTC)


class SynergyStore:
    def _begin(self) -> AbstractContextManager[Connection]:  # pragma: no cover - provided
        raise NotImplementedError

    def _connect(self) -> AbstractContextManager[Connection]:  # pragma: no cover - provided
        raise NotImplementedError

    def save_candidates(self, rows: Iterable[dict[str, Any]]) -> dict[str, int]:
        """Insert new pairs as ``candidate``; refresh the figures of known pairs, keep status.

        One statement per kind, executed over all the rows (a whole-registry run is about ten
        thousand pairs: row by row, saving took longer than matching).
        """
        counts = {"inserted": 0, "updated": 0}
        table = t.synergies
        now = _now()
        with self._begin() as conn:
            known = {
                (r.output_flow_id, r.input_flow_id): r.id
                for r in conn.execute(
                    sa.select(table.c.id, table.c.output_flow_id, table.c.input_flow_id)
                )
            }
            new: dict[tuple[int, int], dict[str, Any]] = {}
            changed: list[dict[str, Any]] = []
            for row in rows:
                values = {k: row.get(k) for k in FIGURES}
                key = (row["output_flow_id"], row["input_flow_id"])
                if key in known:
                    changed.append({"b_id": known[key], **{f"b_{k}": v for k, v in values.items()}})
                    counts["updated"] += 1
                elif key in new:  # the same pair twice in one run: the last figures win
                    new[key].update(values)
                    counts["updated"] += 1
                else:
                    new[key] = {
                        "output_flow_id": key[0],
                        "input_flow_id": key[1],
                        "status": SynergyStatus.CANDIDATE.value,
                        "created_at": now,
                        "updated_at": now,
                        **values,
                    }
                    counts["inserted"] += 1
            if new:
                conn.execute(table.insert(), list(new.values()))
            if changed:
                conn.execute(
                    table.update()
                    .where(table.c.id == sa.bindparam("b_id"))
                    .values({**{k: sa.bindparam(f"b_{k}") for k in FIGURES}, "updated_at": now}),
                    changed,
                )
        return counts

    def synergies(
        self,
        *,
        status: SynergyStatus | None = None,
        flow_ids: Iterable[int] | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[Synergy]:
        """Synergies by id; at most ``limit`` of them after skipping ``offset``."""
        query = _filtered(sa.select(t.synergies), status, flow_ids).order_by(t.synergies.c.id)
        if limit is not None:
            query = query.limit(limit)
        if offset:
            query = query.offset(offset)
        with self._connect() as conn:
            return [synergy_of(r) for r in conn.execute(query)]

    def _line_box_clause(
        self, a: NamedFromClause, b: NamedFromClause, bbox: tuple[float, float, float, float]
    ) -> sa.ColumnElement[bool]:  # pragma: no cover - provided
        raise NotImplementedError

    def synergy_heads(
        self,
        *,
        status: SynergyStatus | None = None,
        bbox: tuple[float, float, float, float] | None = None,
        or_unconsented: bool = False,
    ) -> list[tuple[int, int, int, datetime | None]]:
        """``(id, output_flow_id, input_flow_id, updated_at)`` of the synergies, by id: what a
        layer selects on, without reading (and decoding) their figures and reasons.

        With ``bbox``, those whose straight line between their sites may cross the box (in the
        database: PostGIS exactly, SQLite by the line's envelope); with ``or_unconsented``
        also those with an end whose member has not consented to be shown, wherever it is
        (a reader who may not see it exactly sees it elsewhere: the caller tests that line).
        """
        c = t.synergies.c
        query = _filtered(
            sa.select(c.id, c.output_flow_id, c.input_flow_id, c.updated_at), status, None
        )
        if bbox is not None:
            ends = []
            for side, flow_id in (("out", c.output_flow_id), ("in", c.input_flow_id)):
                flow, site = t.flows.alias(f"{side}_flow"), t.sites.alias(f"{side}_site")
                member = t.members.alias(f"{side}_member")
                query = (
                    query.join(flow, flow.c.id == flow_id)
                    .join(site, site.c.id == flow.c.site_id)
                    .join(member, member.c.id == site.c.member_id)
                )
                ends.append((site, member))
            (a, a_member), (b, b_member) = ends
            placed = sa.and_(*(s.c.lon.isnot(None) & s.c.lat.isnot(None) for s in (a, b)))
            clause = placed & self._line_box_clause(a, b, bbox)
            if or_unconsented:
                clause = clause | ~a_member.c.public_consent | ~b_member.c.public_consent
            query = query.where(clause)
        with self._connect() as conn:
            return [tuple(r) for r in conn.execute(query.order_by(c.id))]  # type: ignore[misc]

    def synergies_by_id(self, ids: Iterable[int]) -> list[Synergy]:
        """The synergies of ``ids`` that exist, in the order given."""
        wanted = list(ids)
        found: dict[int, Synergy] = {}
        with self._connect() as conn:
            for start in range(0, len(wanted), 900):
                chunk = wanted[start : start + 900]
                rows = conn.execute(sa.select(t.synergies).where(t.synergies.c.id.in_(chunk)))
                found.update((r.id, synergy_of(r)) for r in rows)
        return [found[i] for i in wanted if i in found]

    def synergy_statuses(
        self, pairs: Iterable[tuple[int, int]]
    ) -> dict[tuple[int, int], tuple[int, SynergyStatus]]:
        """``(output_flow_id, input_flow_id)`` → ``(id, status)`` of the stored synergies
        among ``pairs``: where each row of a table of candidates stands. A site's flows can be
        in thousands of stored candidates; this reads only the pair index.

        SQLite scans the table for a row-value ``IN``; one ``IN`` per column searches the
        unique pair index for each combination, and the few combinations not asked for are
        dropped here.
        """
        c = t.synergies.c
        wanted = set(pairs)
        if not wanted:
            return {}
        query = sa.select(c.output_flow_id, c.input_flow_id, c.id, c.status).where(
            c.output_flow_id.in_(sorted({o for o, _ in wanted})),
            c.input_flow_id.in_(sorted({i for _, i in wanted})),
        )
        with self._connect() as conn:
            return {
                (r[0], r[1]): (r[2], SynergyStatus(r[3]))
                for r in conn.execute(query)
                if (r[0], r[1]) in wanted
            }

    def count_synergies(
        self, *, status: SynergyStatus | None = None, flow_ids: Iterable[int] | None = None
    ) -> int:
        """How many synergies :meth:`synergies` would return without ``limit``/``offset``."""
        query = _filtered(sa.select(sa.func.count()).select_from(t.synergies), status, flow_ids)
        with self._connect() as conn:
            return int(conn.execute(query).scalar_one())

    def get_synergy(self, synergy_id: int) -> Synergy:
        with self._connect() as conn:
            row = conn.execute(sa.select(t.synergies).where(t.synergies.c.id == synergy_id)).first()
        if row is None:
            raise NotFound(
                tr("Aucune synergie n'a l'identifiant {synergy_id}.", synergy_id=synergy_id)
            )
        return synergy_of(row)

    def move_synergy(
        self,
        synergy_id: int,
        to_status: SynergyStatus,
        *,
        author: str,
        note: str = "",
        at: datetime | None = None,
    ) -> Synergy:
        """Move a synergy along its pipeline and record the step; refuse an impossible move."""
        at = at or _now()
        with self._begin() as conn:
            row = conn.execute(
                sa.select(t.synergies).where(t.synergies.c.id == synergy_id).with_for_update()
            ).first()
            if row is None:
                raise NotFound(
                    tr("Aucune synergie n'a l'identifiant {synergy_id}.", synergy_id=synergy_id)
                )
            current = SynergyStatus(row.status)
            if not can_move(current, to_status):
                raise InvalidInput(
                    tr(
                        "Une synergie « {current} » ne peut pas passer à « {to} »"
                        " ; étapes possibles : {allowed}.",
                        current=current.value,
                        to=to_status.value,
                        allowed=", ".join(sorted(s.value for s in _next(current))) or tr("aucune"),
                    ),
                    field="status",
                )
            conn.execute(
                t.synergies.update()
                .where(t.synergies.c.id == synergy_id)
                .values(status=to_status.value, updated_at=at)
            )
            conn.execute(
                t.synergy_events.insert().values(
                    synergy_id=synergy_id,
                    from_status=current.value,
                    to_status=to_status.value,
                    at=at,
                    author=author,
                    note=note,
                )
            )
        return self.get_synergy(synergy_id)

    def synergy_events(self, synergy_id: int | None = None) -> list[SynergyEvent]:
        query = sa.select(t.synergy_events).order_by(t.synergy_events.c.at, t.synergy_events.c.id)
        if synergy_id is not None:
            query = query.where(t.synergy_events.c.synergy_id == synergy_id)
        with self._connect() as conn:
            return [
                SynergyEvent(
                    synergy_id=r.synergy_id,
                    from_status=SynergyStatus(r.from_status) if r.from_status else None,
                    to_status=SynergyStatus(r.to_status),
                    at=r.at,
                    author=r.author,
                    note=r.note,
                )
                for r in conn.execute(query)
            ]

    # --- category corrections -----------------------------------------------------------------

    def category_corrections(self) -> dict[str, str]:
        with self._connect() as conn:
            return {
                r.text_key: r.category_code for r in conn.execute(sa.select(t.category_corrections))
            }

    def save_category_correction(self, key: str, text: str, code: str, author: str) -> None:
        table = t.category_corrections
        with self._begin() as conn:
            conn.execute(table.delete().where(table.c.text_key == key[:400]))
            conn.execute(
                table.insert().values(
                    text_key=key[:400], text=text, category_code=code, author=author, at=_now()
                )
            )


def _filtered(
    query: sa.Select[Any], status: SynergyStatus | None, flow_ids: Iterable[int] | None
) -> sa.Select[Any]:
    if status is not None:
        query = query.where(t.synergies.c.status == status.value)
    if flow_ids is not None:
        ids = list(flow_ids)
        query = query.where(
            sa.or_(t.synergies.c.output_flow_id.in_(ids), t.synergies.c.input_flow_id.in_(ids))
        )
    return query


def _next(status: SynergyStatus) -> frozenset[SynergyStatus]:
    from mapservice.domain.model import STATUS_TRANSITIONS

    return STATUS_TRANSITIONS[status]
