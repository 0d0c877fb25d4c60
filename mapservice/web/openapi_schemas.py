"""The JSON Schemas of the JSON API's answers: ``components/schemas`` of its OpenAPI document."""

from __future__ import annotations

from typing import Any

from mapservice.domain.model import Direction, Precision, SynergyKind, SynergyStatus, Unit
from mapservice.web import MAX_ROW_ID
from mapservice.web.api_synergies import DEFAULT_LIMIT, MAX_LIMIT, MAX_OFFSET


def ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def _or_null(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` or JSON ``null``: a nullable scalar type, or ``oneOf`` for the rest."""
    if isinstance(schema.get("type"), str) and "enum" not in schema:
        return {**schema, "type": [schema["type"], "null"]}
    return {"oneOf": [schema, {"type": "null"}]}


def _object(properties: dict[str, Any], *, optional: tuple[str, ...] = ()) -> dict[str, Any]:
    """An object with exactly these members, all present unless listed in ``optional``."""
    return {
        "type": "object",
        "properties": properties,
        "required": [k for k in properties if k not in optional],
        "additionalProperties": False,
    }


def _array(items: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": items}


STR, NUM, INT, BOOL = ({"type": t} for t in ("string", "number", "integer", "boolean"))
STR_N, NUM_N, INT_N = _or_null(STR), _or_null(NUM), _or_null(INT)
URL = {"type": "string", "format": "uri"}
DAY = {"type": "string", "format": "date"}
MOMENT = {"type": "string", "format": "date-time"}
LAT_LON = {
    "type": "string",
    "pattern": r"^ *-?[0-9]{1,2}(\.[0-9]+)? *, *-?[0-9]{1,3}(\.[0-9]+)? *$",
}
STATUS = {"type": "string", "enum": [s.value for s in SynergyStatus]}
PRECISION = {"type": "string", "enum": [p.value for p in Precision]}
DIRECTION = {"type": "string", "enum": [d.value for d in Direction]}
ID = {"type": "integer", "minimum": 1, "maximum": MAX_ROW_ID}
LIMIT = {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT}
OFFSET = {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET, "default": 0}
FIGURES = ("t_diverted", "t_co2e_avoided", "t_co2e_transport", "t_co2e_net", "cad_net")

_SYNERGY = {
    "id": ID,
    "output_flow_id": INT,
    "input_flow_id": INT,
    "kind": ref("SynergyKind"),
    "status": ref("SynergyStatus"),
    "score": NUM_N,
    "road_m": NUM_N,
    "geodesic_m": NUM_N,
    "tonnes_per_year": NUM_N,
    "net_kg_co2e": NUM_N,
    "net_benefit_cad": NUM_N,
    "reasons": _array(STR),
}
_PAGE = {"total": INT, "limit": LIMIT, "offset": OFFSET, "links": ref("PageLinks")}
_PLACE = {
    "lat": NUM,
    "lon": NUM,
    "precision": PRECISION,
    "source": STR,
    "score": NUM,
    "label": STR_N,
    "outside_region": BOOL,
    "municipality": _or_null(
        _object({"id": STR, "name": STR, "kind": STR, "municipality": STR, "mrc": STR})
    ),
    "park": _or_null(ref("NearPark")),
    "note": STR_N,
}

#: Whether an empty return is added to the transport CO2e (``MAPSERVICE_BACKHAUL``).
BACKHAUL = {"type": "string", "enum": ["in-factor", "empty"]}

SCHEMAS: dict[str, Any] = {
    "SynergyKind": {"type": "string", "enum": [k.value for k in SynergyKind]},
    "SynergyStatus": STATUS,
    "Synergy": _object(_SYNERGY),
    "SynergyEvent": _object(
        {"from": _or_null(STATUS), "to": STATUS, "at": MOMENT, "author": STR, "note": STR}
    ),
    "SynergyDetail": _object({**_SYNERGY, "history": _array(ref("SynergyEvent"))}),
    "PageLinks": _object({"self": URL, "next": URL, "prev": URL}, optional=("next", "prev")),
    "SynergyPage": _object({"synergies": _array(ref("Synergy")), **_PAGE}),
    "FlowEnd": _object(
        {
            "flow_id": INT,
            "direction": DIRECTION,
            "category": STR,
            "category_label": STR_N,
            "description": STR,
            "quantity": NUM_N,
            "unit": _or_null({"type": "string", "enum": [u.value for u in Unit]}),
            "site_id": INT,
            "site": STR,
            "member": STR_N,
            "lat": NUM_N,
            "lon": NUM_N,
            "park": STR_N,
        }
    ),
    "TripImpact": _object(
        {
            "tonnes": NUM_N,
            "road_km": NUM_N,
            "tkm": NUM_N,
            "trips": INT_N,
            "transport_kg_co2e": NUM_N,
            "transport_cost_cad": NUM_N,
            "avoided_kg_co2e": NUM_N,
            "net_kg_co2e": NUM_N,
            "landfill_saved_cad": NUM_N,
            "net_benefit_cad": NUM_N,
            "break_even_km": NUM_N,
            "empty_return": BOOL,
            "avoided_source": STR_N,
            "backhaul": BACKHAUL,
        }
    ),
    "Factor": _object(
        {
            "key": STR,
            "value": NUM,
            "unit": STR,
            "label_fr": STR,
            "label_en": STR,
            "source": STR,
            "source_fr": STR,
            "year": INT_N,
            "status": {"type": "string", "enum": ["FOUND", "DERIVED", "ESTIMATE"]},
        }
    ),
    "Candidate": _object(
        {
            "kind": ref("SynergyKind"),
            "score": NUM,
            "output": ref("FlowEnd"),
            "input": ref("FlowEnd"),
            "fit": _object({"how": STR, "strength": NUM, "note": STR}),
            "quantity_fit": NUM,
            "geodesic_km": NUM,
            "road_km": NUM_N,
            "duration_min": NUM_N,
            "distance_backend": STR,
            "max_km": NUM,
            "impact": ref("TripImpact"),
            "confidential": BOOL,
            "factors": _array(ref("Factor")),
            "reasons": _array(STR),
            "synergy_id": INT_N,
            "status": _or_null(STATUS),
        }
    ),
    "CandidateList": _object(
        {
            "site_id": INT,
            "count": INT,
            "candidates": _array(ref("Candidate")),
            **_PAGE,
            "total": {
                **INT_N,
                "description": "Nombre de candidates en tout, connu à la dernière "
                "page ; null tant qu'il en reste après celle-ci.",
            },
        }
    ),
    "Distance": _object(
        {
            "geodesic_m": NUM,
            "road_m": NUM_N,
            "duration_s": NUM_N,
            "access_m": NUM,
            "backend": STR,
            "reason": STR_N,
        }
    ),
    "NearPark": _object(
        {
            "id": STR,
            "name": STR,
            "distance_m": NUM_N,
            # A geocoded place's park: what its outline is worth (surveyed, traced, estimated,
            # town), how sure the match is, and what to confirm.
            "outline_status": STR,
            "confidence": NUM_N,
            "note": STR_N,
        },
        optional=("outline_status", "confidence", "note"),
    ),
    "GeocodeCandidate": _object(_PLACE),
    "GeocodeResult": _object(
        {"query": STR_N, **_PLACE, "candidates": _array(ref("GeocodeCandidate"))}
    ),
    "ReverseResult": _object(
        {
            "lat": NUM,
            "lon": NUM,
            "outside_region": BOOL,
            "method": {
                "type": "string",
                "enum": ["code-postal-voisin", "centre-le-plus-proche", "hors-region"],
            },
            "place": _or_null(_object({"id": STR, "name": STR, "kind": STR})),
            "municipality": _or_null(_object({"id": STR, "name": STR, "mrc": STR})),
            "postal_code": STR_N,
            "postal_code_distance_m": NUM_N,
            "fsa": STR_N,
            "park": _or_null(ref("NearPark")),
            "nearest_place_outside": _or_null(_object({"name": STR, "lat": NUM, "lon": NUM})),
        }
    ),
    "SiteLocation": _object(
        {
            "id": ID,
            "lat": NUM_N,
            "lon": NUM_N,
            "park": STR_N,
            "municipality": STR_N,
            "precision": _or_null(PRECISION),
            "source": STR_N,
            "geocoded_by": STR_N,
            "geocoded_at": _or_null(MOMENT),
        }
    ),
    "ImpactFigures": _object({k: NUM for k in FIGURES}),
    "Impact": _object(
        {
            "from": _or_null(DAY),
            "to": _or_null(DAY),
            "park": STR_N,
            "backhaul": BACKHAUL,
            "count": INT,
            "totals": ref("ImpactFigures"),
            "by_month": {
                "type": "object",
                "propertyNames": {"pattern": "^[0-9]{4}-[0-9]{2}$"},
                "additionalProperties": ref("ImpactFigures"),
            },
            "by_category": {"type": "object", "additionalProperties": ref("ImpactFigures")},
            "synergies": _array(
                _object(
                    {
                        "synergy_id": ID,
                        "realised_at": MOMENT,
                        "output_flow_id": INT,
                        "input_flow_id": INT,
                        "category": STR,
                        "output_park": STR_N,
                        "input_park": STR_N,
                        **{k: NUM for k in FIGURES},
                    }
                )
            ),
            "note": STR,
        }
    ),
    "Classification": _object(
        {
            "text": STR,
            "category": STR_N,
            "label_fr": STR_N,
            "label_en": STR_N,
            "confidence": NUM,
            "method": STR,
            "flagged": BOOL,
            "reason": STR,
            "candidates": _array(_object({"category": STR, "label_fr": STR, "confidence": NUM})),
        }
    ),
    "Problem": {
        "type": "object",
        "properties": {
            "type": STR,
            "title": STR,
            "status": INT,
            "detail": STR,
            "instance": STR,
            "field": STR_N,
            "error": STR,
            "code": STR,
            "message": STR,
            "suggestions": _array(STR),
            "fields": {"type": "object", "additionalProperties": STR},
        },
        "required": ["type", "title", "status"],
    },
}
