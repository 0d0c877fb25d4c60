"""What a synergy's reasons and score may show: the one score scale and the quantity guard.

A candidate's reasons (:func:`mapservice.matching.candidate.make_candidate`) are core messages;
one of them states both flows' quantities. A flow marked confidential after the matching run
must not have its quantity shown through a stored reason: :func:`shown_reasons` replaces it.
Every page and export shows the score on one scale, 0 to 100 (:func:`score_100`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from mapservice.errors import N_, Message, tr

#: The reason that states both quantities (with ``offer``, ``need`` and ``unit``).
QUANTITIES = N_("quantités comparables : offre {offer} {unit}, besoin {need} {unit}")
#: What replaces it when either flow's quantity is confidential.
QUANTITIES_HIDDEN = N_("quantités confidentielles (comptées dans le score, non affichées)")
#: What replaces the reason that states the distances when an end's place is not shown.
DISTANCE_HIDDEN = N_("distance non affichée : un site est anonymisé")


#: How a road distance was measured, by the name of the distance backend that gave it.
ROUTE_SOURCES = {
    "road-graph": N_("réseau routier régional"),
    "osm": N_("réseau routier d'OpenStreetMap"),
    "osrm": N_("itinéraire OSRM"),
    "valhalla": N_("itinéraire Valhalla"),
    "ors": N_("itinéraire openrouteservice"),
    "geodesic": N_("à vol d'oiseau"),
}


class SaidNumber(float):
    """A figure in a reason, rounded to ``digits`` decimals: its French text writes it as
    Québec French does (``1 234,5``), and a page says it with its own locale's separators (a
    message's decimal parameter, see :meth:`mapservice.errors.Message.render`).

    Examples
    --------
    >>> str(SaidNumber(1234.54)), f"{SaidNumber(0.4321, 2)}", str(SaidNumber(50.0))
    ('1\u202f234,5', '0,43', '50')
    """

    digits: int

    def __new__(cls, value: float, digits: int = 1) -> SaidNumber:
        self = super().__new__(cls, round(float(value), digits))
        self.digits = digits
        return self

    def __reduce__(self) -> tuple[object, ...]:
        return (SaidNumber, (float(self), self.digits))

    def __format__(self, spec: str) -> str:
        return float.__format__(self, spec) if spec else str(self)

    def __str__(self) -> str:
        text = f"{float(self):,.{self.digits}f}".replace(",", "\u202f").replace(".", ",")
        return text.rstrip("0").rstrip(",") if "," in text else text


def route_source(backend: str | Message) -> str:
    """How the backend ``backend`` measures a road, in words (an unknown name as it is)."""
    if isinstance(backend, Message) or backend not in ROUTE_SOURCES:
        return backend
    return tr(ROUTE_SOURCES[backend])


_FRENCH_NUMBER = re.compile(r"-?\d{1,3}(?:[\u202f\u00a0 ]\d{3})*(?:[,.](\d+))?")


def labelled(reason: str) -> str:
    """A stored reason as reasons are made now: its figures (JSON keeps them as plain
    floats) written the French way in its French text; reasons stored before named the
    distance backend by its code (``road-graph``), held their figures as French text
    (``16,4``) and a rule's note as plain French, which an English page then showed as such."""
    if not isinstance(reason, Message):
        return reason
    params: dict[str, Any] = {}
    for name, value in reason.params.items():
        if isinstance(value, Message):
            value = labelled(value)
        elif isinstance(value, str) and (found := _FRENCH_NUMBER.fullmatch(value)):
            digits = len(found.group(1) or "")
            plain = re.sub(r"[\u202f\u00a0 ]", "", value).replace(",", ".")
            value = SaidNumber(float(plain), digits)
        elif isinstance(value, float) and not isinstance(value, SaidNumber):
            value = SaidNumber(value, min(len(repr(value).partition(".")[2]), 2))
        elif name == "backend" and isinstance(value, str):
            value = route_source(value)
        elif name == "note" and isinstance(value, str) and not set("{}") & set(value):
            value = Message(value)  # a rule's note, said in English through the catalogue
        params[name] = value
    return Message(reason.template, params)


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
