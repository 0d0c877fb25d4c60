"""The JSON API's own description: OpenAPI 3.1 at ``/api/v1/openapi.json`` and a page to read it.

The document is written here, route by route, and a test checks that it lists every route of
``/api/v1`` (so it cannot drift) and that it is a valid OpenAPI 3.1 document. Every answer has
its schema under ``components/schemas`` (closed objects: a member the code adds and the
document forgets fails ``tests/test_api_fuzz.py``, which fuzzes the API from this document).
Errors are ``application/problem+json`` (RFC 9457), described once as the ``Problem`` schema.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, render_template

from mapservice._version import __version__
from mapservice.config import ROUTING_KINDS
from mapservice.domain.model import Direction, Precision, SynergyKind, SynergyStatus, Unit
from mapservice.web import MAX_ROW_ID
from mapservice.web.api_synergies import DEFAULT_LIMIT, MAX_LIMIT, MAX_OFFSET

bp = Blueprint("openapi", __name__, url_prefix="/api/v1")

PROBLEM = {"$ref": "#/components/responses/Problem"}
NOT_MODIFIED = {"$ref": "#/components/responses/NotModified"}
UNAUTHORIZED = {"$ref": "#/components/responses/Unauthorized"}
#: Who may call an operation (see web/guard.py): staff and administrators, by their
#: personal token (Bearer, or as the Basic password for QGIS and GDAL) or their session.
SECURITY: list[dict[str, list[str]]] = [{"token": []}, {"basic": []}, {"session": []}]


def _ref(name: str) -> dict[str, Any]:
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
    "kind": _ref("SynergyKind"),
    "status": _ref("SynergyStatus"),
    "score": NUM_N,
    "road_m": NUM_N,
    "geodesic_m": NUM_N,
    "tonnes_per_year": NUM_N,
    "net_kg_co2e": NUM_N,
    "net_benefit_cad": NUM_N,
    "reasons": _array(STR),
}
_PAGE = {"total": INT, "limit": LIMIT, "offset": OFFSET, "links": _ref("PageLinks")}
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
    "park": _or_null(_ref("NearPark")),
    "note": STR_N,
}

SCHEMAS: dict[str, Any] = {
    "SynergyKind": {"type": "string", "enum": [k.value for k in SynergyKind]},
    "SynergyStatus": STATUS,
    "Synergy": _object(_SYNERGY),
    "SynergyEvent": _object(
        {"from": _or_null(STATUS), "to": STATUS, "at": MOMENT, "author": STR, "note": STR}
    ),
    "SynergyDetail": _object({**_SYNERGY, "history": _array(_ref("SynergyEvent"))}),
    "PageLinks": _object({"self": URL, "next": URL, "prev": URL}, optional=("next", "prev")),
    "SynergyPage": _object({"synergies": _array(_ref("Synergy")), **_PAGE}),
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
            "year": INT_N,
        }
    ),
    "Candidate": _object(
        {
            "kind": _ref("SynergyKind"),
            "score": NUM,
            "output": _ref("FlowEnd"),
            "input": _ref("FlowEnd"),
            "fit": _object({"how": STR, "strength": NUM, "note": STR}),
            "quantity_fit": NUM,
            "geodesic_km": NUM,
            "road_km": NUM_N,
            "duration_min": NUM_N,
            "distance_backend": STR,
            "max_km": NUM,
            "impact": _ref("TripImpact"),
            "confidential": BOOL,
            "factors": _array(_ref("Factor")),
            "reasons": _array(STR),
            "synergy_id": INT_N,
            "status": _or_null(STATUS),
        }
    ),
    "CandidateList": _object(
        {
            "site_id": INT,
            "count": INT,
            "candidates": _array(_ref("Candidate")),
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
    "NearPark": _object({"id": STR, "name": STR, "distance_m": NUM_N}),
    "GeocodeCandidate": _object(_PLACE),
    "GeocodeResult": _object(
        {"query": STR_N, **_PLACE, "candidates": _array(_ref("GeocodeCandidate"))}
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
            "park": _or_null(_ref("NearPark")),
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
            "count": INT,
            "totals": _ref("ImpactFigures"),
            "by_month": {
                "type": "object",
                "propertyNames": {"pattern": "^[0-9]{4}-[0-9]{2}$"},
                "additionalProperties": _ref("ImpactFigures"),
            },
            "by_category": {"type": "object", "additionalProperties": _ref("ImpactFigures")},
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

#: The next and previous pages, as in the body's ``links`` (RFC 8288).
LINK_HEADER = {
    "description": "Pages suivante et précédente (RFC 8288), quand elles existent : "
    '`<…>; rel="next", <…>; rel="prev"`.',
    "schema": {"type": "string"},
}
ETAG_HEADER = {
    "description": "Étiquette de la réponse : la renvoyer dans If-None-Match.",
    "schema": {"type": "string"},
}


def _query(
    name: str,
    description: str,
    *,
    required: bool = False,
    schema: dict[str, Any] | None = None,
    example: Any = None,
) -> dict[str, Any]:
    param = {
        "name": name,
        "in": "query",
        "required": required,
        "description": description,
        "schema": schema or {"type": "string"},
    }
    if example is not None:
        param["example"] = example
    return param


def _path_id(name: str, description: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "description": description, "schema": ID}


def _body(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {
        "required": True,
        "content": {
            "application/json": {
                "schema": {"type": "object", "properties": properties, "required": required}
            }
        },
    }


def _op(
    summary: str,
    answer: str,
    *,
    parameters: list[dict[str, Any]] | None = None,
    body: dict[str, Any] | None = None,
    errors: tuple[str, ...] = ("422",),
    tag: str = "synergies",
    paged: bool = False,
) -> dict[str, Any]:
    """One operation answering the ``answer`` schema with 200, else a problem per error code."""
    ok: dict[str, Any] = {
        "description": "OK",
        "content": {"application/json": {"schema": _ref(answer)}},
    }
    responses: dict[str, Any] = {"200": ok}
    if body is None:  # a GET: tagged, so a client may revalidate (see web/etags.py)
        ok["headers"] = {"ETag": ETAG_HEADER}
        responses["304"] = NOT_MODIFIED
    if paged:
        ok["headers"]["Link"] = LINK_HEADER
    # No or unknown credentials, a role without the API, and (browser sessions only) a write
    # without its CSRF token: see web/guard.py.
    responses["401"], responses["403"] = UNAUTHORIZED, PROBLEM
    if body is not None:
        responses["400"] = PROBLEM
    for code in errors:
        responses[code] = PROBLEM
    # Any operation may find the database unreachable; a write may find its disk full (both
    # roll back whatever the request had begun).
    responses["503"] = PROBLEM
    if body is not None:
        responses["507"] = PROBLEM
    operation: dict[str, Any] = {"summary": summary, "tags": [tag], "responses": responses}
    if parameters:
        operation["parameters"] = parameters
    if body:
        operation["requestBody"] = body
    return operation


def _page_params(what: str) -> list[dict[str, Any]]:
    return [
        _query(
            "limit", f"Nombre maximal de {what} par page (1 à 1000, 100 par défaut).", schema=LIMIT
        ),
        _query("offset", f"Nombre de {what} à sauter avant la page (0 par défaut).", schema=OFFSET),
    ]


def document() -> dict[str, Any]:
    """The OpenAPI 3.1 document of ``/api/v1``."""
    site = _path_id("site_id", "Identifiant du site.")
    synergy = _path_id("synergy_id", "Identifiant de la synergie.")
    backend = _query(
        "backend",
        "Moteur de distance (celui du service par défaut).",
        schema={"type": "string", "enum": list(ROUTING_KINDS)},
    )
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "mapservice — API JSON",
            "version": __version__,
            "description": "Géocodage, synergies et bilan de l'économie circulaire du "
            "Saguenay–Lac-Saint-Jean. Les erreurs sont en "
            "application/problem+json (RFC 9457) et nomment le paramètre "
            "fautif (`field`). Les listes se lisent par pages (`limit`, "
            "`offset`) ; `links` et l'en-tête `Link` (RFC 8288) donnent "
            "les pages suivante et précédente.",
            "license": {"name": "AGPL-3.0-or-later", "identifier": "AGPL-3.0-or-later"},
        },
        "servers": [{"url": "/api/v1"}],
        "security": SECURITY,
        "tags": [{"name": "geocoding"}, {"name": "synergies"}],
        "paths": {
            "/geocode": {
                "get": _op(
                    "Texte libre ou champs d'adresse → position, précision, municipalité, parc.",
                    "GeocodeResult",
                    parameters=[
                        _query(
                            "q",
                            "Texte libre : adresse, lieu, code postal ou lat, lon.",
                            example="2485, rue Alexis-le-Trotteur, Jonquière G7X 0E4",
                        ),
                        _query("address", "Adresse civique."),
                        _query("municipality", "Municipalité."),
                        _query("postal_code", "Code postal."),
                    ],
                    errors=("404", "422", "503"),
                    tag="geocoding",
                )
            },
            "/reverse": {
                "get": _op(
                    "Point → municipalité, code postal voisin, zone postale, parc.",
                    "ReverseResult",
                    parameters=[
                        _query(
                            "lat",
                            "Latitude (WGS84).",
                            required=True,
                            schema={"type": "number", "minimum": -90, "maximum": 90},
                            example=48.43,
                        ),
                        _query(
                            "lon",
                            "Longitude (WGS84).",
                            required=True,
                            schema={"type": "number", "minimum": -180, "maximum": 180},
                            example=-71.07,
                        ),
                    ],
                    tag="geocoding",
                )
            },
            "/sites/{site_id}/location": {
                "post": _op(
                    "Placer un site à la main.",
                    "SiteLocation",
                    parameters=[site],
                    body=_body(
                        {
                            "lat": {"type": "number"},
                            "lon": {"type": "number"},
                            "by": {"type": "string"},
                        },
                        ["lat", "lon", "by"],
                    ),
                    errors=("404", "422"),
                    tag="geocoding",
                )
            },
            "/sites/{site_id}/synergies": {
                "get": _op(
                    "Synergies candidates d'un site, les meilleures d'abord, par pages.",
                    "CandidateList",
                    parameters=[
                        site,
                        _query(
                            "max_km",
                            "Distance maximale (km, 0 à 1000).",
                            schema={"type": "number", "exclusiveMinimum": 0, "maximum": 1000},
                        ),
                        _query("category", "Catégorie de matière."),
                        backend,
                        *_page_params("candidates"),
                    ],
                    errors=("404", "422", "503"),
                    paged=True,
                )
            },
            "/distance": {
                "get": _op(
                    "Distance à vol d'oiseau et par la route entre deux points.",
                    "Distance",
                    parameters=[
                        _query(
                            "from",
                            "lat,lon du départ (WGS84).",
                            required=True,
                            schema=LAT_LON,
                            example="48.3320,-70.8800",
                        ),
                        _query(
                            "to",
                            "lat,lon de l'arrivée (WGS84).",
                            required=True,
                            schema=LAT_LON,
                            example="48.4450,-70.9000",
                        ),
                        backend,
                    ],
                    errors=("422", "503"),
                )
            },
            "/impact": {
                "get": _op(
                    "Bilan des synergies réalisées : tonnes, CO2e, $.",
                    "Impact",
                    parameters=[
                        _query("from", "Début (AAAA-MM-JJ).", schema=DAY),
                        _query("to", "Fin (AAAA-MM-JJ).", schema=DAY),
                        _query("park", "Parc industriel."),
                    ],
                )
            },
            "/synergies": {
                "get": _op(
                    "Synergies suivies, par identifiant, par pages ; un paramètre "
                    "inconnu est refusé (422).",
                    "SynergyPage",
                    parameters=[
                        _query("status", "Étape du suivi.", schema=STATUS),
                        *_page_params("synergies"),
                    ],
                    paged=True,
                ),
                "post": _op(
                    "Faire avancer une paire candidate.",
                    "Synergy",
                    body=_body(
                        {
                            "output_flow_id": ID,
                            "input_flow_id": ID,
                            "status": STATUS,
                            "author": {"type": "string"},
                            "note": {"type": "string"},
                        },
                        ["output_flow_id", "input_flow_id", "status", "author"],
                    ),
                ),
            },
            "/synergies/{synergy_id}": {
                "get": _op(
                    "Une synergie et son historique.",
                    "SynergyDetail",
                    parameters=[synergy],
                    errors=("404",),
                )
            },
            "/synergies/{synergy_id}/status": {
                "post": _op(
                    "Faire avancer une synergie d'une étape.",
                    "Synergy",
                    parameters=[synergy],
                    body=_body(
                        {
                            "status": STATUS,
                            "author": {"type": "string"},
                            "note": {"type": "string"},
                        },
                        ["status", "author"],
                    ),
                    errors=("404", "422"),
                )
            },
            "/classify": {
                "get": _op(
                    "Texte libre → catégorie de la taxonomie.",
                    "Classification",
                    parameters=[
                        _query(
                            "text",
                            "Le texte à classer (1 à 300 caractères).",
                            required=True,
                            example="drêche de brasserie",
                        ),
                        _query("direction", "output ou input.", schema=DIRECTION),
                    ],
                )
            },
            "/classify/corrections": {
                "post": _op(
                    "Retenir une correction du personnel.",
                    "Classification",
                    body=_body(
                        {
                            "text": {"type": "string"},
                            "category": {"type": "string"},
                            "author": {"type": "string"},
                        },
                        ["text", "category", "author"],
                    ),
                )
            },
            "/openapi.json": {
                "get": {
                    "summary": "Ce document.",
                    "tags": ["synergies"],
                    "security": [],
                    "responses": {
                        "200": {
                            "description": "OpenAPI 3.1",
                            "headers": {"ETag": ETAG_HEADER},
                            "content": {
                                "application/vnd.oai.openapi+json": {"schema": {"type": "object"}}
                            },
                        },
                        "304": NOT_MODIFIED,
                    },
                }
            },
            "/docs": {
                "get": {
                    "summary": "Ce document, à lire.",
                    "tags": ["synergies"],
                    "security": [],
                    "responses": {
                        "200": {
                            "description": "HTML",
                            "headers": {"ETag": ETAG_HEADER},
                            "content": {"text/html": {"schema": STR}},
                        },
                        "304": NOT_MODIFIED,
                    },
                }
            },
        },
        "components": {
            "schemas": SCHEMAS,
            "responses": {
                "Problem": {
                    "description": "Erreur (RFC 9457).",
                    "content": {"application/problem+json": {"schema": _ref("Problem")}},
                },
                "NotModified": {"description": "Inchangé depuis l'ETag envoyé dans If-None-Match."},
                "Unauthorized": {
                    "description": "Connexion requise (RFC 9457) : envoyez votre jeton.",
                    "headers": {
                        "WWW-Authenticate": {
                            "description": "Les schémas acceptés : Bearer et Basic.",
                            "schema": {"type": "string"},
                        }
                    },
                    "content": {"application/problem+json": {"schema": _ref("Problem")}},
                },
            },
            "securitySchemes": {
                "token": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "Jeton personnel (`ms_…`), créé sur la page du compte.",
                },
                "basic": {
                    "type": "http",
                    "scheme": "basic",
                    "description": "Le jeton personnel comme mot de passe (QGIS, GDAL).",
                },
                "session": {
                    "type": "apiKey",
                    "in": "cookie",
                    "name": "session",
                    "description": "La session du site, après connexion ; ses "
                    "écritures demandent le jeton CSRF.",
                },
            },
        },
    }


@bp.get("/openapi.json")
def openapi_json() -> Response:
    body = current_app.json.dumps(document(), ensure_ascii=False)
    return Response(body, mimetype="application/vnd.oai.openapi+json")


@bp.get("/docs")
def docs() -> str:
    return render_template("api_docs.html", doc=document())
