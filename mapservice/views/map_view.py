"""What the maps draw, as plain data: sites, parks and synergy lines for one view.

The web pages hand this data to :mod:`mapservice.views.folium_maps`, whose script draws it in the
browser
(one GeoJSON object, not one Python object per marker). Every string stays data: the browser
sets it as text, never as HTML. The registry is disclosed to the reader
(:mod:`mapservice.domain.disclosure`) before anything is filtered or written out, so a hidden
name, position or quantity, or a figure that gives one back, never reaches the page.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from mapservice.domain.access import PUBLIC, STAFF, Scope
from mapservice.domain.collation import collated
from mapservice.domain.disclosure import shown_place, shown_registry, shown_synergy
from mapservice.domain.model import Direction, Flow, Park, Site, Synergy, SynergyStatus
from mapservice.domain.outlines import SURVEYED, TOWN, outline_label
from mapservice.domain.reasons import score_100
from mapservice.domain.sectors import SECTOR_GROUPS, sector_group
from mapservice.geo import geojson
from mapservice.views import formatting as fmt
from mapservice.views.line_popups import companies_rows, quantity_hidden, reasons_props
from mapservice.views.map_filters import FilterChoices, MapFilter, apply_filter
from mapservice.views.route_lines import LineEnds, drawn_feature, line_routes

if TYPE_CHECKING:
    from mapservice.caching import ChangeStamp
    from mapservice.services import Services

#: Synergy status colours (Okabe–Ito) and dash patterns, so status reads without colour too.
STATUS_STYLE = {
    SynergyStatus.CANDIDATE: ("#56B4E9", "4 6"),
    SynergyStatus.CONTACTED: ("#E69F00", "10 4"),
    SynergyStatus.IN_PROGRESS: ("#0072B2", ""),
    SynergyStatus.REALISED: ("#009E73", ""),
    SynergyStatus.REJECTED: ("#999999", "2 6"),
}
#: What the region map draws by default: synergies someone is working on or has realised.
#: Candidates (thousands after a matching run) are on the site and material pages instead.
TRACKED = frozenset({SynergyStatus.CONTACTED, SynergyStatus.IN_PROGRESS, SynergyStatus.REALISED})


def filter_choices(svc: Services) -> FilterChoices:
    return FilterChoices(
        parks=frozenset(svc.park_ids()),
        municipalities=svc.gazetteer.municipalities,
        taxonomy=svc.taxonomy,
        vocabulary=svc.search_vocabulary,
    )


@dataclass
class ViewData:
    """What one map view draws, JSON-ready; ``sites`` and ``flows`` are what passed the filter."""

    data: dict[str, Any]
    sites: list[Site]
    flows: list[Flow]


def _flow_rows(flows: list[Flow], svc: Services, lang: str, *, anonymous: bool) -> list[list[Any]]:
    """[category, description, quantity], and a fourth item 1 for a flow « à classer »."""
    rows: list[list[Any]] = []
    for flow in flows:
        label = svc.taxonomy.label(flow.category_code, lang)
        if flow.to_classify:  # its category is not known yet: show its text, flagged
            label = flow.material_text or flow.description or label
        if anonymous:
            rows.append([label, "", "", 1] if flow.to_classify else [label, "", ""])
            continue
        quantity = (
            ""
            if flow.confidential or flow.quantity is None
            else fmt.qty(flow.quantity, flow.unit, lang=lang)
        )
        rows.append([label, flow.description, quantity, *([1] if flow.to_classify else [])])
    return rows


def site_features(
    svc: Services, sites: list[Site], flows: list[Flow], *, lang: str, site_url: str | None
) -> list[dict[str, Any]]:
    """Sites as compact GeoJSON features: ``n`` name, ``g`` sector group, ``o``/``b`` offers
    and needs as [category, description, quantity], ``u`` link, ``a`` anonymised."""
    parks = svc.park_ids()
    munis = svc.gazetteer.municipalities
    by_site: dict[int, list[Flow]] = {}
    for flow in flows:
        by_site.setdefault(flow.site_id, []).append(flow)
    features = []
    for site in sites:
        if site.lon is None or site.lat is None:
            continue
        own = by_site.get(site.id or -1, [])
        anonymous = site.member_name is None
        group = sector_group(site.naics_code)
        park = parks.get(site.park_id or "")
        place = shown_place(site, munis)
        where = ", ".join(x for x in (site.address, place.name if place else None) if x)
        name = site.name if site.name not in (site.member_name, site.address) else ""
        props: dict[str, Any] = {
            "n": site.member_name or group.label(lang),
            "s": name,
            "g": group.code,
            "w": where,
            "p": park.name if park else "",
            "o": _flow_rows(
                [f for f in own if f.direction is Direction.OUTPUT], svc, lang, anonymous=anonymous
            ),
            "b": _flow_rows(
                [f for f in own if f.direction is Direction.INPUT], svc, lang, anonymous=anonymous
            ),
        }
        if anonymous:
            props["a"] = 1
        elif site_url and site.id is not None:
            props["u"] = site_url.replace("{id}", str(site.id))
        features.append(
            {"type": "Feature", "geometry": geojson.point(site.lon, site.lat), "properties": props}
        )
    return features


def park_features(
    parks: Iterable[Park], *, only: set[str] | None = None, lang: str = "fr"
) -> list[dict[str, Any]]:
    """The parks as map features: ``approx`` marks an outline that is not surveyed (drawn
    dashed), ``town`` one where a town point stands in (a dotted ring without fill), ``q`` what
    the outline is worth, in ``lang``, shown with the name."""
    out = []
    for park in parks:
        if only is not None and park.id not in only:
            continue
        geometry = park.outline or geojson.point(park.centre_lon, park.centre_lat)
        out.append(
            {
                "type": "Feature",
                "geometry": geometry,
                "properties": {
                    "n": park.name,
                    "approx": park.outline_status != SURVEYED,
                    "town": park.outline_status == TOWN,
                    "q": outline_label(park.outline_status, lang),
                },
            }
        )
    return out


def legend(lang: str) -> list[dict[str, str]]:
    """The sector legend, its groups in reading order of their labels."""
    return [
        {"code": g.code, "label": g.label(lang), "colour": g.colour}
        for g in collated(SECTOR_GROUPS, key=lambda g: g.label(lang))
    ]


def region_view(
    svc: Services,
    view: MapFilter,
    *,
    lang: str = "fr",
    anonymise: bool = False,
    site_url: str | None = None,
    status_labels: Mapping[str, str] | None = None,
    statuses: frozenset[SynergyStatus] | None = None,
) -> ViewData:
    """The region map's data for a filter: sites, parks, saved synergies between shown flows.

    Building it for 5,000 sites takes a second or two; the result is kept (treat it as
    read-only) until a site or flow changes, whichever process changed it, so that stepping
    through presenter views or coming back to a view costs one small query. A synergy that
    moves along the pipeline redraws the lines only.
    """
    stamp = svc.change_stamp()
    key = (view, lang, anonymise, site_url)
    shown = region_sites(svc, view, lang=lang, anonymise=anonymise, site_url=site_url, stamp=stamp)
    labels = status_labels or {}

    def with_lines() -> ViewData:
        lines = synergy_lines(
            svc,
            shown.sites,
            shown.flows,
            lang=lang,
            status_labels=labels,
            statuses=statuses,
            scope=reader_scope(anonymise),
        )
        data = {
            name: ({"type": "FeatureCollection", "features": lines} if name == "lines" else value)
            for name, value in shown.data.items()
        }
        return replace(shown, data=data)

    lines_key = (key, tuple(sorted(labels.items())), statuses)
    return svc.caches.kept("region_lines", stamp, lines_key, with_lines)


def region_sites(
    svc: Services,
    view: MapFilter,
    *,
    lang: str,
    anonymise: bool,
    site_url: str | None,
    stamp: ChangeStamp | None = None,
) -> ViewData:
    """The region map's sites and parks for a filter, disclosed to the reader, without lines;
    kept until a site or flow changes (see :func:`region_view`)."""
    return svc.caches.kept(
        "region_views",
        stamp or svc.change_stamp(),
        (view, lang, anonymise, site_url),
        lambda: _build_region_view(svc, view, lang=lang, anonymise=anonymise, site_url=site_url),
    )


def _build_region_view(
    svc: Services, view: MapFilter, *, lang: str, anonymise: bool, site_url: str | None
) -> ViewData:
    """Sites and parks of the view; its lines are left empty (see :func:`region_view`)."""
    parks = svc.park_ids()
    munis = svc.gazetteer.municipalities
    sites, flows = svc.sites_with_flows(park_id=view.park or None)  # the filter keeps no other
    # Disclosed before the filter: a search or a filter runs over what the reader sees only.
    sites, flows = shown_registry(sites, flows, parks, munis, reader_scope(anonymise))
    sites, flows = apply_filter(view, sites, flows, filter_choices(svc))
    shown_parks = {view.park} if view.park else None
    data = {
        "sites": {
            "type": "FeatureCollection",
            "features": site_features(svc, sites, flows, lang=lang, site_url=site_url),
        },
        "parks": {
            "type": "FeatureCollection",
            "features": park_features(parks.values(), only=shown_parks, lang=lang),
        },
        "lines": {"type": "FeatureCollection", "features": []},
        "groups": legend(lang),
        "anonymised": anonymise,
    }
    return ViewData(data=data, sites=sites, flows=flows)


def synergy_lines(
    svc: Services,
    sites: list[Site],
    flows: list[Flow],
    *,
    lang: str,
    status_labels: Mapping[str, str],
    statuses: frozenset[SynergyStatus] | None = None,
    scope: Scope = STAFF,
) -> list[dict[str, Any]]:
    """Saved synergies whose both flows are shown (and whose status is among ``statuses``,
    all when None), as lines coloured by status, along the road route that gives their
    distance where one is drawn (:mod:`mapservice.views.route_lines`).

    ``sites`` and ``flows`` are the disclosed ones (:func:`region_view`); each synergy is
    disclosed to ``scope`` too, so a popup has no figure that gives a hidden value back."""
    flow_ids = {f.id for f in flows}
    site_of = {f.id: f.site_id for f in flows}
    where = {s.id: (s.lon, s.lat) for s in sites if s.lon is not None and s.lat is not None}
    by_id = {f.id: f for f in flows}
    site_by_id = {s.id: s for s in sites}
    features = []
    # A long IN list costs more than reading every synergy and keeping the shown ones. The
    # statuses are asked of the database: once the registry is matched most synergies are
    # candidates, and reading thousands of rows only to drop them made the map slow.
    wanted = [i for i in flow_ids if i is not None]
    shown_ids = wanted if len(wanted) < 500 else None
    stored = (
        sorted(
            (
                s
                for status in statuses
                for s in svc.repo.synergies(status=status, flow_ids=shown_ids)
            ),
            key=lambda s: s.id or 0,
        )
        if statuses is not None
        else svc.repo.synergies(flow_ids=shown_ids)
    )
    shown_lines = []
    for synergy in stored:
        if synergy.output_flow_id not in flow_ids or synergy.input_flow_id not in flow_ids:
            continue
        if statuses is not None and synergy.status not in statuses:
            continue
        a = where.get(site_of[synergy.output_flow_id])
        b = where.get(site_of[synergy.input_flow_id])
        if a is None or b is None or a == b:
            continue
        out_f, in_f = by_id[synergy.output_flow_id], by_id[synergy.input_flow_id]
        synergy = shown_synergy(
            synergy, out_f, in_f, site_by_id[out_f.site_id], site_by_id[in_f.site_id], scope
        )
        shown_lines.append((synergy, a, b))
    # An anonymised site (no name) stands at its park or town: no road route from there.
    routes = line_routes(
        svc,
        [
            LineEnds(a, b, _exact(site_by_id, by_id, s), s.distance_backend, s.road_m)  # type: ignore[arg-type]
            for s, a, b in shown_lines
        ],
    )
    for (synergy, a, b), route in zip(shown_lines, routes, strict=True):
        colour, dash = STATUS_STYLE[synergy.status]
        out_f, in_f = by_id[synergy.output_flow_id], by_id[synergy.input_flow_id]
        title = svc.taxonomy.label(out_f.category_code, lang)
        rows = [
            [
                status_labels.get("status", "Statut"),
                status_labels.get(synergy.status.value, synergy.status.value),
            ],
            *companies_rows(
                site_by_id.get(out_f.site_id), site_by_id.get(in_f.site_id), lang, status_labels
            ),
        ]
        if synergy.score is not None:
            rows.append([status_labels.get("score", "Score"), f"{score_100(synergy.score)} / 100"])
        rows += _figures(synergy, lang, status_labels)
        props = {"t": title, "r": rows, "c": colour, "d": dash, "w": 3}
        props.update(
            reasons_props(synergy.reasons, quantity_hidden(out_f, in_f, site_by_id), status_labels)
        )
        features.append(drawn_feature(props, a, b, route, status_labels))  # type: ignore[arg-type]
    return features


def reader_scope(anonymise: bool) -> Scope:
    """The scope a map is disclosed to: the public's when anonymised, else staff's (only staff
    see the full map)."""
    return PUBLIC if anonymise else STAFF


def _exact(sites: Mapping[int | None, Site], flows: Mapping[int | None, Flow], s: Synergy) -> bool:
    """Whether both ends of ``s`` are drawn at their sites' exact positions (named sites)."""
    ends = (sites.get(flows[s.output_flow_id].site_id), sites.get(flows[s.input_flow_id].site_id))
    return all(site is not None and site.member_name is not None for site in ends)


def _figures(s: Synergy | Any, lang: str, labels: Mapping[str, str]) -> list[list[str]]:
    """Rows of a synergy's popup: road and straight-line km, drive time, CO2e, cost."""
    rows = []
    for key, value in (
        ("road_km", fmt.km(s.road_m, lang=lang) if s.road_m else None),
        ("geodesic_km", fmt.km(s.geodesic_m, lang=lang) if s.geodesic_m else None),
        ("duration", fmt.minutes(s.duration_s, lang=lang) if s.duration_s else None),
        ("co2e", fmt.tonnes_co2e(s.net_kg_co2e, lang=lang) if s.net_kg_co2e is not None else None),
        (
            "cost",
            fmt.money(s.net_benefit_cad, lang=lang) if s.net_benefit_cad is not None else None,
        ),
    ):
        if value:
            rows.append([labels.get(key, key), value])
    return rows
