"""The synergies staff follow, as they read them: a page of the list, one synergy with its
history, and the candidates of a site kept as synergies to follow. The moves along the
pipeline are :func:`mapservice.matching.jobs.move`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mapservice.domain.model import Synergy, SynergyEvent, SynergyStatus
from mapservice.errors import NotFound
from mapservice.matching.jobs import candidate_row

if TYPE_CHECKING:
    from mapservice.matching.matcher import Candidate
    from mapservice.services import Services


@dataclass(frozen=True)
class SynergyPage:
    """One page of the synergies (of one status), and how many there are in all."""

    synergies: list[Synergy]
    total: int


def synergy_page(
    svc: Services, *, status: SynergyStatus | None, limit: int, offset: int
) -> SynergyPage:
    """At most ``limit`` synergies (of ``status``) after skipping ``offset``, by id."""
    total = svc.repo.count_synergies(status=status)
    found = svc.repo.synergies(status=status, limit=limit, offset=offset)
    return SynergyPage(found, total)


def get_synergy(svc: Services, synergy_id: int) -> Synergy:
    """The synergy ``synergy_id``; :class:`NotFound` when there is none."""
    return svc.repo.get_synergy(synergy_id)


def find_synergy(svc: Services, synergy_id: int) -> Synergy | None:
    """The synergy ``synergy_id``, or None when there is none."""
    try:
        return svc.repo.get_synergy(synergy_id)
    except NotFound:
        return None


def history(svc: Services, synergy_id: int) -> list[SynergyEvent]:
    """The synergy's moves along the pipeline, oldest first."""
    return svc.repo.synergy_events(synergy_id)


def save_candidates(svc: Services, found: Iterable[Candidate]) -> dict[str, int]:
    """Keep candidates as synergies to follow (a pair already followed keeps its status)."""
    return svc.repo.save_candidates(candidate_row(c) for c in found)
