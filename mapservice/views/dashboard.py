"""The pipeline board: synergies by status, a page of cards per column, as plain data.

Called through the pages (``web/synergy_pages.py``) with a :class:`~mapservice.services.Services`.
Query-string values arrive here raw and are validated here; every refusal is an
:class:`~mapservice.errors.InvalidInput` naming the parameter. The impact dashboard is
:mod:`mapservice.views.impact_dashboard`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from mapservice.domain.model import (
    STATUS_TRANSITIONS,
    Flow,
    Site,
    Synergy,
    SynergyEvent,
    SynergyStatus,
)
from mapservice.errors import InvalidInput, tr

if TYPE_CHECKING:
    from mapservice.services import Services

#: The board's columns, left to right.
PIPELINE = (
    SynergyStatus.CANDIDATE,
    SynergyStatus.CONTACTED,
    SynergyStatus.IN_PROGRESS,
    SynergyStatus.REALISED,
    SynergyStatus.REJECTED,
)
#: Cards per column and page: a province-wide run can leave thousands of candidates.
PER_PAGE = 50


@dataclass(frozen=True)
class End:
    """One end of a synergy: the offer (output flow) or the need (input flow) and its site."""

    flow_id: int
    member: str | None
    site: str
    site_id: int
    park_id: str | None
    park: str | None
    category: str
    category_label: str
    description: str
    quantity: float | None  # None when confidential
    unit: str | None
    confidential: bool


@dataclass(frozen=True)
class Card:
    id: int
    kind: str
    status: SynergyStatus
    offer: End
    need: End
    distance_m: float | None
    by_road: bool  # distance_m is a road distance; else as the crow flies
    score: float | None
    #: French, as stored by the matching run that found the pair.
    reasons: tuple[str, ...]
    #: None when either end is confidential: these figures scale with the quantity.
    tonnes_per_year: float | None
    net_t_co2e: float | None
    net_benefit_cad: float | None
    confidential: bool
    next: tuple[SynergyStatus, ...]
    updated_at: datetime | None
    last_event: SynergyEvent | None


@dataclass(frozen=True)
class Column:
    status: SynergyStatus
    count: int
    page: int
    pages: int
    cards: tuple[Card, ...]

    @property
    def has_more(self) -> bool:
        return self.page < self.pages

    @property
    def shown_from(self) -> int:
        return (self.page - 1) * PER_PAGE + 1 if self.cards else 0

    @property
    def shown_to(self) -> int:
        return (self.page - 1) * PER_PAGE + len(self.cards)


def parse_status(raw: str | None, field: str = "status") -> SynergyStatus | None:
    if raw is None or raw.strip() == "":
        return None
    try:
        return SynergyStatus(raw.strip())
    except ValueError:
        raise InvalidInput(
            tr(
                "Paramètre {field} invalide : {raw!r} (attendu : {allowed}).",
                field=field,
                raw=raw[:40],
                allowed=", ".join(s.value for s in PIPELINE),
            ),
            field=field,
        ) from None


def parse_page(raw: str | None) -> int:
    if raw is None or raw.strip() == "":
        return 1
    try:
        page = int(raw.strip())
    except ValueError:
        page = 0
    if not 1 <= page <= 100_000:
        raise InvalidInput(
            tr(
                "Paramètre page invalide : {raw!r} (attendu : un entier à partir de 1).",
                raw=raw[:20],
            ),
            field="page",
        )
    return page


def allowed_moves(status: SynergyStatus) -> tuple[SynergyStatus, ...]:
    """The statuses a synergy in ``status`` may move to, in pipeline order."""
    return tuple(s for s in PIPELINE if s in STATUS_TRANSITIONS[status])


def _order(status: SynergyStatus, synergies: list[Synergy]) -> list[Synergy]:
    if status is SynergyStatus.CANDIDATE:  # the best first
        return sorted(synergies, key=lambda s: (-(s.score or 0.0), s.id or 0))
    # Elsewhere the most recently moved first: where a card lands after a move.
    return sorted(
        synergies,
        key=lambda s: (s.updated_at is not None, s.updated_at or 0, s.id or 0),
        reverse=True,
    )


def board(
    services: Services, *, status: str | None = None, page: str | None = None, lang: str = "fr"
) -> list[Column]:
    """The synergies by status, a page of cards per column.

    ``status`` and ``page`` (raw query values) choose which page the named column shows;
    every other column shows its first page. A page past the end shows the last one.
    """
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
    ends = _Ends(services, shown, lang) if shown else None
    last: dict[int, SynergyEvent] = {}
    if shown:
        ids = {s.id for s in shown}
        for event in repo.synergy_events():  # oldest first: the last one stays
            if event.synergy_id in ids:
                last[event.synergy_id] = event
    columns = []
    for st in PIPELINE:
        at, pages, rows = picked[st]
        cards = tuple(c for s in rows if ends and (c := ends.card(s, last.get(s.id or 0))))
        columns.append(
            Column(status=st, count=len(by_status[st]), page=at, pages=pages, cards=cards)
        )
    return columns


class _Ends:
    """The flows, sites and parks behind a page of cards, read once."""

    def __init__(self, services: Services, shown: Iterable[Synergy], lang: str) -> None:
        wanted = {i for s in shown for i in (s.output_flow_id, s.input_flow_id)}
        self.flows: dict[int, Flow] = {f.id: f for f in services.repo.flows() if f.id in wanted}
        site_ids = {f.site_id for f in self.flows.values()}
        self.sites: dict[int, Site] = {s.id: s for s in services.repo.sites() if s.id in site_ids}
        self.parks = services.park_ids()
        self.taxonomy = services.taxonomy
        self.lang = lang

    def end(self, flow_id: int) -> End | None:
        flow = self.flows.get(flow_id)
        site = self.sites.get(flow.site_id) if flow else None
        if flow is None or site is None or flow.id is None or site.id is None:
            return None
        park = self.parks.get(site.park_id or "")
        return End(
            flow_id=flow.id,
            member=site.member_name,
            site=site.name,
            site_id=site.id,
            park_id=site.park_id,
            park=park.name if park else None,
            category=flow.category_code,
            category_label=self.taxonomy.label(flow.category_code, self.lang),
            description=flow.description,
            quantity=None if flow.confidential else flow.quantity,
            unit=flow.unit.value if flow.unit and not flow.confidential else None,
            confidential=flow.confidential,
        )

    def card(self, syn: Synergy, last: SynergyEvent | None) -> Card | None:
        offer, need = self.end(syn.output_flow_id), self.end(syn.input_flow_id)
        if offer is None or need is None or syn.id is None:
            return None  # a flow deleted since: the cascade will remove the synergy
        secret = offer.confidential or need.confidential
        return Card(
            id=syn.id,
            kind=syn.kind.value,
            status=syn.status,
            offer=offer,
            need=need,
            distance_m=syn.road_m if syn.road_m is not None else syn.geodesic_m,
            by_road=syn.road_m is not None,
            score=syn.score,
            reasons=syn.reasons,
            tonnes_per_year=None if secret else syn.tonnes_per_year,
            net_t_co2e=None if secret or syn.net_kg_co2e is None else syn.net_kg_co2e / 1000,
            net_benefit_cad=None if secret else syn.net_benefit_cad,
            confidential=secret,
            next=allowed_moves(syn.status),
            updated_at=syn.updated_at,
            last_event=last,
        )
