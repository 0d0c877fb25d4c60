"""Folium maps built from plain data. The only module that knows Folium's [lat, lon] order."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Mapping
from html import escape
from typing import Any

import folium
from branca.element import CssLink, JavascriptLink, MacroElement
from folium.elements import JSCSSMixin
from folium.plugins import MarkerCluster
from jinja2 import Template

from mapservice.domain.model import Park
from mapservice.domain.outlines import SURVEYED, TOWN, outline_label
from mapservice.views.map_scale import MetricScale
from mapservice.views.offline_base import OfflineBase
from mapservice.views.script_text import RawScript as _Raw
from mapservice.views.script_text import script_json

#: Centre of Saguenay–Lac-Saint-Jean's inhabited part, [lat, lon] for Folium.
REGION_CENTRE = (48.55, -71.65)
REGION_ZOOM = 9
#: How close a site to place is shown on the offline base: main roads and towns around it.
POSITION_OFFLINE_ZOOM = 11


def _text(value: str) -> str:
    """Escape user text for HTML that Folium also places inside a JavaScript template literal.

    ``html.escape`` leaves `` ` ``, ``$`` and ``\\`` alone, and in a template literal those
    could end the string or run ``${…}``; as character references they are inert everywhere.
    """
    return escape(value).replace("\\", "&#92;").replace("`", "&#96;").replace("$", "&#36;")


#: Labels the map's script shows; the web layer passes them translated.
DEFAULT_LABELS = {
    "sites": "Sites des membres",
    "offers": "Offres",
    "needs": "Besoins",
    "parks": "Parcs industriels",
    "lines": "Synergies",
    "roads": "Réseau routier",
    "tiles": "Fond de carte (OpenStreetMap)",
    "offline_base": "Fond régional (hors ligne)",
    "offline_note": "Fond de carte hors ligne : lac, rivière, municipalités et routes.",
    "legend": "Légende",
    "park": "Parc",
    "open_site": "Fiche du site",
    "anonymous": "Entreprise non nommée (sans consentement)",
    "to_classify": "à classer",
    "access": "accès du site au réseau routier",
    "cluster_mix": "Groupe de sites : la part de chaque secteur",
    "park_outline": "Contour de parc relevé",
    "park_approx": "Contour de parc approximatif",
}


class _DrawView(JSCSSMixin, MacroElement):
    """Hands the view's data to ``MapService.draw`` (static/js/mapservice-map.js)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        MapService.draw({
            map: {{ this._parent.get_name() }},
            tiles: {{ this.tiles or "null" }},
            control: {{ this.control or "null" }},
            layers: {
            {%- for key, name in this.layers.items() %}
                {{ key }}: {{ name }},
            {%- endfor %}
            },
            data: {{ this.data_json }},
            labels: {{ this.labels_json }},
            view: {{ this.view_json }},
            fit: {{ "true" if this.fit else "false" }},
            presenter: {{ "true" if this.presenter else "false" }},
            legendSlot: {{ '"ms-legend-slot"' if this.presenter else "null" }},
            basemap: {{ this.basemap_json }},
            basemapUrl: {{ this.basemap_url_json }},
            roads: {{ this.roads_json }},
            roadsUrl: {{ this.roads_url_json }},
            tileTimeoutMs: {{ this.tile_timeout_ms }}
        });
        {% endmacro %}
    """)

    def __init__(self, **options: Any) -> None:
        super().__init__()
        self._name = "DrawView"
        self.tiles = options["tiles"]
        self.control = options["control"]
        self.layers = options["layers"]
        data = options["data"]
        self.data_json = data if isinstance(data, _Slot) else script_json(data)
        self.labels_json = script_json(options["labels"])
        self.view_json = script_json(options.get("view") or {})
        self.fit = options.get("fit", False)
        self.presenter = options.get("presenter", False)
        self.basemap_json = script_json(options.get("basemap"))
        self.basemap_url_json = script_json(options.get("basemap_url"))
        self.roads_json = script_json(options.get("roads"))
        self.roads_url_json = script_json(options.get("roads_url"))
        self.tile_timeout_ms = int(options.get("tile_timeout_ms", 5000))
        script = options.get("script_url")
        if script:
            self.default_js = [("mapservice_map", script)]
        else:
            self.default_js = []
        if options.get("extra_script_url"):
            self.default_js.append(("mapservice_extra", options["extra_script_url"]))
        self.default_css = []

    def render(self, **kwargs: Any) -> str:
        """Add the script links and the call to ``MapService.draw``, as written.

        Branca's ``MacroElement.render`` would wrap the script in ``Element(text)``, which
        compiles it as a Jinja template: that costs more than the rest of the page for a large
        registry, and would evaluate any ``{{ … }}`` or ``{% … %}`` in the data (a member's name,
        say) on the server.
        """
        figure = self.get_root()
        assert isinstance(figure, folium.Figure)  # a Map's root is always its Figure
        for name, url in self.default_js:
            figure.header.add_child(JavascriptLink(url), name=name)
        for name, url in self.default_css:
            figure.header.add_child(CssLink(url), name=name)
        script = self._template.module.__dict__["script"]
        figure.script.add_child(_Raw(script(self, kwargs)), name=self.get_name())
        return ""  # everything went into the figure, as with MacroElement


