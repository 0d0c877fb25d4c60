"""The material pages: where each category is offered and needed, and the flows between them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from mapservice.domain.collation import collated
from mapservice.domain.model import Direction, Flow, Site, Unit
from mapservice.matching import jobs as synergy_jobs
from mapservice.matching.matcher import Candidate
from mapservice.views.map_view import legend, park_features, site_features
from mapservice.views.route_lines import LineEnds, candidate_line, line_routes

if TYPE_CHECKING:
    from mapservice.services import Services

#: Candidate flows drawn on a material's map, best first.
LINE_LIMIT = 150
PER_OFFER = 5


def _codes_under(svc: Services, code: str) -> set[str]:
    """The category and every category below it."""
    out = {code}
    todo = [code]
    while todo:
        for child in svc.taxonomy.children(todo.pop()):
            out.add(child.code)
            todo.append(child.code)
    return out


def material_index(svc: Services, *, lang: str = "fr") -> list[dict[str, Any]]:
    """Every category in taxonomy order with its counts of offers and needs (sub-categories
    included) and the tonnes per year offered and needed where quantities are public."""
    flows = [f for f in svc.repo.flows() if not f.to_classify]
    counts: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for flow in flows:
        codes = (
            [flow.category_code, *(a.code for a in svc.taxonomy.ancestors(flow.category_code))]
            if svc.taxonomy.get(flow.category_code)
            else [flow.category_code]
        )
        for code in codes:
            counts[code][flow.direction.value] += 1
            if flow.unit is Unit.T_PER_YEAR and flow.quantity and not flow.confidential:
                counts[code][flow.direction.value + "_t"] += flow.quantity
    rows: list[dict[str, Any]] = []

    def walk(parent: str | None, depth: int) -> None:
        children = svc.taxonomy.roots() if parent is None else svc.taxonomy.children(parent)
        for cat in collated(children, key=lambda c: c.label(lang)):
            c = counts.get(cat.code, {})
            rows.append(
                {
                    "code": cat.code,
                    "label": cat.label(lang),
                    "depth": depth,
                    "offers": int(c.get("output", 0)),
                    "needs": int(c.get("input", 0)),
                    "offered_t": c.get("output_t", 0.0),
                    "needed_t": c.get("input_t", 0.0),
                }
            )
            walk(cat.code, depth + 1)

    walk(None, 0)
    return rows


def _candidates(
    svc: Services, offers: list[Flow], needs: list[Flow], sites: list[Site]
) -> list[Candidate]:
    """The best offer → need pairs among these flows: the vectorised matcher picks each
    offer's best pairs by straight line, then only those are routed and ranked."""
    from mapservice.matching.bulk import bulk_pairs

    if not offers or not needs:
        return []
    picked = bulk_pairs(
        sites=[s for s in sites if s.lon is not None],
        flows=offers + needs,
        taxonomy=svc.taxonomy,
        compatibility=svc.compatibility,
        max_km=float(svc.settings["MATCH_MAX_KM"]),
        per_offer=PER_OFFER,
    )
    by_id = {f.id: f for f in offers + needs}
    pairs = []
    for out_id, in_id, geo in zip(
        picked.output_flow_id.tolist(),
        picked.input_flow_id.tolist(),
        picked.geodesic_m.tolist(),
        strict=True,
    ):
        out_f, in_f = by_id.get(out_id), by_id.get(in_id)
        if out_f is None or in_f is None or out_f.direction is not Direction.OUTPUT:
            continue
        fit = svc.compatibility.fit(out_f.category_code, in_f.category_code)
        if fit is not None:
            pairs.append((out_f, in_f, fit, geo))
    found = synergy_jobs.matcher(svc).rank(pairs, svc.distance_backend(None))
    return found[:LINE_LIMIT]


