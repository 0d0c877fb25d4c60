"""A presentation as one document: the views' map data pooled once, each view a selection.

Presenter mode steps through its views without reloading the page, and the downloaded file
holds the whole presentation: both need every view in one JSON object. A view is data
(title, centre, zoom, layers, its filter's query string, whether names are hidden) and the
features it draws, given as positions in pools shared by all views, so a site shown by five
views is written once. Whatever builds the views (the saved presentation, an event's table
plan) hands :func:`build_deck` a list of views with the map data each one shows, already
disclosed to the reader: the deck holds nothing else.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mapservice.domain.model import PresenterView
from mapservice.geo import geojson

#: The feature collections a view selects from; other keys of its data are shared by all.
POOLED = ("sites", "parks", "lines")


@dataclass(frozen=True)
class Slide:
    """One view of a deck and the map data it shows (disclosed, filtered, JSON-ready)."""

    view: PresenterView
    data: Mapping[str, Any]
    anonymised: bool


class _Pool:
    """Features kept once each, by their content; :meth:`add` gives a feature's position."""

    def __init__(self) -> None:
        self.features: list[Any] = []
        self._at: dict[str, int] = {}

    def add(self, feature: Any) -> int:
        key = json.dumps(feature, sort_keys=True, separators=(",", ":"))
        if key not in self._at:
            self._at[key] = len(self.features)
            self.features.append(feature)
        return self._at[key]


def build_deck(
    slides: Sequence[Slide],
    *,
    layers: Sequence[str],
    count_text: Callable[[int], str],
    start: int = 1,
) -> dict[str, Any]:
    """The data a deck page draws: the pooled features, the shared keys, and ``deck``.

    ``deck`` holds ``views`` (``title``, ``lat``, ``lon``, ``zoom``, ``layers`` shown,
    ``filters``, ``anonymised``, ``count`` — the sites shown, said by ``count_text`` — and
    ``sites``, ``parks``, ``lines``: positions in the pools) and ``start``, the view shown
    first (1-based, clamped to the views). ``layers`` are the layers a view may show; a view
    that names none of them shows parks and sites. A view that picks members
    (``PresenterView.members``) has ``bounds`` too (``west``, ``south``, ``east``, ``north``,
    degrees): the box of the sites it shows, where the page frames it (None when it shows
    none: its centre and zoom then).
    """
    pools = {name: _Pool() for name in POOLED}
    shared: dict[str, Any] = {}
    views = []
    for slide in slides:
        picked: dict[str, list[int]] = {}
        for name in POOLED:
            features = (slide.data.get(name) or {}).get("features") or []
            picked[name] = [pools[name].add(f) for f in features]
        for key, value in slide.data.items():
            if key not in POOLED and key != "anonymised":
                shared.setdefault(key, value)
        view = slide.view
        shown_layers = [k for k in view.layers.split(",") if k in layers] or ["parks", "sites"]
        extra: dict[str, Any] = {}
        if view.members is not None:
            sites = (slide.data.get("sites") or {}).get("features") or []
            box = geojson.bounds(f.get("geometry") for f in sites)
            extra["bounds"] = (
                dict(zip(("west", "south", "east", "north"), box, strict=True)) if box else None
            )
        views.append(
            {
                "title": view.title,
                "lat": view.lat,
                "lon": view.lon,
                "zoom": view.zoom,
                "layers": shown_layers,
                "filters": view.filters,
                "anonymised": slide.anonymised,
                "count": count_text(len(picked["sites"])),
                **picked,
                **extra,
            }
        )
    data: dict[str, Any] = {
        name: {"type": "FeatureCollection", "features": pool.features}
        for name, pool in pools.items()
    }
    data.update(shared)
    data["deck"] = {"views": views, "start": min(max(start, 1), max(len(views), 1))}
    return data
