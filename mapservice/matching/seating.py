"""The table plan of a maillage event: seat every participant so the synergies sit together.

Pure data in, data out. :func:`plan_tables` seats the participants at ``tables`` tables of at
most ``seats`` and maximises the **objective**: the sum, over the tables, of the values of the
pairs seated at the same table (:func:`objective`; a pair's value is
:func:`mapservice.matching.meetings.pair_values`'s). Exact maximisation is NP-hard (graph
partitioning with capacities), so the plan is found in three steps, all deterministic for a
given ``seed``:

1. **Communities** (networkx ``louvain_communities``, weighted by the pairs' values, seeded):
   Louvain finds groups of members more connected to each other than to the rest, in
   near-linear time, on weighted graphs, with a seed and a resolution to vary its starts
   (greedy modularity, Clauset–Newman–Moore, has no seed and usually reaches a lower
   modularity; label propagation is less stable from run to run and has no resolution;
   Kernighan–Lin only cuts in two). The ``tables`` communities with the most value inside
   them seed the tables.
2. **Fitting to the seats** (scipy ``optimize.linear_sum_assignment`` on seat slots): each
   table offers as many slots as it has seats; a person's cost at a slot is minus its value with
   the table's seed (its own community counting most), and the assignment fills the slots with
   everyone at the lowest total cost. A community larger than a table keeps its best-connected
   members; people of the communities left over, and people without any synergy, take the free
   seats where they are worth most. The assignment is exact and takes O(n³) for n people.
3. **Improvement**, until nothing gains: the same assignment again, each person's cost now
   minus its value with the people currently at each table (kept only when the objective
   rises: everyone moving at once can lose what two movers had together), then the best single
   move to a table with a free seat or the best swap of two people at different tables (their
   gains are read at once from one matrix, numpy, kept up to date after each step), then the
   whole assignment again. Every step raises the objective, so it ends. About 0.3 s for 120
   people at 15 tables, 2 s for 300 at 30 (8 starts, 2 shared cores).

It runs from ``restarts`` starts (Louvain seeded ``seed``, ``seed + 1``…, at the resolutions
1, 0.5, 2, 0.25, 4 in turn: :data:`~mapservice.matching.table_search.RESOLUTIONS`) and keeps
the best plan. On 200 small random events solved exactly by enumeration, it finds the best
seating 197 times and never less than 96 % of its value (``tests/test_seating.py`` holds it
to 90 %).
With ``balance`` (the default) no table takes more than ⌈people / tables⌉, so the room is
spread over every table; without it, tables fill up to ``seats`` and some may stay empty.
People with no synergy still get a seat; an empty event is refused, and so is one with more
people than seats (:class:`~mapservice.errors.InvalidInput`, in French).

:func:`plan_from_seating` checks a seating staff changed by hand and gives its plan (values,
reasons, objective); :func:`random_seating` gives the baseline a plan is compared with.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from mapservice.errors import InvalidInput, tr
from mapservice.matching.meetings import (
    PairKey,
    PairValue,
    Participant,
    check_participants,
    pair_key,
    synergy_reason,
)
from mapservice.matching.table_search import best_seating

#: The most tables, and the most seats a table, a plan may have.
MAX_TABLES = MAX_SEATS = 500
#: Starts tried by default (Louvain seeds and resolutions); the best plan is kept.
RESTARTS = 8

#: A seating: the member ids at each table, table 1 first.
Seating = Sequence[Sequence[int]]
#: Pair values as :func:`~mapservice.matching.meetings.pair_values` gives them, or plain numbers.
PairValues = Mapping[PairKey, PairValue | float]


@dataclass(frozen=True)
class Table:
    """One table of a plan: who sits there, what their synergies are worth, and why.

    ``pairs`` are the pairs seated together that have a value, best first; ``reasons`` say
    their synergies in French, best first; ``unconnected`` are the people at the table who share
    no synergy with anyone else there.
    """

    number: int
    members: tuple[int, ...]
    value: float
    pairs: tuple[PairValue, ...]
    reasons: tuple[str, ...]
    unconnected: tuple[int, ...]


@dataclass(frozen=True)
class TablePlan:
    """A seating of every participant, with each table's value and reasons.

    ``total`` is the objective (the sum of the tables' values); ``seats`` the most people a
    table may take.
    """

    tables: tuple[Table, ...]
    seats: int
    total: float

    @property
    def seating(self) -> tuple[tuple[int, ...], ...]:
        """The member ids at each table, table 1 first."""
        return tuple(t.members for t in self.tables)

    def table_of(self, member_id: int) -> int:
        """Return the number of the table where ``member_id`` sits."""
        for table in self.tables:
            if member_id in table.members:
                return table.number
        raise KeyError(member_id)


def _value(value: PairValue | float) -> float:
    return value.value if isinstance(value, PairValue) else float(value)


def _keyed(pair_values: PairValues) -> PairValues:
    """``pair_values`` keyed by :func:`~mapservice.matching.meetings.pair_key` (smaller id
    first), whatever order the caller wrote."""
    if all(a <= b for a, b in pair_values):
        return pair_values
    return {pair_key(*k): v for k, v in pair_values.items()}


def objective(seating: Seating, pair_values: PairValues) -> float:
    """Return the sum, over the tables, of the values of the pairs seated at the same table.

    Examples
    --------
    >>> objective([[1, 2], [3]], {(1, 2): 0.75, (2, 3): 1.0})
    0.75
    """
    pair_values = _keyed(pair_values)
    total = 0.0
    for members in seating:
        ids = sorted(members)
        for i, a in enumerate(ids):
            for b in ids[i + 1 :]:
                found = pair_values.get((a, b))
                if found is not None:
                    total += _value(found)
    return total


def check_room(people: int, tables: int, seats: int) -> None:
    """Raise :class:`InvalidInput` unless ``tables`` and ``seats`` are whole numbers in range
    and seat all ``people``."""
    for name, value, top in (("tables", tables, MAX_TABLES), ("seats", seats, MAX_SEATS)):
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= top:
            raise InvalidInput(
                tr(
                    "Nombre de tables invalide : {value} (attendu : de 1 à {top}).",
                    value=value,
                    top=top,
                )
                if name == "tables"
                else tr(
                    "Nombre de places par table invalide : {value} (attendu : de 1 à {top}).",
                    value=value,
                    top=top,
                ),
                field=name,
            )
    if people > tables * seats:
        raise InvalidInput(
            tr(
                "Trop de participants pour les places : {people} participants pour {places} "
                "places ({tables} tables × {seats} places). Ajoutez des tables ou des places, "
                "ou retirez des participants.",
                people=people,
                places=tables * seats,
                tables=tables,
                seats=seats,
            ),
            field="tables",
        )


def random_seating(
    participants: Sequence[Participant], tables: int, seats: int, seed: int = 0
) -> tuple[tuple[int, ...], ...]:
    """Return a random seating of the participants: shuffled (``random.Random(seed)``), then
    dealt round the tables, so no table takes more than ⌈people / tables⌉ (the baseline of a
    balanced plan)."""
    ids = sorted(check_participants(participants))
    check_room(len(ids), tables, seats)
    random.Random(seed).shuffle(ids)
    return tuple(tuple(sorted(ids[t::tables])) for t in range(tables))


def plan_tables(
    participants: Sequence[Participant],
    pair_values: PairValues,
    tables: int,
    seats: int,
    seed: int = 0,
    *,
    balance: bool = True,
    restarts: int = RESTARTS,
) -> TablePlan:
    """Seat every participant at ``tables`` tables of at most ``seats`` so that the values of
    the pairs seated together add up to the most (see the module's docstring for the method).

    Pairs naming someone who does not take part are left out. Tables come best first; the
    people at a table in the order of their ids.

    Raises
    ------
    InvalidInput
        No participant, one listed twice, a table count or seat count out of range, more
        people than seats, or a pair value that is not a finite number.
    """
    by_id = check_participants(participants)
    ids = sorted(by_id)
    n = len(ids)
    check_room(n, tables, seats)
    cap = min(seats, math.ceil(n / tables)) if balance else min(seats, n)
    weights = _matrix(ids, pair_values)
    best = best_seating(weights, tables, cap, seed, max(1, restarts))
    seating = [tuple(ids[i] for i in np.flatnonzero(best == t)) for t in range(tables)]
    seating.sort(key=lambda ms: (-objective([ms], pair_values), -len(ms), ms))
    return plan_from_seating(participants, seating, pair_values, seats)


def plan_from_seating(
    participants: Sequence[Participant], seating: Seating, pair_values: PairValues, seats: int
) -> TablePlan:
    """Return the plan of a given seating (staff moved people, or a plan read back), tables in
    the order given.

    Raises
    ------
    InvalidInput
        Someone seated who does not take part, someone seated twice, a participant without a
        seat, or a table with more people than ``seats``.
    """
    by_id = check_participants(participants)
    check_room(len(by_id), max(1, len(seating)), seats)
    names = {m: p.name for m, p in by_id.items()}
    pair_values = _keyed(pair_values)
    where: dict[int, int] = {}
    for number, members in enumerate(seating, start=1):
        if len(members) > seats:
            raise InvalidInput(
                tr(
                    "La table {table} a {people} personnes pour {seats} places.",
                    table=number,
                    people=len(members),
                    seats=seats,
                ),
                field="seating",
            )
        for member in members:
            if member not in by_id:
                raise InvalidInput(
                    tr(
                        "Le membre n° {member_id} est placé à la table {table} mais ne "
                        "participe pas à l'événement.",
                        member_id=member,
                        table=number,
                    ),
                    field="seating",
                )
            if member in where:
                raise InvalidInput(
                    tr(
                        "{name} est placé deux fois : tables {first} et {second}.",
                        name=names[member],
                        first=where[member],
                        second=number,
                    ),
                    field="seating",
                )
            where[member] = number
    missing = [names[m] for m in sorted(by_id) if m not in where]
    if missing:
        raise InvalidInput(
            tr("Participants sans place : {names}.", names=", ".join(missing)), field="seating"
        )
    built = tuple(
        _table(number, tuple(sorted(members)), pair_values, names)
        for number, members in enumerate(seating, start=1)
    )
    return TablePlan(tables=built, seats=seats, total=sum(t.value for t in built))


def _table(
    number: int, members: tuple[int, ...], pair_values: PairValues, names: dict[int, str]
) -> Table:
    pairs: list[PairValue] = []
    for i, a in enumerate(members):
        for b in members[i + 1 :]:
            found = pair_values.get((a, b))
            if found is not None and _value(found) != 0:
                pairs.append(found if isinstance(found, PairValue) else PairValue((a, b), found))
    pairs.sort(key=lambda p: (-p.value, p.members))
    synergies = sorted(
        (s for p in pairs for s in p.synergies), key=lambda s: (-s.value, s.synergy_id)
    )
    reasons = [synergy_reason(s, names) for s in synergies]
    reasons += [
        tr(
            "{a} et {b} : valeur {value}",
            a=names[p.members[0]],
            b=names[p.members[1]],
            value=_two_decimals(p.value),
        )
        for p in pairs
        if not p.synergies
    ]
    linked = {m for p in pairs for m in p.members}
    return Table(
        number=number,
        members=members,
        value=sum(p.value for p in pairs),
        pairs=tuple(pairs),
        reasons=tuple(reasons),
        unconnected=tuple(m for m in members if m not in linked),
    )


def _two_decimals(value: float) -> str:
    """1,25: a value as Québec French writes it, two decimals."""
    return f"{value:.2f}".replace(".", ",")


def _matrix(ids: list[int], pair_values: PairValues) -> np.ndarray:
    """The symmetric matrix of the pairs' values, in the order of ``ids`` (0 on the diagonal)."""
    index = {m: i for i, m in enumerate(ids)}
    weights = np.zeros((len(ids), len(ids)))
    for key, found in pair_values.items():
        value = _value(found)
        if not math.isfinite(value):
            raise InvalidInput(
                tr(
                    "Valeur invalide pour la paire {a}–{b} : {value} (attendu : un nombre fini).",
                    a=key[0],
                    b=key[1],
                    value=repr(value),
                ),
                field="pair_values",
            )
        a, b = pair_key(*key)
        if a != b and a in index and b in index:
            weights[index[a], index[b]] = weights[index[b], index[a]] = value
    return weights
