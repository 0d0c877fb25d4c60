"""How a synergy line is drawn: along its road route, or straight, and candidates' style.

A line whose distance the road graph gave follows that graph's path (the one that gives the
distance, :mod:`mapservice.routing.paths`): its part along the network drawn in the line's
style, its access legs (site → road, road → site) dashed :data:`ACCESS_DASH`. A line keeps
the straight segment, and its popup says so, when there is no road route to draw: unroutable,
straight-distance fallback, an engine that gives no geometry, or an end whose exact position
the viewer may not see (an anonymised site is drawn at its park or town, and a road path
drawn from its real position would give that position away).

Routes are found in one batch per distance backend (one Dijkstra per block of distinct
origins); the views that call this are kept in the caches until the registry changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mapservice.domain.reasons import score_100
from mapservice.errors import MapserviceError
from mapservice.geo import geojson
from mapservice.routing.graph import RoadGraph
from mapservice.routing.paths import Route
from mapservice.views import formatting as fmt
from mapservice.views.line_popups import reasons_props

if TYPE_CHECKING:
    from mapservice.services import Services

#: Dash pattern of access legs: short dots, whatever the line's own style.
ACCESS_DASH = "1 6"
#: A route whose length differs from the distance shown by more than this (relative, plus
#: :data:`ROUTE_SLACK_M`) is not the route that gave it (a site moved since): drawn straight.
ROUTE_TOLERANCE = 0.01
ROUTE_SLACK_M = 20.0
#: The popup's words on how a line is drawn, French (the web layer passes them translated).
DRAWN = {
    "drawn": "Tracé",
    "drawn_road": "le long des routes (accès au réseau en pointillé)",
    "drawn_local": "par les rues locales, en pointillé (sites voisins)",
    "drawn_straight": "en ligne droite : aucun tracé routier",
}
#: Score classes of candidate lines, best first: colour, weight, dash.
SCORE_CLASSES = (
    (0.75, "#0072B2", 5, ""),
    (0.5, "#009E73", 4, ""),
    (0.25, "#E69F00", 3, "8 4"),
    (0.0, "#CC79A7", 2, "3 5"),
)


@dataclass(frozen=True)
class LineEnds:
    """What decides a line's route: its ends (lon, lat), whether both are exact positions the
    viewer may see, the backend that gave its distance, and that distance (metres)."""

    a: tuple[float, float]
    b: tuple[float, float]
    exact: bool
    backend: str | None
    road_m: float | None


def line_routes(svc: Services, ends: Sequence[LineEnds]) -> list[Route | None]:
    """The road route to draw for each line, or None to draw it straight."""
    out: list[Route | None] = [None] * len(ends)
    by_backend: dict[str, list[int]] = {}
    for i, e in enumerate(ends):
        if e.exact and e.backend and e.road_m is not None and e.a != e.b:
            by_backend.setdefault(e.backend, []).append(i)
    for name, which in by_backend.items():
        graph = _graph(svc, name)
        if graph is None:
            continue
        found = graph.routes([(ends[i].a, ends[i].b) for i in which])
        for i, route in zip(which, found, strict=True):
            if route is not None and _gives(route, ends[i].road_m):
                out[i] = route
    return out


def _graph(svc: Services, name: str) -> RoadGraph | None:
    """The road graph called ``name``, if that backend is one (an engine gives no geometry)."""
    if name not in ("road-graph", "osm"):
        return None
    try:
        backend = svc.distance_backend(name)
    except MapserviceError:  # not configured here (any more): no route to draw
        return None
    return backend if isinstance(backend, RoadGraph) else None


def _gives(route: Route, road_m: float | None) -> bool:
    """Whether ``route`` is the one that gave ``road_m`` (its length, access legs as counted)."""
    if road_m is None:
        return False
    return (
        abs(route.network_m + route.access_m - road_m) <= ROUTE_SLACK_M + ROUTE_TOLERANCE * road_m
    )


def drawn_feature(
    props: dict[str, Any],
    a: tuple[float, float],
    b: tuple[float, float],
    route: Route | None,
    labels: Mapping[str, str],
) -> dict[str, Any]:
    """A line's feature: along ``route`` (``ax``: indices of its dashed access legs, ``ad``:
    their dash) or straight; its popup rows (``r``) end with how it is drawn."""
    rows = list(props.get("r", []))
    if route is None:
        rows.append(
            [labels.get("drawn", "Tracé"), labels.get("drawn_straight", DRAWN["drawn_straight"])]
        )
        return geojson.synergy_feature({**props, "r": rows}, a, b)
    parts = route.parts()
    how = "drawn_road" if route.road else "drawn_local"
    rows.append([labels.get("drawn", "Tracé"), labels.get(how, DRAWN[how])])
    access = [i for i, (_, leg) in enumerate(parts) if leg]
    return geojson.route_feature(
        {**props, "r": rows, "ax": access, "ad": ACCESS_DASH}, [points for points, _ in parts]
    )


def score_style(score: float) -> tuple[str, int, str]:
    """Colour, weight and dash of a candidate line by its score (0–1)."""
    for floor, colour, weight, dash in SCORE_CLASSES:
        if score >= floor:
            return colour, weight, dash
    return SCORE_CLASSES[-1][1:]


def candidate_line(
    a: tuple[float, float],
    b: tuple[float, float],
    *,
    score: float,
    title: str,
    lang: str,
    labels: Mapping[str, str],
    road_m: float | None,
    geodesic_m: float | None,
    duration_s: float | None = None,
    net_kg_co2e: float | None = None,
    transport_cost_cad: float | None = None,
    companies: tuple[str, str] | None = None,
    reasons: Iterable[str] = (),
    secret: bool = True,
    route: Route | None = None,
) -> dict[str, Any]:
    """A candidate synergy from (lon, lat) ``a`` to ``b``, styled by its score, along its road
    ``route`` when given; its popup has both companies (when given), score, figures, reasons
    (``secret`` hides a quantity) and how it is drawn."""
    colour, weight, dash = score_style(score)
    rows = [[labels.get("score", "Score"), f"{score_100(score)} / 100"]]
    if companies is not None:
        rows[:0] = [
            [labels.get("offer_company", "offer_company"), companies[0]],
            [labels.get("need_company", "need_company"), companies[1]],
        ]
    for key, value in (
        ("road_km", fmt.km(road_m, lang=lang)),
        ("geodesic_km", fmt.km(geodesic_m, lang=lang)),
        ("duration", fmt.minutes(duration_s, lang=lang)),
        ("co2e", fmt.tonnes_co2e(net_kg_co2e, lang=lang)),
        ("transport_cost", fmt.money(transport_cost_cad, lang=lang)),
    ):
        rows.append([labels.get(key, key), value])
    props = {"t": title, "r": rows, "c": colour, "w": weight, "d": dash}
    props.update(reasons_props(reasons, secret, labels))
    return drawn_feature(props, a, b, route, labels)
