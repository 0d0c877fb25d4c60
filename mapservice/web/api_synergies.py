"""The JSON API of matching: candidates, distances, the pipeline, impact, categories."""

from __future__ import annotations

import math
from typing import Any

from flask import Blueprint, Response, jsonify, request

from mapservice import synergy_jobs
from mapservice.errors import InvalidInput
from mapservice.web import services

bp = Blueprint("api_synergies", __name__, url_prefix="/api/v1")
#: Candidates returned for a site unless ``limit`` says otherwise: the best first.
DEFAULT_LIMIT = 100


def _opt_float(name: str) -> float | None:
    raw = request.args.get(name)
    if raw is None or raw.strip() == "":
        return None
    try:
        value = float(raw.replace(",", "."))
    except ValueError:
        raise InvalidInput(f"Paramètre {name} invalide : {raw[:40]!r} n'est pas un nombre.",
                           field=name) from None
    if not math.isfinite(value):
        raise InvalidInput(f"Paramètre {name} invalide : {raw!r}.", field=name)
    return value


def _opt_int(name: str, low: int, high: int) -> int | None:
    value = _opt_float(name)
    if value is None:
        return None
    if value != int(value) or not low <= value <= high:
        raise InvalidInput(f"Paramètre {name} invalide : entier de {low} à {high} attendu.",
                           field=name)
    return int(value)


def _point(name: str) -> tuple[float, float]:
    """``lat,lon`` from the query string, as (lon, lat)."""
    raw = (request.args.get(name) or "").strip()
    parts = [p.strip() for p in raw.split(",")]
    try:
        lat, lon = (float(p) for p in parts)
    except ValueError:
        raise InvalidInput(f"Paramètre {name} invalide : {raw[:60]!r} (attendu : lat,lon, ex. "
                           "48.4069,-71.2221).", field=name) from None
    if not (math.isfinite(lat) and -90 <= lat <= 90 and math.isfinite(lon)
            and -180 <= lon <= 180):
        raise InvalidInput(f"Paramètre {name} hors limites : {raw[:60]!r}.", field=name)
    return lon, lat


@bp.get("/sites/<int:site_id>/synergies")
def site_synergies(site_id: int) -> Response:
    svc = services()
    found = synergy_jobs.site_candidates(
        svc, site_id, max_km=_opt_float("max_km"), category=request.args.get("category") or None,
        backend=request.args.get("backend") or None,
        limit=_opt_int("limit", 1, 1000) or DEFAULT_LIMIT)
    stored = synergy_jobs.stored_by_pair(svc, synergy_jobs.site_flow_ids(svc, site_id))
    return jsonify({"site_id": site_id, "count": len(found),
                    "limit": _opt_int("limit", 1, 1000) or DEFAULT_LIMIT,
                    "candidates": [synergy_jobs.candidate_json(svc, c, stored) for c in found]})


@bp.get("/distance")
def distance() -> Response:
    a, b = _point("from"), _point("to")
    backend = services().distance_backend(request.args.get("backend") or None)
    d = backend.distance(a, b)
    return jsonify({"geodesic_m": round(d.geodesic_m, 1),
                    "road_m": round(d.road_m, 1) if d.road_m is not None else None,
                    "duration_s": round(d.duration_s, 1) if d.duration_s is not None else None,
                    "access_m": round(d.access_m, 1), "backend": d.backend,
                    "reason": getattr(d, "reason", None)})


@bp.get("/impact")
def impact() -> Response:
    args = request.args
    return jsonify(synergy_jobs.impact_report(services(), start=args.get("from"),
                                              end=args.get("to"), park=args.get("park")))


def _synergy_json(s: Any) -> dict[str, Any]:
    return {"id": s.id, "output_flow_id": s.output_flow_id, "input_flow_id": s.input_flow_id,
            "kind": s.kind.value, "status": s.status.value, "score": s.score,
            "road_m": s.road_m, "geodesic_m": s.geodesic_m, "tonnes_per_year": s.tonnes_per_year,
            "net_kg_co2e": s.net_kg_co2e, "net_benefit_cad": s.net_benefit_cad,
            "reasons": list(s.reasons)}


@bp.get("/synergies")
def synergies() -> Response:
    from mapservice.model import SynergyStatus

    raw = request.args.get("status")
    try:
        status = SynergyStatus(raw) if raw else None
    except ValueError:
        raise InvalidInput(f"Statut inconnu : {raw!r}.", field="status") from None
    return jsonify({"synergies": [_synergy_json(s) for s in services().repo.synergies(
        status=status)]})


@bp.get("/synergies/<int:synergy_id>")
def synergy(synergy_id: int) -> Response:
    repo = services().repo
    body = _synergy_json(repo.get_synergy(synergy_id))
    body["history"] = [{"from": e.from_status.value if e.from_status else None,
                        "to": e.to_status.value, "at": e.at.isoformat(), "author": e.author,
                        "note": e.note} for e in repo.synergy_events(synergy_id)]
    return jsonify(body)


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidInput("Corps JSON attendu.", field="body")
    return body


def _int_field(body: dict[str, Any], name: str) -> int | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"{name} doit être un entier.", field=name)
    return value


@bp.post("/synergies")
def move_pair() -> Response:
    body = _body()
    syn = synergy_jobs.move(services(), synergy_id=None,
                            output_flow_id=_int_field(body, "output_flow_id"),
                            input_flow_id=_int_field(body, "input_flow_id"),
                            status=str(body.get("status") or ""),
                            author=str(body.get("author") or ""), note=str(body.get("note") or ""))
    return jsonify(_synergy_json(syn))


@bp.post("/synergies/<int:synergy_id>/status")
def move_synergy(synergy_id: int) -> Response:
    body = _body()
    syn = synergy_jobs.move(services(), synergy_id=synergy_id, output_flow_id=None,
                            input_flow_id=None, status=str(body.get("status") or ""),
                            author=str(body.get("author") or ""), note=str(body.get("note") or ""))
    return jsonify(_synergy_json(syn))


@bp.get("/classify")
def classify() -> Response:
    args = request.args
    return jsonify(services().classify(args.get("text") or "", args.get("direction")))


@bp.post("/classify/corrections")
def correct_category() -> Response:
    body = _body()
    return jsonify(services().correct_category(str(body.get("text") or ""),
                                               str(body.get("category") or ""),
                                               str(body.get("author") or "")))
