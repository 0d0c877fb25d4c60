"""Event use cases on SQLite and PostGIS: create, pick participants, plan, move, record
meetings (their synergies « contacted » in one transaction, or nothing), and the outcome."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from mapservice.domain.model import Member, Site, Synergy, SynergyEvent, SynergyKind, SynergyStatus
from mapservice.errors import InvalidInput, NotFound
from mapservice.events import jobs, pairs, planning, selection
from mapservice.events.outcome import outcome
from mapservice.events.page import event_page
from mapservice.services import Services
from tests.support.seeded_registry import realise, seed_registry

AUTHOR = "Julie"


@pytest.fixture
def seeded(services: Services, tmp_path: Path) -> Services:
    seed_registry(services, tmp_path)
    return services


def _event(svc: Services, title: str = "Maillage du Fjord") -> int:
    return jobs.create_event(
        svc, {"title": title, "date": "2026-10-15", "place": "Chicoutimi"}, author=AUTHOR
    )


def _everyone(svc: Services) -> list[int]:
    return [m.id for m in svc.repo.members() if m.id is not None]


# --- the whole path, on both backends ---------------------------------------------------------


def test_an_event_from_creation_to_its_outcome(seeded: Services) -> None:
    svc = seeded
    event_id = _event(svc)
    (listed,) = jobs.events(svc)
    assert (listed.title, listed.event_date, listed.place) == (
        "Maillage du Fjord",
        date(2026, 10, 15),
        "Chicoutimi",
    )
    members = _everyone(svc)
    assert jobs.add_participants(svc, event_id, map(str, members), author=AUTHOR) == 8
    assert jobs.add_participants(svc, event_id, [str(members[0])], author=AUTHOR) == 0  # known
    assert svc.repo.get_event(event_id).n_participants == 8

    plan = jobs.propose_plan(svc, event_id, "2", "4", author=AUTHOR)
    seats = svc.repo.event_seats(event_id)
    assert sorted(s.member_id for s in seats) == sorted(members)
    assert {s.table_number for s in seats} == {1, 2}
    assert plan.objective > 0  # the synergies' pairs sit together
    between = pairs.between(svc, members)
    values = planning.pair_values(between.by_pair)
    assert plan.objective == pytest.approx(planning.objective(plan.tables, values))

    # Swap two people of different tables, then take one out: its seat goes with it.
    a = next(s for s in seats if s.table_number == 1)
    b = next(s for s in seats if s.table_number == 2)
    assert jobs.move_participant(svc, event_id, a.member_id, None, str(b.member_id)) is None
    after = {s.member_id: s.table_number for s in svc.repo.event_seats(event_id)}
    assert (after[a.member_id], after[b.member_id]) == (2, 1)
    jobs.remove_participant(svc, event_id, a.member_id)
    assert a.member_id not in {s.member_id for s in svc.repo.event_seats(event_id)}
    assert jobs.move_participant(svc, event_id, b.member_id, "2") == 2  # a seat is free now

    # Record the meetings: every synergy between participants, « contacted » at once.
    remaining = svc.repo.event_participants(event_id)
    synergies = pairs.between(svc, remaining).synergies()
    assert synergies
    ids = [str(s.id) for s in synergies]
    assert jobs.record_meetings(svc, event_id, ids, author=AUTHOR) == len(ids)
    for s in synergies:
        assert svc.repo.get_synergy(s.id).status is SynergyStatus.CONTACTED
        step = svc.repo.synergy_events(s.id)[-1]
        assert step.note == "Rencontre à l'événement « Maillage du Fjord » du 2026-10-15"
        assert step.author == AUTHOR
    met = svc.repo.event_meetings(event_id)
    assert sorted(m.synergy_id for m in met) == sorted(s.id for s in synergies)
    assert all(m.member_a_id != m.member_b_id and m.took_place for m in met)

    # One of them realised later: the outcome counts it, with its tonnes.
    done = synergies[0]
    for status in (SynergyStatus.IN_PROGRESS, SynergyStatus.REALISED):
        svc.repo.move_synergy(done.id, status, author=AUTHOR)
    page = event_page(svc, event_id)
    assert page.outcome.meetings == len(met)
    assert page.outcome.contacted == len(synergies)
    assert page.outcome.realised == 1
    assert page.outcome.tonnes_per_year == pytest.approx(
        svc.repo.get_synergy(done.id).tonnes_per_year or 0.0
    )


def test_meetings_are_recorded_whole_or_not_at_all(seeded: Services) -> None:
    svc = seeded
    event_id = _event(svc)
    jobs.add_participants(svc, event_id, map(str, _everyone(svc)), author=AUTHOR)
    first, second, *_ = pairs.between(svc, _everyone(svc)).synergies()
    realise(svc, second.id, datetime(2026, 1, 5, tzinfo=UTC))  # may not become « contacted »
    with pytest.raises(InvalidInput) as refused:
        jobs.record_meetings(svc, event_id, [str(first.id), str(second.id)], author=AUTHOR)
    assert refused.value.extra["refused"] == [{"id": second.id, "status": "realised"}]
    assert svc.repo.get_synergy(first.id).status is SynergyStatus.CANDIDATE
    assert svc.repo.event_meetings(event_id) == []


def test_meetings_must_join_two_participants(seeded: Services) -> None:
    svc = seeded
    event_id = _event(svc)
    some = pairs.between(svc, _everyone(svc)).synergies()[0]
    with pytest.raises(InvalidInput, match="ne relie plus deux participants"):
        jobs.record_meetings(svc, event_id, [str(some.id)], author=AUTHOR)
    assert svc.repo.get_synergy(some.id).status is SynergyStatus.CANDIDATE


def test_bad_plans_save_nothing(seeded: Services) -> None:
    svc = seeded
    event_id = _event(svc)
    with pytest.raises(InvalidInput, match="aucun participant"):
        jobs.propose_plan(svc, event_id, "2", "4", author=AUTHOR)
    jobs.add_participants(svc, event_id, map(str, _everyone(svc)), author=AUTHOR)
    with pytest.raises(InvalidInput, match="8 participants pour 2 tables de 3 places"):
        jobs.propose_plan(svc, event_id, "2", "3", author=AUTHOR)
    for tables, seats in (("0", "4"), ("x", "4"), ("2", "51")):
        with pytest.raises(InvalidInput):
            jobs.propose_plan(svc, event_id, tables, seats, author=AUTHOR)
    assert svc.repo.event_seats(event_id) == []
    jobs.propose_plan(svc, event_id, "2", "4", author=AUTHOR)
    before = svc.repo.event_seats(event_id)
    with pytest.raises(InvalidInput, match="pleine"):
        jobs.move_participant(svc, event_id, before[0].member_id, "2")
    with pytest.raises(InvalidInput, match="de 1 à 2"):
        jobs.move_participant(svc, event_id, before[0].member_id, "3")
    assert svc.repo.event_seats(event_id) == before
    with pytest.raises(NotFound):
        jobs.propose_plan(svc, 999, "2", "4", author=AUTHOR)


def test_a_plan_with_someone_gone_meanwhile_is_refused(seeded: Services) -> None:
    """The store re-checks the participants in the plan's own transaction."""
    from mapservice.events.model import Seat

    svc = seeded
    event_id = _event(svc)
    members = _everyone(svc)[:3]
    jobs.add_participants(svc, event_id, map(str, members), author=AUTHOR)
    jobs.remove_participant(svc, event_id, members[2])
    plan = [Seat(m, 1, i) for i, m in enumerate(members, start=1)]
    with pytest.raises(InvalidInput, match="ne participe plus"):
        svc.repo.save_plan(event_id, plan, tables=1, per_table=3, author=AUTHOR)
    assert svc.repo.event_seats(event_id) == []


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"title": "", "date": "2026-10-15"}, "title"),
        ({"title": "x" * 201, "date": "2026-10-15"}, "title"),
        ({"title": "Soirée", "date": "2026-13-45"}, "date"),
        ({"title": "Soirée", "date": ""}, "date"),
        ({"title": "Soirée\x00", "date": "2026-10-15"}, "title"),
    ],
)
def test_a_bad_event_is_refused_naming_its_field(services: Services, form, field) -> None:
    with pytest.raises(InvalidInput) as refused:
        jobs.create_event(services, form, author=AUTHOR)
    assert refused.value.field == field
    assert services.repo.events() == []


