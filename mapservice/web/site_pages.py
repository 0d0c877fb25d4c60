"""The page of one site: who, where, its offers and needs, and its candidate synergies."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from mapservice import caching as lru
from mapservice.domain.model import STATUS_TRANSITIONS, Direction, SynergyStatus
from mapservice.domain.sectors import sector_group
from mapservice.errors import InvalidInput
from mapservice.matching import jobs as synergy_jobs
from mapservice.views.map_view import (
    SCORE_CLASSES,
    candidate_line,
    park_features,
    shown_place,
    site_features,
)
from mapservice.web import services
from mapservice.web.geocoding_pages import PRECISION_LABELS
from mapservice.web.i18n import language
from mapservice.web.mapping import map_parts, site_url_pattern, status_labels

bp = Blueprint("site_pages", __name__)

#: Sortable columns of the candidates table: parameter → key of a row.
SORTS = {"score": "score", "partenaire": "partner", "route": "road_m", "vol": "geodesic_m",
         "duree": "duration_s", "co2": "net_kg_co2e", "cout": "transport_cost_cad",
         "benefice": "net_benefit_cad"}
DISTANCES = {"route": None, "vol": "geodesic"}
CANDIDATE_LIMIT = 100
#: Candidates listed (and drawn) before "show all": the best of the chosen order.
SHOWN_CANDIDATES = 25
#: Candidate tables kept per process, until a site or flow changes: every site of a regional
#: registry (about 40 KB each, with 100 candidates or fewer).
KEPT_TABLES = 512


def _read_choice(name: str, allowed: dict[str, Any], default: str) -> str:
    value = request.args.get(name, default)
    if value not in allowed:
        raise InvalidInput(_("Paramètre %(name)s : %(value)s n'est pas une valeur permise "
                             "(attendu : %(allowed)s).", name=name, value=value,
                             allowed=", ".join(allowed)), field=name)
    return value


def next_statuses(status: SynergyStatus | None) -> list[str]:
    if status is None:
        return [SynergyStatus.CANDIDATE.value, SynergyStatus.CONTACTED.value]
    return [s.value for s in SynergyStatus if s in STATUS_TRANSITIONS[status]]


def candidate_rows(site_id: int, distance: str, stamp: Any) -> list[dict[str, Any]]:
    """The site's candidates as table rows (up to :data:`CANDIDATE_LIMIT`), best first, for
    the registry as of ``stamp`` (its :meth:`registry_stamp`).

    The candidates and their figures are kept (treat them as read-only) until a site or flow
    changes, so that sorting the table, showing all of it or coming back to the page costs
    little; where each stands in the pipeline is read afresh every time (one query), so a
    synergy moved by anyone shows at once without throwing the rest away.
    """
    svc = services()
    key = (site_id, distance, language(), stamp)
    rows = lru.kept(lru.cache_of(svc, "_candidate_tables"), key,
                    lambda: _candidate_rows(site_id, distance), KEPT_TABLES)
    stored = svc.repo.synergy_statuses((r["output_flow_id"], r["input_flow_id"]) for r in rows)
    out = []
    for row in rows:
        synergy_id, status = stored.get((row["output_flow_id"], row["input_flow_id"]),
                                        (None, None))
        out.append({**row, "synergy_id": synergy_id, "status": status,
                    "next": next_statuses(status)})
    return out


def _candidate_rows(site_id: int, distance: str) -> list[dict[str, Any]]:
    """The rows without their pipeline status."""
    svc = services()
    found = synergy_jobs.site_candidates(svc, site_id, backend=DISTANCES[distance],
                                         limit=CANDIDATE_LIMIT)
    rows = []
    for c in found:
        j = synergy_jobs.candidate_json(svc, c)
        ours_out = c.output_site.id == site_id
        partner_end = j["input"] if ours_out else j["output"]
        own_end = j["output"] if ours_out else j["input"]
        partner_site = c.input_site if ours_out else c.output_site
        impact = j["impact"]
        rows.append({
            "key": f"{c.key[0]}-{c.key[1]}", "kind": c.kind.value, "score": c.score,
            "partner": partner_end["member"] or "", "partner_site": partner_site,
            "own": {k: own_end[k] for k in ("description", "category_label")},
            "other": {"description": partner_end["description"]}, "we_offer": ours_out,
            "road_m": c.road_m, "geodesic_m": c.geodesic_m, "duration_s": c.duration_s,
            "net_kg_co2e": impact.get("net_kg_co2e"),
            "transport_cost_cad": impact.get("transport_cost_cad"),
            "net_benefit_cad": impact.get("net_benefit_cad"),
            "output_flow_id": c.output_flow.id, "input_flow_id": c.input_flow.id,
        })
    return rows


def _sorted(rows: list[dict[str, Any]], sort: str, order: str) -> list[dict[str, Any]]:
    key = SORTS[sort]
    present = [r for r in rows if r[key] is not None]
    missing = [r for r in rows if r[key] is None]
    present.sort(key=lambda r: (r[key].casefold() if isinstance(r[key], str) else r[key]),
                 reverse=order == "desc")
    return present + missing


def _map_data(site_id: int, distance: str, stamp: Any,
              rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The site and the partners of ``rows`` on the map, with a line to each. Kept as long
    as the table it is drawn from (it shows no pipeline status); treat it as read-only."""
    svc = services()
    lang = language()
    key = (site_id, distance, lang, stamp, site_url_pattern(),
           tuple(r["key"] for r in rows))
    return lru.kept(lru.cache_of(svc, "_site_maps"), key,
                    lambda: _build_map_data(site_id, rows, lang), KEPT_TABLES)


