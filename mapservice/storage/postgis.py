"""PostgreSQL + PostGIS: geometry columns in EPSG:4326 with GiST indexes, for shared stores."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from mapservice.errors import ConfigError
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
        return sa.literal_column("sites.geom").op("&&")(envelope) & sa.func.ST_Intersects(
            sa.literal_column("sites.geom"), envelope
        ) & t.sites.c.lon.isnot(None)
