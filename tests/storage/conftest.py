from __future__ import annotations

import pytest


@pytest.fixture
def postgres_url(database_url: str) -> str:
    """The database, when it is PostgreSQL: these tests need a server that can close connections."""
    if not database_url.startswith("postgresql"):
        pytest.skip("a PostgreSQL server closing connections")
    return database_url
