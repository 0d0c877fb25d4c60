"""A road graph from a user-supplied OpenStreetMap extract (``.osm`` XML or ``.osm.pbf``).

Kept ways: ``highway`` in :data:`TRUCK_SPEED_KMH` (roads a truck may use, with their ``_link``
ramps). Ways connect where they share an OSM node, as in OSM itself. ``oneway`` is ignored:
the graph is undirected, which can shorten a route by the length of a one-way detour — small
at the regional scale of synergy distances. Speeds come from the class table below, lowered to
a numeric ``maxspeed`` (km/h) when the way has one.

XML is read with :func:`xml.etree.ElementTree.iterparse`, streaming (elements cleared as they
are read); PBF needs ``osmium`` (pyosmium), imported only then.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mapservice.errors import RoadNetworkError, tr
from mapservice.routing.graph import RoadGraph
from mapservice.routing.road_lines import RoadLine

#: Heavy-truck cruising speeds by ``highway`` class, km/h (below car limits on purpose:
#: Québec trucks are governed at 105 km/h and slow on ramps and in town).
TRUCK_SPEED_KMH: dict[str, float] = {
    "motorway": 90.0,
    "motorway_link": 50.0,
    "trunk": 80.0,
    "trunk_link": 50.0,
    "primary": 70.0,
    "primary_link": 40.0,
    "secondary": 60.0,
    "secondary_link": 40.0,
    "tertiary": 50.0,
    "tertiary_link": 35.0,
    "unclassified": 40.0,
    "residential": 30.0,
    "service": 20.0,
}

#: OSM ``highway`` class → ``kind`` of the GeoJSON road contract.
_KIND = {"motorway": "autoroute", "trunk": "route", "primary": "route", "secondary": "route"}

_Way = tuple[int, list[int], dict[str, str]]


def graph_from_osm(path: Path | str, **kwargs: Any) -> RoadGraph:
    """Build a :class:`RoadGraph` from an ``.osm`` or ``.osm.pbf`` extract.

    Keyword arguments go to :class:`RoadGraph` (``name``, ``max_snap_m``).
    """
    path = Path(path)
    if not path.is_file():
        raise RoadNetworkError(tr("Extrait OpenStreetMap introuvable : {path}", path=path))
    if path.name.endswith(".pbf"):
        nodes, ways = _read_pbf(path)
    elif path.suffix in (".osm", ".xml"):
        nodes, ways = _read_xml(path)
    else:
        raise RoadNetworkError(tr("{path}: format inconnu (attendu .osm ou .osm.pbf)", path=path))
    lines = []
    for way_id, refs, tags in ways:
        missing = [ref for ref in refs if ref not in nodes]
        if missing:
            raise RoadNetworkError(
                tr(
                    "{path}: voie {way_id} : nœud {missing} absent de "
                    "l'extrait (extrait coupé sans ses nœuds ?)",
                    path=path,
                    way_id=way_id,
                    missing=missing[0],
                )
            )
        if len(refs) < 2:
            continue
        highway = tags["highway"]
        speed = TRUCK_SPEED_KMH[highway]
        if (limit := _maxspeed_kmh(tags.get("maxspeed"))) is not None:
            speed = min(speed, limit)
        bridge = tags.get("bridge", "no") not in ("no", "")
        props = {
            "id": f"way/{way_id}",
            "ref": tags.get("ref"),
            "name": tags.get("name"),
            "kind": "bridge" if bridge else _KIND.get(highway.removesuffix("_link"), "arterial"),
            "speed_kmh": speed,
            "bridge": bridge,
            "bridge_name": tags.get("bridge:name") if bridge else None,
        }
        lines.append(RoadLine([nodes[ref] for ref in refs], props, node_keys=list(refs)))
    if not lines:
        raise RoadNetworkError(
            tr("{path}: aucune route carrossable (highway=…) dans l'extrait", path=path)
        )
    return RoadGraph(lines, source=str(path), **kwargs)


def _keep(tags: dict[str, str]) -> bool:
    return tags.get("highway") in TRUCK_SPEED_KMH and tags.get("area") != "yes"


def _maxspeed_kmh(value: str | None) -> float | None:
    if not value:
        return None
    text = value.strip().lower()
    factor = 1.609344 if text.endswith("mph") else 1.0
    try:
        speed = float(text.removesuffix("mph").removesuffix("km/h").strip()) * factor
    except ValueError:
        return None  # "none", "walk", "CA:urban": keep the class speed
    return speed if speed > 0 else None


def _read_xml(path: Path) -> tuple[dict[int, tuple[float, float]], list[_Way]]:
    nodes: dict[int, tuple[float, float]] = {}
    ways: list[_Way] = []
    try:
        for elem in _iter_xml(path):
            if elem.tag == "node":
                nodes[int(elem.attrib["id"])] = (
                    float(elem.attrib["lon"]),
                    float(elem.attrib["lat"]),
                )
            elif elem.tag == "way":
                tags = {t.attrib["k"]: t.attrib["v"] for t in elem.iter("tag")}
                if _keep(tags):
                    refs = [int(nd.attrib["ref"]) for nd in elem.iter("nd")]
                    ways.append((int(elem.attrib["id"]), refs, tags))
    except ET.ParseError as exc:
        raise RoadNetworkError(
            tr("{path}: XML OpenStreetMap invalide ({exc})", path=path, exc=exc)
        ) from exc
    except (KeyError, ValueError) as exc:
        raise RoadNetworkError(
            tr("{path}: élément OSM incomplet ou invalide ({exc!r})", path=path, exc=exc)
        ) from exc
    return nodes, ways


def _iter_xml(path: Path) -> Iterator[ET.Element]:
    """Yield each complete top-level node/way, then free it (streaming, bounded memory)."""
    context = ET.iterparse(path, events=("start", "end"))
    _, root = next(context)
    for event, elem in context:
        if event == "end" and elem.tag in ("node", "way", "relation"):
            yield elem
            root.clear()  # drop what was read so far


def _read_pbf(path: Path) -> tuple[dict[int, tuple[float, float]], list[_Way]]:
    try:
        import osmium
    except ImportError as exc:
        raise RoadNetworkError(
            tr(
                "Lire un extrait .osm.pbf demande l'extra « osm » de mapservice (pyosmium) : "
                "pip install 'mapservice[osm]' — ou fournir l'extrait en .osm (XML)."
            )
        ) from exc
    nodes: dict[int, tuple[float, float]] = {}
    ways: list[_Way] = []
    try:
        # Nodes are read too (not filtered out at the source): the location index needs them.
        for obj in osmium.FileProcessor(str(path)).with_locations():
            if not isinstance(obj, osmium.osm.Way):
                continue
            way = obj
            tags = {tag.k: tag.v for tag in way.tags}
            if not _keep(tags):
                continue
            refs = []
            for nd in way.nodes:
                if nd.location.valid():
                    nodes[nd.ref] = (nd.location.lon, nd.location.lat)
                refs.append(nd.ref)
            ways.append((way.id, refs, tags))
    except RuntimeError as exc:
        raise RoadNetworkError(
            tr("{path}: extrait .osm.pbf illisible ({exc})", path=path, exc=exc)
        ) from exc
    return nodes, ways
