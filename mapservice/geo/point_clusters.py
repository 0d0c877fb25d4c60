"""Hierarchical clustering of map points, once for every zoom level, then read per viewport.

The region map of a province holds tens of thousands of sites: too many to send to a browser
and cluster there. Here they are clustered once, in the way of Mapbox's *supercluster*
(greedy clustering per zoom level, from the most detailed level up, in Web Mercator pixels),
and each view asks only for the nodes of its zoom level inside its bounds.

Level ``max_zoom + 1`` holds the *leaves*: one node per distinct position (several points at
the very same position, a stack, never split). Each level ``z`` below merges the nodes of
level ``z + 1``: taken in order, a node not yet merged gathers every node not yet merged
within ``radius_px`` screen pixels at zoom ``z`` (``radius_px / (256 · 2**z)`` in Web Mercator
units), and the new node stands at their count-weighted centre. So every point is in exactly
one node of each level, and a node's count is the number of its points.

Only positions come in: whatever they are (a hidden site already moved to its park's centre)
is all a node's position and count can give back. Coordinates are EPSG:4326 lon/lat.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree

#: Screen pixels within which nodes merge, and the tile size they are measured on.
RADIUS_PX = 60.0
TILE_PX = 256.0
#: Web Mercator's latitude limit.
MAX_LAT = 85.05112878


@dataclass
class Level:
    """The nodes of one zoom level (arrays of the same length).

    ``x``, ``y`` are Web Mercator units (0–1, y down); ``count`` the points a node holds;
    ``groups`` its points by group (one column per group); ``point`` one of its points (its
    only one when ``count`` is 1); ``split_zoom`` the first zoom at which its points are in
    more than one node (-1: never, a stack of points at one position); ``parent`` the node of
    the level below that holds it (None on the least detailed level).
    """

    x: NDArray[np.float64]
    y: NDArray[np.float64]
    count: NDArray[np.int64]
    groups: NDArray[np.int64]
    point: NDArray[np.int64]
    split_zoom: NDArray[np.int64]
    parent: NDArray[np.int64] | None = None

    def __len__(self) -> int:
        return len(self.x)


def mercator(
    lon: NDArray[np.float64], lat: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Web Mercator units (0–1 both ways, y down) of lon/lat degrees."""
    phi = np.radians(np.clip(lat, -MAX_LAT, MAX_LAT))
    x = np.asarray(lon, dtype=np.float64) / 360.0 + 0.5
    y = 0.5 - np.log(np.tan(np.pi / 4 + phi / 2)) / (2 * np.pi)
    return x, y


