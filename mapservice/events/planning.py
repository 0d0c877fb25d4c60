"""The one door to the seating algorithm: who sits with whom, from the synergies between them.

Callers give the participants' member ids and, for each pair, the stored synergies between
their sites; this module turns them into the value of each pair and asks the algorithm for a
plan of ``tables`` tables of ``seats`` seats.

PLACEHOLDER: the seating algorithm (``mapservice.matching.seating.plan_tables``) is written
separately; until it is wired here, :func:`_placeholder_plan` seats people greedily so that the
pages and the storage can be built and tested. Replace the body of :func:`propose` with a call
to ``seating.plan_tables(participants, pair_values, tables, seats, seed)`` and convert its
``TablePlan`` into :class:`ProposedPlan`; nothing else needs to change.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from mapservice.domain.model import Synergy, SynergyStatus

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
    synergies (:data:`OPEN`); pairs worth nothing are left out."""
    values = {}
    for pair, synergies in pair_synergies.items():
        value = sum(s.score or 0.0 for s in synergies if s.status in OPEN)
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
    checked that they fit)."""
    values = pair_values(pair_synergies)
    return _placeholder_plan(member_ids, values, tables=tables, seats=seats)


def _placeholder_plan(
    member_ids: Sequence[int], values: Mapping[tuple[int, int], float], *, tables: int, seats: int
) -> ProposedPlan:
    """PLACEHOLDER (see the module's docstring): fill the tables in turn, each begun by the
    unseated person with the most value overall, then the one worth most to those already
    there. Deterministic; ties by member id."""
    worth: dict[int, float] = {m: 0.0 for m in member_ids}
    for (a, b), v in values.items():
        if a in worth and b in worth:
            worth[a] += v
            worth[b] += v
    left = sorted(member_ids, key=lambda m: (-worth[m], m))
    # Spread people evenly: no table gets more than its share rounded up.
    share = -(-len(left) // tables) if left else 0
    plan: list[list[int]] = []
    for _ in range(tables):
        table: list[int] = []
        while left and len(table) < min(seats, share):
            if not table:
                pick = left[0]
            else:
                pick = max(
                    left,
                    key=lambda m: (
                        sum(values.get((min(m, o), max(m, o)), 0.0) for o in table),
                        -left.index(m),
                    ),
                )
            left.remove(pick)
            table.append(pick)
        plan.append(table)
    done = tuple(tuple(t) for t in plan)
    return ProposedPlan(done, objective(done, values), "placeholder (greedy)")
