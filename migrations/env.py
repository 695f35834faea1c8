"""Alembic environment: runs inside the Flask app, against the app's own engine."""

from __future__ import annotations

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

import pilot_tracker.models  # noqa: F401  (every model must be loaded for autogenerate)
from pilot_tracker.models.base import include_in_autogenerate

config = context.config
if config.config_file_name and not logging.getLogger().handlers:
    fileConfig(config.config_file_name, disable_existing_loggers=False)

db = current_app.extensions["migrate"].db
metadata = db.metadata
COMPARE = {"compare_type": True, "compare_server_default": True, "render_as_batch": True}


def render_item(type_, obj, autogen_context):  # type: ignore[no-untyped-def]
    """Render the app's type decorators as plain SQLAlchemy types: migrations never import
    application code, which changes after they are written."""
    if type_ == "type" and obj.__class__.__name__ == "UTCDateTime":
        return "sa.DateTime(timezone=True)"
    return False


def run_offline() -> None:
    """Emit SQL to stdout (`flask db upgrade --sql`)."""
    url = db.engine.url.render_as_string(hide_password=False)
    context.configure(url=url, target_metadata=metadata, literal_binds=True, **COMPARE)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    """Migrate through a connection of the app's engine, in one transaction."""
    with db.engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            include_object=include_in_autogenerate,
            render_item=render_item,
            **{**current_app.extensions["migrate"].configure_args, **COMPARE},
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
