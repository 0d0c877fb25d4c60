"""What the registry knows of each member's engagement, as the store reads it: plain data.

:mod:`mapservice.storage.engagement_store` fills these from the members, sites, flows,
synergies, the pipeline's history and the audit log; :mod:`mapservice.registry.engagement`
turns them into the mobilisation page (scores, the share of the most active fifth, quarters).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

#: What a dated action is: a flow declared, a flow changed (updated, deleted or restored), a
#: step of one of the member's synergies along the pipeline, an event attended.
ACTION_KINDS = ("flow_declared", "flow_updated", "pipeline_move", "event")


@dataclass(frozen=True)
class Action:
    """One action attributable to a member, with its time (UTC)."""

    member_id: int
    at: datetime
    kind: str


@dataclass(frozen=True)
class MemberFacts:
    """A member as its engagement reads: its flows, its synergies as an end, its last write."""

    member_id: int
    name: str
    offers: int = 0
    needs: int = 0
    #: Synergies with one of the member's flows at either end, by status value (a synergy
    #: between two of its own flows counts once).
    synergies: Mapping[str, int] = field(default_factory=dict)
    #: The latest creation or change of the member, one of its sites or flows (their tables
    #: and the audit log, deleted sites and flows included); None when nothing is dated.
    touched_at: datetime | None = None


@dataclass(frozen=True)
class RegistryActivity:
    """Every member's facts and every dated action of the registry, in no particular order."""

    members: list[MemberFacts]
    actions: list[Action]
