"""Alembic environment: runs on the connection that :mod:`warroom.store.schema` hands it."""

from alembic import context

from warroom.store import models  # noqa: F401  (registers every table)
from warroom.store.base import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER most things
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
