"""The score of a candidate synergy: category, quantity, distance and quality fits, in one formula.

Every matcher scores with these functions: :class:`~mapservice.matching.matcher.Matcher` one
pair at a time (:func:`quantity_fit`, :func:`quality_fit`, :func:`score`, :func:`rounded`:
plain floats, a few hundred nanoseconds each) and on arrays for its score bounds,
:func:`~mapservice.matching.bulk.bulk_pairs` on arrays (:func:`quantity_fits`,
:func:`quality_fits`, :func:`scores`, :func:`rounded_scores`). Each scalar form sits beside
its vectorised twin, the same operations in the same order, and a test holds them to the same
numbers on seeded random tables.

score = :data:`W_CATEGORY` × strength + :data:`W_QUANTITY` × quantity fit
+ :data:`W_DISTANCE` × max(0, 1 − distance_m / max_m) + :data:`W_QUALITY` × quality fit

The category fit is the one of :class:`~mapservice.materials.compatibility.Compatibility` (an
exact category 1.0, a looser link less); the quality fit compares the quality words the need
asks for with those the offer states (:mod:`mapservice.materials.qualities`). The weights put
the category and the stated qualities before the quantities: a facilitator's first question is
« is it the right material? », and a small offer can still feed a large consumer.

A candidate's score is shown and stored :func:`rounded` to :data:`SCORE_DECIMALS` places, the
same way for one pair and for arrays: numpy's rounding (scaled, rounded half to even, scaled
back), not Python's ``round(x, 4)``, which can differ by one in the last place on a half.
"""

from __future__ import annotations

import numpy as np

#: Weights of the score: category fit, quantity fit, distance, quality words (sum 1).
W_CATEGORY, W_QUANTITY, W_DISTANCE, W_QUALITY = 0.45, 0.15, 0.25, 0.15
#: Quality fits: the need asks for qualities and the offer states them all, some of them;
#: the need asks for none; it asks for some the offer does not state; the offer states the
#: opposite of one it asks for (and not that one too).
QUALITY_MET, QUALITY_PARTLY, QUALITY_NEUTRAL, QUALITY_UNSAID, QUALITY_CONTRARY = (
    1.0,
    0.75,
    0.5,
    0.4,
    0.0,
)
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


def quality_fit(asked: int, offered: int, contrary: int) -> float:
    """Return how well the offer's stated qualities meet the need's, 0..1.

    ``asked`` is the bit mask of the qualities the need's text states, ``offered`` the
    offer's and ``contrary`` the opposites of the offer's
    (:meth:`~mapservice.materials.qualities.QualityWords.masks`).
    """
    if asked & contrary & ~offered:
        return QUALITY_CONTRARY
    if not asked:
        return QUALITY_NEUTRAL
    met = asked & offered
    if met == asked:
        return QUALITY_MET
    return QUALITY_PARTLY if met else QUALITY_UNSAID


def quality_fits(
    asked: np.ndarray | int, offered: np.ndarray | int, contrary: np.ndarray | int
) -> np.ndarray:
    """Return :func:`quality_fit` on arrays of int64 masks (broadcast)."""
    asked, offered, contrary = (np.asarray(a, dtype=np.int64) for a in (asked, offered, contrary))
    met = asked & offered
    return np.where(
        (asked & contrary & ~offered) != 0,
        QUALITY_CONTRARY,
        np.where(
            asked == 0,
            QUALITY_NEUTRAL,
            np.where(met == asked, QUALITY_MET, np.where(met != 0, QUALITY_PARTLY, QUALITY_UNSAID)),
        ),
    )


def quality_bounds(offered: np.ndarray | int) -> np.ndarray:
    """The best :func:`quality_fit` an offer stating ``offered`` can have with any need."""
    return np.where(np.asarray(offered) != 0, QUALITY_MET, QUALITY_NEUTRAL)


def score(strength: float, q_fit: float, distance_m: float, max_m: float, quality: float) -> float:
    """Return the score of a pair (unrounded): category, quantity, distance, quality weighed.

    ``strength`` is the category fit (:class:`~mapservice.materials.compatibility.Fit`),
    ``q_fit`` the :func:`quantity_fit`, ``distance_m`` the road (or straight) distance,
    ``max_m`` the distance at which the distance fit falls to 0 and ``quality`` the
    :func:`quality_fit`.
    """
    return (
        W_CATEGORY * strength
        + W_QUANTITY * q_fit
        + W_DISTANCE * max(0.0, 1.0 - distance_m / max_m)
        + W_QUALITY * quality
    )


def scores(
    strength: np.ndarray | float,
    q_fit: np.ndarray | float,
    distance_m: np.ndarray | float,
    max_m: np.ndarray | float,
    quality: np.ndarray | float,
) -> np.ndarray:
    """Return :func:`score` on arrays (broadcast)."""
    return np.asarray(
        W_CATEGORY * strength
        + W_QUANTITY * q_fit
        + W_DISTANCE * np.maximum(0.0, 1.0 - distance_m / max_m)
        + W_QUALITY * quality
    )


def rounded(value: float) -> float:
    """Return a :func:`score` as shown and stored: :data:`SCORE_DECIMALS` decimals."""
    scale = 10.0**SCORE_DECIMALS
    return round(value * scale) / scale


def rounded_scores(values: np.ndarray) -> np.ndarray:
    """Return :func:`rounded` on arrays."""
    return np.round(values, SCORE_DECIMALS)
