"""The search behind :func:`mapservice.matching.seating.plan_tables`, on a matrix of pair values.

Louvain communities (networkx) seed the tables, a linear assignment on seat slots (scipy) fits
them to the seats, then reassignment, moves and swaps improve the seating while the objective
rises; :mod:`mapservice.matching.seating` says why and holds the API. People are rows of
``weights`` (symmetric, 0 on the diagonal); a seating is ``table_of``: each row's table.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
from scipy.optimize import linear_sum_assignment

#: A step must raise the objective by more than this to count (floating-point noise).
EPS = 1e-9
#: Louvain's resolution at each start: 1 is modularity's own; below 1 it finds fewer, larger
#: communities (closer to big tables), above 1 more, smaller ones. Starting from several
#: makes the search land on the best seating more often (on 200 small random events solved
#: exactly, 197 times with 8 starts over these resolutions, 183 with 8 seeds at resolution 1).
RESOLUTIONS = (1.0, 0.5, 2.0, 0.25, 4.0)


def best_seating(
    weights: np.ndarray, tables: int, cap: int, seed: int, restarts: int
) -> np.ndarray:
    """Return the best seating found from ``restarts`` starts: each row's table, no table over
    ``cap`` people. Start ``r`` takes Louvain's seed ``seed + r`` and resolution
    ``RESOLUTIONS[r % 5]``; the first best wins a tie."""
    found = [
        _improve(weights, _fit(weights, tables, cap, seed + r, RESOLUTIONS[r % 5]), tables, cap)
        for r in range(max(1, restarts))
    ]
    totals = [total_value(weights, seating, tables) for seating in found]
    return found[int(np.argmax(totals))]


def total_value(weights: np.ndarray, table_of: np.ndarray, tables: int) -> float:
    """Return the objective of a seating: the values of the pairs at the same table."""
    onehot = np.eye(tables)[table_of]
    return float(np.einsum("it,ij,jt->", onehot, weights, onehot) / 2)


def _assign(affinity: np.ndarray, cap: int) -> np.ndarray:
    """Seat each person (row) at a table (column) through ``cap`` slots a table, for the most
    total affinity (scipy's ``linear_sum_assignment``)."""
    slot_table = np.repeat(np.arange(affinity.shape[1]), cap)
    rows, cols = linear_sum_assignment(-affinity[:, slot_table])
    table_of = np.empty(affinity.shape[0], dtype=int)
    table_of[rows] = slot_table[cols]
    return table_of


def _fit(weights: np.ndarray, tables: int, cap: int, seed: int, resolution: float) -> np.ndarray:
    """Steps 1 and 2: Louvain communities, the richest ``tables`` of them seed the tables, and
    the assignment fills the seats."""
    n = len(weights)
    graph = nx.Graph()
    graph.add_nodes_from(range(n))
    # Louvain takes the positive values only, scaled to at most 1: its modularity divides by
    # the squared sum of the weights, which tiny values would round to zero.
    rows, cols = np.nonzero(np.triu(weights, 1) > 0)
    top = weights.max(initial=0.0)
    graph.add_weighted_edges_from(
        (int(i), int(j), float(weights[i, j] / top)) for i, j in zip(rows, cols, strict=True)
    )
    communities = [
        sorted(c) for c in nx.community.louvain_communities(graph, seed=seed, resolution=resolution)
    ]
    communities.sort(key=lambda c: (-weights[np.ix_(c, c)].sum(), -len(c), c))
    member = np.zeros((n, tables))
    for t, community in enumerate(communities[:tables]):
        member[community, t] = 1.0
    # A seed's own members count more than any value they could find elsewhere.
    bonus = 1.0 + weights.sum(axis=1).max(initial=0.0)
    return _assign(weights @ member + bonus * member, cap)


def _improve(weights: np.ndarray, table_of: np.ndarray, tables: int, cap: int) -> np.ndarray:
    """Step 3: reassign everyone at once while it gains, then moves and swaps until none gains;
    again, until neither gains (each pass raises the objective, so it ends)."""
    table_of = table_of.copy()
    total = total_value(weights, table_of, tables)
    while True:
        while True:
            again = _assign(weights @ np.eye(tables)[table_of], cap)
            again_total = total_value(weights, again, tables)
            if again_total <= total + EPS:
                break
            table_of, total = again, again_total
        if not _local_search(weights, table_of, tables, cap):
            return table_of
        total = total_value(weights, table_of, tables)


def _local_search(weights: np.ndarray, table_of: np.ndarray, tables: int, cap: int) -> int:
    """Make the best move to a table with a free seat, or the best swap of two people at
    different tables, while one gains; change ``table_of`` in place and return the steps made.

    ``gain[i, t]`` (i's value with the people at table t) is kept up to date column by column
    after each step instead of multiplied again."""
    n = len(weights)
    gain = weights @ np.eye(tables)[table_of]
    sizes = np.bincount(table_of, minlength=tables)
    rows = np.arange(n)
    for step in range(n * n * tables + 1):  # a bound: each step gains
        here = gain[rows, table_of]
        moves = gain - here[:, None]
        moves[:, sizes >= cap] = -np.inf
        swaps = gain[:, table_of] - here[:, None]
        swaps = swaps + swaps.T - 2 * weights
        swaps[table_of[:, None] == table_of[None, :]] = -np.inf
        i, t = np.unravel_index(np.argmax(moves), moves.shape)
        a, b = np.unravel_index(np.argmax(swaps), swaps.shape)
        if max(moves[i, t], swaps[a, b]) <= EPS:
            return step
        if moves[i, t] >= swaps[a, b]:
            _seat(weights, gain, sizes, table_of, int(i), int(t))
        else:
            ta, tb = int(table_of[a]), int(table_of[b])
            _seat(weights, gain, sizes, table_of, int(a), tb)
            _seat(weights, gain, sizes, table_of, int(b), ta)
    return n * n * tables


def _seat(
    weights: np.ndarray, gain: np.ndarray, sizes: np.ndarray, table_of: np.ndarray, i: int, t: int
) -> None:
    """Move person ``i`` to table ``t``, keeping ``gain`` and ``sizes`` up to date."""
    old = table_of[i]
    gain[:, old] -= weights[:, i]
    gain[:, t] += weights[:, i]
    sizes[old] -= 1
    sizes[t] += 1
    table_of[i] = t