# --- pure parts --------------------------------------------------------------------------------

MEMBERS = [
    Member(1, "Métal Saguenay inc.", "332"),
    Member(2, "Metal Saguenay Inc", "331"),
    Member(3, "Scierie Boréale", "321"),
    Member(4, "Ferme Laitière du Lac", "112"),
    Member(5, "Ferme Porcine", "112"),
]


def test_names_match_accents_and_case_aside_and_report_the_rest() -> None:
    text = "SCIERIE BOREALE\n  ferme porcine \nmetal saguenay inc\nFerme\nInconnue Ltée\n\n"
    found = selection.match_names(text, MEMBERS)
    assert found.found == (3, 5)
    assert found.not_found == ("Inconnue Ltée",)
    assert found.ambiguous == (
        # in reading order: the unaccented spelling first, as a dictionary has it
        ("metal saguenay inc", ("Metal Saguenay Inc", "Métal Saguenay inc.")),
        ("Ferme", ("Ferme Laitière du Lac", "Ferme Porcine")),
    )
    assert selection.match_names("laitiere", MEMBERS).found == (4,)  # part of one name
    with pytest.raises(InvalidInput):
        selection.match_names(" \n ", MEMBERS)


def test_search_by_name_park_and_sector() -> None:
    sites = [
        Site(10, 3, "usine", None, None, None, None, None, park_id="parc-a"),
        Site(11, 5, "ferme", None, None, None, None, None, park_id="parc-b"),
    ]
    assert [m.id for m in selection.search(MEMBERS, sites, q="FERME")] == [4, 5]
    assert [m.id for m in selection.search(MEMBERS, sites, park_id="parc-a")] == [3]
    assert [m.id for m in selection.search(MEMBERS, sites, sector="primaire")] == [4, 5]
    assert [m.id for m in selection.search(MEMBERS, sites, q="ferme", park_id="parc-b")] == [5]


