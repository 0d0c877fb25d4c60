"""What a park's outline is worth: its status, and what that status lets it claim.

A park's outline is ``surveyed`` (measured or drawn by someone who knows the park), ``traced``
(drawn from the park's streets), ``estimated`` (placed from clues: an airport, a postal code,
a distance from town) or ``town`` (no park location at all: a town, borough or sector point,
or a placeholder such as the Arvida smelter, stands in). This module is the one place that
says what each status may claim: a ``town`` outline never makes a site a park's site by
geometry (only the park's name, an alias or its street written in the address do); an
``estimated`` one does, with less confidence than a traced or surveyed one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

SURVEYED = "surveyed"
TRACED = "traced"
ESTIMATED = "estimated"
TOWN = "town"

#: Every status, surest first.
OUTLINE_STATUSES = (SURVEYED, TRACED, ESTIMATED, TOWN)
#: What an uploaded or drawn outline may be declared as.
REPLACEMENT_STATUSES = (SURVEYED, TRACED)

#: How far a park found by its outline can be trusted, by status (None: not by geometry).
_GEOMETRY_CONFIDENCE: dict[str, float | None] = {
    SURVEYED: 1.0,
    TRACED: 0.9,
    ESTIMATED: 0.6,
    TOWN: None,
}

#: French and English label of each status (exports, map, pages).
OUTLINE_LABELS: dict[str, tuple[str, str]] = {
    SURVEYED: ("levé (contour mesuré)", "surveyed"),
    TRACED: ("tracé d'après les rues du parc", "traced from the park's streets"),
    ESTIMATED: ("estimé d'après des indices", "estimated from clues"),
    TOWN: ("emplacement inconnu : point de la ville", "location unknown: a town point stands in"),
}


def claims_by_geometry(status: str) -> bool:
    """Whether an outline of ``status`` may make a point one of the park's sites."""
    return geometry_confidence(status) is not None


def geometry_confidence(status: str) -> float | None:
    """Confidence (0–1) of a park found by an outline of ``status``; None if it may not claim.

    An unknown status (an old ``approximate``) is taken as ``estimated``.
    """
    return _GEOMETRY_CONFIDENCE.get(status, _GEOMETRY_CONFIDENCE[ESTIMATED])


def outline_label(status: str, lang: str = "fr") -> str:
    """The label of ``status`` in ``lang`` (``fr`` or ``en``); the status itself if unknown."""
    labels = OUTLINE_LABELS.get(status)
    if labels is None:
        return status
    return labels[1] if lang == "en" else labels[0]


@dataclass(frozen=True)
class OutlineChange:
    """One replacement of a park's outline (``action`` ``replace`` or ``restore``).

    Outlines are GeoJSON geometries in lon/lat; ``old_outline`` is None when the park had none.
    ``restored_from`` is the id of the change whose outline a restore brought back.
    """

    id: int
    park_id: str
    at: datetime
    actor: str
    action: str
    old_outline: dict | None
    old_status: str
    new_outline: dict
    new_status: str
    note: str | None = None
    restored_from: int | None = None
