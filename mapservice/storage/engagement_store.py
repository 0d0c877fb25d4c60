"""Each member's engagement read from the database in a few whole-table queries.

A mixin of :class:`~mapservice.storage.sql.SqlRepository`. What it reads and how each row
becomes a fact or an action is documented on :meth:`EngagementStore.engagement_facts`; the
scores and shares are computed elsewhere (:mod:`mapservice.registry.engagement`).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from mapservice.domain.engagement import Action, MemberFacts, RegistryActivity
from mapservice.domain.moments import as_utc
from mapservice.storage import schema as t

#: An ``updated_at`` this much after ``created_at`` is a change (an import writes both at once,
#: a few microseconds apart).
_SAME_WRITE = timedelta(seconds=1)
#: Audit actions on a flow that count as the member changing it.
_FLOW_CHANGES = ("update", "delete", "restore")


def _latest(*moments: datetime | None) -> datetime | None:
    present = [m for m in moments if m is not None]
    return max(present) if present else None


def _moment(value: datetime) -> datetime:
    """A time of a NOT NULL column in UTC (SQLite gives it back without its zone)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _version(old: str | None, new: str | None) -> dict[str, Any]:
    """The row an audit entry left (the deleted row for a deletion), or {}."""
    text = new if new is not None else old
    return {} if text is None else dict(json.loads(text))


def _as_id(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class EngagementStore:
    def _connect(self) -> AbstractContextManager[Connection]:  # pragma: no cover - provided
        raise NotImplementedError

    def engagement_facts(self) -> RegistryActivity:
        """Every member's facts and the dated actions attributable to each (one read).

        - offers and needs: the member's flows now in the registry, by direction;
        - synergies: those with one of its flows at either end, counted by status;
        - ``flow_declared``: each flow now in the registry, at its creation, and each flow
          since deleted, at its audit log creation entry;
        - ``flow_updated``: each update, deletion or restoration of a flow in the audit log;
          a flow changed with no such entry (written before the log) counts once, at its
          ``updated_at``;
        - ``pipeline_move``: each step of the synergies' history (``synergy_events`` with a
          previous status), for the member at each end;
        - ``touched_at``: the latest creation or change of the member, its sites and flows,
          in their tables and in the audit log (deleted sites and flows found through the
          version the entry kept).
        """
        with self._connect() as conn:
            members = conn.execute(
                sa.select(
                    t.members.c.id, t.members.c.name, t.members.c.created_at, t.members.c.updated_at
                )
            ).all()
            sites = conn.execute(
                sa.select(
                    t.sites.c.id, t.sites.c.member_id, t.sites.c.created_at, t.sites.c.updated_at
                )
            ).all()
            flows = conn.execute(
                sa.select(
                    t.flows.c.id,
                    t.flows.c.site_id,
                    t.flows.c.direction,
                    t.flows.c.created_at,
                    t.flows.c.updated_at,
                )
            ).all()
            ends = conn.execute(_synergy_ends(count=True)).all()
            moves = conn.execute(_synergy_ends(count=False)).all()
            log = t.audit_log
            audit = conn.execute(
                sa.select(
                    log.c.at,
                    log.c.action,
                    log.c.table_name,
                    log.c.record_id,
                    log.c.old_values,
                    log.c.new_values,
                )
                .where(log.c.table_name.in_(("members", "sites", "flows")))
                .order_by(log.c.id)
            ).all()
        site_member = {s.id: s.member_id for s in sites}
        flow_site = {f.id: f.site_id for f in flows}
        known = {m.id for m in members}
        touched: dict[int, datetime | None] = {
            m.id: _latest(as_utc(m.created_at), as_utc(m.updated_at)) for m in members
        }
        actions: list[Action] = []

        def touch(member_id: int | None, at: datetime | None) -> None:
            if member_id is not None and member_id in known:
                touched[member_id] = _latest(touched[member_id], at)

        for s in sites:
            touch(s.member_id, _latest(as_utc(s.created_at), as_utc(s.updated_at)))
        directions: dict[int, Counter[str]] = defaultdict(Counter)
        for f in flows:
            member_id = site_member[f.site_id]
            created, updated = _moment(f.created_at), _moment(f.updated_at)
            directions[member_id][f.direction] += 1
            touch(member_id, _latest(created, updated))
            actions.append(Action(member_id, created, "flow_declared"))
        logged_changes: set[int] = set()
        for e in audit:
            version = _version(e.old_values, e.new_values)
            record_id = _as_id(e.record_id)
            at = _moment(e.at)
            if e.table_name == "members":
                touch(record_id, at)
                continue
            if e.table_name == "sites":
                touch(site_member.get(record_id or 0, _as_id(version.get("member_id"))), at)
                continue
            site_id = flow_site.get(record_id or 0, _as_id(version.get("site_id")))
            member_id = site_member.get(site_id or 0)
            touch(member_id, at)
            if member_id is None or member_id not in known:
                continue
            if e.action in _FLOW_CHANGES:
                logged_changes.add(record_id or 0)
                actions.append(Action(member_id, at, "flow_updated"))
            elif e.action == "create" and record_id not in flow_site:
                actions.append(Action(member_id, at, "flow_declared"))
        for f in flows:
            updated = _moment(f.updated_at)
            if f.id not in logged_changes and updated - _moment(f.created_at) > _SAME_WRITE:
                actions.append(Action(site_member[f.site_id], updated, "flow_updated"))
        by_status: dict[int, Counter[str]] = defaultdict(Counter)
        for status, out_member, in_member, n in ends:
            for member_id in {out_member, in_member}:
                by_status[member_id][status] += n
        for at, out_member, in_member in moves:
            for member_id in {out_member, in_member}:
                actions.append(Action(member_id, _moment(at), "pipeline_move"))
                touch(member_id, _moment(at))
        facts = [
            MemberFacts(
                member_id=m.id,
                name=m.name,
                offers=directions[m.id]["output"],
                needs=directions[m.id]["input"],
                synergies=dict(by_status[m.id]),
                touched_at=touched[m.id],
            )
            for m in members
        ]
        return RegistryActivity(members=facts, actions=actions)


def _synergy_ends(*, count: bool) -> sa.Select[Any]:
    """The members at both ends of each synergy: counted by status, or one row per step of
    the pipeline (``at``, output member, input member)."""
    syn = t.synergies
    out_flow, in_flow = t.flows.alias("out_flow"), t.flows.alias("in_flow")
    out_site, in_site = t.sites.alias("out_site"), t.sites.alias("in_site")
    joined = (
        syn.join(out_flow, out_flow.c.id == syn.c.output_flow_id)
        .join(in_flow, in_flow.c.id == syn.c.input_flow_id)
        .join(out_site, out_site.c.id == out_flow.c.site_id)
        .join(in_site, in_site.c.id == in_flow.c.site_id)
    )
    ends: Iterable[Any] = (out_site.c.member_id, in_site.c.member_id)
    if count:
        return (
            sa.select(syn.c.status, *ends, sa.func.count())
            .select_from(joined)
            .group_by(syn.c.status, *ends)
        )
    ev = t.synergy_events
    return (
        sa.select(ev.c.at, *ends)
        .select_from(ev.join(joined, syn.c.id == ev.c.synergy_id))
        .where(ev.c.from_status.is_not(None))
    )
