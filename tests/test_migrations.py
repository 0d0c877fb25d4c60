"""A database made by an earlier schema upgrades in place with no data lost (both backends)."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from mapservice.storage import open_repository


def test_upgrade_from_0001_keeps_every_row(database_url):
    repo = open_repository(database_url)
    repo.migrate("0001")
    assert repo.revision() == "0001"
    now = datetime(2025, 1, 2, tzinfo=UTC)
    with repo.engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO members (name, name_key, naics_code, public_consent, created_at, "
            "updated_at) VALUES ('Ancienne Fonderie (démo)', 'ancienne fonderie demo', '331313', "
            ":f, :now, :now)"), {"now": now, "f": False})
        member_id = conn.execute(sa.text("SELECT id FROM members")).scalar_one()
        conn.execute(sa.text(
            "INSERT INTO sites (member_id, name, site_key, municipality_id, lon, lat, "
            "geocode_precision, created_at, updated_at) VALUES (:m, 'Usine', 'usine', "
            "'saguenay-jonquiere', -71.2, 48.42, 'postcode', :now, :now)"),
            {"m": member_id, "now": now})
        site_id = conn.execute(sa.text("SELECT id FROM sites")).scalar_one()
        conn.execute(sa.text(
            "INSERT INTO flows (site_id, direction, category_code, description, description_key, "
            "quantity, unit, hazardous, confidential, created_at, updated_at) VALUES (:s, "
            "'output', 'metaux.aluminium', 'Retailles', 'retailles', 12.5, 't_per_year', :f, :f, "
            ":now, :now)"), {"s": site_id, "now": now, "f": False})

    repo.migrate()
    assert repo.revision() == "0005"
    (site,) = repo.sites()
    assert (site.name, site.lon, site.lat, site.member_name) == (
        "Usine", -71.2, 48.42, "Ancienne Fonderie (démo)")
    (flow,) = repo.flows()
    assert (flow.description, flow.quantity) == ("Retailles", 12.5)
    counts = repo.counts()
    assert counts["synergies"] == 0 and counts["synergy_events"] == 0
    repo.close()


def test_upgrade_from_0002_keeps_sites_and_adds_the_geocoding_tables(database_url):
    repo = open_repository(database_url)
    repo.migrate("0002")
    now = datetime(2025, 6, 1, tzinfo=UTC)
    with repo.engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO members (name, name_key, public_consent, created_at, updated_at) "
            "VALUES ('Scierie (démo)', 'scierie demo', :f, :now, :now)"), {"now": now, "f": False})
        conn.execute(sa.text(
            "INSERT INTO sites (member_id, name, site_key, lon, lat, geocode_precision, "
            "geocoded_by, created_at, updated_at) VALUES (1, 'Cour', 'cour', -72.2, 48.88, "
            "'manual', 'Lise', :now, :now)"), {"now": now})
    repo.migrate()
    assert repo.revision() == "0005"
    (site,) = repo.sites()
    assert (site.lon, site.lat, site.geocoded_by, site.geocode_note) == (-72.2, 48.88, "Lise", None)
    repo.cache_put("nominatim", "k", "Q", [{"lon": 1.0}])
    assert repo.cache_get("nominatim", "k") == [{"lon": 1.0}]
    repo.close()
