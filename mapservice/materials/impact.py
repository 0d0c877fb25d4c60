"""What a trip costs and what an exchange saves: transport CO2e and cost, avoided emissions,
net benefit and the break-even distance. Pure arithmetic over factors that carry their source.

Conventions (stated next to every figure they produce):

* transport emissions = factor (kg CO2e per *loaded* t·km, ``truck_kg_co2e_per_tkm``) × tonnes
  × road km, counted **once**. The factor is a fleet average (NRCan SmartWay: a fleet's fuel
  over all its kilometres, loaded and empty, divided by the tonne-km it hauled), so the empty
  running of the return trip is already in it. :class:`Backhaul` ``empty`` (the setting
  ``MAPSERVICE_BACKHAUL``, or per call) adds the return leg at the loaded rate for the rare trip
  whose empty return is *not* in the factor (a dedicated truck with a measured loaded-only
  figure); the default ``in-factor`` counts the trip once;
* transport cost = ``truck_cost_cad_per_tkm`` × tonnes × road km: a carrier's rate per loaded
  t·km prices the return in, so the cost is never doubled, whatever the backhaul;
* avoided emissions = ``kg_co2e_avoided_per_t`` of the offered material (or its nearest
  ancestor that has one) × tonnes; None when no figure exists, never zero by default;
* net benefit ($) = landfill cost avoided (``landfill_cost_cad_per_t``) − transport cost;
* break-even distance = the road km at which transport emissions equal avoided emissions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from mapservice.domain.model import Unit
from mapservice.materials.taxonomy import AvoidedEmission, Factor, Taxonomy

#: Factors the transport model needs, by key in ``data/factors.csv``.
REQUIRED_FACTORS = (
    "truck_kg_co2e_per_tkm",
    "truck_cost_cad_per_tkm",
    "truck_payload_t",
    "truck_speed_highway_kmh",
    "landfill_cost_cad_per_t",
)


class Backhaul(StrEnum):
    """Whether the truck's return is already in the emission factor.

    ``in-factor`` (the default): the factor per loaded t·km is a fleet average that includes
    empty running; the trip is counted once. ``empty``: a dedicated trip whose empty return is
    not in the factor; the return leg is added at the loaded rate (× 2), an upper bound.
    """

    IN_FACTOR = "in-factor"
    EMPTY = "empty"

    @property
    def multiplier(self) -> float:
        """Road km counted per loaded road km."""
        return 2.0 if self is Backhaul.EMPTY else 1.0


@dataclass(frozen=True)
class TransportModel:
    kg_co2e_per_tkm: float
    cost_cad_per_tkm: float
    payload_t: float
    speed_kmh: float
    landfill_cad_per_t: float
    factors: dict[str, Factor]
    backhaul: Backhaul = Backhaul.IN_FACTOR

    @classmethod
    def from_factors(
        cls, factors: dict[str, Factor], backhaul: Backhaul | str = Backhaul.IN_FACTOR
    ) -> TransportModel:
        missing = [k for k in REQUIRED_FACTORS if k not in factors]
        if missing:
            raise ValueError(f"factors.csv lacks {missing}")
        return cls(
            kg_co2e_per_tkm=factors["truck_kg_co2e_per_tkm"].value,
            cost_cad_per_tkm=factors["truck_cost_cad_per_tkm"].value,
            payload_t=factors["truck_payload_t"].value,
            speed_kmh=factors["truck_speed_highway_kmh"].value,
            landfill_cad_per_t=factors["landfill_cost_cad_per_t"].value,
            factors=factors,
            backhaul=Backhaul(backhaul),
        )

    @property
    def empty_return(self) -> bool:
        """Whether an empty return leg is added on top of the factor."""
        return self.backhaul is Backhaul.EMPTY

    @property
    def return_multiplier(self) -> float:
        return self.backhaul.multiplier

    def kg_co2e_per_loaded_tkm(self, backhaul: Backhaul | None = None) -> float:
        """The emission factor applied per loaded t·km, return leg included when added."""
        return self.kg_co2e_per_tkm * (backhaul or self.backhaul).multiplier

    def sources(self) -> list[dict[str, Any]]:
        """The factors behind every figure, to show next to them."""
        return [
            {
                "key": f.key,
                "value": f.value,
                "unit": f.unit,
                "label_fr": f.label_fr,
                "label_en": f.label_en,
                "source": f.source,
                "source_fr": f.source_fr,
                "year": f.year,
                "status": f.status,
            }
            for k in REQUIRED_FACTORS
            if (f := self.factors[k])
        ]


def tonnes_per_year(
    quantity: float | None, unit: Unit | None, density_t_per_m3: float | None
) -> float | None:
    """Return a quantity in t/year when it can be said (m3 needs a density); else None."""
    if quantity is None or unit is None or not math.isfinite(quantity) or quantity < 0:
        return None
    if unit is Unit.T_PER_YEAR:
        return quantity
    if unit is Unit.M3_PER_YEAR and density_t_per_m3:
        return quantity * density_t_per_m3
    return None


def avoided_factor(taxonomy: Taxonomy, code: str) -> AvoidedEmission | None:
    """The avoided-emission figure of ``code`` or of its nearest ancestor that has one."""
    if code in taxonomy.avoided:
        return taxonomy.avoided[code]
    if taxonomy.get(code) is None:
        return None
    for parent in taxonomy.ancestors(code):
        if parent.code in taxonomy.avoided:
            return taxonomy.avoided[parent.code]
    return None


@dataclass(frozen=True)
class TripImpact:
    """One exchange of ``tonnes`` per year over ``road_km``."""

    tonnes: float | None
    road_km: float | None
    tkm: float | None
    trips: int | None
    transport_kg_co2e: float | None
    transport_cost_cad: float | None
    avoided_kg_co2e: float | None
    net_kg_co2e: float | None  # avoided − transport (positive: the exchange helps the climate)
    landfill_saved_cad: float | None
    net_benefit_cad: float | None
    break_even_km: float | None
    empty_return: bool  # an empty return leg was added on top of the factor
    avoided_source: str | None = None
    backhaul: str = Backhaul.IN_FACTOR.value

    def as_dict(self) -> dict[str, Any]:
        return {k: (round(v, 3) if isinstance(v, float) else v) for k, v in self.__dict__.items()}


def trip_impact(
    model: TransportModel,
    *,
    tonnes: float | None,
    road_km: float | None,
    avoided: AvoidedEmission | None,
    backhaul: Backhaul | None = None,
) -> TripImpact:
    """Transport, avoided and net figures of moving ``tonnes`` per year over ``road_km``.

    ``backhaul`` overrides the model's (the setting) for this trip; see :class:`Backhaul`.
    """
    chosen = backhaul or model.backhaul
    per_t_avoided = avoided.kg_co2e_avoided_per_t if avoided else None
    per_tkm = model.kg_co2e_per_loaded_tkm(chosen)
    break_even = per_t_avoided / per_tkm if per_t_avoided is not None and per_tkm > 0 else None
    if tonnes is None:
        return TripImpact(
            None,
            road_km,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            break_even,
            chosen is Backhaul.EMPTY,
            avoided.source if avoided else None,
            chosen.value,
        )
    tkm = tonnes * road_km if road_km is not None else None
    transport = per_tkm * tkm if tkm is not None else None
    cost = model.cost_cad_per_tkm * tkm if tkm is not None else None
    avoided_kg = per_t_avoided * tonnes if per_t_avoided is not None else None
    net = avoided_kg - transport if avoided_kg is not None and transport is not None else None
    landfill = model.landfill_cad_per_t * tonnes
    return TripImpact(
        tonnes=tonnes,
        road_km=road_km,
        tkm=tkm,
        trips=math.ceil(tonnes / model.payload_t) if model.payload_t > 0 else None,
        transport_kg_co2e=transport,
        transport_cost_cad=cost,
        avoided_kg_co2e=avoided_kg,
        net_kg_co2e=net,
        landfill_saved_cad=landfill,
        net_benefit_cad=landfill - cost if cost is not None else None,
        break_even_km=break_even,
        empty_return=chosen is Backhaul.EMPTY,
        avoided_source=avoided.source if avoided else None,
        backhaul=chosen.value,
    )
