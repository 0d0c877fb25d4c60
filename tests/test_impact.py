"""Transport CO2e and cost, avoided emissions, net benefit and break-even distance."""

from __future__ import annotations

import math

import pytest

from mapservice.config import PROJECT_ROOT
from mapservice.domain.model import Unit
from mapservice.materials.impact import TransportModel, avoided_factor, tonnes_per_year, trip_impact
from mapservice.materials.taxonomy import Taxonomy, load_factors

DATA = PROJECT_ROOT / "data"


@pytest.fixture(scope="module")
def model() -> TransportModel:
    return TransportModel.from_factors(load_factors(DATA / "factors.csv"))


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return Taxonomy.from_directory(DATA)


def test_units_become_tonnes_only_when_they_can():
    assert tonnes_per_year(12.0, Unit.T_PER_YEAR, None) == 12.0
    assert tonnes_per_year(10.0, Unit.M3_PER_YEAR, 0.9) == pytest.approx(9.0)
    assert tonnes_per_year(10.0, Unit.M3_PER_YEAR, None) is None
    assert tonnes_per_year(50.0, Unit.KW, None) is None
    assert tonnes_per_year(None, Unit.T_PER_YEAR, None) is None
    assert tonnes_per_year(-1.0, Unit.T_PER_YEAR, None) is None


def test_transport_figures_follow_the_factors(model):
    # 100 t over 50 km: 5,000 t·km; 0.10 kg/t·km, return counted: 1,000 kg CO2e; $0.15/t·km.
    impact = trip_impact(model, tonnes=100.0, road_km=50.0, avoided=None)
    assert impact.tkm == 5000.0 and impact.empty_return is True
    assert impact.transport_kg_co2e == pytest.approx(5000 * model.kg_co2e_per_tkm * 2)
    assert impact.transport_cost_cad == pytest.approx(5000 * model.cost_cad_per_tkm)
    assert impact.trips == math.ceil(100 / model.payload_t)
    assert impact.avoided_kg_co2e is None and impact.net_kg_co2e is None  # never a made-up 0
    assert impact.landfill_saved_cad == pytest.approx(100 * model.landfill_cad_per_t)
    assert impact.net_benefit_cad == pytest.approx(
        impact.landfill_saved_cad - impact.transport_cost_cad
    )


def test_break_even_is_where_transport_equals_what_is_avoided(model, taxonomy):
    avoided = avoided_factor(taxonomy, "metaux.ferraille")
    assert avoided is not None
    impact = trip_impact(model, tonnes=10.0, road_km=100.0, avoided=avoided)
    at_break_even = trip_impact(model, tonnes=10.0, road_km=impact.break_even_km, avoided=avoided)
    assert at_break_even.net_kg_co2e == pytest.approx(0.0, abs=1e-6)
    assert impact.net_kg_co2e > 0
    beyond = trip_impact(model, tonnes=10.0, road_km=impact.break_even_km * 1.1, avoided=avoided)
    assert beyond.net_kg_co2e < 0


def test_avoided_factor_falls_back_to_the_nearest_ancestor(taxonomy):
    own = avoided_factor(taxonomy, "metaux.aluminium.retailles")
    assert own is not None and own.category_code == "metaux.aluminium.retailles"
    for code in (c.code for c in taxonomy):
        found = avoided_factor(taxonomy, code)
        if found is not None:
            assert found.category_code == code or found.category_code in {
                a.code for a in taxonomy.ancestors(code)
            }
    assert avoided_factor(taxonomy, "inconnu") is None


def test_factor_sources_are_shown(model):
    keys = {f["key"] for f in model.sources()}
    assert "truck_kg_co2e_per_tkm" in keys
    assert all(f["source"] and f["unit"] for f in model.sources())
