"""Folium maps built from plain data. The only module that knows Folium's [lat, lon] order."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

import folium
from folium.plugins import MarkerCluster

from mapservice.materials import Taxonomy
from mapservice.model import UNIT_LABELS, Direction, Flow, Municipality, Park, Site

#: Centre of Saguenay–Lac-Saint-Jean's inhabited part, [lat, lon] for Folium.
REGION_CENTRE = (48.55, -71.65)
REGION_ZOOM = 9

#: Sector colours by the first two SCIAN digits; Okabe–Ito, readable by colour-blind viewers.
SECTOR_COLOURS = {
    "11": "#009E73",  # agriculture, forestry
    "21": "#999999",  # mining
    "22": "#F0E442",  # utilities
    "23": "#E69F00",  # construction
    "31": "#CC79A7",  # manufacturing (food, textiles)
    "32": "#D55E00",  # manufacturing (wood, paper, chemicals)
    "33": "#0072B2",  # manufacturing (metals, machinery)
    "41": "#56B4E9",
    "48": "#000000",  # transport
    "54": "#56B4E9",  # professional services
    "56": "#999999",  # waste management
}
DEFAULT_COLOUR = "#555555"


def _number_fr(value: float) -> str:
    text = f"{value:,.1f}".replace(",", "\u202f").replace(".", ",")
    return text[:-2] if text.endswith(",0") else text


def _flow_line(flow: Flow, taxonomy: Taxonomy) -> str:
    category = taxonomy.get(flow.category_code)
    label = category.label_fr if category else flow.category_code
    text = escape(flow.description)
    if flow.quantity is not None and flow.unit is not None and not flow.confidential:
        text += f" — {_number_fr(flow.quantity)} {escape(UNIT_LABELS[flow.unit]['fr'])}"
    return f"<li><b>{escape(label)}</b> : {text}</li>"


def site_popup_html(
    site: Site, flows: list[Flow], taxonomy: Taxonomy, municipality: Municipality | None
) -> str:
    """Return the popup of a site: who, where, its offers and needs. Every string is escaped."""
    offers = [f for f in flows if f.direction is Direction.OUTPUT]
    needs = [f for f in flows if f.direction is Direction.INPUT]
    parts = [f"<h4>{escape(site.member_name or '')}</h4>"]
    where = ", ".join(x for x in (site.name if site.name != site.member_name else None,
                                   site.address, municipality.name if municipality else None) if x)
    parts.append(f"<p>{escape(where)}</p>")
    if offers:
        parts.append("<p><b>Offres</b></p><ul>" +
                     "".join(_flow_line(f, taxonomy) for f in offers) + "</ul>")
    if needs:
        parts.append("<p><b>Besoins</b></p><ul>" +
                     "".join(_flow_line(f, taxonomy) for f in needs) + "</ul>")
    if site.geocode_precision:
        parts.append(f"<p><small>Précision : {escape(site.geocode_precision.value)}</small></p>")
    return "".join(parts)


def region_map(
    *,
    parks: list[Park],
    sites: list[Site],
    flows: list[Flow],
    taxonomy: Taxonomy,
    municipalities: Mapping[str, Municipality],
    tiles: str = "OpenStreetMap",
) -> folium.Map:
    """Return the region map: park outlines and the member sites, clustered."""
    fmap = folium.Map(location=REGION_CENTRE, zoom_start=REGION_ZOOM, tiles=None,
                      control_scale=True)
    attribution = "© OpenStreetMap contributors" if tiles.startswith("http") else None
    folium.TileLayer(tiles, name="Fond de carte", attr=attribution).add_to(fmap)

    park_layer = folium.FeatureGroup(name="Parcs industriels", show=True)
    for park in parks:
        if not park.outline:
            continue
        folium.GeoJson(
            {"type": "Feature", "geometry": park.outline, "properties": {}},
            style_function=lambda _f: {"color": "#0072B2", "weight": 2, "fillOpacity": 0.15},
            tooltip=folium.Tooltip(escape(park.name)),
        ).add_to(park_layer)
    park_layer.add_to(fmap)

    by_site: dict[int, list[Flow]] = {}
    for flow in flows:
        by_site.setdefault(flow.site_id, []).append(flow)
    cluster = MarkerCluster(name="Sites des membres", show=True)
    for site in sites:
        if site.lat is None or site.lon is None:
            continue
        colour = SECTOR_COLOURS.get((site.naics_code or "")[:2], DEFAULT_COLOUR)
        popup = site_popup_html(site, by_site.get(site.id or -1, []), taxonomy,
                                municipalities.get(site.municipality_id or ""))
        folium.CircleMarker(
            location=[site.lat, site.lon],
            radius=7,
            color=colour,
            fill=True,
            fill_opacity=0.85,
            popup=folium.Popup(popup, max_width=360),
            tooltip=folium.Tooltip(escape(site.member_name or site.name)),
        ).add_to(cluster)
    cluster.add_to(fmap)
    folium.LayerControl(collapsed=False).add_to(fmap)
    return fmap


def page_parts(fmap: folium.Map) -> dict[str, str]:
    """Split a rendered map into what goes in <head>, in <body> and in the closing <script>."""
    figure = fmap.get_root()
    figure.render()
    return {
        "header": figure.header.render(),
        "body": figure.html.render(),
        "script": figure.script.render(),
    }
