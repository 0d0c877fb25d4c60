"""What a synergy's reasons and score may show: the one score scale and the quantity guard.

A candidate's reasons (:func:`mapservice.matching.candidate.make_candidate`) are core messages;
one of them states both flows' quantities. A flow marked confidential after the matching run
must not have its quantity shown through a stored reason: :func:`shown_reasons` replaces it.
Every page and export shows the score on one scale, 0 to 100 (:func:`score_100`).
"""

from __future__ import annotations

from collections.abc import Iterable

from mapservice.errors import N_, Message, tr

#: The reason that states both quantities (with ``offer``, ``need`` and ``unit``).
QUANTITIES = N_("quantités comparables : offre {offer} {unit}, besoin {need} {unit}")
#: What replaces it when either flow's quantity is confidential.
QUANTITIES_HIDDEN = N_("quantités confidentielles (comptées dans le score, non affichées)")
#: What replaces the reason that states the distances when an end's place is not shown.
DISTANCE_HIDDEN = N_("distance non affichée : un site est anonymisé")


def score_100(score: float | None) -> int | None:
    """A score of 0..1 (as matching computes and stores it) on the shown scale, 0 to 100.

    Examples
    --------
    >>> score_100(0.784), score_100(None)
    (78, None)
    """
    return None if score is None else int(round(score * 100))


def shown_reasons(reasons: Iterable[str], *, secret: bool, moved: bool = False) -> tuple[str, ...]:
    """``reasons`` as they may be shown: when ``secret`` (either flow's quantity is
    confidential to the reader), the reason that states the quantities is replaced; when
    ``moved`` (an end is shown away from its true place), the one that states the distances."""
    out: list[str] = []
    for reason in reasons:
        if secret and _states_quantities(reason):
            out.append(tr(QUANTITIES_HIDDEN))
        elif moved and _states_distance(reason):
            out.append(tr(DISTANCE_HIDDEN))
        else:
            out.append(reason)
    return tuple(out)


def _states_distance(reason: str) -> bool:
    """The distance reason of :func:`mapservice.matching.candidate.make_candidate` (its French
    text, which a stored message is too)."""
    return reason.startswith("distance routière") or "km à vol d'oiseau" in reason


def _states_quantities(reason: str) -> bool:
    if isinstance(reason, Message):
        return reason.template == QUANTITIES
    return reason.startswith("quantités comparables")
