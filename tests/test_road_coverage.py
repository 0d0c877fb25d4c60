"""The road graph reaches every town of the region, and says why when a point is beyond it.

Distances are computed through the routing code (access legs included).
"""

from __future__ import annotations

import csv

import pytest
from babel.support import Translations

from mapservice.config import PROJECT_ROOT
from mapservice.domain.model import SynergyKind
from mapservice.matching.arrays import matrix_cell
from mapservice.matching.candidate import FAR_ACCESS_M, make_candidate
from mapservice.materials.compatibility import Fit
from mapservice.routing.coverage import town_distances_m
from mapservice.routing.graph import RoadGraph
from tests.support.seeded_registry import by_categories

DATA = PROJECT_ROOT / "data"
ENGLISH = Translations.load(PROJECT_ROOT / "mapservice" / "translations", ["en"])
SAWDUST = ("bois.sciure", "usages.litiere_animale")  # a seeded synergy (tests/support)
MAX_TO_GRAPH_M = 2_000.0


@pytest.fixture(scope="module")
def graph() -> RoadGraph:
    return RoadGraph.from_geojson(DATA / "roads.geojson")


@pytest.fixture(scope="module")
def towns() -> list[dict[str, str]]:
    with (DATA / "municipalities.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _point(towns: list[dict[str, str]], town_id: str) -> tuple[float, float]:
    row = next(r for r in towns if r["id"] == town_id)
    return float(row["lon"]), float(row["lat"])


def test_every_municipality_reserve_and_sector_is_near_the_graph(graph, towns):
    metres = town_distances_m(graph, {r["id"]: (float(r["lon"]), float(r["lat"])) for r in towns})
    assert set(metres) == {r["id"] for r in towns}
    far = {}
    for row in towns:
        if metres[row["id"]] > MAX_TO_GRAPH_M:
            far[row["id"]] = round(metres[row["id"]])
    assert far == {}


@pytest.mark.parametrize(
    ("a", "b", "low_km", "high_km"),
    [
        ("saguenay-jonquiere", "saint-honore", 20, 25),
        ("saguenay-chicoutimi", "saint-david-de-falardeau", 25, 30),
    ],
)
def test_north_of_the_saguenay_by_road(graph, towns, a, b, low_km, high_km):
    d = graph.distance(_point(towns, a), _point(towns, b))
    assert d.road_m is not None
    assert low_km <= d.road_m / 1000 <= high_km
    assert d.access_m < 2_000  # on the network, not on a long straight access leg


def test_the_ferry_is_a_timed_crossing(graph):
    ferries = [line for line in graph.lines if line.props["kind"] == "ferry"]
    assert len(ferries) == 1
    d = graph.distance(ferries[0].coords[0], ferries[0].coords[-1])
    assert d.road_m is not None and d.road_m < 3_000
    assert 15 * 60 <= d.duration_s <= 25 * 60  # 10 min crossing + waiting on average


def test_a_point_beyond_the_graph_says_why_and_how_far(graph, towns):
    nunavik = (-73.0, 55.0)  # hundreds of km north of the last road of the graph
    m = graph.matrix([_point(towns, "alma")], [nunavik])
    assert m[0][0].road_m is None
    reason = m[0][0].reason
    assert reason is not None and reason.startswith("destination hors de la couverture")
    nearest_km = f"{round(graph.nearest_road_m([nunavik])[0] / 1000, 1):g}"
    assert f"route la plus proche à {nearest_km} km" in reason
    assert f"limite {graph.max_snap_m / 1000:g} km" in reason
    cell = matrix_cell(m, 0, 0)
    assert cell.road_m is None and cell.reason == reason
    assert (
        matrix_cell(graph.matrix([_point(towns, "alma")], [_point(towns, "roberval")]), 0, 0).reason
        is None
    )


def _candidate_reasons(svc, cell) -> list[str]:
    """The reasons of the seeded sawdust synergy when its distance is ``cell``."""
    syn = next(s for s in svc.repo.synergies() if s.id == by_categories(svc, *SAWDUST))
    out_f, in_f = svc.repo.get_flow(syn.output_flow_id), svc.repo.get_flow(syn.input_flow_id)
    sites = {s.id: s for s in svc.repo.sites()}
    fit = Fit(SynergyKind.SUBSTITUTION, 1.0, "meme-categorie")
    found = make_candidate(
        out_f,
        in_f,
        fit,
        30_000.0,
        cell,
        "road-graph",
        taxonomy=svc.taxonomy,
        model=svc.transport_model,
        sites=sites,
    )
    assert found is not None
    return list(found.reasons)


def test_a_candidate_says_the_straight_line_was_used_and_why(seeded_app, graph, towns):
    svc = seeded_app.extensions["mapservice"]
    far = matrix_cell(graph.matrix([_point(towns, "alma")], [(-73.0, 55.0)]), 0, 0)
    reasons = _candidate_reasons(svc, far)
    said = [r for r in reasons if "vol d'oiseau" in r]
    assert len(said) == 1
    assert said[0].startswith("30 km à vol d'oiseau, utilisés faute de distance routière (")
    assert "destination hors de la couverture du réseau routier" in said[0]
    english = said[0].render(ENGLISH.gettext)
    assert "as the crow flies, used for lack of a road distance" in english
    assert "destination outside the road network's coverage" in english


def test_a_candidate_says_how_a_long_access_leg_was_counted(seeded_app, graph, towns):
    svc = seeded_app.extensions["mapservice"]
    off_road = (-71.4, 48.9)  # in the forest north of Lac Saint-Jean, about 10 km from a road
    cell = matrix_cell(graph.matrix([_point(towns, "alma")], [off_road]), 0, 0)
    assert cell.road_m is not None and cell.access_m > FAR_ACCESS_M
    reasons = _candidate_reasons(svc, cell)
    assert any(r.startswith("dont ") and "ligne droite × 1,3 à 30 km/h" in r for r in reasons)
    near = matrix_cell(graph.matrix([_point(towns, "alma")], [_point(towns, "roberval")]), 0, 0)
    assert not any(r.startswith("dont ") for r in _candidate_reasons(svc, near))
