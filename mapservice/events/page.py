"""What an event's page shows, as data: participants, a search among the members, the saved
plan table by table with the meetings worth having at each, and what came of the event."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from mapservice.domain.collation import collated
from mapservice.domain.model import Member, Site, Synergy, SynergyStatus
from mapservice.domain.reasons import score_100
from mapservice.domain.sectors import sector_group
from mapservice.events import pairs, planning, selection
from mapservice.events.model import Event
from mapservice.events.outcome import EventOutcome, outcome
from mapservice.matching.meetings import (
    Meeting,
    PairSynergy,
    Participant,
    pair_values,
    propose_meetings,
)

if TYPE_CHECKING:
    from mapservice.services import Services

#: The most members a search lists.
MAX_RESULTS = 200
#: The meetings worth having shown on an event's page (pairs and small groups, best first).
PROPOSALS = 12


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    sector: str
    parks: tuple[str, ...]


@dataclass(frozen=True)
class MeetingRow:
    """A synergy between two participants: a meeting worth having (or had)."""

    synergy_id: int
    offer: Person
    need: Person
    offer_category: str
    need_category: str
    score: int | None
    km: float | None
    reasons: tuple[str, ...]
    status: str
    recorded: bool

    @property
    def tickable(self) -> bool:
        """Whether « Marquer comme contactées » may move it: a candidate not yet recorded."""
        return self.status == SynergyStatus.CANDIDATE.value and not self.recorded


@dataclass(frozen=True)
class TableView:
    number: int
    people: tuple[Person, ...]
    value: float
    meetings: tuple[MeetingRow, ...]

    @property
    def pairs(self) -> tuple[tuple[MeetingRow, tuple[MeetingRow, ...]], ...]:
        """The meetings by pair of people, best pair first: each pair's best synergy, and its
        others (a table of six has at most 15 pairs, but a pair may share a dozen synergies)."""
        by_pair: dict[frozenset[int], list[MeetingRow]] = {}
        for row in self.meetings:  # best score first
            by_pair.setdefault(frozenset((row.offer.id, row.need.id)), []).append(row)
        return tuple((rows[0], tuple(rows[1:])) for rows in by_pair.values())


@dataclass(frozen=True)
class EventPage:
    event: Event
    participants: tuple[Person, ...]
    results: tuple[Person, ...] | None
    tables: tuple[TableView, ...]
    unseated: tuple[Person, ...]
    other_meetings: tuple[MeetingRow, ...]
    outcome: EventOutcome
    parks: tuple[tuple[str, str], ...]
    #: The meetings worth having, best first: pairs and small groups pairwise connected
    #: (:func:`mapservice.matching.meetings.propose_meetings`), with their people.
    proposals: tuple[tuple[Meeting, tuple[Person, ...]], ...] = ()


def _person(member: Member, sites: list[Site], park_names: dict[str, str]) -> Person:
    parks = collated({park_names.get(s.park_id, s.park_id) for s in sites if s.park_id})
    return Person(member.id or 0, member.name, sector_group(member.naics_code).code, tuple(parks))


def event_page(
    services: Services,
    event_id: int,
    *,
    q: str = "",
    park_id: str = "",
    sector: str = "",
    today: datetime | None = None,
) -> EventPage:
    """The event's page; ``q``, ``park_id``, ``sector`` search the members not yet in it."""
    event = services.repo.get_event(event_id)
    members = {m.id: m for m in services.repo.members() if m.id is not None}
    all_sites = services.repo.sites()
    sites_of: dict[int, list[Site]] = {}
    for site in all_sites:
        sites_of.setdefault(site.member_id, []).append(site)
    park_names = {pid: p.name for pid, p in services.park_ids().items()}

    def person(member_id: int) -> Person:
        return _person(members[member_id], sites_of.get(member_id, []), park_names)

    ids = [i for i in services.repo.event_participants(event_id) if i in members]
    participants = tuple(collated((person(i) for i in ids), key=lambda p: p.name))
    results = None
    if q or park_id or sector:
        taken = set(ids)
        found = selection.search(
            (m for m in members.values() if m.id not in taken),
            all_sites,
            q=q,
            park_id=park_id,
            sector=sector,
        )
        results = tuple(person(m.id) for m in found[:MAX_RESULTS] if m.id is not None)

    between = pairs.between(services, ids)
    met = services.repo.event_meetings(event_id)
    recorded = {m.synergy_id for m in met if m.synergy_id is not None}

    def row(s: Synergy) -> MeetingRow:
        offer_id, need_id = between.ends(s)
        metres = s.road_m if s.road_m is not None else s.geodesic_m
        return MeetingRow(
            synergy_id=s.id or 0,
            offer=person(offer_id),
            need=person(need_id),
            offer_category=between.flows[s.output_flow_id].category_code,
            need_category=between.flows[s.input_flow_id].category_code,
            score=score_100(s.score),
            km=round(metres / 1000, 1) if metres is not None else None,
            reasons=s.reasons,
            status=s.status.value,
            recorded=s.id in recorded,
        )

    values = planning.pair_values(between.by_pair)
    seats = services.repo.event_seats(event_id)
    table_of = {s.member_id: s.table_number for s in seats}
    tables = []
    for number in range(1, (event.plan_tables or 0) + 1):
        at = [s.member_id for s in seats if s.table_number == number and s.member_id in members]
        meetings = [
            row(s)
            for s in between.synergies()
            if table_of.get(between.ends(s)[0]) == number
            and table_of.get(between.ends(s)[1]) == number
        ]
        tables.append(
            TableView(
                number,
                tuple(person(i) for i in at),
                planning.objective([at], values),
                tuple(sorted(meetings, key=lambda m: -(m.score or 0))),
            )
        )
    others = [
        row(s)
        for s in between.synergies()
        if table_of.get(between.ends(s)[0]) is None
        or table_of.get(between.ends(s)[0]) != table_of.get(between.ends(s)[1])
    ]
    synergies = between.synergies()
    histories = services.repo.synergy_histories(s.id for s in synergies if s.id is not None)
    history = [step for steps in histories.values() for step in steps]
    now = today or datetime.now(UTC)
    return EventPage(
        event=event,
        participants=participants,
        results=results,
        tables=tuple(tables),
        unseated=tuple(p for p in participants if p.id not in table_of),
        other_meetings=tuple(sorted(others, key=lambda m: -(m.score or 0))),
        outcome=outcome(event.event_date, synergies, history, meetings=len(met), today=now.date()),
        parks=tuple(collated(park_names.items(), key=lambda p: p[1])),
        proposals=tuple(
            (m, tuple(person(i) for i in m.members))
            for m in _proposals(between, {i: person(i).name for i in ids})
        ),
    )


def _proposals(between: pairs.Between, names: dict[int, str]) -> list[Meeting]:
    """The meetings worth having among the participants, from their open synergies."""
    if len(names) < 2:
        return []
    found = [
        PairSynergy(
            s.id,
            *between.ends(s),
            score=s.score,
            distance_m=s.road_m if s.road_m is not None else s.geodesic_m,
            tonnes_per_year=s.tonnes_per_year,
        )
        for s in between.synergies()
        if s.id is not None and s.status in planning.OPEN
    ]
    people = [Participant(i, name) for i, name in names.items()]
    return propose_meetings(people, pair_values(people, found), limit=PROPOSALS)
