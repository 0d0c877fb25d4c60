"""The live rtree of sites: incremental updates, radius and nearest-k in metres."""

from __future__ import annotations

import random

from pyproj import Geod

from mapservice.geo.spatial_index import SiteIndex

GEOD = Geod(ellps="WGS84")


def _points(n: int, seed: int = 7) -> list[tuple[int, float, float]]:
    rng = random.Random(seed)
    return [(i, rng.uniform(-72.6, -70.8), rng.uniform(48.2, 48.9)) for i in range(1, n + 1)]


def _brute(points, lon, lat, radius_m):
    out = []
    for i, x, y in points:
        d = GEOD.inv(lon, lat, x, y)[2]
        if d <= radius_m:
            out.append(i)
    return sorted(out)


def test_radius_search_equals_brute_force():
    pts = _points(2000)
    idx = SiteIndex(pts)
    for lon, lat, r in [(-71.2, 48.42, 5_000), (-71.65, 48.55, 20_000), (-72.0, 48.7, 50_000)]:
        got = idx.within(lon, lat, r)
        assert sorted(i for i, _ in got) == _brute(pts, lon, lat, r)
        assert [d for _, d in got] == sorted(d for _, d in got)


def test_nearest_k_are_the_k_closest():
    pts = _points(500)
    idx = SiteIndex(pts)
    lon, lat = -71.2, 48.42
    got = idx.nearest(lon, lat, k=7)
    ranked = sorted(pts, key=lambda p: GEOD.inv(lon, lat, p[1], p[2])[2])[:7]
    assert [i for i, _ in got] == [p[0] for p in ranked]


def test_add_move_remove_one_site_at_a_time():
    idx = SiteIndex(_points(100))
    idx.upsert(999, -71.2221, 48.4069)
    assert idx.within(-71.2221, 48.4069, 10)[0] == (999, 0.0)
    idx.upsert(999, -72.2, 48.88)  # moved to Dolbeau: gone from Jonquière
    assert all(i != 999 for i, _ in idx.within(-71.2221, 48.4069, 1000))
    assert idx.within(-72.2, 48.88, 10)[0][0] == 999
    assert idx.remove(999) and not idx.remove(999)
    assert 999 not in idx and len(idx) == 100


def test_empty_index_answers_nothing():
    idx = SiteIndex()
    assert idx.within(-71.2, 48.4, 1e6) == [] and idx.nearest(-71.2, 48.4) == []
    idx.upsert(1, -71.2, 48.4)
    assert idx.nearest(-71.2, 48.4, 3) == [(1, 0.0)]
