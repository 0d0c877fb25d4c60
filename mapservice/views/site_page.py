"""What a site's page shows of its candidate synergies: the table and the map, as plain data.

The page's handler (:mod:`mapservice.web.site_pages`) and the warming thread of ``mapservice
serve`` (:mod:`mapservice.web.warming`) both call :func:`table_and_map`; the words it needs in
the page's language come in a :class:`PageText`. The candidates, the table and the map are kept
in the service's caches until a site or flow changes (treat them as read-only); where each
candidate stands in the pipeline is read afresh every time (one query), so a synergy moved by
anyone shows at once without throwing the rest away.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mapservice.caching import ChangeStamp
from mapservice.domain.collation import collated, collation_key
from mapservice.domain.model import (
    STATUS_TRANSITIONS,
    Direction,
    Flow,
    Member,
    Municipality,
    Park,
    Site,
    SynergyStatus,
)
from mapservice.domain.sectors import SectorGroup, sector_group
from mapservice.matching import jobs as synergy_jobs
from mapservice.views.map_view import park_features, shown_place, site_features
from mapservice.views.route_lines import SCORE_CLASSES, LineEnds, candidate_line, line_routes

if TYPE_CHECKING:
    from mapservice.services import Services

log = logging.getLogger("mapservice.warming")

#: Sortable columns of the candidates table: parameter → key of a row.
SORTS = {
    "score": "score",
    "partenaire": "partner",
    "route": "road_m",
    "vol": "geodesic_m",
    "duree": "duration_s",
    "co2": "net_kg_co2e",
    "cout": "transport_cost_cad",
    "benefice": "net_benefit_cad",
}
#: Distances of the table: parameter → distance backend (None: the configured one).
DISTANCES = {"route": None, "vol": "geodesic"}
CANDIDATE_LIMIT = 100
#: Candidates listed (and drawn) before "show all": the best of the chosen order.
SHOWN_CANDIDATES = 25
#: Pause between two sites when computing pages ahead (each takes about 50 ms of CPU on the
#: demo registry): requests arriving meanwhile get the interpreter.
WARM_PAUSE_S = 0.05


@dataclass(frozen=True)
class PageText:
    """The words of a site page in one language, and where a site's page is.

    ``site_url`` is the site page's URL with ``{id}`` where the id goes; ``score_at_least`` is
    the legend of a score class, with ``%(n)s`` for the score.
    """

    lang: str
    site_url: str
    status_labels: Mapping[str, str]
    score_at_least: str


@dataclass(frozen=True)
class SitePage:
    """Everything a site's page shows: who, where, offers and needs, candidates and map."""

    site: Site
    member: Member
    offers: list[Flow]
    needs: list[Flow]
    place: Municipality | None
    park: Park | None
    sector: SectorGroup
    #: Every candidate (up to :data:`CANDIDATE_LIMIT`) in the asked order, and those shown.
    rows: list[dict[str, Any]]
    shown: list[dict[str, Any]]
    map_data: dict[str, Any]


def find_site(svc: Services, site_id: int) -> Site:
    """The site ``site_id``, or :class:`~mapservice.errors.NotFound`."""
    return svc.repo.get_site(site_id)


def site_page(
    svc: Services,
    site: Site,
    text: PageText,
    *,
    distance: str = "route",
    sort: str = "score",
    order: str = "desc",
    show_all: bool = False,
) -> SitePage:
    """The page of ``site`` (see :func:`find_site`)."""
    site_id = site.id
    if site_id is None:
        raise ValueError("a site page needs a stored site")
    flows = svc.repo.flows(site_ids=[site_id])
    rows, shown, data = table_and_map(
        svc,
        site_id,
        text,
        placed=site.lon is not None,
        distance=distance,
        sort=sort,
        order=order,
        show_all=show_all,
    )
    return SitePage(
        site=site,
        member=svc.repo.get_member(site.member_id),
        offers=[f for f in flows if f.direction is Direction.OUTPUT],
        needs=[f for f in flows if f.direction is Direction.INPUT],
        place=shown_place(site, svc.gazetteer.municipalities),
        park=svc.park_ids().get(site.park_id or ""),
        sector=sector_group(site.naics_code),
        rows=rows,
        shown=shown,
        map_data=data,
    )


