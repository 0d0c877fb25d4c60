"""How well the road graph covers a set of places: the distance from each to the nearest road.

Used by the tests (every municipality within 2 km of the graph) and by the data audit (towns far
from the graph pay the access leg of :mod:`.graph`: straight line × its detour, slowly).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from mapservice.routing.base import Point
from mapservice.routing.graph import RoadGraph


def town_distances_m(graph: RoadGraph, places: Mapping[str, Point]) -> dict[str, float]:
    """Return, for each place id, the straight distance in metres from its point to the graph.

    Parameters
    ----------
    graph
        The road graph.
    places
        Place id → ``(lon, lat)``.

    Returns
    -------
    dict
        Place id → metres to the nearest road line, whatever the graph's snapping limit.
    """
    ids = list(places)
    metres = graph.nearest_road_m([places[k] for k in ids])
    return {k: float(m) for k, m in zip(ids, np.asarray(metres).tolist(), strict=True)}
