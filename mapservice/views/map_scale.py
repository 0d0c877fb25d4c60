"""The scale bar of every map: kilometres and metres only.

Folium's ``control_scale`` draws Leaflet's default scale, which adds a bar in miles; the maps
here turn it off and add :class:`MetricScale` instead.
"""

from __future__ import annotations

from typing import Any

from branca.element import Figure, MacroElement

from mapservice.views.script_text import RawScript


class MetricScale(MacroElement):
    """Leaflet's scale control in the map's bottom-left corner, metric only."""

    def __init__(self) -> None:
        super().__init__()
        self._name = "MetricScale"

    def render(self, **kwargs: Any) -> str:
        """Add the control once the map exists (no template compiled)."""
        figure = self.get_root()
        assert isinstance(figure, Figure)  # a Map's root is always its Figure
        assert self._parent is not None  # added to a map before the page is rendered
        call = (
            f"L.control.scale({{metric: true, imperial: false}}).addTo({self._parent.get_name()});"
        )
        figure.script.add_child(RawScript(call), name=self.get_name())
        return ""
