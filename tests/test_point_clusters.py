"""Clustering of map points per zoom level (mapservice/geo/point_clusters.py), against a
brute-force oracle on seeded random points."""

from __future__ import annotations

import math

import numpy as np
import pytest

from mapservice.geo import point_clusters as pc


def _oracle(xs: list[float], ys: list[float], weights: list[int], radius: float) -> list[int]:
    """The greedy rule written plainly: in order, a node not yet taken takes every node not
    yet taken within ``radius`` (all pairs, no tree); returns each node's seed."""
    seed = [-1] * len(xs)
    for i in range(len(xs)):
        if seed[i] >= 0:
            continue
        for j in range(len(xs)):
            if seed[j] < 0 and math.hypot(xs[i] - xs[j], ys[i] - ys[j]) <= radius:
                seed[j] = i
    return seed


def _random_points(seed: int, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    lon = -71.5 + rng.normal(0, 0.5, n)
    lat = 48.5 + rng.normal(0, 0.25, n)
    # a few stacks: several points at the very same position
    lon[: n // 10] = np.repeat(lon[n // 10 : n // 10 + 5], math.ceil(n / 50))[: n // 10]
    lat[: n // 10] = np.repeat(lat[n // 10 : n // 10 + 5], math.ceil(n / 50))[: n // 10]
    groups = rng.integers(0, 4, n)
    return lon, lat, groups


def _point_nodes(clusters: pc.PointClusters, zoom: int) -> np.ndarray:
    """The node of level ``zoom`` that holds each point, by walking the parents down."""
    leaf_of = np.empty(clusters.n_points, dtype=np.int64)
    for leaf in range(len(clusters.levels[clusters.leaf_zoom])):
        leaf_of[clusters.leaf_points(leaf)] = leaf
    node = leaf_of
    for z in range(clusters.leaf_zoom, zoom, -1):
        parent = clusters.levels[z].parent
        assert parent is not None
        node = parent[node]
    return node


@pytest.mark.parametrize("seed,n", [(1, 60), (2, 200), (3, 400)])
def test_every_level_matches_the_brute_force_oracle(seed: int, n: int) -> None:
    lon, lat, groups = _random_points(seed, n)
    clusters = pc.build(lon, lat, groups, n_groups=4, min_zoom=3, max_zoom=14)
    for z in range(clusters.max_zoom, clusters.min_zoom - 1, -1):
        below = clusters.levels[z + 1]
        expected = _oracle(
            below.x.tolist(), below.y.tolist(), below.count.tolist(), pc.merge_radius(z)
        )
        got = pc.greedy_seeds(below.x, below.y, pc.merge_radius(z))
        assert got.tolist() == expected, z
        # the level's nodes are exactly the oracle's groups, at their weighted centres
        parent = below.parent
        assert parent is not None
        level = clusters.levels[z]
        for seed_node in set(expected):
            members = [i for i, s in enumerate(expected) if s == seed_node]
            assert len({int(parent[i]) for i in members}) == 1
            node = int(parent[members[0]])
            weight = below.count[members]
            assert level.count[node] == weight.sum()
            assert level.x[node] == pytest.approx(np.average(below.x[members], weights=weight))
            assert level.y[node] == pytest.approx(np.average(below.y[members], weights=weight))
        assert len(level) == len(set(expected))


@pytest.mark.parametrize("seed", [4, 5])
def test_counts_are_conserved_and_every_point_is_in_one_node_at_every_zoom(seed: int) -> None:
    lon, lat, groups = _random_points(seed, 1500)
    clusters = pc.build(lon, lat, groups, n_groups=4, min_zoom=0, max_zoom=16)
    x, y = pc.mercator(lon, lat)
    for z in range(clusters.min_zoom, clusters.leaf_zoom + 1):
        level = clusters.levels[z]
        assert level.count.sum() == len(lon)
        node_of = _point_nodes(clusters, z)
        held = np.bincount(node_of, minlength=len(level))
        assert held.tolist() == level.count.tolist()  # each point in exactly one node
        assert (level.groups.sum(axis=1) == level.count).all()
        for g in range(4):
            assert (
                level.groups[:, g].tolist()
                == np.bincount(node_of[groups == g], minlength=len(level)).tolist()
            )
        # a node stands at its points' mean; a single point's node names that point
        assert np.allclose(np.bincount(node_of, weights=x) / held, level.x)
        assert np.allclose(np.bincount(node_of, weights=y) / held, level.y)
        singles = np.flatnonzero(level.count == 1)
        assert (node_of[level.point[singles]] == singles).all()
        if z < clusters.leaf_zoom:
            for node in range(0, len(level), max(1, len(level) // 20)):
                assert (
                    clusters.members(z, node).tolist() == np.flatnonzero(node_of == node).tolist()
                )
    assert len(clusters.levels[0]) <= 2  # the whole region is one blob from afar


def test_split_zoom_is_where_a_cluster_first_falls_apart() -> None:
    lon, lat, groups = _random_points(6, 800)
    clusters = pc.build(lon, lat, groups, n_groups=4, min_zoom=3, max_zoom=16)
    for z in range(clusters.min_zoom, clusters.leaf_zoom):
        level = clusters.levels[z]
        for node in np.flatnonzero(level.count > 1)[:40].tolist():
            members = set(clusters.members(z, node).tolist())
            split = int(level.split_zoom[node])
            if split < 0:  # a stack: every point at the same position, never apart
                assert len({(lon[i], lat[i]) for i in members}) == 1
                continue
            assert split > z
            for zz in range(z + 1, split):
                assert len(set(_point_nodes(clusters, zz)[list(members)].tolist())) == 1
            assert len(set(_point_nodes(clusters, split)[list(members)].tolist())) > 1


def test_within_returns_the_nodes_inside_the_bounds() -> None:
    lon, lat, groups = _random_points(7, 500)
    clusters = pc.build(lon, lat, groups, n_groups=4, min_zoom=3, max_zoom=16)
    z, everything = clusters.within(9.6, -180, -85, 180, 85)
    assert z == 9 and len(everything) == len(clusters.levels[9])
    z, east = clusters.within(30, -71.5, 40, -60, 60)
    assert z == clusters.leaf_zoom
    inside = {int(clusters.levels[z].point[k]) for k in east}
    assert all(lon[i] >= -71.5 for i in inside)
    leaves = clusters.levels[z]
    lon_leaf, _ = pc.lon_lat(leaves.x, leaves.y)
    assert len(east) == int((lon_leaf >= -71.5 - 1e-9).sum())
    assert clusters.level(1)[0] == 3  # clamped to the least detailed level


def test_mercator_round_trips_and_bad_input_is_refused() -> None:
    lon = np.array([-71.0, 0.0, 179.0])
    lat = np.array([48.4, 0.0, -60.0])
    back = pc.lon_lat(*pc.mercator(lon, lat))
    assert np.allclose(back[0], lon) and np.allclose(back[1], lat)
    with pytest.raises(ValueError, match="differ in length"):
        pc.build([1.0], [1.0, 2.0], [0], n_groups=1)
    with pytest.raises(ValueError, match="groups must be 0 to 0"):
        pc.build([1.0], [1.0], [3], n_groups=1)
    empty = pc.build([], [], [], n_groups=1, min_zoom=3, max_zoom=5)
    assert all(len(empty.levels[z]) == 0 for z in range(3, 7))
