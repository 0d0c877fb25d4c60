"""The bundled regional base layer under a small Folium map, when the tiles do not load.

The region map hands it to ``MapService.draw``; a map that draws nothing else (a park's outline
to replace) adds :class:`OfflineBase`, which calls ``MapService.offline`` of
``static/js/mapservice-map.js``: the same fallback, the same base layer and the same notice.
"""

from __future__ import annotations

from typing import Any

from branca.element import Figure, JavascriptLink, MacroElement

from mapservice.views.script_text import RawScript, script_json


class OfflineBase(MacroElement):
    """Swap the tile layer named ``tiles`` (its JavaScript name) for the base layer of
    ``basemap_url`` when its tiles fail or time out; then zoom out to ``max_zoom`` if the map
    is closer in (the base has nothing to show at street level)."""

    def __init__(
        self,
        tiles: str,
        *,
        basemap_url: str,
        script_url: str,
        labels: dict[str, str],
        tile_timeout_ms: int = 5000,
        max_zoom: int | None = None,
    ) -> None:
        super().__init__()
        self._name = "OfflineBase"
        self.tiles = tiles
        self.basemap_url = basemap_url
        self.script_url = script_url
        self.labels = labels
        self.tile_timeout_ms = tile_timeout_ms
        self.max_zoom = max_zoom

    def render(self, **kwargs: Any) -> str:
        """Link the script and call it once the map exists (no template compiled)."""
        figure = self.get_root()
        assert isinstance(figure, Figure)  # a Map's root is always its Figure
        figure.header.add_child(JavascriptLink(self.script_url), name="mapservice_map")
        assert self._parent is not None  # added to a map before the page is rendered
        map_name = self._parent.get_name()
        call = (
            f"MapService.offline({{map: {map_name}, tiles: {self.tiles}, "
            f"basemapUrl: {script_json(self.basemap_url)}, labels: {script_json(self.labels)}, "
            f"tileTimeoutMs: {int(self.tile_timeout_ms)}, "
            f"offlineMaxZoom: {script_json(self.max_zoom)}}});"
        )
        figure.script.add_child(RawScript(call), name=self.get_name())
        return ""
