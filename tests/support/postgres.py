"""A PostgreSQL server closing connections, as a restart does: for tests of what the app does then."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Engine

from interviewer.storage.database import make_engine
from tests.conftest import POSTGRES_URL


def backend_pid(engine: Engine) -> int:
    """The server process behind the connection the engine's pool hands out next."""
    with engine.connect() as connection:
        return connection.execute(text("SELECT pg_backend_pid()")).scalar_one()


def close_connection(pid: int) -> None:
    """What a database restart does to a pooled connection: the server closes it."""
    assert POSTGRES_URL
    killer = make_engine(POSTGRES_URL)
    with killer.begin() as connection:
        connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    killer.dispose()


def claim_owners(engine: Engine, name: str) -> list[str]:
    """Who holds the claim `name` (table `claim`): empty when nobody does."""
    with engine.connect() as connection:
        return list(connection.execute(text("SELECT owner FROM claim WHERE name = :name"), {"name": name}).scalars())
