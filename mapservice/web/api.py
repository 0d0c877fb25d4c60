"""The JSON API under ``/api/v1/``: parse the request, call one service, serialise."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, jsonify, request

from mapservice.errors import GeocodingError, InvalidInput, NotFound, tr
from mapservice.geocoding import jobs as geocoding_jobs
from mapservice.web import services
from mapservice.web.auth import current_principal

bp = Blueprint("api", __name__, url_prefix="/api/v1")
#: The largest id a row can have: PostgreSQL's INTEGER is 32-bit (SQLite's 64-bit).


def iso_utc(moment: datetime | None) -> str | None:
    """ISO 8601 with its UTC offset; a naive time (SQLite keeps no zone) is UTC as stored."""
    if moment is None:
        return None
    utc = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return utc.isoformat()


def _float_arg(name: str, source: Any = None) -> float:
    source = request.args if source is None else source
    raw = source.get(name)
    if raw is None or str(raw).strip() == "":
        raise InvalidInput(
            tr("Paramètre {name} manquant (un nombre décimal, ex. 48.42).", name=name), field=name
        )
    try:
        value = float(str(raw).strip().replace(",", "."))
    except ValueError:
        raise InvalidInput(
            tr(
                "Paramètre {name} invalide : {raw!r} n'est pas un nombre.",
                name=name,
                raw=str(raw)[:40],
            ),
            field=name,
        ) from None
    if not math.isfinite(value):
        raise InvalidInput(
            tr("Paramètre {name} invalide : {raw!r} n'est pas fini.", name=name, raw=raw),
            field=name,
        )
    return value


@bp.get("/geocode")
def geocode() -> Response:
    args = request.args
    try:
        found = geocoding_jobs.geocode_text(
            services(),
            args.get("q"),
            address=args.get("address"),
            municipality=args.get("municipality"),
            postal_code=args.get("postal_code"),
        )
    except GeocodingError as exc:
        if exc.extra.get("not_found"):
            # Nothing matched: a 404 problem like every other, with the suggestions kept.
            extra = {k: v for k, v in exc.extra.items() if k != "not_found"}
            raise NotFound(exc.message, detail=exc.detail, **extra) from exc
        raise
    return jsonify(found)


@bp.get("/reverse")
def reverse() -> Response:
    lat, lon = _float_arg("lat"), _float_arg("lon")
    return jsonify(geocoding_jobs.reverse_json(services(), lon, lat))


@bp.post("/sites/<int:site_id>/location")
def move_site(site_id: int) -> Response:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidInput(tr('Corps JSON attendu : {{"lat": …, "lon": …}}.'), field="body")
    who = current_principal().username  # the token's or session's account, never a posted "by"
    site = geocoding_jobs.move_site(
        services(), site_id, _float_arg("lon", body), _float_arg("lat", body), who, actor=who
    )
    return jsonify(
        {
            "id": site.id,
            "lat": site.lat,
            "lon": site.lon,
            "park": site.park_id,
            "municipality": site.municipality_id,
            "precision": site.geocode_precision.value if site.geocode_precision else None,
            "source": site.geocode_source,
            "geocoded_by": site.geocoded_by,
            "geocoded_at": iso_utc(site.geocoded_at),
        }
    )
