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


def score_100(score: float | None) -> int | None:
    """A score of 0..1 (as matching computes and stores it) on the shown scale, 0 to 100.

    Examples
    --------
    >>> score_100(0.784), score_100(None)
    (78, None)
    """
    return None if score is None else int(round(score * 100))


def shown_reasons(reasons: Iterable[str], *, secret: bool) -> tuple[str, ...]:
    """``reasons`` as they may be shown: when ``secret`` (either flow's quantity is
    confidential to the reader), the reason that states the quantities is replaced."""
    if not secret:
        return tuple(reasons)
    return tuple(tr(QUANTITIES_HIDDEN) if _states_quantities(r) else r for r in reasons)


def _states_quantities(reason: str) -> bool:
    if isinstance(reason, Message):
        return reason.template == QUANTITIES
    return reason.startswith("quantités comparables")