def next_statuses(status: SynergyStatus | None) -> list[str]:
    if status is None:
        return [SynergyStatus.CANDIDATE.value, SynergyStatus.CONTACTED.value]
    return [s.value for s in SynergyStatus if s in STATUS_TRANSITIONS[status]]


def candidate_rows(
    svc: Services, site_id: int, distance: str, stamp: ChangeStamp, lang: str
) -> list[dict[str, Any]]:
    """The site's candidates as table rows (up to :data:`CANDIDATE_LIMIT`), best first, for
    the registry as of ``stamp``, each with where it stands in the pipeline now."""
    rows = svc.caches.kept(
        "candidate_tables",
        stamp,
        (site_id, distance, lang),
        lambda: _candidate_rows(svc, site_id, distance),
    )
    stored = svc.repo.synergy_statuses((r["output_flow_id"], r["input_flow_id"]) for r in rows)
    out = []
    for row in rows:
        synergy_id, status = stored.get((row["output_flow_id"], row["input_flow_id"]), (None, None))
        out.append(
            {**row, "synergy_id": synergy_id, "status": status, "next": next_statuses(status)}
        )
    return out


def _candidate_rows(svc: Services, site_id: int, distance: str) -> list[dict[str, Any]]:
    """The rows without their pipeline status."""
    found = synergy_jobs.site_candidates(
        svc, site_id, backend=DISTANCES[distance], limit=CANDIDATE_LIMIT
    )
    rows = []
    for c in found:
        j = synergy_jobs.candidate_json(svc, c)
        ours_out = c.output_site.id == site_id
        partner_end = j["input"] if ours_out else j["output"]
        own_end = j["output"] if ours_out else j["input"]
        partner_site = c.input_site if ours_out else c.output_site
        impact = j["impact"]
        rows.append(
            {
                "key": f"{c.key[0]}-{c.key[1]}",
                "kind": c.kind.value,
                "score": c.score,
                "reasons": c.reasons,
                "partner": partner_end["member"] or "",
                "partner_site": partner_site,
                "own": {k: own_end[k] for k in ("description", "category_label")},
                "other": {"description": partner_end["description"]},
                "we_offer": ours_out,
                "road_m": c.road_m,
                "distance_backend": c.distance_backend,
                "geodesic_m": c.geodesic_m,
                "duration_s": c.duration_s,
                "net_kg_co2e": impact.get("net_kg_co2e"),
                "transport_cost_cad": impact.get("transport_cost_cad"),
                "net_benefit_cad": impact.get("net_benefit_cad"),
                "output_flow_id": c.output_flow.id,
                "input_flow_id": c.input_flow.id,
            }
        )
    return rows


def sorted_rows(rows: list[dict[str, Any]], sort: str, order: str) -> list[dict[str, Any]]:
    """``rows`` by the column ``sort`` names (of :data:`SORTS`), ``asc`` or ``desc``; rows
    without a value last."""
    key = SORTS[sort]
    present = [r for r in rows if r[key] is not None]
    missing = [r for r in rows if r[key] is None]
    present.sort(
        key=lambda r: collation_key(r[key]) if isinstance(r[key], str) else r[key],
        reverse=order == "desc",
    )
    return present + missing


def map_data(
    svc: Services,
    site_id: int,
    distance: str,
    stamp: ChangeStamp,
    rows: list[dict[str, Any]],
    text: PageText,
) -> dict[str, Any]:
    """The site and the partners of ``rows`` on the map, with a line to each. Kept as long
    as the table it is drawn from (it shows no pipeline status)."""
    key = (site_id, distance, text.lang, text.site_url, tuple(r["key"] for r in rows))
    return svc.caches.kept(
        "site_maps", stamp, key, lambda: _build_map_data(svc, site_id, rows, text)
    )


