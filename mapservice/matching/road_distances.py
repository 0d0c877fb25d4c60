"""Road distances of candidate pairs: the few matrices asked for, read by pair of site ids."""

from __future__ import annotations

from collections.abc import Callable

from mapservice.domain.model import Flow
from mapservice.matching.arrays import MatrixCell, matrix_cell
from mapservice.materials.compatibility import Fit
from mapservice.routing.base import DistanceBackend


def road_distances(
    pairs: list[tuple[Flow, Flow, Fit, float]],
    distances: DistanceBackend,
    point: Callable[[int], tuple[float, float]],
    site_id: int | None,
) -> Callable[[int, int], MatrixCell | None]:
    """Road distances for the pairs: around one site, two one-to-many matrices.

    ``point`` gives a site's (lon, lat); the answer gives the cell of (origin, target) site ids.
    """
    if site_id is not None:
        dests = sorted({p[1].site_id for p in pairs if p[0].site_id == site_id})
        origs = sorted({p[0].site_id for p in pairs if p[1].site_id == site_id})
        found: dict[tuple[int, int], MatrixCell] = {}
        if dests:
            m = distances.matrix([point(site_id)], [point(s) for s in dests])
            found.update({(site_id, s): matrix_cell(m, 0, j) for j, s in enumerate(dests)})
        if origs:
            m = distances.matrix([point(s) for s in origs], [point(site_id)])
            found.update({(s, site_id): matrix_cell(m, i, 0) for i, s in enumerate(origs)})
        # Mutualisation partners of a need are stored (first flow, second flow) by id:
        # the distance is the same either way.
        return lambda a, b: found.get((a, b)) or found.get((b, a))
    origins = sorted({p[0].site_id for p in pairs})
    targets = sorted({p[1].site_id for p in pairs})
    m = distances.matrix([point(s) for s in origins], [point(s) for s in targets])
    row = {s: i for i, s in enumerate(origins)}
    col = {s: j for j, s in enumerate(targets)}
    return lambda a, b: matrix_cell(m, row[a], col[b])
