"""The engine's connection handling: SQLite's sync level, and PostgreSQL connections the server closed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from interviewer.api.app import create_app
from interviewer.ops.settings import Settings
from interviewer.storage import database
from interviewer.storage.database import make_engine

from tests.support.postgres import backend_pid, close_connection


def _synchronous(engine: Engine) -> int:
    with engine.connect() as connection:
        return connection.execute(text("PRAGMA synchronous")).scalar_one()


def test_sqlite_syncs_its_log_at_checkpoints_unless_told_to_sync_every_commit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'sync.db'}"
    assert _synchronous(make_engine(url)) == 1  # NORMAL
    assert _synchronous(make_engine(url, sqlite_synchronous="full")) == 2  # FULL
    with pytest.raises(ValueError, match="'sometimes' is not 'normal' or 'full'"):
        make_engine(url, sqlite_synchronous="sometimes")
    monkeypatch.setenv("INTERVIEWER_SQLITE_SYNCHRONOUS", "FULL")
    assert Settings().sqlite_synchronous == "full"


@pytest.fixture
def pg_engine(postgres_url: str) -> Iterator[Engine]:
    engine = make_engine(postgres_url, pool_size=1, max_overflow=0)
    yield engine
    engine.dispose()


def test_a_connection_idle_in_the_pool_is_checked_and_replaced_before_use(pg_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    first = backend_pid(pg_engine)
    close_connection(first)
    monkeypatch.setattr(database, "PING_AFTER_IDLE_S", 0.0)  # as if it sat idle for a while
    assert backend_pid(pg_engine) != first  # no error: the ping found it closed and the pool opened another


def test_a_connection_in_steady_use_is_not_pinged_and_the_pool_renews_after_a_loss(pg_engine: Engine) -> None:
    first = backend_pid(pg_engine)
    close_connection(first)
    # Used a moment ago, so not pinged: the loss shows on the statement, and the pool starts afresh.
    with pytest.raises(DBAPIError) as caught:
        backend_pid(pg_engine)
    assert database.is_disconnect(caught.value)
    assert backend_pid(pg_engine) != first


def test_the_api_answers_503_with_retry_after_when_the_database_dropped_its_connections(postgres_url: str) -> None:
    with TestClient(create_app(Settings(database_url=postgres_url, db_pool_size=1, db_pool_overflow=0))) as client:
        assert client.get("/api/sessions").status_code == 200
        engine = client.app.state.engine  # type: ignore[attr-defined]
        close_connection(backend_pid(engine))
        lost = client.get("/api/sessions")
        assert lost.status_code == 503
        assert lost.headers["Retry-After"] == "1"
        assert "connection to the database was lost; retry" in lost.json()["detail"]
        assert client.get("/api/sessions").status_code == 200  # the pool was renewed