def lon_lat(
    x: NDArray[np.float64], y: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Lon/lat degrees of Web Mercator units (the inverse of :func:`mercator`)."""
    lon = (np.asarray(x) - 0.5) * 360.0
    lat = np.degrees(2 * np.arctan(np.exp((0.5 - np.asarray(y)) * 2 * np.pi)) - np.pi / 2)
    return lon, lat


def merge_radius(zoom: int, radius_px: float = RADIUS_PX) -> float:
    """The merge radius at ``zoom``, in Web Mercator units."""
    return radius_px / (TILE_PX * 2.0**zoom)


def greedy_seeds(
    x: NDArray[np.float64], y: NDArray[np.float64], radius: float
) -> NDArray[np.int64]:
    """For each node, the node whose cluster it joins at ``radius`` (itself for a seed).

    Nodes are taken in order; one not yet taken seeds a cluster of every node not yet taken
    within ``radius`` of it (inclusive). Nodes with no neighbour at all are seeds at once;
    only the others go through the loop.
    """
    n = len(x)
    seed = np.arange(n, dtype=np.int64)
    if n < 2:
        return seed
    tree = cKDTree(np.column_stack([x, y]))
    pairs = tree.query_pairs(radius, output_type="ndarray")
    if not len(pairs):
        return seed
    crowded = np.unique(pairs.ravel())
    neighbours = tree.query_ball_point(np.column_stack([x[crowded], y[crowded]]), radius)
    taken = np.zeros(n, dtype=bool)
    for i, near in zip(crowded.tolist(), neighbours, strict=True):
        if taken[i]:
            continue
        free = [j for j in near if not taken[j]]
        taken[free] = True
        seed[free] = i
    return seed


def _merge(level: Level, zoom: int, radius_px: float) -> tuple[Level, NDArray[np.int64]]:
    """The level ``zoom`` made of ``level`` (that of ``zoom + 1``), and each node's parent."""
    seeds = greedy_seeds(level.x, level.y, merge_radius(zoom, radius_px))
    _, parent = np.unique(seeds, return_inverse=True)
    parent = parent.astype(np.int64)
    n = int(parent.max()) + 1 if len(parent) else 0
    weight = level.count.astype(np.float64)
    count = np.bincount(parent, weights=weight, minlength=n)
    x = np.bincount(parent, weights=level.x * weight, minlength=n) / count
    y = np.bincount(parent, weights=level.y * weight, minlength=n) / count
    groups = np.zeros((n, level.groups.shape[1]), dtype=np.int64)
    np.add.at(groups, parent, level.groups)
    point = np.empty(n, dtype=np.int64)
    point[parent] = level.point
    children = np.bincount(parent, minlength=n)
    only_child = np.empty(n, dtype=np.int64)
    only_child[parent] = np.arange(len(parent))
    split = np.where(children > 1, zoom + 1, level.split_zoom[only_child])
    return (
        Level(x, y, count.round().astype(np.int64), groups, point, split.astype(np.int64)),
        parent,
    )


@dataclass
class PointClusters:
    """Every zoom level's nodes of one set of points (see the module's docstring).

    ``order`` and ``starts`` list each leaf's points: those of leaf ``k`` are
    ``order[starts[k]:starts[k + 1]]``.
    """

    levels: dict[int, Level]
    min_zoom: int
    max_zoom: int
    order: NDArray[np.int64]
    starts: NDArray[np.int64]
    n_points: int

    @property
    def leaf_zoom(self) -> int:
        return self.max_zoom + 1

    def level(self, zoom: float) -> tuple[int, Level]:
        """The level drawn at ``zoom`` (clamped to the levels there are), and its zoom."""
        z = int(min(max(np.floor(zoom), self.min_zoom), self.leaf_zoom))
        return z, self.levels[z]

    def within(
        self, zoom: float, west: float, south: float, east: float, north: float
    ) -> tuple[int, NDArray[np.int64]]:
        """The zoom level drawn at ``zoom`` and the indices of its nodes inside the bounds
        (degrees; ``west`` > ``east`` crosses the antimeridian)."""
        z, level = self.level(zoom)
        x0, y1 = mercator(np.array([west]), np.array([south]))
        x1, y0 = mercator(np.array([east]), np.array([north]))
        in_y = (level.y >= y0[0]) & (level.y <= y1[0])
        if west <= east:
            in_x = (level.x >= x0[0]) & (level.x <= x1[0])
        else:
            in_x = (level.x >= x0[0]) | (level.x <= x1[0])
        return z, np.flatnonzero(in_x & in_y)

    def leaf_points(self, leaf: int) -> NDArray[np.int64]:
        """The points of leaf ``leaf`` (in the order given)."""
        return self.order[self.starts[leaf] : self.starts[leaf + 1]]

    def members(self, zoom: int, node: int) -> NDArray[np.int64]:
        """Every point of node ``node`` of level ``zoom``, ascending (walks the levels down)."""
        nodes = np.array([node], dtype=np.int64)
        for z in range(zoom, self.leaf_zoom):
            parent = self.levels[z + 1].parent
            assert parent is not None  # every level but the least detailed has parents
            nodes = np.flatnonzero(np.isin(parent, nodes))
        return np.sort(np.concatenate([self.leaf_points(int(k)) for k in nodes]))


def build(
    lon: Sequence[float] | NDArray[np.float64],
    lat: Sequence[float] | NDArray[np.float64],
    groups: Sequence[int] | NDArray[np.int64],
    *,
    n_groups: int,
    min_zoom: int = 0,
    max_zoom: int = 16,
    radius_px: float = RADIUS_PX,
) -> PointClusters:
    """Cluster the points (``lon``, ``lat`` in degrees, each in group ``groups[i]`` of
    ``n_groups``) for every zoom from ``min_zoom`` to ``max_zoom``, leaves above."""
    lon_a = np.asarray(lon, dtype=np.float64)
    lat_a = np.asarray(lat, dtype=np.float64)
    group_a = np.asarray(groups, dtype=np.int64)
    if not (len(lon_a) == len(lat_a) == len(group_a)):
        msg = f"lon, lat and groups differ in length: {len(lon_a)}, {len(lat_a)}, {len(group_a)}"
        raise ValueError(msg)
    if len(group_a) and (group_a.min() < 0 or group_a.max() >= n_groups):
        msg = f"groups must be 0 to {n_groups - 1}; got {group_a.min()} to {group_a.max()}"
        raise ValueError(msg)
    if not 0 <= min_zoom <= max_zoom:
        msg = f"zooms must satisfy 0 <= min_zoom <= max_zoom; got {min_zoom}, {max_zoom}"
        raise ValueError(msg)
    x, y = mercator(lon_a, lat_a)
    # Leaves: one node per distinct position (the very same coordinates never split).
    _, first, leaf_of, count = np.unique(
        np.column_stack([x, y]), axis=0, return_index=True, return_inverse=True, return_counts=True
    )
    leaf_of = leaf_of.reshape(-1).astype(np.int64)
    n_leaves = len(first)
    leaf_groups = np.zeros((n_leaves, n_groups), dtype=np.int64)
    np.add.at(leaf_groups, (leaf_of, group_a), 1)
    leaves = Level(
        x[first],
        y[first],
        count.astype(np.int64),
        leaf_groups,
        first.astype(np.int64),
        np.where(count > 1, -1, max_zoom + 1).astype(np.int64),
    )
    levels = {max_zoom + 1: leaves}
    for z in range(max_zoom, min_zoom - 1, -1):
        levels[z], levels[z + 1].parent = _merge(levels[z + 1], z, radius_px)
    order = np.argsort(leaf_of, kind="stable").astype(np.int64)
    starts = np.concatenate([[0], np.cumsum(count)]).astype(np.int64)
    return PointClusters(levels, min_zoom, max_zoom, order, starts, len(lon_a))
