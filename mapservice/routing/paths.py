"""Road routes as drawn: the road graph's path that gives a pair's distance.

:func:`graph_routes` finds, for many ``(a, b)`` pairs at once, the shortest-length path that
:meth:`~mapservice.routing.graph.RoadGraph.matrix` measures (same weights, same snapping, same
rule for neighbours), as a :class:`Route`: the access leg from ``a`` to its snapped point, the
part along the network, and the leg from ``b``'s snapped point to ``b``. Every vertex of a road
line is a node of the graph, so the network part follows the road's shape vertex by vertex.

One Dijkstra per block of distinct origins, run from the side with fewer distinct points (the
graph is undirected): a site page's 25 partners cost one, a map of hundreds of lines a few.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.sparse.csgraph import dijkstra

from mapservice.geo.projection import WGS84_GEOD
from mapservice.routing.base import Point, check_point

#: Dijkstra rows × graph nodes per block: bounds the memory of a large (OSM) graph.
_BLOCK_CELLS = 2_000_000


@dataclass(frozen=True)
class Route:
    """One drawn route, (lon, lat) points.

    ``start_leg`` goes from ``a`` to its point on the network and ``end_leg`` from ``b``'s point
    to ``b`` (access legs, drawn straight; the distance counts them × the graph's detour);
    ``road`` runs along the network. Two neighbours (closer to each other than to the network)
    have one straight access leg ``a → b`` and no road. ``network_m`` is the length along the
    network, ``access_m`` the access legs as the distance counts them.
    """

    start_leg: tuple[Point, ...]
    road: tuple[Point, ...]
    end_leg: tuple[Point, ...]
    network_m: float
    access_m: float

    def parts(self) -> list[tuple[tuple[Point, ...], bool]]:
        """The non-empty parts in driving order, each with whether it is an access leg."""
        found = [(self.start_leg, True), (self.road, False), (self.end_leg, True)]
        return [(points, access) for points, access in found if len(points) >= 2]

    def points(self) -> list[Point]:
        """The whole route as one line: ``a``, the network part, ``b``."""
        if not self.road:
            return [*self.start_leg, *self.end_leg[1:]]
        return [self.start_leg[0], *self.road, self.end_leg[-1]]

    def reversed(self) -> Route:
        """The same route driven from ``b`` to ``a``."""
        if not self.road:
            return Route(self.start_leg[::-1], (), (), self.network_m, self.access_m)
        return Route(
            self.end_leg[::-1], self.road[::-1], self.start_leg[::-1], self.network_m, self.access_m
        )


def graph_routes(graph: Any, pairs: Sequence[tuple[Point, Point]]) -> list[Route | None]:
    """Return the route of each ``(a, b)`` on ``graph`` (a RoadGraph); None where unroutable.

    None also where :meth:`RoadGraph.matrix` finds no road distance: a point too far from the
    network, or no path between the two.
    """
    checked = [(check_point(a, field="a"), check_point(b, field="b")) for a, b in pairs]
    if not checked:
        return []
    firsts = {a for a, _ in checked}
    seconds = {b for _, b in checked}
    if len(seconds) < len(firsts):  # undirected: search from the side with fewer points
        back = graph_routes(graph, [(b, a) for a, b in checked])
        return [None if r is None else r.reversed() for r in back]
    points = sorted(firsts | seconds)
    at = {p: i for i, p in enumerate(points)}
    snaps = graph._snap(points)
    nodes, metres, _ = graph._ends(snaps)
    origins = sorted({at[a] for a, _ in checked if snaps.ok[at[a]]})
    block = max(1, _BLOCK_CELLS // max(2 * graph.n_nodes, 1))
    dist: dict[int, np.ndarray] = {}
    pred: dict[int, np.ndarray] = {}
    out: list[Route | None] = [None] * len(checked)
    for start in range(0, len(origins), block):
        chunk = origins[start : start + block]
        d, p = dijkstra(
            graph._csr_length,
            directed=False,
            indices=nodes[chunk].ravel(),
            return_predecessors=True,
        )
        dist = {o: d[2 * k : 2 * k + 2] for k, o in enumerate(chunk)}
        pred = {o: p[2 * k : 2 * k + 2] for k, o in enumerate(chunk)}
        for n, (a, b) in enumerate(checked):
            ia, ib = at[a], at[b]
            if ia in dist and snaps.ok[ib]:
                out[n] = _route(graph, snaps, nodes, metres, ia, ib, a, b, dist[ia], pred[ia])
    return out


def _route(
    graph: Any,
    snaps: Any,
    nodes: np.ndarray,
    metres: np.ndarray,
    ia: int,
    ib: int,
    a: Point,
    b: Point,
    dist: np.ndarray,
    pred: np.ndarray,
) -> Route | None:
    """The route of one pair, from the two Dijkstra rows of ``a``'s edge ends."""
    best, via = np.inf, None
    for i in (0, 1):
        for j in (0, 1):
            total = metres[ia, i] + dist[i, nodes[ib, j]] + metres[ib, j]
            if total < best:
                best, via = total, (i, j)
    if snaps.edge[ia] == snaps.edge[ib]:
        along = abs(snaps.t[ia] - snaps.t[ib]) * graph.edge_length_m[snaps.edge[ia]]
        if along <= best:
            best, via = along, None
    if not np.isfinite(best):
        return None
    access_m = float(snaps.access_m[ia] + snaps.access_m[ib])
    _, _, geo_m = WGS84_GEOD.inv(a[0], a[1], b[0], b[1])
    # Neighbours take local streets, as RoadGraph.matrix counts them (its detour cancels out).
    if geo_m <= snaps.straight_m[ia] + snaps.straight_m[ib]:
        return Route((a, b), (), (), 0.0, float(geo_m) * graph.access_detour)
    path: list[int] = []
    if via is not None:
        i, node = via[0], int(nodes[ib, via[1]])
        while node >= 0:
            path.append(node)
            node = int(pred[i, node])
        path.reverse()
    snap_a = (float(snaps.lonlat[ia, 0]), float(snaps.lonlat[ia, 1]))
    snap_b = (float(snaps.lonlat[ib, 0]), float(snaps.lonlat[ib, 1]))
    middle = list(map(tuple, graph.node_lonlat[path].tolist()))
    return Route((a, snap_a), (snap_a, *middle, snap_b), (snap_b, b), float(best), access_m)