def _build_map_data(site_id: int, rows: list[dict[str, Any]], lang: str) -> dict[str, Any]:
    svc = services()
    site = svc.repo.get_site(site_id)
    partners = {r["partner_site"].id: r["partner_site"] for r in rows}
    partners.pop(site_id, None)
    shown = [site, *partners.values()]
    flows = svc.repo.flows(site_ids=[s.id for s in shown if s.id is not None])
    features = site_features(svc, shown, flows, lang=lang, site_url=site_url_pattern())
    if features and site.lon is not None:
        features[0]["properties"]["focus"] = 1
        features[0]["properties"].pop("u", None)
    labels = status_labels()
    lines = []
    for r in rows:
        other = r["partner_site"]
        if (other.lon is None or other.lat is None or site.lon is None or site.lat is None
                or other.id == site_id):
            continue
        lines.append(candidate_line(
            (site.lon, site.lat), (other.lon, other.lat), score=r["score"], lang=lang,
            labels=labels, title=f"{r['own']['category_label'] or ''} → {r['partner'] or ''}",
            road_m=r["road_m"], geodesic_m=r["geodesic_m"], duration_s=r["duration_s"],
            net_kg_co2e=r["net_kg_co2e"], transport_cost_cad=r["transport_cost_cad"]))
    legend = [{"label": _("Score ≥ %(n)s", n=int(floor * 100)), "c": c, "w": w, "d": d}
              for floor, c, w, d in SCORE_CLASSES]
    groups = {sector_group(s.naics_code) for s in shown}
    return {"sites": {"type": "FeatureCollection", "features": features},
            "parks": {"type": "FeatureCollection",
                      "features": park_features(svc.park_ids().values(),
                                                only={site.park_id} if site.park_id else set())},
            "lines": {"type": "FeatureCollection", "features": lines},
            "groups": [{"code": g.code, "label": g.label(lang), "colour": g.colour}
                       for g in sorted(groups, key=lambda g: g.code)],
            "lineLegend": legend}


def _table_and_map(site_id: int, *, placed: bool, distance: str = "route", sort: str = "score",
                   order: str = "desc", show_all: bool = False
                   ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, Any]]:
    """The candidates in the asked order, the ones shown, and the map's data."""
    # one stamp for the table and its map: the registry as of this request
    stamp = services().repo.registry_stamp()
    rows = _sorted(candidate_rows(site_id, distance, stamp), sort, order) if placed else []
    shown = rows if show_all else rows[:SHOWN_CANDIDATES]
    return rows, shown, _map_data(site_id, distance, stamp, shown)


def warm(site_id: int) -> None:
    """Compute what the site's page shows first (default distance and order) into the kept
    tables, so that its first visit costs what a later one does; see :mod:`.warming`."""
    _table_and_map(site_id, placed=True)


@bp.get("/sites/<int:site_id>")
def site(site_id: int) -> str:
    svc = services()
    record = svc.repo.get_site(site_id)  # 404 first
    distance = _read_choice("distance", DISTANCES, "route")
    sort = _read_choice("tri", SORTS, "score")
    order = _read_choice("ordre", {"asc": 1, "desc": 1}, "desc" if sort == "score" else "asc")
    show_all = _read_choice("toutes", {"0": 0, "1": 1}, "0") == "1"
    flows = svc.repo.flows(site_ids=[site_id])
    problem = None
    if record.lon is None:
        problem = _("Ce site n'est pas placé sur la carte : corrigez sa position d'abord.")
    rows, shown, data = _table_and_map(site_id, placed=record.lon is not None,
                                       distance=distance, sort=sort, order=order,
                                       show_all=show_all)
    parts = map_parts(data, fit=True, cluster=False, layers=("parks", "lines", "sites"),
                      hidden=(), collapsed=True)
    member = svc.repo.get_member(record.member_id)
    return render_template(
        "site.html", site=record, member=member, map=parts, rows=shown, total=len(rows),
        problem=problem,
        offers=[f for f in flows if f.direction is Direction.OUTPUT],
        needs=[f for f in flows if f.direction is Direction.INPUT],
        sector=sector_group(record.naics_code), place=shown_place(
            record, svc.gazetteer.municipalities),
        park=svc.park_ids().get(record.park_id or ""), taxonomy=svc.taxonomy,
        distance=distance, sort=sort, order=order, status_labels=status_labels(),
        moved=request.args.get("deplacee"), precision_labels=PRECISION_LABELS)


@bp.post("/sites/<int:site_id>/synergies")
def move(site_id: int) -> Response:
    """Move one of the site's synergies along the pipeline (saving a candidate first)."""
    svc = services()
    svc.repo.get_site(site_id)
    form = request.form

    def number(name: str) -> int | None:
        raw = form.get(name, "").strip()
        if not raw:
            return None
        if not raw.isdigit():
            raise InvalidInput(_("%(name)s doit être un entier (reçu : %(raw)s).", name=name,
                                 raw=raw), field=name)
        return int(raw)

    synergy = synergy_jobs.move(svc, synergy_id=number("synergy_id"),
                                output_flow_id=number("output_flow_id"),
                                input_flow_id=number("input_flow_id"),
                                status=form.get("status", ""), author=form.get("author", ""),
                                note=form.get("note", ""))
    args: dict[str, Any] = {k: v for k, v in request.args.items()
                            if k in ("distance", "tri", "ordre", "toutes", "lang")}
    return redirect(url_for("site_pages.site", site_id=site_id, deplacee=synergy.id, **args)
                    + "#synergies", code=303)
