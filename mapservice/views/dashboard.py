"""The pipeline board: synergies by status, a page of cards per column, as plain data.

Called through the pages (``web/synergy_pages.py``) with a :class:`~mapservice.services.Services`.
Query-string values arrive here raw and are validated here (the filters in
:mod:`mapservice.views.board_filters`); every refusal is an
:class:`~mapservice.errors.InvalidInput` naming the parameter. The database filters, counts,
sorts and pages (``storage/board_store.py``); only the cards shown are read in full, with their
ends, their members' contacts and their whole history. The impact dashboard is
:mod:`mapservice.views.impact_dashboard`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from mapservice.domain.model import STATUS_TRANSITIONS, Synergy, SynergyEvent, SynergyStatus
from mapservice.errors import InvalidInput, tr
from mapservice.views.board_filters import BoardChoices, BoardFilter, to_query

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
class Contact:
    """Whom to call at a member (staff only: the board is a staff page)."""

    name: str | None
    email: str | None
    phone: str | None


@dataclass(frozen=True)
class End:
    """One end of a synergy: the offer (output flow) or the need (input flow) and its site."""

    flow_id: int
    member: str | None
    member_id: int
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
    contact: Contact | None


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
    #: Every step, oldest first.
    history: tuple[SynergyEvent, ...] = ()


@dataclass(frozen=True)
class Column:
    status: SynergyStatus
    count: int
    page: int
    pages: int
    cards: tuple[Card, ...]
    per_page: int = PER_PAGE

    @property
    def has_more(self) -> bool:
        return self.page < self.pages

    @property
    def shown_from(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.cards else 0

    @property
    def shown_to(self) -> int:
        return (self.page - 1) * self.per_page + len(self.cards)


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


def board_choices(services: Services) -> BoardChoices:
    """What the board's filters may be set to."""
    return BoardChoices(
        parks=frozenset(services.park_ids()),
        municipalities=services.gazetteer.municipalities,
        taxonomy=services.taxonomy,
        members={m.id: m.name for m in services.repo.members() if m.id is not None},
        vocabulary=services.search_vocabulary,
    )


def board(
    services: Services,
    *,
    status: str | None = None,
    page: str | None = None,
    lang: str = "fr",
    view: BoardFilter | None = None,
    choices: BoardChoices | None = None,
    now: datetime | None = None,
) -> list[Column]:
    """The synergies the filter keeps, by status, a page of cards per column.

    ``status`` and ``page`` (raw query values) choose which page the named column shows;
    every other column shows its first page. A page past the end shows the last one. The
    database filters, counts, sorts and pages; only the cards shown are read in full.
    """
    chosen, number = parse_status(status), parse_page(page)
    view = view or BoardFilter()
    choices = choices or board_choices(services)
    query = to_query(view, choices, now or datetime.now(UTC))
    repo = services.repo
    per_page = PER_PAGE
    counts = repo.board_counts(query)
    picked: dict[SynergyStatus, tuple[int, int, list[Synergy]]] = {}
    for st in view.stage or PIPELINE:
        pages = max(1, -(-counts.get(st, 0) // per_page))
        at = min(number, pages) if st is chosen else 1
        rows = repo.board_page(query, st, limit=per_page, offset=(at - 1) * per_page)
        picked[st] = (at, pages, rows if counts.get(st) else [])
    shown = [s for _, _, rows in picked.values() for s in rows]
    ends = _Ends(services, shown, lang)
    histories = repo.synergy_histories(s.id for s in shown if s.id is not None)
    columns = []
    for st, (at, pages, rows) in picked.items():
        cards = tuple(c for s in rows if (c := ends.card(s, histories.get(s.id or 0, []))))
        columns.append(
            Column(
                status=st,
                count=counts.get(st, 0),
                page=at,
                pages=pages,
                cards=cards,
                per_page=per_page,
            )
        )
    return columns


class _Ends:
    """The flows, sites, members and parks behind a page of cards, read once."""

    def __init__(self, services: Services, shown: Iterable[Synergy], lang: str) -> None:
        wanted = {i for s in shown for i in (s.output_flow_id, s.input_flow_id)}
        self.flows, self.sites, self.members = services.repo.board_ends(wanted)
        self.parks = services.park_ids()
        self.taxonomy = services.taxonomy
        self.lang = lang

    def end(self, flow_id: int) -> End | None:
        flow = self.flows.get(flow_id)
        site = self.sites.get(flow.site_id) if flow else None
        if flow is None or site is None or flow.id is None or site.id is None:
            return None
        park = self.parks.get(site.park_id or "")
        member = self.members.get(site.member_id)
        return End(
            flow_id=flow.id,
            member=site.member_name,
            member_id=site.member_id,
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
            contact=Contact(
                name=member.contact_name, email=member.contact_email, phone=member.contact_phone
            )
            if member and (member.contact_name or member.contact_email or member.contact_phone)
            else None,
        )

    def card(self, syn: Synergy, history: list[SynergyEvent]) -> Card | None:
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
            last_event=history[-1] if history else None,
            history=tuple(history),
        )
