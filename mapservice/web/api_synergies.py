"""The JSON API of matching: candidates, distances, the pipeline, impact, categories."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, jsonify, request, url_for

from mapservice.domain.model import SynergyStatus
from mapservice.errors import InvalidInput, check_plain_text, tr
from mapservice.matching import jobs as synergy_jobs
from mapservice.matching import tracking
from mapservice.matching.impact_report import impact_report
from mapservice.registry import category_words
from mapservice.web import MAX_ROW_ID, services
from mapservice.web.api import iso_utc
from mapservice.web.auth import current_principal

bp = Blueprint("api_synergies", __name__, url_prefix="/api/v1")
#: Items of a page unless ``limit`` says otherwise (candidates: the best first).
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
#: Past this, an offset is a typo, not a page: it is refused before reaching the database.
MAX_OFFSET = 1_000_000_000
#: The only query parameters ``GET /synergies`` understands.
SYNERGY_LIST_PARAMS = ("status", "limit", "offset")


def _opt_float(name: str) -> float | None:
    raw = request.args.get(name)
    if raw is None or raw.strip() == "":
        return None
    try:
        value = float(raw.replace(",", "."))
    except ValueError:
        raise InvalidInput(
            tr("Paramètre {name} invalide : {raw!r} n'est pas un nombre.", name=name, raw=raw[:40]),
            field=name,
        ) from None
    if not math.isfinite(value):
        raise InvalidInput(
            tr("Paramètre {name} invalide : {raw!r}.", name=name, raw=raw), field=name
        )
    return value


def _page_int(name: str, default: int, low: int, high: int) -> int:
    """A whole number of ``low``..``high`` from the query string (digits only), or ``default``."""
    raw = request.args.get(name)
    if raw is None or raw.strip() == "":
        return default
    text = raw.strip()
    if not text.isascii() or not text.isdigit() or len(text) > 12 or not low <= int(text) <= high:
        raise InvalidInput(
            tr(
                "Paramètre {name} invalide : {raw!r} (attendu : un entier de {low} à {high}).",
                name=name,
                raw=raw[:40],
                low=low,
                high=high,
            ),
            field=name,
        )
    return int(text)


@dataclass(frozen=True)
class Page:
    """Where a page starts, how long it is, and how many items there are in all (if known)."""

    limit: int
    offset: int
    total: int | None
    has_more: bool

    @classmethod
    def asked(cls) -> Page:
        """``limit`` and ``offset`` of the request (the total is filled in later)."""
        return cls(
            limit=_page_int("limit", DEFAULT_LIMIT, 1, MAX_LIMIT),
            offset=_page_int("offset", 0, 0, MAX_OFFSET),
            total=None,
            has_more=False,
        )

    def links(self, endpoint: str, **values: Any) -> dict[str, str]:
        """``self``, and ``next``/``prev`` when they apply, keeping the other query parameters."""
        # The query string is rebuilt by hand: given to url_for, a parameter named like a
        # path value or one of its options (``_anchor``, ``_scheme``…) would be taken for it.
        base = url_for(endpoint, _external=True, **values)
        kept = [(k, v) for k, v in request.args.items(multi=True) if k not in ("limit", "offset")]

        def href(offset: int) -> str:
            return base + "?" + urlencode([*kept, ("limit", self.limit), ("offset", offset)])

        links = {"self": href(self.offset)}
        if self.has_more:
            links["next"] = href(self.offset + self.limit)
        if self.offset > 0:
            links["prev"] = href(max(0, self.offset - self.limit))
        return links

    def answer(self, body: dict[str, Any], endpoint: str, **values: Any) -> Response:
        """``body`` with ``total``, ``limit``, ``offset`` and ``links``; the same next/prev in
        an RFC 8288 ``Link`` header."""
        links = self.links(endpoint, **values)
        response = jsonify(
            {
                **body,
                "total": self.total,
                "limit": self.limit,
                "offset": self.offset,
                "links": links,
            }
        )
        header = ", ".join(
            f'<{links[rel]}>; rel="{rel}"' for rel in ("next", "prev") if rel in links
        )
        if header:
            response.headers["Link"] = header
        return response


def _only_params(known: tuple[str, ...]) -> None:
    for name in request.args:
        if name not in known:
            raise InvalidInput(
                tr(
                    "Paramètre inconnu : {value!r} (attendu : {known}).",
                    value=name[:40],
                    known=", ".join(known),
                ),
                field=name[:40],
            )


def _point(name: str) -> tuple[float, float]:
    """``lat,lon`` from the query string, as (lon, lat)."""
    raw = (request.args.get(name) or "").strip()
    parts = [p.strip() for p in raw.split(",")]
    try:
        lat, lon = (float(p) for p in parts)
    except ValueError:
        raise InvalidInput(
            tr(
                "Paramètre {name} invalide : {raw!r} (attendu : lat,lon, ex. 48.4069,-71.2221).",
                name=name,
                raw=raw[:60],
            ),
            field=name,
        ) from None
    if not (math.isfinite(lat) and -90 <= lat <= 90 and math.isfinite(lon) and -180 <= lon <= 180):
        raise InvalidInput(
            tr("Paramètre {name} hors limites : {raw!r}.", name=name, raw=raw[:60]), field=name
        )
    return lon, lat


@bp.get("/sites/<int:site_id>/synergies")
def site_synergies(site_id: int) -> Response:
    svc = services()
    page = Page.asked()
    # One more than the page tells whether a next page exists, without routing every pair.
    found = synergy_jobs.site_candidates(
        svc,
        site_id,
        max_km=_opt_float("max_km"),
        category=request.args.get("category") or None,
        backend=request.args.get("backend") or None,
        limit=page.offset + page.limit + 1,
    )
    has_more = len(found) > page.offset + page.limit
    page = replace(page, has_more=has_more, total=None if has_more else len(found))
    shown = found[page.offset : page.offset + page.limit]
    stored = synergy_jobs.stored_by_pair(svc, synergy_jobs.site_flow_ids(svc, site_id))
    return page.answer(
        {
            "site_id": site_id,
            "count": len(shown),
            "candidates": [synergy_jobs.candidate_json(svc, c, stored) for c in shown],
        },
        "api_synergies.site_synergies",
        site_id=site_id,
    )


@bp.get("/distance")
def distance() -> Response:
    a, b = _point("from"), _point("to")
    backend = services().distance_backend(request.args.get("backend") or None)
    d = backend.distance(a, b)
    return jsonify(
        {
            "geodesic_m": round(d.geodesic_m, 1),
            "road_m": round(d.road_m, 1) if d.road_m is not None else None,
            "duration_s": round(d.duration_s, 1) if d.duration_s is not None else None,
            "access_m": round(d.access_m, 1),
            "backend": d.backend,
            "reason": getattr(d, "reason", None),
        }
    )


@bp.get("/impact")
def impact() -> Response:
    args = request.args
    return jsonify(
        impact_report(services(), start=args.get("from"), end=args.get("to"), park=args.get("park"))
    )


def _synergy_json(s: Any) -> dict[str, Any]:
    return {
        "id": s.id,
        "output_flow_id": s.output_flow_id,
        "input_flow_id": s.input_flow_id,
        "kind": s.kind.value,
        "status": s.status.value,
        "score": s.score,
        "road_m": s.road_m,
        "geodesic_m": s.geodesic_m,
        "tonnes_per_year": s.tonnes_per_year,
        "net_kg_co2e": s.net_kg_co2e,
        "net_benefit_cad": s.net_benefit_cad,
        "reasons": list(s.reasons),
    }


@bp.get("/synergies")
def synergies() -> Response:
    _only_params(SYNERGY_LIST_PARAMS)
    raw = request.args.get("status") or ""
    try:
        status = SynergyStatus(raw) if raw else None
    except ValueError:
        raise InvalidInput(
            tr(
                "Paramètre status inconnu : {raw!r} (attendu : {allowed}).",
                raw=raw[:40],
                allowed=", ".join(s.value for s in SynergyStatus),
            ),
            field="status",
        ) from None
    page = Page.asked()
    found = tracking.synergy_page(services(), status=status, limit=page.limit, offset=page.offset)
    page = replace(page, total=found.total, has_more=page.offset + page.limit < found.total)
    return page.answer(
        {"synergies": [_synergy_json(s) for s in found.synergies]}, "api_synergies.synergies"
    )


@bp.get("/synergies/<int:synergy_id>")
def synergy(synergy_id: int) -> Response:
    body = _synergy_json(tracking.get_synergy(services(), synergy_id))
    body["history"] = [
        {
            "from": e.from_status.value if e.from_status else None,
            "to": e.to_status.value,
            "at": iso_utc(e.at),
            "author": e.author,
            "note": e.note,
        }
        for e in tracking.history(services(), synergy_id)
    ]
    return jsonify(body)


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidInput(tr("Corps JSON attendu."), field="body")
    return body


def _int_field(body: dict[str, Any], name: str) -> int | None:
    """An id from the JSON body: a whole number a database row can have, or None if absent."""
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ROW_ID:
        raise InvalidInput(
            tr(
                "{name} invalide : {value!r} (attendu : un identifiant entier de 1 à {max_id}).",
                name=name,
                value=str(value)[:40],
                max_id=MAX_ROW_ID,
            ),
            field=name,
        )
    return value


@bp.post("/synergies")
def move_pair() -> Response:
    body = _body()
    syn = synergy_jobs.move(
        services(),
        synergy_id=None,
        output_flow_id=_int_field(body, "output_flow_id"),
        input_flow_id=_int_field(body, "input_flow_id"),
        status=str(body.get("status") or ""),
        author=current_principal().username,  # a posted "author" is ignored
        note=str(body.get("note") or ""),
    )
    return jsonify(_synergy_json(syn))


@bp.post("/synergies/<int:synergy_id>/status")
def move_synergy(synergy_id: int) -> Response:
    body = _body()
    syn = synergy_jobs.move(
        services(),
        synergy_id=synergy_id,
        output_flow_id=None,
        input_flow_id=None,
        status=str(body.get("status") or ""),
        author=current_principal().username,  # a posted "author" is ignored
        note=str(body.get("note") or ""),
    )
    return jsonify(_synergy_json(syn))


@bp.get("/classify")
def classify() -> Response:
    args = request.args
    return jsonify(
        category_words.classify_text(services(), args.get("text") or "", args.get("direction"))
    )


@bp.post("/classify/corrections")
def correct_category() -> Response:
    body = _body()
    text = check_plain_text(str(body.get("text") or ""), "text")
    author = current_principal().username  # a posted "author" is ignored: no one signs for another
    return jsonify(
        category_words.correct_category(services(), text, str(body.get("category") or ""), author)
    )
