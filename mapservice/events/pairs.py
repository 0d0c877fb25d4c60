"""The synergies between an event's participants, by pair of members.

Read from the stored synergies, as staff see them (every figure, confidential or not: the
event pages are staff-only). A synergy joins the member of its offer's site and the member of
its need's site; one within a single member is left out.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mapservice.domain.model import Flow, Synergy

if TYPE_CHECKING:
    from mapservice.services import Services

Pair = tuple[int, int]


def pair_of(a: int, b: int) -> Pair:
    """The key of a pair of members, whatever the order they come in."""
    return (a, b) if a <= b else (b, a)


@dataclass(frozen=True)
class Between:
    """The synergies between participants: by pair (smaller member id first), with the
    flows they join and the member of each flow."""

    by_pair: dict[Pair, list[Synergy]]
    flows: dict[int, Flow]
    member_of_flow: dict[int, int]

    def ends(self, synergy: Synergy) -> tuple[int, int]:
        """``(member of the offer, member of the need)``."""
        return self.member_of_flow[synergy.output_flow_id], self.member_of_flow[
            synergy.input_flow_id
        ]

    def synergies(self) -> list[Synergy]:
        return sorted(
            (s for group in self.by_pair.values() for s in group), key=lambda s: s.id or 0
        )


def between(services: Services, member_ids: Collection[int]) -> Between:
    """The stored synergies whose two ends are sites of two different members of
    ``member_ids``."""
    wanted = set(member_ids)
    site_member = {
        s.id: s.member_id for s in services.repo.sites() if s.member_id in wanted and s.id
    }
    flows = {f.id: f for f in services.repo.flows(site_ids=list(site_member)) if f.id is not None}
    member_of_flow = {fid: site_member[f.site_id] for fid, f in flows.items()}
    by_pair: dict[Pair, list[Synergy]] = {}
    if member_of_flow:
        for synergy in services.repo.synergies(flow_ids=list(member_of_flow)):
            a = member_of_flow.get(synergy.output_flow_id)
            b = member_of_flow.get(synergy.input_flow_id)
            if a is None or b is None or a == b:
                continue
            by_pair.setdefault(pair_of(a, b), []).append(synergy)
    return Between(by_pair, flows, member_of_flow)
