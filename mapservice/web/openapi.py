"""The JSON API's own description: OpenAPI 3.1 at ``/api/v1/openapi.json`` and a page to read it.

The document is written here, route by route, and a test checks that it lists every route of
``/api/v1`` (so it cannot drift) and that it is a valid OpenAPI 3.1 document. Errors are
``application/problem+json`` (RFC 9457), described once as the ``Problem`` schema.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, render_template

from mapservice import __version__

bp = Blueprint("openapi", __name__, url_prefix="/api/v1")

PROBLEM = {"$ref": "#/components/responses/Problem"}


def _query(name: str, description: str, *, required: bool = False,
           schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": required, "description": description,
            "schema": schema or {"type": "string"}}


def _path_id(name: str, description: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "description": description,
            "schema": {"type": "integer", "minimum": 1}}


def _body(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": {
        "type": "object", "properties": properties, "required": required}}}}


def _op(summary: str, *, parameters: list[dict[str, Any]] | None = None,
        body: dict[str, Any] | None = None, errors: tuple[str, ...] = ("422",),
        tag: str = "synergies") -> dict[str, Any]:
    responses: dict[str, Any] = {"200": {"description": "OK", "content": {
        "application/json": {"schema": {"type": "object"}}}}}
    for code in errors:
        responses[code] = PROBLEM
    operation: dict[str, Any] = {"summary": summary, "tags": [tag], "responses": responses}
    if parameters:
        operation["parameters"] = parameters
    if body:
        operation["requestBody"] = body
    return operation


STATUS = {"type": "string", "enum": ["candidate", "contacted", "in_progress", "realised",
                                     "rejected"]}
DAY = {"type": "string", "format": "date"}


def document() -> dict[str, Any]:
    """The OpenAPI 3.1 document of ``/api/v1``."""
    site = _path_id("site_id", "Identifiant du site.")
    synergy = _path_id("synergy_id", "Identifiant de la synergie.")
    return {
        "openapi": "3.1.0",
        "info": {"title": "mapservice — API JSON", "version": __version__,
                 "description": "Géocodage, synergies et bilan de l'économie circulaire du "
                                "Saguenay–Lac-Saint-Jean. Les erreurs sont en "
                                "application/problem+json (RFC 9457) et nomment le paramètre "
                                "fautif (`field`).",
                 "license": {"name": "AGPL-3.0-or-later",
                             "identifier": "AGPL-3.0-or-later"}},
        "servers": [{"url": "/api/v1"}],
        "tags": [{"name": "geocoding"}, {"name": "synergies"}],
        "paths": {
            "/geocode": {"get": _op(
                "Texte libre ou champs d'adresse → position, précision, municipalité, parc.",
                parameters=[_query("q", "Texte libre : adresse, lieu, code postal ou lat, lon."),
                            _query("address", "Adresse civique."),
                            _query("municipality", "Municipalité."),
                            _query("postal_code", "Code postal.")],
                errors=("404", "422"), tag="geocoding")},
            "/reverse": {"get": _op(
                "Point → municipalité, code postal voisin, zone postale, parc.",
                parameters=[_query("lat", "Latitude (WGS84).", required=True,
                                   schema={"type": "number"}),
                            _query("lon", "Longitude (WGS84).", required=True,
                                   schema={"type": "number"})], tag="geocoding")},
            "/sites/{site_id}/location": {"post": _op(
                "Placer un site à la main.", parameters=[site],
                body=_body({"lat": {"type": "number"}, "lon": {"type": "number"},
                            "by": {"type": "string"}}, ["lat", "lon", "by"]),
                errors=("404", "422"), tag="geocoding")},
            "/sites/{site_id}/synergies": {"get": _op(
                "Synergies candidates d'un site, les meilleures d'abord.",
                parameters=[site, _query("max_km", "Distance maximale (km).",
                                         schema={"type": "number"}),
                            _query("category", "Catégorie de matière."),
                            _query("backend", "Moteur de distance."),
                            _query("limit", "Nombre maximal (1 à 1000, 100 par défaut).",
                                   schema={"type": "integer", "minimum": 1,
                                           "maximum": 1000})],
                errors=("404", "422"))},
            "/distance": {"get": _op(
                "Distance à vol d'oiseau et par la route entre deux points.",
                parameters=[_query("from", "lat,lon du départ.", required=True),
                            _query("to", "lat,lon de l'arrivée.", required=True),
                            _query("backend", "Moteur de distance.")])},
            "/impact": {"get": _op(
                "Bilan des synergies réalisées : tonnes, CO2e, $.",
                parameters=[_query("from", "Début (AAAA-MM-JJ).", schema=DAY),
                            _query("to", "Fin (AAAA-MM-JJ).", schema=DAY),
                            _query("park", "Parc industriel.")])},
            "/synergies": {
                "get": _op("Synergies suivies.",
                           parameters=[_query("status", "Étape du suivi.", schema=STATUS)]),
                "post": _op("Faire avancer une paire candidate.", body=_body(
                    {"output_flow_id": {"type": "integer"}, "input_flow_id": {"type": "integer"},
                     "status": STATUS, "author": {"type": "string"},
                     "note": {"type": "string"}},
                    ["output_flow_id", "input_flow_id", "status", "author"]))},
            "/synergies/{synergy_id}": {"get": _op(
                "Une synergie et son historique.", parameters=[synergy], errors=("404",))},
            "/synergies/{synergy_id}/status": {"post": _op(
                "Faire avancer une synergie d'une étape.", parameters=[synergy],
                body=_body({"status": STATUS, "author": {"type": "string"},
                            "note": {"type": "string"}}, ["status", "author"]),
                errors=("404", "422"))},
            "/classify": {"get": _op(
                "Texte libre → catégorie de la taxonomie.",
                parameters=[_query("text", "Le texte à classer.", required=True),
                            _query("direction", "output ou input.",
                                   schema={"type": "string", "enum": ["output", "input"]})])},
            "/classify/corrections": {"post": _op(
                "Retenir une correction du personnel.",
                body=_body({"text": {"type": "string"}, "category": {"type": "string"},
                            "author": {"type": "string"}}, ["text", "category", "author"]))},
            "/openapi.json": {"get": {"summary": "Ce document.", "tags": ["synergies"],
                                      "responses": {"200": {"description": "OpenAPI 3.1"}}}},
            "/docs": {"get": {"summary": "Ce document, à lire.", "tags": ["synergies"],
                              "responses": {"200": {"description": "HTML"}}}},
        },
        "components": {
            "schemas": {"Problem": {
                "type": "object",
                "properties": {"type": {"type": "string"}, "title": {"type": "string"},
                               "status": {"type": "integer"}, "detail": {"type": "string"},
                               "instance": {"type": "string"},
                               "field": {"type": ["string", "null"]},
                               "error": {"type": "string"}, "message": {"type": "string"}},
                "required": ["type", "title", "status"]}},
            "responses": {"Problem": {
                "description": "Erreur (RFC 9457).",
                "content": {"application/problem+json": {
                    "schema": {"$ref": "#/components/schemas/Problem"}}}}},
        },
    }


@bp.get("/openapi.json")
def openapi_json() -> Response:
    body = current_app.json.dumps(document(), ensure_ascii=False)
    return Response(body, mimetype="application/vnd.oai.openapi+json")


@bp.get("/docs")
def docs() -> str:
    return render_template("api_docs.html", doc=document())
