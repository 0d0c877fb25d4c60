"""The JSON API's own description: OpenAPI 3.1 at ``/api/v1/openapi.json`` and a page to read it.

The document is written here, route by route (each operation described by
:mod:`mapservice.web.openapi_operations`), and a test checks that it lists every route of
``/api/v1`` (so it cannot drift) and that it is a valid OpenAPI 3.1 document. Every answer has
its schema under ``components/schemas`` (:mod:`mapservice.web.openapi_schemas`; closed
objects: a member the code adds and the document forgets fails ``tests/test_api_fuzz.py``,
which fuzzes the API from this document). Errors are ``application/problem+json``
(RFC 9457), described once as the ``Problem`` schema.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, render_template

from mapservice._version import __version__
from mapservice.config import ROUTING_KINDS
from mapservice.web.openapi_operations import (
    ETAG_HEADER,
    IGNORED_SIGNATURE,
    NOT_MODIFIED,
    op,
    page_params,
    path_id,
    query,
    request_body,
)
from mapservice.web.openapi_schemas import DAY, DIRECTION, ID, LAT_LON, SCHEMAS, STATUS, STR, ref

bp = Blueprint("openapi", __name__, url_prefix="/api/v1")

#: Who may call an operation (see web/guard.py): staff and administrators, by their
#: personal token (Bearer, or as the Basic password for QGIS and GDAL) or their session.
SECURITY: list[dict[str, list[str]]] = [{"token": []}, {"basic": []}, {"session": []}]


def document() -> dict[str, Any]:
    """The OpenAPI 3.1 document of ``/api/v1``."""
    site = path_id("site_id", "Identifiant du site.")
    synergy = path_id("synergy_id", "Identifiant de la synergie.")
    backend = query(
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
                "get": op(
                    "Texte libre ou champs d'adresse → position, précision, municipalité, parc.",
                    "GeocodeResult",
                    parameters=[
                        query(
                            "q",
                            "Texte libre : adresse, lieu, code postal ou lat, lon.",
                            example="2485, rue Alexis-le-Trotteur, Jonquière G7X 0E4",
                        ),
                        query("address", "Adresse civique."),
                        query("municipality", "Municipalité."),
                        query("postal_code", "Code postal."),
                    ],
                    errors=("404", "422", "503"),
                    tag="geocoding",
                )
            },
            "/reverse": {
                "get": op(
                    "Point → municipalité, code postal voisin, zone postale, parc.",
                    "ReverseResult",
                    parameters=[
                        query(
                            "lat",
                            "Latitude (WGS84).",
                            required=True,
                            schema={"type": "number", "minimum": -90, "maximum": 90},
                            example=48.43,
                        ),
                        query(
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
                "post": op(
                    "Placer un site à la main.",
                    "SiteLocation",
                    parameters=[site],
                    body=request_body(
                        {
                            "lat": {"type": "number"},
                            "lon": {"type": "number"},
                            "by": IGNORED_SIGNATURE,
                        },
                        ["lat", "lon"],
                    ),
                    errors=("404", "422"),
                    tag="geocoding",
                )
            },
            "/sites/{site_id}/synergies": {
                "get": op(
                    "Synergies candidates d'un site, les meilleures d'abord, par pages.",
                    "CandidateList",
                    parameters=[
                        site,
                        query(
                            "max_km",
                            "Distance maximale (km, 0 à 1000).",
                            schema={"type": "number", "exclusiveMinimum": 0, "maximum": 1000},
                        ),
                        query("category", "Catégorie de matière."),
                        backend,
                        *page_params("candidates"),
                    ],
                    errors=("404", "422", "503"),
                    paged=True,
                )
            },
            "/distance": {
                "get": op(
                    "Distance à vol d'oiseau et par la route entre deux points.",
                    "Distance",
                    parameters=[
                        query(
                            "from",
                            "lat,lon du départ (WGS84).",
                            required=True,
                            schema=LAT_LON,
                            example="48.3320,-70.8800",
                        ),
                        query(
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
                "get": op(
                    "Bilan des synergies réalisées : tonnes, CO2e, $.",
                    "Impact",
                    parameters=[
                        query("from", "Début (AAAA-MM-JJ).", schema=DAY),
                        query("to", "Fin (AAAA-MM-JJ).", schema=DAY),
                        query("park", "Parc industriel."),
                    ],
                )
            },
            "/synergies": {
                "get": op(
                    "Synergies suivies, par identifiant, par pages ; un paramètre "
                    "inconnu est refusé (422).",
                    "SynergyPage",
                    parameters=[
                        query("status", "Étape du suivi.", schema=STATUS),
                        *page_params("synergies"),
                    ],
                    paged=True,
                ),
                "post": op(
                    "Faire avancer une paire candidate.",
                    "Synergy",
                    body=request_body(
                        {
                            "output_flow_id": ID,
                            "input_flow_id": ID,
                            "status": STATUS,
                            "author": IGNORED_SIGNATURE,
                            "note": {"type": "string"},
                        },
                        ["output_flow_id", "input_flow_id", "status"],
                    ),
                ),
            },
            "/synergies/{synergy_id}": {
                "get": op(
                    "Une synergie et son historique.",
                    "SynergyDetail",
                    parameters=[synergy],
                    errors=("404",),
                )
            },
            "/synergies/{synergy_id}/status": {
                "post": op(
                    "Faire avancer une synergie d'une étape.",
                    "Synergy",
                    parameters=[synergy],
                    body=request_body(
                        {"status": STATUS, "author": IGNORED_SIGNATURE, "note": {"type": "string"}},
                        ["status"],
                    ),
                    errors=("404", "422"),
                )
            },
            "/classify": {
                "get": op(
                    "Texte libre → catégorie de la taxonomie.",
                    "Classification",
                    parameters=[
                        query(
                            "text",
                            "Le texte à classer (1 à 300 caractères).",
                            required=True,
                            example="drêche de brasserie",
                        ),
                        query("direction", "output ou input.", schema=DIRECTION),
                    ],
                )
            },
            "/classify/corrections": {
                "post": op(
                    "Retenir une correction du personnel.",
                    "Classification",
                    body=request_body(
                        {
                            "text": {"type": "string"},
                            "category": {"type": "string"},
                            "author": IGNORED_SIGNATURE,
                        },
                        ["text", "category"],
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
                    "content": {"application/problem+json": {"schema": ref("Problem")}},
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
                    "content": {"application/problem+json": {"schema": ref("Problem")}},
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
