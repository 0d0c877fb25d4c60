"""What one site's candidate search found: pairs by flow group, mutualisations, score bounds."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mapservice.domain.model import Direction, Flow
from mapservice.matching.arrays import FlowGroup, geodesic_to
from mapservice.materials.compatibility import Fit


@dataclass
class SiteSearch:
    """What one site's search found: pairs by group (arrays), mutualisations, score bounds.

    Distances in ``found`` are lower bounds (the projected plane, shrunk by its margin); the
    pairs handed out get their exact geodesic distance, and lose those beyond their reach.
    """

    found: list[tuple[Flow, FlowGroup, np.ndarray, np.ndarray, Fit, float]]
    mutual: list[tuple[Flow, Flow, Fit, float]]
    upper: np.ndarray  # per found pair, in order: the best score it could reach
    origin: tuple[float, float]

    @property
    def size(self) -> int:
        return int(self.upper.size) + len(self.mutual)

    def pairs(self, which: np.ndarray | None) -> list[tuple[Flow, Flow, Fit, float]]:
        """The mutualisations and the found pairs numbered ``which`` (all when None)."""
        out = list(self.mutual)
        if not self.found:
            return out
        sizes = [entry[2].size for entry in self.found]
        if which is None:
            which = np.arange(sum(sizes))
        starts = np.cumsum([0, *sizes])
        entries = np.searchsorted(starts, which, side="right") - 1
        local = which - starts[entries]
        others = [
            (self.found[e], int(self.found[e][2][k]))
            for e, k in zip(entries.tolist(), local.tolist(), strict=True)
        ]
        lons = np.array([entry[1].lon[k] for entry, k in others])
        lats = np.array([entry[1].lat[k] for entry, k in others])
        exact = geodesic_to(self.origin[0], self.origin[1], lons, lats)
        for (entry, k), d in zip(others, exact.tolist(), strict=True):
            flow, group, _idx, _dist, fit, reach_m = entry
            if d > reach_m:
                continue
            other = group.flows[k]
            out.append(
                (flow, other, fit, d)
                if flow.direction is Direction.OUTPUT
                else (other, flow, fit, d)
            )
        return out
