"""How far a pair may lie: a category's plausible transport distance, capped by the query's."""

from __future__ import annotations

from mapservice.matching.scoring import MUTUALISATION_MAX_KM
from mapservice.materials.taxonomy import Taxonomy


class CategoryReach:
    """The reach of each category's offers in km (kept per category and ``max_km``)."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.taxonomy = taxonomy
        self._cache: dict[tuple[str, float | None], float] = {}

    def km(self, code: str, max_km: float | None) -> float:
        """The category's ``max_transport_km`` (50 unknown, mutualisations capped), ≤ max_km."""
        key = (code, max_km)
        if key not in self._cache:
            cat = self.taxonomy.get(code)
            reach = cat.max_transport_km if cat else 50.0
            if cat and cat.kind == "mutualisation":
                reach = min(reach, MUTUALISATION_MAX_KM)
            self._cache[key] = min(reach, max_km) if max_km is not None else reach
        return self._cache[key]


def mutual_reach_m(max_km: float | None) -> float:
    """How far apart two sites may share a need or an offer, in metres."""
    return 1000.0 * (MUTUALISATION_MAX_KM if max_km is None else min(MUTUALISATION_MAX_KM, max_km))
