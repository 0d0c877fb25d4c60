"""A synergy's status in words, for the messages the core says (pages have their own labels).

The words are French templates marked for the catalogue, so that a message naming a status
(« ne peuvent pas passer à « contactée » ») reads in the page's language, never as the stored
code (``contacted``).
"""

from __future__ import annotations

from collections.abc import Sequence

from mapservice.domain.model import SynergyStatus
from mapservice.errors import N_, Message, tr

STATUS_WORDS = {
    SynergyStatus.CANDIDATE: N_("candidate"),
    SynergyStatus.CONTACTED: N_("contactée"),
    SynergyStatus.IN_PROGRESS: N_("en cours"),
    SynergyStatus.REALISED: N_("réalisée"),
    SynergyStatus.REJECTED: N_("rejetée"),
}


def status_word(status: SynergyStatus | str | None) -> Message:
    """The status in words (« supprimée » for a synergy that is gone)."""
    if status is None:
        return tr("supprimée")
    return tr(STATUS_WORDS[SynergyStatus(status)])


def numbered_statuses(rows: Sequence[tuple[int, SynergyStatus | str | None]]) -> Message:
    """« n° 3 : contactée, n° 7 : supprimée », each part in the page's language."""
    parts = {
        f"p{k}": tr("n° {id} : {status}", id=synergy_id, status=status_word(status))
        for k, (synergy_id, status) in enumerate(rows)
    }
    return Message(", ".join("{" + key + "}" for key in parts), parts)
