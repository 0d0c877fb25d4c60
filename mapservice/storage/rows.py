"""Rows of the database as domain objects: the one mapping of each table to its type.

Every store reads through these, so a column added to a table is mapped in one place. Each
takes a row whose columns are the table's own (a site row also carries its member's
``member_name``, ``naics_code`` and ``public_consent``).
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from mapservice.domain.model import (
    Direction,
    Flow,
    Frequency,
    Member,
    Municipality,
    Park,
    Precision,
    Site,
    Synergy,
    SynergyKind,
    SynergyStatus,
    Unit,
)
from mapservice.domain.reasons import labelled
from mapservice.errors import message_from_data


def member_of(r: sa.Row[Any]) -> Member:
    return Member(
        id=r.id,
        name=r.name,
        naics_code=r.naics_code,
        contact_name=r.contact_name,
        contact_email=r.contact_email,
        contact_phone=r.contact_phone,
        public_consent=bool(r.public_consent),
    )


def site_of(r: sa.Row[Any]) -> Site:
    return Site(
        id=r.id,
        member_id=r.member_id,
        name=r.name,
        address=r.address,
        municipality_id=r.municipality_id,
        postal_code=r.postal_code,
        lon=r.lon,
        lat=r.lat,
        park_id=r.park_id,
        geocode_precision=Precision(r.geocode_precision) if r.geocode_precision else None,
        geocode_source=r.geocode_source,
        geocode_score=r.geocode_score,
        member_name=r.member_name,
        naics_code=r.naics_code,
        geocode_note=r.geocode_note,
        geocoded_at=r.geocoded_at,
        geocoded_by=r.geocoded_by,
        public_consent=bool(r.public_consent),
    )


def flow_of(r: sa.Row[Any]) -> Flow:
    return Flow(
        id=r.id,
        site_id=r.site_id,
        direction=Direction(r.direction),
        category_code=r.category_code,
        description=r.description,
        quantity=r.quantity,
        unit=Unit(r.unit) if r.unit else None,
        frequency=Frequency(r.frequency) if r.frequency else None,
        hazardous=bool(r.hazardous),
        confidential=bool(r.confidential),
        to_classify=bool(r.to_classify),
        suggestions=tuple(c for c in (r.suggestions or "").split("|") if c),
        material_text=r.material_text,
    )


def synergy_of(r: sa.Row[Any]) -> Synergy:
    return Synergy(
        id=r.id,
        output_flow_id=r.output_flow_id,
        input_flow_id=r.input_flow_id,
        kind=SynergyKind(r.kind),
        status=SynergyStatus(r.status),
        score=r.score,
        geodesic_m=r.geodesic_m,
        road_m=r.road_m,
        duration_s=r.duration_s,
        transport_kg_co2e=r.transport_kg_co2e,
        transport_cost_cad=r.transport_cost_cad,
        avoided_kg_co2e=r.avoided_kg_co2e,
        updated_at=r.updated_at,
        tonnes_per_year=r.tonnes_per_year,
        net_kg_co2e=r.net_kg_co2e,
        net_benefit_cad=r.net_benefit_cad,
        distance_backend=r.distance_backend,
        reasons=tuple(labelled(message_from_data(x)) for x in json.loads(r.reasons_json or "[]")),
    )


def municipality_of(r: sa.Row[Any]) -> Municipality:
    return Municipality(
        id=r.id,
        name=r.name,
        kind=r.kind,
        mrc=r.mrc,
        lon=r.lon,
        lat=r.lat,
        parent_id=r.parent_id,
        mamh_code=r.mamh_code,
        coord_status=r.coord_status,
        fsa=tuple(r.fsa.split()),
        variants=tuple(v for v in r.variants.split("|") if v),
        population=r.population,
    )


def park_of(r: sa.Row[Any]) -> Park:
    return Park(
        id=r.id,
        name=r.name,
        kind=r.kind,
        municipality_id=r.municipality_id,
        centre_lon=r.centre_lon,
        centre_lat=r.centre_lat,
        status=r.status,
        coord_status=r.coord_status,
        outline_status=r.outline_status,
        outline=json.loads(r.outline_geojson) if r.outline_geojson else None,
        area_ha=r.area_ha,
        manager=r.manager,
        sector=r.sector,
        properties=json.loads(r.properties_json),
    )
