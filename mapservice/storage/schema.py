"""Tables of the current schema, for queries. Migrations own their own copies of these shapes.

Every point is stored as ``lon``/``lat`` columns (EPSG:4326) in both backends; PostGIS adds a
generated ``geom`` column with a GiST index on top (see the migrations), so writes are the same
SQL everywhere and spatial queries can use the index where there is one.
"""

from __future__ import annotations

import sqlalchemy as sa

from mapservice.storage import event_schema as event_schema  # its tables, on the same metadata
from mapservice.storage.schema_metadata import metadata

municipalities = sa.Table(
    "municipalities",
    metadata,
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

parks = sa.Table(
    "parks",
    metadata,
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

material_categories = sa.Table(
    "material_categories",
    metadata,
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

compatibility_rules = sa.Table(
    "compatibility_rules",
    metadata,
    sa.Column("output_code", sa.String(80), primary_key=True),
    sa.Column("input_code", sa.String(80), primary_key=True),
    sa.Column("strength", sa.Float, nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("note_fr", sa.Text, nullable=False, server_default=""),
    sa.Column("note_en", sa.Text, nullable=False, server_default=""),
)

factors = sa.Table(
    "factors",
    metadata,
    sa.Column("key", sa.String(80), primary_key=True),
    sa.Column("value", sa.Float, nullable=False),
    sa.Column("unit", sa.String(40), nullable=False),
    sa.Column("label_fr", sa.String(300), nullable=False),
    sa.Column("label_en", sa.String(300), nullable=False),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("year", sa.Integer),
    sa.Column("note", sa.Text, nullable=False, server_default=""),
)

members = sa.Table(
    "members",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(300), nullable=False),
    sa.Column("name_key", sa.String(300), nullable=False, unique=True),
    sa.Column("naics_code", sa.String(6)),
    sa.Column("contact_name", sa.String(200)),
    sa.Column("contact_email", sa.String(200)),
    sa.Column("contact_phone", sa.String(50)),
    sa.Column("public_consent", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)

sites = sa.Table(
    "sites",
    metadata,
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
    sa.Column("geocoded_at", sa.DateTime(timezone=True)),
    sa.Column("geocoded_by", sa.String(120)),
    sa.Column("geocode_note", sa.Text),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("member_id", "site_key", name="uq_sites_member_key"),
    sa.Index("ix_sites_updated", "updated_at"),
    sa.Index("ix_sites_park", "park_id"),
    sa.Index("ix_sites_lonlat", "lon", "lat"),
)

flows = sa.Table(
    "flows",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("site_id", sa.Integer, sa.ForeignKey("sites.id", ondelete="CASCADE"), nullable=False),
    sa.Column("direction", sa.String(10), nullable=False),
    sa.Column("category_code", sa.String(80), nullable=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("description_key", sa.String(500), nullable=False),
    sa.Column("quantity", sa.Float),
    sa.Column("unit", sa.String(20)),
    sa.Column("frequency", sa.String(20)),
    sa.Column("hazardous", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("confidential", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    # « à classer »: category_code is a guess and the flow stays out of matching (0012).
    sa.Column("to_classify", sa.Boolean, nullable=False, server_default=sa.false()),
    # The classifier's suggestions, codes joined by "|", best first.
    sa.Column("suggestions", sa.Text),
    # The material text as the file wrote it, for the classification queue.
    sa.Column("material_text", sa.String(300)),
    sa.UniqueConstraint(
        "site_id", "direction", "category_code", "description_key", name="uq_flows_natural"
    ),
    sa.Index("ix_flows_updated", "updated_at"),
    sa.Index("ix_flows_site", "site_id"),
    sa.Index("ix_flows_category", "category_code", "direction"),
)

synergies = sa.Table(
    "synergies",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "output_flow_id", sa.Integer, sa.ForeignKey("flows.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column(
        "input_flow_id", sa.Integer, sa.ForeignKey("flows.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("score", sa.Float),
    sa.Column("geodesic_m", sa.Float),
    sa.Column("road_m", sa.Float),
    sa.Column("duration_s", sa.Float),
    sa.Column("transport_kg_co2e", sa.Float),
    sa.Column("transport_cost_cad", sa.Float),
    sa.Column("avoided_kg_co2e", sa.Float),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("tonnes_per_year", sa.Float),
    sa.Column("net_kg_co2e", sa.Float),
    sa.Column("net_benefit_cad", sa.Float),
    sa.Column("distance_backend", sa.String(40)),
    sa.Column("reasons_json", sa.Text, nullable=False, server_default="[]"),
    sa.UniqueConstraint("output_flow_id", "input_flow_id", name="uq_synergies_pair"),
    sa.Index("ix_synergies_updated", "updated_at"),
    sa.Index("ix_synergies_status_score", "status", "score", "updated_at", "road_m", "geodesic_m"),
    sa.Index("ix_synergies_board", "status", "output_flow_id", "input_flow_id", "score"),
)

synergy_events = sa.Table(
    "synergy_events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "synergy_id", sa.Integer, sa.ForeignKey("synergies.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("from_status", sa.String(20)),
    sa.Column("to_status", sa.String(20), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("author", sa.String(120), nullable=False),
    sa.Column("note", sa.Text, nullable=False, server_default=""),
    sa.Index("ix_synergy_events_synergy", "synergy_id"),
)

category_corrections = sa.Table(
    "category_corrections",
    metadata,
    sa.Column("text_key", sa.String(400), primary_key=True),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("category_code", sa.String(80), nullable=False),
    sa.Column("author", sa.String(120), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
)

geocode_cache = sa.Table(
    "geocode_cache",
    metadata,
    sa.Column("backend", sa.String(40), primary_key=True),
    sa.Column("query_key", sa.String(400), primary_key=True),
    sa.Column("query", sa.Text, nullable=False),
    sa.Column("hits_json", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

geocode_runs = sa.Table(
    "geocode_runs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("mode", sa.String(20), nullable=False),
    sa.Column("backend", sa.String(40), nullable=False),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("finished_at", sa.DateTime(timezone=True)),
    sa.Column("total", sa.Integer, nullable=False),
    sa.Column("done", sa.Integer, nullable=False, server_default="0"),
)

geocode_run_sites = sa.Table(
    "geocode_run_sites",
    metadata,
    sa.Column(
        "run_id", sa.Integer, sa.ForeignKey("geocode_runs.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column(
        "site_id", sa.Integer, sa.ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("message", sa.Text),
)

#: Answers of the HTTP routing engines, one per origin → destination pair (``lon,lat;lon,lat``
#: at 5 decimals) and engine profile; ``road_m``/``duration_s`` NULL when there is no route.
route_cache = sa.Table(
    "route_cache",
    metadata,
    sa.Column("backend", sa.String(80), primary_key=True),
    sa.Column("pair_key", sa.String(64), primary_key=True),
    sa.Column("road_m", sa.Float),
    sa.Column("duration_s", sa.Float),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

#: The online geocoder's pace, shared by every process: when (database clock) the next may leave.
outbound_pace = sa.Table(
    "outbound_pace",
    metadata,
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("next_at_s", sa.Float, nullable=False),
)

#: Tables of the registry and reference data, in an order that respects foreign keys.
ALL_TABLES = (
    municipalities,
    parks,
    material_categories,
    compatibility_rules,
    factors,
    members,
    sites,
    flows,
    synergies,
    synergy_events,
)

presenter_views = sa.Table(
    "presenter_views",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("lat", sa.Float, nullable=False),
    sa.Column("lon", sa.Float, nullable=False),
    sa.Column("zoom", sa.Integer, nullable=False),
    sa.Column("filters", sa.Text, nullable=False, server_default=""),
    sa.Column("layers", sa.String(200), nullable=False, server_default=""),
    sa.Column("anonymised", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("username", sa.String(80), nullable=False, unique=True),
    sa.Column("display_name", sa.String(200), nullable=False, server_default=""),
    sa.Column("password_hash", sa.String(300), nullable=False),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("parks", sa.Text, nullable=False, server_default=""),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("failed_logins", sa.Integer, nullable=False, server_default="0"),
    sa.Column("locked_until", sa.DateTime(timezone=True)),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("session_version", sa.Integer, nullable=False, server_default="0"),
)

api_tokens = sa.Table(
    "api_tokens",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("prefix", sa.String(12), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_used_at", sa.DateTime(timezone=True)),
    sa.Column("revoked_at", sa.DateTime(timezone=True)),
    sa.Index("ix_api_tokens_user", "user_id"),
)

#: Failed sign-ins of the last minutes, by a keyed hash of the client's address (never the address).
sign_in_attempts = sa.Table(
    "sign_in_attempts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("address_key", sa.String(64), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_sign_in_attempts_address", "address_key", "at"),
    sa.Index("ix_sign_in_attempts_at", "at"),
)

app_settings = sa.Table(
    "app_settings",
    metadata,
    sa.Column("key", sa.String(80), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_by", sa.String(200), nullable=False, server_default=""),
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("action", sa.String(10), nullable=False),
    sa.Column("table_name", sa.String(40), nullable=False),
    sa.Column("record_id", sa.String(200), nullable=False),
    sa.Column("old_values", sa.Text),
    sa.Column("new_values", sa.Text),
    sa.Column("note", sa.Text),
    sa.Index("ix_audit_log_record", "table_name", "record_id"),
)

#: The database's change counters, in one row (``id`` 1): triggers bump a counter in the same
#: transaction as every insert, update or delete of a table :data:`COUNTED` names, so a counter
#: moves exactly when such a write commits, whichever process or server made it, whatever its
#: clock says. ``epoch`` is drawn at random when the row is made and again by a restore, so the
#: counters of two copies of a database never compare equal. Every process keys what it keeps
#: in memory by them (:mod:`mapservice.caching`).
change_counters = sa.Table(
    "change_counters",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("epoch", sa.String(32), nullable=False),
    sa.Column("registry", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("synergies", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("corrections", sa.BigInteger, nullable=False, server_default="0"),
)

#: Table → the counter its writes bump (triggers of 0010, and 0015 for parks: on SQLite one per
#: table and kind of write, for each row; on PostgreSQL one per table, for each statement). A
#: migration that rebuilds one of these tables (batch mode on SQLite) must make them again.
COUNTED = {
    "parks": "registry",
    "members": "registry",
    "sites": "registry",
    "flows": "registry",
    "synergies": "synergies",
    "category_corrections": "corrections",
}
