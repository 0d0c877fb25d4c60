"""The one door to the seating algorithm: who sits with whom, from the synergies between them.

Callers give the participants' member ids and, for each pair, the stored synergies between
their sites; this module turns them into the value of each pair and asks
:func:`mapservice.matching.seating.plan_tables` (networkx's Louvain communities, fitted to
the seats by SciPy's linear assignment, then improved by moves and swaps; see that module) for
a plan of ``tables`` tables of ``seats`` seats.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from mapservice.domain.model import Synergy, SynergyStatus
from mapservice.matching.meetings import NEUTRAL_SCORE, Participant
from mapservice.matching.seating import plan_tables

#: The synergies whose pair is worth a meeting: still to be brokered or under way.
OPEN = frozenset({SynergyStatus.CANDIDATE, SynergyStatus.CONTACTED, SynergyStatus.IN_PROGRESS})


@dataclass(frozen=True)
class ProposedPlan:
    """Tables in order (table 1 first), each the member ids in seat order; ``objective`` is
    the sum of the pair values within tables; ``method`` says what made it."""

    tables: tuple[tuple[int, ...], ...]
    objective: float
    method: str


def pair_values(
    pair_synergies: Mapping[tuple[int, int], Sequence[Synergy]],
) -> dict[tuple[int, int], float]:
    """What seating a pair together is worth: the sum of the scores (0 to 1) of their open
    synergies (:data:`OPEN`), one without a score counting as neutral, as the proposed
    meetings and the sheets count it (:data:`~mapservice.matching.meetings.NEUTRAL_SCORE`);
    pairs worth nothing are left out."""
    values = {}
    for pair, synergies in pair_synergies.items():
        value = sum(
            NEUTRAL_SCORE if s.score is None else s.score for s in synergies if s.status in OPEN
        )
        if value > 0:
            values[pair] = value
    return values


def objective(tables: Sequence[Sequence[int]], values: Mapping[tuple[int, int], float]) -> float:
    """The sum of the values of the pairs seated at the same table."""
    total = 0.0
    for table in tables:
        for i, a in enumerate(table):
            for b in table[i + 1 :]:
                total += values.get((min(a, b), max(a, b)), 0.0)
    return total


def propose(
    member_ids: Sequence[int],
    pair_synergies: Mapping[tuple[int, int], Sequence[Synergy]],
    *,
    tables: int,
    seats: int,
    seed: int = 0,
) -> ProposedPlan:
    """A plan for ``member_ids`` at ``tables`` tables of ``seats`` seats (the caller has
    checked that they fit); the same seed gives the same plan. Tables come in seat order of
    their members' ids, the most valuable table first."""
    values = pair_values(pair_synergies)
    people = [Participant(m, str(m)) for m in member_ids]
    plan = plan_tables(people, values, tables, seats, seed)
    done = tuple(tuple(t) for t in plan.seating)
    return ProposedPlan(done, objective(done, values), METHOD)


#: What makes the plans, as the event page says.
METHOD = "Louvain (networkx) + affectation linéaire (SciPy)"
