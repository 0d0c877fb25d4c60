"""The projection and the ellipsoid every module measures with, each built once.

Storage is EPSG:4326 lon/lat. Distances across the province are measured either on the WGS84
ellipsoid (exact) or on the Québec Lambert plane (EPSG:32198, metres), where a metre is a metre
to within a fraction of a percent from the Ottawa River to the Gaspé. Transformers take and
give ``x, y`` = ``lon, lat`` (``always_xy=True``).
"""

from __future__ import annotations

from pyproj import Geod, Transformer

#: Québec Lambert, metres: the CRS for distances, buffers and spatial indexes in the province.
QUEBEC_LAMBERT = "EPSG:32198"
#: The ellipsoid of geodesic (straight-line) distances.
WGS84_GEOD = Geod(ellps="WGS84")
#: lon/lat (EPSG:4326) → Québec Lambert metres.
TO_LAMBERT = Transformer.from_crs("EPSG:4326", QUEBEC_LAMBERT, always_xy=True)
#: Québec Lambert metres → lon/lat (EPSG:4326).
FROM_LAMBERT = Transformer.from_crs(QUEBEC_LAMBERT, "EPSG:4326", always_xy=True)
#: Québec Lambert distances are within well under 1 % of geodesic ones across the province:
#: a plane distance divided by this never exceeds the geodesic one, and a search on the plane
#: widened by it misses nothing.
LAMBERT_MARGIN = 1.01
