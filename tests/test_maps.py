"""Folium maps built from plain data (mapservice/maps.py): the data is written as it is."""

from __future__ import annotations

import re

import pytest

from mapservice.views import folium_maps as maps

#: Text that Jinja would evaluate if the map's data went through a template.
TEMPLATE_TEXT = "Acier {{ 7*7 }} {% if true %}oui{% endif %} {# note #}"


def _data(name: str) -> dict:
    site = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [-71.06, 48.42]},
        "properties": {"n": name},
    }
    return {
        "sites": {"type": "FeatureCollection", "features": [site]},
        "parks": {"type": "FeatureCollection", "features": []},
        "lines": {"type": "FeatureCollection", "features": []},
    }


OPTIONS = {
    "assets_url": "/static/vendor",
    "script_url": "/static/js/mapservice-map.js",
    "layers": ("parks", "sites", "lines"),
    "hidden": (),
    "fit": True,
}


@pytest.mark.parametrize(
    "render",
    [
        lambda data: maps.page_parts(maps.view_map(data, **OPTIONS)),
        lambda data: maps.view_map_parts(data, **OPTIONS),
    ],
    ids=["page_parts", "view_map_parts"],
)
def test_template_syntax_in_the_data_is_written_not_evaluated(render) -> None:
    script = render(_data(TEMPLATE_TEXT))["script"]
    assert maps.script_json(TEMPLATE_TEXT) in script
    assert "Acier 49" not in script


def test_the_map_is_rendered_once_per_set_of_options() -> None:
    first = maps.view_map_parts(_data("Première"), **OPTIONS)
    second = maps.view_map_parts(_data("Seconde"), **OPTIONS)
    assert "Première" in first["script"] and "Première" not in second["script"]
    assert "Seconde" in second["script"]
    map_name = re.search(r"\bmap_[0-9a-f]{32}\b", first["script"])
    assert map_name and map_name.group(0) in second["script"]  # the same rendered skeleton
    assert first["header"] == second["header"] and first["body"] == second["body"]
    other = maps.view_map_parts(_data("Seconde"), **{**OPTIONS, "fit": False})
    assert "fit: true" in second["script"] and "fit: false" in other["script"]


def test_the_kept_skeleton_renders_the_same_page_as_folium() -> None:
    def same_names(text: str) -> str:  # Folium names each object afresh on every render
        return re.sub(r"[0-9a-f]{32}", "ID", text)

    data = _data("Usine")
    direct = maps.page_parts(maps.view_map(data, **OPTIONS))
    kept = maps.view_map_parts(data, **OPTIONS)
    assert {k: same_names(v) for k, v in kept.items()} == {
        k: same_names(v) for k, v in direct.items()
    }
