"""The score of a candidate synergy: category fit, quantity fit and distance, in one formula.

Every matcher scores with these functions: :class:`~mapservice.matching.matcher.Matcher` on
one pair at a time (Python floats) and on arrays for its score bounds,
:func:`~mapservice.matching.bulk.bulk_pairs` on arrays. The functions are written with numpy
operations that take a float or an array alike, so the scalar and the vectorised answers are
the same numbers (a test holds them to it).

score = :data:`W_CATEGORY` × strength + :data:`W_QUANTITY` × quantity fit
+ :data:`W_DISTANCE` × max(0, 1 − distance_m / max_m)

A candidate's score is shown and stored :func:`rounded` to :data:`SCORE_DECIMALS` places, the
same way for one pair and for arrays (numpy's rounding, not Python's, which can differ by one
in the last place on a half).
"""

from __future__ import annotations

from typing import overload

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


@overload
def quantity_fit(  # type: ignore[overload-overlap]
        kind_a: int, amount_a: float, kind_b: int, amount_b: float) -> float: ...


@overload
def quantity_fit(kind_a: int | np.ndarray, amount_a: float | np.ndarray,
                 kind_b: int | np.ndarray, amount_b: float | np.ndarray) -> np.ndarray: ...


def quantity_fit(kind_a, amount_a, kind_b, amount_b):  # type: ignore[no-untyped-def]
    """Return how well two quantities match, 0..1: the smaller over the larger.

    ``kind_*`` are :data:`UNIT_KINDS` values (-1 when the flow has no comparable quantity);
    two quantities of different kinds, or both zero, fit :data:`UNCOMPARABLE_FIT`.
    """
    big = np.maximum(amount_a, amount_b)
    same = (np.equal(kind_a, kind_b)) & (np.greater_equal(kind_b, 0)) & (big > 0)
    fit = np.where(same, np.minimum(amount_a, amount_b) / np.where(big > 0, big, 1.0),
                   UNCOMPARABLE_FIT)
    return fit if np.ndim(fit) else float(fit)


@overload
def score(  # type: ignore[overload-overlap]
        strength: float, q_fit: float, distance_m: float, max_m: float) -> float: ...


@overload
def score(strength: float | np.ndarray, q_fit: float | np.ndarray,
          distance_m: float | np.ndarray, max_m: float | np.ndarray) -> np.ndarray: ...


def score(strength, q_fit, distance_m, max_m):  # type: ignore[no-untyped-def]
    """Return the score of a pair (unrounded): category, quantity and distance fits weighed.

    ``strength`` is the category fit (:class:`~mapservice.materials.compatibility.Fit`),
    ``q_fit`` the :func:`quantity_fit`, ``distance_m`` the road (or straight) distance and
    ``max_m`` the distance at which the distance fit falls to 0.
    """
    value = (W_CATEGORY * np.asarray(strength) + W_QUANTITY * np.asarray(q_fit)
             + W_DISTANCE * np.maximum(0.0, 1.0 - np.asarray(distance_m) / max_m))
    return value if np.ndim(value) else float(value)


@overload
def rounded(value: float) -> float: ...


@overload
def rounded(value: np.ndarray) -> np.ndarray: ...


def rounded(value):  # type: ignore[no-untyped-def]
    """Return a :func:`score` as shown and stored: :data:`SCORE_DECIMALS` decimals."""
    out = np.round(value, SCORE_DECIMALS)
    return out if np.ndim(out) else float(out)
