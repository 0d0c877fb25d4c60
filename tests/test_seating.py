"""The table plan: everyone seated once, no table over its seats, the planted groups found, a
random seating beaten by far, and bad input refused in French."""

from __future__ import annotations

import itertools
import random
import statistics

import hypothesis
import pytest
from hypothesis import strategies as st

from bench.seating import planted_event
from mapservice.errors import InvalidInput
from mapservice.matching.meetings import PairSynergy, Participant, pair_values
from mapservice.matching.seating import objective, plan_from_seating, plan_tables, random_seating


def people(n: int, first: int = 1) -> list[Participant]:
    return [Participant(m, f"Entreprise {m}") for m in range(first, first + n)]


@st.composite
def events(draw):
    """An event: participants, pair values (some pairs, any non-negative value), tables and
    seats that hold everyone, the balance flag and a seed."""
    n = draw(st.integers(1, 40))
    ids = draw(st.lists(st.integers(1, 10_000), min_size=n, max_size=n, unique=True))
    pairs = draw(
        st.dictionaries(
            st.tuples(st.sampled_from(ids), st.sampled_from(ids)).filter(lambda p: p[0] < p[1]),
            st.floats(0, 5, allow_nan=False),
            max_size=3 * n,
        )
        if n > 1
        else st.just({})
    )
    tables = draw(st.integers(1, 12))
    seats = draw(st.integers(-(-n // tables), -(-n // tables) + 4))
    return (
        [Participant(m, f"M{m}") for m in ids],
        pairs,
        tables,
        seats,
        draw(st.booleans()),
        draw(st.integers(0, 1000)),
    )


@hypothesis.settings(max_examples=150, deadline=None, derandomize=True)
@hypothesis.given(events())
def test_every_participant_is_seated_once_and_no_table_is_over_its_seats(event):
    participants, pairs, tables, seats, balance, seed = event
    plan = plan_tables(participants, pairs, tables, seats, seed=seed, balance=balance, restarts=2)
    seated = [m for table in plan.tables for m in table.members]
    assert sorted(seated) == sorted(p.member_id for p in participants)
    assert len(plan.tables) == tables
    assert all(len(t.members) <= seats for t in plan.tables)
    if balance:
        assert all(len(t.members) <= -(-len(participants) // tables) for t in plan.tables)
    assert plan.total == pytest.approx(objective(plan.seating, pairs))
    assert plan.total == pytest.approx(sum(t.value for t in plan.tables))
    # Never worse than a random seating of the same balance.
    shuffled = random_seating(participants, tables, seats, seed=seed)
    assert plan.total >= objective(shuffled, pairs) - 1e-9 or not balance
    assert [t.number for t in plan.tables] == list(range(1, tables + 1))


@hypothesis.settings(max_examples=100, deadline=None, derandomize=True)
@hypothesis.given(st.integers(1, 60), st.integers(1, 10), st.integers(0, 99))
def test_a_random_seating_seats_everyone_once_evenly(n, tables, seed):
    seats = -(-n // tables)
    seating = random_seating(people(n), tables, seats, seed=seed)
    assert sorted(m for t in seating for m in t) == list(range(1, n + 1))
    assert max(map(len, seating)) - min(map(len, seating)) <= 1


@pytest.mark.parametrize(
    ("groups", "size", "tables", "seats", "seed"),
    [(5, 6, 5, 6, 1), (5, 6, 5, 6, 2), (15, 8, 15, 8, 3), (6, 5, 5, 7, 4)],
)
def test_the_plan_finds_the_planted_groups_and_beats_random_seatings(
    groups, size, tables, seats, seed
):
    """Dense planted groups (0.8 inside, 0.03 between): the plan keeps nearly all the planted
    seating's value and is several times a random seating's (measured: 100 % and 5–10×)."""
    event = planted_event(groups, size, seed)
    values = event.values()
    plan = plan_tables(event.participants, values, tables, seats, seed=0)
    random_mean = statistics.fmean(
        objective(random_seating(event.participants, tables, seats, seed=k), values)
        for k in range(100)
    )
    planted = objective(event.groups, values)
    assert plan.total >= 0.9 * planted
    assert plan.total / random_mean >= 3.0


def test_noisy_groups_still_beat_random_seatings_by_far():
    event = planted_event(15, 8, 5, p_in=0.4, p_out=0.15)
    values = event.values()
    plan = plan_tables(event.participants, values, 15, 8, seed=0)
    random_mean = statistics.fmean(
        objective(random_seating(event.participants, 15, 8, seed=k), values) for k in range(100)
    )
    assert plan.total >= objective(event.groups, values)
    assert plan.total / random_mean >= 2.5


def test_the_plan_is_the_same_for_the_same_seed():
    event = planted_event(6, 5, 7, p_in=0.5, p_out=0.1)
    values = event.values()
    first = plan_tables(event.participants, values, 5, 7, seed=3)
    again = plan_tables(
        list(reversed(event.participants)), dict(reversed(values.items())), 5, 7, seed=3
    )
    assert first == again


def test_people_without_synergies_get_seats_and_tables_say_why():
    participants = people(7)
    synergies = [
        PairSynergy(11, 1, 2, score=0.9, distance_m=12_300.0, tonnes_per_year=40.0),
        PairSynergy(12, 2, 1, score=None),
        PairSynergy(13, 3, 4, score=0.6),
    ]
    values = pair_values(participants, synergies)
    plan = plan_tables(participants, values, 3, 3)
    assert plan.total == pytest.approx(0.9 + 0.5 + 0.6)
    best = plan.tables[0]
    assert best.members == (1, 2) or set(best.members) >= {1, 2}
    assert best.reasons[:2] == (
        "Entreprise 1 → Entreprise 2 : score 90, 12,3 km, 40 t/an",
        "Entreprise 2 → Entreprise 1 : score non communiqué",
    )
    assert plan.table_of(1) == plan.table_of(2) and plan.table_of(3) == plan.table_of(4)
    alone = [m for t in plan.tables for m in t.unconnected]
    assert sorted(alone) == [5, 6, 7]


def test_fewer_people_than_seats_spread_over_the_tables_unless_asked_not_to():
    participants = people(6)
    values = {(1, 2): 1.0, (2, 3): 1.0, (1, 3): 1.0, (4, 5): 1.0}
    spread = plan_tables(participants, values, 3, 10)
    assert sorted(len(t.members) for t in spread.tables) == [2, 2, 2]
    packed = plan_tables(participants, values, 3, 10, balance=False)
    assert packed.total == pytest.approx(4.0)
    assert packed.table_of(1) == packed.table_of(2) == packed.table_of(3)
    assert len(packed.tables[0].members) >= 3


def test_one_participant_sits_alone():
    plan = plan_tables(people(1), {}, 2, 4)
    assert plan.seating == ((1,), ()) and plan.total == 0


def test_a_plan_after_staff_moved_someone():
    participants = people(4)
    values = {(1, 2): 1.0, (3, 4): 0.5, (2, 3): 0.25}
    plan = plan_from_seating(participants, [[1, 3], [2, 4]], values, seats=2)
    assert plan.total == 0 and [t.number for t in plan.tables] == [1, 2]
    assert plan.tables[0].reasons == ()
    moved = plan_from_seating(participants, [[2, 1], [3, 4]], values, seats=2)
    assert moved.total == 1.5 and moved.seating == ((1, 2), (3, 4))
    assert moved.tables[0].reasons == ("Entreprise 1 et Entreprise 2 : valeur 1,00",)


@pytest.mark.parametrize(
    ("n", "tables", "seats", "field", "said"),
    [
        (
            31,
            5,
            6,
            "tables",
            "Trop de participants pour les places : 31 participants pour 30 places "
            "(5 tables × 6 places). Ajoutez des tables ou des places, ou retirez des "
            "participants.",
        ),
        (0, 5, 6, "participants", "L'événement n'a aucun participant : ajoutez-en au moins un."),
        (3, 0, 6, "tables", "Nombre de tables invalide : 0 (attendu : de 1 à 500)."),
        (3, 2, 501, "seats", "Nombre de places par table invalide : 501 (attendu : de 1 à 500)."),
    ],
)
def test_bad_rooms_are_refused_with_what_was_expected(n, tables, seats, field, said):
    for call in (
        lambda: plan_tables(people(n), {}, tables, seats),
        lambda: random_seating(people(n), tables, seats),
    ):
        with pytest.raises(InvalidInput) as caught:
            call()
        assert str(caught.value) == said and caught.value.field == field
        assert caught.value.message.template  # a marked message: said in English on a page


@pytest.mark.parametrize(
    ("seating", "said"),
    [
        ([[1, 2, 3], [4]], "La table 1 a 3 personnes pour 2 places."),
        (
            [[1, 9], [2, 3], [4]],
            "Le membre n° 9 est placé à la table 1 mais ne participe pas à l'événement.",
        ),
        ([[1, 2], [2, 3], [4]], "Entreprise 2 est placé deux fois : tables 1 et 2."),
        ([[1, 2], [4]], "Participants sans place : Entreprise 3."),
    ],
)
def test_a_seating_staff_changed_is_checked(seating, said):
    with pytest.raises(InvalidInput) as caught:
        plan_from_seating(people(4), seating, {}, seats=2)
    assert str(caught.value) == said and caught.value.field == "seating"


def test_a_participant_listed_twice_or_a_value_that_is_not_a_number_is_refused():
    with pytest.raises(InvalidInput, match="figure deux fois"):
        plan_tables([*people(2), Participant(1, "Encore")], {}, 1, 3)
    with pytest.raises(InvalidInput, match=r"paire 1–2 : nan \(attendu : un nombre fini\)"):
        plan_tables(people(2), {(1, 2): float("nan")}, 1, 3)


@pytest.mark.slow
def test_the_benchmark_plans_events_of_the_demo_membership(capsys):
    from bench import seating

    assert seating.main(["--random", "3"]) == 0
    said = capsys.readouterr().out
    assert "demo: 30 members, 5 × 6" in said and "demo: 120 members, 15 × 8" in said


def test_the_benchmark_prints_the_ratio(capsys, tmp_path):
    from bench import seating

    assert seating.main(["--random", "5", "--no-demo", "--json", str(tmp_path / "s.json")]) == 0
    said = capsys.readouterr().out
    assert "ratio" in said and "120 people, 15 × 8" in said


def test_the_room_message_is_said_in_english_on_request():
    import gettext
    from pathlib import Path

    import mapservice

    english = gettext.translation(
        "messages", Path(mapservice.__file__).parent / "translations", languages=["en"]
    )
    with pytest.raises(InvalidInput) as caught:
        plan_tables(people(9), {}, 2, 4)
    assert caught.value.message.render(english.gettext) == (
        "Too many participants for the seats: 9 participants for 8 seats (2 tables × 4 "
        "seats). Add tables or seats, or remove participants."
    )


def _partitions(items: tuple[int, ...], size: int):
    """Every way to split ``items`` into tables of exactly ``size``."""
    if not items:
        yield []
        return
    first, rest = items[0], items[1:]
    for others in itertools.combinations(rest, size - 1):
        left = tuple(m for m in rest if m not in others)
        for tail in _partitions(left, size):
            yield [(first, *others), *tail]


def test_on_small_events_the_plan_is_the_best_seating_nearly_always():
    """Against the exact optimum by enumeration (8 to 12 people, tables full). Measured on 200
    such events (12 people at 4 tables of 3 too): 197 at the optimum, none under 96 % of it."""
    at_best, shares = 0, []
    for trial in range(60):
        rng = random.Random(trial)
        n, tables, seats = rng.choice([(8, 2, 4), (9, 3, 3), (10, 2, 5), (12, 3, 4)])
        values = {
            (a, b): rng.random()
            for a in range(1, n + 1)
            for b in range(a + 1, n + 1)
            if rng.random() < 0.4
        }
        best = max(objective(p, values) for p in _partitions(tuple(range(1, n + 1)), seats))
        got = plan_tables(people(n), values, tables, seats).total
        at_best += got >= best - 1e-9
        shares.append(got / best)
    assert at_best >= 54 and min(shares) >= 0.9
