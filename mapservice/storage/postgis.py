"""PostgreSQL + PostGIS: geometry columns in EPSG:4326 with GiST indexes, for shared stores."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.sql.selectable import NamedFromClause

from mapservice.errors import ConfigError
from mapservice.geo.spatial_index import DatabaseSiteIndex, SpatialIndex
from mapservice.storage import schema as t
from mapservice.storage.sql import SqlRepository


class PostGISRepository(SqlRepository):
    backend = "postgis"

    def _make_engine(self, url: str) -> Engine:
        try:
            import psycopg  # noqa: F401
        except ImportError as exc:
            msg = "PostGIS needs the psycopg driver: pip install 'mapservice[postgis]'"
            raise ConfigError(msg) from exc
        scheme, rest = url.split("://", 1)
        return sa.create_engine("postgresql+psycopg://" + rest, pool_pre_ping=True)

    def _bbox_clause(self, bbox: tuple[float, float, float, float]) -> sa.ColumnElement[bool]:
        # `&&` against an envelope uses the GiST index on the generated geometry column.
        envelope = sa.func.ST_MakeEnvelope(*bbox, 4326)
        return (
            sa.literal_column("sites.geom").op("&&")(envelope)
            & sa.func.ST_Intersects(sa.literal_column("sites.geom"), envelope)
            & t.sites.c.lon.isnot(None)
        )

    def _line_box_clause(
        self, a: NamedFromClause, b: NamedFromClause, bbox: tuple[float, float, float, float]
    ) -> sa.ColumnElement[bool]:
        # Exact: the line between the two generated points against the box (edges included).
        envelope = sa.func.ST_MakeEnvelope(*bbox, 4326)
        line = sa.func.ST_MakeLine(
            sa.literal_column(f"{a.name}.geom"), sa.literal_column(f"{b.name}.geom")
        )
        return sa.func.ST_Intersects(line, envelope)

    def site_index(self, points: Iterable[tuple[int, float, float]]) -> SpatialIndex:
        """The live index of placed sites: radius searches run in the database (ST_DWithin),
        so app servers that share the store see each other's sites."""
        return DatabaseSiteIndex(self.sites_within, points)

    def sites_within(self, lon: float, lat: float, radius_m: float) -> list[tuple[int, float]]:
        """Sites within ``radius_m`` metres (geodesic), nearest first, by ST_DWithin in the
        database on the geography GiST index."""
        query = sa.text(
            "SELECT id, ST_Distance(geom::geography, pt) AS d FROM sites, "
            "(SELECT ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography AS pt) AS p "
            "WHERE geom IS NOT NULL AND ST_DWithin(geom::geography, pt, :r) ORDER BY d, id"
        )
        with self._connect() as conn:
            return [
                (int(r.id), float(r.d))
                for r in conn.execute(query, {"lon": lon, "lat": lat, "r": radius_m})
            ]
