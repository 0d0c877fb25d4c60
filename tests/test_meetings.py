"""Who should meet whom: the value of each pair and the meetings worth having, best first."""

from __future__ import annotations

import hypothesis
import pytest
from hypothesis import strategies as st

from mapservice.errors import InvalidInput
from mapservice.matching.meetings import (
    NEUTRAL_SCORE,
    PairSynergy,
    Participant,
    pair_values,
    propose_meetings,
)

PEOPLE = [Participant(m, name) for m, name in enumerate("ABCDEFG", start=1)]


def syn(sid: int, offer: int, need: int, score: float | None = 0.8, **more) -> PairSynergy:
    return PairSynergy(sid, offer, need, score=score, **more)


def test_a_pair_is_worth_the_sum_of_its_synergies_either_way_neutral_when_withheld():
    values = pair_values(
        PEOPLE, [syn(1, 1, 2, 0.8), syn(2, 2, 1, None), syn(3, 3, 1, 0.4), syn(4, 1, 99, 0.9)]
    )
    assert list(values) == [(1, 2), (1, 3)]  # member 99 is not at the event
    assert values[(1, 2)].value == pytest.approx(0.8 + NEUTRAL_SCORE)
    assert [s.synergy_id for s in values[(1, 2)].synergies] == [1, 2]  # best first
    assert values[(1, 3)].value == pytest.approx(0.4)


def test_a_synergy_within_one_member_is_no_reason_to_meet():
    assert pair_values(PEOPLE, [syn(1, 4, 4)]) == {}


@pytest.mark.parametrize("score", [1.5, -0.1, float("nan")])
def test_a_score_outside_0_to_1_is_refused(score):
    with pytest.raises(InvalidInput, match="attendu : un nombre de 0 à 1") as caught:
        pair_values(PEOPLE, [syn(7, 1, 2, score)])
    assert caught.value.field == "score"


def test_meetings_are_pairs_and_cliques_best_first_with_their_reasons():
    synergies = [
        # A, B, C pairwise connected: a group; D linked to A only.
        syn(1, 1, 2, 0.9, distance_m=4_200.0, tonnes_per_year=120.0),
        syn(2, 2, 3, 0.7),
        syn(3, 3, 1, None),
        syn(4, 4, 1, 0.6, distance_m=35_000.0),
        syn(5, 6, 7, 0.2),
    ]
    values = pair_values(PEOPLE, synergies)
    meetings = propose_meetings(PEOPLE, values)
    assert [m.members for m in meetings] == [(1, 2, 3), (1, 2), (2, 3), (1, 4), (1, 3), (6, 7)]
    group = meetings[0]
    assert group.is_group and group.value == pytest.approx(0.9 + 0.7 + NEUTRAL_SCORE)
    assert group.reasons == (
        "A → B : score 90, 4,2 km, 120 t/an",
        "B → C : score 70",
        "C → A : score non communiqué",
    )
    assert meetings[3].reasons == ("D → A : score 60, 35 km",)
    assert [m.members for m in propose_meetings(PEOPLE, values, max_group=2, limit=2)] == [
        (1, 2),
        (2, 3),
    ]
    assert [m.members for m in propose_meetings(PEOPLE, values, min_value=0.55)] == [
        (1, 2),
        (2, 3),
        (1, 4),
    ]


def test_a_large_clique_keeps_its_best_connected_members():
    people = [Participant(m, f"M{m}") for m in range(1, 7)]
    synergies = [
        syn(10 * a + b, a, b, 0.9 if b <= 4 else 0.3) for a in range(1, 7) for b in range(a + 1, 7)
    ]
    groups = [m for m in propose_meetings(people, pair_values(people, synergies)) if m.is_group]
    assert [g.members for g in groups] == [(1, 2, 3, 4)]


def test_no_participant_or_a_bad_group_size_is_refused():
    with pytest.raises(InvalidInput, match="aucun participant"):
        pair_values([], [])
    with pytest.raises(InvalidInput, match="Taille de groupe invalide : 1"):
        propose_meetings(PEOPLE, {}, max_group=1)


@hypothesis.settings(max_examples=100, deadline=None, derandomize=True)
@hypothesis.given(
    st.lists(
        st.tuples(
            st.integers(1, 12), st.integers(1, 12), st.none() | st.floats(0, 1, allow_nan=False)
        ),
        max_size=60,
    ),
    st.integers(2, 5),
)
def test_every_meeting_is_pairwise_connected_small_enough_and_ranked(drawn, max_group):
    people = [Participant(m, f"M{m}") for m in range(1, 11)]  # 11 and 12 are not there
    synergies = [syn(k, a, b, score) for k, (a, b, score) in enumerate(drawn, start=1)]
    values = pair_values(people, synergies)
    assert all(0 < a < b <= 10 for a, b in values)
    meetings = propose_meetings(people, values, max_group=max_group)
    assert [m.value for m in meetings] == sorted((m.value for m in meetings), reverse=True)
    assert len({m.members for m in meetings}) == len(meetings)
    for meeting in meetings:
        assert 2 <= len(meeting.members) <= max_group
        wanted = {(a, b) for i, a in enumerate(meeting.members) for b in meeting.members[i + 1 :]}
        assert wanted <= set(values) and {p.members for p in meeting.pairs} == wanted
        assert meeting.value == pytest.approx(sum(values[k].value for k in wanted))