def view_map(
    data: Mapping[str, Any],
    *,
    labels: Mapping[str, str] | None = None,
    tiles: str = "OpenStreetMap",
    assets_url: str | None = None,
    script_url: str | None = None,
    view: Mapping[str, Any] | None = None,
    fit: bool = False,
    layers: Iterable[str] = ("parks", "sites", "offers", "needs", "lines", "roads"),
    hidden: Iterable[str] = ("offers", "needs", "roads"),
    cluster: bool = True,
    presenter: bool = False,
    basemap: Mapping[str, Any] | None = None,
    basemap_url: str | None = None,
    roads: Mapping[str, Any] | None = None,
    roads_url: str | None = None,
    tile_timeout_ms: int = 5000,
    collapsed: bool = False,
    extra_script_url: str | None = None,
) -> folium.Map:
    """Return a map that draws ``data`` (see :mod:`mapservice.views.map_view`) in the browser.

    The layers are empty Folium containers listed in the layer control; the page's script
    (``script_url``, the app's ``mapservice-map.js``) fills them from the data, which stays one
    JSON object however many sites there are. ``assets_url`` is where the app serves Leaflet
    (``/static/vendor``); None keeps Folium's CDN links (a notebook). ``view`` (``lat``,
    ``lon``, ``zoom``) wins over ``fit`` (zoom to what is drawn). The bundled regional base
    layer (``basemap`` inline, or fetched from ``basemap_url``) replaces the tiles when they
    fail to load. ``extra_script_url`` is one more script the page loads (the server-side
    clusters' ``site-clusters.js``).
    """
    names = {**DEFAULT_LABELS, **(labels or {})}
    start = view or {}
    fmap = folium.Map(
        location=[start.get("lat", REGION_CENTRE[0]), start.get("lon", REGION_CENTRE[1])],
        zoom_start=start.get("zoom", REGION_ZOOM),
        tiles=None,
        prefer_canvas=True,
    )
    fmap.add_child(MetricScale())
    # The map's own zoom range: without tiles (the offline base, the downloaded presentation)
    # no layer gives one, and the cluster layer builds its levels from it.
    fmap.options.update(minZoom=3, maxZoom=18)
    if presenter:
        fmap.options["keyboard"] = False  # the arrow keys step through the views
    tile_layer = None
    if tiles != "none":
        attribution = "© OpenStreetMap contributors" if tiles.startswith("http") else None
        tile_layer = folium.TileLayer(tiles, name=names["tiles"], attr=attribution)
        tile_layer.add_to(fmap)
    wanted = list(layers)
    hide = set(hidden)
    containers: dict[str, str] = {}
    clustered = None
    for key in wanted:
        if key == "sites" and cluster:
            clustered = MarkerCluster(
                name=names[key],
                show=True,
                icon_create_function="MapService.clusterIcon",
                options={
                    "chunkedLoading": True,
                    "showCoverageOnHover": False,
                    "maxClusterRadius": 45,
                },
            )
            layer: folium.map.Layer = clustered
        else:
            layer = folium.FeatureGroup(name=names[key], show=key not in hide)
        layer.add_to(fmap)
        containers[key] = layer.get_name()
    control = folium.LayerControl(collapsed=collapsed)
    control.add_to(fmap)
    fmap.add_child(
        _DrawView(
            tiles=tile_layer.get_name() if tile_layer else None,
            control=control.get_name(),
            layers=containers,
            data=data,
            labels=names,
            view=view,
            fit=fit,
            presenter=presenter,
            basemap=basemap,
            basemap_url=basemap_url,
            roads=roads,
            roads_url=roads_url,
            tile_timeout_ms=tile_timeout_ms,
            script_url=script_url,
            extra_script_url=extra_script_url,
        )
    )
    if assets_url is not None:
        _use_local_assets(fmap, clustered, assets_url)
    return fmap


