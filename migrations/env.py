"""Alembic environment: the app's engine and metadata; batch mode so SQLite can alter tables."""

from alembic import context
from flask import current_app
from sqlalchemy import TypeDecorator

import audit.models  # noqa: F401  (registers the audit tables)
import models  # noqa: F401  (registers every table on the metadata)

config = context.config
target_db = current_app.extensions["migrate"].db


def render_item(type_, obj, _autogen_context):
    """Render our column types by their engine type, so that migrations never import the app's models."""
    if type_ == "type" and isinstance(obj, TypeDecorator):
        return f"sa.{obj.impl!r}"
    return False


def run_migrations_offline() -> None:
    context.configure(
        url=str(target_db.engine.url), target_metadata=target_db.metadata, literal_binds=True, render_as_batch=True
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    def skip_empty(_context, _revision, directives):
        if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
            directives[:] = []

    with target_db.engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_db.metadata,
            render_as_batch=True,
            compare_type=True,
            render_item=render_item,
            process_revision_directives=skip_empty,
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
