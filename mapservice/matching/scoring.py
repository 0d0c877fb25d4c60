"""The score of a candidate synergy: category fit, quantity fit and distance, in one formula.

Every matcher scores with these functions: :class:`~mapservice.matching.matcher.Matcher` one
pair at a time (:func:`quantity_fit`, :func:`score`, :func:`rounded`: plain floats, a few
hundred nanoseconds each) and on arrays for its score bounds,
:func:`~mapservice.matching.bulk.bulk_pairs` on arrays (:func:`quantity_fits`, :func:`scores`,
:func:`rounded_scores`). Each scalar form sits beside its vectorised twin, the same operations
in the same order, and a test holds them to the same numbers on seeded random tables.

score = :data:`W_CATEGORY` × strength + :data:`W_QUANTITY` × quantity fit
+ :data:`W_DISTANCE` × max(0, 1 − distance_m / max_m)

A candidate's score is shown and stored :func:`rounded` to :data:`SCORE_DECIMALS` places, the
same way for one pair and for arrays: numpy's rounding (scaled, rounded half to even, scaled
back), not Python's ``round(x, 4)``, which can differ by one in the last place on a half.
"""

from __future__ import annotations

import numpy as np

#: Weights of the score: category fit, quantity fit, distance.
W_CATEGORY, W_QUANTITY, W_DISTANCE = 0.45, 0.25, 0.30
#: The quantity fit of two flows whose quantities cannot be compared (a unit or an amount is
#: missing, or the units differ).
UNCOMPARABLE_FIT = 0.5
#: Mutualisation makes sense between neighbours only: its distance scale, in km.
MUTUALISATION_MAX_KM = 25.0
#: Decimals a candidate's score keeps.
SCORE_DECIMALS = 4
#: The unit kinds two quantities are compared in (-1: none).
UNIT_KINDS = {"t": 0, "kw": 1, "u": 2}


def quantity_fit(kind_a: int, amount_a: float, kind_b: int, amount_b: float) -> float:
    """Return how well two quantities match, 0..1: the smaller over the larger.

    ``kind_*`` are :data:`UNIT_KINDS` values (-1 when the flow has no comparable quantity);
    two quantities of different kinds, or both zero, fit :data:`UNCOMPARABLE_FIT`.
    """
    big = max(amount_a, amount_b)
    if kind_a == kind_b and kind_b >= 0 and big > 0:
        return min(amount_a, amount_b) / big
    return UNCOMPARABLE_FIT


def quantity_fits(
    kind_a: np.ndarray | int,
    amount_a: np.ndarray | float,
    kind_b: np.ndarray | int,
    amount_b: np.ndarray | float,
) -> np.ndarray:
    """Return :func:`quantity_fit` on arrays (broadcast)."""
    big = np.maximum(amount_a, amount_b)
    same = (np.equal(kind_a, kind_b)) & (np.greater_equal(kind_b, 0)) & (big > 0)
    return np.where(
        same, np.minimum(amount_a, amount_b) / np.where(big > 0, big, 1.0), UNCOMPARABLE_FIT
    )


def score(strength: float, q_fit: float, distance_m: float, max_m: float) -> float:
    """Return the score of a pair (unrounded): category, quantity and distance fits weighed.

    ``strength`` is the category fit (:class:`~mapservice.materials.compatibility.Fit`),
    ``q_fit`` the :func:`quantity_fit`, ``distance_m`` the road (or straight) distance and
    ``max_m`` the distance at which the distance fit falls to 0.
    """
    return (
        W_CATEGORY * strength + W_QUANTITY * q_fit + W_DISTANCE * max(0.0, 1.0 - distance_m / max_m)
    )


def scores(
    strength: np.ndarray | float,
    q_fit: np.ndarray | float,
    distance_m: np.ndarray | float,
    max_m: np.ndarray | float,
) -> np.ndarray:
    """Return :func:`score` on arrays (broadcast)."""
    return np.asarray(
        W_CATEGORY * strength
        + W_QUANTITY * q_fit
        + W_DISTANCE * np.maximum(0.0, 1.0 - distance_m / max_m)
    )


def rounded(value: float) -> float:
    """Return a :func:`score` as shown and stored: :data:`SCORE_DECIMALS` decimals."""
    scale = 10.0**SCORE_DECIMALS
    return round(value * scale) / scale


def rounded_scores(values: np.ndarray) -> np.ndarray:
    """Return :func:`rounded` on arrays."""
    return np.round(values, SCORE_DECIMALS)
