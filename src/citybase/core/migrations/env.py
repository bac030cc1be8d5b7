"""Alembic environment: one metadata for all modules, one version folder per module."""

from alembic import context

from citybase.core import registry
from citybase.core.db import Base

registry.modules()  # imports every module's models into Base.metadata
config = context.config
connection = config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    include_object=config.attributes.get("include_object"),
)
with context.begin_transaction():
    context.run_migrations()
