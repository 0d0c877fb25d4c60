"""Route answers in their own table (they shared the geocoder's cache, one JSON row and one
transaction per pair), and the online geocoder's pace as a row every process shares.

Route answers already in ``geocode_cache`` (engines ``osrm``, ``valhalla``, ``ors``, with or
without a profile) move to ``route_cache`` (unreadable ones, which were asked again anyway, are
dropped); a downgrade moves them back.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

import json
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

ENGINES = ("osrm", "valhalla", "ors")
WHEN = sa.DateTime(timezone=True)


def _answer(hits_json: str) -> tuple[float | None, float | None] | None:
    try:
        value = json.loads(hits_json)
    except ValueError:
        return None
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if not isinstance(value, dict) or not {"road_m", "duration_s"} <= value.keys():
        return None
    road_m, duration_s = value["road_m"], value["duration_s"]
    if not all(
        v is None or (isinstance(v, int | float) and not isinstance(v, bool))
        for v in (road_m, duration_s)
    ):
        return None
    if road_m is None or duration_s is None:
        return None, None
    return float(road_m), float(duration_s)


def upgrade() -> None:
    route_cache = op.create_table(
        "route_cache",
        sa.Column("backend", sa.String(80), primary_key=True),
        sa.Column("pair_key", sa.String(64), primary_key=True),
        sa.Column("road_m", sa.Float),
        sa.Column("duration_s", sa.Float),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "outbound_pace",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("next_at_s", sa.Float, nullable=False),
    )
    cache = sa.table(
        "geocode_cache",
        sa.column("backend", sa.String),
        sa.column("query_key"),
        sa.column("hits_json"),
        sa.column("created_at", WHEN),
    )
    conn = op.get_bind()
    likes = sa.or_(
        *(cache.c.backend == e for e in ENGINES), *(cache.c.backend.like(f"{e}:%") for e in ENGINES)
    )
    moved = []
    for row in conn.execute(sa.select(cache).where(likes)):
        answer = _answer(row.hits_json)
        if answer is None or len(row.query_key) > 64:
            continue
        moved.append(
            {
                "backend": row.backend[:80],
                "pair_key": row.query_key,
                "road_m": answer[0],
                "duration_s": answer[1],
                "created_at": row.created_at,
            }
        )
    if moved:
        op.bulk_insert(route_cache, moved)
    # Moved, or unreadable (the engines asked those pairs again anyway).
    conn.execute(cache.delete().where(likes))


def downgrade() -> None:
    conn = op.get_bind()
    routes = sa.table(
        "route_cache",
        sa.column("backend"),
        sa.column("pair_key"),
        sa.column("road_m", sa.Float),
        sa.column("duration_s", sa.Float),
        sa.column("created_at", WHEN),
    )
    cache = sa.table(
        "geocode_cache",
        sa.column("backend"),
        sa.column("query_key"),
        sa.column("query"),
        sa.column("hits_json"),
        sa.column("created_at", WHEN),
    )
    rows = [
        {
            "backend": r.backend[:40],
            "query_key": r.pair_key,
            "query": r.pair_key,
            "hits_json": json.dumps([{"road_m": r.road_m, "duration_s": r.duration_s}]),
            "created_at": r.created_at or datetime.now(UTC),
        }
        for r in conn.execute(sa.select(routes))
    ]
    if rows:
        conn.execute(cache.insert(), rows)
    op.drop_table("outbound_pace")
    op.drop_table("route_cache")
