"""Transport distances: straight line, the regional road graph (default), OSM extracts, engines.

Every backend answers the :class:`DistanceBackend` protocol with :class:`Distance` values;
:func:`make_backend` builds one from its short name. The HTTP engines (:mod:`.http`) and the
OSM reader (:mod:`.osm`) are imported only when asked for.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mapservice.errors import ConfigError, RoadNetworkError, RoutingUnavailable, tr
from mapservice.routing.base import Distance, DistanceBackend, DistanceMatrix, Point
from mapservice.routing.geodesic import GeodesicBackend, geodesic_m, geodesic_matrix_m
from mapservice.routing.graph import RoadGraph
from mapservice.routing.road_lines import RoadLine

BACKENDS = ("geodesic", "road-graph", "osm", "osrm", "valhalla", "ors")

__all__ = [
    "BACKENDS",
    "Distance",
    "DistanceBackend",
    "DistanceMatrix",
    "GeodesicBackend",
    "Point",
    "RoadGraph",
    "RoadLine",
    "RoadNetworkError",
    "RoutingUnavailable",
    "geodesic_m",
    "geodesic_matrix_m",
    "make_backend",
]


def make_backend(
    name: str,
    *,
    roads_path: Path | str | None = None,
    url: str | None = None,
    cache: Any = None,
    timeout_s: float = 10.0,
    retries: int = 2,
    min_delay_s: float = 0.0,
    max_snap_m: float = 25_000.0,
    profile: str | None = None,
    api_key: str | None = None,
    user_agent: str | None = None,
) -> DistanceBackend:
    """Return the distance backend called ``name`` (one of :data:`BACKENDS`).

    ``roads_path`` is the road GeoJSON (``road-graph``) or the OSM extract (``osm``); ``url``
    the engine's base URL (``osrm``, ``valhalla``, ``ors``); ``profile`` the engine's profile
    or costing (defaults: ``driving``, ``truck``, ``driving-hgv``). ``cache`` has
    ``cache_get(backend, key)`` / ``cache_put(backend, key, query, value)``.
    """
    if name == "geodesic":
        return GeodesicBackend()
    if name in ("road-graph", "osm"):
        if roads_path is None:
            what = "le réseau routier GeoJSON" if name == "road-graph" else "l'extrait OSM"
            raise ConfigError(
                tr(
                    "Le calcul de distances « {name} » demande {what} (chemin).",
                    name=name,
                    what=what,
                )
            )
        if name == "road-graph":
            return RoadGraph.from_geojson(Path(roads_path), max_snap_m=max_snap_m)
        from mapservice.routing.osm import graph_from_osm

        return graph_from_osm(Path(roads_path), name="osm", max_snap_m=max_snap_m)
    if name in ("osrm", "valhalla", "ors"):
        if not url:
            raise ConfigError(tr("Le moteur de routage « {name} » demande une URL.", name=name))
        from mapservice.routing import http

        common: dict[str, Any] = {
            "timeout_s": timeout_s,
            "retries": retries,
            "min_delay_s": min_delay_s,
            "cache": cache,
        }
        if user_agent:
            common["user_agent"] = user_agent
        if name == "osrm":
            return http.OsrmBackend(url, profile=profile or "driving", **common)
        if name == "valhalla":
            return http.ValhallaBackend(url, costing=profile or "truck", **common)
        return http.OrsBackend(url, api_key=api_key, profile=profile or "driving-hgv", **common)
    raise ConfigError(
        tr(
            "Calcul de distances inconnu : {name!r} (attendu : {allowed}).",
            name=name,
            allowed=", ".join(BACKENDS),
        )
    )
