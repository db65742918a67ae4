"""Alembic's entry point: runs the revisions in versions/ on the connection `interviewer.storage.migrations`
hands over (from `interviewer db ...`), or on DATABASE_URL when Alembic is run by hand."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import interviewer.storage.tables  # noqa: F401  (registers the tables on SQLModel.metadata)
from interviewer.storage.migrations import render_item

config = context.config


def run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=SQLModel.metadata,
        # SQLite cannot ALTER most things: batch mode rebuilds the table instead.
        render_as_batch=True,
        compare_type=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run(connection)
else:
    from interviewer.ops.settings import get_settings
    from interviewer.storage.database import make_engine

    engine = make_engine(get_settings().database_url)
    try:
        with engine.begin() as own_connection:
            run(own_connection)
    finally:
        engine.dispose()
