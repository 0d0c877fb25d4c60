"""Transport CO2e and cost, avoided emissions, net benefit and break-even distance."""

from __future__ import annotations

import math

import pytest

from mapservice.config import PROJECT_ROOT, load_settings
from mapservice.domain.model import Unit
from mapservice.materials.impact import (
    Backhaul,
    TransportModel,
    avoided_factor,
    tonnes_per_year,
    trip_impact,
)
from mapservice.materials.taxonomy import FACTOR_STATUSES, Taxonomy, load_factors

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
    # 100 t over 50 km: 5,000 t·km; 0.10 kg per loaded t·km, empty running included in the
    # factor, so the trip is counted once: 500 kg CO2e; $0.15/t·km.
    assert model.backhaul is Backhaul.IN_FACTOR and model.kg_co2e_per_tkm == pytest.approx(0.10)
    impact = trip_impact(model, tonnes=100.0, road_km=50.0, avoided=None)
    assert impact.tkm == 5000.0 and impact.empty_return is False
    assert impact.backhaul == "in-factor"
    assert impact.transport_kg_co2e == pytest.approx(500.0)
    assert impact.transport_kg_co2e == pytest.approx(5000 * model.kg_co2e_per_tkm)
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


def test_an_empty_backhaul_adds_the_return_leg_to_emissions_only(model):
    once = trip_impact(model, tonnes=100.0, road_km=50.0, avoided=None)
    dedicated = trip_impact(
        model, tonnes=100.0, road_km=50.0, avoided=None, backhaul=Backhaul.EMPTY
    )
    assert dedicated.empty_return is True and dedicated.backhaul == "empty"
    assert dedicated.transport_kg_co2e == pytest.approx(2 * once.transport_kg_co2e)
    # A carrier's rate per loaded t·km prices the return in: the cost is never doubled.
    assert dedicated.transport_cost_cad == pytest.approx(once.transport_cost_cad)
    # The same through the model (the MAPSERVICE_BACKHAUL setting), and a call can override it.
    setting = TransportModel.from_factors(model.factors, backhaul="empty")
    assert setting.empty_return and setting.kg_co2e_per_loaded_tkm() == pytest.approx(0.20)
    by_setting = trip_impact(setting, tonnes=100.0, road_km=50.0, avoided=None)
    assert by_setting.transport_kg_co2e == pytest.approx(dedicated.transport_kg_co2e)
    overridden = trip_impact(
        setting, tonnes=100.0, road_km=50.0, avoided=None, backhaul=Backhaul.IN_FACTOR
    )
    assert overridden.transport_kg_co2e == pytest.approx(once.transport_kg_co2e)
    with pytest.raises(ValueError):
        TransportModel.from_factors(model.factors, backhaul="both")


def test_break_even_distance_doubles_now_the_trip_is_counted_once(model, taxonomy):
    # Wood chips, 20 t: 450 kg CO2e avoided per t (the bois factor). Counted twice (the old
    # default, kept as backhaul=empty) the break-even was 450 / 0.20 = 2,250 km; once, 4,500 km.
    avoided = avoided_factor(taxonomy, "bois.copeaux")
    assert avoided is not None and avoided.kg_co2e_avoided_per_t == pytest.approx(450)
    once = trip_impact(model, tonnes=20.0, road_km=100.0, avoided=avoided)
    twice = trip_impact(model, tonnes=20.0, road_km=100.0, avoided=avoided, backhaul=Backhaul.EMPTY)
    assert once.break_even_km == pytest.approx(4500.0)
    assert twice.break_even_km == pytest.approx(2250.0)
    assert once.break_even_km == pytest.approx(2 * twice.break_even_km)
    assert once.transport_kg_co2e == pytest.approx(200.0)  # 20 t × 100 km × 0.10
    # Crushed concrete (5 kg/t avoided): 50 km instead of 25 km.
    concrete = avoided_factor(taxonomy, "construction.beton_concasse")
    assert trip_impact(model, tonnes=1, road_km=0, avoided=concrete).break_even_km == 50.0


def test_the_backhaul_setting_is_read_and_checked():
    assert load_settings({})["BACKHAUL"] == "in-factor"
    assert load_settings({"MAPSERVICE_BACKHAUL": " Empty "})["BACKHAUL"] == "empty"
    with pytest.raises(Exception, match="MAPSERVICE_BACKHAUL"):
        load_settings({"MAPSERVICE_BACKHAUL": "twice"})


def test_every_factor_says_how_far_it_can_be_trusted(model):
    factors = load_factors(DATA / "factors.csv")
    assert {f.status for f in factors.values()} <= FACTOR_STATUSES
    truck = factors["truck_kg_co2e_per_tkm"]
    assert truck.status == "DERIVED" and "SmartWay" in truck.source
    assert "empty" in truck.source and "loaded" in truck.label_en
    assert "retour à vide inclus" in truck.label_fr
    assert factors["truck_cost_cad_per_tkm"].status == "ESTIMATE"
    assert "truck_empty_return" not in factors  # a convention, now the BACKHAUL setting
    shown = {f["key"]: f for f in model.sources()}
    assert shown["truck_kg_co2e_per_tkm"]["status"] == "DERIVED"
    assert shown["landfill_cost_cad_per_t"]["status"] == "ESTIMATE"


def test_a_factors_file_without_status_still_loads_as_estimates(tmp_path):
    path = tmp_path / "factors.csv"
    path.write_text(
        "key,value,unit,label_fr,label_en,source,year\nx,1,t,X,X,somewhere,2020\n", encoding="utf-8"
    )
    assert load_factors(path)["x"].status == "ESTIMATE"
    path.write_text(
        "key,value,unit,label_fr,label_en,source,year,status\nx,1,t,X,X,somewhere,2020,SURE\n",
        encoding="utf-8",
    )
    with pytest.raises(Exception, match="status"):
        load_factors(path)