def test_the_plan_seats_everyone_within_the_seats() -> None:
    def syn(score: float, status=SynergyStatus.CANDIDATE) -> Synergy:
        return Synergy(1, 1, 2, SynergyKind.SUBSTITUTION, status=status, score=score)

    by_pair = {(1, 2): [syn(0.9)], (3, 4): [syn(0.8)], (1, 3): [syn(0.1, SynergyStatus.REJECTED)]}
    plan = planning.propose([1, 2, 3, 4, 5], by_pair, tables=3, seats=2)
    assert sorted(m for t in plan.tables for m in t) == [1, 2, 3, 4, 5]
    assert all(len(t) <= 2 for t in plan.tables)
    assert {frozenset(t) for t in plan.tables} >= {frozenset({1, 2}), frozenset({3, 4})}
    assert plan.objective == pytest.approx(1.7)


def test_the_outcome_counts_only_what_moved_after_the_event() -> None:
    s1 = Synergy(1, 1, 2, SynergyKind.SUBSTITUTION, status=SynergyStatus.REALISED,
                 tonnes_per_year=120.0, net_kg_co2e=30_000.0)  # fmt: skip
    s2 = Synergy(2, 3, 4, SynergyKind.SUBSTITUTION, status=SynergyStatus.CONTACTED)
    s3 = Synergy(3, 5, 6, SynergyKind.SUBSTITUTION, status=SynergyStatus.CONTACTED)

    def step(i: int, to: SynergyStatus, day: date) -> SynergyEvent:
        at = datetime(day.year, day.month, day.day, 15, tzinfo=UTC)
        return SynergyEvent(i, None, to, at, AUTHOR, "")

    history = [
        step(3, SynergyStatus.CONTACTED, date(2026, 9, 1)),  # before the event
        step(1, SynergyStatus.CONTACTED, date(2026, 10, 15)),
        step(2, SynergyStatus.CONTACTED, date(2026, 10, 15)),
        step(1, SynergyStatus.REALISED, date(2026, 12, 2)),
    ]
    got = outcome(date(2026, 10, 15), [s1, s2, s3], history, meetings=2, today=date(2027, 1, 3))
    assert (got.contacted, got.realised, got.meetings) == (2, 1, 2)
    assert (got.tonnes_per_year, got.net_t_co2e_per_year) == (120.0, 30.0)
    assert [m.month for m in got.months] == ["2026-10", "2026-11", "2026-12", "2027-01"]
    assert [m.realised for m in got.months] == [0, 0, 1, 1]
    assert got.by_status["contacted"] == 2
