"""The pipeline board as it was before issue 15 (commit 7998ef2), frozen: the reference of
:mod:`bench.board`.

Every synergy is read into Python, sorted and paged there; then every flow, every site and
every event of the registry is read to fill the page's cards. No filter. It returns, for each
column, ``(status, count, page, card ids)``, which :mod:`bench.board` compares with the new
board on the same pages.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from mapservice.domain.model import Synergy, SynergyEvent, SynergyStatus
from mapservice.views.dashboard import PIPELINE, allowed_moves, parse_page, parse_status

PER_PAGE = 50


def _order(status: SynergyStatus, synergies: list[Synergy]) -> list[Synergy]:
    if status is SynergyStatus.CANDIDATE:  # the best first
        return sorted(synergies, key=lambda s: (-(s.score or 0.0), s.id or 0))
    return sorted(
        synergies,
        key=lambda s: (s.updated_at is not None, s.updated_at or 0, s.id or 0),
        reverse=True,
    )


def board(
    services: Any, *, status: str | None = None, page: str | None = None, lang: str = "fr"
) -> list[tuple[SynergyStatus, int, int, list[int]]]:
    chosen, number = parse_status(status), parse_page(page)
    repo = services.repo
    by_status: dict[SynergyStatus, list[Synergy]] = defaultdict(list)
    for syn in repo.synergies():
        by_status[syn.status].append(syn)
    picked: dict[SynergyStatus, tuple[int, int, list[Synergy]]] = {}
    for st in PIPELINE:
        rows = _order(st, by_status[st])
        pages = max(1, -(-len(rows) // PER_PAGE))
        at = min(number, pages) if st is chosen else 1
        picked[st] = (at, pages, rows[(at - 1) * PER_PAGE : at * PER_PAGE])
    shown = [s for _, _, rows in picked.values() for s in rows]
    wanted = {i for s in shown for i in (s.output_flow_id, s.input_flow_id)}
    flows = {f.id: f for f in repo.flows() if f.id in wanted}
    site_ids = {f.site_id for f in flows.values()}
    sites = {s.id: s for s in repo.sites() if s.id in site_ids}
    parks = services.park_ids()
    last: dict[int, SynergyEvent] = {}
    ids = {s.id for s in shown}
    for event in repo.synergy_events():  # oldest first: the last one stays
        if event.synergy_id in ids:
            last[event.synergy_id] = event
    out = []
    for st in PIPELINE:
        at, _pages, rows = picked[st]
        cards = []
        for syn in rows:
            ends = [flows.get(syn.output_flow_id), flows.get(syn.input_flow_id)]
            if any(f is None or f.site_id not in sites for f in ends):
                continue
            for f in ends:
                assert f is not None
                site = sites[f.site_id]
                _ = (parks.get(site.park_id or ""), services.taxonomy.label(f.category_code, lang))
            _ = (allowed_moves(syn.status), last.get(syn.id or 0))
            cards.append(syn.id or 0)
        out.append((st, len(by_status[st]), at, cards))
    return out
