"""The pipeline board in SQL: filtered counts and pages of synergies, what one page shows
(its flows, sites, members and whole history), and moving several synergies at once.

A mixin of :class:`~mapservice.storage.sql.SqlRepository`. Filtering, counting, sorting and
paging happen in the database, so a page costs the same at 20,000 candidates as at 200: the
filters on an end become one sub-query on the flows (joined to their sites and members), a
synergy is kept when its offer or its need is in it; « the best N per offer » is a window
function (``ROW_NUMBER() OVER (PARTITION BY status, output_flow_id ...)``), which SQLite
(≥ 3.25) and PostgreSQL both run.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from mapservice.domain.board_query import BoardQuery
from mapservice.domain.model import (
    Flow,
    Member,
    Site,
    Synergy,
    SynergyEvent,
    SynergyStatus,
    can_move,
)
from mapservice.domain.status_words import numbered_statuses, status_word
from mapservice.errors import InvalidInput, tr
from mapservice.storage import schema as t
from mapservice.storage.rows import flow_of, member_of, site_of, synergy_of


class BoardStore:
    def _begin(self) -> AbstractContextManager[Connection]:  # pragma: no cover - provided
        raise NotImplementedError

    def _connect(self) -> AbstractContextManager[Connection]:  # pragma: no cover - provided
        raise NotImplementedError

    def _site_query(self) -> sa.Select[Any]:  # pragma: no cover - provided
        raise NotImplementedError

    def board_counts(self, query: BoardQuery) -> dict[SynergyStatus, int]:
        """How many synergies of each status the filters keep."""
        if query.best_per_offer:
            # Each offer counts min(N, its synergies) in each column: a grouping on the index,
            # no ranking needed to count.
            c, best = t.synergies.c, query.best_per_offer
            per_offer = (
                sa.select(c.status, sa.func.count().label("n"))
                .where(*_conditions(query))
                .group_by(c.status, c.output_flow_id)
                .subquery("per_offer")
            )
            n = per_offer.c.n
            stmt = sa.select(
                per_offer.c.status, sa.func.sum(sa.case((n < best, n), else_=best))
            ).group_by(per_offer.c.status)
        else:
            c = t.synergies.c
            stmt = sa.select(c.status, sa.func.count()).where(*_conditions(query))
            stmt = stmt.group_by(c.status)
        with self._connect() as conn:
            return {SynergyStatus(r[0]): int(r[1]) for r in conn.execute(stmt)}

    def board_page(
        self, query: BoardQuery, status: SynergyStatus, *, limit: int, offset: int = 0
    ) -> list[Synergy]:
        """One page of the synergies of ``status`` the filters keep, in the query's order.

        The ids are sorted and paged first, and only the page's rows read in full: sorting
        whole rows (their reasons with them) cost several times as much.
        """
        c = t.synergies.c
        ids_stmt = sa.select(c.id)
        if query.best_per_offer:
            ranked = _ranked(query, status)
            ids_stmt = ids_stmt.join(ranked, ranked.c.id == c.id).where(
                ranked.c.rank_in_offer <= query.best_per_offer
            )
        else:
            ids_stmt = ids_stmt.where(*_conditions(query), c.status == status.value)
        ids_stmt = ids_stmt.order_by(*_order(query.sort, status)).limit(limit).offset(offset)
        with self._connect() as conn:
            ids = [r[0] for r in conn.execute(ids_stmt)]
            if not ids:
                return []
            rows = conn.execute(sa.select(t.synergies).where(c.id.in_(ids)))
            by_id = {r.id: synergy_of(r) for r in rows}
        return [by_id[i] for i in ids if i in by_id]

    def board_ends(
        self, flow_ids: Iterable[int]
    ) -> tuple[dict[int, Flow], dict[int, Site], dict[int, Member]]:
        """The flows ``flow_ids``, their sites and their members (with the contacts), by id."""
        ids = sorted(set(flow_ids))
        if not ids:
            return {}, {}, {}
        with self._connect() as conn:
            flows = {
                r.id: flow_of(r)
                for r in conn.execute(sa.select(t.flows).where(t.flows.c.id.in_(ids)))
            }
            site_ids = sorted({f.site_id for f in flows.values()})
            sites = {
                r.id: site_of(r)
                for r in conn.execute(self._site_query().where(t.sites.c.id.in_(site_ids)))
            }
            member_ids = sorted({s.member_id for s in sites.values()})
            members = {
                r.id: member_of(r)
                for r in conn.execute(sa.select(t.members).where(t.members.c.id.in_(member_ids)))
            }
        return flows, sites, members

    def synergy_histories(self, synergy_ids: Iterable[int]) -> dict[int, list[SynergyEvent]]:
        """Every step of each synergy of ``synergy_ids``, oldest first (none: no key)."""
        ids = sorted(set(synergy_ids))
        if not ids:
            return {}
        e = t.synergy_events.c
        stmt = sa.select(t.synergy_events).where(e.synergy_id.in_(ids)).order_by(e.at, e.id)
        out: dict[int, list[SynergyEvent]] = {}
        with self._connect() as conn:
            for r in conn.execute(stmt):
                out.setdefault(r.synergy_id, []).append(
                    SynergyEvent(
                        synergy_id=r.synergy_id,
                        from_status=SynergyStatus(r.from_status) if r.from_status else None,
                        to_status=SynergyStatus(r.to_status),
                        at=r.at,
                        author=r.author,
                        note=r.note,
                    )
                )
        return out

    def move_synergies(
        self,
        synergy_ids: Iterable[int],
        to_status: SynergyStatus,
        *,
        author: str,
        note: str = "",
        at: datetime | None = None,
    ) -> int:
        """Move every synergy of ``synergy_ids`` to ``to_status`` in one transaction, each
        step recorded with the same author and note; or none of them.

        Raises :class:`InvalidInput` (field ``synergies``) when one is gone or may not make
        the move; its ``refused`` lists each such ``{"id", "status"}`` (``status`` None: gone).
        """
        ids = sorted(set(synergy_ids))
        with self._begin() as conn:
            move_all(conn, ids, to_status, author=author, note=note, at=at or datetime.now(UTC))
        return len(ids)


def move_all(
    conn: Connection,
    ids: list[int],
    to_status: SynergyStatus,
    *,
    author: str,
    note: str,
    at: datetime,
) -> None:
    """Move the synergies ``ids`` to ``to_status`` within the caller's transaction, each step
    recorded with the same author and note; raise :class:`InvalidInput` (nothing written) when
    one is gone or may not make the move (see :meth:`BoardStore.move_synergies`)."""
    c = t.synergies.c
    found = {
        r.id: SynergyStatus(r.status)
        for r in conn.execute(sa.select(c.id, c.status).where(c.id.in_(ids)).with_for_update())
    }
    refused = [
        (i, found.get(i)) for i in ids if i not in found or not can_move(found[i], to_status)
    ]
    if refused:
        raise InvalidInput(
            tr(
                "Aucune synergie n'a été déplacée : {n} sur {total} ne peuvent pas "
                "passer à « {to} » ({which}).",
                n=len(refused),
                total=len(ids),
                to=status_word(to_status),
                which=numbered_statuses(refused),
            ),
            field="synergies",
            refused=[{"id": i, "status": st.value if st else None} for i, st in refused],
        )
    conn.execute(
        t.synergies.update().where(c.id.in_(ids)).values(status=to_status.value, updated_at=at)
    )
    conn.execute(
        t.synergy_events.insert(),
        [
            {
                "synergy_id": i,
                "from_status": found[i].value,
                "to_status": to_status.value,
                "at": at,
                "author": author,
                "note": note,
            }
            for i in ids
        ],
    )


# --- the query ------------------------------------------------------------------------------


def _ranked(query: BoardQuery, status: SynergyStatus | None = None) -> Any:
    """The synergies the filters keep (of ``status``), each with its rank among those of its
    offer in its column, best score first. It reads the index on ``(status, output_flow_id,
    score)`` only, never whole rows."""
    c = t.synergies.c
    where = _conditions(query)
    if status is not None:
        where.append(c.status == status.value)
    rank = (
        sa.func.row_number()
        .over(
            partition_by=(c.status, c.output_flow_id), order_by=(c.score.desc().nulls_last(), c.id)
        )
        .label("rank_in_offer")
    )
    return sa.select(c.id, c.status, rank).where(*where).subquery("ranked")


def _conditions(query: BoardQuery) -> list[sa.ColumnElement[bool]]:
    c = t.synergies.c
    f, s, m = t.flows.c, t.sites.c, t.members.c
    where: list[sa.ColumnElement[bool]] = []
    if query.statuses is not None:
        where.append(c.status.in_(sorted(x.value for x in query.statuses)))
    if query.min_score is not None:
        where.append(c.score >= query.min_score)
    if query.max_distance_m is not None:
        where.append(sa.func.coalesce(c.road_m, c.geodesic_m) <= query.max_distance_m)
    if query.changed_since is not None:
        where.append(_changed() >= query.changed_since)
    ends: list[sa.ColumnElement[bool]] = []
    if query.park_id is not None:
        ends.append(s.park_id == query.park_id)
    for places in (query.municipality_ids, query.mrc_municipality_ids):
        if places is not None:
            ends.append(s.municipality_id.in_(sorted(places)))
    if query.member_id is not None:
        ends.append(s.member_id == query.member_id)
    if query.category_codes is not None:
        ends.append(f.category_code.in_(sorted(query.category_codes)))
    for word in query.words:
        said = []
        for key in (word.key, *word.also):
            pattern = f"%{key}%"  # a folded key holds letters, digits and spaces only
            said += [m.name_key.like(pattern), s.site_key.like(pattern)]
            said.append(f.description_key.like(pattern))
        if word.category_codes:
            said.append(f.category_code.in_(sorted(word.category_codes)))
        ends.append(sa.or_(*said))
    for condition in ends:
        kept = (
            sa.select(f.id)
            .join(t.sites, s.id == f.site_id)
            .join(t.members, m.id == s.member_id)
            .where(condition)
        )
        where.append(sa.or_(c.output_flow_id.in_(kept), c.input_flow_id.in_(kept)))
    return where


def _order(sort: str | None, status: SynergyStatus) -> list[Any]:
    c = t.synergies.c
    if sort is None:
        sort = "score" if status is SynergyStatus.CANDIDATE else "change"
    if sort == "change":  # the most recently moved first: where a card lands after a move
        return [_changed().desc(), c.id.desc()]
    key = {
        "score": c.score.desc(),
        "distance": sa.func.coalesce(c.road_m, c.geodesic_m).asc(),
        "tonnes": c.tonnes_per_year.desc(),
        "benefit": c.net_benefit_cad.desc(),
        "co2": c.net_kg_co2e.desc(),
    }[sort]
    return [key.nulls_last(), c.id]


def _changed() -> Any:
    """``updated_at`` through a function: SQLite would otherwise walk the exports' index on
    ``updated_at`` (over the whole table, every column mixed) for a column's page or a « changed
    since », where reading the column's own index (which holds ``updated_at``) and sorting its
    cards is many times faster; PostgreSQL plans it the same either way."""
    c = t.synergies.c
    return sa.func.coalesce(c.updated_at, c.updated_at)
