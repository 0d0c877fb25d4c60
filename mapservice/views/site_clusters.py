"""The region map's sites clustered once on the server, then served per viewport and zoom.

A province-wide network (50,000 sites) is too much to write into the page and cluster in the
browser. Above a number of sites (setting ``MAP_SERVER_CLUSTERS_ABOVE``) the region map's page
carries no site; its script asks :func:`viewport_answer` for the clusters and single sites of
what it shows, at each move and zoom, and a single site's popup when it is opened
(:func:`site_properties`).

The clusters are made of the very features the inline map would carry
(:func:`mapservice.views.map_view.region_sites`): disclosed to the reader first (a hidden
member at its park's centre or its town, unnamed), then filtered, then clustered. A cluster's
count and position are therefore made of shown positions only, and are kept per registry
stamp and reader scope in the ``site_clusters`` cache.

A single site is named by its index in the reader's view, never by its id (which a hidden
member's site must not give away). So that an index read from one drawing cannot open another
site after the registry changed, every answer carries the view's ``version`` (a digest of the
very features the reader is shown, so it says nothing of what they are not shown) and a popup
asked for with another version is refused (:class:`ViewChanged`, 409).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from mapservice.errors import InvalidInput, MapserviceError, NotFound, tr
from mapservice.geo import geojson, point_clusters
from mapservice.views.map_filters import MapFilter
from mapservice.views.map_view import ViewData, reader_scope, region_sites

if TYPE_CHECKING:
    from mapservice.services import Services

#: Zoom levels clustered: the map's least detailed zoom up to the one past which every
#: distinct position is drawn on its own (the map zooms to 18).
MIN_ZOOM = 3
MAX_ZOOM = 16
#: Most points listed for a stack (sites at one shown position, which never splits).
STACK_LIMIT = 50
#: Decimals of a cluster's position (about 1 m; single sites keep their feature's own).
CLUSTER_DECIMALS = 5


class ViewChanged(MapserviceError):
    """A site index asked for with the version of a view that has changed since."""

    status = 409
    code = "view_changed"


@dataclass
class ClusteredSites:
    """One reader's clustered view: the clusters, the features they index, the view's
    bounds (west, south, east, north; None without sites), group codes by column and the
    ``version`` of the features (what a site's index means)."""

    clusters: point_clusters.PointClusters
    features: list[dict[str, Any]]
    groups: list[str]
    bounds: tuple[float, ...] | None
    version: str

    @property
    def total(self) -> int:
        return len(self.features)


def clustered_sites(
    svc: Services, view: MapFilter, *, lang: str, anonymise: bool, site_url: str | None
) -> ClusteredSites:
    """The region map's sites for ``view`` as the reader sees them, clustered at every zoom;
    kept until a site or flow changes (cache ``site_clusters``)."""
    stamp = svc.change_stamp()
    key = (reader_scope(anonymise), view, lang, anonymise, site_url)

    def build() -> ClusteredSites:
        shown = region_sites(
            svc, view, lang=lang, anonymise=anonymise, site_url=site_url, stamp=stamp
        )
        return cluster_view(shown)

    return svc.caches.kept("site_clusters", stamp, key, build)


def cluster_view(shown: ViewData) -> ClusteredSites:
    """Cluster the site features of a region view (they are already disclosed)."""
    features = shown.data["sites"]["features"]
    codes = [g["code"] for g in shown.data.get("groups", [])]
    column = {code: i for i, code in enumerate(codes)}
    lon, lat, group = [], [], []
    for feature in features:
        x, y = next(geojson.positions(feature["geometry"]["coordinates"]))
        lon.append(x)
        lat.append(y)
        group.append(column.get(feature["properties"].get("g"), len(codes)))
    clusters = point_clusters.build(
        lon, lat, group, n_groups=len(codes) + 1, min_zoom=MIN_ZOOM, max_zoom=MAX_ZOOM
    )
    bounds = geojson.bounds(f["geometry"] for f in features)
    version = features_version(lon, lat, features)
    return ClusteredSites(clusters, features, codes, bounds, version)


#: The properties that tell one shown site from another (name, site name, sector, address,
#: link); its flows may change under the same index, the popup is asked for afresh anyway.
IDENTITY = ("n", "s", "g", "w", "u")


def features_version(lon: list[float], lat: list[float], features: list[dict[str, Any]]) -> str:
    """A short digest of which site each index shows (its shown position and identity, in
    order): equal versions, equal meaning of every index. About 20 ms for 50,000 sites."""
    digest = hashlib.blake2b(digest_size=8)
    digest.update(np.asarray(lon, dtype=np.float64).tobytes())
    digest.update(np.asarray(lat, dtype=np.float64).tobytes())
    who = "\x1f".join(
        "\x1e".join(str(p.get(k, "")) for k in IDENTITY)
        for p in (f["properties"] for f in features)
    )
    digest.update(who.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def read_viewport(args: Mapping[str, str]) -> tuple[float, tuple[float, float, float, float]]:
    """The zoom and the bounds (west, south, east, north, degrees) asked for: ``zoom=9`` and
    ``bbox=-73.4,47.8,-69.9,49.3``."""
    raw_zoom = args.get("zoom", "")
    try:
        zoom = float(raw_zoom)
    except ValueError:
        zoom = float("nan")
    if not 0 <= zoom <= 24:
        raise InvalidInput(
            tr("zoom doit être un nombre de 0 à 24 (reçu : {raw}).", raw=raw_zoom or "—"),
            field="zoom",
        )
    raw_bbox = args.get("bbox", "")
    try:
        west, south, east, north = (float(v) for v in raw_bbox.split(","))
    except ValueError:
        west = float("nan")
        south = east = north = 0.0
    if not (
        -180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= north <= 90
    ):  # a NaN fails every comparison
        raise InvalidInput(
            tr(
                "bbox doit donner ouest, sud, est, nord en degrés (reçu : {raw}).",
                raw=raw_bbox or "—",
            ),
            field="bbox",
        )
    return zoom, (west, south, east, north)


def viewport_answer(
    sites: ClusteredSites, zoom: float, bbox: tuple[float, float, float, float]
) -> dict[str, Any]:
    """What the map draws at ``zoom`` inside ``bbox``, JSON-ready.

    ``clusters``: ``[lon, lat, count, split_zoom, [group column, count, …]]`` and, for a stack
    (``split_zoom`` -1: sites at one shown position), a sixth item, the indices of its sites
    (at most :data:`STACK_LIMIT`); ``sites``: single sites ``[lon, lat, index, group code,
    name, rings]`` (``rings``: 1 offers, 2 needs, 3 both); ``index`` is what
    :func:`site_properties` takes. ``total`` counts the view's sites, ``shown`` those drawn.
    """
    z, nodes = sites.clusters.within(zoom, *bbox)
    level = sites.clusters.levels[z]
    lon, lat = point_clusters.lon_lat(level.x[nodes], level.y[nodes])
    clusters: list[list[Any]] = []
    singles: list[list[Any]] = []
    for k, node in enumerate(nodes.tolist()):
        count = int(level.count[node])
        if count == 1:
            index = int(level.point[node])
            feature = sites.features[index]
            props = feature["properties"]
            at = next(geojson.positions(feature["geometry"]["coordinates"]))
            rings = (1 if props.get("o") else 0) | (2 if props.get("b") else 0)
            singles.append([at[0], at[1], index, props.get("g"), props.get("n"), rings])
            continue
        shares: list[int] = []
        for column in np.flatnonzero(level.groups[node]).tolist():
            shares += [column, int(level.groups[node][column])]
        split = int(level.split_zoom[node])
        entry: list[Any] = [
            round(float(lon[k]), CLUSTER_DECIMALS),
            round(float(lat[k]), CLUSTER_DECIMALS),
            count,
            split,
            shares,
        ]
        if split < 0:
            entry.append(sites.clusters.members(z, node)[:STACK_LIMIT].tolist())
        clusters.append(entry)
    return {
        "version": sites.version,
        "zoom": z,
        "total": sites.total,
        "shown": sum(c[2] for c in clusters) + len(singles),
        "clusters": clusters,
        "sites": singles,
    }


def site_properties(sites: ClusteredSites, index: int, version: str) -> dict[str, Any]:
    """The popup data of site ``index`` of a clustered view (the feature's properties), if
    the view is still the ``version`` the index was read from."""
    if version != sites.version:
        raise ViewChanged(
            tr(
                "Le registre a changé depuis l'affichage de la carte : elle vient d'être "
                "redessinée, ouvrez le site de nouveau."
            ),
            version=sites.version,
        )
    if not 0 <= index < sites.total:
        raise NotFound(tr("Aucun site n'a le numéro {index} dans cette vue.", index=index))
    return dict(sites.features[index]["properties"])
