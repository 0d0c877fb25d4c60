"""The length the road graph counts for a drawn road line (winding stretches count longer)."""

from __future__ import annotations

from typing import Any

from mapservice.routing import geodesic_m


def counted_m(graph: Any, road: list[Any]) -> float:
    """Each segment of ``road`` (drawn on a RoadGraph's vertices) × its line's ``length_factor``.

    A segment between two nodes counts its edge's length; a partial one (from a snapped point)
    its geodesic length × the factor of the edge it lies on.
    """
    total = 0.0
    for p, q in zip(road, road[1:], strict=False):
        data = graph.graph.get_edge_data(tuple(p), tuple(q))
        if data is not None:
            total += data["length_m"]
            continue
        e = int(graph._snap([((p[0] + q[0]) / 2, (p[1] + q[1]) / 2)]).edge[0])
        u, v = graph.node_lonlat[graph.edge_u[e]], graph.node_lonlat[graph.edge_v[e]]
        factor = graph.edge_length_m[e] / geodesic_m(tuple(u), tuple(v))
        total += factor * geodesic_m(tuple(p), tuple(q))
    return total
