"""The database's own use cases (``mapservice init``, ``stats``): schema state, upgrade and
counts, over a real database."""

from __future__ import annotations

from mapservice.ops import database
from mapservice.services import Services


def test_an_initialised_database_is_current_and_counted(services):
    state = database.schema_state(services)
    assert state.current and state.revision == state.head and state.head
    assert state.backend in ("sqlite", "postgis")
    counts = database.table_counts(services)
    assert counts["parks"] > 0 and counts["members"] == 0
    assert database.upgrade_schema(services) == state  # nothing to do, nothing lost


def test_a_new_database_is_behind_until_upgraded(services, tmp_path):
    fresh = Services(
        {**services.settings, "DATABASE_URL": "sqlite:///" + str(tmp_path / "neuve.sqlite")}
    )
    try:
        before = database.schema_state(fresh)
        assert before.revision is None and not before.current
        after = database.upgrade_schema(fresh)
        assert after.current and after.revision == before.head
    finally:
        fresh.close()