def material_view(
    svc: Services,
    code: str,
    *,
    lang: str = "fr",
    labels: Mapping[str, str] | None = None,
    site_url: str | None = None,
) -> dict[str, Any]:
    """One category: the sites offering it, the sites needing it or what it can replace,
    and the best candidate flows between them (offer → need), as map data and table rows."""
    labels = labels or {}
    codes = _codes_under(svc, code)
    accepted = {r.input_code for c in codes for r in svc.taxonomy.rules_from(c)}
    sites, flows = svc.sites_with_flows()
    flows = [f for f in flows if not f.to_classify]  # a guessed category is not shown as one
    offers = [f for f in flows if f.direction is Direction.OUTPUT and f.category_code in codes]
    # Counted as the list of materials counts them: the needs of this category and its
    # sub-categories; the needs of other categories it can meet are counted apart.
    needs = [f for f in flows if f.direction is Direction.INPUT and f.category_code in codes]
    met = [
        f
        for f in flows
        if f.direction is Direction.INPUT
        and f.category_code in accepted
        and f.category_code not in codes
    ]
    shown_flows: list[Flow] = offers + needs + met
    site_ids = {f.site_id for f in shown_flows}
    shown_sites = [s for s in sites if s.id in site_ids]
    by_id = {s.id: s for s in shown_sites}

    candidates = _candidates(svc, offers, needs + met, shown_sites)
    rows, drawn = [], []
    for c in candidates:
        j = synergy_jobs.candidate_json(svc, c)
        row = {
            "score": c.score,
            "reasons": c.reasons,
            "offer": j["output"],
            "need": j["input"],
            "road_m": c.road_m,
            "geodesic_m": c.geodesic_m,
            "net_kg_co2e": j["impact"].get("net_kg_co2e"),
            "output_site_id": c.output_site.id,
            "input_site_id": c.input_site.id,
        }
        rows.append(row)
        a, b = c.output_site, c.input_site
        if (
            a.lon is None
            or a.lat is None
            or b.lon is None
            or b.lat is None
            or (a.lon, a.lat) == (b.lon, b.lat)
        ):
            continue
        drawn.append((c, j, row, (a.lon, a.lat), (b.lon, b.lat)))
    # A staff page: every site is where it is, so each line may follow its road route.
    routes = line_routes(
        svc, [LineEnds(a, b, True, c.distance_backend, c.road_m) for c, _, _, a, b in drawn]
    )
    lines = [
        candidate_line(
            a,
            b,
            score=c.score,
            lang=lang,
            labels=labels,
            title=f"{c.output_site.member_name or ''} → {c.input_site.member_name or ''}",
            road_m=c.road_m,
            geodesic_m=c.geodesic_m,
            duration_s=c.duration_s,
            net_kg_co2e=row["net_kg_co2e"],
            transport_cost_cad=j["impact"].get("transport_cost_cad"),
            reasons=c.reasons,
            secret=False,  # make_candidate already left a confidential quantity out
            route=route,
        )
        for (c, j, row, a, b), route in zip(drawn, routes, strict=True)
    ]
    data = {
        "sites": {
            "type": "FeatureCollection",
            "features": site_features(svc, shown_sites, shown_flows, lang=lang, site_url=site_url),
        },
        "parks": {"type": "FeatureCollection", "features": park_features(svc.repo.parks())},
        "lines": {"type": "FeatureCollection", "features": lines},
        "groups": legend(lang),
    }
    category = svc.taxonomy.get(code)
    return {
        "data": data,
        "category": category,
        "label": svc.taxonomy.label(code, lang),
        "parents": list(reversed(svc.taxonomy.ancestors(code))),
        "children": svc.taxonomy.children(code),
        "offers": offers,
        "needs": needs,
        "met_needs": met,
        "met_categories": [
            (c, svc.taxonomy.label(c, lang)) for c in sorted({f.category_code for f in met})
        ],
        "sites": by_id,
        "candidates": rows,
        "accepted": sorted(accepted - codes),
        "offered_t": sum(
            f.quantity or 0 for f in offers if f.unit is Unit.T_PER_YEAR and not f.confidential
        ),
        "needed_t": sum(
            f.quantity or 0 for f in needs if f.unit is Unit.T_PER_YEAR and not f.confidential
        ),
    }
