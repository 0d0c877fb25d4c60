"""Initial schema: reference data (parks, gazetteer, taxonomy, factors) and the registry.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _timestamps() -> list[sa.Column]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    postgis = op.get_bind().dialect.name == "postgresql"
    if postgis:
        op.execute("CREATE EXTENSION IF NOT EXISTS postgis")

    op.create_table(
        "municipalities",
        sa.Column("id", sa.String(80), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("parent_id", sa.String(80)),
        sa.Column("mrc", sa.String(80), nullable=False),
        sa.Column("mamh_code", sa.String(10)),
        sa.Column("lon", sa.Float, nullable=False),
        sa.Column("lat", sa.Float, nullable=False),
        sa.Column("coord_status", sa.String(20), nullable=False),
        sa.Column("fsa", sa.String(200), nullable=False, server_default=""),
        sa.Column("variants", sa.Text, nullable=False, server_default=""),
        sa.Column("population", sa.Integer),
    )
    op.create_table(
        "parks",
        sa.Column("id", sa.String(80), primary_key=True),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("municipality_id", sa.String(80), nullable=False),
        sa.Column("sector", sa.String(120)),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("coord_status", sa.String(20), nullable=False),
        sa.Column("outline_status", sa.String(20), nullable=False),
        sa.Column("centre_lon", sa.Float, nullable=False),
        sa.Column("centre_lat", sa.Float, nullable=False),
        sa.Column("outline_geojson", sa.Text),
        sa.Column("area_ha", sa.Float),
        sa.Column("manager", sa.String(300)),
        sa.Column("properties_json", sa.Text, nullable=False, server_default="{}"),
    )
    op.create_table(
        "material_categories",
        sa.Column("code", sa.String(80), primary_key=True),
        sa.Column("parent_code", sa.String(80)),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("label_fr", sa.String(200), nullable=False),
        sa.Column("label_en", sa.String(200), nullable=False),
        sa.Column("synonyms_fr", sa.Text, nullable=False, server_default=""),
        sa.Column("synonyms_en", sa.Text, nullable=False, server_default=""),
        sa.Column("ewc_code", sa.String(12)),
        sa.Column("hazardous", sa.Boolean, nullable=False),
        sa.Column("default_unit", sa.String(20), nullable=False),
        sa.Column("density_t_per_m3", sa.Float),
        sa.Column("max_transport_km", sa.Float, nullable=False),
    )
    op.create_table(
        "compatibility_rules",
        sa.Column("output_code", sa.String(80), primary_key=True),
        sa.Column("input_code", sa.String(80), primary_key=True),
        sa.Column("strength", sa.Float, nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("note_fr", sa.Text, nullable=False, server_default=""),
        sa.Column("note_en", sa.Text, nullable=False, server_default=""),
    )
    op.create_table(
        "factors",
        sa.Column("key", sa.String(80), primary_key=True),
        sa.Column("value", sa.Float, nullable=False),
        sa.Column("unit", sa.String(40), nullable=False),
        sa.Column("label_fr", sa.String(300), nullable=False),
        sa.Column("label_en", sa.String(300), nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("year", sa.Integer),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
    )
    op.create_table(
        "members",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("name_key", sa.String(300), nullable=False, unique=True),
        sa.Column("naics_code", sa.String(6)),
        sa.Column("contact_name", sa.String(200)),
        sa.Column("contact_email", sa.String(200)),
        sa.Column("contact_phone", sa.String(50)),
        sa.Column("public_consent", sa.Boolean, nullable=False, server_default=sa.false()),
        *_timestamps(),
    )
    op.create_table(
        "sites",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "member_id", sa.Integer, sa.ForeignKey("members.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("site_key", sa.String(300), nullable=False),
        sa.Column("address", sa.String(300)),
        sa.Column("municipality_id", sa.String(80)),
        sa.Column("postal_code", sa.String(7)),
        sa.Column("lon", sa.Float),
        sa.Column("lat", sa.Float),
        sa.Column("park_id", sa.String(80)),
        sa.Column("geocode_precision", sa.String(20)),
        sa.Column("geocode_source", sa.String(80)),
        sa.Column("geocode_score", sa.Float),
        *_timestamps(),
        sa.UniqueConstraint("member_id", "site_key", name="uq_sites_member_key"),
    )
    op.create_index("ix_sites_park", "sites", ["park_id"])
    op.create_index("ix_sites_lonlat", "sites", ["lon", "lat"])
    op.create_table(
        "flows",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "site_id", sa.Integer, sa.ForeignKey("sites.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("direction", sa.String(10), nullable=False),
        sa.Column("category_code", sa.String(80), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("description_key", sa.String(500), nullable=False),
        sa.Column("quantity", sa.Float),
        sa.Column("unit", sa.String(20)),
        sa.Column("frequency", sa.String(20)),
        sa.Column("hazardous", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("confidential", sa.Boolean, nullable=False, server_default=sa.false()),
        *_timestamps(),
        sa.UniqueConstraint(
            "site_id", "direction", "category_code", "description_key", name="uq_flows_natural"
        ),
    )
    op.create_index("ix_flows_site", "flows", ["site_id"])
    op.create_index("ix_flows_category", "flows", ["category_code", "direction"])

    if postgis:
        # Geometry derived from lon/lat by the database itself: writes stay the same SQL on both
        # backends, and spatial queries get a GiST index.
        op.execute(
            "ALTER TABLE sites ADD COLUMN geom geometry(Point, 4326) GENERATED ALWAYS AS "
            "(ST_SetSRID(ST_MakePoint(lon, lat), 4326)) STORED"
        )
        op.execute("CREATE INDEX ix_sites_geom ON sites USING GIST (geom)")
        op.execute(
            "ALTER TABLE parks ADD COLUMN geom geometry(Geometry, 4326) GENERATED ALWAYS AS "
            "(ST_SetSRID(ST_GeomFromGeoJSON(outline_geojson), 4326)) STORED"
        )
        op.execute("CREATE INDEX ix_parks_geom ON parks USING GIST (geom)")
        op.execute(
            "ALTER TABLE municipalities ADD COLUMN geom geometry(Point, 4326) GENERATED ALWAYS "
            "AS (ST_SetSRID(ST_MakePoint(lon, lat), 4326)) STORED"
        )
        op.execute("CREATE INDEX ix_municipalities_geom ON municipalities USING GIST (geom)")


def downgrade() -> None:
    for table in (
        "flows",
        "sites",
        "members",
        "factors",
        "compatibility_rules",
        "material_categories",
        "parks",
        "municipalities",
    ):
        op.drop_table(table)
