"""The baseline of ``bench.pages``: the region map as it was built before issue 5.

A copy of ``region_map`` from ``mapservice/maps.py`` at commit cde3935 (and the helpers it
calls), kept here unchanged so the benchmark can compare against it whatever ``maps.py``
becomes: one ``folium.CircleMarker`` with its own ``Popup`` and ``Tooltip`` per site, all in
a ``MarkerCluster``, every popup's HTML written into the page's script. Our own code, frozen
as the reference implementation; do not "improve" it.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

import folium
from folium.plugins import MarkerCluster

from mapservice.domain.model import UNIT_LABELS, Direction, Flow, Municipality, Park, Site
from mapservice.materials.taxonomy import Taxonomy

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


def _text(value: str) -> str:
    """Escape user text for HTML that Folium also places inside a JavaScript template literal.

    ``html.escape`` leaves `` ` ``, ``$`` and ``\\`` alone, and in a template literal those
    could end the string or run ``${…}``; as character references they are inert everywhere.
    """
    return escape(value).replace("\\", "&#92;").replace("`", "&#96;").replace("$", "&#36;")


def _number_fr(value: float) -> str:
    text = f"{value:,.1f}".replace(",", "\u202f").replace(".", ",")
    return text[:-2] if text.endswith(",0") else text


def _flow_line(flow: Flow, taxonomy: Taxonomy) -> str:
    category = taxonomy.get(flow.category_code)
    label = category.label_fr if category else flow.category_code
    text = _text(flow.description)
    if flow.quantity is not None and flow.unit is not None and not flow.confidential:
        text += f" — {_number_fr(flow.quantity)} {_text(UNIT_LABELS[flow.unit]['fr'])}"
    return f"<li><b>{_text(label)}</b> : {text}</li>"


def site_popup_html(
    site: Site, flows: list[Flow], taxonomy: Taxonomy, municipality: Municipality | None
) -> str:
    """Return the popup of a site: who, where, its offers and needs. Every string is escaped."""
    offers = [f for f in flows if f.direction is Direction.OUTPUT]
    needs = [f for f in flows if f.direction is Direction.INPUT]
    parts = [f"<h4>{_text(site.member_name or '')}</h4>"]
    name = site.name if site.name not in (site.member_name, site.address) else None
    where = ", ".join(
        x for x in (name, site.address, municipality.name if municipality else None) if x
    )
    parts.append(f"<p>{_text(where)}</p>")
    if offers:
        parts.append(
            "<p><b>Offres</b></p><ul>" + "".join(_flow_line(f, taxonomy) for f in offers) + "</ul>"
        )
    if needs:
        parts.append(
            "<p><b>Besoins</b></p><ul>" + "".join(_flow_line(f, taxonomy) for f in needs) + "</ul>"
        )
    if site.geocode_precision:
        parts.append(f"<p><small>Précision : {_text(site.geocode_precision.value)}</small></p>")
    return "".join(parts)


def _use_local_assets(fmap: folium.Map, cluster: MarkerCluster | None, assets_url: str) -> None:
    """Point Leaflet and MarkerCluster at the app's own copies; drop what the page never uses.

    Folium links jQuery, Bootstrap and Font Awesome from CDNs by default; none of them is needed
    here, and a map that must work without internet cannot depend on them.
    """
    base = assets_url.rstrip("/")
    fmap.default_js = [
        ("leaflet", f"{base}/leaflet/leaflet.js"),
        ("jquery", f"{base}/jquery/jquery.min.js"),
    ]
    fmap.default_css = [("leaflet_css", f"{base}/leaflet/leaflet.css")]
    if cluster is None:
        return
    cluster.default_js = [("markerclusterjs", f"{base}/markercluster/leaflet.markercluster.js")]
    cluster.default_css = [
        ("markerclustercss", f"{base}/markercluster/MarkerCluster.css"),
        ("markerclusterdefaultcss", f"{base}/markercluster/MarkerCluster.Default.css"),
    ]


def region_map(
    *,
    parks: list[Park],
    sites: list[Site],
    flows: list[Flow],
    taxonomy: Taxonomy,
    municipalities: Mapping[str, Municipality],
    tiles: str = "OpenStreetMap",
    assets_url: str | None = None,
) -> folium.Map:
    """Return the region map: park outlines and the member sites, clustered.

    ``assets_url`` is where the app serves its vendored Leaflet (``/static/vendor``); None
    keeps Folium's CDN links (a notebook).
    """
    fmap = folium.Map(
        location=REGION_CENTRE, zoom_start=REGION_ZOOM, tiles=None, control_scale=True
    )
    attribution = "© OpenStreetMap contributors" if tiles.startswith("http") else None
    folium.TileLayer(tiles, name="Fond de carte", attr=attribution).add_to(fmap)

    park_layer = _park_layer(parks)
    park_layer.add_to(fmap)

    by_site: dict[int, list[Flow]] = {}
    for flow in flows:
        by_site.setdefault(flow.site_id, []).append(flow)
    cluster = MarkerCluster(name="Sites des membres", show=True)
    for site in sites:
        if site.lat is None or site.lon is None:
            continue
        colour = SECTOR_COLOURS.get((site.naics_code or "")[:2], DEFAULT_COLOUR)
        popup = site_popup_html(
            site,
            by_site.get(site.id or -1, []),
            taxonomy,
            municipalities.get(site.municipality_id or ""),
        )
        folium.CircleMarker(
            location=[site.lat, site.lon],
            radius=7,
            color=colour,
            fill=True,
            fill_opacity=0.85,
            popup=folium.Popup(popup, max_width=360),
            tooltip=folium.Tooltip(_text(site.member_name or site.name)),
        ).add_to(cluster)
    cluster.add_to(fmap)
    if assets_url is not None:
        _use_local_assets(fmap, cluster, assets_url)
    folium.LayerControl(collapsed=False).add_to(fmap)
    return fmap


def _park_layer(parks: list[Park]) -> folium.FeatureGroup:
    layer = folium.FeatureGroup(name="Parcs industriels", show=True)
    for park in parks:
        if park.outline:
            folium.GeoJson(
                {"type": "Feature", "geometry": park.outline, "properties": {}},
                style_function=lambda _f: {"color": "#0072B2", "weight": 2, "fillOpacity": 0.15},
                tooltip=folium.Tooltip(_text(park.name)),
            ).add_to(layer)
    return layer


def page_html(fmap: folium.Map) -> str:
    """Return the whole page of ``fmap`` as Folium renders it (one standalone HTML document)."""
    return fmap.get_root().render()