def _build_map_data(
    svc: Services, site_id: int, rows: list[dict[str, Any]], text: PageText
) -> dict[str, Any]:
    lang = text.lang
    site = svc.repo.get_site(site_id)
    partners = {r["partner_site"].id: r["partner_site"] for r in rows}
    partners.pop(site_id, None)
    shown = [site, *partners.values()]
    flows = svc.repo.flows(site_ids=[s.id for s in shown if s.id is not None])
    features = site_features(svc, shown, flows, lang=lang, site_url=text.site_url)
    if features and site.lon is not None:
        features[0]["properties"]["focus"] = 1
        features[0]["properties"].pop("u", None)
    drawn = [
        r
        for r in rows
        if not (
            r["partner_site"].lon is None
            or r["partner_site"].lat is None
            or site.lon is None
            or site.lat is None
            or r["partner_site"].id == site_id
        )
    ]
    # Staff see every site where it is: each line may follow its road route.
    routes = line_routes(
        svc,
        [
            LineEnds(
                (site.lon, site.lat),  # type: ignore[arg-type]
                (r["partner_site"].lon, r["partner_site"].lat),
                True,
                r["distance_backend"],
                r["road_m"],
            )
            for r in drawn
        ],
    )
    lines = []
    for r, route in zip(drawn, routes, strict=True):
        other = r["partner_site"]
        lines.append(
            candidate_line(
                (site.lon, site.lat),  # type: ignore[arg-type]
                (other.lon, other.lat),
                score=r["score"],
                lang=lang,
                labels=text.status_labels,
                title=f"{r['own']['category_label'] or ''} → {r['partner'] or ''}",
                road_m=r["road_m"],
                geodesic_m=r["geodesic_m"],
                duration_s=r["duration_s"],
                net_kg_co2e=r["net_kg_co2e"],
                transport_cost_cad=r["transport_cost_cad"],
                reasons=r["reasons"],
                secret=False,  # make_candidate already left a confidential quantity out
                route=route,
            )
        )
    legend = [
        {"label": text.score_at_least % {"n": int(floor * 100)}, "c": c, "w": w, "d": d}
        for floor, c, w, d in SCORE_CLASSES
    ]
    groups = {sector_group(s.naics_code) for s in shown}
    return {
        "sites": {"type": "FeatureCollection", "features": features},
        "parks": {
            "type": "FeatureCollection",
            "features": park_features(
                svc.park_ids().values(), only={site.park_id} if site.park_id else set()
            ),
        },
        "lines": {"type": "FeatureCollection", "features": lines},
        "groups": [
            {"code": g.code, "label": g.label(lang), "colour": g.colour}
            for g in collated(groups, key=lambda g: g.label(lang))
        ],
        "lineLegend": legend,
    }


def table_and_map(
    svc: Services,
    site_id: int,
    text: PageText,
    *,
    placed: bool,
    distance: str = "route",
    sort: str = "score",
    order: str = "desc",
    show_all: bool = False,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, Any]]:
    """The candidates in the asked order, the ones shown, and the map's data."""
    stamp = svc.change_stamp()  # one stamp for the table and its map: the registry as of now
    rows = (
        sorted_rows(candidate_rows(svc, site_id, distance, stamp, text.lang), sort, order)
        if placed
        else []
    )
    shown = rows if show_all else rows[:SHOWN_CANDIDATES]
    return rows, shown, map_data(svc, site_id, distance, stamp, shown, text)


def warm_all(
    svc: Services,
    text: PageText,
    *,
    stop: threading.Event | None = None,
    pause_s: float = WARM_PAUSE_S,
) -> int:
    """Compute the page of every located site (default distance and order) into the caches,
    so that its first visit costs what a later one does; return how many.

    None computed when the located sites outnumber the pages kept (they would push each other
    out: see ``MAPSERVICE_CACHE_SITE_PAGES``).
    Stops early (returning the count so far) when ``stop`` is set or the registry changed
    meanwhile: the next round starts over on the new registry.
    """
    stamp = svc.change_stamp()
    ids = [s.id for s in svc.repo.sites() if s.id is not None and s.lon is not None]
    kept = min(svc.caches.max_size("candidate_tables"), svc.caches.max_size("site_maps"))
    if len(ids) > kept:
        log.info(
            "site pages not computed ahead: %s located sites, more than the %s kept", len(ids), kept
        )
        return 0
    done = 0
    for site_id in ids:
        if stop is not None and stop.wait(pause_s):
            break
        if svc.change_stamp().key() != stamp.key():
            break
        table_and_map(svc, site_id, text, placed=True)
        done += 1
    return done
