"""The regional road graph: driven distances offline, from a GeoJSON of road lines.

Nodes are line vertices rounded to 6 decimals (OSM node ids for :mod:`.osm`): two lines meet
only where they share a vertex, so an overpass that crosses a road without a shared vertex
does not connect to it. A point joins the network by an *access leg* to the nearest point on an
edge (found with an STRtree over the edges in EPSG:32198, Québec Lambert, metres): its length
is the straight distance × :data:`ACCESS_DETOUR`, driven at :data:`ACCESS_SPEED_KMH`. The
snapped point splits its edge, and the route leaves through whichever end is shorter.
Neighbours — two points closer to each other than their two legs to the network together,
like two sites of one industrial park — skip the network: straight × :data:`ACCESS_DETOUR` on
local streets (all of it ``access_m``). Farther apart, the network decides, so a river with no
bridge between two towns is never crossed in a straight line.

Routes are the **shortest by length** (trucks pay per km); ``duration_s`` is the time of that
same path (edge length / its speed), not the time of the fastest path. A line's
``length_factor`` multiplies its edges' lengths (and so times); its drawn shape is unchanged.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import shapely
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components, dijkstra

from mapservice.errors import RoadNetworkError
from mapservice.geo.projection import FROM_LAMBERT, TO_LAMBERT, WGS84_GEOD
from mapservice.routing.base import (
    Distance,
    DistanceMatrix,
    Point,
    check_point,
    check_points,
    far_reason,
)
from mapservice.routing.geodesic import geodesic_matrix_m
from mapservice.routing.paths import Route, graph_routes
from mapservice.routing.road_lines import RoadLine, read_road_lines

log = logging.getLogger(__name__)

ACCESS_DETOUR = 1.3
ACCESS_SPEED_KMH = 30.0
DEFAULT_MAX_SNAP_M = 25_000.0
#: Matrix work is done by blocks of Dijkstra sources holding at most this many cells.
_BLOCK_CELLS = 1_000_000


@dataclass
class _Snaps:
    ok: np.ndarray  # bool: within the max snapping distance
    edge: np.ndarray
    t: np.ndarray  # fraction along the edge from u to v
    lonlat: np.ndarray  # snapped point
    access_m: np.ndarray
    access_s: np.ndarray
    straight_m: np.ndarray  # distance to the network as the crow flies (NaN if no edge near)


class RoadGraph:
    """A road network that is also a :class:`~mapservice.routing.base.DistanceBackend`."""

    #: Access legs count their straight length × this (see the module's docstring).
    access_detour = ACCESS_DETOUR

    def __init__(
        self,
        lines: Sequence[RoadLine],
        *,
        name: str = "road-graph",
        max_snap_m: float = DEFAULT_MAX_SNAP_M,
        source: str = "",
    ) -> None:
        self.name = name
        self.max_snap_m = max_snap_m
        self.source = source
        self.lines = list(lines)
        self.graph = _build_graph(self.lines)
        if self.graph.number_of_edges() == 0:
            raise RoadNetworkError(f"{source or 'réseau routier'}: aucun tronçon de route.")
        keys = list(self.graph.nodes)
        index = {k: i for i, k in enumerate(keys)}
        self.node_keys = keys
        self.node_lonlat = np.array(
            [(self.graph.nodes[k]["lon"], self.graph.nodes[k]["lat"]) for k in keys]
        )
        n = len(keys)
        eu, ev, elen, etime = [], [], [], []
        for a, b, data in self.graph.edges(data=True):
            eu.append(index[a])
            ev.append(index[b])
            elen.append(data["length_m"])
            etime.append(data["time_s"])
        self.edge_u, self.edge_v = np.array(eu), np.array(ev)
        self.edge_length_m, self.edge_time_s = np.array(elen), np.array(etime)
        rows = np.concatenate([self.edge_u, self.edge_v])
        cols = np.concatenate([self.edge_v, self.edge_u])
        self._csr_length = csr_matrix(
            (np.concatenate([self.edge_length_m] * 2), (rows, cols)), shape=(n, n)
        )
        self.n_components, self.component = connected_components(self._csr_length, directed=False)
        sizes = np.bincount(self.component)
        self.largest_component_nodes = int(sizes.max())
        if self.n_components > 1:
            log.warning(
                "%s: %d composantes connexes ; la plus grande a %d nœuds sur %d",
                source or name,
                self.n_components,
                self.largest_component_nodes,
                n,
            )
        x, y = TO_LAMBERT.transform(self.node_lonlat[:, 0], self.node_lonlat[:, 1])
        xy = np.column_stack([x, y])
        self._segments = shapely.linestrings(np.stack([xy[self.edge_u], xy[self.edge_v]], axis=1))
        self._tree = shapely.STRtree(self._segments)

    @classmethod
    def from_geojson(cls, path: Path | str, **kwargs: Any) -> RoadGraph:
        """Build the graph from a FeatureCollection of LineStrings (see :func:`read_road_lines`)."""
        path = Path(path)
        return cls(read_road_lines(path), source=str(path), **kwargs)

    # -- size --------------------------------------------------------------------------------

    @property
    def n_nodes(self) -> int:
        return self.graph.number_of_nodes()

    @property
    def n_edges(self) -> int:
        return self.graph.number_of_edges()

    def backend(self, name: str | None = None) -> RoadGraph:
        """Return this graph as a DistanceBackend (itself; renamed when ``name`` is given)."""
        if name is not None:
            self.name = name
        return self

    # -- snapping ----------------------------------------------------------------------------

    def _snap(self, points: Sequence[Point], *, unlimited: bool = False) -> _Snaps:
        m = len(points)
        arr = np.asarray(points, dtype=float).reshape(m, 2)
        x, y = TO_LAMBERT.transform(arr[:, 0], arr[:, 1])
        pts = shapely.points(x, y)
        snaps = _Snaps(
            ok=np.zeros(m, bool),
            edge=np.zeros(m, int),
            t=np.zeros(m),
            lonlat=arr.copy(),
            access_m=np.zeros(m),
            access_s=np.zeros(m),
            straight_m=np.full(m, np.nan),
        )
        if not m:
            return snaps
        found, _ = self._tree.query_nearest(
            pts,
            max_distance=None if unlimited else self.max_snap_m,
            return_distance=True,
            all_matches=False,
        )
        which, edge = found
        seg = self._segments[edge]
        along = shapely.line_locate_point(seg, pts[which])
        seg_len = shapely.length(seg)
        t = np.divide(along, seg_len, out=np.zeros_like(along), where=seg_len > 0)
        sx, sy = shapely.get_coordinates(shapely.line_interpolate_point(seg, along)).T
        slon, slat = FROM_LAMBERT.transform(sx, sy)
        _, _, straight = WGS84_GEOD.inv(arr[which, 0], arr[which, 1], slon, slat)
        snaps.ok[which] = True
        snaps.edge[which] = edge
        snaps.t[which] = np.clip(t, 0.0, 1.0)
        snaps.lonlat[which] = np.column_stack([slon, slat])
        snaps.straight_m[which] = straight
        snaps.access_m[which] = np.asarray(straight) * ACCESS_DETOUR
        snaps.access_s[which] = snaps.access_m[which] / (ACCESS_SPEED_KMH / 3.6)
        return snaps

    def nearest_road_m(self, points: Sequence[Point]) -> np.ndarray:
        """Return the straight metres from each point to the nearest road, at any distance."""
        return self._snap(points, unlimited=True).straight_m

    def _ends(self, s: _Snaps) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return end nodes (m, 2), metres to them (m, 2) and seconds to them (m, 2)."""
        e = s.edge
        nodes = np.column_stack([self.edge_u[e], self.edge_v[e]])
        frac = np.column_stack([s.t, 1.0 - s.t])
        return (nodes, frac * self.edge_length_m[e][:, None], frac * self.edge_time_s[e][:, None])

    # -- shortest paths ----------------------------------------------------------------------

    def _augmented(self, snaps: Sequence[_Snaps]) -> tuple[csr_matrix, np.ndarray, np.ndarray]:
        """Return the network plus one virtual node per snapped point, joined to both edge ends.

        Virtual node ``n + k`` (k counts points across ``snaps`` in order) hangs on its edge's
        ends at the along-edge lengths. Passing through it costs exactly the edge, so it never
        shortens another path. Also return the sorted (u * N + v) edge keys and their times.
        """
        n = self.n_nodes
        rows, cols = [self.edge_u, self.edge_v], [self.edge_v, self.edge_u]
        lengths, times = [self.edge_length_m] * 2, [self.edge_time_s] * 2
        k = n
        for s in snaps:
            virt = np.arange(k, k + len(s.ok))[s.ok]
            e, t = s.edge[s.ok], s.t[s.ok]
            for end, frac in ((self.edge_u[e], t), (self.edge_v[e], 1.0 - t)):
                # csgraph drops explicit zeros: a point on a node still needs its link.
                link_m = np.maximum(frac * self.edge_length_m[e], 1e-6)
                rows += [virt, end]
                cols += [end, virt]
                lengths += [link_m] * 2
                times += [frac * self.edge_time_s[e]] * 2
            k += len(s.ok)
        r, c = np.concatenate(rows), np.concatenate(cols)
        csr = csr_matrix((np.concatenate(lengths), (r, c)), shape=(k, k))
        keys = r.astype(np.int64) * k + c
        order = np.argsort(keys)
        return csr, keys[order], np.concatenate(times)[order]

    @staticmethod
    def _path_times(pred: np.ndarray, keys: np.ndarray, key_time: np.ndarray) -> np.ndarray:
        """Return the time from each row's source to every node along its shortest-length tree.

        Pointer jumping over the predecessor arrays: ``log2(depth)`` vectorised steps.
        """
        rows, size = pred.shape
        missing = pred < 0
        p = np.where(missing, np.arange(size), pred)  # a root points to itself
        pos = np.searchsorted(keys, p.astype(np.int64) * size + np.arange(size))
        t = np.where(missing, 0.0, key_time[np.minimum(pos, len(keys) - 1)]).ravel()
        # Flat indices into the (rows × size) arrays: 1-D takes are much cheaper.
        dtype = np.int32 if rows * size < 2**31 else np.int64
        flat = (p.astype(dtype) + (np.arange(rows, dtype=dtype) * size)[:, None]).ravel()
        while True:
            nxt = flat.take(flat)
            if np.array_equal(nxt, flat):
                return t.reshape(rows, size)
            t = t + t.take(flat)
            flat = nxt

    def _tables(self, so: _Snaps, sd: _Snaps) -> tuple[np.ndarray, np.ndarray]:
        """Return network metres and seconds between snapped origins and destinations."""
        m, p = len(so.ok), len(sd.ok)
        if p < m:  # undirected: run Dijkstra from the smaller side
            dist_t, time_t = self._tables(sd, so)
            return dist_t.T, time_t.T
        csr, keys, key_time = self._augmented([so, sd])
        n = self.n_nodes
        sources = np.arange(n, n + m)[so.ok]
        targets = np.arange(n + m, n + m + p)
        dist, time_s = np.full((m, p), np.inf), np.full((m, p), np.inf)
        block = max(1, _BLOCK_CELLS // csr.shape[0])
        starts = range(0, len(sources), block)

        def work(start: int) -> tuple[int, np.ndarray, np.ndarray]:
            d, pred = dijkstra(
                csr, directed=True, indices=sources[start : start + block], return_predecessors=True
            )
            return start, d[:, targets], self._path_times(pred, keys, key_time)[:, targets]

        rows = np.flatnonzero(so.ok)
        # numpy's part (path times) releases the GIL, so blocks overlap on two cores.
        with ThreadPoolExecutor(max_workers=2) as pool:
            for start, d, t in pool.map(work, starts):
                dist[rows[start : start + block]] = d
                time_s[rows[start : start + block]] = t
        return dist, time_s

    # -- DistanceBackend ---------------------------------------------------------------------

    def matrix(self, origins: Sequence[Point], destinations: Sequence[Point]) -> DistanceMatrix:
        """Return road distances from every origin to every destination."""
        origins = check_points(origins, field="origins")
        destinations = check_points(destinations, field="destinations")
        # Geod.inv releases the GIL: straight distances are computed while Dijkstra runs.
        with ThreadPoolExecutor(max_workers=1) as pool:
            geo_future = pool.submit(geodesic_matrix_m, origins, destinations)
            road, dur, access, so, sd = self._road(origins, destinations)
            geo = geo_future.result()
        # Neighbours (closer to each other than to the network) take local streets directly.
        direct = geo * ACCESS_DETOUR
        local = np.isfinite(road) & (direct <= access)
        road = np.where(local, direct, road)
        dur = np.where(local, direct / (ACCESS_SPEED_KMH / 3.6), dur)
        access = np.where(local, direct, access)
        return DistanceMatrix(
            self.name,
            geo,
            road,
            dur,
            access,
            origin_reasons=self._far_reasons(origins, so, origin=True),
            destination_reasons=self._far_reasons(destinations, sd, origin=False),
            reason="aucun chemin routier entre les deux points",
        )

    def _far_reasons(self, points: list[Point], s: _Snaps, *, origin: bool) -> list[str | None]:
        """Say, for each point beyond the snapping limit, how far its nearest road is."""
        reasons: list[str | None] = [None] * len(points)
        far = np.flatnonzero(~s.ok)
        nearest_m = self.nearest_road_m([points[i] for i in far]) if far.size else np.zeros(0)
        for i, m in zip(far.tolist(), nearest_m.tolist(), strict=True):
            reasons[i] = far_reason(origin, float(m), self.max_snap_m)
        return reasons

    def _road(
        self, origins: list[Point], destinations: list[Point]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, _Snaps, _Snaps]:
        """Return road metres, seconds and access metres (NaN, NaN, 0 where unroutable)."""
        so, sd = self._snap(origins), self._snap(destinations)
        m, p = len(origins), len(destinations)
        road, dur = np.full((m, p), np.nan), np.full((m, p), np.nan)
        access = so.access_m[:, None] + sd.access_m[None, :]
        if m and p and so.ok.any() and sd.ok.any():
            best_m, best_s = self._tables(so, sd)
            # Both points on the same edge: drive along it without reaching an end.
            same = (so.edge[:, None] == sd.edge[None, :]) & so.ok[:, None] & sd.ok[None, :]
            if same.any():
                frac = np.abs(so.t[:, None] - sd.t[None, :])
                along_m = frac * self.edge_length_m[so.edge][:, None]
                along_s = frac * self.edge_time_s[so.edge][:, None]
                better = same & (along_m < best_m)
                best_m = np.where(better, along_m, best_m)
                best_s = np.where(better, along_s, best_s)
            ok = so.ok[:, None] & sd.ok[None, :] & np.isfinite(best_m)
            road = np.where(ok, best_m + access, np.nan)
            dur = np.where(ok, best_s + so.access_s[:, None] + sd.access_s[None, :], np.nan)
        return road, dur, np.where(np.isnan(road), 0.0, access), so, sd

    def distance(self, a: Point, b: Point) -> Distance:
        """Return the road distance from ``a`` to ``b``."""
        a, b = check_point(a, field="a"), check_point(b, field="b")
        return self.matrix([a], [b])[0][0]

    def route(self, a: Point, b: Point) -> list[Point] | None:
        """Return the shortest-length route from ``a`` to ``b`` as (lon, lat) points.

        The line starts at ``a``, goes to its snapped point, along the network, then to ``b``.
        ``None`` when the pair cannot be routed.
        """
        found = self.routes([(a, b)])[0]
        return None if found is None else found.points()

    def routes(self, pairs: Sequence[tuple[Point, Point]]) -> list[Route | None]:
        """Return the drawn route of each pair (see :func:`~.paths.graph_routes`)."""
        return graph_routes(self, pairs)

    def edges_geojson(self) -> dict[str, Any]:
        """Return the road lines as an RFC 7946 FeatureCollection (6 decimals) for the map."""
        features = []
        for line in self.lines:
            coords = [[round(lon, 6), round(lat, 6)] for lon, lat in line.coords]
            features.append(
                {
                    "type": "Feature",
                    "properties": dict(line.props),
                    "geometry": {"type": "LineString", "coordinates": coords},
                }
            )
        return {"type": "FeatureCollection", "features": features}

    def edges_geojson_text(self) -> str:
        """Return :meth:`edges_geojson` serialised compactly."""
        return json.dumps(self.edges_geojson(), ensure_ascii=False, separators=(",", ":"))


def _build_graph(lines: Sequence[RoadLine]) -> nx.Graph:
    """Return the undirected graph: consecutive vertices joined by length_m / time_s edges.

    An edge's length is its geodesic length × its line's ``length_factor`` (default 1)."""
    graph = nx.Graph()
    for index, line in enumerate(lines):
        keys = line.node_keys or [(round(lon, 6), round(lat, 6)) for lon, lat in line.coords]
        speed_mps = float(line.props["speed_kmh"]) / 3.6
        factor = float(line.props.get("length_factor", 1.0))  # a winding road's estimate
        lons = np.array([c[0] for c in line.coords])
        lats = np.array([c[1] for c in line.coords])
        _, _, seg_m = WGS84_GEOD.inv(lons[:-1], lats[:-1], lons[1:], lats[1:])
        for key, (lon, lat) in zip(keys, line.coords, strict=True):
            if key not in graph:
                graph.add_node(key, lon=float(lon), lat=float(lat))
        for k in range(len(keys) - 1):
            a, b = keys[k], keys[k + 1]
            if a == b:
                continue
            length_m = max(float(np.atleast_1d(seg_m)[k]) * factor, 1e-3)  # csgraph drops 0
            old = graph.get_edge_data(a, b)
            if old is None or length_m < old["length_m"]:
                graph.add_edge(a, b, length_m=length_m, time_s=length_m / speed_mps, line=index)
    return graph