def _use_local_assets(fmap: folium.Map, cluster: MarkerCluster | None, assets_url: str) -> None:
    """Point Leaflet and MarkerCluster at the app's own copies; drop what the page never uses.

    Folium links jQuery, Bootstrap and Font Awesome from CDNs by default; none of them is needed
    here (the pages' own script builds every popup with the DOM), and a map that must work
    without internet cannot depend on them.
    """
    base = assets_url.rstrip("/")
    fmap.default_js = [("leaflet", f"{base}/leaflet/leaflet.js")]
    fmap.default_css = [("leaflet_css", f"{base}/leaflet/leaflet.css")]
    if cluster is None:
        return
    cluster.default_js = [("markerclusterjs", f"{base}/markercluster/leaflet.markercluster.js")]
    cluster.default_css = [
        ("markerclustercss", f"{base}/markercluster/MarkerCluster.css"),
        ("markerclusterdefaultcss", f"{base}/markercluster/MarkerCluster.Default.css"),
    ]


def outline_style(status: str) -> dict[str, Any]:
    """How a park outline of ``status`` is drawn (as on the region map): solid when surveyed,
    dashed when traced or estimated, a grey dotted ring without fill when a town point stands
    in."""
    if status == TOWN:
        return {"color": "#666666", "weight": 2, "dashArray": "2 6", "fillOpacity": 0}
    if status != SURVEYED:
        return {"color": "#0072B2", "weight": 2, "dashArray": "8 6", "fillOpacity": 0.08}
    return {"color": "#0072B2", "weight": 2, "fillOpacity": 0.15}


def _park_layer(parks: list[Park], name: str = "Parcs industriels") -> folium.FeatureGroup:
    layer = folium.FeatureGroup(name=name, show=True)
    for park in parks:
        if park.outline:
            style = outline_style(park.outline_status)
            folium.GeoJson(
                {"type": "Feature", "geometry": park.outline, "properties": {}},
                style_function=lambda _f, style=style: style,
                tooltip=folium.Tooltip(
                    _text(f"{park.name} — {outline_label(park.outline_status)}")
                ),
            ).add_to(layer)
    return layer


