"""The database: SQLModel tables, the engine, keyword-only queries, and the Alembic migrations
that build every schema. All state lives here, so any worker can serve any request.

May import: ops.settings. Nothing else of the package.
"""
