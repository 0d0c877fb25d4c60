"""The vectorised whole-registry matcher gives the same pairs and scores as the per-site one."""

from __future__ import annotations

from collections import defaultdict

import pytest

from mapservice.matching.bulk import bulk_pairs
from mapservice.matching.jobs import matcher
from mapservice.routing.geodesic import GeodesicBackend
from mapservice.services import Services
from tests.support.settings import make_settings


@pytest.fixture(scope="module")
def demo(demo_sqlite, tmp_path_factory):
    svc = Services(make_settings(tmp_path_factory.mktemp("bulk"), "sqlite:///" + str(demo_sqlite)))
    yield svc
    svc.close()


def _reference(svc, max_km):
    found = matcher(svc).all_pairs(distances=GeodesicBackend(), max_km=max_km)
    return [c for c in found if c.output_flow.direction is not c.input_flow.direction]


@pytest.mark.parametrize("max_km", [100.0, 20.0])
def test_same_pairs_and_scores_as_the_per_site_matcher(demo, max_km):
    ref = {c.key: c.score for c in _reference(demo, max_km)}
    bulk = bulk_pairs(
        sites=demo.repo.sites(),
        flows=demo.repo.flows(),
        taxonomy=demo.taxonomy,
        max_km=max_km,
        per_offer=10_000,
    )
    got = dict(
        zip(
            zip(bulk.output_flow_id.tolist(), bulk.input_flow_id.tolist(), strict=True),
            bulk.score.tolist(),
            strict=True,
        )
    )
    assert len(ref) > 500
    assert got.keys() == ref.keys()
    assert all(abs(got[k] - ref[k]) < 1e-6 for k in ref)


@pytest.mark.parametrize("per_offer", [1, 3])
def test_per_offer_keeps_the_best_of_each_offer(demo, per_offer):
    # Exact: the best of every compatible partner within reach, however far it is.
    ranked: dict[int, list] = defaultdict(list)
    for c in _reference(demo, 100.0):
        ranked[c.output_flow.id].append(c)
    expected = set()
    for cands in ranked.values():
        cands.sort(key=lambda c: (-c.score, c.geodesic_m, c.input_flow.id))
        expected |= {c.key for c in cands[:per_offer]}
    bulk = bulk_pairs(
        sites=demo.repo.sites(),
        flows=demo.repo.flows(),
        taxonomy=demo.taxonomy,
        max_km=100.0,
        per_offer=per_offer,
    )
    assert bulk.pairs() == expected


def test_nothing_in_nothing_out(demo):
    assert len(bulk_pairs(sites=[], flows=[], taxonomy=demo.taxonomy)) == 0


def test_hazardous_offers_go_only_to_needs_flagged_as_accepting(demo):
    from mapservice.domain.model import Direction, Flow, Site

    sites = [
        Site(1, 1, "A", None, None, None, -71.20, 48.42),
        Site(2, 2, "B", None, None, None, -71.21, 48.43),
        Site(3, 3, "C", None, None, None, -71.22, 48.42),
    ]
    flows = [
        Flow(10, 1, Direction.OUTPUT, "metaux.aluminium.brasques", "brasques", 100.0),
        # a need in a hazardous category, but not flagged as accepting hazardous material
        Flow(20, 2, Direction.INPUT, "metaux.aluminium.brasques", "brasques", 100.0),
        Flow(30, 3, Direction.INPUT, "usages.cimenterie", "cimenterie", 100.0, hazardous=True),
    ]
    bulk = bulk_pairs(sites=sites, flows=flows, taxonomy=demo.taxonomy)
    assert bulk.pairs() == {(10, 30)}


def test_same_best_as_the_exhaustive_baseline_on_a_synthetic_registry():
    # A seeded province-like registry (the benchmark's generator, 2,000 sites, 8,000 flows):
    # dense enough that a far partner with a better quantity fit often beats a near one.
    from bench.matching import PER_OFFER, ROOT, NaiveMatcher, _agreement, build_registry
    from mapservice.domain.model import Direction
    from mapservice.materials.compatibility import Compatibility
    from mapservice.materials.taxonomy import Taxonomy

    taxonomy = Taxonomy.from_directory(ROOT / "data")
    compat = Compatibility(taxonomy)
    reg = build_registry(ROOT / "data", taxonomy, compat, 2_000, 4.0, seed=7)
    bulk = bulk_pairs(
        sites=reg.sites,
        flows=reg.flows,
        taxonomy=taxonomy,
        compatibility=compat,
        max_km=100.0,
        per_offer=PER_OFFER,
    )
    naive = NaiveMatcher(reg, taxonomy, compat, 100.0, PER_OFFER)
    offers = [f for f in reg.flows if f.direction is Direction.OUTPUT]
    agreement = _agreement(bulk, {f.id: naive.top(f) for f in offers[::4]})
    assert agreement["offers"] > 900
    assert agreement["naive_pairs"] > 3_000
    assert agreement["agreement_pct"] >= 99.0  # ties aside
    assert agreement["pair_recall_pct"] >= 99.0
