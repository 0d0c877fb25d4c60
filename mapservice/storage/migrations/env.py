"""Alembic environment: runs on the connection that :func:`mapservice.storage.migrate` hands in."""

from __future__ import annotations

from alembic import context

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - always called through mapservice.storage.migrate
    raise RuntimeError("run migrations through `mapservice init`, which supplies the connection")

context.configure(
    connection=connection,
    target_metadata=None,
    render_as_batch=connection.dialect.name == "sqlite",
    transaction_per_migration=False,
)
with context.begin_transaction():
    context.run_migrations()