def outline_map(
    *,
    park: Park,
    parks: list[Park],
    tiles: str = "OpenStreetMap",
    assets_url: str | None = None,
    offline: dict[str, Any] | None = None,
) -> tuple[folium.Map, str]:
    """Return a map of ``park``'s outline over its neighbours, to draw a new one on, and the
    map's JavaScript name (the page adds the drawing tool). ``offline`` (``basemap_url``,
    ``script_url``, ``labels``) puts the bundled regional base under it when tiles fail."""
    fmap = folium.Map(location=[park.centre_lat, park.centre_lon], zoom_start=14, tiles=None)
    fmap.add_child(MetricScale())
    attribution = "© OpenStreetMap contributors" if tiles.startswith("http") else None
    tile_layer = folium.TileLayer(tiles, name="Fond de carte", attr=attribution)
    tile_layer.add_to(fmap)
    if offline is not None:
        fmap.add_child(OfflineBase(tile_layer.get_name(), **offline))
    _park_layer([p for p in parks if p.id != park.id], "Autres parcs").add_to(fmap)
    _park_layer([park], _text(park.name)).add_to(fmap)
    if assets_url is not None:
        _use_local_assets(fmap, None, assets_url)
    return fmap, fmap.get_name()


def position_map(
    *,
    lon: float,
    lat: float,
    parks: list[Park],
    label: str,
    zoom: int = 14,
    tiles: str = "OpenStreetMap",
    assets_url: str | None = None,
    offline: dict[str, Any] | None = None,
) -> tuple[folium.Map, str, str]:
    """Return a map with one draggable marker at (lon, lat) over the park outlines.

    Also returns the JavaScript names of the map and of the marker, so the page can follow the
    marker (drag it, or click the map to move it there). ``offline`` (``basemap_url``,
    ``script_url``, ``labels``) puts the bundled regional base under it when tiles fail, as on
    :func:`outline_map`: the marker is then placed against the lake, rivers, towns and roads.
    """
    fmap = folium.Map(location=[lat, lon], zoom_start=zoom, tiles=None)
    fmap.add_child(MetricScale())
    attribution = "© OpenStreetMap contributors" if tiles.startswith("http") else None
    tile_layer = folium.TileLayer(tiles, name="Fond de carte", attr=attribution)
    tile_layer.add_to(fmap)
    if offline is not None:
        fmap.add_child(
            OfflineBase(tile_layer.get_name(), max_zoom=POSITION_OFFLINE_ZOOM, **offline)
        )
    _park_layer(parks).add_to(fmap)
    marker = folium.Marker(
        location=[lat, lon], draggable=True, tooltip=folium.Tooltip(_text(label))
    )
    marker.add_to(fmap)
    if assets_url is not None:
        _use_local_assets(fmap, None, assets_url)
    return fmap, fmap.get_name(), marker.get_name()


class _Slot(str):
    """Stands for the view's data in a page skeleton (see :func:`view_map_parts`)."""


_DATA_SLOT = _Slot("/*mapservice:data*/")


def view_map_parts(data: Mapping[str, Any], **options: Any) -> dict[str, str]:
    """Return :func:`page_parts` of :func:`view_map` of ``data``; same ``options``, same page.

    Folium renders a map through dozens of Jinja templates, most of them compiled anew each
    time, which costs more than everything else on a page. Only the data changes from one
    request to the next, so the map is rendered once per set of options with a slot where the
    data goes. A base layer or road network given inline is rendered every time.
    """
    if options.get("basemap") is not None or options.get("roads") is not None:
        return page_parts(view_map(data, **options))
    parts = _skeleton(json.dumps(options, sort_keys=True, default=sorted))
    return {**parts, "script": parts["script"].replace(_DATA_SLOT, script_json(data), 1)}


@functools.lru_cache(maxsize=64)
def _skeleton(options_json: str) -> dict[str, str]:
    return page_parts(view_map(_DATA_SLOT, **json.loads(options_json)))  # type: ignore[arg-type]


def page_parts(fmap: folium.Map) -> dict[str, str]:
    """Split a rendered map into what goes in <head>, in <body> and in the closing <script>."""
    figure = fmap.get_root()
    assert isinstance(figure, folium.Figure)  # a Map's root is always its Figure
    figure.render()
    # Folium's own viewport tag forbids zooming the page (WCAG 1.4.4); pages set their own.
    header = re.sub(r'<meta name="viewport"[^>]*>', "", figure.header.render())
    return {"header": header, "body": figure.html.render(), "script": figure.script.render()}
